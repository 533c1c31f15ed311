//! The floor of a headless sign-in: what the fewest DevTools commands
//! cost on the same browser, so that a refresh's time can be judged
//! against it (issue 19: "headless refresh at most 1.3x the floor").
//!
//! [`measure`] starts the browser exactly as [`crate::signin`] does
//! ([`crate::launch`], same flags, headless, on a profile of its own),
//! sets the given cookies (`Storage.setCookies`), captures the rule's
//! URLs (`Fetch.enable`), opens the page (`Target.createTarget`), answers
//! the first captured request and closes the browser. Nothing else: no
//! cookie clearing or export, no WebAuthn hook, no checks for a person.
//!
//! Measurement only: behind the `floor` cargo feature, which the
//! benchmark (`apc-bench browser`) and the `measure` example enable and
//! the product does not.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::capture::CaptureRule;
use crate::cookies::Cookie;
use crate::error::Error;
use crate::find::Installed;
use crate::launch::{launch, Launch};
use crate::profile::Profile;
use crate::sinks::Sinks;

/// How long the browser may take to start.
const START: Duration = Duration::from_secs(20);
/// How long one command may take once the browser runs.
const CALL: Duration = Duration::from_secs(5);

/// One run of the floor.
pub struct Floor<'a> {
    pub browser: &'a Installed,
    /// The floor's own profile (opened and locked for the run).
    pub profile_dir: &'a Path,
    /// The page that ends in the POST to capture.
    pub url: &'a str,
    pub capture: &'a CaptureRule,
    /// Set before the page opens; none: no `Storage.setCookies` at all.
    pub cookies: &'a [Cookie],
    /// How long the page may take to make the captured request.
    pub wait: Duration,
}

/// The times of one run, both from before the profile is opened.
#[derive(Debug, Clone, Copy)]
pub struct Times {
    /// The captured request has arrived.
    pub captured: Duration,
    /// The browser is gone and the profile released.
    pub gone: Duration,
}

/// Run the floor once.
pub fn measure(f: &Floor) -> Result<Times, Error> {
    let t = Instant::now();
    let profile = Profile::open(f.profile_dir, f.browser, None, CALL)?;
    let sinks = Sinks::discard();
    let running = launch(&Launch {
        browser: f.browser,
        profile: &profile,
        headless: true,
        sinks: &sinks,
        start_timeout: START,
    })?;
    let cdp = running.cdp();
    let call = |method: &str, params: Value| {
        cdp.call(method, params, None, CALL)
            .map_err(|e| Error::from_cdp(e, Error::BrowserExited))
    };
    if !f.cookies.is_empty() {
        let all: Vec<Value> = f.cookies.iter().map(Cookie::to_devtools).collect();
        call("Storage.setCookies", json!({ "cookies": all }))?;
    }
    let patterns: Vec<Value> = f
        .capture
        .url_patterns()
        .into_iter()
        .map(|p| json!({"urlPattern": p, "requestStage": "Request"}))
        .collect();
    call("Fetch.enable", json!({ "patterns": patterns }))?;
    call("Target.createTarget", json!({ "url": f.url }))?;
    let until = Instant::now() + f.wait;
    let captured = loop {
        let event = cdp
            .next_event(until)
            .map_err(|e| Error::from_cdp(e, Error::BrowserExited))?
            .ok_or(Error::TimedOut { after: f.wait })?;
        if event.method == "Fetch.requestPaused" {
            let at = t.elapsed();
            let id = event.params["requestId"].clone();
            call(
                "Fetch.fulfillRequest",
                json!({"requestId": id, "responseCode": 200, "body": ""}),
            )?;
            break at;
        }
    };
    running.close();
    drop(profile);
    Ok(Times {
        captured,
        gone: t.elapsed(),
    })
}
