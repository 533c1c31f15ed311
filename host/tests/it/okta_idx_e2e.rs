//! End to end: the real `awsprocesscreds-saml` binary with the `okta`
//! plugin against the sandbox's fake Okta Identity Engine org
//! (`sandbox::okta_idx`) and fake STS; prompts typed in a pseudo-terminal.

use crate::common;

#[cfg(unix)]
use std::time::Duration;

use common::okta::{idx_world, okta_roles, start_okta, OktaWorld, USER};
#[cfg(unix)]
use common::pty::{assert_not_echoed, PtySession};
use common::{assert_credentials, login_args, run, Ctx};
use sandbox::okta_idx::{answers, Authenticator, Idx, IdxConfig, IdxUser};

const PASSWORD: &str = "hunter2";
const DEV: &str = "arn:aws:iam::123456789012:role/okta-dev";
#[cfg(unix)]
const ADMIN: &str = "arn:aws:iam::123456789012:role/okta-admin";

type World = OktaWorld<Idx>;

fn world(user: IdxUser, tweak: impl FnOnce(&mut IdxConfig)) -> World {
    let mut config = IdxConfig::with_user(user);
    config.roles = okta_roles();
    config.poll_refresh_ms = 500;
    tweak(&mut config);
    idx_world(config)
}

fn push_and_code() -> IdxUser {
    IdxUser::new(USER, PASSWORD).with(Authenticator::OktaVerify {
        push: Some(sandbox::okta_idx::Push::Approve(1)),
        number: Some(42),
        totp: Some("123456".into()),
    })
}

#[cfg(unix)]
#[test]
fn terminal_login_then_session_reuse_no_cache_and_no_idp_session() {
    let w = world(push_and_code(), |_| {});
    let mut s = PtySession::spawn_answering(w.saml(DEV, &[]), "Password: ", PASSWORD);
    s.expect("Choose how to verify with Okta", Duration::from_secs(20));
    s.expect("Choose 1-2", Duration::from_secs(5));
    s.send_line("1");
    let (out, screen) = s.finish(Duration::from_secs(30));
    out.ok();
    assert_credentials(&out.json());
    let shown = format!("{screen}{}", out.stderr);
    assert_eq!(shown.matches("tap 42").count(), 1, "{shown}");
    assert_not_echoed(&screen, PASSWORD);
    assert!(!out.stdout.contains("tap 42"), "stdout carries only JSON");
    assert_eq!(w.org.lock().unwrap().pushes_sent, 1);

    // Another role, no password source, no terminal: the IDX session does it.
    let out = run(w.saml(ADMIN, &[]));
    out.ok();
    assert_credentials(&out.json());
    // --no-cache skips only the credential cache: still no prompt or push.
    let out = run(w.saml(DEV, &["--no-cache"]));
    out.ok();
    assert_eq!(w.org.lock().unwrap().pushes_sent, 1);
    assert_eq!(w.ctx.sts_calls(), 3);

    // --no-idp-session: a full sign-in, and nothing kept for the next run.
    let mut cmd = w.saml(
        DEV,
        &["--no-cache", "--no-idp-session", "--mfa-factor", "push"],
    );
    cmd.env("AWSPROCESSCREDS_PASSWORD", PASSWORD);
    run(cmd).ok();
    assert_eq!(w.org.lock().unwrap().pushes_sent, 2);
    let mut cmd = w.saml(DEV, &["--no-cache", "--mfa-factor", "push"]);
    cmd.env("AWSPROCESSCREDS_NO_IDP_SESSION", "true");
    cmd.env("AWSPROCESSCREDS_PASSWORD", PASSWORD);
    run(cmd).ok();
    assert_eq!(w.org.lock().unwrap().pushes_sent, 3);
}

#[cfg(unix)]
#[test]
fn totp_code_typed_at_the_terminal() {
    let w = world(push_and_code(), |_| {});
    let mut s = PtySession::spawn_answering(
        w.saml(DEV, &["--mfa-factor", "totp:okta"]),
        "Password: ",
        PASSWORD,
    );
    s.expect("code", Duration::from_secs(20));
    s.send_line("123456");
    let (out, _) = s.finish(Duration::from_secs(30));
    out.ok();
    assert_credentials(&out.json());
    assert_eq!(w.org.lock().unwrap().pushes_sent, 0);
}

#[test]
fn wrong_password_and_locked_account_fail_with_one_line() {
    let w = world(IdxUser::new(USER, PASSWORD), |_| {});
    let mut cmd = w.saml(DEV, &[]);
    cmd.env("AWSPROCESSCREDS_PASSWORD", "not-the-password");
    let out = run(cmd);
    out.fails(1, "Password is incorrect");
    assert!(!out.stderr.contains("not-the-password"));

    let mut locked = IdxUser::new(USER, PASSWORD);
    locked.locked = true;
    let w = world(locked, |_| {});
    let mut cmd = w.saml(DEV, &[]);
    cmd.env("AWSPROCESSCREDS_PASSWORD", PASSWORD);
    run(cmd).fails(1, "is locked");
}

/// A password for a locked account is answered with the
/// unlock flow alone (`select-authenticator-unlock-account` next to
/// `cancel`, okta-signin-widget `identify/unlock-account.json`), with or
/// without Okta's `errors.E0000119` message, in English or German.
#[test]
fn locked_account_answered_with_the_unlock_flow_reads_locked_with_the_unlock_hint() {
    let messages = [
        None,
        Some((
            "Ihr Konto ist gesperrt. Wenden Sie sich an den Administrator.",
            "errors.E0000119",
        )),
    ];
    for message in messages {
        let mut locked = push_and_code();
        locked.locked = true;
        locked.locked_message = message.map(|(t, k)| (t.to_string(), k.to_string()));
        let w = world(locked, |_| {});
        let mut cmd = w.saml(DEV, &[]);
        cmd.env("AWSPROCESSCREDS_PASSWORD", PASSWORD);
        let out = run(cmd);
        let (error, hint) = out.error_and_hint();
        assert_eq!(error, format!("the Okta account {USER} is locked"));
        assert!(hint.contains("Unlock account"), "{hint}");
        assert!(
            hint.contains(&w.link[..w.link.find("/home").unwrap()]),
            "{hint}"
        );
        assert!(!out.stderr.contains(PASSWORD));
        assert_eq!(w.org.lock().unwrap().pushes_sent, 0);
        assert_eq!(w.ctx.sts_calls(), 0);
    }
}

/// Okta answers an unknown client id in its own error
/// shape (`errorCode`/`errorSummary`/`errorLink`/`errorId`, HTTP 401) or
/// OAuth's; both read "does not know the OIDC client id", and any other
/// error shows Okta's summary.
#[test]
fn device_flow_errors_in_oktas_own_shape_name_the_client_id() {
    for okta_shape in [false, true] {
        let w = world(IdxUser::new(USER, PASSWORD), |c| {
            c.oauth_errors_in_okta_shape = okta_shape;
        });
        let out = run(w.saml(DEV, &["--plugin-option", "client-id=0oa-nope"]));
        let (error, hint) = out.error_and_hint();
        assert_eq!(
            error,
            "Okta does not know the OIDC client id 0oa-nope (invalid_client: Invalid value for 'client_id' parameter)"
        );
        assert!(hint.contains("client-id"), "{hint}");

        let w = world(IdxUser::new(USER, PASSWORD), |c| {
            c.oauth_errors_in_okta_shape = okta_shape;
            c.device_grant = false;
        });
        let client = w.org.lock().unwrap().config.device_client_id.clone();
        let opt = format!("client-id={client}");
        let out = run(w.saml(DEV, &["--plugin-option", &opt]));
        let (error, hint) = out.error_and_hint();
        assert!(
            error.contains("may not use the device flow (unauthorized_client: The client is not authorized to use the provided grant type"),
            "{error}"
        );
        assert!(hint.contains("Device Authorization"), "{hint}");
        assert_eq!(w.ctx.sts_calls(), 0);
    }
}

/// Answers that end an OIE sign-in in the shapes of
/// okta-signin-widget's mocks (`sandbox::okta_idx::answers`), each one
/// error line naming the cause, one hint, never "wrong password".
#[test]
fn terminal_idx_answers_read_as_their_cause() {
    type Fixture = fn(&str) -> answers::Answer;
    let cases: [(Fixture, &str, &str); 5] = [
        (
            answers::session_expired,
            "the Okta sign-in transaction expired (You have been logged out due to inactivity",
            "run again",
        ),
        (
            answers::verification_timed_out,
            "the Okta sign-in transaction expired (Verification timed out",
            "run again",
        ),
        (
            answers::too_many_requests,
            "Okta is rate-limiting this sign-in: Too many requests",
            "wait",
        ),
        (
            answers::sms_rate_limit,
            "Okta is rate-limiting this sign-in: You have reached the limit of sms requests",
            "wait",
        ),
        (
            answers::network_policy_block,
            "Okta's network policy blocked this sign-in (Forbidden: Access denied by network policy)",
            "VPN",
        ),
    ];
    for (fixture, error_start, hint_part) in cases {
        let mut u = IdxUser::new(USER, PASSWORD);
        u.answer_after_password = Some(fixture);
        let w = world(u, |_| {});
        let mut cmd = w.saml(DEV, &[]);
        cmd.env("AWSPROCESSCREDS_PASSWORD", PASSWORD);
        let (error, hint) = run(cmd).error_and_hint();
        assert!(error.starts_with(error_start), "{error}");
        assert!(hint.contains(hint_part), "{hint}");
        assert_eq!(w.ctx.sts_calls(), 0);
    }
}

#[test]
fn device_flow_prints_the_code_and_needs_no_password() {
    let w = world(IdxUser::new(USER, PASSWORD), |c| {
        c.device_approve_after = Some(1)
    });
    let client = w.org.lock().unwrap().config.device_client_id.clone();
    let opt = format!("client-id={client}");
    let out = run(w.saml(DEV, &["--plugin-option", &opt]));
    out.ok();
    assert_credentials(&out.json());
    assert!(out.stderr.contains("WDJB-MJHT"), "{}", out.stderr);
    assert!(!out.stdout.contains("WDJB-MJHT"));

    // The device login's session is reused (a wrong client id then does
    // not matter); without it the wrong client id is named.
    let out = run(w.saml(
        DEV,
        &["--no-cache", "--plugin-option", "client-id=0oa-nope"],
    ));
    out.ok();
    let out = run(w.saml(
        DEV,
        &[
            "--no-cache",
            "--no-idp-session",
            "--plugin-option",
            "client-id=0oa-nope",
        ],
    ));
    out.fails(1, "0oa-nope");
}

#[test]
fn verbose_log_never_shows_state_handles_cookies_or_the_password() {
    let w = world(
        IdxUser::new(USER, PASSWORD).with(Authenticator::push(0, None)),
        |_| {},
    );
    let mut cmd = w.saml(DEV, &["-v", "-v"]);
    cmd.env("AWSPROCESSCREDS_PASSWORD", PASSWORD);
    let out = run(cmd);
    out.ok();
    assert!(out.stderr.contains("IDX remediations"), "{}", out.stderr);
    assert!(!out.stderr.contains(PASSWORD));
    let st = w.org.lock().unwrap();
    assert!(!st.sessions.is_empty());
    for sid in st.sessions.keys() {
        assert!(!out.stderr.contains(sid.as_str()), "session id in the log");
    }
    // State handles are `02` + 12 chars + `-` + 12 chars in this fake.
    assert!(
        !out.stderr
            .split_whitespace()
            .any(|w| w.starts_with("02") && w.len() == 27),
        "{}",
        out.stderr
    );
}

#[test]
fn no_cache_reuses_the_classic_okta_session_too_and_no_idp_session_does_not() {
    let ctx = Ctx::new();
    ctx.add_plugin("awsprocesscreds_plugin_okta");
    let (_server, okta, link) = start_okta(sandbox::okta::OktaConfig::demo());
    let saml = |extra: &[&str]| {
        let mut cmd = ctx.plugin_login(&login_args("okta", &link, USER, DEV));
        cmd.args(extra);
        cmd
    };
    let mut first = saml(&[]);
    first.env("AWSPROCESSCREDS_PASSWORD", PASSWORD);
    run(first).ok();
    // No password source: only the kept Okta session can log in.
    run(saml(&["--no-cache"])).ok();
    assert_eq!(okta.lock().unwrap().authn_calls, 1);
    assert_eq!(ctx.sts_calls(), 2);
    // --no-idp-session: the session is not used, so the password is needed.
    run(saml(&["--no-cache", "--no-idp-session"])).fails(1, "password");
    assert_eq!(okta.lock().unwrap().authn_calls, 1);
}
