//! The sign-in conversation: the kit's page walk (`plugin_kit::walk`) from
//! the IdP-initiated sign-on URL, with ADFS's own pages answered here (the
//! sign-in form, MFA steps, authentication options, home realm discovery)
//! until ADFS serves the page that posts the SAML response to AWS.

use plugin_api::{Host, LoginOutcome, LoginRequest, PluginError};
use plugin_kit::browser::Loaded;
use plugin_kit::html::{Form, Page};
use plugin_kit::walk::{Hook, Sends, Tab, Walk};

use crate::home_realm;
use crate::mfa;
use crate::options::Options;
use crate::pages::{self, Step};
use crate::session;
use crate::state::State;

/// More pages than any ADFS flow needs (sign-in, MFA, a few hops).
const MAX_STEPS: usize = 12;

pub(crate) fn login(request: &LoginRequest, host: &Host) -> Result<LoginOutcome, PluginError> {
    let url = plugin_kit::request::endpoint_url(
        request,
        "adfs",
        "use the IdP-initiated sign-on URL, e.g. https://adfs.example.com/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices",
    )?;
    let username = plugin_kit::request::username(request, "adfs")
        .map_err(|e| e.with_hint("ADFS usually expects user@domain or DOMAIN\\user"))?;
    let options = Options::from_request(request)?;
    let mut walk = Walk::new(host, "ADFS", MAX_STEPS);
    if options.reuse_session {
        walk = walk.keep_session(session::SESSION, session::SSO_LIFETIME_SECS);
    }
    let mut state = State {
        request,
        options,
        username,
        code_sent: false,
        method_chosen: false,
    };
    walk.run(&url, &mut state)
}

/// ADFS's pages, as `pages::classify` tells them apart.
impl Hook for State<'_> {
    fn answer(
        &mut self,
        tab: &mut Tab<'_>,
        loaded: &Loaded,
    ) -> Result<Option<Loaded>, PluginError> {
        let page = &loaded.page;
        let next = match pages::classify(page, &self.options) {
            Step::Login(form) => self.sign_in(tab, page, &form)?,
            Step::Mfa(form) => mfa::answer(self, tab, page, &form)?,
            Step::Options(form) => mfa::choose_option(self, tab, page, &form)?,
            Step::HomeRealm(form) => home_realm::choose(self, tab, page, &form)?,
            Step::Unknown => return Ok(None),
        };
        Ok(Some(next))
    }

    fn dead_end(&self, tab: &Tab<'_>, loaded: &Loaded) -> PluginError {
        let page = &loaded.page;
        if plugin_kit::entra::looks_like_entra(page) {
            return plugin_kit::entra::use_entra_error("adfs", page);
        }
        if let Some(named) = plugin_kit::refusal::on_page(page) {
            return named;
        }
        if let Some(text) = page.error_message() {
            let err = format!("ADFS showed an error: {text}");
            return if tab.password_sent() {
                PluginError::auth(err)
            } else {
                PluginError::protocol(err)
            };
        }
        PluginError::protocol(format!(
            "ADFS answered with {} which has neither a sign-in form nor a SAML response",
            page.describe()
        ))
        .with_hint(
            "check that -e is the IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices URL; run with -v for the page trace",
        )
    }
}

impl State<'_> {
    /// Fill and post the sign-in form.
    fn sign_in(
        &mut self,
        tab: &mut Tab<'_>,
        page: &Page,
        form: &Form,
    ) -> Result<Loaded, PluginError> {
        if tab.password_sent() {
            if form.password_fields().count() >= 2 {
                return Err(password_change(page));
            }
            return Err(rejected(page));
        }
        let (user_field, pass_field) = pages::credential_fields(form, &self.options);
        let missing = |what: &str, option: &str| {
            PluginError::config(format!(
                "cannot find the {what} input of the ADFS sign-in form (its fields: {})",
                form.field_names()
            ))
            .with_hint(format!("name it with --plugin-option {option}=NAME"))
        };
        let user_field = user_field
            .filter(|n| form.has_field(n))
            .ok_or_else(|| missing("username", "username-field"))?;
        let pass_field = pass_field
            .filter(|n| form.has_field(n))
            .ok_or_else(|| missing("password", "password-field"))?;
        let host = tab.host();
        host.debug(&format!(
            "ADFS sign-in form found (fields {user_field} / {pass_field})"
        ));
        let password = host.password(&plugin_kit::prompt::password(
            "ADFS",
            &self.username,
            page.url.host_str().unwrap_or("the IdP"),
        ))?;
        host.add_secret(password.expose());
        let mut fields = form.fill(&[
            (user_field.as_str(), self.username.as_str()),
            (pass_field.as_str(), password.expose().as_str()),
        ]);
        if self.options.kmsi && form.has_field("Kmsi") {
            let value = form
                .value_of("Kmsi")
                .filter(|v| !v.is_empty())
                .unwrap_or("true");
            fields.push(("Kmsi".into(), value.into()));
        }
        page.press_default_button(form, &mut fields);
        tab.submit(page, form, &fields, Sends::Password)
    }
}

fn idp_host(page: &Page) -> &str {
    page.url.host_str().unwrap_or("the IdP")
}

/// The sign-in form came back after the password was posted.
fn rejected(page: &Page) -> PluginError {
    let hint = "check -u (ADFS usually wants user@domain or DOMAIN\\user) and your password";
    match page.error_message() {
        Some(text) => plugin_kit::refusal::on_page(page).unwrap_or_else(|| {
            PluginError::auth(format!("ADFS rejected the sign-in: {text}")).with_hint(hint)
        }),
        None => PluginError::auth("ADFS showed the sign-in form again: wrong username or password")
            .with_hint(hint),
    }
}

/// A form asking for a new password (AD FS's `/adfs/portal/updatepassword/`
/// with old, new and confirm inputs) after the password was posted.
fn password_change(page: &Page) -> PluginError {
    // The password was right: a keychain keeps it (access-denied).
    PluginError::access_denied(format!(
        "ADFS asks you to change your password on {}",
        page.describe()
    ))
    .with_hint(
        plugin_kit::refusal::Refusal::PasswordExpired
            .hint(idp_host(page))
            .unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use plugin_api::ErrorKind;

    /// AD FS's update-password page comes after a correct password: the
    /// refusal must not make the host delete a keychain password.
    #[test]
    fn the_update_password_page_does_not_blame_the_password() {
        let page = Page::parse(
            "https://adfs.example.com/adfs/portal/updatepassword/",
            r#"<html><head><title>Update Password</title></head><body><form method="post">
<input name="UserName"><input type="password" name="OldPassword">
<input type="password" name="NewPassword"><input type="password" name="ConfirmNewPassword">
</form></body></html>"#,
        )
        .unwrap();
        let e = password_change(&page);
        assert_eq!(e.kind, ErrorKind::AccessDenied, "{e:?}");
        assert!(
            e.message.contains("ADFS asks you to change your password"),
            "{}",
            e.message
        );
    }
}
