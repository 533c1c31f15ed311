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

use std::sync::mpsc;
use std::time::Duration;

use keyring::Entry;
use plugin_api::{
    declare_plugin, Credentials, Host, Inputs, LoginOutcome, LoginRequest, Manifest, Need,
    OptionSpec, Plugin, PluginError, PluginKind, Secret, PROTOCOL_VERSION,
};

/// The keychain service under which the credentials are stored.
pub const SERVICE: &str = "awsprocesscreds-credentials";

/// How long one keychain lookup may take, unless `--plugin-option timeout=SECS`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Default)]
pub struct KeychainProvider;

impl Plugin for KeychainProvider {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: "keychain".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            protocols: vec![PROTOCOL_VERSION],
            kind: PluginKind::Credentials,
            description: format!(
                "AWS credentials kept in the OS keychain (service {SERVICE}, -e NAME)"
            ),
            inputs: Inputs {
                endpoint: Need::Required,
                username: Need::Unused,
                role: Need::Unused,
            },
            options: vec![OptionSpec {
                key: "timeout".into(),
                help: "seconds to wait for the keychain before giving up (default 5)".into(),
                affects_credentials: false,
            }],
        }
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

        let mut reasons = Vec::new();
        for store in stores() {
            host.debug(&format!("looking for {name} in the {}", store.name()));
            match lookup(store, name, timeout) {
                Lookup::Found(json) => return parse(name, store, &json, host),
                Lookup::Missing => reasons.push(format!("the {} has no item {name}", store.name())),
                Lookup::Failed(why) => {
                    host.warn(&format!("skipping the {}: {why}", store.name()));
                    reasons.push(format!("the {} failed: {why}", store.name()));
                }
            }
        }
        if reasons.is_empty() {
            return Err(PluginError::not_supported(
                "this platform has no OS keychain the keychain provider can read",
            ));
        }
        Err(PluginError::config(format!(
            "no AWS credentials named {name} in the OS keychain ({})",
            reasons.join("; ")
        ))
        .with_hint(store_hint(name)))
    }
}

declare_plugin!(KeychainProvider);

/// One place to look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Store {
    /// The platform's default store (macOS Keychain, Windows Credential
    /// Manager, the Secret Service on other Unix systems).
    Native,
    /// The Linux kernel keyring.
    #[cfg(target_os = "linux")]
    Kernel,
}

impl Store {
    fn name(self) -> &'static str {
        match self {
            #[cfg(target_os = "macos")]
            Store::Native => "macOS Keychain",
            #[cfg(target_os = "windows")]
            Store::Native => "Windows Credential Manager",
            #[cfg(not(any(target_os = "macos", target_os = "windows")))]
            Store::Native => "Secret Service",
            #[cfg(target_os = "linux")]
            Store::Kernel => "kernel keyring",
        }
    }
}

/// The stores to try, in order.
fn stores() -> Vec<Store> {
    let mut stores = Vec::new();
    // Why the check: without a session bus, connecting would only fail (or,
    // with some D-Bus setups, try to start one).
    let unix_without_bus = cfg!(all(unix, not(target_os = "macos")))
        && std::env::var("DBUS_SESSION_BUS_ADDRESS").map_or(true, |a| a.trim().is_empty())
        && !std::env::var_os("XDG_RUNTIME_DIR")
            .is_some_and(|d| std::path::Path::new(&d).join("bus").exists());
    if !unix_without_bus {
        stores.push(Store::Native);
    }
    #[cfg(target_os = "linux")]
    stores.push(Store::Kernel);
    stores
}

enum Lookup {
    Found(Secret<String>),
    Missing,
    Failed(String),
}

/// Read one item on a worker thread, giving up after `timeout`.
fn lookup(store: Store, name: &str, timeout: Duration) -> Lookup {
    let (tx, rx) = mpsc::channel();
    let name = name.to_string();
    // If the keychain never answers, the thread is left behind; the process
    // ends soon after this login anyway.
    let spawned = std::thread::Builder::new()
        .name("keychain-lookup".into())
        .spawn(move || {
            let _ = tx.send(read(store, &name));
        });
    if let Err(e) = spawned {
        return Lookup::Failed(format!("cannot start a thread: {e}"));
    }
    match rx.recv_timeout(timeout) {
        Ok(Ok(value)) => Lookup::Found(Secret::new(value)),
        Ok(Err(keyring::Error::NoEntry)) => Lookup::Missing,
        Ok(Err(keyring::Error::BadEncoding(_))) => {
            // Never echo the bytes: they are the secret.
            Lookup::Failed("the item is not UTF-8 text".into())
        }
        Ok(Err(keyring::Error::Ambiguous(items))) => {
            Lookup::Failed(format!("{} items match; delete all but one", items.len()))
        }
        Ok(Err(e)) => Lookup::Failed(
            e.to_string()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Err(_) => Lookup::Failed(format!(
            "no answer within {}s (is it locked, or is its daemon running?)",
            timeout.as_secs()
        )),
    }
}

fn read(store: Store, name: &str) -> keyring::Result<String> {
    let entry = match store {
        Store::Native => Entry::new(SERVICE, name)?,
        #[cfg(target_os = "linux")]
        Store::Kernel => Entry::new_with_credential(Box::new(
            keyring::keyutils::KeyutilsCredential::new_with_target(None, SERVICE, name)?,
        )),
    };
    entry.get_password()
}

/// Turn the item's JSON into credentials, registering the secret parts for
/// redaction.
fn parse(
    name: &str,
    store: Store,
    json: &Secret<String>,
    host: &Host,
) -> Result<LoginOutcome, PluginError> {
    let bad = |what: &str| {
        PluginError::config(format!("the {} item {name} {what}", store.name())).with_hint(
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
    Ok(LoginOutcome::Credentials {
        credentials: Credentials {
            access_key_id,
            secret_access_key: Secret::new(secret_access_key),
            session_token: session_token.map(Secret::new),
            expiration: field("Expiration"),
        },
    })
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
