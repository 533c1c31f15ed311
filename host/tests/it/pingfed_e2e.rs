//! End to end: the real `awsprocesscreds-saml` binary with the `forms`
//! plugin against the sandbox's fake PingFederate + PingID and fake STS:
//! push and number matching on a pseudo-terminal (the number on the
//! terminal, never on stdout), passcodes from `--mfa-code-command`, the
//! device picker, the WebAuthn check, and PingID's denials and timeouts as
//! one-line errors.

use crate::common;

#[cfg(unix)]
use std::time::Duration;

#[cfg(unix)]
use common::pty::{assert_not_echoed, PtySession};
use common::{assert_credentials, login_args, run, Ctx, Out};
use sandbox::pingfed::{self, Account, Device, PingFed, PingFedConfig, PushAnswer};
use sandbox::Server;

const ROLE: &str = "arn:aws:iam::123456789012:role/PingFed-Dev";
const PASSWORD: &str = "hunter2";

struct World {
    ctx: Ctx,
    server: Server,
    idp: PingFed,
}

fn world(config: PingFedConfig) -> World {
    let ctx = Ctx::new();
    ctx.add_plugin("awsprocesscreds_plugin_forms");
    let (server, idp) = pingfed::start(config);
    World { ctx, server, idp }
}

impl World {
    fn saml(&self, extra: &[&str]) -> std::process::Command {
        let entry = pingfed::entry_url(&self.server);
        let mut cmd = self
            .ctx
            .plugin_login(&login_args("forms", &entry, "Monty", ROLE));
        cmd.args(extra);
        cmd
    }

    fn with_password(&self, extra: &[&str]) -> std::process::Command {
        let mut cmd = self.saml(extra);
        cmd.env("AWSPROCESSCREDS_PASSWORD", PASSWORD);
        cmd
    }
}

fn devices(devices: Vec<Device>) -> PingFedConfig {
    PingFedConfig {
        devices,
        ..Default::default()
    }
}

#[cfg(unix)]
#[test]
fn number_matching_push_shows_the_number_on_the_terminal_only() {
    let w = world(devices(vec![Device::phone(Some(73), PushAnswer::Approve)]));
    let s = PtySession::spawn_answering(w.saml(&[]), "password", PASSWORD);
    s.expect("select number 73", Duration::from_secs(30));
    let (out, screen) = s.finish(Duration::from_secs(60));
    out.ok();
    assert_credentials(&out.json());
    assert_eq!(screen.matches("select number 73").count(), 1, "{screen}");
    assert!(!out.stdout.contains("73 in"), "number on stdout");
    assert!(
        !out.stderr.contains("select number"),
        "number went to stderr"
    );
    assert_not_echoed(&screen, PASSWORD);
    let st = w.idp.lock().unwrap();
    assert_eq!(st.webauthn_answers, ["false"]);
    assert_eq!(st.status_posts, 0, "the push page's form was posted");
    assert_eq!(st.responses, ["OK"]);
    assert_eq!(w.ctx.sts_calls(), 1);
}

#[test]
fn passcode_from_a_code_command_without_a_terminal() {
    let w = world(devices(vec![Device::desktop("135790")]));
    let out = run(w.with_password(&["--mfa-code-command", "echo 135790"]));
    out.ok();
    assert_credentials(&out.json());
    assert_eq!(w.idp.lock().unwrap().otp_posts, 1);
    assert!(!out.stderr.contains("135790"), "{}", out.stderr);
}

#[test]
fn wrong_passcode_from_a_command_names_pingids_reason() {
    let w = world(devices(vec![Device::desktop("135790")]));
    let out = run(w.with_password(&["--mfa-code-command", "echo 000000"]));
    out.fails(1, "Invalid passcode.");
    assert_eq!(
        w.idp.lock().unwrap().otp_posts,
        1,
        "a command's code is tried once"
    );
    assert!(!out.stderr.contains("000000"), "{}", out.stderr);
}

#[test]
fn denied_push_is_a_one_line_error() {
    let w = world(devices(vec![Device::phone(None, PushAnswer::Deny)]));
    let out = run(w.with_password(&[]));
    out.fails(
        1,
        "PingID: Authentication Failed: The authentication request was denied",
    );
    assert_eq!(w.ctx.sts_calls(), 0);
}

#[test]
fn unanswered_push_ends_at_mfa_timeout() {
    let w = world(devices(vec![Device::phone(None, PushAnswer::Never)]));
    let out = run(w.with_password(&["--mfa-timeout", "3"]));
    out.fails(1, "no answer to the PingID push within 3 s");
    assert!(out.stderr.contains("--mfa-timeout"), "{}", out.stderr);
}

#[test]
fn pingid_timeout_is_named() {
    let w = world(devices(vec![Device::phone(None, PushAnswer::Timeout)]));
    let out = run(w.with_password(&[]));
    out.fails(1, "nobody answered the push in time");
}

/// The login succeeded with the picker's second device, the desktop app.
#[track_caller]
fn assert_signed_in_with_the_desktop(w: &World, out: &Out) {
    out.ok();
    assert_credentials(&out.json());
    assert_eq!(
        w.idp.lock().unwrap().devices_chosen,
        ["5120398817733410002"]
    );
}

#[cfg(unix)]
#[test]
fn device_picker_on_the_terminal_then_the_passcode() {
    let w = world(PingFedConfig::phone_and_desktop_picker());
    let mut s = PtySession::spawn_answering(w.saml(&[]), "password", PASSWORD);
    s.expect("Choose 1-2", Duration::from_secs(30));
    assert!(s.screen().contains("Desktop Mac"), "{}", s.screen());
    s.send_line("2");
    s.expect("PingID passcode (Desktop Mac)", Duration::from_secs(30));
    s.send_line("246810");
    let (out, _) = s.finish(Duration::from_secs(60));
    assert_signed_in_with_the_desktop(&w, &out);
}

#[test]
fn device_picker_follows_mfa_factor_without_a_terminal() {
    let w = world(PingFedConfig::phone_and_desktop_picker());
    let out = run(w.with_password(&[
        "--mfa-factor",
        "desktop",
        "--mfa-code-command",
        "echo 246810",
    ]));
    assert_signed_in_with_the_desktop(&w, &out);
}

#[test]
fn device_picker_without_terminal_or_factor_says_what_to_do() {
    let w = world(PingFedConfig::phone_and_desktop_picker());
    let out = run(w.with_password(&[]));
    out.fails(1, "PingID asks which device to use (iPhone X, Desktop Mac)");
    assert!(out.stderr.contains("--mfa-factor"), "{}", out.stderr);
    assert!(w.idp.lock().unwrap().devices_chosen.is_empty());
}

#[test]
fn security_key_page_is_named_and_never_posted() {
    let w = world(PingFedConfig {
        webauthn_check: false,
        ..devices(vec![Device::security_key()])
    });
    let out = run(w.with_password(&[]));
    out.fails(1, "PingID asks for a FIDO security key");
    assert!(out.stderr.contains("needs a web browser"), "{}", out.stderr);
    assert_eq!(w.idp.lock().unwrap().otp_posts, 0);
}

#[test]
fn locked_account_is_named_with_a_hint() {
    let w = world(PingFedConfig {
        account: Account::Locked,
        ..Default::default()
    });
    let out = run(w.with_password(&[]));
    out.fails(1, "the account is locked or disabled");
    assert!(
        out.stderr.contains("Your account is locked."),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("help desk"), "{}", out.stderr);
    assert!(!out.stderr.contains(PASSWORD));
}

#[test]
fn verbose_trace_shows_the_steps_but_no_secrets() {
    let w = world(PingFedConfig {
        devices: vec![Device::desktop("135790")],
        ..Default::default()
    });
    let out = run(w.with_password(&["-v", "-v", "--mfa-code-command", "echo 135790"]));
    out.ok();
    assert!(
        out.stderr.contains("answering PingID's WebAuthn check"),
        "{}",
        out.stderr
    );
    for secret in [
        PASSWORD,
        "135790",
        "csrfToken=",
        "ppm_request=",
        "ppm_response=",
    ] {
        assert!(!out.stderr.contains(secret), "{secret} in:\n{}", out.stderr);
    }
}
