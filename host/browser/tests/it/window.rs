//! Sign-ins with a window, under a private Xvfb, with xdotool typing as
//! the person: the kept session (a session cookie) then serves a headless
//! sign-in; closing the window ends the attempt; a popup opened by a
//! click is captured; no display means no window.
//!
//! The engine finds the display in the process environment, as in the
//! host: these tests set `DISPLAY` there, each in the one turn at it
//! (`common::env`), so they run one at a time and no other test starts a
//! browser meanwhile.

use crate::common;

use awsprocesscreds_browser::{Cookie, Error, Installed, Outcome};
use common::attempt::{captured, Attempt, NOWHERE};
use common::http::{Response, Server};
use common::idp_pages;
use common::xvfb::{self, Desktop, APPEARS_WITHIN};

/// Xvfb with `DISPLAY` pointing at it, and the browser, or `None`
/// (skipped); call it in your turn at the environment
/// (`common::env::change`).
fn display() -> Option<(Desktop, Installed)> {
    let browser = common::browser()?;
    let x = xvfb::start()?;
    // Edition 2021: safe; the caller has the one turn at the environment.
    #[allow(deprecated)]
    std::env::set_var("DISPLAY", &x.display);
    std::env::remove_var("WAYLAND_DISPLAY");
    Some((x, browser))
}

/// Run `attempt` while the person does `act` (at its window).
fn with_person(attempt: &Attempt, act: impl FnOnce()) -> Result<Outcome, Error> {
    std::thread::scope(|s| {
        let run = s.spawn(|| attempt.run());
        act();
        run.join().unwrap()
    })
}

const SESSION: &str = "s3ss10n-7f3a9c";

/// An IdP with a login form that sets a session cookie (no expiry) and
/// then answers with the SAML POST page while the session lasts.
fn idp(saml: String) -> Server {
    Server::start(move |req| match (req.method.as_str(), req.path()) {
        ("GET", "/login") if req.cookie("idp_session").as_deref() == Some(SESSION) => {
            Response::html(idp_pages::auto_post(
                idp_pages::AWS_SIGNIN,
                &saml,
                Some("relay-1"),
                None,
            ))
        }
        ("GET", "/login") => Response::html(idp_pages::login_form("Test IdP Login", "/login")),
        ("POST", "/login") => {
            let f = req.form();
            if f.get("username").map(String::as_str) == Some("alice")
                && f.get("password").map(String::as_str) == Some("correct horse")
            {
                Response::redirect("/login").header(
                    "Set-Cookie",
                    &format!("idp_session={SESSION}; Path=/; HttpOnly"),
                )
            } else {
                Response::html(idp_pages::login_form("Test IdP Login", "/login"))
            }
        }
        _ => Response::not_found(),
    })
}

/// The person signs in in the window; the exported session cookie
/// then lets a headless run through without the form.
#[test]
fn a_window_sign_in_keeps_a_session_that_serves_headless_runs() {
    let _turn = common::env::change();
    let Some((x, browser)) = display() else {
        return;
    };
    let saml = idp_pages::saml_response("alice");
    let server = idp(saml.clone());
    let p = common::profile(&browser);
    let logged = common::Logged::default();
    let start = server.url("/login");
    let attempt = Attempt::new(&browser, &p, &start)
        .window()
        .logging_to(&logged);
    let out = with_person(&attempt, || {
        // The focus is in the page (the user field has autofocus).
        x.fill_in(
            "Test IdP Login",
            &["alice", "correct horse"],
            APPEARS_WITHIN,
        );
    })
    .unwrap_or_else(|e| {
        let posts: Vec<_> = server
            .seen()
            .iter()
            .filter(|r| r.method == "POST")
            .map(|r| r.form())
            .collect();
        panic!("{e:?}; the IdP saw the posts {posts:?}")
    });
    let c = captured(out);
    assert_eq!(c.saml_response.expose(), saml);
    assert_eq!(c.relay_state.as_deref(), Some("relay-1"));
    let session: Vec<&Cookie> = c
        .cookies
        .iter()
        .filter(|k| k.name == "idp_session")
        .collect();
    assert_eq!(session.len(), 1, "{:?}", c.cookies);
    assert_eq!(session[0].value, SESSION);
    assert_eq!(session[0].expires, None, "a session cookie");
    assert!(logged.secrets.lock().unwrap().iter().any(|s| s == SESSION));
    assert!(!logged.text().contains(SESSION));
    p.assert_nothing_left();
    let posts_before = server.seen().iter().filter(|r| r.method == "POST").count();
    assert_eq!(posts_before, 1);

    // Chromium dropped the session cookie at exit; restored, it is the
    // kept session: headless, no form, no POST of a password.
    let logged2 = common::Logged::default();
    let c2 = Attempt::new(&browser, &p, &start)
        .headless(20)
        .cookies(&c.cookies)
        .logging_to(&logged2)
        .captured();
    assert_eq!(c2.saml_response.expose(), saml);
    let posts_after = server.seen().iter().filter(|r| r.method == "POST").count();
    assert_eq!(posts_after, 1, "the form was posted again");
    assert!(logged2.text().contains("restored"), "{}", logged2.text());
    p.assert_nothing_left();
}

/// Closing the window ends the attempt with "the browser window was
/// closed", long before the deadline.
#[test]
fn closing_the_window_ends_the_attempt() {
    let _turn = common::env::change();
    let Some((x, browser)) = display() else {
        return;
    };
    let server = Server::start(|_| Response::html(idp_pages::idle_page("Close Me")));
    let p = common::profile(&browser);
    let attempt = Attempt::new(&browser, &p, server.url("/start"))
        .window()
        .deadline(300);
    let err = with_person(&attempt, || {
        x.focus(&x.window("Close Me", APPEARS_WITHIN));
        x.key("ctrl+w");
    })
    .unwrap_err();
    assert!(matches!(err, Error::WindowClosed), "{err:?}");
    assert_eq!(
        err.to_string(),
        "the browser window was closed before the sign-in finished"
    );
    p.assert_nothing_left();
}

/// The sign-in continues in a popup the person opens with a click
/// (popups need a person's gesture); its POST is captured.
#[test]
fn a_popup_opened_by_the_person_is_captured() {
    let _turn = common::env::change();
    let Some((x, browser)) = display() else {
        return;
    };
    let saml = idp_pages::saml_response("dave");
    let server = Server::pages([
        (
            "/start",
            r#"<!DOCTYPE html><html><head><title>Choose Sign In</title></head><body>
<button id="go" autofocus onclick="window.open('/popup', 'signin', 'popup,width=500,height=400')">Continue</button></body></html>"#
                .into(),
        ),
        ("/popup", idp_pages::auto_post_to_aws(&saml)),
    ]);
    let p = common::profile(&browser);
    let attempt = Attempt::new(&browser, &p, server.url("/start")).window();
    let c = captured(
        with_person(&attempt, || {
            x.focus(&x.window("Choose Sign In", APPEARS_WITHIN));
            x.key("Return");
        })
        .unwrap(),
    );
    assert_eq!(c.saml_response.expose(), saml);
    assert!(server.seen().iter().any(|r| r.path() == "/popup"));
    p.assert_nothing_left();
}

/// No display and a window needed: fail at once, nothing started.
#[test]
fn without_a_display_a_window_is_refused_at_once() {
    let _turn = common::env::change();
    let Some(browser) = common::browser() else {
        return;
    };
    #[allow(deprecated)]
    {
        std::env::remove_var("DISPLAY");
        std::env::remove_var("WAYLAND_DISPLAY");
    }
    let p = common::profile(&browser);
    let err = Attempt::new(&browser, &p, NOWHERE).window().error();
    assert!(matches!(err, Error::NoWindow { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "a browser window is needed to sign in, but none can be shown here (neither DISPLAY nor WAYLAND_DISPLAY is set)"
    );
    assert!(common::processes_of(&common::config_home(&p)).is_empty());
}

/// Names Chromium has used for session restore in the profile's
/// `Default` directory (a directory in current builds, files in older
/// ones).
fn is_session_restore(name: &str) -> bool {
    name.starts_with("Sessions")
        || [
            "Current Session",
            "Current Tabs",
            "Last Session",
            "Last Tabs",
        ]
        .contains(&name)
}

/// What a sign-in in a window leaves in the kept profile: no session
/// restore data of any name. Chromium keeps the POST of the last
/// navigation (the SAML response) there for a reload; current builds
/// write it to `Default/Sessions_Encrypted`, encrypted on Linux without a
/// keyring with Chromium's fixed fallback key, which is no protection.
#[test]
fn a_window_sign_in_leaves_no_session_restore_data() {
    let _turn = common::env::change();
    let Some((x, browser)) = display() else {
        return;
    };
    let saml = idp_pages::saml_response("dora");
    let idp = Server::pages([("/start", idp_pages::auto_post_to_aws(&saml))]);
    let p = common::profile(&browser);
    let c = Attempt::new(&browser, &p, idp.url("/start"))
        .window()
        .captured();
    assert_eq!(c.saml_response.expose(), saml);
    p.assert_nothing_left();
    let default = p.profile.user_data_dir().join("Default");
    let left: Vec<String> = std::fs::read_dir(&default)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| is_session_restore(n))
        .collect();
    assert!(
        left.is_empty(),
        "session restore data left in {}: {left:?}",
        default.display()
    );
    drop(x);
}
