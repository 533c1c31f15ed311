//! What an ADFS page is: the sign-in form, an MFA step, an auto-posting
//! hop, or something this plugin does not know.

use plugin_kit::html::{Form, Page};

use crate::options::Options;

/// ADFS 2.0 (ASP.NET) control names.
pub const ADFS2_USERNAME: &str = "ctl00$ContentPlaceHolder1$UsernameTextBox";
pub const ADFS2_PASSWORD: &str = "ctl00$ContentPlaceHolder1$PasswordTextBox";
/// ADFS 3.0 and later.
pub const ADFS3_USERNAME: &str = "UserName";
pub const ADFS3_PASSWORD: &str = "Password";

/// One step of the ADFS conversation.
#[derive(Debug)]
pub enum Step {
    /// A form asking for username and password.
    Login(Form),
    /// An MFA adapter's form (it carries `AuthMethod` and `Context`).
    Mfa(Form),
    /// A form with nothing to fill (a "Continue" page or a WS-Fed hop).
    AutoPost(Form),
    /// None of the above.
    Unknown,
}

/// Classify `page`. The SAML POST page is checked by the caller first.
pub fn classify(page: &Page, options: &Options) -> Step {
    let forms = page.forms();
    if let Some(f) = login_form(&forms, options) {
        return Step::Login(f.clone());
    }
    if let Some(f) = mfa_form(&forms) {
        return Step::Mfa(f.clone());
    }
    if let Some(f) = forms.iter().find(|f| {
        f.method == "POST"
            && f.fillable_fields().next().is_none()
            && f.fields.iter().any(|x| x.kind == "hidden" && x.name.is_some())
    }) {
        return Step::AutoPost(f.clone());
    }
    Step::Unknown
}

fn login_form<'a>(forms: &'a [Form], options: &Options) -> Option<&'a Form> {
    let has_password = |f: &&Form| match &options.password_field {
        Some(name) => f.has_field(name),
        None => f.password_field().is_some(),
    };
    // ADFS 3.0+ names its form; prefer it over other forms with a password.
    forms
        .iter()
        .filter(has_password)
        .find(|f| f.id.as_deref() == Some("loginForm") || f.has_field(ADFS2_PASSWORD))
        .or_else(|| forms.iter().find(has_password))
}

fn mfa_form(forms: &[Form]) -> Option<&Form> {
    let is_mfa = |f: &&Form| f.has_field("Context") && f.has_field("AuthMethod");
    // ADFS 2016+ pages carry the adapter in #loginForm and a hidden
    // #options form for "sign in another way": prefer the former.
    forms
        .iter()
        .filter(is_mfa)
        .find(|f| f.id.as_deref() != Some("options"))
        .or_else(|| forms.iter().find(is_mfa))
}

/// The username and password input names of a sign-in form: the
/// configured ones, the ADFS 2.0 or 3.0+ ones, or the detected ones.
pub fn credential_fields(form: &Form, options: &Options) -> (Option<String>, Option<String>) {
    let user = options.username_field.clone().or_else(|| {
        [ADFS3_USERNAME, ADFS2_USERNAME]
            .iter()
            .find(|n| form.has_field(n))
            .map(|n| n.to_string())
            .or_else(|| form.username_field().and_then(|f| f.name.clone()))
    });
    let pass = options.password_field.clone().or_else(|| {
        [ADFS3_PASSWORD, ADFS2_PASSWORD]
            .iter()
            .find(|n| form.has_field(n))
            .map(|n| n.to_string())
            .or_else(|| form.password_field().and_then(|f| f.name.clone()))
    });
    (user, pass)
}

/// The names of a form's fields, for messages (names are never secret).
pub fn field_names(form: &Form) -> String {
    let names: Vec<&str> = form.fields.iter().filter_map(|f| f.name.as_deref()).collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}
