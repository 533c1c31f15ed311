//! The plugin against the test host: it asks the host's browser service
//! for the `-e` URL and returns what the browser captured; it refuses URLs
//! the host would not open, and says so when the host has no browser.

use awsprocesscreds_plugin_browser::Browser;
use plugin_api::{ErrorKind, Host, LoginOutcome, LoginRequest, Plugin, PluginError};
use plugin_testkit::TestServices;

const URL: &str =
    "https://idp.example.com/idp/profile/SAML2/Unsolicited/SSO?providerId=urn:amazon:webservices";

fn request(endpoint: &str) -> LoginRequest {
    LoginRequest::new().with_endpoint(endpoint.to_string())
}

#[test]
fn the_browser_service_is_asked_for_the_endpoint() {
    let services = TestServices::new()
        .browser_answers([Ok("PHNhbWxwOlJlc3BvbnNlLz4=".to_string())])
        .build();
    let host = Host::from_services(services.clone());
    let out = Browser.login(&request(URL), &host).unwrap();
    let LoginOutcome::Saml { assertion } = out else {
        panic!("not a SAML outcome")
    };
    assert_eq!(assertion.expose(), "PHNhbWxwOlJlc3BvbnNlLz4=");
    assert_eq!(services.record().browser, vec![(URL.to_string(), None)]);
    assert_eq!(services.password_requests(), 0);
}

#[test]
fn a_closed_window_is_the_hosts_error() {
    let services = TestServices::new()
        .browser_answers([Err(PluginError::new(
            ErrorKind::Cancelled,
            "the browser window was closed before the sign-in finished",
        ))])
        .build();
    let e = Browser
        .login(&request(URL), &Host::from_services(services))
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Cancelled);
    assert!(e.message.contains("window was closed"), "{e}");
}

#[test]
fn without_the_service_the_plugin_says_to_update() {
    // The test host without scripted answers is a host that cannot open
    // browsers; `capabilities` still lists the service (protocol 2), so the
    // call is made and its `not-supported` comes back as it is.
    let services = TestServices::new().build();
    let e = Browser
        .login(&request(URL), &Host::from_services(services.clone()))
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotSupported, "{e}");
    assert_eq!(services.record().browser.len(), 1);
}
