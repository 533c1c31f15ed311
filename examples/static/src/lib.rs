//! `static`: a direct credentials provider that reads a JSON file in the
//! `credential_process` format.
//!
//! This is the template for third-party plugins: copy this crate, change the
//! manifest and `login`, build it as a `cdylib`, and drop the library into a
//! plugin directory (see `docs/plugin-authors.md`).
//!
//! ```ini
//! [profile static]
//! credential_process = awsprocesscreds-saml -p static -e /path/to/creds.json
//! ```

use plugin_api::{
    declare_plugin, Credentials, Host, Inputs, LoginOutcome, LoginRequest, Manifest, Need, Plugin,
    PluginError, PluginKind, Secret,
};

#[derive(Default)]
pub struct StaticProvider;

impl Plugin for StaticProvider {
    fn manifest(&self) -> Manifest {
        // Built with constructors, not struct literals: fields added in
        // later plugin-api releases then need no change here.
        Manifest::new("static", env!("CARGO_PKG_VERSION"), PluginKind::Credentials)
            .description("credentials from a JSON file in credential_process format (-e PATH)")
            .inputs(
                Inputs::new()
                    .endpoint(Need::Required)
                    .username(Need::Unused)
                    .role(Need::Unused),
            )
    }

    fn login(&self, request: &LoginRequest, host: &Host) -> Result<LoginOutcome, PluginError> {
        let path = request
            .endpoint
            .as_deref()
            .ok_or_else(|| PluginError::config("the static provider needs -e PATH"))?;
        host.debug(&format!("reading credentials from {path}"));
        let text = std::fs::read_to_string(path).map_err(|e| {
            PluginError::config(format!("cannot read credentials file {path}: {e}"))
                .with_hint("-e must name a JSON file in credential_process format")
        })?;
        let value: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| PluginError::config(format!("{path} is not valid JSON: {e}")))?;
        let field = |name: &str| -> Option<String> {
            value.get(name).and_then(|v| v.as_str()).map(str::to_owned)
        };
        let access_key_id = field("AccessKeyId")
            .ok_or_else(|| PluginError::config(format!("{path} has no \"AccessKeyId\"")))?;
        let secret = field("SecretAccessKey")
            .ok_or_else(|| PluginError::config(format!("{path} has no \"SecretAccessKey\"")))?;
        host.add_secret(&secret);
        let session_token = field("SessionToken");
        if let Some(t) = &session_token {
            host.add_secret(t);
        }
        Ok(LoginOutcome::credentials(
            Credentials::new(access_key_id, Secret::new(secret))
                .session_token(session_token.map(Secret::new))
                .expiration(field("Expiration")),
        ))
    }
}

declare_plugin!(StaticProvider);
