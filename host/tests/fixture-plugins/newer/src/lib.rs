//! Test fixture: a library plugin that talks to the host in a NEWER message
//! shape than the host knows (through `Host::call_json`): extra keys, an
//! unknown log level, a newer message version, an unknown service. It
//! returns credentials whose SessionToken summarises the host's answers.

use plugin_api::*;
use serde_json::{json, Value};

#[derive(Default)]
pub struct Newer;

fn kind(r: Result<Value, PluginError>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(e) => serde_json::to_value(e.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
    }
}

impl Plugin for Newer {
    fn manifest(&self) -> Manifest {
        Manifest::new("fixture-newer", "0.0.1", PluginKind::Credentials)
            .description("test fixture: newer message shapes")
    }

    fn login(&self, _req: &LoginRequest, host: &Host) -> Result<LoginOutcome, PluginError> {
        let caps = host.capabilities();
        let summary = json!({
            "protocols": caps.protocols,
            "has_http": caps.version("http").is_some(),
            "log": kind(host.call_json(&json!({
                "service": "log", "level": "shout", "message": "fixture-newer log line",
                "colour": "red", "version": 1
            }))),
            "put": kind(host.call_json(&json!({
                "service": "session_put", "name": "n", "value": "v",
                "expires_unix": 4102444800i64, "encrypt": true
            }))),
            "unknown_service": kind(host.call_json(&json!({"service": "teleport", "to": "mars"}))),
            "newer_version": kind(host.call_json(&json!({
                "service": "notify", "message": "m", "version": 7
            }))),
        });
        Ok(LoginOutcome::credentials(
            Credentials::new("ASIAFIXTURENEWER", Secret::new("newer-secret".into()))
                .session_token(Some(Secret::new(summary.to_string())))
                .expiration(Some("2099-01-01T00:00:00Z".into())),
        ))
    }
}

declare_plugin!(Newer);
