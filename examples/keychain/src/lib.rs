//! `keychain`: a direct credentials provider that returns AWS credentials
//! kept in the OS keychain under a name.
//!
//! ```ini
//! [profile my-creds]
//! credential_process = awsprocesscreds-saml -p keychain -e my-creds
//! ```
//!
//! The item lives under the keychain service [`SERVICE`]
//! (`awsprocesscreds-credentials`) with the account (user name) given by
//! `-e`, and holds JSON in the `credential_process` shape:
//! `{"AccessKeyId": "...", "SecretAccessKey": "...", "SessionToken": "...",
//! "Expiration": "..."}` (the last two optional). See README.md for storing
//! it with each platform's own tools.
//!
//! Where it looks: the macOS Keychain, the Windows Credential Manager, and on
//! Linux the Secret Service (when a D-Bus session bus is advertised) and then
//! the kernel keyring. Every lookup runs on a worker thread and is abandoned
//! after a timeout, so a missing or wedged keychain daemon (or an unlock
//! dialog nobody can answer) gives an error, not a hang.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use awsprocesscreds_keychain::{Keychain, KeychainError};
use plugin_api::{
    declare_plugin, Credentials, Host, Inputs, LoginOutcome, LoginRequest, Manifest, Need,
    OptionSpec, Plugin, PluginError, PluginKind, Secret,
};

/// The keychain service under which the credentials are stored.
pub const SERVICE: &str = "awsprocesscreds-credentials";

/// How long one keychain lookup may take, unless `--plugin-option timeout=SECS`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Default)]
pub struct KeychainProvider;

impl Plugin for KeychainProvider {
    fn manifest(&self) -> Manifest {
        Manifest::new(
            "keychain",
            env!("CARGO_PKG_VERSION"),
            PluginKind::Credentials,
        )
        .description(format!(
            "AWS credentials kept in the OS keychain (service {SERVICE}, -e NAME)"
        ))
        .inputs(
            Inputs::new()
                .endpoint(Need::Required)
                .username(Need::Unused)
                .role(Need::Unused),
        )
        .option(
            OptionSpec::new(
                "timeout",
                "seconds to wait for the keychain before giving up (default 5)",
            )
            .affects_credentials(false),
        )
    }

    fn login(&self, request: &LoginRequest, host: &Host) -> Result<LoginOutcome, PluginError> {
        let name = request
            .endpoint
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .ok_or_else(|| {
                PluginError::config("the keychain provider needs -e NAME (the keychain item name)")
            })?;
        let timeout = match request.options.get("timeout") {
            None => DEFAULT_TIMEOUT,
            Some(s) => s
                .parse::<u64>()
                .ok()
                .filter(|&n| n > 0)
                .map(Duration::from_secs)
                .ok_or_else(|| {
                    PluginError::config(format!("timeout={s} is not a number of seconds"))
                })?,
        };

        // The same keychain code the host uses for IdP passwords: every call
        // bounded by `timeout`, backends tried in order, broken ones skipped.
        let warnings = Arc::new(Mutex::new(Vec::<String>::new()));
        let sink = warnings.clone();
        let keychain = Keychain::new(SERVICE, timeout).on_warning(move |w| {
            if let Ok(mut v) = sink.lock() {
                v.push(w.to_string());
            }
        });
        host.debug(&format!(
            "looking for {name} in the OS keychain (first backend: {})",
            keychain.backend()
        ));
        let found = keychain.get(name);
        let skipped: Vec<String> = warnings.lock().map(|v| v.clone()).unwrap_or_default();
        for w in &skipped {
            host.debug(&format!("skipping a keychain: {w}"));
        }
        let why = if skipped.is_empty() {
            String::new()
        } else {
            format!("; {}", skipped.join("; "))
        };
        match found {
            Ok(Some(json)) => parse(name, &json, host),
            Ok(None) => Err(PluginError::config(format!(
                "no AWS credentials named {name} in the OS keychain{why}"
            ))
            .with_hint(store_hint(name))),
            Err(KeychainError::Unavailable { .. }) if keychain.backend() == "none" => {
                Err(PluginError::not_supported(
                    "this platform has no OS keychain the keychain provider can read",
                ))
            }
            Err(e) => Err(PluginError::config(format!(
                "no AWS credentials named {name} could be read from the OS keychain: {e}{why}"
            ))
            .with_hint(store_hint(name))),
        }
    }
}

declare_plugin!(KeychainProvider);

/// Turn the item's JSON into credentials, registering the secret parts for
/// redaction.
fn parse(name: &str, json: &Secret<String>, host: &Host) -> Result<LoginOutcome, PluginError> {
    let bad = |what: &str| {
        PluginError::config(format!("the keychain item {name} {what}")).with_hint(
            "store JSON like {\"AccessKeyId\": \"AKIA...\", \"SecretAccessKey\": \"...\"} \
             (see the keychain example's README)",
        )
    };
    // The serde error could quote the secret, so only its position is kept.
    let value: serde_json::Value = serde_json::from_str(json.expose()).map_err(|e| {
        bad(&format!(
            "is not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    let field = |key: &str| {
        value
            .get(key)
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let access_key_id = field("AccessKeyId").ok_or_else(|| bad("has no \"AccessKeyId\""))?;
    let secret_access_key =
        field("SecretAccessKey").ok_or_else(|| bad("has no \"SecretAccessKey\""))?;
    host.add_secret(&secret_access_key);
    let session_token = field("SessionToken");
    if let Some(token) = &session_token {
        host.add_secret(token);
    }
    Ok(LoginOutcome::credentials(
        Credentials::new(access_key_id, Secret::new(secret_access_key))
            .session_token(session_token.map(Secret::new))
            .expiration(field("Expiration")),
    ))
}

/// How to store the item on this platform.
fn store_hint(name: &str) -> String {
    if cfg!(target_os = "macos") {
        format!("store it with: security add-generic-password -U -s {SERVICE} -a {name} -w \"$(cat creds.json)\"")
    } else if cfg!(target_os = "windows") {
        format!("store it with: cmdkey /generic:{name}.{SERVICE} /user:{name} /pass:<json> (see the keychain example's README)")
    } else {
        format!(
            "store it with: secret-tool store --label='AWS {name}' service {SERVICE} username {name} < creds.json \
             (or, for the kernel keyring: keyctl padd user keyring-rs:{name}@{SERVICE} @s < creds.json)"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_needs_only_the_item_name() {
        let m = KeychainProvider.manifest();
        assert_eq!(m.name, "keychain");
        assert_eq!(m.kind, PluginKind::Credentials);
        assert_eq!(m.inputs.endpoint, Need::Required);
        assert_eq!(m.inputs.username, Need::Unused);
    }

    #[test]
    fn hint_names_the_service_and_item() {
        let hint = store_hint("my-creds");
        assert!(
            hint.contains(SERVICE) && hint.contains("my-creds"),
            "{hint}"
        );
    }
}
