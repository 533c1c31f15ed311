//! Okta Identity Engine with a real client: the AWS CLI runs our binary from a
//! `credential_process` profile against the sandbox's fake Okta Identity
//! Engine org, with moto as STS. The login prompts (password, the number
//! to tap) must reach the terminal the CLI runs in, never its stdout.
//!
//! Needs `aws` and `moto_server` from `.ci/conformance-deps.sh`; without
//! them the test skips with a printed reason, or fails under CI=true.
// The conformance venv (AWS CLI, moto) is set up for Unix, and the case
// drives a pseudo-terminal.
#![cfg(unix)]

use crate::common;
use crate::conformance_support;

use std::time::Duration;

use common::okta::start_okta_idx;
use common::pty::{assert_not_echoed, PtySession};
use common::*;
use conformance_support::*;
use sandbox::okta_idx::IdxConfig;
use sandbox::saml::Role;

const ACCOUNT: &str = "123456789012";

#[track_caller]
fn assert_assumed(out: &Out, role: &str) {
    assert_assumed_role(out, ACCOUNT, role);
}

#[test]
fn aws_cli_with_okta_identity_engine_push_number_challenge_and_session_reuse() {
    let Some(w) = cli() else { return };
    w.ctx.add_plugin("awsprocesscreds_plugin_okta");
    let mut config = IdxConfig::demo();
    config.poll_refresh_ms = 500;
    // One role: moto reads a single Role attribute value.
    config.roles = vec![Role::new(ACCOUNT, "okta-dev", "okta")];
    let (_server, idx, link) = start_okta_idx(config);
    let plugin_dir = w.ctx.plugin_dir.display().to_string();
    let arn = format!("arn:aws:iam::{ACCOUNT}:role/okta-dev");
    let mut args = login_args("okta", &link, "monty@example.com", &arn).to_vec();
    args.extend(["--plugin-dir", &plugin_dir]);
    w.profile("okta-dev", &args);
    // Same login without the credential cache: only the IdP session helps.
    let mut fresh = args.clone();
    fresh.push("--no-cache");
    w.profile("okta-fresh", &fresh);
    let s = PtySession::spawn_answering(w.get_caller_identity("okta-dev"), "Password", "hunter2");
    s.expect("tap 42", Duration::from_secs(30));
    let (out, screen) = s.finish(Duration::from_secs(60));
    assert_assumed(&out, "okta-dev");
    assert_not_echoed(&screen, "hunter2");
    assert!(!out.stdout.contains("tap 42"));
    assert_eq!(idx.lock().unwrap().pushes_sent, 1);

    // Cached: no Okta traffic at all.
    let before = idx.lock().unwrap().requests.len();
    assert_assumed(&run(w.get_caller_identity("okta-dev")), "okta-dev");
    assert_eq!(idx.lock().unwrap().requests.len(), before);

    // --no-cache, no terminal and no password: the OIE session gives a
    // fresh assertion and a new STS call without any prompt or push.
    assert_assumed(&run(w.get_caller_identity("okta-fresh")), "okta-dev");
    assert_eq!(idx.lock().unwrap().pushes_sent, 1);
    assert!(idx.lock().unwrap().app_hits > 2);
}
