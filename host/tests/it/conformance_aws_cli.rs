//! A real client: the AWS CLI (v1, botocore) runs our binary from a
//! `credential_process` profile and calls `sts get-caller-identity` against
//! moto's STS, with the fixture plugin and the okta, adfs and forms plugins
//! against the sandbox IdPs. Logins that prompt run inside a
//! pseudo-terminal, as when a user types `aws ...` in a shell: botocore
//! captures our stdout and stderr, so the prompt must reach the terminal.
//!
//! Needs `aws` and `moto_server` from `.ci/conformance-deps.sh` (see
//! docs/testing.md); without them the tests skip with a printed reason, or
//! fail under CI=true.
// The conformance venv (AWS CLI, moto) is set up by .ci/conformance-deps.sh
// for Unix, and the terminal cases drive a pseudo-terminal.
#![cfg(unix)]

use crate::common;
use crate::conformance_support;

use std::time::Duration;

use common::okta::start_okta;
use common::pty::{assert_not_echoed, PtySession};
use common::*;
use conformance_support::*;

const ACCOUNT: &str = "123456789012";

#[track_caller]
fn assert_assumed(out: &Out, role: &str) {
    assert_assumed_role(out, ACCOUNT, role);
}

fn role_arn(role: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:role/{role}")
}

#[test]
fn aws_cli_uses_fixture_credentials_and_our_cache_serves_the_second_call() {
    let Some(w) = cli() else { return };
    let role = role_arn("dev");
    w.profile("fixture", &strs(&w.ctx.fixture_args(&["-a", &role])));
    assert_assumed(&run(w.get_caller_identity("fixture")), "dev");
    assert_eq!(w.ctx.idp_hits(), 1);
    // botocore keeps nothing between commands: our cache must answer.
    assert_assumed(&run(w.get_caller_identity("fixture")), "dev");
    assert_eq!(
        w.ctx.idp_hits(),
        1,
        "the second aws call must be a cache hit"
    );
}

/// Profile `fixture`: the fixture plugin, asking for a password.
fn fixture_profile_asking_password(w: &Cli) {
    w.profile(
        "fixture",
        &strs(&w.ctx.fixture_args(&["--plugin-option", "password=yes"])),
    );
}

#[test]
fn aws_cli_in_a_terminal_shows_our_password_prompt() {
    let Some(w) = cli() else { return };
    w.ctx.set_password("typed-at-the-prompt");
    fixture_profile_asking_password(&w);
    let (out, screen) = PtySession::spawn_answering(
        w.get_caller_identity("fixture"),
        "Password: ",
        "typed-at-the-prompt",
    )
    .finish(Duration::from_secs(30));
    assert_assumed(&out, "dev");
    assert_not_echoed(&screen, "typed-at-the-prompt");
}

#[test]
fn aws_cli_shows_our_one_line_error_when_the_login_fails() {
    let Some(w) = cli() else { return };
    w.ctx.set_password("right-password");
    fixture_profile_asking_password(&w);
    let mut cmd = w.get_caller_identity("fixture");
    cmd.env("AWSPROCESSCREDS_PASSWORD", "wrong-password-9");
    let out = run(cmd);
    assert_eq!(out.code, 255, "aws exit status; stderr:\n{}", out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(
        out.stderr.contains(
            "Error when retrieving credentials from custom-process: awsprocesscreds-saml: error: the fixture IdP said: wrong password"
        ),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("Traceback"), "{}", out.stderr);
    assert!(
        !out.stderr.contains("wrong-password-9"),
        "password in the CLI's output"
    );
}

// --- First-party IdP plugins against the sandbox fakes, through a terminal.

/// Run `aws` in a pty for `profile`, answer the password prompt, return
/// the result.
fn login_in_terminal(w: &Cli, profile: &str, password: &str) -> (Out, String) {
    PtySession::spawn_answering(w.get_caller_identity(profile), "Password", password)
        .finish(Duration::from_secs(60))
}

#[test]
fn aws_cli_with_okta_push_mfa_in_a_terminal() {
    let Some(w) = cli() else { return };
    let (_server, okta, link) = start_okta(sandbox::okta::OktaConfig::demo());
    let role = role_arn("okta-dev");
    w.profile(
        "okta",
        &login_args("okta", &link, "monty@example.com", &role),
    );
    let (out, screen) = login_in_terminal(&w, "okta", "hunter2");
    assert_assumed(&out, "okta-dev");
    assert_not_echoed(&screen, "hunter2");
    assert_eq!(okta.lock().unwrap().pushes_sent, 1);
    // Second call: cached, no Okta traffic.
    let calls = okta.lock().unwrap().authn_calls;
    assert_assumed(&run(w.get_caller_identity("okta")), "okta-dev");
    assert_eq!(okta.lock().unwrap().authn_calls, calls);
}

#[test]
fn aws_cli_shows_okta_wrong_password_as_one_line() {
    let Some(w) = cli() else { return };
    let (_server, _okta, link) = start_okta(sandbox::okta::OktaConfig::demo());
    w.profile(
        "okta",
        &login_args("okta", &link, "monty@example.com", &role_arn("okta-dev")),
    );
    let (out, _) = login_in_terminal(&w, "okta", "not-hunter2");
    assert_eq!(out.code, 255, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "Error when retrieving credentials from custom-process: awsprocesscreds-saml: error: "
        ),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("monty@example.com"), "{}", out.stderr);
    assert!(!out.stderr.contains("not-hunter2"));
}

#[test]
fn aws_cli_with_adfs_in_a_terminal() {
    let Some(w) = cli() else { return };
    let (server, adfs) = sandbox::adfs::start(sandbox::adfs::AdfsConfig::default());
    let entry = sandbox::adfs::entry_url(&server);
    w.profile(
        "adfs",
        &login_args("adfs", &entry, "Monty", &role_arn("ADFS-Dev")),
    );
    let (out, _) = login_in_terminal(&w, "adfs", "hunter2");
    assert_assumed(&out, "ADFS-Dev");
    assert_eq!(adfs.lock().unwrap().password_posts, 1);
}

#[test]
fn aws_cli_with_a_forms_idp_in_a_terminal() {
    let Some(w) = cli() else { return };
    let (server, forms) = sandbox::forms::start(sandbox::forms::FormsConfig::default());
    let entry = sandbox::forms::entry_url(&server, &forms);
    w.profile(
        "forms",
        &login_args("forms", &entry, "Monty", &role_arn("ADFS-Dev")),
    );
    let (out, _) = login_in_terminal(&w, "forms", "hunter2");
    assert_assumed(&out, "ADFS-Dev");
    assert_eq!(forms.lock().unwrap().logins_ok, 1);
}

#[test]
fn aws_cli_without_a_terminal_explains_how_to_give_the_password() {
    // An IDE or a scheduler runs `aws` with no terminal: the prompt cannot
    // be shown, and the error must say what to do instead.
    let Some(w) = cli() else { return };
    w.ctx.set_password("pw");
    fixture_profile_asking_password(&w);
    let out = run(w.get_caller_identity("fixture"));
    assert_eq!(out.code, 255, "{}", out.stderr);
    assert!(
        out.stderr.contains("custom-process: awsprocesscreds-saml: error: a password is needed but there is no terminal"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("--password-command"), "{}", out.stderr);
    assert_eq!(w.ctx.idp_hits(), 0);
}
