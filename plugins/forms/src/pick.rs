//! Which form of a page to act on, and how: the SAML POST (final or a hop
//! to another service provider), a login form, a username-only first step,
//! or a "Continue" form with nothing to fill.

use plugin_api::PluginError;
use plugin_kit::html::{Form, Page, SamlPost};

use crate::needs_browser::needs_browser;
use crate::options::Options;

/// What to do with a page.
#[derive(Debug)]
pub enum Pick {
    /// A form posting `SAMLResponse`. `last` when it is meant for AWS (the
    /// login is done); otherwise post it on (an SP or proxy hop).
    Saml {
        form: Form,
        post: SamlPost,
        last: bool,
    },
    /// A form with a password input (and maybe the username input).
    Login {
        form: Form,
        username_field: Option<String>,
        password_field: String,
    },
    /// A one-time-code step (second factor).
    Code { form: Form, code_field: String },
    /// A first step asking for the username only.
    Username { form: Form, username_field: String },
    /// A form with nothing to fill ("Continue", consent, auto-submit).
    Continue { form: Form },
    /// No form this plugin can use.
    Nothing,
}

/// Decide what to do with `page`.
pub fn pick(page: &Page, options: &Options) -> Result<Pick, PluginError> {
    let forms = page.forms();
    if let (Some(form), Some(post)) = (page.saml_form(), page.saml_post()) {
        let last = post.is_for_aws();
        return Ok(Pick::Saml { form, post, last });
    }
    if page.webauthn_form().is_some() {
        return Err(needs_browser(&format!(
            "the IdP asks for a WebAuthn security key (passkey) on {}",
            page.describe()
        )));
    }
    if forms.iter().any(|f| f.has_field("totpSecret")) {
        // Keycloak's login-config-totp.ftl: a code field too, but for an
        // authenticator that must be scanned from a QR code first.
        return Err(needs_browser(&format!(
            "the IdP asks you to set up an authenticator app (scan a QR code) on {}",
            page.describe()
        )));
    }
    if let Some(spec) = &options.form {
        match page.find_form(spec) {
            Some(form) => {
                return Ok(credential_pick(form.clone(), options).unwrap_or(Pick::Continue { form }))
            }
            None if forms.iter().any(|f| has_password(f, options)) => {
                return Err(PluginError::config(format!(
                    "no form matches --plugin-option form={spec} on {} (its forms: {})",
                    page.describe(),
                    describe_forms(&forms)
                ))
                .with_hint("use a CSS selector such as #login-form, or a form's id or name"));
            }
            None => {}
        }
    }
    if let Some(form) = forms
        .iter()
        .find(|f| has_password(f, options) && code_field(f).is_none())
    {
        if let Some(p) = credential_pick(form.clone(), options) {
            return Ok(p);
        }
    }
    if let Some((form, code_field)) = forms.iter().find_map(|f| Some((f, code_field(f)?))) {
        return Ok(Pick::Code {
            form: form.clone(),
            code_field,
        });
    }
    if let Some(form) = forms.iter().find(|f| has_password(f, options)) {
        if let Some(p) = credential_pick(form.clone(), options) {
            return Ok(p);
        }
    }
    if let Some(p) = forms
        .iter()
        .filter(|f| f.fillable_fields().next().is_some())
        .find_map(|f| match credential_pick(f.clone(), options) {
            Some(p @ Pick::Username { .. }) => Some(p),
            _ => None,
        })
    {
        return Ok(p);
    }
    // A form with nothing to type: prefer POST forms that carry state.
    let continue_form = forms
        .iter()
        .filter(|f| f.fillable_fields().next().is_none())
        .max_by_key(|f| {
            (
                f.method == "POST",
                f.fields
                    .iter()
                    .any(|x| x.kind == "hidden" && x.name.is_some()),
            )
        });
    Ok(match continue_form {
        Some(form) => Pick::Continue { form: form.clone() },
        None => Pick::Nothing,
    })
}

/// Lower-cased names (and ids) of one-time-code inputs seen on IdPs
/// (Keycloak `otp`, Shibboleth/Duo-less TOTP plugins, PingID, RSA).
const CODE_NAMES: &[&str] = &[
    "otp",
    "totp",
    "otpcode",
    "otp_code",
    "code",
    "passcode",
    "tokencode",
    "token",
    "j_tokennumber",
    "verificationcode",
    "verification_code",
    "mfacode",
    "mfa_code",
    "securitycode",
    "security_code",
    "one_time_code",
    "onetimecode",
    "smscode",
];

/// The one-time-code input of a form that asks only for such a code: its
/// single fillable input is named like one or has
/// `autocomplete="one-time-code"`.
pub fn code_field(form: &Form) -> Option<String> {
    let fillable: Vec<_> = form.fillable_fields().collect();
    let [only] = fillable.as_slice() else {
        return None;
    };
    let lower = |s: Option<&String>| s.map(|v| v.to_ascii_lowercase()).unwrap_or_default();
    let looks_like_code = lower(only.autocomplete.as_ref()).contains("one-time-code")
        || CODE_NAMES.contains(&lower(only.name.as_ref()).as_str())
        || CODE_NAMES.contains(&lower(only.id.as_ref()).as_str());
    looks_like_code.then(|| only.name.clone()).flatten()
}

fn is_search(field: &plugin_kit::html::Field) -> bool {
    field.kind == "search"
        || matches!(
            field
                .name
                .as_deref()
                .map(str::to_ascii_lowercase)
                .as_deref(),
            Some("q" | "query" | "search" | "s")
        )
}

fn has_password(form: &Form, options: &Options) -> bool {
    match &options.password_field {
        Some(name) => form.has_field(name),
        None => form.password_field().is_some(),
    }
}

/// A login or username-only pick for `form`, if it takes credentials.
fn credential_pick(form: Form, options: &Options) -> Option<Pick> {
    let username_field = match &options.username_field {
        Some(name) if form.has_field(name) => Some(name.clone()),
        // A search box is never the username (portal pages have them).
        _ => form
            .username_field()
            .filter(|f| !is_search(f))
            .and_then(|f| f.name.clone()),
    };
    let password_field = match &options.password_field {
        Some(name) => form.field(name).and_then(|f| f.name.clone()),
        None => form.password_field().and_then(|f| f.name.clone()),
    };
    match (username_field, password_field) {
        (u, Some(p)) => Some(Pick::Login {
            form,
            username_field: u,
            password_field: p,
        }),
        (Some(u), None) => Some(Pick::Username {
            form,
            username_field: u,
        }),
        (None, None) => None,
    }
}

/// `#id`/`name`/`(unnamed)` of each form, for messages.
pub fn describe_forms(forms: &[Form]) -> String {
    if forms.is_empty() {
        return "none".into();
    }
    forms
        .iter()
        .map(|f| match (&f.id, &f.name) {
            (Some(id), _) => format!("#{id}"),
            (None, Some(n)) => format!("name={n}"),
            (None, None) => format!("form {} (unnamed)", f.index + 1),
        })
        .collect::<Vec<_>>()
        .join(", ")
}
