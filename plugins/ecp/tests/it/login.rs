//! The `ecp` plugin's `login` against the sandbox's fake Shibboleth ECP
//! endpoint, in process (the host's `TestServices`: real HTTP client and
//! cookie jar, scripted password and codes). The real-IdP tests, against
//! SimpleSAMLphp, are in host/tests/it/ecp_e2e.rs.

use std::sync::Arc;

use awsprocesscreds_plugin_ecp::Ecp;
use base64::Engine as _;
use plugin_api::{ErrorKind, Host, LoginOutcome, LoginRequest, MfaSettings, Plugin, PluginError};
use plugin_testkit::{assert_error, login_request, saml_xml, TestServices};
use sandbox::ecp::{self, Answer, Duo, EcpConfig};

/// A request for the fake's user, with 30 s for MFA.
fn request(endpoint: &str) -> LoginRequest {
    login_request(endpoint, "jdoe").with_mfa(MfaSettings::new().with_timeout_secs(30))
}

fn login(req: &LoginRequest, services: &Arc<TestServices>) -> Result<LoginOutcome, PluginError> {
    Ecp.login(req, &Host::from_services(services.clone()))
}

/// Services with the password whose sessions outlive them in `dir` (as
/// the host's store does between runs).
fn kept_sessions(dir: &std::path::Path) -> Arc<TestServices> {
    TestServices::new()
        .password("hunter2")
        .session_dir(dir)
        .build()
}

fn no_secret_in_logs(services: &TestServices) {
    let basic = base64::engine::general_purpose::STANDARD.encode("jdoe:hunter2");
    services.assert_not_logged("password", "hunter2");
    services.assert_not_logged("Basic credentials", &basic);
    assert!(
        services.record().secrets.iter().any(|s| s.contains(&basic)),
        "the Basic header value is registered as a secret"
    );
}

#[test]
fn soap_request_with_basic_credentials_returns_the_response() {
    let (server, state) = ecp::start(EcpConfig::default());
    let services = TestServices::new().password("hunter2").build();
    let x = saml_xml(login(&request(&ecp::endpoint_url(&server)), &services).unwrap());
    assert!(x.starts_with("<saml2p:Response "), "{x}");
    assert!(
        x.contains("arn:aws:iam::123456789012:role/ECP-Dev,arn:aws:iam::123456789012:saml-provider/Shibboleth"),
        "{x}"
    );
    // The envelope's namespace, in scope at the Response, is carried over.
    assert!(x.contains(r#"xmlns:soap11="http://schemas.xmlsoap.org/soap/envelope/""#));
    let st = state.lock().unwrap();
    let seen = &st.requests[0];
    assert_eq!(
        seen.content_type.as_deref(),
        Some("text/xml; charset=utf-8")
    );
    assert_eq!(
        seen.accept.as_deref(),
        Some("text/html; application/vnd.paos+xml")
    );
    assert_eq!(
        seen.paos.as_deref(),
        Some(r#"ver="urn:liberty:paos:2003-08"; "urn:oasis:names:tc:SAML:2.0:profiles:SSO:ecp""#)
    );
    assert!(seen.basic);
    assert_eq!(seen.issuer.as_deref(), Some("urn:amazon:webservices"));
    assert_eq!(
        seen.acs_url.as_deref(),
        Some("https://signin.aws.amazon.com/saml")
    );
    assert_eq!(
        seen.protocol_binding.as_deref(),
        Some("urn:oasis:names:tc:SAML:2.0:bindings:PAOS")
    );
    assert!(x.contains(&format!(
        "InResponseTo=\"{}\"",
        seen.request_id.as_deref().unwrap()
    )));
    assert!(seen.duo_factor.is_none());
    assert_eq!(services.password_requests(), 1);
    assert!(services.record().mfa_requests.is_empty());
    no_secret_in_logs(&services);
}

#[test]
fn options_and_partition_go_into_the_authn_request() {
    let (server, state) = ecp::start(EcpConfig::default());
    let services = TestServices::new().password("hunter2").build();
    let mut req = request(&ecp::endpoint_url(&server));
    req.options
        .insert("aws-region".into(), "us-gov-west-1".into());
    let x = saml_xml(login(&req, &services).unwrap());
    assert!(
        x.contains(r#"Destination="https://signin.amazonaws-us-gov.com/saml""#),
        "{x}"
    );
    req.options
        .insert("sp-entity-id".into(), "urn:example:sp".into());
    req.options.insert(
        "acs-url".into(),
        "https://signin.aws.amazon.com/saml".into(),
    );
    let services = TestServices::new().password("hunter2").build();
    login(&req, &services).unwrap();
    let st = state.lock().unwrap();
    assert_eq!(
        st.requests[0].acs_url.as_deref(),
        Some("https://signin.amazonaws-us-gov.com/saml")
    );
    assert_eq!(st.requests[1].issuer.as_deref(), Some("urn:example:sp"));
    assert_eq!(
        st.requests[1].acs_url.as_deref(),
        Some("https://signin.aws.amazon.com/saml")
    );
}

#[test]
fn wrong_password_is_an_authentication_failure() {
    let (server, state) = ecp::start(EcpConfig::default());
    let services = TestServices::new().password("wrong-pw").build();
    let e = login(&request(&ecp::endpoint_url(&server)), &services).unwrap_err();
    assert_error(&e, ErrorKind::AuthenticationFailed, &["HTTP 401"]);
    assert!(!e.message.contains("wrong-pw"));
    assert_eq!(state.lock().unwrap().wrong_passwords, 1, "no retry");
}

#[test]
fn duo_passcode_goes_in_the_shibboleth_headers() {
    let (server, state) = ecp::start(EcpConfig {
        duo: Some(Duo {
            passcode: "314159".into(),
            approve: false,
        }),
        ..Default::default()
    });
    let services = TestServices::new()
        .password("hunter2")
        .mfa_codes(["314159"])
        .build();
    let mut req = request(&ecp::endpoint_url(&server));
    req.mfa.factor = Some("passcode".into());
    login(&req, &services).unwrap();
    {
        let st = state.lock().unwrap();
        assert_eq!(st.requests[0].duo_factor.as_deref(), Some("passcode"));
        assert_eq!(st.requests[0].duo_passcode.as_deref(), Some("314159"));
    }
    let mfa = services.record().mfa_requests;
    assert_eq!(mfa.len(), 1);
    assert!(mfa[0].to_lowercase().contains("code"), "{mfa:?}");
    assert!(services.record().secrets.iter().any(|s| s == "314159"));

    // A wrong passcode: the IdP's AuthnFailed status, shown.
    let services = TestServices::new()
        .password("hunter2")
        .mfa_codes(["000000"])
        .build();
    let e = login(&req, &services).unwrap_err();
    assert_error(
        &e,
        ErrorKind::AuthenticationFailed,
        &["Duo authentication failed (SAML status Responder/AuthnFailed)"],
    );
}

#[test]
fn duo_push_and_phone_send_the_factor_and_tell_the_user() {
    let (server, state) = ecp::start(EcpConfig {
        duo: Some(Duo {
            passcode: "1".into(),
            approve: true,
        }),
        sso: false,
        ..Default::default()
    });
    for factor in ["push", "phone", "auto"] {
        let services = TestServices::new().password("hunter2").build();
        let mut req = request(&ecp::endpoint_url(&server));
        req.mfa.factor = Some(factor.into());
        login(&req, &services).unwrap_or_else(|e| panic!("{factor}: {e:?}"));
        let seen = state.lock().unwrap().requests.last().cloned().unwrap();
        assert_eq!(seen.duo_factor.as_deref(), Some(factor));
        assert!(seen.duo_passcode.is_none());
        if factor != "auto" {
            assert_eq!(services.notices().len(), 1, "{factor}");
        }
    }
    let mut req = request(&ecp::endpoint_url(&server));
    req.mfa.factor = Some("sms-please".into());
    let e = login(&req, &TestServices::new().password("hunter2").build()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Config);
}

#[test]
fn idp_session_is_reused_without_a_password() {
    let (server, state) = ecp::start(EcpConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let first = kept_sessions(dir.path());
    login(&request(&ecp::endpoint_url(&server)), &first).unwrap();
    // No password source at all: only the session can log in.
    let second = TestServices::new().session_dir(dir.path()).build();
    let x = saml_xml(login(&request(&ecp::endpoint_url(&server)), &second).unwrap());
    assert!(x.contains("ECP-Dev"));
    assert_eq!(second.password_requests(), 0);
    let st = state.lock().unwrap();
    assert_eq!(st.sso_logins, 1);
    assert!(!st.requests[1].basic);
}

#[test]
fn a_dead_session_falls_back_to_the_password_once() {
    let (server, state) = ecp::start(EcpConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let first = kept_sessions(dir.path());
    login(&request(&ecp::endpoint_url(&server)), &first).unwrap();
    drop(server);
    // A restarted IdP forgot its sessions.
    let (server2, state2) = ecp::start(EcpConfig::default());
    let _ = state;
    let second = kept_sessions(dir.path());
    // Cookies are scoped to the host, not the port: the saved session
    // cookie reaches the new IdP, which no longer knows it (401).
    login(&request(&ecp::endpoint_url(&server2)), &second).unwrap();
    let st2 = state2.lock().unwrap();
    assert_eq!(st2.requests.len(), 2);
    assert!(!st2.requests[0].basic && st2.requests[1].basic);
    assert_eq!(second.password_requests(), 1);
    assert_eq!(st2.assertions_issued, 1);
}

#[test]
fn session_reuse_can_be_turned_off() {
    let (server, state) = ecp::start(EcpConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let mut req = request(&ecp::endpoint_url(&server));
    req.options.insert("reuse-session".into(), "false".into());
    for _ in 0..2 {
        let s = TestServices::new()
            .password("hunter2")
            .session_dir(dir.path())
            .build();
        login(&req, &s).unwrap();
        assert_eq!(s.password_requests(), 1);
    }
    assert_eq!(state.lock().unwrap().sso_logins, 0);
}

fn error_for(answer: Answer) -> PluginError {
    let (server, _state) = ecp::start(EcpConfig {
        answer,
        ..Default::default()
    });
    let services = TestServices::new().password("hunter2").build();
    login(&request(&ecp::endpoint_url(&server)), &services).unwrap_err()
}

#[test]
fn error_shapes_have_one_line_messages_with_hints() {
    let cases: Vec<(Answer, ErrorKind, &str)> = vec![
        (
            Answer::SoapFault("Unable to decode the request".into()),
            ErrorKind::Protocol,
            "SOAP fault: Unable to decode the request (soap11:Client)",
        ),
        (Answer::Html, ErrorKind::Config, "not an ECP endpoint"),
        (
            Answer::Status {
                top: "Requester".into(),
                second: Some("RequestDenied".into()),
                message: Some("ECP is not enabled for this relying party".into()),
            },
            ErrorKind::Config,
            "ECP is not enabled for this relying party (SAML status Requester/RequestDenied)",
        ),
        (
            Answer::Status {
                top: "Responder".into(),
                second: None,
                message: None,
            },
            ErrorKind::Protocol,
            "(SAML status Responder)",
        ),
        (
            Answer::WrongInResponseTo,
            ErrorKind::Protocol,
            "answers request \"_someone-elses-request\"",
        ),
        (
            Answer::WrongDestination,
            ErrorKind::Protocol,
            "addressed to \"https://sp.attacker.example/saml\"",
        ),
    ];
    for (answer, kind, text) in cases {
        let e = error_for(answer.clone());
        assert_eq!(e.kind, kind, "{answer:?}: {e:?}");
        assert!(e.message.contains(text), "{answer:?}: {}", e.message);
        assert!(!e.message.contains('\n'), "{}", e.message);
        assert!(e.hint.is_some(), "{answer:?} has a hint");
    }
}

#[test]
fn keycloak_html_refusals_are_named_not_called_a_wrong_endpoint() {
    // Keycloak's messages_en.properties: accountDisabledMessage and
    // accountTemporarilyDisabledMessage.
    for (text, what) in [
        (
            "Account is disabled, contact your administrator.",
            "the account is locked or disabled",
        ),
        (
            "Account is temporarily disabled; contact your administrator or retry later.",
            "the account is locked or disabled",
        ),
    ] {
        let e = error_for(Answer::KeycloakError(text.into()));
        assert_eq!(e.kind, ErrorKind::AccessDenied, "{e:?}");
        assert!(e.message.starts_with(what), "{}", e.message);
        assert!(e.message.contains(text), "{}", e.message);
        assert!(e.hint.is_some());
    }
    // Its wrong-password page keeps its own message.
    let e = error_for(Answer::KeycloakError(
        "Invalid username or password.".into(),
    ));
    assert_error(
        &e,
        ErrorKind::AuthenticationFailed,
        &["rejected the username or password"],
    );
}

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let services = TestServices::new().password("hunter2").build();
    let e = login(
        &request("http://idp.example.edu/idp/profile/SAML2/SOAP/ECP"),
        &services,
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Config);
    assert_eq!(services.password_requests(), 0);
    assert!(services.requests().is_empty());
}
