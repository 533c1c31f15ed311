//! What an ADFS page is: the sign-in form, an MFA step, the authentication
//! options or home realm page, or something else (auto-posting hops and
//! meta refreshes are the kit walk's).

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
    /// AD FS 2016+'s "Authentication Options" page: `SelectOption('...')`
    /// tiles fill `AuthMethod` in the `#options` form, which has no
    /// `Context` (primary authentication, before any sign-in form).
    Options(Form),
    /// Home realm discovery: which claims provider signs you in.
    HomeRealm(Form),
    /// None of the above.
    Unknown,
}

/// Classify `page`. SAML POST pages never come here (the walk ends or
/// posts them on).
pub fn classify(page: &Page, options: &Options) -> Step {
    let forms = page.forms();
    if let Some(f) = login_form(&forms, options) {
        return Step::Login(f.clone());
    }
    if let Some(f) = mfa_form(&forms) {
        return Step::Mfa(f.clone());
    }
    if let Some(f) = forms.iter().find(|f| is_options_form(f)) {
        if !crate::mfa::method_choices(page).is_empty() {
            return Step::Options(f.clone());
        }
    }
    if let Some(f) = crate::home_realm::hrd_form(page) {
        return Step::HomeRealm(f);
    }
    Step::Unknown
}

fn login_form<'a>(forms: &'a [Form], options: &Options) -> Option<&'a Form> {
    // An OTP adapter's code input is often a password input: forms of
    // an MFA step are not sign-in forms.
    let has_password = |f: &&Form| {
        !is_mfa_form(f)
            && match &options.password_field {
                Some(name) => f.has_field(name),
                None => f.password_field().is_some(),
            }
    };
    // ADFS 3.0+ names its form; prefer it over other forms with a password.
    forms
        .iter()
        .filter(has_password)
        .find(|f| f.id.as_deref() == Some("loginForm") || f.has_field(ADFS2_PASSWORD))
        .or_else(|| forms.iter().find(has_password))
}

/// A form of an MFA step: it names an adapter other than the password one
/// and carries the authentication `Context`.
pub fn is_mfa_form(f: &Form) -> bool {
    f.has_field("Context")
        && f.has_field("AuthMethod")
        && f.value_of("AuthMethod") != Some("FormsAuthentication")
}

/// A form whose only choice is an empty `AuthMethod` filled by script
/// (the tiles of an options page), without an MFA `Context`.
pub fn is_options_form(f: &Form) -> bool {
    f.has_field("AuthMethod")
        && !f.has_field("Context")
        && f.value_of("AuthMethod").is_none_or(|m| m.trim().is_empty())
}

fn mfa_form(forms: &[Form]) -> Option<&Form> {
    let is_mfa = |f: &&Form| is_mfa_form(f);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mfa::code_field;

    fn page(name: &str) -> Page {
        let path = format!(
            "{}/../../examples/sandbox/fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        Page::parse(
            "https://adfs.example.com/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices",
            &std::fs::read_to_string(&path).unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn sign_in_pages_of_each_adfs_version() {
        for (file, user, pass, id) in [
            (
                "adfs-2.0-signin.html",
                ADFS2_USERNAME,
                ADFS2_PASSWORD,
                "aspnetForm",
            ),
            (
                "adfs-3.0-signin.html",
                ADFS3_USERNAME,
                ADFS3_PASSWORD,
                "loginForm",
            ),
            (
                "adfs-2016-signin-error.html",
                ADFS3_USERNAME,
                ADFS3_PASSWORD,
                "loginForm",
            ),
        ] {
            let p = page(file);
            let Step::Login(form) = classify(&p, &Options::default()) else {
                panic!("{file}: not a sign-in page");
            };
            assert_eq!(form.id.as_deref(), Some(id), "{file}");
            let (u, pw) = credential_fields(&form, &Options::default());
            assert_eq!(
                (u.as_deref(), pw.as_deref()),
                (Some(user), Some(pass)),
                "{file}"
            );
        }
    }

    #[test]
    fn configured_field_names_win() {
        let p = page("adfs-3.0-signin.html");
        let options = Options {
            username_field: Some("Custom".into()),
            ..Default::default()
        };
        let Step::Login(form) = classify(&p, &options) else {
            panic!()
        };
        assert_eq!(
            credential_fields(&form, &options).0.as_deref(),
            Some("Custom")
        );
    }

    #[test]
    fn mfa_pages() {
        let p = page("adfs-2019-azure-mfa-push.html");
        let Step::Mfa(form) = classify(&p, &Options::default()) else {
            panic!("push page")
        };
        assert_eq!(form.id.as_deref(), Some("loginForm"));
        assert_eq!(
            crate::mfa::adapter_name(&p, &form),
            "AzureMfaAuthentication"
        );
        assert_eq!(code_field(&form, None), None);

        let p = page("adfs-2016-securid.html");
        let Step::Mfa(form) = classify(&p, &Options::default()) else {
            panic!("an OTP page with a password-type code input is still MFA")
        };
        assert_eq!(crate::mfa::adapter_name(&p, &form), "SecurIDAuthentication");
        assert_eq!(code_field(&form, None).as_deref(), Some("Passcode"));
    }

    #[test]
    fn saml_post_and_unknown_pages() {
        assert!(page("adfs-saml-post.html").saml_post().is_some());
        let p = Page::parse(
            "https://adfs.example.com/",
            "<html><title>Oops</title><p>x</p></html>",
        )
        .unwrap();
        assert!(matches!(classify(&p, &Options::default()), Step::Unknown));
    }

    #[test]
    fn authentication_options_page_without_context() {
        let p = page("adfs-2016-authentication-options.html");
        let Step::Options(form) = classify(&p, &Options::default()) else {
            panic!("the options page must not be an auto-post")
        };
        assert_eq!(form.id.as_deref(), Some("options"));
        let adapters: Vec<String> = crate::mfa::method_choices(&p)
            .into_iter()
            .map(|c| c.adapter)
            .collect();
        assert_eq!(
            adapters,
            [
                "CertificateAuthentication",
                "AzureMfaAuthentication",
                "FormsAuthentication"
            ]
        );
    }

    #[test]
    fn method_selection_page() {
        let p = page("adfs-2016-mfa-selection.html");
        let Step::Mfa(form) = classify(&p, &Options::default()) else {
            panic!("selection page")
        };
        assert_eq!(form.id.as_deref(), Some("options"));
        let choices = crate::mfa::method_choices(&p);
        let adapters: Vec<&str> = choices.iter().map(|c| c.adapter.as_str()).collect();
        assert_eq!(
            adapters,
            [
                "CertificateAuthentication",
                "AzureMfaAuthentication",
                "SecurIDAuthentication"
            ]
        );
        assert_eq!(choices[2].label, "RSA SecurID");
    }
}
