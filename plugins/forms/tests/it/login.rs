//! The `forms` plugin's `login` against the sandbox's configurable fake
//! forms IdP, in process (the host's `TestServices`: real HTTP client and
//! cookie jar, scripted password).

use std::sync::Arc;

use awsprocesscreds_plugin_forms::Forms;
use plugin_api::{ErrorKind, LoginOutcome, LoginRequest, Plugin};
use plugin_testkit::{assert_error, assert_saml_idp_manifest, saml_xml, TestServices};
use sandbox::forms::{self, Flavor, FormsConfig};
use sandbox::Server;

use crate::common::{login, pw, request, start};

fn assert_signed_in(outcome: LoginOutcome) {
    let xml = saml_xml(outcome);
    assert!(
        xml.contains("arn:aws:iam::123456789012:role/ADFS-Dev"),
        "{xml}"
    );
    assert!(
        xml.contains("Destination=\"https://signin.aws.amazon.com/saml\""),
        "{xml}"
    );
}

fn ok(services: &Arc<TestServices>, req: &LoginRequest) {
    match login(req, services) {
        Ok(o) => assert_signed_in(o),
        Err(e) => panic!("login failed: {e:?}\nrequests: {:?}", services.requests()),
    }
    services.assert_not_logged("password", "hunter2");
    services.assert_not_logged("state", "AuthState=");
}

#[test]
fn simplesamlphp_success_keeps_authstate_and_skips_other_forms() {
    let (_server, state, req) = start(FormsConfig::flavor(Flavor::SimpleSamlPhp));
    let services = pw();
    ok(&services, &req);
    let st = state.lock().unwrap();
    assert_eq!(st.last_fields, ["username", "password", "AuthState"]);
    assert_eq!(st.logins_ok, 1);
    assert_eq!(st.cookieless, 0);
    assert_eq!(services.password_requests(), 1);
}

#[test]
fn simplesamlphp_wrong_password_shows_its_error_heading() {
    let (_server, state, req) = start(FormsConfig::flavor(Flavor::SimpleSamlPhp));
    let e = login(&req, &TestServices::new().password("nope").build()).unwrap_err();
    assert_error(
        &e,
        ErrorKind::AuthenticationFailed,
        &["Incorrect username or password"],
    );
    assert!(!e.message.contains("nope"));
    assert_eq!(state.lock().unwrap().failures, 1, "must not retry");
}

#[test]
fn keycloak_success_and_failure() {
    let (_server, state, req) = start(FormsConfig::flavor(Flavor::Keycloak));
    ok(&pw(), &req);
    let fields = state.lock().unwrap().last_fields.clone();
    assert_eq!(fields, ["username", "password", "credentialId", "login"]);

    let e = login(&req, &TestServices::new().password("nope").build()).unwrap_err();
    assert_error(
        &e,
        ErrorKind::AuthenticationFailed,
        &["Invalid username or password."],
    );
}

#[test]
fn two_step_username_then_password() {
    let (_server, state, req) = start(FormsConfig::flavor(Flavor::TwoStep));
    ok(&pw(), &req);
    let st = state.lock().unwrap();
    assert_eq!(st.logins_ok, 1);
    assert!(st.last_fields.contains(&"pf.username".to_string()));
}

#[test]
fn two_step_failures_show_the_idp_text() {
    let (_server, _state, mut req) = start(FormsConfig::flavor(Flavor::TwoStep));
    let e = login(&req, &TestServices::new().password("nope").build()).unwrap_err();
    assert_error(
        &e,
        ErrorKind::AuthenticationFailed,
        &["The password you entered was incorrect."],
    );

    req.username = Some("nobody".into());
    let services = pw();
    let e = login(&req, &services).unwrap_err();
    assert_error(
        &e,
        ErrorKind::AuthenticationFailed,
        &["cannot be identified"],
    );
    assert_eq!(
        services.password_requests(),
        0,
        "no password for an unknown user"
    );
}

#[test]
fn continue_page_is_submitted() {
    let (_server, state, req) = start(FormsConfig {
        continue_page: true,
        ..FormsConfig::flavor(Flavor::Keycloak)
    });
    ok(&pw(), &req);
    assert_eq!(state.lock().unwrap().continue_posts, 1);
}

#[test]
fn sp_hop_is_posted_on_to_the_final_assertion() {
    let (_server, state, req) = start(FormsConfig {
        sp_hop: true,
        continue_page: true,
        ..FormsConfig::flavor(Flavor::SimpleSamlPhp)
    });
    ok(&pw(), &req);
    let st = state.lock().unwrap();
    assert_eq!(st.hop_posts, 1);
    assert_eq!(st.continue_posts, 1);
}

#[test]
fn a_looping_page_is_detected() {
    let (_server, state, req) = start(FormsConfig {
        continue_loop: true,
        ..FormsConfig::flavor(Flavor::SimpleSamlPhp)
    });
    let e = login(&req, &pw()).unwrap_err();
    assert_error(&e, ErrorKind::Protocol, &["keeps serving the same form"]);
    // Served once after the login, then twice from /idp/continue: the
    // second time the same URL and form come back, the walk stops.
    assert_eq!(state.lock().unwrap().continue_posts, 2);
}

#[test]
fn max_steps_bounds_the_walk() {
    let (_server, _state, mut req) = start(FormsConfig {
        continue_page: true,
        ..FormsConfig::flavor(Flavor::SimpleSamlPhp)
    });
    req.options.insert("max-steps".into(), "2".into());
    let e = login(&req, &pw()).unwrap_err();
    assert_error(&e, ErrorKind::Protocol, &["after 2 pages"]);
}

#[test]
fn obscure_form_needs_explicit_options() {
    let (_server, state, mut req) = start(FormsConfig::flavor(Flavor::Obscure));
    // Guessing picks the first password form, a decoy that refuses.
    let e = login(&req, &pw()).unwrap_err();
    assert_error(
        &e,
        ErrorKind::AuthenticationFailed,
        &["PIN sign-in is disabled"],
    );

    req.options.insert("form".into(), "#main".into());
    req.options
        .insert("username-field".into(), "f_ident".into());
    req.options
        .insert("password-field".into(), "f_secret".into());
    ok(&pw(), &req);
    assert_eq!(
        state.lock().unwrap().last_fields,
        ["f_ident", "f_note", "f_secret", "go"]
    );
}

#[test]
fn form_option_by_name_and_unknown_form() {
    let (_server, _state, mut req) = start(FormsConfig::flavor(Flavor::Obscure));
    req.options.insert("form".into(), "main".into());
    req.options
        .insert("username-field".into(), "f_ident".into());
    ok(&pw(), &req);

    req.options.insert("form".into(), "#nope".into());
    let services = pw();
    let e = login(&req, &services).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Config, "{e:?}");
    assert!(
        e.message.contains("#nope") && e.message.contains("#quick, #main"),
        "{}",
        e.message
    );
    assert_eq!(services.password_requests(), 0);
}

#[test]
fn wrong_username_field_option_is_a_config_error() {
    let (_server, _state, mut req) = start(FormsConfig::flavor(Flavor::Keycloak));
    req.options
        .insert("username-field".into(), "login_name".into());
    let e = login(&req, &pw()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Config, "{e:?}");
    assert!(
        e.message.contains("login_name") && e.message.contains("username, password"),
        "{}",
        e.message
    );
}

#[test]
fn page_without_a_form_names_its_title_and_host() {
    let (server, _state) = forms::start(FormsConfig::default());
    let services = pw();
    let e = login(&request(&server.url(forms::NO_FORM_PATH)), &services).unwrap_err();
    assert_error(
        &e,
        ErrorKind::Protocol,
        &["Scheduled maintenance", "127.0.0.1"],
    );
    assert_eq!(services.password_requests(), 0);
}

#[test]
fn plain_http_idp_is_refused() {
    let services = pw();
    let e = login(
        &request("http://idp.example.edu/idp/profile/SAML2/Unsolicited/SSO"),
        &services,
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Config, "{e:?}");
    assert!(services.requests().is_empty());
}

#[test]
fn manifest_pins_name_kind_and_inputs() {
    assert_saml_idp_manifest(
        &Forms.manifest(),
        "forms",
        &[
            "username-field",
            "password-field",
            "form",
            "max-steps",
            "accept-consent",
        ],
    );
}

#[test]
fn keycloak_over_https_with_a_scheme_relative_action() {
    let pki = sandbox::pki::TestPki::localhost();
    let dir = tempfile::tempdir().unwrap();
    let ca = pki.write_ca(dir.path()).unwrap();
    let (router, state) = forms::router(FormsConfig {
        continue_page: true,
        ..FormsConfig::flavor(Flavor::Keycloak)
    });
    let server = Server::https(router, &pki);
    let services = TestServices::new()
        .password("hunter2")
        .ca_bundle(ca)
        .build();
    ok(&services, &request(&forms::entry_url(&server, &state)));
    assert!(services
        .requests()
        .iter()
        .all(|(_, url)| url.starts_with("https://localhost:")));
}

#[test]
fn one_time_code_after_the_password() {
    let (_server, state, req) = start(FormsConfig {
        otp: Some("246810".into()),
        ..FormsConfig::flavor(Flavor::Keycloak)
    });
    let services = TestServices::new()
        .password("hunter2")
        .mfa_codes(["246810"])
        .build();
    ok(&services, &req);
    assert_eq!(state.lock().unwrap().otp_posts, 1);
    assert!(services.record().mfa_requests[0].contains("127.0.0.1"));
}

#[test]
fn wrong_one_time_code_is_mfa_rejected() {
    let (_server, state, req) = start(FormsConfig {
        otp: Some("246810".into()),
        ..FormsConfig::flavor(Flavor::SimpleSamlPhp)
    });
    let services = TestServices::new()
        .password("hunter2")
        .mfa_codes(["111111", "246810"])
        .build();
    let e = login(&req, &services).unwrap_err();
    assert_error(&e, ErrorKind::MfaRejected, &["Invalid authenticator code."]);
    assert!(!e.message.contains("111111"));
    assert_eq!(
        state.lock().unwrap().otp_posts,
        1,
        "a rejected code is not retried"
    );
}

#[test]
fn meta_refresh_pages_are_followed() {
    let (server, state) = forms::start(FormsConfig::flavor(Flavor::Keycloak));
    ok(&pw(), &request(&server.url(forms::REFRESH_PATH)));
    assert_eq!(state.lock().unwrap().entry_visits, 1);
}

#[test]
fn keycloak_webauthn_step_fails_at_once_without_posting() {
    let (_server, state, req) = start(FormsConfig {
        webauthn: true,
        ..FormsConfig::flavor(Flavor::Keycloak)
    });
    let e = login(&req, &pw()).unwrap_err();
    assert_error(&e, ErrorKind::BrowserRequired, &["WebAuthn security key"]);
    let st = state.lock().unwrap();
    assert_eq!(st.webauthn_posts, 0, "an empty WebAuthn answer was posted");
    assert_eq!(st.logins_ok, 0);
}
