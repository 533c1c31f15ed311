//! `plugin_kit::html` against realistic login pages of real IdPs (the
//! fixtures in examples/sandbox/fixtures, written from the public structure
//! of those products): the right form, its username and password inputs,
//! the action resolved the way a browser resolves it, what a browser posts,
//! and the IdP's error text.

use plugin_kit::html::{Form, Page};

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/../../examples/sandbox/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The first form with a password input (what the `forms` plugin starts from).
fn login_form(page: &Page) -> Form {
    page.forms()
        .into_iter()
        .find(|f| f.password_field().is_some())
        .expect("a login form")
}

struct Case {
    file: &'static str,
    url: &'static str,
    form_id: Option<&'static str>,
    form_index: usize,
    username: &'static str,
    password: &'static str,
    action: &'static str,
    error: Option<&'static str>,
}

const CASES: &[Case] = &[
    Case {
        file: "adfs-2.0-signin.html",
        url: "https://adfs.example.com/adfs/ls/FormsSignIn.aspx?loginToRp=urn:amazon:webservices",
        form_id: Some("aspnetForm"),
        form_index: 0,
        username: "ctl00$ContentPlaceHolder1$UsernameTextBox",
        password: "ctl00$ContentPlaceHolder1$PasswordTextBox",
        action: "https://adfs.example.com/adfs/ls/FormsSignIn.aspx?loginToRp=urn:amazon:webservices&ReturnUrl=%2fadfs%2fls%2fIdpInitiatedSignOn.aspx%3floginToRp%3durn%3aamazon%3awebservices",
        error: None,
    },
    Case {
        file: "adfs-3.0-signin.html",
        url: "https://adfs.example.com/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices",
        form_id: Some("loginForm"),
        form_index: 0,
        username: "UserName",
        password: "Password",
        action: "https://adfs.example.com/adfs/ls/?SAMLRequest=fZHNbsIwEITvfYrI92AnhBAsQhTBBYmqUql66M1yNrCS&RelayState=RPID%3Durn%253aamazon%253awebservices&client-request-id=6a2c7c1e-4f6b-4d1e-8f00-0080000000d1",
        error: None,
    },
    Case {
        file: "adfs-2016-signin-error.html",
        url: "https://adfs.example.com/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices&client-request-id=1",
        form_id: Some("loginForm"),
        form_index: 0,
        username: "UserName",
        password: "Password",
        action: "https://adfs.example.com/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices&client-request-id=1d8a2b4c-0000-4000-8000-00c0ffee0001",
        error: Some("Incorrect user ID or password. Type the correct user ID and password, and try again."),
    },
    Case {
        file: "shibboleth-idp-v4-login.html",
        url: "https://idp.example.edu/idp/profile/SAML2/Unsolicited/SSO?execution=e1s1",
        form_id: None,
        form_index: 0,
        username: "j_username",
        password: "j_password",
        action: "https://idp.example.edu/idp/profile/SAML2/Unsolicited/SSO?execution=e1s1",
        error: None,
    },
    Case {
        file: "shibboleth-idp-v3-error.html",
        url: "https://idp.example.edu/idp/profile/SAML2/Unsolicited/SSO?execution=e1s2",
        form_id: None,
        form_index: 0,
        username: "j_username",
        password: "j_password",
        action: "https://idp.example.edu/idp/profile/SAML2/Unsolicited/SSO;jsessionid=node0abc123?execution=e1s2",
        error: Some("The password you entered was incorrect."),
    },
    Case {
        file: "keycloak-login.html",
        url: "https://sso.example.com/realms/corp/protocol/saml/clients/amazon-aws",
        form_id: Some("kc-form-login"),
        form_index: 0,
        username: "username",
        password: "password",
        action: "https://sso.example.com/realms/corp/login-actions/authenticate?session_code=QkL3xYx6Bq1lXPvqYc8R3sDg5a2Y7YtYzYqZq6g0Hrw&execution=0d3b7e0a-1f0d-4a2e-9b3b-4e6f8a9b0c1d&client_id=urn%3Aamazon%3Awebservices&tab_id=N5yPiUYl3Ao",
        error: None,
    },
    Case {
        file: "keycloak-login-error.html",
        url: "https://sso.example.com/realms/corp/login-actions/authenticate?session_code=x",
        form_id: Some("kc-form-login"),
        form_index: 0,
        username: "username",
        password: "password",
        action: "https://sso.example.com/realms/corp/login-actions/authenticate?session_code=Zm9vYmFy&execution=0d3b7e0a&client_id=urn%3Aamazon%3Awebservices&tab_id=N5yPiUYl3Ao",
        error: Some("Invalid username or password."),
    },
    Case {
        file: "simplesamlphp-1.19-login.html",
        url: "https://idp.example.org/simplesaml/module.php/core/loginuserpass.php?AuthState=_5d1f",
        form_id: None,
        form_index: 1,
        username: "username",
        password: "password",
        action: "https://idp.example.org/simplesaml/module.php/core/loginuserpass.php?",
        error: Some("Incorrect username or password: Either no user with the given username could be found, or the password you gave was wrong. Please check the username and try again."),
    },
    Case {
        file: "simplesamlphp-2.x-login.html",
        url: "https://idp.example.org/simplesaml/module.php/core/loginuserpass?AuthState=_abc",
        form_id: Some("f"),
        form_index: 1,
        username: "username",
        password: "password",
        action: "https://idp.example.org/simplesaml/module.php/core/loginuserpass?AuthState=_abc%3Ahttps%3A%2F%2Fidp.example.org%2Fsimplesaml%2Fmodule.php%2Fsaml%2Fidp%2FsingleSignOnService%3Fspentityid%3Durn%253Aamazon%253Awebservices%26cookieTime%3D1732562500",
        error: None,
    },
    Case {
        file: "pingfederate-login.html",
        url: "https://login.example.com/idp/startSSO.ping?PartnerSpId=urn:amazon:webservices",
        form_id: None,
        form_index: 0,
        username: "pf.username",
        password: "pf.pass",
        // The page's <base href> wins over its URL, as in browsers.
        action: "https://sso.example.com/idp/A1b2C/resumeSAML20/idp/startSSO.ping",
        error: Some("We didn't recognize the username or password you entered. Please try again."),
    },
    Case {
        file: "cas-login.html",
        url: "https://cas.example.edu/cas/login?service=x",
        form_id: Some("fm1"),
        form_index: 1,
        username: "username",
        password: "password",
        action: "https://cas.example.edu/cas/login?service=https%3A%2F%2Fcas.example.edu%2Fcas%2Fidp%2Fprofile%2FSAML2%2FCallback%3FentityId%3Durn%253Aamazon%253Awebservices",
        error: None,
    },
];

#[test]
fn every_fixture_yields_the_right_form_fields_action_and_error() {
    for c in CASES {
        let page = Page::parse(c.url, &fixture(c.file)).unwrap();
        let form = login_form(&page);
        assert_eq!(form.id.as_deref(), c.form_id, "{}: form id", c.file);
        assert_eq!(form.index, c.form_index, "{}: form index", c.file);
        assert_eq!(form.method, "POST", "{}", c.file);
        assert_eq!(
            form.username_field().and_then(|f| f.name.as_deref()),
            Some(c.username),
            "{}: username field",
            c.file
        );
        assert_eq!(
            form.password_field().and_then(|f| f.name.as_deref()),
            Some(c.password),
            "{}: password field",
            c.file
        );
        assert_eq!(
            page.resolve_action(&form).unwrap().as_str(),
            c.action,
            "{}: action",
            c.file
        );
        assert_eq!(
            page.error_message().as_deref(),
            c.error,
            "{}: error text",
            c.file
        );
        // Never a nameless, unchecked or button field in the submission.
        for (name, _) in form.submission() {
            assert!(!name.is_empty(), "{}", c.file);
            let field = form.field(&name).unwrap();
            assert!(
                !matches!(field.kind.as_str(), "submit" | "button"),
                "{}: {name}",
                c.file
            );
            if field.kind == "checkbox" {
                assert!(field.checked, "{}: unchecked {name} posted", c.file);
            }
        }
        if let Some(id) = c.form_id {
            assert_eq!(
                page.find_form(&format!("#{id}")).map(|f| f.index),
                Some(form.index)
            );
            assert_eq!(page.find_form(id).map(|f| f.index), Some(form.index));
        }
    }
}

#[test]
fn hidden_state_is_entity_decoded() {
    let page = Page::parse(
        "https://idp.example.org/simplesaml/module.php/core/loginuserpass.php?AuthState=x",
        &fixture("simplesamlphp-1.19-login.html"),
    )
    .unwrap();
    let form = login_form(&page);
    assert_eq!(
        form.value_of("AuthState"),
        Some("_7a8b9c0d1e2f3a4b5c6d:https://idp.example.org/simplesaml/saml2/idp/SSOService.php?spentityid=urn%3Aamazon%3Awebservices&cookieTime=1732562412")
    );
    let names: Vec<String> = form.submission().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["username", "password", "AuthState"]);
}

#[test]
fn default_buttons_like_a_browser_pressing_enter() {
    let cases = [
        (
            "adfs-2.0-signin.html",
            Some(("ctl00$ContentPlaceHolder1$SubmitButton", "Sign In")),
        ),
        ("adfs-3.0-signin.html", None),
        ("keycloak-login.html", Some(("login", "Sign In"))),
        (
            "shibboleth-idp-v4-login.html",
            Some(("_eventId_proceed", "")),
        ),
        ("simplesamlphp-2.x-login.html", None),
        ("cas-login.html", Some(("submitBtn", "Login"))),
    ];
    for (file, want) in cases {
        let page = Page::parse("https://idp.example.com/", &fixture(file)).unwrap();
        let form = login_form(&page);
        let got = page.default_button(&form);
        assert_eq!(
            got.as_ref().map(|(n, v)| (n.as_str(), v.as_str())),
            want,
            "{file}"
        );
    }
}

#[test]
fn unchecked_boxes_are_not_posted() {
    let page = Page::parse("https://sso.example.com/", &fixture("keycloak-login.html")).unwrap();
    let names: Vec<String> = login_form(&page)
        .submission()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names, ["username", "password", "credentialId"]);
    let page = Page::parse(
        "https://adfs.example.com/",
        &fixture("adfs-2016-signin-error.html"),
    )
    .unwrap();
    let form = login_form(&page);
    assert_eq!(form.value_of("UserName"), Some("monty@example.com"));
    assert!(!form.submission().iter().any(|(n, _)| n == "Kmsi"));
}

#[test]
fn saml_post_pages() {
    let page = Page::parse(
        "https://adfs.example.com/adfs/ls/",
        &fixture("adfs-saml-post.html"),
    )
    .unwrap();
    let post = page.saml_post().unwrap();
    assert_eq!(
        post.action.as_deref(),
        Some("https://signin.aws.amazon.com/saml")
    );
    let xml = plugin_kit::saml::decode(&post.saml_response).unwrap();
    assert!(plugin_kit::saml::offers_aws_roles(&xml));
    assert!(plugin_kit::saml::is_aws_signin(
        post.action.as_deref().unwrap()
    ));

    let page = Page::parse(
        "https://idp.example.edu/idp/profile/SAML2/Unsolicited/SSO?execution=e1s3",
        &fixture("shibboleth-sp-hop.html"),
    )
    .unwrap();
    let post = page.saml_post().unwrap();
    assert_eq!(
        post.action.as_deref(),
        Some("https://proxy.example.edu/Shibboleth.sso/SAML2/POST")
    );
    assert_eq!(post.relay_state.as_deref(), Some("cookie:1732562400_a1b2"));
    let xml = plugin_kit::saml::decode(&post.saml_response).unwrap();
    assert!(!plugin_kit::saml::offers_aws_roles(&xml));
    assert_eq!(
        plugin_kit::saml::destination(&xml).as_deref(),
        Some("https://proxy.example.edu/Shibboleth.sso/SAML2/POST")
    );
}

#[test]
fn adfs_mfa_pages() {
    let page = Page::parse(
        "https://adfs.example.com/adfs/ls/",
        &fixture("adfs-2019-azure-mfa-push.html"),
    )
    .unwrap();
    assert_eq!(page.text_of("#validEntropyNumber").as_deref(), Some("37"));
    assert_eq!(page.error_message(), None, "empty #errorText is no error");
    let form = page.find_form("#loginForm").unwrap();
    assert_eq!(
        form.value_of("Context"),
        Some("00000000-0000-0000-6300-0080000000e2&AQAAANCMnd8BFdERjHoAwE/Cl+s=")
    );
    assert!(form.fillable_fields().next().is_none());
    // An element inside a form selects that form.
    assert_eq!(
        page.find_form("#differentVerificationOption")
            .and_then(|f| f.id),
        Some("options".into())
    );

    let page = Page::parse(
        "https://adfs.example.com/adfs/ls/",
        &fixture("adfs-2016-securid.html"),
    )
    .unwrap();
    let form = page.find_form("loginForm").unwrap();
    let fillable: Vec<_> = form
        .fillable_fields()
        .filter_map(|f| f.name.as_deref())
        .collect();
    assert_eq!(fillable, ["Passcode"]);
    assert_eq!(
        page.default_button(&form),
        Some(("Continue".into(), "Continue".into()))
    );
}
