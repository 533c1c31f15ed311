//! The `forms` plugin against the sandbox's fake PingFederate + PingID, in
//! process (real HTTP client and cookie jar; scripted password, codes and
//! menus; sleeping instant).

use std::sync::Arc;

use plugin_api::{ErrorKind, LoginOutcome, LoginRequest, MfaSettings};
use plugin_testkit::{assert_error, TestServices, TestServicesBuilder};
use sandbox::pingfed::{self, Account, Device, PingFed, PingFedConfig, PushAnswer};
use sandbox::Server;

use crate::common::{login, request};

/// The fake PingFederate, and a request for its entry URL.
fn start(config: PingFedConfig) -> (Server, PingFed, LoginRequest) {
    let (server, state) = pingfed::start(config);
    let req = request(&pingfed::entry_url(&server));
    (server, state, req)
}

fn services() -> TestServicesBuilder {
    TestServices::new().password("hunter2").fast_sleep()
}

fn signed_in(req: &LoginRequest, s: &Arc<TestServices>) {
    match login(req, s) {
        Ok(LoginOutcome::Saml { .. }) => {}
        other => panic!("login failed: {other:?}\nrequests: {:?}", s.requests()),
    }
    s.assert_not_logged("password", "hunter2");
    s.assert_not_logged("token", "csrfToken=");
}

fn with_devices(devices: Vec<Device>) -> PingFedConfig {
    PingFedConfig {
        devices,
        ..Default::default()
    }
}

fn mfa(factor: Option<&str>, timeout: u64) -> MfaSettings {
    let m = MfaSettings::new().with_timeout_secs(timeout);
    match factor {
        Some(f) => m.with_factor(f),
        None => m,
    }
}

#[test]
fn push_is_polled_and_the_response_form_submitted() {
    let (_server, state, req) = start(PingFedConfig::default());
    let s = services().build();
    signed_in(&req, &s);
    let st = state.lock().unwrap();
    assert_eq!(st.webauthn_answers, ["false"], "never blank");
    assert_eq!(st.status_polls, 2, "one wait, then OK");
    assert_eq!(st.bad_polls, 0);
    assert_eq!(
        st.status_posts, 0,
        "the push page's own form is never posted"
    );
    assert_eq!(st.responses, ["OK"]);
    assert_eq!(st.logins_ok, 1);
    let notices = s.notices();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(
        notices[0].contains("approve the sign-in request in the PingID app on iPhone X"),
        "{notices:?}"
    );
    // The status URL is polled with GET as an XHR, with the csrfToken.
    let polls: Vec<_> = s
        .record()
        .http
        .into_iter()
        .filter(|r| r.url.contains("/pingid/ppm/auth/status"))
        .collect();
    assert_eq!(polls.len(), 2);
    assert!(polls
        .iter()
        .all(|r| r.method == "GET" && r.url.contains("csrfToken=")));
}

#[test]
fn number_matching_shows_the_number_once() {
    let (_server, _state, req) = start(with_devices(vec![Device::phone(
        Some(57),
        PushAnswer::Approve,
    )]));
    let s = services().build();
    signed_in(&req, &s);
    let notices = s.notices();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(notices[0].contains("select number 57"), "{notices:?}");
    assert!(notices[0].contains("waiting up to 120 s"), "{notices:?}");
}

#[test]
fn denied_push_shows_pingids_text() {
    let (_server, state, req) = start(with_devices(vec![Device::phone(None, PushAnswer::Deny)]));
    let e = login(&req, &services().build()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::MfaRejected, "{e:?}");
    assert!(e.message.starts_with("PingID: "), "{}", e.message);
    assert!(e.message.contains("denied on your device"), "{}", e.message);
    assert_eq!(state.lock().unwrap().responses, ["DENIED"]);
}

#[test]
fn pingid_timeout_is_named() {
    let (_server, state, req) = start(with_devices(vec![Device::phone(None, PushAnswer::Timeout)]));
    let e = login(&req, &services().build()).unwrap_err();
    assert_error(&e, ErrorKind::MfaTimeout, &["nobody answered the push"]);
    assert!(state.lock().unwrap().responses.is_empty());
}

#[test]
fn mfa_timeout_bounds_the_wait() {
    let (_server, state, mut req) =
        start(with_devices(vec![Device::phone(None, PushAnswer::Never)]));
    req = req.with_mfa(mfa(None, 5));
    let s = services().build();
    let e = login(&req, &s).unwrap_err();
    assert_error(&e, ErrorKind::MfaTimeout, &["within 5 s"]);
    assert_eq!(state.lock().unwrap().status_polls, 3);
    assert_eq!(s.record().slept.as_secs(), 6);
}

#[test]
fn passcode_from_the_code_source() {
    let (_server, state, req) = start(with_devices(vec![Device::desktop("246810")]));
    let s = services().mfa_codes(["246810"]).build();
    signed_in(&req, &s);
    assert_eq!(state.lock().unwrap().otp_posts, 1);
    assert_eq!(s.record().mfa_requests, ["PingID passcode (Desktop Mac): "]);
}

#[test]
fn wrong_passcode_from_a_command_is_not_retried() {
    let (_server, state, mut req) = start(with_devices(vec![Device::desktop("246810")]));
    req = req.with_mfa(MfaSettings::new().with_code_source(true));
    let s = services().mfa_codes(["111111", "246810"]).build();
    let e = login(&req, &s).unwrap_err();
    assert_error(&e, ErrorKind::MfaRejected, &["Invalid passcode."]);
    assert_eq!(state.lock().unwrap().otp_posts, 1);
}

#[test]
fn a_person_typing_gets_another_go() {
    let (_server, state, mut req) = start(with_devices(vec![Device::desktop("246810")]));
    req = req.with_interactive(true);
    let s = services().mfa_codes(["111111", "246810"]).build();
    signed_in(&req, &s);
    assert_eq!(state.lock().unwrap().otp_posts, 2);
    assert!(
        s.notices().iter().any(|n| n.contains("Invalid passcode.")),
        "{:?}",
        s.notices()
    );
}

#[test]
fn device_picker_honours_mfa_factor() {
    let (_server, state, mut req) = start(PingFedConfig::phone_and_desktop_picker());
    req = req.with_mfa(mfa(Some("totp"), 120));
    let s = services().mfa_codes(["246810"]).build();
    signed_in(&req, &s);
    let st = state.lock().unwrap();
    assert_eq!(st.devices_chosen, ["5120398817733410002"]);
    assert_eq!(st.status_polls, 0);
}

#[test]
fn device_picker_asks_on_the_terminal() {
    let (_server, state, mut req) = start(PingFedConfig::phone_and_desktop_picker());
    req = req.with_interactive(true);
    let s = services().choices([0]).build();
    signed_in(&req, &s);
    let menus = s.record().menus;
    assert_eq!(menus.len(), 1);
    assert_eq!(menus[0].1, ["iPhone X (PingID's default)", "Desktop Mac"]);
    assert_eq!(
        state.lock().unwrap().devices_chosen,
        ["5120398817733410001"]
    );
}

#[test]
fn device_picker_without_terminal_or_factor_is_a_clear_error() {
    let (_server, state, req) = start(PingFedConfig::phone_and_desktop_picker());
    let e = login(&req, &services().build()).unwrap_err();
    assert_error(&e, ErrorKind::NoTerminal, &["iPhone X, Desktop Mac"]);
    assert!(e.hint.unwrap().contains("--mfa-factor"));
    assert!(state.lock().unwrap().devices_chosen.is_empty());
}

#[test]
fn unknown_factor_names_the_devices() {
    let (_server, _state, mut req) = start(PingFedConfig::phone_and_desktop_picker());
    req = req.with_mfa(mfa(Some("sms"), 120));
    let e = login(&req, &services().build()).unwrap_err();
    assert_error(
        &e,
        ErrorKind::Config,
        &["--mfa-factor sms", "iPhone X, Desktop Mac"],
    );
}

#[test]
fn factor_for_another_device_opens_change_device() {
    // No picker: PingID pushes to the phone; --mfa-factor totp changes device.
    let (_server, state, mut req) = start(PingFedConfig {
        device_picker: false,
        ..PingFedConfig::phone_and_desktop_picker()
    });
    req = req.with_mfa(mfa(Some("desktop"), 120));
    let s = services().mfa_codes(["246810"]).build();
    signed_in(&req, &s);
    let st = state.lock().unwrap();
    assert_eq!(st.device_list_opened, 1);
    assert_eq!(st.devices_chosen, ["5120398817733410002"]);
    assert_eq!(st.status_polls, 0, "the push was not waited for");
}

#[test]
fn security_key_is_skipped_when_the_browser_cannot_use_one() {
    let (_server, state, req) = start(with_devices(vec![
        Device::security_key(),
        Device::phone(None, PushAnswer::Approve),
    ]));
    signed_in(&req, &services().build());
    assert_eq!(state.lock().unwrap().webauthn_answers, ["false"]);
}

#[test]
fn security_key_page_needs_a_browser_and_is_not_posted() {
    let (_server, state, req) = start(PingFedConfig {
        webauthn_check: false,
        ..with_devices(vec![Device::security_key()])
    });
    let e = login(&req, &services().build()).unwrap_err();
    assert_error(
        &e,
        ErrorKind::BrowserRequired,
        &["FIDO security key", "needs a web browser"],
    );
    assert_eq!(state.lock().unwrap().otp_posts, 0);
}

#[test]
fn only_a_security_key_ends_with_pingids_message() {
    let (_server, _state, req) = start(with_devices(vec![Device::security_key()]));
    let e = login(&req, &services().build()).unwrap_err();
    assert_error(
        &e,
        ErrorKind::MfaRejected,
        &["No device that this browser can use"],
    );
}

#[test]
fn pingfederate_refusals_are_named() {
    let cases = [
        (
            Account::Locked,
            "the account is locked or disabled",
            "Your account is locked.",
        ),
        (
            Account::PasswordExpired,
            "the password has expired",
            "Your password is expired and must be changed.",
        ),
    ];
    for (account, what, text) in cases {
        let (_server, _state, req) = start(PingFedConfig {
            account,
            ..Default::default()
        });
        let e = login(&req, &services().build()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::AccessDenied, "{account:?} {e:?}");
        assert!(e.message.starts_with(what), "{}", e.message);
        assert!(e.message.contains(text), "{}", e.message);
        assert!(e.hint.is_some());
    }
    let s = TestServices::new().password("wrong").fast_sleep().build();
    let (_server, _state, req) = start(PingFedConfig::default());
    let e = login(&req, &s).unwrap_err();
    assert_error(
        &e,
        ErrorKind::AuthenticationFailed,
        &["We didn't recognize the username or password"],
    );
}

#[test]
fn password_expiry_notice_is_shown_and_dismissed() {
    let (_server, state, req) = start(PingFedConfig {
        account: Account::PasswordExpiring,
        ..Default::default()
    });
    let s = services().build();
    signed_in(&req, &s);
    assert_eq!(state.lock().unwrap().notices_dismissed, 1);
    assert!(
        s.notices()
            .iter()
            .any(|n| n.contains("Your password will expire in 5 days.")),
        "{:?}",
        s.notices()
    );
}

#[test]
fn without_pingid_devices_it_is_plain_pingfederate() {
    let (_server, state, req) = start(with_devices(Vec::new()));
    signed_in(&req, &services().build());
    assert!(state.lock().unwrap().webauthn_answers.is_empty());
}
