//! IdP answers beyond the plain login against the
//! sandbox's fake forms IdP: Shibboleth's attribute-release page, locked
//! accounts (also in German), Keycloak's required actions, and a lost
//! sign-in session. Each is a named outcome, never a blind "Continue".

use plugin_api::{ErrorKind, LoginOutcome};
use plugin_testkit::{assert_error, TestServices};
use sandbox::forms::{self, Flavor, FormsConfig, RequiredAction};

use crate::common::{login, pw, request, start};

fn consent() -> FormsConfig {
    FormsConfig {
        attribute_release: true,
        ..FormsConfig::flavor(Flavor::TwoStep)
    }
}

#[test]
fn consent_without_a_terminal_stops_and_says_why() {
    let (_server, state, req) = start(consent());
    let e = login(&req, &pw()).unwrap_err();
    assert_error(
        &e,
        ErrorKind::NoTerminal,
        &["consent to release your information to Amazon Web Services (Principal Name, AWS Role)"],
    );
    assert!(e.hint.unwrap().contains("accept-consent=true"));
    assert!(
        state.lock().unwrap().consent_answers.is_empty(),
        "nothing posted"
    );
}

#[test]
fn consent_accepted_by_option_presses_accept_not_the_first_button() {
    let (_server, state, req) = start(consent());
    let req = req.with_option("accept-consent", "true");
    assert!(matches!(
        login(&req, &pw()).unwrap(),
        LoginOutcome::Saml { .. }
    ));
    assert_eq!(state.lock().unwrap().consent_answers, ["_eventId_proceed"]);
}

#[test]
fn consent_asked_on_the_terminal() {
    let (_server, state, req) = start(consent());
    let req = req.with_interactive(true);
    let s = TestServices::new().password("hunter2").choices([0]).build();
    assert!(matches!(
        login(&req, &s).unwrap(),
        LoginOutcome::Saml { .. }
    ));
    let menus = s.record().menus;
    assert!(menus[0].0.contains("Amazon Web Services"), "{menus:?}");
    assert_eq!(state.lock().unwrap().consent_answers, ["_eventId_proceed"]);

    let (_server, state, req) = start(consent());
    let req = req.with_interactive(true);
    let s = TestServices::new().password("hunter2").choices([1]).build();
    let e = login(&req, &s).unwrap_err();
    assert_error(&e, ErrorKind::Cancelled, &["you declined"]);
    assert!(state.lock().unwrap().consent_answers.is_empty());
}

#[test]
fn locked_accounts_are_named_in_any_language() {
    let cases = [
        // Shibboleth's messages_de.properties, account-locked.message.
        (Flavor::TwoStep, "Ihr Benutzerkonto ist gesperrt."),
        // Keycloak's accountDisabledMessage.
        (
            Flavor::Keycloak,
            "Account is disabled, contact your administrator.",
        ),
    ];
    for (flavor, text) in cases {
        let (_server, state, req) = start(FormsConfig {
            refusal: Some(text.into()),
            ..FormsConfig::flavor(flavor)
        });
        let e = login(&req, &pw()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::AccessDenied, "{e:?}");
        assert!(
            e.message.starts_with("the account is locked or disabled"),
            "{}",
            e.message
        );
        assert!(e.message.contains(text), "{}", e.message);
        assert!(e.hint.unwrap().contains("help desk"));
        assert_eq!(state.lock().unwrap().failures, 1, "not retried");
    }
}

#[test]
fn expired_password_in_the_idp_words() {
    // Shibboleth's expired-password.message.
    let (_server, _state, req) = start(FormsConfig {
        refusal: Some("Your password has expired.".into()),
        ..FormsConfig::flavor(Flavor::TwoStep)
    });
    let e = login(&req, &pw()).unwrap_err();
    assert!(
        e.message
            .starts_with("the password has expired and must be changed"),
        "{}",
        e.message
    );
    assert!(e
        .hint
        .unwrap()
        .contains("change your password in a web browser"));
}

#[test]
fn update_password_page_is_named_and_never_posted() {
    let (_server, state, req) = start(FormsConfig {
        required_action: Some(RequiredAction::UpdatePassword),
        ..FormsConfig::flavor(Flavor::Keycloak)
    });
    let s = pw();
    let e = login(&req, &s).unwrap_err();
    // The password was accepted: not blamed (a keychain keeps it).
    assert_error(
        &e,
        ErrorKind::AccessDenied,
        &[
            "asks you to choose a new password",
            "You need to change your password.",
        ],
    );
    assert_eq!(state.lock().unwrap().required_action_posts, 0);
    assert_eq!(s.password_requests(), 1);
}

#[test]
fn authenticator_setup_needs_a_browser_and_asks_no_code() {
    let (_server, state, req) = start(FormsConfig {
        required_action: Some(RequiredAction::ConfigureTotp),
        ..FormsConfig::flavor(Flavor::Keycloak)
    });
    let s = TestServices::new()
        .password("hunter2")
        .mfa_codes(["123456"])
        .build();
    let e = login(&req, &s).unwrap_err();
    assert_error(
        &e,
        ErrorKind::BrowserRequired,
        &["set up an authenticator app"],
    );
    assert!(s.record().mfa_requests.is_empty());
    assert_eq!(state.lock().unwrap().required_action_posts, 0);
}

#[test]
fn lost_sign_in_session_is_named() {
    let (server, _state) = forms::start(FormsConfig::flavor(Flavor::SimpleSamlPhp));
    // The login page without the session cookie its entry URL sets.
    let req = request(&server.url("/simplesaml/module.php/core/loginuserpass.php?AuthState=x"));
    let s = pw();
    let e = login(&req, &s).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Protocol, "{e:?}");
    assert!(
        e.message
            .starts_with("the sign-in session expired or was lost"),
        "{}",
        e.message
    );
    assert!(
        e.message.contains("State information lost"),
        "{}",
        e.message
    );
    assert_eq!(s.password_requests(), 0);
}
