//! The `--plugin-option` keys this plugin accepts.

use plugin_api::{LoginRequest, OptionSpec, PluginError};

/// Default bound on the number of pages one login may take (PingFederate
/// with PingID takes about eight: login, hand-off, WebAuthn check, device
/// picker, push, response, resume, SAML).
pub const DEFAULT_MAX_STEPS: usize = 16;
/// Upper bound on `max-steps` (a typo should not make a loop run forever).
const MAX_MAX_STEPS: usize = 50;

/// Parsed plugin options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Name of the username input.
    pub username_field: Option<String>,
    /// Name of the password input.
    pub password_field: Option<String>,
    /// The login form: a CSS selector, or a form's id or name.
    pub form: Option<String>,
    /// Most pages to go through before giving up.
    pub max_steps: usize,
    /// Accept an attribute-release (consent) page without asking.
    pub accept_consent: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            username_field: None,
            password_field: None,
            form: None,
            max_steps: DEFAULT_MAX_STEPS,
            accept_consent: false,
        }
    }
}

pub(crate) fn specs() -> Vec<OptionSpec> {
    let spec = |key: &str, help: &str| OptionSpec::new(key, help).affects_credentials(false);
    vec![
        spec("username-field", "name of the username input (default: detected)"),
        spec("password-field", "name of the password input (default: the first password input)"),
        spec("form", "the login form: CSS selector (e.g. #kc-form-login) or form id/name (default: the form with a password input)"),
        spec("max-steps", "most pages to go through before giving up (default 16)"),
        spec("accept-consent", "true: accept the IdP's attribute-release (consent) page for AWS without asking (default: ask on the terminal)"),
    ]
}

impl Options {
    /// Read the options of a login request.
    pub fn from_request(request: &LoginRequest) -> Result<Options, PluginError> {
        let get = |k: &str| plugin_kit::request::option(request, k);
        let max_steps = match get("max-steps") {
            None => DEFAULT_MAX_STEPS,
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=MAX_MAX_STEPS).contains(n))
                .ok_or_else(|| {
                    PluginError::config(format!(
                        "--plugin-option max-steps={v}: expected a number from 1 to {MAX_MAX_STEPS}"
                    ))
                })?,
        };
        Ok(Options {
            username_field: get("username-field"),
            password_field: get("password-field"),
            form: get("form"),
            max_steps,
            accept_consent: plugin_kit::request::flag(request, "accept-consent", false)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_options() {
        let mut r = LoginRequest::default();
        assert_eq!(Options::from_request(&r).unwrap(), Options::default());
        r.options.insert("form".into(), "#kc-form-login".into());
        r.options.insert("max-steps".into(), "4".into());
        let o = Options::from_request(&r).unwrap();
        assert_eq!(o.form.as_deref(), Some("#kc-form-login"));
        assert_eq!(o.max_steps, 4);
        r.options.insert("max-steps".into(), "0".into());
        assert!(Options::from_request(&r)
            .unwrap_err()
            .message
            .contains("max-steps=0"));
    }
}
