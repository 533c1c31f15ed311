//! The `forms` plugin's page reading against realistic login pages of real
//! IdPs (examples/sandbox/fixtures): which form it acts on, with which
//! fields, and whether a SAML POST is the last hop or one to post on.

use awsprocesscreds_plugin_forms::{pick, Options, Pick};
use plugin_kit::html::Page;

fn page(name: &str, url: &str) -> Page {
    let path = format!(
        "{}/../../examples/sandbox/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    Page::parse(url, &std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[test]
fn login_pages_of_known_idps() {
    let cases = [
        (
            "shibboleth-idp-v4-login.html",
            "j_username",
            "j_password",
            0,
        ),
        ("keycloak-login.html", "username", "password", 0),
        ("simplesamlphp-1.19-login.html", "username", "password", 1),
        ("simplesamlphp-2.x-login.html", "username", "password", 1),
        ("pingfederate-login.html", "pf.username", "pf.pass", 0),
        ("cas-login.html", "username", "password", 1),
        ("adfs-3.0-signin.html", "UserName", "Password", 0),
        (
            "adfs-2.0-signin.html",
            "ctl00$ContentPlaceHolder1$UsernameTextBox",
            "ctl00$ContentPlaceHolder1$PasswordTextBox",
            0,
        ),
    ];
    for (file, user, pass, index) in cases {
        let p = page(file, "https://idp.example.com/login");
        match pick(&p, &Options::default()).unwrap() {
            Pick::Login {
                form,
                username_field,
                password_field,
            } => {
                assert_eq!(username_field.as_deref(), Some(user), "{file}");
                assert_eq!(password_field, pass, "{file}");
                assert_eq!(form.index, index, "{file}");
            }
            other => panic!("{file}: {other:?}"),
        }
    }
}

#[test]
fn saml_posts_final_or_hop() {
    let p = page("adfs-saml-post.html", "https://adfs.example.com/adfs/ls/");
    assert!(matches!(
        pick(&p, &Options::default()).unwrap(),
        Pick::Saml { last: true, .. }
    ));
    let p = page(
        "shibboleth-sp-hop.html",
        "https://idp.example.edu/idp/profile/SAML2/Unsolicited/SSO",
    );
    assert!(matches!(
        pick(&p, &Options::default()).unwrap(),
        Pick::Saml { last: false, .. }
    ));
}

#[test]
fn explicit_form_and_fields() {
    let p = page("cas-login.html", "https://cas.example.edu/cas/login");
    let options = Options {
        form: Some("form#fm1".into()),
        username_field: Some("username".into()),
        password_field: Some("password".into()),
        ..Default::default()
    };
    assert!(
        matches!(pick(&p, &options).unwrap(), Pick::Login { ref form, .. } if form.id.as_deref() == Some("fm1"))
    );
    let options = Options {
        form: Some("#searchForm".into()),
        ..Default::default()
    };
    // The named form has no password: it is submitted as it is.
    assert!(matches!(
        pick(&p, &options).unwrap(),
        Pick::Username { .. } | Pick::Continue { .. }
    ));
    let options = Options {
        form: Some("#missing".into()),
        ..Default::default()
    };
    let e = pick(&p, &options).unwrap_err();
    assert!(
        e.message.contains("#missing") && e.message.contains("#searchForm, #fm1"),
        "{}",
        e.message
    );
}

#[test]
fn keycloak_webauthn_step_is_named_not_posted() {
    let p = page(
        "keycloak-webauthn-authenticate.html",
        "https://idp.example.com/realms/demo/login-actions/authenticate",
    );
    let err = pick(&p, &Options::default()).unwrap_err();
    assert_eq!(err.kind, plugin_api::ErrorKind::BrowserRequired);
    assert!(
        err.message.contains("WebAuthn security key"),
        "{}",
        err.message
    );
}
