//! The `--plugin-option` keys this plugin accepts.

use plugin_api::{LoginRequest, OptionSpec, PluginError};

/// Parsed plugin options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Name of the username input, when the page uses an unusual one.
    pub username_field: Option<String>,
    /// Name of the password input.
    pub password_field: Option<String>,
    /// Name of the one-time-code input of an MFA adapter.
    pub code_field: Option<String>,
    /// Tick "Keep me signed in" (ADFS then issues a persistent SSO cookie).
    pub kmsi: bool,
    /// Keep and reuse the ADFS SSO cookies between runs (default on).
    pub reuse_session: bool,
    /// The claims provider to pick on a home realm discovery page
    /// (identifier or name; default AD FS's own Active Directory).
    pub home_realm: Option<String>,
}

pub(crate) fn specs() -> Vec<OptionSpec> {
    let spec = |key: &str, help: &str| OptionSpec::new(key, help).affects_credentials(false);
    vec![
        spec(
            "username-field",
            "name of the username input (default: detected, e.g. UserName)",
        ),
        spec(
            "password-field",
            "name of the password input (default: detected, e.g. Password)",
        ),
        spec(
            "code-field",
            "name of the MFA code input (default: detected, e.g. VerificationCode)",
        ),
        spec("kmsi", "true: tick \"Keep me signed in\" (default false)"),
        spec(
            "reuse-session",
            "false: do not keep the ADFS session cookies between runs (default true)",
        ),
        spec(
            "home-realm",
            "the claims provider to pick when AD FS asks which organization signs you in: its identifier or name (default: AD AUTHORITY, AD FS's own directory)",
        ),
    ]
}

impl Options {
    /// Read the options of a login request (unknown keys are the host's
    /// concern: it rejects keys the manifest does not declare).
    pub fn from_request(request: &LoginRequest) -> Result<Options, PluginError> {
        let get = |k: &str| plugin_kit::request::option(request, k);
        Ok(Options {
            username_field: get("username-field"),
            password_field: get("password-field"),
            code_field: get("code-field"),
            kmsi: plugin_kit::request::flag(request, "kmsi", false)?,
            reuse_session: plugin_kit::request::flag(request, "reuse-session", true)?,
            home_realm: get("home-realm"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_flags() {
        let mut r = LoginRequest::default();
        let o = Options::from_request(&r).unwrap();
        assert!(o.reuse_session && !o.kmsi && o.username_field.is_none());
        r.options.insert("kmsi".into(), "yes".into());
        r.options.insert("reuse-session".into(), "off".into());
        r.options.insert("username-field".into(), " Login ".into());
        let o = Options::from_request(&r).unwrap();
        assert!(!o.reuse_session && o.kmsi);
        assert_eq!(o.username_field.as_deref(), Some("Login"));
        r.options.insert("kmsi".into(), "maybe".into());
        let e = Options::from_request(&r).unwrap_err();
        assert!(e.message.contains("kmsi=maybe"), "{}", e.message);
    }
}
