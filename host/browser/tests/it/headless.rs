//! Headless sign-ins in the real Chromium: capture, the kept session,
//! and the early "a person is needed" decisions.

use crate::common;

use std::time::Duration;

use awsprocesscreds_browser::{Error, Outcome};
use common::attempt::Attempt;
use common::http::{Response, Server};
use common::idp_pages;

/// The IdP page auto-posts to the sign-in URL (here the
/// `AWSPROCESSCREDS_SIGNIN_URL`-style override on our own server, so we
/// can prove the POST never left the browser).
#[test]
fn captures_the_auto_posted_saml_response_without_sending_it() {
    let _env = common::env::unchanged();
    let Some(browser) = common::browser() else {
        return;
    };
    let saml = idp_pages::saml_response("alice");
    let (s, relay) = (saml.clone(), "https://console.aws.amazon.com/?x=1&y=2");
    let server = std::sync::Arc::new(std::sync::OnceLock::<u16>::new());
    let port = server.clone();
    let idp = Server::start(move |req| match req.path() {
        "/start" => {
            let action = format!("http://127.0.0.1:{}/saml", port.get().unwrap());
            Response::html(idp_pages::auto_post(&action, &s, Some(relay), None))
        }
        _ => Response::html("AWS would answer here"),
    });
    server.set(idp.port).unwrap();
    let p = common::profile(&browser);
    let logged = common::Logged::default();
    let c = Attempt::new(&browser, &p, idp.url("/start"))
        .capturing_also(&idp.url("/saml"))
        .logging_to(&logged)
        .captured();
    assert_eq!(c.saml_response.expose(), saml);
    assert_eq!(c.relay_state.as_deref(), Some(relay));
    assert_eq!(c.posted_to, idp.url("/saml"));
    assert!(
        idp.seen().iter().all(|r| r.path() != "/saml"),
        "the POST reached the server: {:?}",
        idp.seen().iter().map(|r| &r.target).collect::<Vec<_>>()
    );
    // The assertion went to the redaction sink and never into a log line.
    assert!(logged.secrets.lock().unwrap().contains(&saml));
    assert!(!logged.text().contains(&saml[..40]));
    p.assert_nothing_left();
    // Nothing the browser kept on disk holds the SAML response (its HTTP
    // cache had the page that posts it, session restore the POST itself).
    let middle = &saml[saml.len() / 2..saml.len() / 2 + 40];
    let holding: Vec<_> = common::files(p.tmp.path())
        .into_iter()
        .filter(|f| String::from_utf8_lossy(&std::fs::read(f).unwrap_or_default()).contains(middle))
        .collect();
    assert!(
        holding.is_empty(),
        "the SAML response is on disk: {holding:?}"
    );
    // As root, and only then, the sandbox is off, and -v says so.
    let says_no_sandbox = logged.text().contains("--no-sandbox");
    assert_eq!(says_no_sandbox, is_root(), "{}", logged.text());
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(2) == Some("0"))
}

/// A post from a frame other than the top page (here an iframe) is
/// captured too: the interception is browser-wide.
#[test]
fn captures_a_post_made_from_an_iframe_to_a_regional_host() {
    let _env = common::env::unchanged();
    let Some(browser) = common::browser() else {
        return;
    };
    let saml = idp_pages::saml_response("bob");
    let idp = Server::pages([
        (
            "/start",
            r#"<!DOCTYPE html><html><head><title>Frame</title></head><body><iframe src="/inner"></iframe></body></html>"#.into(),
        ),
        (
            "/inner",
            idp_pages::auto_post("https://eu-west-1.signin.aws.amazon.com/saml", &saml, None, None),
        ),
    ]);
    let p = common::profile(&browser);
    let c = Attempt::new(&browser, &p, idp.url("/start")).captured();
    assert_eq!(c.saml_response.expose(), saml);
    assert_eq!(c.relay_state, None);
    assert_eq!(c.posted_to, "https://eu-west-1.signin.aws.amazon.com/saml");
    p.assert_nothing_left();
}

/// POSTs to /saml that carry no SAML Response (an AuthnRequest,
/// garbage) are not taken; the real one that follows is.
#[test]
fn a_post_without_a_saml_response_is_not_captured() {
    let _env = common::env::unchanged();
    let Some(browser) = common::browser() else {
        return;
    };
    let saml = idp_pages::saml_response("carol");
    let idp = Server::pages([
        (
            "/start",
            format!(
                r#"<!DOCTYPE html><html><head><title>Two posts</title></head><body>
<iframe name="a"></iframe><iframe name="b"></iframe>
<form id="f1" method="post" action="https://signin.aws.amazon.com/saml" target="a"><input type="hidden" name="SAMLResponse" value="{}"></form>
<form id="f2" method="post" action="https://signin.aws.amazon.com/saml" target="b"><input type="hidden" name="SAMLResponse" value="bm90IFhNTA"></form>
<script>document.getElementById('f1').submit(); document.getElementById('f2').submit();
setTimeout(() => {{ location.href = '/real'; }}, 1500);</script></body></html>"#,
                idp_pages::authn_request()
            ),
        ),
        ("/real", idp_pages::auto_post_to_aws(&saml)),
    ]);
    let p = common::profile(&browser);
    let logged = common::Logged::default();
    let c = Attempt::new(&browser, &p, idp.url("/start"))
        .headless(30)
        .logging_to(&logged)
        .captured();
    assert_eq!(c.saml_response.expose(), saml);
    let log = logged.text();
    assert!(
        log.contains("not a SAML sign-in (its SAMLResponse is a <AuthnRequest>"),
        "{log}"
    );
    assert!(
        log.contains("not a SAML sign-in (its SAMLResponse is not XML)"),
        "{log}"
    );
    p.assert_nothing_left();
}

/// Runs a headless attempt on a page that must end needing a person;
/// why it does.
fn needs_person_on(page: String, give_up: u64) -> String {
    let browser = common::browser().unwrap();
    let idp = Server::pages([("/start", page)]);
    let p = common::profile(&browser);
    let logged = common::Logged::default();
    let out = Attempt::new(&browser, &p, idp.url("/start"))
        .headless(give_up)
        .logging_to(&logged)
        .run();
    // The headless browser is gone before the caller may start a window.
    p.assert_nothing_left();
    match out {
        Ok(Outcome::NeedsPerson { why }) => why,
        other => panic!("expected NeedsPerson, got {other:?}\n{}", logged.text()),
    }
}

/// A password form headless: a person is needed, long before the
/// give-up time.
#[test]
fn a_login_form_needs_a_person() {
    let _env = common::env::unchanged();
    if common::browser().is_none() {
        return;
    }
    let why = needs_person_on(idp_pages::login_form("Sign In", "/login"), 30);
    assert!(
        why.contains("password") || why.contains("user name"),
        "{why}"
    );
}

/// A WebAuthn request (security key, passkey) headless: a person is
/// needed.
#[test]
fn a_webauthn_request_needs_a_person() {
    let _env = common::env::unchanged();
    if common::browser().is_none() {
        return;
    }
    let why = needs_person_on(idp_pages::webauthn_page(), 30);
    assert!(why.contains("WebAuthn"), "{why}");
}

/// No SAML POST within the give-up time: a person is needed.
#[test]
fn nothing_within_the_give_up_time_needs_a_person() {
    let _env = common::env::unchanged();
    if common::browser().is_none() {
        return;
    }
    let why = needs_person_on(idp_pages::idle_page("Idle"), 2);
    assert!(why.contains("no SAML response came within 2s"), "{why}");
}

/// The deadline ends the attempt, and the browser with it.
#[test]
fn the_deadline_ends_the_attempt() {
    let _env = common::env::unchanged();
    let Some(browser) = common::browser() else {
        return;
    };
    let idp = Server::start(|_| Response::html(idp_pages::idle_page("Idle")));
    let p = common::profile(&browser);
    let err = Attempt::new(&browser, &p, idp.url("/start"))
        .headless(60)
        .deadline(3)
        .error();
    assert!(matches!(err, Error::TimedOut { .. }), "{err:?}");
    assert!(err.to_string().contains("did not finish within"), "{err}");
    assert!(err.hint().is_some());
    p.assert_nothing_left();
}

/// The caller's cancel flag stops the attempt and the browser.
#[test]
fn cancelling_stops_the_browser() {
    let _env = common::env::unchanged();
    let Some(browser) = common::browser() else {
        return;
    };
    let idp = Server::start(|_| Response::html(idp_pages::idle_page("Idle")));
    let p = common::profile(&browser);
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let attempt = Attempt::new(&browser, &p, idp.url("/start"))
        .headless(60)
        .cancel(&cancel);
    let err = std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_secs(2));
            cancel.store(true, std::sync::atomic::Ordering::Relaxed);
        });
        attempt.error()
    });
    assert!(matches!(err, Error::Cancelled), "{err:?}");
    p.assert_nothing_left();
}
