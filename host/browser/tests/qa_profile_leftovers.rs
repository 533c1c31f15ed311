//! What a sign-in in a window leaves in the kept profile: no session
//! restore data of any name. Chromium keeps the POST of the last
//! navigation (the SAML response) there for a reload; current builds
//! write it to `Default/Sessions_Encrypted`, encrypted on Linux without a
//! keyring with Chromium's fixed fallback key, which is no protection.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use awsprocesscreds_browser::{sign_in, Mode, Outcome, SignIn};
use common::http::{Response, Server};
use common::idp_pages;
use common::xvfb::Xvfb;

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

#[test]
fn a_window_sign_in_leaves_no_session_restore_data() {
    let Some(browser) = common::browser() else {
        return;
    };
    let Some(x) = Xvfb::start() else { return };
    // The only test of this binary: nothing else reads the environment.
    #[allow(deprecated)]
    std::env::set_var("DISPLAY", &x.display);
    std::env::remove_var("WAYLAND_DISPLAY");
    let saml = idp_pages::saml_response("dora");
    let s = saml.clone();
    let idp = Server::start(move |req| match req.path() {
        "/start" => Response::html(idp_pages::auto_post(
            "https://signin.aws.amazon.com/saml",
            &s,
            None,
            None,
        )),
        _ => Response::not_found(),
    });
    let p = common::profile(&browser);
    let rule = common::aws_rule(None);
    let logged = common::Logged::default();
    let out = sign_in(&SignIn {
        browser: &browser,
        profile: &p.profile,
        start_url: &idp.url("/start"),
        capture: &rule,
        cookies: &[],
        mode: Mode::Window,
        deadline: common::deadline(60),
        sinks: &logged.sinks(),
        cancel: None,
    })
    .unwrap();
    let Outcome::Captured(c) = out else {
        panic!("expected a capture, got {out:?}")
    };
    assert_eq!(c.saml_response.expose(), saml);
    common::assert_nothing_left(&common::config_home(&p));
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
