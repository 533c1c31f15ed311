//! `--use-keyring` end to end, through the real binary and the
//! kernel keyring (inside `keyctl session`, since test processes have no
//! session keyring of their own).
// The Linux kernel keyring, inside `keyctl session`.
#![cfg(target_os = "linux")]

use crate::common;

use std::time::Duration;

use common::pty::PtySession;
use common::*;

fn keyctl_available() -> bool {
    let ok = std::process::Command::new("keyctl")
        .arg("--version")
        .output()
        .is_ok();
    if !ok {
        assert!(
            std::env::var("CI").is_err(),
            "keyctl is missing; .ci/keychain-deps.sh installs it"
        );
        eprintln!("skipping: keyctl (keyutils) is not installed");
    }
    ok
}

/// One keyring-backed login of the fixture plugin, as a shell command line.
/// The user name is this test's own: kernel keyring entries also go to the
/// user's persistent keyring, which outlives the `keyctl session` (days),
/// and an IdP port is reused sooner or later, so `monty@127.0.0.1:PORT`
/// could find a password another test (or run) left there.
fn login_line(ctx: &Ctx) -> String {
    let user = format!(
        "monty-{}",
        ctx.tmp.path().file_name().unwrap().to_string_lossy()
    );
    format!(
        "'{}' -p fixture-saml -e '{}' -u '{user}' --plugin-dir '{}' --plugin-option password=yes --use-keyring --no-cache",
        bin_dir().join("awsprocesscreds-saml").display(),
        ctx.idp_url(),
        ctx.plugin_dir.display()
    )
}

/// A fixture context whose IdP wants `password`, and a pseudo-terminal
/// running the shell script `script(login line)` in one kernel-keyring
/// session, its first password prompt answered with `password`. `None`
/// (the test skips) without keyctl.
fn keyring_session(
    password: &str,
    script: impl FnOnce(&str) -> String,
) -> Option<(Ctx, PtySession)> {
    if !keyctl_available() {
        return None;
    }
    let ctx = Ctx::new();
    ctx.set_password(password);
    let mut cmd = ctx.tool("keyctl");
    cmd.args(["session", "-", "sh", "-c"])
        .arg(script(&login_line(&ctx)));
    let s = PtySession::spawn_answering(cmd, "Password: ", password);
    Some((ctx, s))
}

#[test]
fn typed_password_is_stored_then_used_without_a_prompt() {
    // Two logins in one kernel-keyring session.
    let Some((ctx, s)) = keyring_session("kr-secret-1", |line| {
        format!("{line} && echo '===' && {line}")
    }) else {
        return;
    };
    let (out, screen) = s.finish(Duration::from_secs(60));
    out.ok();
    assert_eq!(
        screen.matches("Password: ").count(),
        1,
        "second login must not prompt: {screen}"
    );
    let jsons: Vec<&str> = out.stdout.lines().filter(|l| l.starts_with('{')).collect();
    assert_eq!(jsons.len(), 2, "{}", out.stdout);
    assert_eq!(ctx.idp_hits(), 2);
}

#[test]
fn a_rejected_stored_password_is_forgotten_and_asked_again() {
    // First login stores "old-password"; then the IdP password changes
    // (the test flips it when it sees the marker), the stored one is
    // rejected, removed, and the user is asked again.
    let Some((ctx, mut s)) = keyring_session("old-password", |line| {
        format!("{line} >/dev/null && echo CHANGE-NOW >/dev/tty && read _ </dev/tty && {line}")
    }) else {
        return;
    };
    s.expect("CHANGE-NOW", Duration::from_secs(30));
    ctx.set_password("new-password");
    s.send_line("");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while s.screen().matches("Password: ").count() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "no second prompt: {}",
            s.screen()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    s.send_line("new-password");
    let (out, _) = s.finish(Duration::from_secs(60));
    out.ok();
    assert!(
        out.stderr
            .contains("rejected the password stored in the keychain"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_refusal_that_does_not_blame_the_password_keeps_the_stored_one() {
    // Store the password; then the IdP refuses for another reason (a
    // locked account, a policy: HTTP 403 -> access-denied); then it lets
    // the user in again, and the stored password still works.
    let Some((ctx, mut s)) = keyring_session("good-password", |line| {
        format!("{line} >/dev/null && echo DENY-NOW >/dev/tty && read _ </dev/tty && ({line} || echo REFUSED >/dev/tty) && echo ALLOW-NOW >/dev/tty && read _ </dev/tty && {line}")
    }) else {
        return;
    };
    s.expect("DENY-NOW", Duration::from_secs(30));
    *ctx.idp_state.status.lock().unwrap() = Some(403);
    s.send_line("");
    s.expect("ALLOW-NOW", Duration::from_secs(30));
    *ctx.idp_state.status.lock().unwrap() = None;
    s.send_line("");
    let (out, screen) = s.finish(Duration::from_secs(60));
    out.ok();
    assert!(screen.contains("REFUSED"), "{screen}");
    assert!(
        out.stderr.contains("the fixture IdP refused the sign-in"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr
            .contains("rejected the password stored in the keychain"),
        "{}",
        out.stderr
    );
    assert_eq!(
        screen.matches("Password: ").count(),
        1,
        "the stored password must still be used: {screen}"
    );
}
