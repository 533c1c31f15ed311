//! AD FS answers beyond the plain sign-in: home realm
//! discovery, a locked account, an expired password, and the same pages
//! read from the fixtures in examples/sandbox/fixtures.

use std::sync::Arc;

use awsprocesscreds_plugin_adfs::{realms, Realm};
use plugin_api::{ErrorKind, LoginOutcome};
use plugin_kit::html::Page;
use plugin_testkit::{assert_error, TestServices};
use sandbox::adfs::{self, AdfsConfig};

use crate::common::{entry, login};

fn pw() -> Arc<TestServices> {
    TestServices::new().password("hunter2").build()
}

fn fixture(name: &str) -> Page {
    let path = format!(
        "{}/../../examples/sandbox/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    Page::parse(
        "https://adfs.example.com/adfs/ls/auth/sign-in?client-request-id=1",
        &std::fs::read_to_string(path).unwrap(),
    )
    .unwrap()
}

#[test]
fn home_realm_tiles_are_read_from_the_page() {
    let page = fixture("adfs-2016-home-realm-discovery.html");
    assert_eq!(
        realms(&page),
        [
            Realm {
                id: "AD AUTHORITY".into(),
                label: "Example Corp".into()
            },
            Realm {
                id: "http://sts.partner.example.edu/adfs/services/trust".into(),
                label: "Partner University".into()
            },
        ]
    );
    assert!(realms(&fixture("adfs-3.0-signin.html")).is_empty());
}

#[test]
fn home_realm_discovery_picks_the_local_directory() {
    let (server, state) = adfs::start(AdfsConfig {
        home_realm_discovery: true,
        ..Default::default()
    });
    let services = pw();
    assert!(matches!(
        login(&entry(&server), &services).unwrap(),
        LoginOutcome::Saml { .. }
    ));
    let st = state.lock().unwrap();
    assert_eq!(st.home_realms, ["AD AUTHORITY"]);
    assert_eq!(st.password_posts, 1);
}

#[test]
fn home_realm_option_by_name_and_unknown() {
    let (server, state) = adfs::start(AdfsConfig {
        home_realm_discovery: true,
        ..Default::default()
    });
    let req = entry(&server).with_option("home-realm", "example corp");
    assert!(login(&req, &pw()).is_ok());
    let req = entry(&server).with_option("home-realm", "Elsewhere");
    let e = login(&req, &pw()).unwrap_err();
    assert_error(&e, ErrorKind::Config, &["Partner University"]);
    assert_eq!(state.lock().unwrap().home_realms, ["AD AUTHORITY"]);
}

#[test]
fn refusals_after_a_good_password_are_named() {
    let cases = [
        // The text AD FS shows a user who must change the password
        // (quoted in neos-sdi/adfsmfa discussion #186).
        (
            "Your password has expired. Type your updated password and try again.",
            "the password has expired and must be changed",
        ),
        // Windows' text for ERROR_ACCOUNT_LOCKED_OUT (1909), as sign-in
        // pages that pass the directory's reason on show it; stock AD FS
        // words an extranet lockout like a wrong password.
        (
            "The referenced account is currently locked out and may not be logged on to.",
            "the account is locked or disabled",
        ),
    ];
    for (text, what) in cases {
        let (server, state) = adfs::start(AdfsConfig {
            refusal: Some(text.into()),
            ..Default::default()
        });
        let e = login(&entry(&server), &pw()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::AccessDenied, "{e:?}");
        assert!(e.message.starts_with(what), "{}", e.message);
        assert!(e.message.contains(text), "{}", e.message);
        assert!(e.hint.is_some());
        assert_eq!(state.lock().unwrap().password_posts, 1, "not retried");
    }
}
