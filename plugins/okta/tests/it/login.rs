//! The plugin's `login`, in process, against the fake Okta org
//! (`sandbox::okta`), through the host's `TestServices`.

use plugin_api::{ErrorKind, LogLevel, LoginRequest, MfaSettings};
use plugin_testkit::{assert_error, decode_assertion, TestServices};
use sandbox::okta::{self, FactorSpec, Okta, OktaConfig, PushOutcome, User, UserStatus};
use sandbox::Server;

use crate::common::{err, login, services, with_factor, PASSWORD, USER};

struct Org {
    _server: Server,
    okta: Okta,
    link: String,
}

fn org(config: OktaConfig) -> Org {
    let path = config.app_path();
    let (server, okta) = okta::start(config);
    Org {
        link: server.url(&path),
        _server: server,
        okta,
    }
}

fn org_with(factors: Vec<FactorSpec>) -> Org {
    org(OktaConfig::with_user(
        User::new(USER, PASSWORD).factors(factors),
    ))
}

/// The shared request, for the role `okta-dev`.
fn request(link: &str) -> LoginRequest {
    crate::common::request(link).with_role_arn("arn:aws:iam::123456789012:role/okta-dev")
}

fn assert_okta_dev(b64: &str) {
    let xml = decode_assertion(b64);
    assert!(
        xml.contains("arn:aws:iam::123456789012:role/okta-dev"),
        "{xml}"
    );
    assert!(xml.contains("arn:aws:iam::123456789012:saml-provider/okta"));
}

fn logs(s: &TestServices) -> String {
    s.record()
        .logs
        .iter()
        .map(|(l, m)| format!("{l:?} {m}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn totp(provider: &str, code: &str) -> FactorSpec {
    FactorSpec::Totp {
        provider: provider.into(),
        code: code.into(),
    }
}

fn sms() -> FactorSpec {
    FactorSpec::Sms {
        phone: "+15555551234".into(),
        code: "333333".into(),
    }
}

// --- primary authentication -------------------------------------------

#[test]
fn success_without_mfa_returns_the_assertion_and_hides_tokens() {
    let o = org_with(vec![]);
    let s = services().build();
    let b64 = login(&s, &request(&o.link)).unwrap();
    assert_okta_dev(&b64);
    let st = o.okta.lock().unwrap();
    assert_eq!(st.authn_calls, 1);
    assert_eq!(st.sessions_created, 1);
    assert_eq!(s.password_requests(), 1);
    let secrets = s.record().secrets;
    for sid in st.sessions.keys() {
        assert!(secrets.contains(sid), "session id not registered as secret");
    }
    assert!(secrets.contains(&b64), "assertion not registered as secret");
    assert!(!logs(&s).contains(PASSWORD));
}

#[test]
fn wrong_password_is_an_authentication_error() {
    let o = org_with(vec![]);
    let s = TestServices::new().password("wrong").build();
    let e = err(&s, &request(&o.link));
    assert_error(
        &e,
        ErrorKind::AuthenticationFailed,
        &["rejected the username or password for monty@example.com"],
    );
    assert!(!e.message.contains("wrong"));
}

#[test]
fn account_states_have_their_own_messages() {
    let cases = [
        (
            UserStatus::LockedOut,
            ErrorKind::AccessDenied,
            "is locked out",
        ),
        (
            UserStatus::PasswordExpired,
            ErrorKind::AccessDenied,
            "password of monty@example.com has expired",
        ),
        (
            UserStatus::MfaEnroll,
            ErrorKind::BrowserRequired,
            "to set up a second factor first",
        ),
    ];
    for (status, kind, text) in cases {
        let o = org(OktaConfig::with_user(
            User::new(USER, PASSWORD).status(status),
        ));
        let e = err(&services().build(), &request(&o.link));
        assert_eq!(e.kind, kind, "{status:?}: {}", e.message);
        assert!(e.message.contains(text), "{status:?}: {}", e.message);
        assert!(e.hint.is_some());
    }
}

#[test]
fn password_warning_is_shown_and_skipped() {
    let o = org(OktaConfig::with_user(
        User::new(USER, PASSWORD).status(UserStatus::PasswordWarn),
    ));
    let s = services().build();
    assert_okta_dev(&login(&s, &request(&o.link)).unwrap());
    let warned = s
        .record()
        .logs
        .iter()
        .any(|(l, m)| *l == LogLevel::Warn && m.contains("expires in 4 days"));
    assert!(warned, "{}", logs(&s));
}

#[test]
fn rate_limit_says_when_it_resets() {
    let mut c = OktaConfig::with_user(User::new(USER, PASSWORD));
    c.rate_limited = true;
    let o = org(c);
    let e = err(&services().build(), &request(&o.link));
    assert!(e.message.contains("rate-limiting"), "{}", e.message);
    assert!(e.message.contains("UTC (in 4"), "{}", e.message);
}

#[test]
fn identity_engine_org_is_named_with_what_to_do() {
    let mut c = OktaConfig::with_user(User::new(USER, PASSWORD));
    c.oie = true;
    let o = org(c);
    // Only when the classic flow is forced: `auto` signs in through IDX.
    let mut req = request(&o.link);
    req.options.insert("flow".into(), "classic".into());
    let e = err(&services().build(), &req);
    assert_error(&e, ErrorKind::NotSupported, &["Okta Identity Engine org"]);
    assert!(e.hint.unwrap().contains("Classic Authentication API"));
}

// --- push -----------------------------------------------------------------

#[test]
fn rate_limited_push_poll_backs_off_per_the_reset_header() {
    let mut c = OktaConfig::with_user(User::new(USER, PASSWORD).factors(vec![FactorSpec::push(0)]));
    c.rate_limited_polls = 2;
    let o = org(c);
    let s = services().build();
    assert_okta_dev(&login(&s, &request(&o.link)).unwrap());
    let st = o.okta.lock().unwrap();
    assert_eq!(st.pushes_sent, 1);
    assert_eq!(st.polls, 3);
}

#[test]
fn wrong_code_shows_oktas_own_text() {
    let o = org_with(vec![totp("GOOGLE", "123456")]);
    let s = TestServices::new()
        .password(PASSWORD)
        .mfa_codes(["000000"])
        .build();
    let mut r = request(&o.link);
    r.mfa.code_source = true;
    let e = err(&s, &r);
    assert_error(
        &e,
        ErrorKind::MfaRejected,
        &["Your passcode doesn't match our records"],
    );
}

#[test]
fn push_waits_and_never_sends_a_second_push() {
    let o = org_with(vec![FactorSpec::push(3)]);
    let s = services().build();
    assert_okta_dev(&login(&s, &request(&o.link)).unwrap());
    let st = o.okta.lock().unwrap();
    assert_eq!(st.pushes_sent, 1);
    assert_eq!(st.polls, 4);
    assert_eq!(s.notices().len(), 1, "{:?}", s.notices());
    assert!(s.notices()[0].contains("approve"));
}

#[test]
fn number_challenge_is_shown_once() {
    let o = org_with(vec![FactorSpec::Push {
        waiting_polls: 2,
        outcome: PushOutcome::Approve,
        number: Some(42),
    }]);
    let s = services().build();
    login(&s, &request(&o.link)).unwrap();
    assert_eq!(
        s.notices(),
        vec!["Okta Verify: tap 42 on your phone to approve the sign-in".to_string()]
    );
}

#[test]
fn rejected_and_expired_push_are_distinct_errors() {
    for (outcome, kind, text) in [
        (PushOutcome::Reject, ErrorKind::MfaRejected, "rejected"),
        (PushOutcome::Timeout, ErrorKind::MfaTimeout, "expired"),
    ] {
        let o = org_with(vec![FactorSpec::Push {
            waiting_polls: 1,
            outcome,
            number: None,
        }]);
        let e = err(&services().build(), &request(&o.link));
        assert_eq!(e.kind, kind, "{}", e.message);
        assert!(e.message.contains(text), "{}", e.message);
        let st = o.okta.lock().unwrap();
        assert_eq!(st.pushes_sent, 1);
        assert_eq!(st.cancels, 1, "the transaction is cancelled");
    }
}

#[test]
fn push_wait_is_bounded_by_the_mfa_timeout() {
    let o = org_with(vec![FactorSpec::Push {
        waiting_polls: 0,
        outcome: PushOutcome::Never,
        number: None,
    }]);
    // Real sleeps: the deadline is wall-clock time.
    let s = TestServices::new().password(PASSWORD).build();
    let mut r = request(&o.link);
    r.mfa = MfaSettings::new().with_timeout_secs(1);
    let started = std::time::Instant::now();
    let e = err(&s, &r);
    assert_error(&e, ErrorKind::MfaTimeout, &["within 1 s"]);
    assert!(e.hint.unwrap().contains("--mfa-timeout"));
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(o.okta.lock().unwrap().pushes_sent, 1);
}

// --- codes ----------------------------------------------------------------

#[test]
fn totp_by_name_with_provider_and_a_retry_after_a_typo() {
    let o = org_with(vec![
        FactorSpec::push(0),
        totp("OKTA", "111111"),
        totp("GOOGLE", "222222"),
    ]);
    let s = services()
        .mfa_codes(["000000", "222222"])
        .interactive(true)
        .build();
    assert_okta_dev(&login(&s, &with_factor(request(&o.link), "totp:google")).unwrap());
    let rec = s.record();
    assert_eq!(rec.mfa_requests, vec!["Google Authenticator code: "; 2]);
    assert!(rec.notices.iter().any(|n| n.contains("did not accept")));
    let st = o.okta.lock().unwrap();
    assert_eq!(st.code_attempts, 2);
    assert_eq!(st.pushes_sent, 0);
}

#[test]
fn wrong_code_from_a_command_fails_at_once() {
    let o = org_with(vec![totp("OKTA", "111111")]);
    let s = services().mfa_codes(["999999"]).interactive(false).build();
    let mut r = with_factor(request(&o.link), "totp");
    r.interactive = false;
    r.mfa.code_source = true;
    let e = err(&s, &r);
    assert_error(&e, ErrorKind::MfaRejected, &["Okta Verify code"]);
}

#[test]
fn sms_empty_answer_resends_the_code() {
    let o = org_with(vec![sms()]);
    let s = services().mfa_codes(["", "333333"]).build();
    assert_okta_dev(&login(&s, &request(&o.link)).unwrap());
    let st = o.okta.lock().unwrap();
    assert_eq!(st.resends, 1);
    assert_eq!(st.codes_sent, 2);
    let rec = s.record();
    assert!(
        rec.mfa_requests[0].starts_with("One-time code sent by SMS to +1 XXX-XXX-1234"),
        "{:?}",
        rec.mfa_requests
    );
    assert!(rec.notices.iter().any(|n| n.contains("new code")));
}

/// Asking for another SMS or call within 30 seconds: Okta answers HTTP
/// 429 with E0000109 / E0000133, which is not the org's rate limit.
#[test]
fn a_code_sent_moments_ago_is_named_not_called_a_rate_limit() {
    let call = FactorSpec::Call {
        phone: "+15555550000".into(),
        code: "12345".into(),
    };
    for (factor, okta_says) in [
        (sms(), "An SMS message was recently sent"),
        (call, "A phone call was recently made"),
    ] {
        let o = org(OktaConfig {
            code_sent_recently: true,
            ..OktaConfig::with_user(User::new(USER, PASSWORD).factors(vec![factor]))
        });
        let e = err(&services().mfa_codes(["111111"]).build(), &request(&o.link));
        assert!(
            e.message
                .contains("moments ago and will not send another yet"),
            "{}",
            e.message
        );
        assert!(e.message.contains(okta_says), "{}", e.message);
        assert!(!e.message.contains("rate-limiting"), "{}", e.message);
        assert_eq!(e.hint.as_deref(), Some("wait 30 seconds, then run again"));
    }
}

#[test]
fn call_email_yubikey_and_tokens_work() {
    let cases = [
        (
            FactorSpec::Call {
                phone: "+15555550000".into(),
                code: "12345".into(),
            },
            "call",
            "12345",
            "One-time code from the call to",
        ),
        (
            FactorSpec::Email {
                email: "monty@example.com".into(),
                code: "55555".into(),
            },
            "email",
            "55555",
            "One-time code emailed to m...@example.com",
        ),
        (
            FactorSpec::YubiKey {
                code: "cccccbhkevjk".into(),
            },
            "yubikey",
            "cccccbhkevjk",
            "YubiKey code (touch your YubiKey)",
        ),
        (
            FactorSpec::Token {
                provider: "RSA".into(),
                code: "87654321".into(),
            },
            "token:rsa",
            "87654321",
            "RSA SecurID code",
        ),
        (
            FactorSpec::Token {
                provider: "SYMANTEC".into(),
                code: "246810".into(),
            },
            "token:symantec",
            "246810",
            "Symantec VIP code",
        ),
    ];
    for (spec, name, code, prompt) in cases {
        let o = org_with(vec![FactorSpec::push(0), spec]);
        let s = services().mfa_codes([code]).build();
        let b64 = login(&s, &with_factor(request(&o.link), name))
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_okta_dev(&b64);
        assert!(
            s.record().mfa_requests[0].starts_with(prompt),
            "{name}: {:?}",
            s.record().mfa_requests
        );
        assert_eq!(o.okta.lock().unwrap().pushes_sent, 0, "{name}");
    }
}

// --- factor choice --------------------------------------------------------

#[test]
fn menu_when_several_factors_and_none_named() {
    let o = org_with(vec![
        FactorSpec::push(0),
        totp("OKTA", "111111"),
        FactorSpec::WebAuthn,
    ]);
    let s = services().choices([1]).mfa_codes(["111111"]).build();
    assert_okta_dev(&login(&s, &request(&o.link)).unwrap());
    let menus = s.record().menus;
    assert_eq!(menus.len(), 1);
    // Unusable factors are not offered.
    assert_eq!(
        menus[0].1,
        vec![
            "Okta Verify push to Monty's iPhone".to_string(),
            "Okta Verify code".into()
        ]
    );
    assert_eq!(o.okta.lock().unwrap().pushes_sent, 0);
}

#[test]
fn without_a_terminal_only_push_is_tried() {
    let o = org_with(vec![sms(), FactorSpec::push(0)]);
    let s = services().interactive(false).build();
    let mut r = request(&o.link);
    r.interactive = false;
    assert_okta_dev(&login(&s, &r).unwrap());
    assert!(s.record().menus.is_empty());
    assert_eq!(o.okta.lock().unwrap().pushes_sent, 1);
}

#[test]
fn without_a_terminal_codes_need_a_code_command() {
    let o = org_with(vec![totp("GOOGLE", "222222")]);
    let mut r = request(&o.link);
    r.interactive = false;
    let e = err(&services().interactive(false).build(), &r);
    assert_eq!(e.kind, ErrorKind::NoTerminal);
    let hint = e.hint.unwrap();
    assert!(
        hint.contains("--mfa-code-command") && hint.contains("--mfa-factor"),
        "{hint}"
    );

    let e = err(
        &services().interactive(false).build(),
        &with_factor(r.clone(), "totp"),
    );
    assert_eq!(e.kind, ErrorKind::NoTerminal);
    assert!(e.hint.unwrap().contains("--mfa-code-command"));

    r.mfa.code_source = true;
    let s = services().interactive(false).mfa_codes(["222222"]).build();
    assert_okta_dev(&login(&s, &r).unwrap());
}

#[test]
fn named_factor_must_be_enrolled_and_known() {
    let o = org_with(vec![FactorSpec::push(0)]);
    let e = err(&services().build(), &with_factor(request(&o.link), "sms"));
    assert_error(
        &e,
        ErrorKind::Config,
        &["Okta offers push (Okta Verify push"],
    );
    let e = err(
        &services().build(),
        &with_factor(request(&o.link), "pigeon"),
    );
    assert_eq!(e.kind, ErrorKind::Config);
}

#[test]
fn unsupported_factors_say_so() {
    let o = org_with(vec![FactorSpec::WebAuthn, FactorSpec::Duo]);
    let e = err(&services().build(), &request(&o.link));
    assert_eq!(e.kind, ErrorKind::BrowserRequired);
    assert!(
        e.message.contains("WebAuthn") && e.message.contains("Duo"),
        "{}",
        e.message
    );
    assert!(e.hint.is_some());
    let e = err(
        &services().build(),
        &with_factor(request(&o.link), "webauthn"),
    );
    assert_eq!(e.kind, ErrorKind::NotSupported);
}

// --- the app page ---------------------------------------------------------

#[test]
fn step_up_on_the_app_runs_the_factor_again() {
    let mut c = OktaConfig::with_user(User::new(USER, PASSWORD).factors(vec![FactorSpec::push(1)]));
    c.step_up = true;
    let o = org(c);
    let s = services().build();
    assert_okta_dev(&login(&s, &request(&o.link)).unwrap());
    let st = o.okta.lock().unwrap();
    assert_eq!(st.authn_calls, 2, "password + step-up transaction");
    assert_eq!(st.pushes_sent, 2);
    assert_eq!(st.app_hits, 2, "{:?}", st.requests);
    assert!(st
        .requests
        .iter()
        .any(|r| r.starts_with("GET /login/step-up/redirect")));
}

#[test]
fn step_up_without_the_sessions_api_uses_the_session_cookie() {
    let mut c =
        OktaConfig::with_user(User::new(USER, PASSWORD).factors(vec![totp("OKTA", "111111")]));
    c.step_up = true;
    c.sessions_api = false;
    let o = org(c);
    let s = services().mfa_codes(["111111", "111111"]).build();
    assert_okta_dev(&login(&s, &request(&o.link)).unwrap());
    let st = o.okta.lock().unwrap();
    assert_eq!(st.code_attempts, 2);
    assert_eq!(st.sessions_created, 0);
}

#[test]
fn app_link_with_a_query_gets_the_token_appended_with_an_ampersand() {
    let mut c = OktaConfig::with_user(User::new(USER, PASSWORD));
    c.sessions_api = false;
    let o = org(c);
    let s = services().build();
    assert_okta_dev(&login(&s, &request(&format!("{}?fromHome=true", o.link))).unwrap());
    let st = o.okta.lock().unwrap();
    let hit = st
        .requests
        .iter()
        .find(|r| r.starts_with("GET /home/"))
        .unwrap();
    assert!(hit.contains("?fromHome=true&sessionToken="), "{hit}");
    assert_eq!(hit.matches("sessionToken").count(), 1);
}

#[test]
fn page_without_saml_says_what_it_was() {
    let mut c = OktaConfig::with_user(User::new(USER, PASSWORD));
    c.app_not_assigned = true;
    let o = org(c);
    let e = err(&services().build(), &request(&o.link));
    assert_error(
        &e,
        ErrorKind::Protocol,
        &["an Okta error page", "not assigned this app"],
    );
}

// --- session reuse --------------------------------------------------------

#[test]
fn second_login_reuses_the_okta_session() {
    let o = org_with(vec![FactorSpec::push(1)]);
    let dir = tempfile::tempdir().unwrap();
    let first = services().session_dir(dir.path()).build();
    login(&first, &request(&o.link)).unwrap();
    let second = services().session_dir(dir.path()).build();
    assert_okta_dev(&login(&second, &request(&o.link)).unwrap());
    assert_eq!(second.password_requests(), 0);
    let st = o.okta.lock().unwrap();
    assert_eq!(st.authn_calls, 1);
    assert_eq!(st.pushes_sent, 1);
    assert_eq!(st.sessions_refreshed, 1, "a reused session is extended");
}

#[test]
fn expired_or_revoked_session_falls_back_to_a_full_login() {
    for revoke in [false, true] {
        let o = org_with(vec![FactorSpec::push(0)]);
        let dir = tempfile::tempdir().unwrap();
        login(
            &services().session_dir(dir.path()).build(),
            &request(&o.link),
        )
        .unwrap();
        {
            let mut st = o.okta.lock().unwrap();
            if revoke {
                st.revoke_sessions()
            } else {
                st.expire_sessions()
            }
        }
        let again = services().session_dir(dir.path()).build();
        assert_okta_dev(&login(&again, &request(&o.link)).unwrap());
        assert_eq!(again.password_requests(), 1);
        assert!(again.notices().iter().all(|n| !n.contains("session")));
        assert!(logs(&again).contains("expired or was revoked"));
        assert_eq!(o.okta.lock().unwrap().authn_calls, 2);
        // The new session is stored: a third login needs nothing.
        let third = services().session_dir(dir.path()).build();
        login(&third, &request(&o.link)).unwrap();
        assert_eq!(third.password_requests(), 0);
    }
}

#[test]
fn a_classic_org_that_does_not_name_its_engine_still_signs_in() {
    // No `/.well-known/okta-organization`: IDX is tried first, finds no
    // transaction on the app link, and the classic API signs in, with one
    // password prompt.
    let o = org(OktaConfig {
        well_known: false,
        ..OktaConfig::with_user(User::new(USER, PASSWORD))
    });
    let s = services().build();
    assert_okta_dev(&login(&s, &request(&o.link)).unwrap());
    assert_eq!(s.record().password_requests, 1);
    let st = o.okta.lock().unwrap();
    assert!(
        st.requests.iter().any(|r| r.contains("/api/v1/authn")),
        "{:?}",
        st.requests
    );
}
