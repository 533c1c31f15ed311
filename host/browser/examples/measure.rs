//! Headless refresh time versus its floor, on this machine's Chromium.
//!
//! * refresh: `sign_in` headless with the kept session cookie restored,
//!   against an IdP page that answers a valid session with the SAML POST
//!   page (everything the host's refresh does in the browser);
//! * floor: [`awsprocesscreds_browser::floor`] on the same Chromium: same
//!   flags, `Fetch.enable`, open the same kind of page, wait for its SAML
//!   POST, answer it, close;
//! * decide: headless on a login form (no kept session), until
//!   `NeedsPerson` with the browser gone (what precedes opening a window).
//!
//! `cargo run --release -p awsprocesscreds-browser --features floor --example measure [RUNS] [BROWSER]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
#[path = "../tests/it/common/http.rs"]
mod http;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use awsprocesscreds_browser::floor::{self, Floor};
use awsprocesscreds_browser::{
    find, sign_in, CaptureRule, Cookie, Installed, Mode, Outcome, Profile, SignIn, Sinks,
};
use base64::Engine;
use http::{Response, Server};

const SESSION: &str = "measure-session";

fn auto_post(saml: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html><head><title>Sending message</title></head><body>
<form method="post" action="https://signin.aws.amazon.com/saml"><input type="hidden" name="SAMLResponse" value="{saml}"></form>
<script>document.forms[0].submit()</script></body></html>"#
    )
}

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(7);
    let explicit = std::env::args().nth(2).map(PathBuf::from);
    let browser = find::find(explicit.as_deref()).expect("a browser");
    let saml = base64::engine::general_purpose::STANDARD
        .encode(r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_m"/>"#);
    let page = auto_post(&saml);
    let server = Server::start(move |req| {
        match req.path() {
        "/floor" => Response::html(page.clone()),
        "/form" => Response::html(
            "<title>Login</title><form><input name=u autocomplete=username><input type=password></form>",
        ),
        "/login" if req.cookie("idp_session").as_deref() == Some(SESSION) => {
            Response::html(page.clone())
        }
        _ => Response::html("<title>Login</title><input type=password>"),
    }
    });
    let tmp = tempfile::tempdir().unwrap();
    let rule = CaptureRule::new()
        .endpoint("https://signin.aws.amazon.com/saml", true)
        .unwrap();
    let cookie = Cookie {
        name: "idp_session".into(),
        value: SESSION.into(),
        domain: "127.0.0.1".into(),
        path: "/".into(),
        expires: None,
        http_only: true,
        secure: false,
        same_site: None,
        source_scheme: Some("NonSecure".into()),
        source_port: Some(server.port.into()),
        partition_key: None,
    };
    let refresh_dir = tmp.path().join("refresh");
    let floor_dir = tmp.path().join("floor");
    let mut refresh = Vec::new();
    let mut refresh_capture = Vec::new();
    let mut floor_gone = Vec::new();
    let mut floor_capture = Vec::new();
    let mut decide = Vec::new();
    // One warm-up of each (a new profile's first start is slower).
    for i in 0..=runs {
        let t = Instant::now();
        let out = headless(
            &browser,
            &refresh_dir,
            &server.url("/login"),
            &rule,
            std::slice::from_ref(&cookie),
        );
        let total = t.elapsed();
        let Outcome::Captured(c) = out else {
            panic!("refresh did not capture: {out:?}")
        };
        let f = floor::measure(&Floor {
            browser: &browser,
            profile_dir: &floor_dir,
            url: &server.url("/floor"),
            capture: &rule,
            cookies: &[],
            wait: Duration::from_secs(20),
        })
        .unwrap();
        let t = Instant::now();
        let out = headless(&browser, &refresh_dir, &server.url("/form"), &rule, &[]);
        assert!(matches!(out, Outcome::NeedsPerson { .. }), "{out:?}");
        let d = t.elapsed();
        if i > 0 {
            refresh.push(total);
            refresh_capture.push(c.elapsed);
            floor_gone.push(f.gone);
            floor_capture.push(f.captured);
            decide.push(d);
        }
    }
    let med = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2].as_secs_f64()
    };
    let (rc, rt, fc, ft) = (
        med(&mut refresh_capture),
        med(&mut refresh),
        med(&mut floor_capture),
        med(&mut floor_gone),
    );
    println!("browser: {}", browser.path.display());
    println!("runs: {runs} (medians, after one warm-up each)");
    println!("refresh: SAML POST captured after {rc:.3}s, browser gone after {rt:.3}s");
    println!("floor:   SAML POST captured after {fc:.3}s, browser gone after {ft:.3}s");
    println!(
        "ratio (browser gone): {:.2}x; (capture): {:.2}x",
        rt / ft,
        rc / fc
    );
    println!(
        "decide:  a login form needs a person, browser gone after {:.3}s",
        med(&mut decide)
    );
}

/// One headless `sign_in` on the profile under `dir`, as the host's
/// refresh does it, until the browser is gone.
fn headless(
    browser: &Installed,
    dir: &Path,
    url: &str,
    rule: &CaptureRule,
    cookies: &[Cookie],
) -> Outcome {
    let profile = Profile::open(dir, browser, None, Duration::from_secs(5)).unwrap();
    sign_in(&SignIn {
        browser,
        profile: &profile,
        start_url: url,
        capture: rule,
        cookies,
        mode: Mode::Headless {
            give_up_after: Duration::from_secs(20),
        },
        deadline: Instant::now() + Duration::from_secs(60),
        sinks: &Sinks::discard(),
        cancel: None,
    })
    .unwrap()
}
