//! `hit-floor`: what a cache hit costs in a binary that links only what the
//! hit needs. It parses the real command line (the host's own `cli.rs`,
//! included by path), computes the same cache key digest, reads and checks
//! the same cache file, and prints the same JSON, but links no HTTP
//! client, TLS, AWS SDK, keychain or plugin loader. BENCHMARKS.md compares
//! it with `awsprocesscreds-saml` to size the gain of a slim hot-path
//! binary. Not a product: it skips the checks a miss would need.

#[path = "../../../host/core/src/env_vars.rs"]
#[allow(dead_code)]
mod env_vars;

#[path = "../../../host/core/src/cli.rs"]
#[allow(dead_code)]
mod cli;

use std::collections::BTreeMap;
use std::io::Write;

use clap::Parser;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Same fields, order and serialization as `host/src/cache.rs` `Key`.
#[derive(Serialize, Deserialize, PartialEq)]
struct Key {
    provider: String,
    endpoint: Option<String>,
    username: Option<String>,
    role_arn: Option<String>,
    region: Option<String>,
    duration_seconds: Option<u64>,
    sts_endpoint: Option<String>,
    plugin_options: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Creds {
    #[serde(rename = "AccessKeyId")]
    access_key_id: String,
    #[serde(rename = "SecretAccessKey")]
    secret_access_key: String,
    #[serde(rename = "SessionToken")]
    session_token: Option<String>,
    #[serde(rename = "Expiration")]
    expiration: Option<String>,
}

#[derive(Deserialize)]
struct Entry {
    key: Key,
    credentials: Creds,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn main() {
    let cli = cli::SamlCli::parse();
    let key = Key {
        provider: cli.login.provider.clone().unwrap_or_default(),
        endpoint: cli.login.endpoint.clone(),
        username: cli.login.username.clone(),
        role_arn: cli.login.role_arn.clone(),
        region: cli
            .creds
            .region
            .clone()
            .or_else(|| env("AWS_REGION"))
            .or_else(|| env("AWS_DEFAULT_REGION")),
        duration_seconds: cli.creds.duration_seconds,
        sts_endpoint: cli
            .creds
            .sts_endpoint
            .clone()
            .or_else(|| env("AWS_ENDPOINT_URL_STS"))
            .or_else(|| env("AWS_ENDPOINT_URL")),
        plugin_options: BTreeMap::new(),
    };
    let digest: String = Sha256::digest(serde_json::to_vec(&key).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let dir = env("AWSPROCESSCREDS_CACHE_DIR").expect("AWSPROCESSCREDS_CACHE_DIR");
    let text = std::fs::read_to_string(format!("{dir}/{digest}.json")).expect("cache miss");
    let e: Entry = serde_json::from_str(&text).expect("cache entry");
    assert!(e.key == key, "cache entry for other settings");
    let exp = e.credentials.expiration.as_deref().expect("expiration");
    let exp = time::OffsetDateTime::parse(exp, &time::format_description::well_known::Rfc3339)
        .expect("expiration");
    assert!(
        exp - time::OffsetDateTime::now_utc() > time::Duration::minutes(15),
        "stale"
    );
    let doc = serde_json::json!({
        "Version": 1,
        "AccessKeyId": e.credentials.access_key_id,
        "SecretAccessKey": e.credentials.secret_access_key,
        "SessionToken": e.credentials.session_token,
        "Expiration": e.credentials.expiration,
    });
    let _ = writeln!(std::io::stdout().lock(), "{doc}");
}
