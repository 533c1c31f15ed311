//! The `entra` plugin's `login` against the sandbox's fake Entra ID over
//! HTTPS, in process (the host's `TestServices`: real HTTP client and
//! cookie jar, scripted password and codes).

use std::sync::Arc;

use awsprocesscreds_plugin_entra::Entra;
use plugin_api::{ErrorKind, Host, LoginOutcome, LoginRequest, MfaSettings, Plugin, PluginError};
use plugin_testkit::{assert_error, login_request, saml_xml, TestServices, TestServicesBuilder};
use sandbox::entra::{self, At, EntraConfig, Fault, Mfa, PushOutcome, ServiceError};
use sandbox::pki::TestPki;
use sandbox::Server;

struct World {
    server: Server,
    state: entra::Entra,
    _dir: tempfile::TempDir,
    ca: std::path::PathBuf,
}

fn world(config: EntraConfig) -> World {
    let pki = TestPki::localhost();
    let dir = tempfile::tempdir().unwrap();
    let ca = pki.write_ca(dir.path()).unwrap();
    let (server, state) = entra::start(config, &pki);
    World {
        server,
        state,
        _dir: dir,
        ca,
    }
}

impl World {
    /// Services trusting the fake's CA, with `password` and instant sleeps.
    fn services(&self, password: &str) -> TestServicesBuilder {
        TestServices::new()
            .password(password)
            .ca_bundle(self.ca.clone())
            .fast_sleep()
    }

    /// A request for the fake's user at its My Apps link, with 30 s for
    /// MFA.
    fn request(&self) -> LoginRequest {
        login_request(
            entra::myapps_url(&self.server, &self.state),
            "monty@contoso.example",
        )
        .with_mfa(MfaSettings::new().with_timeout_secs(30))
    }
}

fn login(req: &LoginRequest, services: &Arc<TestServices>) -> Result<LoginOutcome, PluginError> {
    Entra.login(req, &Host::from_services(services.clone()))
}

fn assert_signed_in(outcome: LoginOutcome) {
    let x = saml_xml(outcome);
    assert!(
        x.contains("arn:aws:iam::123456789012:role/Entra-Dev,arn:aws:iam::123456789012:saml-provider/EntraID"),
        "{x}"
    );
}

fn no_secret_in_logs(services: &TestServices, w: &World) {
    let st = w.state.lock().unwrap();
    services.assert_not_logged("password", "hunter2");
    services.assert_not_logged("query string", "SAMLRequest=");
    for sid in &st.sessions {
        services.assert_not_logged("cookie", sid);
    }
}

#[test]
fn my_apps_link_password_kmsi_and_the_working_pages() {
    let w = world(EntraConfig::default());
    let services = w.services("hunter2").build();
    assert_signed_in(login(&w.request(), &services).unwrap());
    let st = w.state.lock().unwrap();
    assert_eq!(st.password_posts, 1);
    assert_eq!(st.credential_type_calls, 1);
    assert_eq!(st.kmsi_answers, ["1"], "KMSI answered yes by default");
    assert_eq!(st.bad_flow_tokens, 0);
    assert_eq!(
        st.myapps_visits, 2,
        "My Apps sign-in, then the redirect page"
    );
    for f in ["login", "loginfmt", "passwd", "ctx", "flowToken", "canary"] {
        assert!(st.last_login_fields.iter().any(|x| x == f), "{f} missing");
    }
    assert_eq!(services.password_requests(), 1);
    drop(st);
    no_secret_in_logs(&services, &w);
}

#[test]
fn newer_my_apps_link_and_kmsi_no() {
    let w = world(EntraConfig::default());
    let services = w.services("hunter2").build();
    let mut req = w.request();
    req.endpoint = Some(entra::myapps_signin_url(&w.server, &w.state));
    req.options.insert("kmsi".into(), "false".into());
    assert_signed_in(login(&req, &services).unwrap());
    assert_eq!(w.state.lock().unwrap().kmsi_answers, ["3"]);
}

#[test]
fn sp_initiated_builds_the_authn_request() {
    let w = world(EntraConfig::default());
    let services = w.services("hunter2").build();
    let mut req = w.request();
    req.endpoint = None;
    let (tenant, app) = {
        let st = w.state.lock().unwrap();
        (st.config.tenant.clone(), st.config.app_id_uri.clone())
    };
    req.options.insert("tenant".into(), tenant);
    req.options.insert("app-id-uri".into(), app.clone());
    req.options
        .insert("login-host".into(), entra::login_host(&w.server));
    assert_signed_in(login(&req, &services).unwrap());
    let st = w.state.lock().unwrap();
    let authn = st
        .last_authn_request
        .clone()
        .expect("inflated AuthnRequest");
    assert!(authn.contains(&format!(">{app}</Issuer>")), "{authn}");
    assert!(authn.contains("AssertionConsumerServiceURL=\"https://signin.aws.amazon.com/saml\""));
    assert_eq!(st.myapps_visits, 0);
}

#[test]
fn push_with_number_matching_one_notification_polled() {
    let w = world(EntraConfig {
        mfa: Some(Mfa::Push {
            polls: 3,
            entropy: 42,
            outcome: PushOutcome::Approve,
        }),
        other_methods: vec!["PhoneAppOTP".into(), "OneWaySMS".into()],
        ..Default::default()
    });
    let services = w.services("hunter2").build();
    assert_signed_in(login(&w.request(), &services).unwrap());
    let st = w.state.lock().unwrap();
    assert_eq!(st.begin_auth_calls, 1, "exactly one notification");
    assert_eq!(st.end_auth_calls, 4);
    assert_eq!(st.process_auth_calls, 1);
    assert_eq!(st.last_method.as_deref(), Some("PhoneAppNotification"));
    let notices = services.notices();
    let with_number: Vec<_> = notices.iter().filter(|n| n.contains("42")).collect();
    assert_eq!(with_number.len(), 1, "{notices:?}");
}

#[test]
fn push_number_that_comes_with_the_first_poll_is_shown_once() {
    let w = world(EntraConfig {
        mfa: Some(Mfa::Push {
            polls: 3,
            entropy: 19,
            outcome: PushOutcome::Approve,
        }),
        number_with_first_poll: true,
        ..Default::default()
    });
    let services = w.services("hunter2").build();
    assert_signed_in(login(&w.request(), &services).unwrap());
    let notices = services.notices();
    assert_eq!(
        notices.iter().filter(|n| n.contains("number 19")).count(),
        1,
        "{notices:?}"
    );
}

#[test]
fn push_denied_and_timed_out() {
    for (outcome, kind) in [
        (PushOutcome::Deny, ErrorKind::MfaRejected),
        (PushOutcome::Never, ErrorKind::MfaTimeout),
    ] {
        let w = world(EntraConfig {
            mfa: Some(Mfa::Push {
                polls: 1,
                entropy: 0,
                outcome,
            }),
            ..Default::default()
        });
        let services = w.services("hunter2").build();
        let mut req = w.request();
        req.mfa.timeout_secs = 2;
        let e = login(&req, &services).unwrap_err();
        assert_eq!(e.kind, kind, "{e:?}");
        let st = w.state.lock().unwrap();
        assert_eq!(st.begin_auth_calls, 1);
        assert!(st.end_auth_calls <= 41, "{}", st.end_auth_calls);
    }
}

#[test]
fn codes_by_app_and_sms_via_mfa_factor() {
    let w = world(EntraConfig {
        mfa: Some(Mfa::Otp {
            code: "123456".into(),
        }),
        ..Default::default()
    });
    let services = w.services("hunter2").mfa_codes(["123456"]).build();
    assert_signed_in(login(&w.request(), &services).unwrap());
    let prompts = services.record().mfa_requests;
    assert!(prompts[0].contains("code"), "{prompts:?}");

    let w = world(EntraConfig {
        mfa: Some(Mfa::Push {
            polls: 0,
            entropy: 0,
            outcome: PushOutcome::Approve,
        }),
        other_methods: vec!["OneWaySMS".into()],
        ..Default::default()
    });
    let services = w.services("hunter2").mfa_codes(["777111"]).build();
    let mut req = w.request();
    req.mfa.factor = Some("sms".into());
    assert_signed_in(login(&req, &services).unwrap());
    assert_eq!(
        w.state.lock().unwrap().last_method.as_deref(),
        Some("OneWaySMS")
    );
}

#[test]
fn wrong_code_and_call() {
    let w = world(EntraConfig {
        mfa: Some(Mfa::Sms {
            code: "111111".into(),
        }),
        ..Default::default()
    });
    let services = w.services("hunter2").mfa_codes(["222222"]).build();
    let e = login(&w.request(), &services).unwrap_err();
    assert_error(&e, ErrorKind::MfaRejected, &["wrong verification code"]);

    let w = world(EntraConfig {
        mfa: Some(Mfa::Call { polls: 2 }),
        ..Default::default()
    });
    let services = w.services("hunter2").build();
    assert_signed_in(login(&w.request(), &services).unwrap());
}

#[test]
fn errors_from_error_codes_without_text() {
    let cases: Vec<(Option<Fault>, &str, ErrorKind)> = vec![
        (
            None,
            "wrong username or password (AADSTS50126)",
            ErrorKind::AuthenticationFailed,
        ),
        (
            Some(Fault::Locked),
            "locked (too many failed sign-ins) (AADSTS50053)",
            ErrorKind::AccessDenied,
        ),
        (
            Some(Fault::PasswordExpired),
            "password has expired (AADSTS50055)",
            ErrorKind::AccessDenied,
        ),
        (
            Some(Fault::ChangePasswordPage),
            "ConvergedChangePassword",
            ErrorKind::AccessDenied,
        ),
        (
            Some(Fault::ConditionalAccess),
            "blocked by Conditional Access (AADSTS53003)",
            ErrorKind::AccessDenied,
        ),
        (
            Some(Fault::NotAssigned),
            "not assigned to this application (AADSTS50105)",
            ErrorKind::AccessDenied,
        ),
        (
            Some(Fault::UnknownPage("ConvergedBrandNewThing".into())),
            "page id ConvergedBrandNewThing",
            ErrorKind::Protocol,
        ),
        (Some(Fault::FidoOnly), "FIDO2", ErrorKind::BrowserRequired),
        (
            Some(Fault::ErrorTextOnly),
            "not assigned to this application (AADSTS50105)",
            ErrorKind::AccessDenied,
        ),
        (
            Some(Fault::FederatedWithoutForm),
            "federated to localhost",
            ErrorKind::BrowserRequired,
        ),
        (
            Some(Fault::UnknownPage("ConvergedCertAuth".into())),
            "certificate-based authentication",
            ErrorKind::BrowserRequired,
        ),
        (
            Some(Fault::UnknownPage("ConvergedRemoteConnect".into())),
            "passwordless phone sign-in",
            ErrorKind::BrowserRequired,
        ),
    ];
    for (fault, needle, kind) in cases {
        let wrong = fault.is_none();
        let w = world(EntraConfig {
            fault: fault.clone(),
            ..Default::default()
        });
        let services = w
            .services(if wrong { "wrong-pw" } else { "hunter2" })
            .build();
        let e = login(&w.request(), &services).unwrap_err();
        assert!(e.message.contains(needle), "{fault:?}: {}", e.message);
        assert_eq!(e.kind, kind, "{fault:?}: {e:?}");
        assert!(e.hint.is_some(), "{fault:?} has no hint");
        assert!(!e.message.contains("wrong-pw") && !e.message.contains("hunter2"));
        assert!(
            w.state.lock().unwrap().password_posts <= 1,
            "never retries the password"
        );
    }
}

/// Entra's `ConvergedError` pages carry `iErrorCode` and
/// `strServiceExceptionMessage`, no `sErrorCode` (the shape AADInternals
/// and davmail read): after the password, after MFA and when the SAML
/// response would be issued, each names its cause with Entra's words and
/// the trace id.
#[test]
fn converged_error_pages_name_the_cause_at_every_step() {
    let otp = || {
        Some(Mfa::Otp {
            code: "123456".into(),
        })
    };
    let cases: Vec<(ServiceError, Option<Mfa>, &str, ErrorKind)> = vec![
        (
            ServiceError::conditional_access(At::Password),
            None,
            "Entra ID: blocked by Conditional Access (AADSTS53003): Access has been blocked by Conditional Access policies.",
            ErrorKind::AccessDenied,
        ),
        (
            ServiceError::conditional_access(At::Mfa),
            otp(),
            "blocked by Conditional Access (AADSTS53003)",
            ErrorKind::AccessDenied,
        ),
        (
            ServiceError::conditional_access(At::Saml),
            None,
            "blocked by Conditional Access (AADSTS53003)",
            ErrorKind::AccessDenied,
        ),
        (
            ServiceError::device_not_compliant(At::Mfa),
            otp(),
            "Conditional Access requires a compliant, managed device (AADSTS53000)",
            ErrorKind::BrowserRequired,
        ),
        (
            ServiceError::not_domain_joined(At::Saml),
            None,
            "Conditional Access requires a domain-joined device (AADSTS53001)",
            ErrorKind::BrowserRequired,
        ),
        (
            ServiceError::not_assigned(At::Saml),
            None,
            "you are not assigned to this application (AADSTS50105)",
            ErrorKind::AccessDenied,
        ),
        (
            ServiceError::disabled(At::Password),
            None,
            "the account is disabled (AADSTS50057)",
            ErrorKind::AccessDenied,
        ),
        (
            ServiceError::guest_not_in_tenant(At::Password),
            None,
            "the account is not a member of this tenant (AADSTS90072)",
            ErrorKind::AccessDenied,
        ),
        (
            ServiceError::flow_token_expired(At::Mfa),
            otp(),
            "flow token expired (AADSTS50089)",
            ErrorKind::Other,
        ),
        (
            ServiceError::new(
                At::Password,
                135011,
                "Device used during the authentication is disabled.",
            ),
            None,
            "Entra ID refused the sign-in (AADSTS135011): Device used during the authentication is disabled.",
            ErrorKind::Protocol,
        ),
        (
            ServiceError::new(
                At::Mfa,
                50088,
                "Limit on telecom MFA calls reached. Please try again in a few minutes.",
            ),
            otp(),
            "too many MFA calls or text messages for now (AADSTS50088)",
            ErrorKind::Other,
        ),
        (
            ServiceError::new(
                At::Password,
                50196,
                "The server terminated an operation because it encountered a client request loop.",
            ),
            None,
            "Entra ID stopped a sign-in loop",
            ErrorKind::Other,
        ),
        (
            ServiceError::conditional_access_german(At::Password),
            None,
            "blocked by Conditional Access (AADSTS53003): Der Zugriff wurde durch Richtlinien für bedingten Zugriff blockiert.",
            ErrorKind::AccessDenied,
        ),
    ];
    for (refusal, mfa, needle, kind) in cases {
        let w = world(EntraConfig {
            fault: Some(Fault::Service(refusal.clone())),
            mfa,
            ..Default::default()
        });
        let services = w.services("hunter2").mfa_codes(["123456"]).build();
        let e = login(&w.request(), &services).unwrap_err();
        assert!(e.message.contains(needle), "{refusal:?}: {}", e.message);
        assert_eq!(e.kind, kind, "{refusal:?}: {e:?}");
        // What an administrator looks up carries the trace id; a sign-in
        // that took too long is the user's to retry.
        if ![50089, 50088].contains(&refusal.code) {
            assert!(
                e.message.contains("trace id "),
                "{refusal:?}: no trace id in {}",
                e.message
            );
        }
        assert!(!e.message.contains("page this client does not handle"));
        assert!(e.hint.is_some(), "{refusal:?} has no hint");
        assert!(!e.message.contains("hunter2"));
        let st = w.state.lock().unwrap();
        assert_eq!(st.password_posts, 1, "{refusal:?}: never retries");
        assert_eq!(st.assertions_issued, 0);
    }
}

/// GetCredentialType's `IfExistsResult: 1` (saml2aws
/// `testdata/GetCredentialType_default.json` has the field): the account is
/// named before any password is asked for.
#[test]
fn an_account_entra_does_not_know_is_named_before_the_password() {
    let w = world(EntraConfig::default());
    let services = w.services("hunter2").build();
    let mut req = w.request();
    req.username = Some("nobody@contoso.example".into());
    let e = login(&req, &services).unwrap_err();
    assert_error(
        &e,
        ErrorKind::AuthenticationFailed,
        &["does not know the account nobody@contoso.example"],
    );
    assert_eq!(services.password_requests(), 0);
}

/// An unknown code keeps Entra's words and says where to look it up.
#[test]
fn an_unknown_aadsts_code_keeps_entras_text_and_the_lookup_link() {
    let w = world(EntraConfig {
        fault: Some(Fault::Service(ServiceError::new(
            At::Saml,
            135011,
            "Device used during the authentication is disabled.",
        ))),
        ..Default::default()
    });
    let e = login(&w.request(), &w.services("hunter2").build()).unwrap_err();
    let hint = e.hint.unwrap();
    assert!(hint.contains("error?code=135011"), "{hint}");
    assert!(hint.contains("trace id"), "{hint}");
}

/// SP-initiated sign-in for an app id the tenant does not have: Entra's
/// AADSTS700016 page in its own shape, named as a configuration mistake.
#[test]
fn an_app_the_tenant_does_not_have_is_a_config_error() {
    let w = world(EntraConfig::default());
    let services = w.services("hunter2").build();
    let mut req = w.request();
    req.endpoint = None;
    let tenant = w.state.lock().unwrap().config.tenant.clone();
    req.options.insert("tenant".into(), tenant);
    req.options
        .insert("app-id-uri".into(), "urn:amazon:webservices:typo".into());
    req.options
        .insert("login-host".into(), entra::login_host(&w.server));
    let e = login(&req, &services).unwrap_err();
    assert_error(
        &e,
        ErrorKind::Config,
        &[
            "does not accept this sign-in request (AADSTS700016)",
            "urn:amazon:webservices:typo",
        ],
    );
    assert!(e.hint.unwrap().contains("app-id-uri"));
    assert_eq!(services.password_requests(), 0, "no password asked");
}

/// "More information required" (`ConvergedProofUpRedirect`, iErrorCode
/// 50203): skipped while Entra offers the skip link, named when it does not.
#[test]
fn mfa_registration_interrupt_is_skipped_or_named() {
    let w = world(EntraConfig {
        fault: Some(Fault::ProofUp { skippable: true }),
        ..Default::default()
    });
    let services = w.services("hunter2").build();
    assert_signed_in(login(&w.request(), &services).unwrap());
    assert_eq!(w.state.lock().unwrap().proof_up_skips, 1);

    let w = world(EntraConfig {
        fault: Some(Fault::ProofUp { skippable: false }),
        ..Default::default()
    });
    let e = login(&w.request(), &w.services("hunter2").build()).unwrap_err();
    assert_error(
        &e,
        ErrorKind::BrowserRequired,
        &["register a second factor"],
    );
    assert!(e.hint.unwrap().contains("aka.ms/mfasetup"));
}

#[test]
fn session_is_reused_then_a_dead_one_falls_back() {
    let w = world(EntraConfig {
        mfa: Some(Mfa::Push {
            polls: 0,
            entropy: 7,
            outcome: PushOutcome::Approve,
        }),
        ..Default::default()
    });
    let sessions = tempfile::tempdir().unwrap();
    let first = w.services("hunter2").session_dir(sessions.path()).build();
    assert_signed_in(login(&w.request(), &first).unwrap());
    // A new process: fresh jar, no password source at all.
    let second = TestServices::new()
        .ca_bundle(w.ca.clone())
        .session_dir(sessions.path())
        .build();
    assert_signed_in(login(&w.request(), &second).unwrap());
    {
        let st = w.state.lock().unwrap();
        assert_eq!(st.password_posts, 1);
        assert_eq!(st.begin_auth_calls, 1, "no second MFA");
        assert!(st.sso_logins >= 1);
    }
    assert_eq!(second.password_requests(), 0);
    // Entra ends the session: the next login signs in again, silently.
    w.state.lock().unwrap().sessions.clear();
    let third = w.services("hunter2").session_dir(sessions.path()).build();
    assert_signed_in(login(&w.request(), &third).unwrap());
    assert_eq!(w.state.lock().unwrap().password_posts, 2);
}

#[test]
fn federated_domain_signs_in_at_the_forms_idp() {
    let w = world(EntraConfig {
        federated: true,
        ..Default::default()
    });
    let services = w.services("hunter2").build();
    assert_signed_in(login(&w.request(), &services).unwrap());
    let st = w.state.lock().unwrap();
    assert_eq!(st.federated_posts, 1);
    assert_eq!(st.password_posts, 0, "no password sent to Entra itself");

    drop(st);
    let w = world(EntraConfig {
        federated: true,
        ..Default::default()
    });
    let services = w.services("nope").build();
    let e = login(&w.request(), &services).unwrap_err();
    assert_error(
        &e,
        ErrorKind::AuthenticationFailed,
        &["federated IdP localhost", "Incorrect user ID"],
    );
}

#[test]
fn bad_options_are_named() {
    let w = world(EntraConfig::default());
    let services = w.services("hunter2").build();
    let mut req = w.request();
    req.endpoint = None;
    let e = login(&req, &services).unwrap_err();
    assert_error(&e, ErrorKind::Config, &["tenant"]);
    req.options.insert("tenant".into(), "t".into());
    let e = login(&req, &services).unwrap_err();
    assert!(e.message.contains("app-id-uri"), "{}", e.message);
    let mut req = w.request();
    req.mfa.factor = Some("push".into());
    let w2 = world(EntraConfig {
        mfa: Some(Mfa::Sms { code: "1".into() }),
        ..Default::default()
    });
    req.endpoint = Some(entra::myapps_url(&w2.server, &w2.state));
    let services = w2.services("hunter2").build();
    let e = login(&req, &services).unwrap_err();
    assert!(
        e.message.contains("does not offer PhoneAppNotification"),
        "{}",
        e.message
    );
}

/// The IdP request counts BENCHMARKS.md reports, counted by the fake.
#[test]
fn requests_per_login_as_in_benchmarks() {
    let count = |config: EntraConfig, sp_initiated: bool| {
        let w = world(config);
        let sessions = tempfile::tempdir().unwrap();
        let mut req = w.request();
        if sp_initiated {
            req.endpoint = None;
            let st = w.state.lock().unwrap();
            req.options
                .insert("tenant".into(), st.config.tenant.clone());
            req.options
                .insert("app-id-uri".into(), st.config.app_id_uri.clone());
            req.options
                .insert("login-host".into(), entra::login_host(&w.server));
        }
        let services = w.services("hunter2").session_dir(sessions.path()).build();
        login(&req, &services).unwrap();
        let cold = w.state.lock().unwrap().requests;
        let again = w.services("hunter2").session_dir(sessions.path()).build();
        login(&req, &again).unwrap();
        let warm = w.state.lock().unwrap().requests - cold;
        (cold, warm)
    };
    assert_eq!(count(EntraConfig::default(), false), (8, 2), "My Apps link");
    assert_eq!(count(EntraConfig::default(), true), (4, 1), "SP-initiated");
    let push = EntraConfig {
        mfa: Some(Mfa::Push {
            polls: 1,
            entropy: 42,
            outcome: PushOutcome::Approve,
        }),
        ..Default::default()
    };
    assert_eq!(
        count(push, true),
        (8, 1),
        "SP-initiated + push, one pending poll"
    );
}
