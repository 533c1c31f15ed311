//! The `adfs` plugin's `login` against the sandbox's fake ADFS, in process
//! (the host's `TestServices`: real HTTP client and cookie jar, scripted
//! password and codes).

use awsprocesscreds_plugin_adfs::Adfs;
use plugin_api::{ErrorKind, LoginOutcome, LoginRequest, MfaSettings, Plugin};
use plugin_testkit::{
    assert_error, assert_saml_idp_manifest, login_request, saml_xml, TestServices,
};
use sandbox::adfs::{self, AdfsConfig, AdfsVersion, Mfa};

use crate::common::{login, USER};

/// A request for the fake's user, with 30 s for MFA.
fn request(endpoint: &str) -> LoginRequest {
    login_request(endpoint, USER).with_mfa(MfaSettings::new().with_timeout_secs(30))
}

fn assert_signed_in(outcome: LoginOutcome) {
    let x = saml_xml(outcome);
    assert!(
        x.contains(
            "arn:aws:iam::123456789012:role/ADFS-Dev,arn:aws:iam::123456789012:saml-provider/ADFS"
        ),
        "{x}"
    );
}

fn no_secret_in_logs(services: &TestServices) {
    services.assert_not_logged("password", "hunter2");
    services.assert_not_logged("query string", "client-request-id");
    services.assert_not_logged("cookie", "MSISAuth=");
}

#[test]
fn adfs3_sign_in_posts_what_a_browser_posts() {
    let (server, state) = adfs::start(AdfsConfig::default());
    let services = TestServices::new().password("hunter2").build();
    let outcome = login(&request(&adfs::entry_url(&server)), &services).unwrap();
    assert_signed_in(outcome);
    let st = state.lock().unwrap();
    // Relative action with &amp; resolved against the redirected page URL;
    // no nameless input, no unchecked Kmsi box, the context cookie kept.
    assert_eq!(st.last_login_fields, ["UserName", "Password", "AuthMethod"]);
    assert!(!st.kmsi_posted);
    assert_eq!(st.missing_context_cookie, 0);
    assert_eq!(services.password_requests(), 1);
    no_secret_in_logs(&services);
}

#[test]
fn adfs2_sign_in_with_viewstate_and_submit_button() {
    let (server, state) = adfs::start(AdfsConfig {
        version: AdfsVersion::V2,
        ..Default::default()
    });
    let services = TestServices::new().password("hunter2").build();
    assert_signed_in(login(&request(&adfs::entry_url(&server)), &services).unwrap());
    let fields = state.lock().unwrap().last_login_fields.clone();
    for f in [
        "__VIEWSTATE",
        "ctl00$ContentPlaceHolder1$UsernameTextBox",
        "ctl00$ContentPlaceHolder1$PasswordTextBox",
        "ctl00$ContentPlaceHolder1$SubmitButton",
        "__EVENTVALIDATION",
    ] {
        assert!(fields.iter().any(|x| x == f), "{f} missing from {fields:?}");
    }
}

#[test]
fn wrong_password_shows_the_idp_text() {
    for (version, text) in [
        (AdfsVersion::V3, "Incorrect user ID or password"),
        (AdfsVersion::V2, "The user name or password is incorrect."),
    ] {
        let (server, state) = adfs::start(AdfsConfig {
            version,
            ..Default::default()
        });
        let services = TestServices::new().password("wrong-pw").build();
        let e = login(&request(&adfs::entry_url(&server)), &services).unwrap_err();
        assert_error(&e, ErrorKind::AuthenticationFailed, &[text]);
        assert!(!e.message.contains("wrong-pw"));
        assert_eq!(
            state.lock().unwrap().password_posts,
            1,
            "must not retry the password"
        );
    }
}

#[test]
fn otp_adapters_with_each_code_field_name() {
    for (adapter, field) in [
        ("AzureMfaServerAuthentication", "VerificationCode"),
        ("OathOtpAdapter", "OathCode"),
        ("SecurIDAuthentication", "Passcode"),
        ("SymantecVipAdapter", "SecurityCode"),
        ("SafeNet-MFA", "security_code"),
        ("Defender AD FS Adapter", "ChallengeQuestionAnswer"),
    ] {
        let (server, state) = adfs::start(AdfsConfig {
            mfa: Some(Mfa::Otp {
                adapter: adapter.into(),
                field: field.into(),
                code: "123456".into(),
            }),
            ..Default::default()
        });
        let services = TestServices::new()
            .password("hunter2")
            .mfa_codes(["123456"])
            .build();
        let outcome = login(&request(&adfs::entry_url(&server)), &services)
            .unwrap_or_else(|e| panic!("{adapter}/{field}: {e:?}"));
        assert_signed_in(outcome);
        assert_eq!(state.lock().unwrap().mfa_posts, 1);
        assert_eq!(services.record().mfa_requests.len(), 1);
    }
}

#[test]
fn otp_code_field_can_be_named_explicitly() {
    let (server, _state) = adfs::start(AdfsConfig {
        mfa: Some(Mfa::Otp {
            adapter: "CustomTokenAdapter".into(),
            field: "tokenValue".into(),
            code: "987654".into(),
        }),
        ..Default::default()
    });
    let services = TestServices::new()
        .password("hunter2")
        .mfa_codes(["987654"])
        .build();
    let mut req = request(&adfs::entry_url(&server));
    req.options.insert("code-field".into(), "tokenValue".into());
    assert_signed_in(login(&req, &services).unwrap());
}

#[test]
fn wrong_otp_code_is_mfa_rejected_with_the_idp_text() {
    let (server, state) = adfs::start(AdfsConfig {
        mfa: Some(Mfa::Otp {
            adapter: "SecurIDAuthentication".into(),
            field: "Passcode".into(),
            code: "123456".into(),
        }),
        ..Default::default()
    });
    let services = TestServices::new()
        .password("hunter2")
        .mfa_codes(["000000", "123456"])
        .build();
    let e = login(&request(&adfs::entry_url(&server)), &services).unwrap_err();
    assert_error(
        &e,
        ErrorKind::MfaRejected,
        &["The code you entered is not valid", "RSA SecurID"],
    );
    assert_eq!(state.lock().unwrap().mfa_posts, 1);
}

#[test]
fn azure_push_shows_the_number_once_and_polls_until_approved() {
    let (server, state) = adfs::start(AdfsConfig {
        mfa: Some(Mfa::AzurePush {
            polls: 3,
            entropy: Some(42),
            deny: false,
        }),
        ..Default::default()
    });
    let services = TestServices::new().password("hunter2").fast_sleep().build();
    assert_signed_in(login(&request(&adfs::entry_url(&server)), &services).unwrap());
    let notices = services.notices();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(
        notices[0].contains("42") && notices[0].contains("Microsoft Authenticator"),
        "{notices:?}"
    );
    assert_eq!(state.lock().unwrap().polls, 3);
    assert!(services.record().slept >= std::time::Duration::from_secs(4));
    assert!(
        services.record().mfa_requests.is_empty(),
        "push must not ask for a code"
    );
}

#[test]
fn azure_push_times_out() {
    let (server, state) = adfs::start(AdfsConfig {
        mfa: Some(Mfa::AzurePush {
            polls: 10_000,
            entropy: None,
            deny: false,
        }),
        ..Default::default()
    });
    let services = TestServices::new().password("hunter2").fast_sleep().build();
    let mut req = request(&adfs::entry_url(&server));
    req.mfa.timeout_secs = 10;
    let e = login(&req, &services).unwrap_err();
    assert_error(&e, ErrorKind::MfaTimeout, &["10 s"]);
    let polls = state.lock().unwrap().polls;
    assert!((4..=6).contains(&polls), "{polls} polls in 10 s");
}

#[test]
fn azure_push_denied() {
    let (server, _state) = adfs::start(AdfsConfig {
        mfa: Some(Mfa::AzurePush {
            polls: 1,
            entropy: Some(7),
            deny: true,
        }),
        ..Default::default()
    });
    let services = TestServices::new().password("hunter2").fast_sleep().build();
    let e = login(&request(&adfs::entry_url(&server)), &services).unwrap_err();
    assert_error(&e, ErrorKind::MfaRejected, &["The request was denied."]);
}

#[test]
fn azure_code_entry() {
    let (server, _state) = adfs::start(AdfsConfig {
        mfa: Some(Mfa::AzureCode {
            code: "314159".into(),
        }),
        ..Default::default()
    });
    let services = TestServices::new()
        .password("hunter2")
        .mfa_codes(["314159"])
        .build();
    assert_signed_in(login(&request(&adfs::entry_url(&server)), &services).unwrap());
    assert!(services.record().mfa_requests[0].contains("Azure MFA"));
}

#[test]
fn browser_only_adapter_is_named_in_a_browser_required_error() {
    let (server, _state) = adfs::start(AdfsConfig {
        mfa: Some(Mfa::BrowserOnly {
            adapter: "DuoAdfsAdapter".into(),
        }),
        ..Default::default()
    });
    let services = TestServices::new().password("hunter2").build();
    let e = login(&request(&adfs::entry_url(&server)), &services).unwrap_err();
    assert_error(&e, ErrorKind::BrowserRequired, &["DuoAdfsAdapter"]);
}

#[test]
fn sso_cookies_are_reused_without_a_password() {
    let dir = tempfile::tempdir().unwrap();
    let (server, state) = adfs::start(AdfsConfig::default());
    let req = request(&adfs::entry_url(&server));
    let first = TestServices::new()
        .password("hunter2")
        .session_dir(dir.path())
        .build();
    assert_signed_in(login(&req, &first).unwrap());
    // A new process: no password available at all.
    let second = TestServices::new().session_dir(dir.path()).build();
    assert_signed_in(login(&req, &second).unwrap());
    assert_eq!(second.password_requests(), 0);
    let st = state.lock().unwrap();
    assert_eq!(st.sso_logins, 1);
    assert_eq!(st.password_posts, 1);
}

#[test]
fn session_reuse_can_be_turned_off() {
    let dir = tempfile::tempdir().unwrap();
    let (server, state) = adfs::start(AdfsConfig::default());
    let mut req = request(&adfs::entry_url(&server));
    req.options.insert("reuse-session".into(), "false".into());
    for _ in 0..2 {
        let s = TestServices::new()
            .password("hunter2")
            .session_dir(dir.path())
            .build();
        assert_signed_in(login(&req, &s).unwrap());
        assert_eq!(s.password_requests(), 1);
    }
    assert_eq!(state.lock().unwrap().sso_logins, 0);
}

#[test]
fn kmsi_option_ticks_keep_me_signed_in() {
    let (server, state) = adfs::start(AdfsConfig::default());
    let services = TestServices::new().password("hunter2").build();
    let mut req = request(&adfs::entry_url(&server));
    req.options.insert("kmsi".into(), "true".into());
    assert_signed_in(login(&req, &services).unwrap());
    assert!(state.lock().unwrap().kmsi_posted);
}

#[test]
fn plain_http_endpoint_is_refused_before_any_request() {
    let services = TestServices::new().password("hunter2").build();
    let e = login(
        &request("http://adfs.example.com/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices"),
        &services,
    )
    .unwrap_err();
    assert_error(&e, ErrorKind::Config, &["plain http"]);
    assert!(services.requests().is_empty());
    assert_eq!(services.password_requests(), 0);
}

#[test]
fn wrong_relying_party_is_a_clear_error() {
    let (server, _state) = adfs::start(AdfsConfig::default());
    let services = TestServices::new().password("hunter2").build();
    let e = login(
        &request(&server.url("/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:other")),
        &services,
    )
    .unwrap_err();
    assert_error(&e, ErrorKind::Protocol, &["MSIS7012"]);
    assert_eq!(services.password_requests(), 0);
}

#[test]
fn manifest_pins_name_kind_and_inputs() {
    assert_saml_idp_manifest(
        &Adfs.manifest(),
        "adfs",
        &[
            "username-field",
            "password-field",
            "code-field",
            "kmsi",
            "reuse-session",
            "home-realm",
        ],
    );
}

#[test]
fn over_https_with_a_private_ca() {
    let pki = sandbox::pki::TestPki::localhost();
    let dir = tempfile::tempdir().unwrap();
    let ca = pki.write_ca(dir.path()).unwrap();
    let (router, _state) = adfs::router(AdfsConfig {
        mfa: Some(Mfa::AzurePush {
            polls: 2,
            entropy: Some(12),
            deny: false,
        }),
        ..Default::default()
    });
    let server = sandbox::Server::https(router, &pki);
    let services = TestServices::new()
        .password("hunter2")
        .ca_bundle(ca)
        .fast_sleep()
        .build();
    assert_signed_in(login(&request(&adfs::entry_url(&server)), &services).unwrap());
    assert!(services
        .requests()
        .iter()
        .all(|(_, url)| url.starts_with("https://localhost:")));
}

fn with_selection(mfa: Mfa) -> AdfsConfig {
    AdfsConfig {
        mfa: Some(mfa),
        mfa_selection: true,
        ..Default::default()
    }
}

#[test]
fn method_selection_picks_the_only_usable_method() {
    let (server, state) = adfs::start(with_selection(Mfa::Otp {
        adapter: "SecurIDAuthentication".into(),
        field: "Passcode".into(),
        code: "123456".into(),
    }));
    let services = TestServices::new()
        .password("hunter2")
        .mfa_codes(["123456"])
        .build();
    assert_signed_in(login(&request(&adfs::entry_url(&server)), &services).unwrap());
    assert_eq!(
        state.lock().unwrap().selected_method.as_deref(),
        Some("SecurIDAuthentication")
    );
    assert!(
        services.record().menus.is_empty(),
        "one usable method needs no menu"
    );
}

#[test]
fn method_selection_follows_mfa_factor() {
    let (server, state) = adfs::start(with_selection(Mfa::AzurePush {
        polls: 1,
        entropy: Some(5),
        deny: false,
    }));
    let services = TestServices::new().password("hunter2").fast_sleep().build();
    let mut req = request(&adfs::entry_url(&server));
    req.mfa.factor = Some("push".into());
    assert_signed_in(login(&req, &services).unwrap());
    assert_eq!(
        state.lock().unwrap().selected_method.as_deref(),
        Some("AzureMfaAuthentication")
    );

    req.mfa.factor = Some("yubikey".into());
    let e = login(&req, &TestServices::new().password("hunter2").build()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Config, "{e:?}");
    assert!(
        e.message.contains("yubikey") && e.message.contains("AzureMfaAuthentication"),
        "{}",
        e.message
    );
}

#[test]
fn method_selection_with_only_browser_methods_needs_a_browser() {
    let (server, _state) = adfs::start(with_selection(Mfa::BrowserOnly {
        adapter: "DuoAdfsAdapter".into(),
    }));
    let services = TestServices::new().password("hunter2").build();
    let e = login(&request(&adfs::entry_url(&server)), &services).unwrap_err();
    assert_error(
        &e,
        ErrorKind::BrowserRequired,
        &["CertificateAuthentication, DuoAdfsAdapter"],
    );
}

fn with_auth_options() -> AdfsConfig {
    AdfsConfig {
        auth_options: true,
        ..Default::default()
    }
}

#[test]
fn authentication_options_page_chooses_forms_sign_in_once() {
    let (server, state) = adfs::start(with_auth_options());
    let services = TestServices::new().password("hunter2").build();
    assert_signed_in(login(&request(&adfs::entry_url(&server)), &services).unwrap());
    let st = state.lock().unwrap();
    // Never `AuthMethod=` empty, never the same page twice.
    assert_eq!(st.primary_choices, ["FormsAuthentication"]);
    assert_eq!(st.password_posts, 1);
}

#[test]
fn authentication_options_page_follows_mfa_factor_and_never_reposts() {
    let (server, state) = adfs::start(with_auth_options());
    let services = TestServices::new().password("hunter2").build();
    let mut req = request(&adfs::entry_url(&server));
    req.mfa.factor = Some("Azure MFA".into());
    let err = login(&req, &services).unwrap_err();
    // The fake refuses Azure MFA as primary: one post, then a clear error.
    assert!(err.message.contains("MSIS7075"), "{}", err.message);
    assert_eq!(
        state.lock().unwrap().primary_choices,
        ["AzureMfaAuthentication"]
    );
}
