//! A real client: the Rust SDK's profile `credential_process`
//! provider (aws-config) runs our binary from a config file, and
//! aws-sdk-sts calls GetCallerIdentity with the credentials it got. STS is
//! the sandbox's fake, which checks the role pair on AssumeRoleWithSAML and
//! answers GetCallerIdentity for the keys it issued, so no venv is needed.

use crate::common;

use std::path::Path;

#[allow(deprecated)]
use aws_config::profile::profile_file::{ProfileFileKind, ProfileFiles};
use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::{BehaviorVersion, Region};
use common::okta::start_okta;
use common::*;

/// A config file whose profile `p` runs our binary (absolute path) with
/// `args`; aws-config runs it through `sh -c`, so `env` sets its variables.
fn write_config(
    ctx: &Ctx,
    env: &[(&str, String)],
    args: &[&str],
) -> (std::path::PathBuf, std::path::PathBuf) {
    let exe = bin_dir().join("awsprocesscreds-saml");
    let mut line = String::from("env");
    for (k, v) in env {
        line.push_str(&format!(" {k}='{v}'"));
    }
    line.push_str(&format!(" '{}'", exe.display()));
    for a in args {
        line.push_str(&format!(" '{a}'"));
    }
    let config = ctx.tmp.path().join("sdk-config");
    std::fs::write(
        &config,
        format!("[profile p]\nregion = us-east-1\ncredential_process = {line}\n"),
    )
    .unwrap();
    let creds = ctx.tmp.path().join("sdk-credentials");
    std::fs::write(&creds, "").unwrap();
    (config, creds)
}

/// Resolve credentials through the profile provider, then call
/// GetCallerIdentity on `sts` with them. Returns the ARN, or the error
/// text the SDK reports.
fn caller_arn(config: &Path, creds: &Path, sts: &str) -> Result<String, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        #[allow(deprecated)]
        let files = ProfileFiles::builder()
            .with_file(ProfileFileKind::Config, config)
            .with_file(ProfileFileKind::Credentials, creds)
            .build();
        let provider = ProfileFileCredentialsProvider::builder()
            .profile_files(files)
            .profile_name("p")
            .build();
        let sdk = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(provider)
            .endpoint_url(sts)
            .load()
            .await;
        let client = aws_sdk_sts::Client::new(&sdk);
        match client.get_caller_identity().send().await {
            Ok(out) => Ok(out.arn.unwrap_or_default()),
            Err(e) => {
                let mut text = e.to_string();
                let mut src = std::error::Error::source(&e);
                while let Some(s) = src {
                    text.push_str(&format!(": {s}"));
                    src = s.source();
                }
                Err(text)
            }
        }
    })
}

fn base_env(ctx: &Ctx) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL_STS", ctx.sts.base_url()),
        ("AWS_REGION", "us-east-1".into()),
        (
            "AWSPROCESSCREDS_CACHE_DIR",
            ctx.cache_dir().display().to_string(),
        ),
    ]
}

#[test]
fn rust_sdk_profile_runs_us_and_sts_accepts_the_credentials() {
    let ctx = Ctx::new();
    let (config, creds) = write_config(
        &ctx,
        &base_env(&ctx),
        &strs(&ctx.fixture_args(&["-a", "arn:aws:iam::123456789012:role/dev"])),
    );
    let arn = caller_arn(&config, &creds, &ctx.sts.base_url()).expect("GetCallerIdentity");
    assert!(
        arn.starts_with("arn:aws:sts::123456789012:assumed-role/dev/"),
        "{arn}"
    );
    assert_eq!(ctx.sts_calls(), 1);
}

#[test]
fn rust_sdk_with_the_okta_plugin_and_push_mfa() {
    let ctx = Ctx::new();
    let (_server, okta, link) = start_okta(sandbox::okta::OktaConfig::demo());
    let mut env = base_env(&ctx);
    env.push(("AWSPROCESSCREDS_PASSWORD", "hunter2".into()));
    let (config, creds) = write_config(
        &ctx,
        &env,
        &login_args(
            "okta",
            &link,
            "monty@example.com",
            "arn:aws:iam::123456789012:role/okta-dev",
        ),
    );
    let arn = caller_arn(&config, &creds, &ctx.sts.base_url()).expect("GetCallerIdentity");
    assert!(arn.contains(":assumed-role/okta-dev/"), "{arn}");
    assert_eq!(okta.lock().unwrap().pushes_sent, 1);
}

#[test]
fn rust_sdk_with_the_adfs_and_forms_plugins() {
    let ctx = Ctx::new();
    let (adfs_server, _adfs) = sandbox::adfs::start(sandbox::adfs::AdfsConfig::default());
    let (forms_server, forms) = sandbox::forms::start(sandbox::forms::FormsConfig::default());
    let adfs_entry = sandbox::adfs::entry_url(&adfs_server);
    let forms_entry = sandbox::forms::entry_url(&forms_server, &forms);
    let mut env = base_env(&ctx);
    env.push(("AWSPROCESSCREDS_PASSWORD", "hunter2".into()));
    for (provider, entry) in [("adfs", &adfs_entry), ("forms", &forms_entry)] {
        let (config, creds) = write_config(
            &ctx,
            &env,
            &login_args(
                provider,
                entry,
                "Monty",
                "arn:aws:iam::123456789012:role/ADFS-Dev",
            ),
        );
        let arn = caller_arn(&config, &creds, &ctx.sts.base_url())
            .unwrap_or_else(|e| panic!("{provider}: {e}"));
        assert!(arn.contains(":assumed-role/ADFS-Dev/"), "{provider}: {arn}");
    }
    assert_eq!(ctx.sts_calls(), 2);
}

#[test]
fn rust_sdk_reports_our_error_when_the_login_fails() {
    let ctx = Ctx::new();
    *ctx.idp_state.status.lock().unwrap() = Some(500);
    let (config, creds) = write_config(&ctx, &base_env(&ctx), &strs(&ctx.fixture_args(&[])));
    let err = caller_arn(&config, &creds, &ctx.sts.base_url()).expect_err("the login must fail");
    assert!(
        err.contains("awsprocesscreds-saml: error: the fixture IdP answered HTTP 500"),
        "the SDK's error should carry our message: {err}"
    );
    assert_eq!(ctx.sts_calls(), 0);
}
