//! The `--plugin-option` keys this plugin accepts.

use plugin_api::{LoginRequest, OptionSpec, PluginError};

/// The global Entra ID sign-in host, used only to build an SP-initiated
/// URL when no `-e` is given and no `login-host` is set.
pub const DEFAULT_LOGIN_HOST: &str = "login.microsoftonline.com";

/// Parsed plugin options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Tenant id or domain, for SP-initiated sign-in.
    pub tenant: Option<String>,
    /// Identifier (Entity ID) of the AWS enterprise application.
    pub app_id_uri: Option<String>,
    /// Sign-in host (sovereign clouds); a bare host or an `https://` URL.
    pub login_host: String,
    /// Answer "Stay signed in?" with yes (default) so the session lasts.
    pub kmsi: bool,
    /// Keep and reuse the Entra session cookies between runs.
    pub reuse_session: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            tenant: None,
            app_id_uri: None,
            login_host: DEFAULT_LOGIN_HOST.into(),
            kmsi: true,
            reuse_session: true,
        }
    }
}

pub(crate) fn specs() -> Vec<OptionSpec> {
    let spec = |key: &str, help: &str, affects: bool| {
        OptionSpec::new(key, help).affects_credentials(affects)
    };
    vec![
        spec(
            "tenant",
            "tenant id (or domain) for SP-initiated sign-in without -e (with app-id-uri)",
            true,
        ),
        spec(
            "app-id-uri",
            "Identifier (Entity ID) of the AWS app in Entra ID, for SP-initiated sign-in",
            true,
        ),
        spec(
            "login-host",
            "Entra sign-in host: login.microsoftonline.us, login.partner.microsoftonline.cn (default login.microsoftonline.com)",
            true,
        ),
        spec(
            "kmsi",
            "false: answer no to \"Stay signed in?\" (default true)",
            false,
        ),
        spec(
            "reuse-session",
            "false: do not keep the Entra session cookies between runs (default true)",
            false,
        ),
    ]
}

impl Options {
    /// Read the options of a login request.
    pub fn from_request(request: &LoginRequest) -> Result<Options, PluginError> {
        let get = |k: &str| plugin_kit::request::option(request, k);
        let d = Options::default();
        Ok(Options {
            tenant: get("tenant"),
            app_id_uri: get("app-id-uri"),
            login_host: get("login-host").unwrap_or(d.login_host),
            kmsi: plugin_kit::request::flag(request, "kmsi", d.kmsi)?,
            reuse_session: plugin_kit::request::flag(request, "reuse-session", d.reuse_session)?,
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
        assert!(o.kmsi && o.reuse_session);
        assert_eq!(o.login_host, "login.microsoftonline.com");
        r.options.insert("kmsi".into(), "false".into());
        r.options
            .insert("login-host".into(), " login.microsoftonline.us ".into());
        let o = Options::from_request(&r).unwrap();
        assert!(!o.kmsi);
        assert_eq!(o.login_host, "login.microsoftonline.us");
        r.options.insert("kmsi".into(), "maybe".into());
        assert!(Options::from_request(&r)
            .unwrap_err()
            .message
            .contains("kmsi=maybe"));
    }
}
