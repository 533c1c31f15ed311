//! Test fixture: a plugin that misbehaves on request (`-e MODE`):
//! `panic` panics inside login, `garbage` returns an outcome the host
//! cannot read, `bad-creds` returns empty credentials, `expired` returns
//! expired ones, `browser` says the login needs a browser.

use plugin_api::*;

#[derive(Default)]
pub struct Misbehave;

impl Plugin for Misbehave {
    fn manifest(&self) -> Manifest {
        Manifest::new("fixture-misbehave", "0.0.1", PluginKind::Credentials)
            .protocols(vec![PROTOCOL_VERSION])
            .description("test fixture")
    }

    fn login(&self, req: &LoginRequest, _host: &Host) -> Result<LoginOutcome, PluginError> {
        let creds = |key: &str, exp: &str| {
            let secret = if key.is_empty() {
                String::new()
            } else {
                "s3cr3tv4lue".into()
            };
            LoginOutcome::credentials(
                Credentials::new(key, Secret::new(secret)).expiration(Some(exp.into())),
            )
        };
        match req.endpoint.as_deref() {
            Some("panic") => panic!("deliberate fixture panic"),
            Some("bad-creds") => Ok(creds("", "2099-01-01T00:00:00Z")),
            Some("expired") => Ok(creds("AKIDEXPIRED", "2001-01-01T00:00:00Z")),
            Some("bad-expiry") => Ok(creds("AKIDBADEXP", "tomorrow")),
            Some("browser") => Err(PluginError::browser_required(
                "the IdP asks for a security key, which needs a web browser",
            )
            .with_hint("choose another factor with --mfa-factor, or sign in once in a browser")),
            _ => Err(PluginError::config("unknown fixture mode")),
        }
    }
}

declare_plugin!(Misbehave);
