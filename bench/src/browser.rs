//! `apc-bench browser`: the headless refresh of `-p browser` next to its
//! floor, measured in the same run against the same IdP page.
//!
//! * seed: one window sign-in of the release binary on a private Xvfb,
//!   with xdotool typing the password as a person would (the first run of
//!   a real user); the kept session is now in the session store.
//! * refresh: `awsprocesscreds-saml -p browser ... --no-cache` with no
//!   display at all, the whole process (start, plugin, kept session,
//!   headless Chromium up to the SAML POST and its exit, STS, output).
//! * floor: the engine's [`floor`] (a headless Chromium started by the
//!   engine with the same flags on its own profile, given the same session
//!   cookie, opening the same IdP URL, up to its SAML POST and the
//!   browser's exit, nothing else).
//!
//! Runs alternate (refresh, floor, refresh, ...) after one warm-up each.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use awsprocesscreds_browser::floor::{self, Floor};
use awsprocesscreds_browser::{find, CaptureRule, Cookie};
use sandbox::desktop::Desktop;
use sandbox::forms::{self, FormsConfig};
use sandbox::Server;
use serde_json::Value;

use crate::{fresh_dir, median, Opts};

const ROLE: &str = "arn:aws:iam::123456789012:role/ADFS-Dev";

pub fn run(o: &Opts) {
    let Ok(browser) = find::find(None) else {
        println!("browser refresh: skipped (no Chromium-family browser found)");
        return;
    };
    let x = match Desktop::start() {
        Ok(x) => x,
        Err(why) => {
            println!("browser refresh: skipped ({why})");
            return;
        }
    };
    let (idp, state) = forms::start(FormsConfig::default());
    let entry = forms::entry_url(&idp, &state);
    let (sts_router, _) = sandbox::sts::router();
    let sts = Server::http(sts_router);
    let work = fresh_dir(&o.work, "browser");
    let cmd = |display: Option<&str>| {
        let mut c = Command::new(o.bin_dir.join("awsprocesscreds-saml"));
        c.args(["-p", "browser", "-e", &entry, "-a", ROLE, "--no-cache"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", work.join("home"))
            .env("XDG_DATA_HOME", work.join("xdg"))
            .env("AWSPROCESSCREDS_CACHE_DIR", work.join("cache"))
            .env("AWSPROCESSCREDS_NO_ACCOUNT_NAMES", "1")
            .env("AWS_ENDPOINT_URL_STS", sts.base_url())
            .env("AWS_REGION", "us-east-1")
            .env("AWS_CONFIG_FILE", work.join("no-aws-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                work.join("no-aws-credentials"),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(d) = display {
            c.env("DISPLAY", d);
        }
        c
    };

    // The person's first sign-in, in a window.
    let child = cmd(Some(&x.display)).spawn().expect("spawn");
    x.fill_in(
        "Enter your username and password",
        &["Monty", crate::PASSWORD],
        Duration::from_secs(60),
    );
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "the window sign-in failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cookies = kept_cookies(&work.join("cache"));
    assert!(!cookies.is_empty(), "no kept session after the sign-in");

    let rule = CaptureRule::new()
        .endpoint("https://signin.aws.amazon.com/saml", true)
        .expect("rule");
    let floor_dir = work.join("floor/profile");
    let (mut refresh, mut floor_gone, mut floor_capture) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..=o.runs {
        let t = Instant::now();
        let out = cmd(None).output().expect("spawn");
        let wall = t.elapsed();
        assert!(
            out.status.success(),
            "the headless refresh failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let f = floor::measure(&Floor {
            browser: &browser,
            profile_dir: &floor_dir,
            url: &entry,
            capture: &rule,
            cookies: &cookies,
            wait: Duration::from_secs(20),
        })
        .expect("the floor");
        if i > 0 {
            refresh.push(wall);
            floor_gone.push(f.gone);
            floor_capture.push(f.captured);
        }
    }
    let st = state.lock().unwrap();
    assert_eq!(st.logins_ok, 1, "the refreshes must not sign in again");
    let (r, f, fc) = (
        median(&mut refresh),
        median(&mut floor_gone),
        median(&mut floor_capture),
    );
    let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
    println!("| run | median |");
    println!("|---|---:|");
    println!(
        "| **refresh**: `awsprocesscreds-saml -p browser --no-cache`, kept session, headless, whole process (STS included) | **{}** |",
        ms(r)
    );
    println!(
        "| floor: headless Chromium, same flags, same cookie, same IdP URL, to the SAML POST | {} |",
        ms(fc)
    );
    println!("| floor: the same, to the browser's exit | {} |", ms(f));
    println!();
    println!(
        "Refresh / floor (to the browser's exit): **{:.2}×** (goal ≤ 1.3×); {} runs each after a warm-up, {}; the IdP saw 1 password login and {} session reuses.",
        r.as_secs_f64() / f.as_secs_f64(),
        o.runs,
        browser.path.display(),
        st.sessions_reused
    );
}

/// The cookies the sign-in kept (the session store's `browser.cookies`).
fn kept_cookies(cache: &Path) -> Vec<Cookie> {
    let Ok(rd) = std::fs::read_dir(cache.join("sessions")) else {
        return Vec::new();
    };
    for e in rd.flatten() {
        let v: Value = serde_json::from_slice(&std::fs::read(e.path()).unwrap_or_default())
            .unwrap_or_default();
        if let Some(raw) = v["values"]["browser.cookies"]["value"].as_str() {
            let kept: Value = serde_json::from_str(raw).expect("kept cookies");
            return serde_json::from_value(kept["cookies"].clone()).expect("kept cookies");
        }
    }
    Vec::new()
}
