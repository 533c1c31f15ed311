//! The fuzz harness: one function per target, shared by the libFuzzer
//! targets (`fuzz_targets/*.rs`, nightly) and by the stable regression
//! test `host/tests/it/fuzz_regressions.rs`, which includes this file and
//! replays every input kept in `fuzz/regressions/<target>/`.
//!
//! Each function must never panic, hang or allocate without bound on any
//! input; where a cheap property exists it is asserted too, so the fuzzer
//! finds wrong answers as well as crashes.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use plugin_api::{
    ErrorKind, Host, HttpResponse, LoginOutcome, LoginRequest, MfaSettings, Plugin, PluginError,
    Reply, ServiceRequest, Services, WireHttpResponse,
};

/// `saml_parse`: the host's SAML reader on arbitrary text, as base64 and as
/// XML. Properties: every role it returns is a well-formed role/provider
/// pair, and decoding then parsing agrees with parsing the XML directly.
pub fn saml_parse(data: &[u8]) {
    use awsprocesscreds::saml;
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = saml::parse(text);
        if let Ok(a) = saml::parse_xml(text) {
            for r in &a.roles {
                assert!(
                    r.role_arn.starts_with("arn:") && r.role_arn.contains(":role/"),
                    "{r:?}"
                );
                assert!(r.principal_arn.contains(":saml-provider/"), "{r:?}");
                let _ = (r.account(), r.name());
            }
            let again = saml::parse(&base64::engine::general_purpose::STANDARD.encode(text))
                .expect("the base64 of parseable XML parses");
            assert_eq!(again.roles, a.roles);
            assert_eq!(again.session_duration, a.session_duration);
        }
        for line in text.lines().take(64) {
            if let Some(r) = saml::parse_role_value(line) {
                assert!(!r.role_arn.is_empty() && !r.principal_arn.is_empty());
            }
        }
    }
    // Arbitrary bytes behind valid base64 reach the UTF-8 and XML checks.
    let _ = saml::parse(&base64::engine::general_purpose::STANDARD.encode(data));
}

/// `html_forms`: the plugin kit's HTML reader, as the forms and ADFS
/// plugins use it, on an arbitrary page.
pub fn html_forms(data: &[u8]) {
    use plugin_kit::html::Page;
    let body = String::from_utf8_lossy(data);
    let page = Page::parse("https://idp.example.com/sso/login?x=1", &body).expect("static URL");
    for form in page.forms() {
        let submitted = form.submission();
        // Nameless and disabled controls are never submitted.
        for (name, _) in &submitted {
            assert!(!name.is_empty(), "an empty field name was submitted");
        }
        let filled = form.fill(&[("username", "monty"), ("password", "hunter2")]);
        let _ = filled;
        if let Ok(u) = page.resolve_action(&form) {
            let _ = u.as_str();
        }
        let _ = (form.username_field(), form.password_field(), form.shape());
        let _ = form.fillable_fields().count();
        let _ = page.default_button(&form);
    }
    if let Some(post) = page.saml_post() {
        assert!(!post.saml_response.trim().is_empty());
    }
    let _ = (
        page.title(),
        page.error_message(),
        page.describe(),
        page.scripts(),
    );
    let _ = page.find_form(body.lines().next().unwrap_or(""));
}

/// Scripted services for the Okta plugin: every HTTP request gets the next
/// canned response; prompts get fixed answers; sleeps return at once.
struct Canned {
    responses: Mutex<VecDeque<HttpResponse>>,
}

impl Services for Canned {
    fn serve(&self, request: ServiceRequest) -> Reply {
        match request {
            ServiceRequest::Http { request } => {
                let next = self.responses.lock().unwrap().pop_front();
                let Some(mut r) = next else {
                    return Reply::Error(PluginError::new(
                        ErrorKind::Network,
                        "no more canned responses",
                    ));
                };
                if r.url.is_empty() {
                    r.url = request.url;
                }
                Reply::ok(WireHttpResponse::from(r))
            }
            ServiceRequest::Password { .. } => Reply::ok("hunter2"),
            ServiceRequest::Prompt { .. } => Reply::ok("1"),
            ServiceRequest::Choose { choices, .. } if choices.is_empty() => {
                Reply::Error(PluginError::other("nothing to choose from"))
            }
            ServiceRequest::Choose { choices, .. } => Reply::ok(choices.len() - 1),
            ServiceRequest::MfaCode { .. } => Reply::ok("123456"),
            ServiceRequest::SessionGet { .. } => Reply::ok(None::<String>),
            ServiceRequest::CookiesExport => Reply::ok(""),
            // notify, log, add_secret, sleep, session_put/delete,
            // cookies_import: done at once.
            _ => Reply::done(),
        }
    }
}

/// Split a fuzz input into HTTP responses: records separated by a line
/// `----`; a record starting with `NNN\n` (three digits) has that status,
/// otherwise 200. Bodies are served as JSON, which is what most Okta calls
/// expect; an HTML body still reaches the app-page reader.
pub fn okta_script(data: &[u8]) -> Vec<HttpResponse> {
    let text = String::from_utf8_lossy(data);
    text.split("\n----\n")
        .take(64)
        .map(|rec| {
            let (status, body) = match rec.split_once('\n') {
                Some((s, b)) if s.len() == 3 && s.bytes().all(|c| c.is_ascii_digit()) => {
                    (s.parse().unwrap_or(200), b)
                }
                _ => (200, rec),
            };
            let ctype = if body.trim_start().starts_with('<') {
                "text/html"
            } else {
                "application/json"
            };
            HttpResponse::new(status, "")
                .with_header("content-type", ctype)
                .with_header("x-rate-limit-reset", "1700000000")
                .with_body(body.as_bytes())
        })
        .collect()
}

/// `okta_responses`: a whole Okta login (authn states, factors, polling,
/// step-up, the app page) driven by arbitrary server answers. The plugin
/// must end with an assertion or an error, never panic or loop.
pub fn okta_responses(data: &[u8]) {
    match okta_login(data) {
        Ok(LoginOutcome::Saml { assertion }) => assert!(!assertion.expose().is_empty()),
        Ok(other) => panic!("the okta plugin returned {other:?} instead of an assertion"),
        Err(e) => assert!(!e.message.is_empty(), "an error without a message: {e:?}"),
    }
}

/// One Okta login against the canned answers in `data`.
pub fn okta_login(data: &[u8]) -> Result<LoginOutcome, PluginError> {
    let services = Arc::new(Canned {
        responses: Mutex::new(okta_script(data).into()),
    });
    let host = Host::from_services(services);
    let mfa = MfaSettings::new()
        .with_timeout_secs(5)
        .with_code_source(true);
    let req = LoginRequest::new()
        .with_protocol(plugin_api::PROTOCOL_VERSION)
        .with_endpoint("https://example.okta.com/home/amazon_aws/0oa1b2c3d4e5f6g7h8i9/272")
        .with_username("monty@example.com")
        // The canned answers script the Classic authn API; `auto` would
        // first ask the org for its engine.
        .with_option("flow", "classic")
        .with_verbosity(2)
        .with_interactive(true)
        .with_mfa(mfa);
    okta_plugin::OktaPlugin.login(&req, &host)
}
