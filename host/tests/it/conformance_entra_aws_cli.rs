//! Entra ID with a real client: the AWS CLI runs our binary from a
//! `credential_process` profile with `-p entra` against the sandbox's fake
//! Entra ID (HTTPS, private CA) and calls `sts get-caller-identity`
//! against moto's STS. Inside a pseudo-terminal, as when a user types
//! `aws ...`: botocore captures our stdout and stderr, so the password
//! prompt and the Authenticator number must reach the terminal.
//!
//! Needs `aws` and `moto_server` from `.ci/conformance-deps.sh` (see
//! docs/testing.md); without them the test skips with a printed reason, or
//! fails under CI=true.
// The conformance venv (AWS CLI, moto) is set up for Unix, and the case
// drives a pseudo-terminal.
#![cfg(unix)]

use crate::common;
use crate::conformance_support;

use std::time::Duration;

use common::pty::{assert_not_echoed, PtySession};
use common::*;
use conformance_support::*;
use sandbox::entra::{self, EntraConfig, Mfa, PushOutcome};
use sandbox::pki::TestPki;

const ROLE: &str = "arn:aws:iam::123456789012:role/Entra-Dev";

#[test]
fn aws_cli_with_entra_push_number_in_a_terminal() {
    let Some(moto) = shared_moto() else { return };
    let Some(aws) = tool("aws") else { return };
    let ctx = Ctx::new();
    ctx.add_plugin("awsprocesscreds_plugin_entra");
    let pki = TestPki::localhost();
    let ca = pki.write_ca(ctx.tmp.path()).unwrap();
    let (server, state) = entra::start(
        EntraConfig {
            mfa: Some(Mfa::Push {
                polls: 2,
                entropy: 58,
                outcome: PushOutcome::Approve,
            }),
            ..Default::default()
        },
        &pki,
    );
    let config = ctx.tmp.path().join("aws-config");
    // The My Apps link has `&`: quote it as users do in ~/.aws/config
    // (botocore splits the command line with shlex).
    std::fs::write(
        &config,
        format!(
            "[profile entra]\nregion = us-east-1\ncredential_process = {} -p entra -e '{}' -u monty@contoso.example -a {ROLE} --ca-bundle {} --plugin-dir {}\n",
            bin_dir().join("awsprocesscreds-saml").display(),
            entra::myapps_url(&server, &state),
            ca.display(),
            ctx.plugin_dir.display()
        ),
    )
    .unwrap();
    let caller_identity = || aws_get_caller_identity(&aws, &ctx, &config, moto, "entra");
    let s = PtySession::spawn_answering(caller_identity(), "password", "hunter2");
    s.expect("58", Duration::from_secs(60));
    let (out, screen) = s.finish(Duration::from_secs(60));
    assert_eq!(out.code, 0, "aws failed:\n{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("aws printed no JSON ({e}): {}", out.stdout));
    assert!(
        v["Arn"]
            .as_str()
            .unwrap_or_default()
            .starts_with("arn:aws:sts::123456789012:assumed-role/Entra-Dev/"),
        "{v}"
    );
    assert_not_echoed(&screen, "hunter2");
    assert_eq!(state.lock().unwrap().begin_auth_calls, 1);
    // Second call: our cache answers, no Entra traffic.
    let requests = state.lock().unwrap().requests;
    let again = run(caller_identity());
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(state.lock().unwrap().requests, requests);
}
