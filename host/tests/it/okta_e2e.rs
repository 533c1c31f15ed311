//! End to end: the real `awsprocesscreds-saml` binary with the `okta`
//! plugin against the sandbox's fake Okta org and fake STS, run without a
//! terminal (as an AWS SDK runs credential_process from an IDE).

use crate::common;

#[cfg(unix)]
use std::time::Duration;

use common::okta::{classic_world, okta_roles, OktaWorld, USER};
#[cfg(unix)]
use common::pty::{assert_not_echoed, PtySession};
use common::{assert_credentials, run};
#[cfg(unix)]
use sandbox::okta::PushOutcome;
use sandbox::okta::{FactorSpec, Okta, OktaConfig, User};

const PASSWORD: &str = "hunter2";
const DEV: &str = "arn:aws:iam::123456789012:role/okta-dev";
const ADMIN: &str = "arn:aws:iam::123456789012:role/okta-admin";

type World = OktaWorld<Okta>;

fn world(factors: Vec<FactorSpec>) -> World {
    world_with(factors, |_| {})
}

fn world_with(factors: Vec<FactorSpec>, tweak: impl FnOnce(&mut OktaConfig)) -> World {
    let mut config = OktaConfig::with_user(User::new(USER, PASSWORD).factors(factors));
    config.roles = okta_roles();
    tweak(&mut config);
    classic_world(config)
}

/// [`OktaWorld::saml`] with the password in the environment.
fn with_password(w: &World, role: &str, extra: &[&str]) -> std::process::Command {
    let mut cmd = w.saml(role, extra);
    cmd.env("AWSPROCESSCREDS_PASSWORD", PASSWORD);
    cmd
}

#[test]
fn seed_profile_with_push_prints_credentials() {
    let w = world(vec![FactorSpec::push(1)]);
    let out = run(with_password(&w, DEV, &[]));
    out.ok();
    assert_credentials(&out.json());
    assert!(out.stderr.contains("Okta Verify"), "{}", out.stderr);
    let st = w.org.lock().unwrap();
    assert_eq!(st.pushes_sent, 1);
    assert_eq!(w.ctx.sts_calls(), 1);
}

#[test]
fn second_role_reuses_the_okta_session_without_password_or_mfa() {
    let w = world(vec![FactorSpec::push(0)]);
    run(with_password(&w, DEV, &[])).ok();
    // No password source at all now: only the stored Okta session can work.
    let out = run(w.saml(ADMIN, &[]));
    out.ok();
    assert_credentials(&out.json());
    let st = w.org.lock().unwrap();
    assert_eq!(st.authn_calls, 1);
    assert_eq!(st.pushes_sent, 1);
    assert_eq!(w.ctx.sts_calls(), 2);
}

#[test]
fn wrong_password_fails_with_a_clear_message() {
    let w = world(vec![]);
    let mut cmd = w.saml(DEV, &[]);
    cmd.env("AWSPROCESSCREDS_PASSWORD", "not-the-password");
    let out = run(cmd);
    out.fails(1, "rejected the username or password for monty@example.com");
    assert!(!out.stderr.contains("not-the-password"));
}

#[test]
fn verbose_log_never_shows_tokens_or_the_password() {
    let w = world(vec![FactorSpec::push(0)]);
    let out = run(with_password(&w, DEV, &["-v", "-v"]));
    out.ok();
    assert!(out.stderr.contains("Okta sign-in status"), "{}", out.stderr);
    assert!(!out.stderr.contains(PASSWORD));
    let st = w.org.lock().unwrap();
    assert!(!st.sessions.is_empty());
    for sid in st.sessions.keys() {
        assert!(
            !out.stderr.contains(sid.as_str()),
            "session id leaked:\n{}",
            out.stderr
        );
    }
}

#[test]
fn code_factor_without_terminal_needs_a_code_command() {
    let w = world(vec![FactorSpec::Totp {
        provider: "GOOGLE".into(),
        code: "424242".into(),
    }]);
    run(with_password(&w, DEV, &[])).fails(1, "--mfa-code-command");
    let out = run(with_password(
        &w,
        DEV,
        &[
            "--mfa-factor",
            "totp:google",
            "--mfa-code-command",
            "echo 424242",
        ],
    ));
    out.ok();
    assert_credentials(&out.json());
}

#[test]
fn session_token_in_the_app_link_is_redacted_from_the_log() {
    let w = world_with(vec![], |c| c.sessions_api = false);
    let out = run(with_password(&w, DEV, &["-v", "-v"]));
    out.ok();
    let st = w.org.lock().unwrap();
    let hit = st
        .requests
        .iter()
        .find(|r| r.contains("sessionToken="))
        .expect("the app link was opened with a session token");
    let token = hit.split("sessionToken=").nth(1).unwrap();
    assert!(!token.is_empty());
    assert!(
        !out.stderr.contains(token),
        "session token leaked:\n{}",
        out.stderr
    );
}

#[cfg(unix)]
#[test]
fn terminal_user_types_the_password_picks_a_factor_and_sees_the_number() {
    let w = world(vec![
        FactorSpec::Sms {
            phone: "+15555551234".into(),
            code: "333333".into(),
        },
        FactorSpec::Push {
            waiting_polls: 1,
            outcome: PushOutcome::Approve,
            number: Some(42),
        },
    ]);
    let mut s = PtySession::spawn_answering(w.saml(DEV, &[]), "Password: ", PASSWORD);
    s.expect("Choose a second factor for Okta", Duration::from_secs(20));
    s.expect("Choose 1-2", Duration::from_secs(5));
    assert!(
        s.screen().contains("Okta Verify push to Monty's iPhone"),
        "{}",
        s.screen()
    );
    s.send_line("2");
    let (out, screen) = s.finish(Duration::from_secs(30));
    out.ok();
    assert_credentials(&out.json());
    let shown = format!("{screen}{}", out.stderr);
    assert!(shown.contains("tap 42"), "{shown}");
    assert_not_echoed(&screen, PASSWORD);
    assert_eq!(w.org.lock().unwrap().pushes_sent, 1);
}

#[cfg(unix)]
#[test]
fn terminal_user_gets_a_new_sms_code_with_an_empty_line() {
    let w = world(vec![FactorSpec::Sms {
        phone: "+15555551234".into(),
        code: "333333".into(),
    }]);
    let mut s = PtySession::spawn_answering(
        with_password(&w, DEV, &[]),
        "press Enter to get a new one",
        "",
    );
    s.expect("Okta sent a new code", Duration::from_secs(20));
    s.send_line("333333");
    let (out, _) = s.finish(Duration::from_secs(30));
    out.ok();
    assert_credentials(&out.json());
    let st = w.org.lock().unwrap();
    assert_eq!(st.resends, 1);
    assert_eq!(st.codes_sent, 2);
}

/// Asking for another SMS within 30 seconds (Okta's
/// HTTP 429 `E0000109`) is named as such, not as the org's rate limit.
#[test]
fn a_code_sent_moments_ago_reads_as_such() {
    let sms = FactorSpec::Sms {
        phone: "+15555551234".into(),
        code: "654321".into(),
    };
    let w = world_with(vec![sms], |c| c.code_sent_recently = true);
    let mut cmd = with_password(&w, DEV, &[]);
    cmd.env("AWSPROCESSCREDS_MFA_CODE_COMMAND", "echo 654321");
    let (error, hint) = run(cmd).error_and_hint();
    assert!(error.starts_with("Okta sent a code for the SMS"), "{error}");
    assert!(
        error.contains("An SMS message was recently sent"),
        "{error}"
    );
    assert_eq!(hint, "wait 30 seconds, then run again");
}
