//! The plugin's Okta Identity Engine flows (IDX, step-up after classic,
//! device authorization), in process, against the fake OIE org
//! (`sandbox::okta_idx`), through the host's `TestServices`.

use std::sync::Arc;

use plugin_api::{ErrorKind, LoginRequest};
use plugin_testkit::{assert_error, decode_assertion, TestServices};
use sandbox::okta_idx::{self, answers, Authenticator, Idx, IdxConfig, IdxUser, Push};
use sandbox::Server;

use crate::common::{err, login, services, with_factor, PASSWORD, USER};

struct Org {
    _server: Server,
    idx: Idx,
    link: String,
}

fn org(config: IdxConfig) -> Org {
    let path = config.app_path();
    let (server, idx) = okta_idx::start(config);
    Org {
        link: server.url(&path),
        _server: server,
        idx,
    }
}

fn user() -> IdxUser {
    IdxUser::new(USER, PASSWORD)
}

/// The user with Okta Verify push (approved at the first poll).
fn push_user() -> IdxUser {
    user().with(Authenticator::push(0, None))
}

impl Org {
    /// A login at the app link with `s` signs in.
    fn signs_in(&self, s: &Arc<TestServices>) {
        assert_saml(&login(s, &request(&self.link)).unwrap());
    }
}

fn org_with(u: IdxUser) -> Org {
    org(IdxConfig::with_user(u))
}

/// The shared request, with 60 s for MFA.
fn request(link: &str) -> LoginRequest {
    crate::common::request(link).with_mfa(plugin_api::MfaSettings::new().with_timeout_secs(60))
}

fn with_option(mut r: LoginRequest, k: &str, v: &str) -> LoginRequest {
    r.options.insert(k.into(), v.into());
    r
}

fn assert_saml(b64: &str) {
    let xml = decode_assertion(b64);
    assert!(
        xml.contains("arn:aws:iam::123456789012:role/okta-dev"),
        "{xml}"
    );
}

fn ov(push: Option<Push>, number: Option<u32>, totp: Option<&str>) -> Authenticator {
    Authenticator::OktaVerify {
        push,
        number,
        totp: totp.map(str::to_owned),
    }
}

// --- password and engine detection ---------------------------------------

#[test]
fn password_only_org_signs_in_through_idx_with_the_protocol_minimum() {
    let o = org_with(user());
    let s = services().build();
    let b64 = login(&s, &request(&o.link)).unwrap();
    assert_saml(&b64);
    let st = o.idx.lock().unwrap();
    assert_eq!(
        st.requests,
        [
            "GET /.well-known/okta-organization",
            "GET /home/amazon_aws/app",
            "GET /login/login.htm",
            "POST /idp/idx/introspect",
            "POST /idp/idx/identify",
            "GET /login/token/redirect",
            "GET /home/amazon_aws/app",
        ]
    );
    assert_eq!(s.password_requests(), 1);
    let rec = s.record();
    assert!(
        rec.secrets.contains(&b64),
        "assertion not registered as secret"
    );
    let ion: Vec<_> = s
        .requests()
        .into_iter()
        .filter(|(m, u)| m == "POST" && u.contains("/idp/idx/"))
        .collect();
    assert_eq!(ion.len(), 2);
}

#[test]
fn app_link_to_the_dashboard_shell_signs_in_through_the_dashboard_page() {
    let o = org(IdxConfig {
        dashboard_sign_in_only: true,
        ..IdxConfig::with_user(push_user())
    });
    let s = services().build();
    o.signs_in(&s);
    let st = o.idx.lock().unwrap();
    assert_eq!(st.count("/oauth2/v1/authorize"), 1);
    assert_eq!(st.pushes_sent, 1);
    assert_eq!(st.app_hits, 2);
}

#[test]
fn identifier_first_org_asks_for_the_password_in_its_own_step() {
    let o = org(IdxConfig {
        password_in_identify: false,
        ..IdxConfig::with_user(user())
    });
    let s = services().build();
    o.signs_in(&s);
    let st = o.idx.lock().unwrap();
    assert_eq!(st.count("/idp/idx/identify"), 1);
    assert_eq!(st.count("/idp/idx/challenge/answer"), 1);
}

#[test]
fn wrong_password_shows_oktas_text_and_is_not_blamed_on_the_classic_api() {
    let o = org_with(user());
    let s = TestServices::new().password("wrong").build();
    let e = err(&s, &request(&o.link));
    assert_error(
        &e,
        ErrorKind::AuthenticationFailed,
        &["Password is incorrect", USER],
    );
    assert!(!e.message.contains("classic"), "{}", e.message);
    assert!(e.hint.unwrap().contains("password source"));
}

/// A password for a locked account (the policy shows lock-out failures):
/// Okta answers with the unlock flow alone, `select-authenticator-unlock-
/// account` next to `cancel` (okta-signin-widget
/// `src/v3/src/mocks/response/idp/idx/identify/unlock-account.json`), with
/// or without a message; in any language, it reads "locked".
#[test]
fn locked_account_answered_with_the_unlock_flow_says_locked() {
    let german = (
        "Ihr Konto ist gesperrt. Wenden Sie sich an den Administrator.".to_string(),
        "errors.E0000119".to_string(),
    );
    let english = (
        "Your account is locked. Please contact your administrator.".to_string(),
        "errors.E0000119".to_string(),
    );
    for message in [None, Some(english), Some(german)] {
        for authenticators in [vec![], vec![ov(Some(Push::Approve(0)), None, None)]] {
            let mut u = user();
            u.authenticators = authenticators;
            u.locked = true;
            u.locked_message = message.clone();
            let o = org_with(u);
            let e = err(&services().build(), &request(&o.link));
            assert_eq!(e.kind, ErrorKind::AccessDenied, "{message:?}");
            assert_eq!(
                e.message,
                format!("the Okta account {USER} is locked"),
                "{message:?}"
            );
            assert!(!e.message.contains("refused"));
            let hint = e.hint.unwrap();
            assert!(hint.contains("Unlock account"), "{hint}");
            assert!(hint.contains(&o._server.base_url()), "{hint}");
            assert_eq!(o.idx.lock().unwrap().pushes_sent, 0);
        }
    }
}

#[test]
fn expired_password_and_enrolment_have_their_own_messages() {
    let mut u = user();
    u.password_expired = true;
    let e = err(&services().build(), &request(&org_with(u).link));
    assert!(e.message.contains("has expired"), "{}", e.message);
    let mut u = user();
    u.must_enroll = true;
    let e = err(&services().build(), &request(&org_with(u).link));
    assert_error(&e, ErrorKind::BrowserRequired, &["set up an authenticator"]);
}

#[test]
fn password_expiring_soon_is_a_warning_and_skipped() {
    let mut u = user();
    u.password_warn = true;
    let o = org_with(u);
    let s = services().build();
    o.signs_in(&s);
    assert_eq!(o.idx.lock().unwrap().count("/idp/idx/skip"), 1);
    let logs = format!("{:?}", s.record().logs);
    assert!(logs.contains("expire in 3 days"), "{logs}");
}

#[test]
fn rate_limited_sign_in_says_when_it_resets() {
    let o = org(IdxConfig {
        rate_limited_identify: true,
        ..IdxConfig::with_user(user())
    });
    let e = err(&services().build(), &request(&o.link));
    assert!(e.message.contains("rate-limiting"), "{}", e.message);
    assert!(e.message.contains("UTC (in 4"), "{}", e.message);
}

#[test]
fn unknown_flow_option_is_a_config_error() {
    let o = org_with(user());
    let e = err(
        &services().build(),
        &with_option(request(&o.link), "flow", "magic"),
    );
    assert_error(&e, ErrorKind::Config, &["flow=magic"]);
    let e = err(
        &services().build(),
        &with_option(request(&o.link), "flow", "device"),
    );
    assert!(e.message.contains("client-id"), "{}", e.message);
}

// --- authenticators --------------------------------------------------------

#[test]
fn push_with_number_challenge_sends_one_push_and_shows_the_number_once() {
    let o = org_with(user().with(Authenticator::push(2, Some(42))));
    let s = services().build();
    o.signs_in(&s);
    let st = o.idx.lock().unwrap();
    assert_eq!(st.pushes_sent, 1);
    assert_eq!(st.polls, 3);
    let notices = s.notices();
    let taps: Vec<_> = notices.iter().filter(|n| n.contains("tap 42")).collect();
    assert_eq!(taps.len(), 1, "{notices:?}");
    assert_eq!(s.password_requests(), 1);
}

#[test]
fn push_reject_expiry_and_our_timeout_are_distinct_errors() {
    let cases = [
        (Push::Reject, ErrorKind::MfaRejected, "rejected"),
        (Push::Expire, ErrorKind::MfaTimeout, "expired"),
    ];
    for (push, kind, text) in cases {
        let o = org_with(user().with(ov(Some(push), None, None)));
        let e = err(&services().build(), &request(&o.link));
        assert_eq!(e.kind, kind, "{push:?}: {}", e.message);
        assert!(e.message.contains(text), "{}", e.message);
        assert_eq!(o.idx.lock().unwrap().pushes_sent, 1);
    }
    let o = org_with(user().with(ov(Some(Push::Never), None, None)));
    let mut req = request(&o.link);
    req.mfa.timeout_secs = 1;
    let e = err(&services().build(), &req);
    assert_error(&e, ErrorKind::MfaTimeout, &["within 1 s"]);
    assert_eq!(o.idx.lock().unwrap().pushes_sent, 1);
}

#[test]
fn rate_limited_push_poll_backs_off_instead_of_failing() {
    let o = org(IdxConfig {
        rate_limited_polls: 2,
        ..IdxConfig::with_user(push_user())
    });
    let s = services().build();
    o.signs_in(&s);
    let st = o.idx.lock().unwrap();
    assert_eq!(st.pushes_sent, 1);
    assert_eq!(st.polls, 3);
}

#[test]
fn okta_verify_code_uses_the_totp_field() {
    let o = org_with(user().with(ov(Some(Push::Approve(0)), None, Some("123456"))));
    let s = services().mfa_codes(["123456"]).build();
    assert_saml(&login(&s, &with_factor(request(&o.link), "totp")).unwrap());
    assert_eq!(o.idx.lock().unwrap().pushes_sent, 0);
    let prompts = s.record().mfa_requests;
    assert!(
        prompts.iter().any(|p| p.contains("Okta Verify code")),
        "{prompts:?}"
    );
}

#[test]
fn google_authenticator_email_and_sms_codes() {
    let cases = [
        (
            Authenticator::Google {
                code: "222222".into(),
            },
            "totp:google",
            "222222",
            "Google Authenticator code",
        ),
        (
            Authenticator::Email {
                code: "333333".into(),
            },
            "email",
            "333333",
            "Email code",
        ),
        (
            Authenticator::Phone {
                code: "444444".into(),
            },
            "sms",
            "444444",
            "SMS code",
        ),
        (
            Authenticator::Phone {
                code: "444444".into(),
            },
            "call",
            "444444",
            "Voice call code",
        ),
    ];
    for (a, factor, code, prompt) in cases {
        let o = org_with(user().with(a));
        let s = services().mfa_codes([code]).build();
        assert_saml(&login(&s, &with_factor(request(&o.link), factor)).unwrap());
        let prompts = s.record().mfa_requests;
        assert!(
            prompts.iter().any(|p| p.contains(prompt)),
            "{factor}: {prompts:?}"
        );
    }
}

#[test]
fn a_challenge_okta_opened_itself_is_switched_when_another_was_asked_for() {
    let both = || {
        user()
            .with(Authenticator::Email {
                code: "333333".into(),
            })
            .with(Authenticator::push(0, None))
    };
    let cfg = |u| IdxConfig {
        auto_challenge_first: true,
        ..IdxConfig::with_user(u)
    };
    // --mfa-factor push: no code prompt, one push.
    let o = org(cfg(both()));
    let s = services().build();
    assert_saml(&login(&s, &with_factor(request(&o.link), "push")).unwrap());
    assert_eq!(o.idx.lock().unwrap().pushes_sent, 1);
    assert!(s.record().mfa_requests.is_empty());
    // No terminal, no code command: push instead of the emailed code.
    let o = org(cfg(both()));
    assert_saml(&login(&services().build(), &req_for(&o.link, false)).unwrap());
    assert_eq!(o.idx.lock().unwrap().pushes_sent, 1);
    // At a terminal without --mfa-factor: Okta's choice (the email code).
    let o = org(cfg(both()));
    let s = services().mfa_codes(["333333"]).build();
    o.signs_in(&s);
    assert_eq!(o.idx.lock().unwrap().pushes_sent, 0);
}

#[test]
fn a_push_okta_sent_itself_is_polled_not_sent_again() {
    // Okta's `autoChallenge`: after the password the state already carries
    // `challenge-poll` for Okta Verify push next to the select form
    // (okta-signin-widget mock authenticator-verification-okta-verify-push-autoChallenge-on).
    let push_first = || {
        user()
            .with(Authenticator::push(1, Some(37)))
            .with(Authenticator::Email {
                code: "333333".into(),
            })
    };
    let cfg = |u| IdxConfig {
        auto_challenge_first: true,
        ..IdxConfig::with_user(u)
    };
    for interactive in [true, false] {
        let o = org(cfg(push_first()));
        let s = services().build();
        assert_saml(&login(&s, &req_for(&o.link, interactive)).unwrap());
        let st = o.idx.lock().unwrap();
        assert_eq!(st.pushes_sent, 1, "interactive={interactive}");
        assert!(s.record().menus.is_empty(), "no menu while a push is out");
        assert!(s.record().mfa_requests.is_empty());
        let notices = s.notices();
        assert_eq!(
            notices.iter().filter(|n| n.contains("tap 37")).count(),
            1,
            "{notices:?}"
        );
    }
    // --mfa-factor email: Okta's push is left alone, the email code is used.
    let o = org(cfg(push_first()));
    let s = services().mfa_codes(["333333"]).build();
    assert_saml(&login(&s, &with_factor(request(&o.link), "email")).unwrap());
    assert_eq!(o.idx.lock().unwrap().pushes_sent, 1);
    assert_eq!(s.record().mfa_requests.len(), 1);
}

#[test]
fn the_verification_data_step_picks_the_method_chosen_before() {
    // Okta's `authenticator-verification-data`: after selecting Phone or
    // Email, one more form names the method before a code is sent.
    let cfg = |u| IdxConfig {
        verification_data_step: true,
        ..IdxConfig::with_user(u)
    };
    let phone = || {
        user().with(Authenticator::Phone {
            code: "444444".into(),
        })
    };
    for (factor, label) in [("sms", "sms code"), ("call", "voice call code")] {
        let o = org(cfg(phone()));
        let s = services().mfa_codes(["444444"]).build();
        assert_saml(&login(&s, &with_factor(request(&o.link), factor)).unwrap());
        let st = o.idx.lock().unwrap();
        assert_eq!(st.codes_sent, 1, "{factor}");
        let prompts = s.record().mfa_requests;
        assert_eq!(prompts.len(), 1, "{factor}: {prompts:?}");
        assert!(
            prompts[0].to_lowercase().contains(label),
            "{factor}: {prompts:?}"
        );
    }
    // From the menu (SMS or voice), then Email with a code command.
    let o = org(cfg(phone()));
    let s = services().choices([1]).mfa_codes(["444444"]).build();
    o.signs_in(&s);
    assert_eq!(s.record().menus.len(), 1, "one menu, not one per step");
    assert!(s.record().mfa_requests[0]
        .to_lowercase()
        .contains("voice call code"));
    let o = org(cfg(user().with(Authenticator::Email {
        code: "555555".into(),
    })));
    let s = services().mfa_codes(["555555"]).build();
    let mut req = req_for(&o.link, false);
    req.mfa.code_source = true;
    assert_saml(&login(&s, &req).unwrap());
    assert_eq!(o.idx.lock().unwrap().codes_sent, 1);
}

#[test]
fn an_org_that_does_not_name_its_engine_signs_in_through_idx() {
    // No `/.well-known/okta-organization` (a proxy, an older fake): the
    // app link's sign-in page shows the IDX transaction.
    let o = org(IdxConfig {
        well_known: false,
        ..IdxConfig::with_user(push_user())
    });
    let s = services().build();
    o.signs_in(&s);
    let st = o.idx.lock().unwrap();
    assert_eq!(st.count("/idp/idx/identify"), 1);
    assert_eq!(st.count("/api/v1/authn"), 0);
    assert_eq!(st.pushes_sent, 1);
    assert_eq!(s.password_requests(), 1);
}

#[test]
fn terminal_refusals_after_the_password_are_not_called_a_wrong_password() {
    let cases = [
        (
            "You do not have permission to perform the requested action.",
            "security.access_denied",
            "policy denied",
        ),
        (
            "User is not assigned to this application.",
            "idx.error.user.not.assigned.to.app",
            "not assigned",
        ),
        (
            "Unable to login to \"AWS\" at this time.",
            "oie.assurance.unsatisfiable",
            "policy denied",
        ),
    ];
    for (text, key, says) in cases {
        let mut u = user();
        u.refusal = Some((text.into(), key.into()));
        let o = org_with(u);
        let e = err(&services().build(), &request(&o.link));
        assert_eq!(e.kind, ErrorKind::AccessDenied, "{key}: {}", e.message);
        assert!(e.message.contains(says), "{key}: {}", e.message);
        assert!(!e.message.contains("username or password"), "{}", e.message);
        assert!(e.hint.is_some());
    }
    // Device assurance: not something a headless client can fix; the
    // device flow may be.
    let mut u = user();
    u.refusal = Some((
        "Your device must have a lock screen.".into(),
        "idx.error.code.access_denied.device_assurance.remediation.macos.use_lock_screen".into(),
    ));
    let o = org_with(u);
    let e = err(&services().build(), &request(&o.link));
    assert_eq!(e.kind, ErrorKind::BrowserRequired, "{}", e.message);
    assert!(e.message.contains("device assurance"), "{}", e.message);
    assert!(e.hint.unwrap_or_default().contains("client-id"));
}

/// Answers that end an OIE sign-in, in the shapes of okta-signin-widget's
/// mocks (`sandbox::okta_idx::answers`): each is a named outcome, never
/// "wrong password" or a bare HTTP status.
#[test]
fn terminal_idx_answers_from_oktas_mocks_are_named() {
    type Fixture = fn(&str) -> answers::Answer;
    let cases: [(Fixture, &str, ErrorKind); 8] = [
        (
            answers::session_expired,
            "the Okta sign-in transaction expired (You have been logged out due to inactivity",
            ErrorKind::Other,
        ),
        (
            answers::verification_timed_out,
            "the Okta sign-in transaction expired (Verification timed out",
            ErrorKind::Other,
        ),
        (
            answers::too_many_requests,
            "Okta is rate-limiting this sign-in: Too many requests",
            ErrorKind::Other,
        ),
        (
            answers::sms_rate_limit,
            "Okta is rate-limiting this sign-in: You have reached the limit of sms requests",
            ErrorKind::Other,
        ),
        (
            answers::voice_rate_limit,
            "Okta is rate-limiting this sign-in: You have reached the limit of call requests",
            ErrorKind::Other,
        ),
        (
            answers::network_policy_block,
            "Okta's network policy blocked this sign-in (Forbidden: Access denied by network policy)",
            ErrorKind::Other,
        ),
        (
            answers::fastpass_device_challenge,
            "Okta's policy cannot be satisfied without a browser: the app's sign-in policy asks for Okta FastPass or a device check",
            ErrorKind::BrowserRequired,
        ),
        (
            answers::password_suspended,
            "Okta suspended this authenticator of monty@example.com after too many failed attempts",
            ErrorKind::AccessDenied,
        ),
    ];
    for (fixture, needle, kind) in cases {
        let mut u = user();
        u.answer_after_password = Some(fixture);
        let o = org_with(u);
        let e = err(&services().build(), &request(&o.link));
        assert!(e.message.contains(needle), "{needle}: {}", e.message);
        assert_eq!(e.kind, kind, "{}", e.message);
        assert!(!e.message.contains("username or password"), "{}", e.message);
        assert!(e.hint.is_some(), "{needle}");
        // A named refusal is not blamed on the classic API.
        assert_eq!(o.idx.lock().unwrap().count("/api/v1/authn"), 0);
    }
}

#[test]
fn totp_prefers_okta_verify_then_google() {
    let o = org_with(
        user()
            .with(Authenticator::Google {
                code: "222222".into(),
            })
            .with(ov(None, None, Some("111111"))),
    );
    let s = services().mfa_codes(["111111"]).build();
    assert_saml(&login(&s, &with_factor(request(&o.link), "totp")).unwrap());
}

#[test]
fn wrong_code_shows_oktas_message() {
    let google = || {
        user().with(Authenticator::Google {
            code: "222222".into(),
        })
    };
    // A code command: one try.
    let o = org_with(google());
    let s = services().mfa_codes(["999999"]).build();
    let mut req = request(&o.link);
    req.mfa.code_source = true;
    let e = err(&s, &req);
    assert_error(&e, ErrorKind::MfaRejected, &["Invalid code. Try again"]);
    // A person at the terminal: Okta's words, then another try.
    let o = org_with(google());
    let s = services().mfa_codes(["999999", "222222"]).build();
    o.signs_in(&s);
    assert!(
        s.notices().iter().any(|n| n.contains("Invalid code")),
        "{:?}",
        s.notices()
    );
    // Three wrong tries end it.
    let o = org_with(google());
    let s = services().mfa_codes(["1", "2", "3"]).build();
    let e = err(&s, &request(&o.link));
    assert_error(&e, ErrorKind::MfaRejected, &["Invalid code. Try again"]);
}

#[test]
fn several_authenticators_menu_or_push_without_terminal() {
    let both = || {
        user()
            .with(Authenticator::Email {
                code: "333333".into(),
            })
            .with(Authenticator::push(0, None))
    };
    // Menu: Email first, Okta Verify push second.
    let o = org_with(both());
    let s = services().choices([1]).build();
    o.signs_in(&s);
    assert_eq!(o.idx.lock().unwrap().pushes_sent, 1);
    // No terminal: push.
    let o = org_with(both());
    let mut req = request(&o.link);
    req.interactive = false;
    assert_saml(&login(&services().build(), &req).unwrap());
    assert_eq!(o.idx.lock().unwrap().pushes_sent, 1);
    // No terminal and only codes: a clear error.
    let o = org_with(user().with(Authenticator::Email { code: "3".into() }));
    let e = err(&services().build(), &req_for(&o.link, false));
    assert_eq!(e.kind, ErrorKind::NoTerminal);
}

fn req_for(link: &str, interactive: bool) -> LoginRequest {
    let mut r = request(link);
    r.interactive = interactive;
    r
}

#[test]
fn mfa_factor_not_offered_lists_what_is() {
    let o = org_with(push_user());
    let e = err(&services().build(), &with_factor(request(&o.link), "sms"));
    assert_error(&e, ErrorKind::Config, &["Okta Verify push"]);
}

#[test]
fn unsupported_authenticators_are_named_and_point_to_the_device_flow() {
    for (a, name) in [
        (Authenticator::WebAuthn, "WebAuthn"),
        (Authenticator::FastPass, "FastPass"),
        (Authenticator::Duo, "Duo"),
    ] {
        let o = org_with(user().with(a));
        let e = err(&services().build(), &request(&o.link));
        assert_eq!(e.kind, ErrorKind::BrowserRequired, "{name}");
        assert!(e.message.contains(name), "{}", e.message);
        assert!(e.hint.unwrap().contains("client-id"));
    }
}

// --- sessions ----------------------------------------------------------------

#[test]
fn session_cookies_are_reused_and_an_expired_session_falls_back_silently() {
    let dir = tempfile::tempdir().unwrap();
    let o = org_with(user().with(Authenticator::push(0, Some(7))));
    let first = services().session_dir(dir.path()).build();
    assert_saml(&login(&first, &request(&o.link)).unwrap());
    let before = o.idx.lock().unwrap().requests.len();

    let second = services().session_dir(dir.path()).build();
    assert_saml(&login(&second, &request(&o.link)).unwrap());
    assert_eq!(second.password_requests(), 0);
    {
        let st = o.idx.lock().unwrap();
        assert_eq!(st.pushes_sent, 1, "no second push");
        assert_eq!(
            st.requests.len() - before,
            1,
            "{:?}",
            &st.requests[before..]
        );
    }
    let files: Vec<_> = std::fs::read_dir(dir.path().join("sessions"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        assert!(!text.contains(PASSWORD));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(f).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }

    o.idx.lock().unwrap().expire_sessions();
    let third = services().session_dir(dir.path()).build();
    assert_saml(&login(&third, &request(&o.link)).unwrap());
    assert_eq!(third.password_requests(), 1);
    assert_eq!(o.idx.lock().unwrap().pushes_sent, 2);
}

#[test]
fn step_up_after_classic_success_continues_through_idx() {
    let o = org(IdxConfig {
        classic_password_only: true,
        ..IdxConfig::with_user(user().with(Authenticator::push(0, Some(3))))
    });
    let s = services().build();
    let b64 = login(&s, &with_option(request(&o.link), "flow", "classic")).unwrap();
    assert_saml(&b64);
    let st = o.idx.lock().unwrap();
    assert_eq!(st.count("/api/v1/authn"), 1);
    assert_eq!(st.count("/idp/idx/introspect"), 1);
    assert_eq!(st.pushes_sent, 1);
    assert_eq!(s.password_requests(), 1);
}

#[test]
fn auto_falls_back_to_classic_with_idx_step_up_and_one_password_prompt() {
    let o = org(IdxConfig {
        classic_password_only: true,
        identify_unavailable: true,
        ..IdxConfig::with_user(push_user())
    });
    let s = services().build();
    o.signs_in(&s);
    assert_eq!(s.password_requests(), 1, "one prompt for both attempts");
    let st = o.idx.lock().unwrap();
    assert_eq!(st.count("/api/v1/authn"), 1);
    assert_eq!(st.pushes_sent, 1);
}

// --- device authorization -----------------------------------------------------

#[test]
fn device_flow_shows_the_code_and_needs_no_password() {
    let o = org(IdxConfig {
        device_approve_after: Some(2),
        ..IdxConfig::with_user(user())
    });
    let client = o.idx.lock().unwrap().config.device_client_id.clone();
    let s = TestServices::new().fast_sleep().build();
    let b64 = login(&s, &with_option(request(&o.link), "client-id", &client)).unwrap();
    assert_saml(&b64);
    assert_eq!(s.password_requests(), 0);
    let notices = s.notices();
    assert!(
        notices
            .iter()
            .any(|n| n.contains("/activate") && n.contains("WDJB-MJHT")),
        "{notices:?}"
    );
    let st = o.idx.lock().unwrap();
    assert_eq!(st.device_polls, 3);
    assert_eq!(st.count("/login/token/sso"), 1);
}

#[test]
fn device_flow_redeems_the_web_sso_token_with_get_when_post_is_refused() {
    let o = org(IdxConfig {
        sso_get_only: true,
        ..IdxConfig::with_user(user())
    });
    let client = o.idx.lock().unwrap().config.device_client_id.clone();
    let s = TestServices::new().fast_sleep().build();
    assert_saml(&login(&s, &with_option(request(&o.link), "client-id", &client)).unwrap());
    let st = o.idx.lock().unwrap();
    assert_eq!(st.count("/login/token/sso"), 2);
}

#[test]
fn device_flow_slows_down_when_asked_and_reports_expiry() {
    let o = org(IdxConfig {
        device_slow_down_first: true,
        device_approve_after: Some(2),
        ..IdxConfig::with_user(user())
    });
    let client = o.idx.lock().unwrap().config.device_client_id.clone();
    let s = TestServices::new().fast_sleep().build();
    assert_saml(&login(&s, &with_option(request(&o.link), "client-id", &client)).unwrap());
    // interval 1 s, then 6 s after slow_down: 1 + 6 + 6 seconds asked for.
    assert!(
        s.record().slept >= std::time::Duration::from_secs(13),
        "{:?}",
        s.record().slept
    );

    let o = org(IdxConfig {
        device_approve_after: None,
        device_expire_after: Some(2),
        ..IdxConfig::with_user(user())
    });
    let e = err(
        &TestServices::new().fast_sleep().build(),
        &with_option(request(&o.link), "client-id", &client),
    );
    assert_error(&e, ErrorKind::MfaTimeout, &["expired"]);
}

#[test]
fn device_flow_errors_name_the_client_id_and_the_web_sso_setting() {
    let o = org_with(user());
    let e = err(
        &TestServices::new().fast_sleep().build(),
        &with_option(request(&o.link), "client-id", "0oa-wrong"),
    );
    assert_error(&e, ErrorKind::Config, &["0oa-wrong", "invalid_client"]);

    let o = org(IdxConfig {
        web_sso_allowed: false,
        ..IdxConfig::with_user(user())
    });
    let client = o.idx.lock().unwrap().config.device_client_id.clone();
    let e = err(
        &TestServices::new().fast_sleep().build(),
        &with_option(request(&o.link), "client-id", &client),
    );
    assert_eq!(e.kind, ErrorKind::Config);
    assert!(e.hint.unwrap().contains("Allowed Web SSO Client"));
}

/// Okta answers client errors in OAuth's shape or in its own
/// (`errorCode`, `errorSummary`, `errorLink`, `errorId`, `errorCauses`:
/// okta/okta-idx-java issue 500). Either way an unknown client id is named
/// as such, and every other error shows Okta's own summary.
#[test]
fn device_flow_errors_read_in_either_of_oktas_shapes() {
    for okta_shape in [false, true] {
        let config = |c: IdxConfig| IdxConfig {
            oauth_errors_in_okta_shape: okta_shape,
            ..c
        };
        let o = org(config(IdxConfig::with_user(user())));
        let e = err(
            &TestServices::new().fast_sleep().build(),
            &with_option(request(&o.link), "client-id", "0oa-unknown"),
        );
        assert_eq!(e.kind, ErrorKind::Config, "{okta_shape}: {e:?}");
        assert_eq!(
            e.message,
            "Okta does not know the OIDC client id 0oa-unknown (invalid_client: Invalid value for 'client_id' parameter)",
            "okta shape {okta_shape}"
        );
        assert!(e.hint.unwrap().contains("--plugin-option client-id"));

        let o = org(config(IdxConfig {
            device_grant: false,
            ..IdxConfig::with_user(user())
        }));
        let client = o.idx.lock().unwrap().config.device_client_id.clone();
        let e = err(
            &TestServices::new().fast_sleep().build(),
            &with_option(request(&o.link), "client-id", &client),
        );
        assert_eq!(e.kind, ErrorKind::Config, "{okta_shape}: {e:?}");
        assert!(
            e.message.contains("may not use the device flow (unauthorized_client: The client is not authorized to use the provided grant type"),
            "{okta_shape}: {}",
            e.message
        );
        assert_eq!(
            e.message.contains("error id oae"),
            okta_shape,
            "{}",
            e.message
        );
        assert!(e.hint.unwrap().contains("Device Authorization"));

        let o = org(config(IdxConfig {
            device_approve_after: None,
            device_expire_after: Some(1),
            ..IdxConfig::with_user(user())
        }));
        let client = o.idx.lock().unwrap().config.device_client_id.clone();
        let e = err(
            &TestServices::new().fast_sleep().build(),
            &with_option(request(&o.link), "client-id", &client),
        );
        assert_eq!(e.kind, ErrorKind::MfaTimeout, "{okta_shape}: {e:?}");

        let o = org(config(IdxConfig {
            web_sso_allowed: false,
            ..IdxConfig::with_user(user())
        }));
        let client = o.idx.lock().unwrap().config.device_client_id.clone();
        let e = err(
            &TestServices::new().fast_sleep().build(),
            &with_option(request(&o.link), "client-id", &client),
        );
        assert!(
            e.message.contains("'web_sso_token'"),
            "{okta_shape}: {}",
            e.message
        );
        assert!(e.hint.unwrap().contains("Allowed Web SSO Client"));
    }
}

// --- numbers for BENCHMARKS.md --------------------------------------------------

/// IdP requests per OIE path, as the fake counts them (BENCHMARKS.md).
#[test]
fn idp_requests_per_path() {
    let count = |u: IdxUser, req: fn(&str) -> LoginRequest, codes: &[&str]| {
        let o = org_with(u);
        let s = services().mfa_codes(codes.to_vec()).build();
        assert_saml(&login(&s, &req(&o.link)).unwrap());
        let st = o.idx.lock().unwrap();
        (st.requests.len(), st.count("/.well-known"))
    };
    // password only: well-known (first login of the day), app link 302,
    // sign-in page, introspect, identify, success redirect, app link.
    assert_eq!(count(user(), request, &[]), (7, 1));
    // + Okta Verify push approved on the second poll: challenge + 2 polls.
    assert_eq!(
        count(user().with(Authenticator::push(1, Some(42))), request, &[]),
        (10, 1)
    );
    // + a code (Google Authenticator): challenge + answer.
    assert_eq!(
        count(
            user().with(Authenticator::Google { code: "2".into() }),
            request,
            &["2"]
        ),
        (9, 1)
    );
}

/// A simulated working day (8 h): credentials refreshed every 45 min (1 h
/// STS credentials, refreshed 15 min before expiry), the Okta session
/// ending every 2 h. Counts what the user has to do (BENCHMARKS.md).
#[test]
fn prompts_per_working_day() {
    let run_day = |keep_sessions: bool| {
        let dir = tempfile::tempdir().unwrap();
        let o = org_with(user().with(Authenticator::push(0, Some(42))));
        let (mut passwords, mut logins) = (0, 0);
        for minute in (0..480).step_by(45) {
            if minute > 0 && minute / 120 != (minute - 45) / 120 {
                o.idx.lock().unwrap().expire_sessions();
            }
            let b = services();
            let s = if keep_sessions {
                b.session_dir(dir.path()).build()
            } else {
                b.build()
            };
            o.signs_in(&s);
            passwords += s.password_requests();
            logins += 1;
        }
        let pushes = o.idx.lock().unwrap().pushes_sent;
        (logins, passwords, pushes)
    };
    let kept = run_day(true);
    let fresh = run_day(false);
    println!("logins, password prompts, pushes with IdP session reuse: {kept:?}");
    println!("logins, password prompts, pushes without (--no-idp-session): {fresh:?}");
    assert_eq!(kept, (11, 4, 4));
    assert_eq!(fresh, (11, 11, 11));
}

#[test]
fn poll_under_current_authenticator_and_a_late_number_work_too() {
    let o = org(IdxConfig {
        poll_under_current_authenticator: true,
        number_after_first_poll: true,
        ..IdxConfig::with_user(user().with(Authenticator::push(2, Some(64))))
    });
    let s = services().build();
    o.signs_in(&s);
    assert_eq!(o.idx.lock().unwrap().pushes_sent, 1);
    let notices = s.notices();
    assert_eq!(
        notices.iter().filter(|n| n.contains("tap 64")).count(),
        1,
        "{notices:?}"
    );
    assert_eq!(
        notices.len(),
        2,
        "plain notice, then the number: {notices:?}"
    );
}

#[test]
fn auto_on_an_oie_org_without_idx_falls_back_to_the_classic_explanation() {
    // The classic fake in Identity Engine mode: pipeline idx, no IDX
    // transaction on its sign-in page, classic API refused.
    let mut c = sandbox::okta::OktaConfig::with_user(sandbox::okta::User::new(USER, PASSWORD));
    c.oie = true;
    let path = c.app_path();
    let (server, _okta) = sandbox::okta::start(c);
    let e = err(&services().build(), &request(&server.url(&path)));
    assert_error(&e, ErrorKind::NotSupported, &["Identity Engine"]);
}
