//! The `forms` plugin's reading of PingID's pages, consent pages and
//! notices, against the fixtures in examples/sandbox/fixtures (our own
//! pages with the structure of the real ones; each file names its source).

use awsprocesscreds_plugin_forms::pingid::{self, PingIdPage};
use awsprocesscreds_plugin_forms::{
    consent_form, describe_consent, later_fields, notice_form, pick, Options, Pick,
};
use plugin_api::ErrorKind;
use plugin_kit::html::Page;
use plugin_testkit::assert_error;

const PINGID: &str = "https://authenticator.pingone.com/pingid/ppm/auth";

fn page(name: &str, url: &str) -> Page {
    let path = format!(
        "{}/../../examples/sandbox/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    Page::parse(url, &std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn kind(p: &Option<PingIdPage>) -> &'static str {
    match p {
        None => "none",
        Some(PingIdPage::WebAuthnCheck(_)) => "webauthn-check",
        Some(PingIdPage::SecurityKey) => "security-key",
        Some(PingIdPage::Devices { .. }) => "devices",
        Some(PingIdPage::Push(_)) => "push",
        Some(PingIdPage::PushPost(_)) => "push-post",
        Some(PingIdPage::Error(_)) => "error",
    }
}

#[test]
fn each_pingid_page_is_recognised_and_no_other_page_is() {
    let cases = [
        ("pingid-webauthn-check.html", "webauthn-check"),
        ("pingid-security-key.html", "security-key"),
        ("pingid-device-picker.html", "devices"),
        ("pingid-swipe.html", "push"),
        ("pingid-swipe-number.html", "push"),
        ("pingid-error.html", "error"),
        // The passcode page is the generic code step; the hand-off pages
        // are plain auto-posting forms.
        ("pingid-otp.html", "none"),
        ("pingid-ppm-request.html", "none"),
        ("pingid-ppm-response.html", "none"),
    ];
    for (file, want) in cases {
        assert_eq!(
            kind(&pingid::recognise(&page(file, PINGID))),
            want,
            "{file}"
        );
    }
    let fixtures = format!(
        "{}/../../examples/sandbox/fixtures",
        env!("CARGO_MANIFEST_DIR")
    );
    for entry in std::fs::read_dir(fixtures).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.starts_with("pingid-") {
            continue;
        }
        let p = page(&name, "https://idp.example.com/login");
        assert_eq!(kind(&pingid::recognise(&p)), "none", "{name}");
    }
}

#[test]
fn the_no_javascript_notice_is_not_an_error() {
    // Every PingID page carries "PingID requires Javascript" in a
    // <noscript> "window error": not an error to a scripting browser.
    for file in [
        "pingid-swipe.html",
        "pingid-otp.html",
        "pingid-device-picker.html",
    ] {
        let p = page(file, PINGID);
        assert!(
            !matches!(pingid::recognise(&p), Some(PingIdPage::Error(_))),
            "{file}"
        );
        assert_eq!(p.error_message(), None, "{file}");
    }
    let Some(PingIdPage::Error(text)) = pingid::recognise(&page("pingid-error.html", PINGID))
    else {
        panic!("error page not recognised");
    };
    assert_eq!(
        text,
        "Authentication Failed: The authentication request was denied on your device."
    );
}

#[test]
fn push_pages_name_device_number_and_forms() {
    let Some(PingIdPage::Push(push)) = pingid::recognise(&page("pingid-swipe-number.html", PINGID))
    else {
        panic!("push page not recognised");
    };
    assert_eq!(push.number.as_deref(), Some("42"));
    assert_eq!(push.device.as_deref(), Some("iPhone X"));
    assert_eq!(push.status.id.as_deref(), Some("form1"));
    assert_eq!(push.response.id.as_deref(), Some("reponseView"));
    assert_eq!(push.response.field_names(), "csrfToken, status");
    let Some(PingIdPage::Push(plain)) = pingid::recognise(&page("pingid-swipe.html", PINGID))
    else {
        panic!("push page not recognised");
    };
    assert_eq!(plain.number, None);
    assert_eq!(
        pingid::change_device_link(&page("pingid-swipe.html", PINGID))
            .unwrap()
            .as_str(),
        "https://authenticator.pingone.com/pingid/ppm/devices"
    );
}

#[test]
fn device_picker_lists_ids_names_and_kinds() {
    let Some(PingIdPage::Devices { form, devices }) =
        pingid::recognise(&page("pingid-device-picker.html", PINGID))
    else {
        panic!("device picker not recognised");
    };
    assert_eq!(form.id.as_deref(), Some("device-form"));
    let summary: Vec<_> = devices
        .iter()
        .map(|d| {
            (
                d.id.as_str(),
                d.name.as_str(),
                d.kinds.join(" "),
                d.selected,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "5120398817733410001",
                "iPhone X",
                "mobile-phone".to_string(),
                true
            ),
            (
                "5120398817733410002",
                "Desktop Mac",
                "desktop".to_string(),
                false
            ),
        ]
    );
    assert!(pingid::matches("push", &devices[0]));
    assert!(pingid::matches("totp", &devices[1]));
    assert!(pingid::matches("desktop mac", &devices[1]));
}

#[test]
fn passcode_page_is_a_code_step_with_pingid_wording() {
    let p = page("pingid-otp.html", PINGID);
    match pick(&p, &Options::default()).unwrap() {
        Pick::Code { form, code_field } => {
            assert_eq!(code_field, "otp");
            assert_eq!(form.id.as_deref(), Some("otp-form"));
            assert!(form.has_field("csrfToken"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        pingid::passcode_prompt(&p).as_deref(),
        Some("PingID passcode (Desktop Mac): ")
    );
    assert!(pingid::factor_fits("totp", &p));
    assert!(pingid::factor_fits("desktop", &p));
    assert!(!pingid::factor_fits("push", &p));
    let swipe = page("pingid-swipe.html", PINGID);
    assert!(pingid::factor_fits("push", &swipe));
    assert!(pingid::factor_fits("iphone", &swipe));
    assert!(!pingid::factor_fits("totp", &swipe));
}

#[test]
fn shibboleth_consent_page_is_recognised_with_what_it_releases() {
    let p = page(
        "shibboleth-attribute-release.html",
        "https://idp.example.edu/idp/profile/SAML2/Unsolicited/SSO?execution=e1s3",
    );
    let form = consent_form(&p).unwrap();
    // The first submit button declines: a "Continue" would press it.
    assert_eq!(
        p.default_button(&form),
        Some(("_eventId_AttributeReleaseRejected".into(), "Reject".into()))
    );
    assert_eq!(
        describe_consent(&p),
        "Amazon Web Services (Principal Name, AWS Role)"
    );
    assert!(consent_form(&page(
        "shibboleth-idp-v4-login.html",
        "https://idp.example.edu/"
    ))
    .is_none());
}

#[test]
fn password_expiry_notice_presses_change_it_later() {
    let p = page(
        "pingfederate-password-expiring.html",
        "https://sso.example.com/idp/A1b2C/resumeSAML20/idp/startSSO.ping",
    );
    assert!(notice_form(&p).is_some());
    assert_eq!(
        later_fields(&p).unwrap(),
        vec![
            ("pf.notificationCancel".to_string(), "clicked".to_string()),
            ("pf.passwordExpiring".to_string(), "true".to_string()),
            ("pf.pcvId".to_string(), "ExamplePCV".to_string()),
        ]
    );
}

#[test]
fn authenticator_setup_needs_a_browser_and_is_never_posted() {
    let p = page(
        "keycloak-config-totp.html",
        "https://sso.example.com/realms/demo/login-actions/required-action",
    );
    let e = pick(&p, &Options::default()).unwrap_err();
    assert_error(
        &e,
        ErrorKind::BrowserRequired,
        &["authenticator app", "needs a web browser"],
    );
}

#[test]
fn update_password_form_has_several_password_inputs() {
    let p = page(
        "keycloak-update-password.html",
        "https://sso.example.com/realms/demo/login-actions/required-action",
    );
    let form = p.find_form("#kc-passwd-update-form").unwrap();
    assert_eq!(form.password_fields().count(), 3);
    assert_eq!(
        p.error_message().as_deref(),
        Some("You need to change your password.")
    );
}
