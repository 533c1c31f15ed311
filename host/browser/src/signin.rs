//! One sign-in attempt in the browser: start it on the dedicated profile,
//! make the kept IdP session its only cookies, open the IdP's page, and
//! wait for the page's SAML POST to AWS, which is answered locally and
//! never reaches AWS.
//!
//! The capture is a browser-level `Fetch.enable` (request stage), set up
//! before the first navigation so every tab and popup is covered.
//! Headless, the attempt gives up early when the page waits for a person
//! ([`crate::person`]) or nothing comes in the give-up time: the caller
//! then tries again with a window on the same profile (the headless
//! browser is gone by the time this returns). With a window, the person
//! has until the deadline; closing the window ends the attempt within
//! seconds. A POST to AWS that is not a SAML sign-in (an IdP set up for
//! another protocol, a logout) ends the attempt a few seconds later with
//! what it was, unless a real one follows. Whatever happens, no browser
//! process is left.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};

use crate::capture::CaptureRule;
use crate::cdp::{Cdp, CdpError, Event};
use crate::cookies::{self, Cookie};
use crate::error::Error;
use crate::find::Installed;
use crate::launch::{self, Launch, Running};
use crate::person;
use crate::profile::Profile;
use crate::saml_form;
use crate::secret::SamlResponse;
use crate::sinks::{Level, Sinks};

/// How often a headless page is checked for a person's step.
const PROBE_EVERY: Duration = Duration::from_millis(400);
/// The longest a wait runs before the cancel flag is looked at again.
const SLICE: Duration = Duration::from_millis(200);
/// How long one command may take once the browser runs.
const CALL: Duration = Duration::from_secs(5);
/// How long one page check may take (a busy page is checked next time).
const PROBE_CALL: Duration = Duration::from_secs(1);
/// How long the browser may take to start.
const START: Duration = Duration::from_secs(20);
/// After a POST to AWS's sign-in that is not a SAML sign-in (the page has
/// gone to AWS and shows AWS's error), how long a real one may still come
/// before the attempt ends naming what was posted: not the whole
/// `--browser-timeout`, which the person could not use.
const AFTER_NOT_SAML: Duration = Duration::from_secs(10);

/// What the person sees in place of AWS's page.
const SIGNED_IN_PAGE: &str =
    "<!doctype html><html><head><meta charset=\"utf-8\"><title>Signed in</title></head>\
<body><p>Signed in. You can close this window.</p></body></html>";

/// With or without a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// No window; give up (with [`Outcome::NeedsPerson`]) when no SAML
    /// POST came in `give_up_after` or the page waits for a person.
    Headless { give_up_after: Duration },
    /// A window the person signs in with, until the deadline.
    Window,
}

/// One attempt.
pub struct SignIn<'a> {
    pub browser: &'a Installed,
    /// The locked dedicated profile.
    pub profile: &'a Profile,
    /// The IdP page that starts the sign-in.
    pub start_url: &'a str,
    pub capture: &'a CaptureRule,
    /// The kept IdP session, restored before the page opens.
    pub cookies: &'a [Cookie],
    pub mode: Mode,
    /// The attempt ends with [`Error::TimedOut`] here.
    pub deadline: Instant,
    pub sinks: &'a Sinks,
    /// Raised by the caller to stop at once ([`Error::Cancelled`]).
    pub cancel: Option<&'a AtomicBool>,
}

/// A successful capture.
#[derive(Debug)]
pub struct Captured {
    /// The `SAMLResponse` exactly as posted.
    pub saml_response: SamlResponse,
    pub relay_state: Option<String>,
    /// The URL it was posted to.
    pub posted_to: String,
    /// Every cookie of the dedicated profile (session cookies included),
    /// for the host's session store.
    pub cookies: Vec<Cookie>,
    /// From the start of the attempt to the capture.
    pub elapsed: Duration,
}

/// How an attempt ended, when it did not fail.
#[derive(Debug)]
pub enum Outcome {
    Captured(Captured),
    /// Headless only: the page needs a person (a window).
    NeedsPerson {
        why: String,
    },
}

/// Run one attempt.
pub fn sign_in(req: &SignIn) -> Result<Outcome, Error> {
    let started = Instant::now();
    if req.mode == Mode::Window {
        crate::window::can_show().map_err(|why| Error::NoWindow { why })?;
    }
    if req.capture.is_empty() {
        return Err(Error::CaptureUrl {
            url: String::new(),
            why: "no sign-in URL to watch".into(),
        });
    }
    for c in req.cookies {
        req.sinks.secret(&c.value);
    }
    let left = req.deadline.saturating_duration_since(started);
    if left.is_zero() {
        return Err(Error::TimedOut { after: left });
    }
    let running = launch::launch(&Launch {
        browser: req.browser,
        profile: req.profile,
        headless: matches!(req.mode, Mode::Headless { .. }),
        sinks: req.sinks,
        start_timeout: START.min(left),
    })?;
    let mut attempt = Attempt {
        req,
        running,
        started,
        pages: HashSet::new(),
        seen_page: false,
        page_sessions: HashMap::new(),
        first_page: None,
        not_saml: None,
    };
    let result = attempt.run();
    attempt.running.close();
    result
}

struct Attempt<'a, 'r> {
    req: &'r SignIn<'a>,
    running: Running,
    started: Instant,
    /// Page targets alive now.
    pages: HashSet<String>,
    seen_page: bool,
    /// Headless: flattened sessions of attached pages (session -> target).
    page_sessions: HashMap<String, String>,
    /// Headless: the blank page to send to the IdP once attached.
    first_page: Option<String>,
    /// The last POST to AWS that was not a SAML sign-in: when, and what.
    not_saml: Option<(Instant, Error)>,
}

impl Attempt<'_, '_> {
    fn cdp(&self) -> &Cdp {
        self.running.cdp()
    }

    fn sinks(&self) -> &Sinks {
        self.req.sinks
    }

    fn headless_give_up(&self) -> Option<Duration> {
        match self.req.mode {
            Mode::Headless { give_up_after } => Some(give_up_after),
            Mode::Window => None,
        }
    }

    fn call(&self, method: &str, params: Value, session: Option<&str>) -> Result<Value, Error> {
        self.cdp()
            .call(method, params, session, CALL)
            .map_err(|e| self.failure(e))
    }

    fn run(&mut self) -> Result<Outcome, Error> {
        let patterns: Vec<Value> = self
            .req
            .capture
            .url_patterns()
            .into_iter()
            .map(|p| json!({"urlPattern": p, "requestStage": "Request"}))
            .collect();
        self.call("Fetch.enable", json!({ "patterns": patterns }), None)?;
        self.call("Target.setDiscoverTargets", json!({"discover": true}), None)?;
        if self.headless_give_up().is_some() {
            // New pages (popups too) wait until the WebAuthn hook is in.
            self.call(
                "Target.setAutoAttach",
                json!({"autoAttach": true, "waitForDebuggerOnStart": true, "flatten": true}),
                None,
            )?;
        }
        self.restore_cookies()?;
        if self.headless_give_up().is_some() {
            // Headless, the page opens blank and is sent to the IdP once
            // the WebAuthn hook is in (a page opened on its URL can run
            // its scripts before the hook is registered). With a window
            // it opens on its URL directly, which leaves the keyboard
            // focus in the page.
            let blank = self.call("Target.createTarget", json!({"url": "about:blank"}), None)?;
            self.first_page = blank["targetId"].as_str().map(String::from);
        } else {
            self.call(
                "Target.createTarget",
                json!({ "url": self.req.start_url }),
                None,
            )?;
        }
        match self.req.mode {
            Mode::Headless { give_up_after } => self.sinks().debug(&format!(
                "waiting for the SAML response headless (at most {}s before a window is needed)",
                give_up_after.as_secs_f32()
            )),
            Mode::Window => self
                .sinks()
                .log(Level::Info, "waiting for the sign-in in the browser window"),
        }
        let mut next_probe = Instant::now() + PROBE_EVERY;
        loop {
            if self.req.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                return Err(Error::Cancelled);
            }
            let now = Instant::now();
            if now >= self.req.deadline {
                return Err(Error::TimedOut {
                    after: self.req.deadline.saturating_duration_since(self.started),
                });
            }
            if let Some(give_up) = self.headless_give_up() {
                if now >= self.started + give_up {
                    return Ok(Outcome::NeedsPerson {
                        why: format!("no SAML response came within {}s", give_up.as_secs_f32()),
                    });
                }
                if now >= next_probe {
                    if let Some(why) = self.probe() {
                        return Ok(Outcome::NeedsPerson { why });
                    }
                    next_probe = Instant::now() + PROBE_EVERY;
                }
            }
            if let Some((at, _)) = &self.not_saml {
                if now >= *at + AFTER_NOT_SAML {
                    if let Some((_, e)) = self.not_saml.take() {
                        return Err(e);
                    }
                }
            }
            let mut until = (now + SLICE).min(self.req.deadline);
            if self.headless_give_up().is_some() {
                until = until.min(next_probe);
            }
            match self.cdp().next_event(until) {
                Ok(Some(ev)) => {
                    if let Some(outcome) = self.handle(ev)? {
                        return Ok(outcome);
                    }
                }
                Ok(None) => {}
                Err(e) => return Err(self.failure(e)),
            }
        }
    }

    /// One event; `Some` when the attempt is over.
    fn handle(&mut self, ev: Event) -> Result<Option<Outcome>, Error> {
        let p = &ev.params;
        match ev.method.as_str() {
            "Fetch.requestPaused" => return self.paused(p),
            "Target.targetCreated" if p["targetInfo"]["type"] == "page" => {
                if let Some(id) = p["targetInfo"]["targetId"].as_str() {
                    self.pages.insert(id.to_string());
                    self.seen_page = true;
                }
            }
            "Target.targetDestroyed" => {
                if let Some(id) = p["targetId"].as_str() {
                    self.pages.remove(id);
                }
                if self.req.mode == Mode::Window && self.seen_page && self.pages.is_empty() {
                    return Err(Error::WindowClosed);
                }
            }
            "Target.targetCrashed" => self.sinks().debug(&format!(
                "a page of the browser crashed ({})",
                p["status"].as_str().unwrap_or("?")
            )),
            "Target.attachedToTarget" => self.attached(p)?,
            "Target.detachedFromTarget" => {
                if let Some(sid) = p["sessionId"].as_str() {
                    self.page_sessions.remove(sid);
                }
            }
            _ => {}
        }
        Ok(None)
    }

    /// Headless: a new target waits for us; pages get the WebAuthn hook.
    fn attached(&mut self, p: &Value) -> Result<(), Error> {
        let Some(sid) = p["sessionId"].as_str() else {
            return Ok(());
        };
        if p["targetInfo"]["type"] == "page" {
            self.call("Page.enable", json!({}), Some(sid))?;
            self.call(
                "Page.addScriptToEvaluateOnNewDocument",
                json!({ "source": person::hook_source(), "runImmediately": true }),
                Some(sid),
            )?;
            let target = p["targetInfo"]["targetId"].as_str().unwrap_or_default();
            self.page_sessions
                .insert(sid.to_string(), target.to_string());
        }
        if p["waitingForDebugger"] == true {
            // A target that went away meanwhile cannot be resumed: fine.
            let _ = self.cdp().call(
                "Runtime.runIfWaitingForDebugger",
                json!({}),
                Some(sid),
                CALL,
            );
        }
        let target = p["targetInfo"]["targetId"].as_str();
        if target.is_some() && target == self.first_page.as_deref() {
            self.first_page = None;
            // Not waited for: it answers only once the IdP does. A page
            // that never loads ends in the give-up time like any other.
            self.cdp()
                .send(
                    "Page.navigate",
                    json!({ "url": self.req.start_url }),
                    Some(sid),
                )
                .map_err(|e| self.failure(e))?;
        }
        Ok(())
    }

    /// Does any page wait for a person?
    fn probe(&self) -> Option<String> {
        let expr = person::probe_expression();
        for sid in self.page_sessions.keys() {
            let r = self.cdp().call(
                "Runtime.evaluate",
                json!({"expression": expr, "returnByValue": true}),
                Some(sid),
                PROBE_CALL,
            );
            if let Ok(v) = r {
                if let Some(why) = v["result"]["value"].as_str().filter(|w| !w.is_empty()) {
                    self.sinks().debug(&format!("headless: {why}"));
                    return Some(why.to_string());
                }
            }
        }
        None
    }

    /// A request matching the capture patterns is paused.
    fn paused(&mut self, p: &Value) -> Result<Option<Outcome>, Error> {
        let Some(request_id) = p["requestId"].as_str() else {
            return Ok(None);
        };
        let url = p["request"]["url"].as_str().unwrap_or_default();
        let method = p["request"]["method"].as_str().unwrap_or_default();
        if method != "POST" || !self.req.capture.matches(url) {
            self.sinks()
                .trace(&format!("letting a {method} request through"));
            self.continue_request(request_id);
            return Ok(None);
        }
        let body = self.body(p);
        match saml_form::parse(&body) {
            Ok(posted) => {
                self.sinks().secret(posted.saml_response.expose());
                let elapsed = self.started.elapsed();
                self.sinks().debug(&format!(
                    "captured the SAML response posted to {url} after {:.2}s",
                    elapsed.as_secs_f32()
                ));
                let page = STANDARD.encode(SIGNED_IN_PAGE);
                let fulfilled = self.call(
                    "Fetch.fulfillRequest",
                    json!({
                        "requestId": request_id,
                        "responseCode": 200,
                        "responseHeaders": [
                            {"name": "Content-Type", "value": "text/html; charset=utf-8"},
                            {"name": "Cache-Control", "value": "no-store"}
                        ],
                        "body": page,
                    }),
                    None,
                );
                if let Err(e) = fulfilled {
                    // The assertion is ours either way; the page just
                    // does not show "Signed in".
                    self.sinks()
                        .debug(&format!("could not answer the page: {e}"));
                }
                let cookies = self.export_cookies()?;
                Ok(Some(Outcome::Captured(Captured {
                    saml_response: posted.saml_response,
                    relay_state: posted.relay_state,
                    posted_to: url.to_string(),
                    cookies,
                    elapsed,
                })))
            }
            Err(why) => {
                self.sinks().debug(&format!(
                    "a POST to {url} is not a SAML sign-in ({why}); still waiting"
                ));
                self.not_saml = Some((
                    Instant::now(),
                    Error::NotSignIn {
                        url: url.to_string(),
                        why: why.to_string(),
                    },
                ));
                self.continue_request(request_id);
                Ok(None)
            }
        }
    }

    fn continue_request(&self, request_id: &str) {
        // The request may be gone (its page closed): nothing to do then.
        let _ = self.cdp().call(
            "Fetch.continueRequest",
            json!({"requestId": request_id}),
            None,
            CALL,
        );
    }

    /// The form body: `postDataEntries` (base64 bytes, concatenated),
    /// else `postData`, else asked from the page.
    fn body(&self, p: &Value) -> Vec<u8> {
        let request = &p["request"];
        if let Some(entries) = request["postDataEntries"].as_array() {
            let mut body = Vec::new();
            for e in entries {
                if let Some(b) = e["bytes"].as_str() {
                    body.extend(STANDARD.decode(b).unwrap_or_default());
                }
            }
            if !body.is_empty() {
                return body;
            }
        }
        if let Some(s) = request["postData"].as_str() {
            return s.as_bytes().to_vec();
        }
        if request["hasPostData"] == true {
            if let Some(body) = self.body_from_page(p) {
                return body;
            }
        }
        Vec::new()
    }

    /// `Network.getRequestPostData` on the frame's page (a body too large
    /// to come with the paused request).
    fn body_from_page(&self, p: &Value) -> Option<Vec<u8>> {
        let frame = p["frameId"].as_str()?;
        let network_id = p["networkId"].as_str()?;
        let attached = self
            .cdp()
            .call(
                "Target.attachToTarget",
                json!({"targetId": frame, "flatten": true}),
                None,
                CALL,
            )
            .ok()?;
        let sid = attached["sessionId"].as_str()?;
        let data = self
            .cdp()
            .call(
                "Network.getRequestPostData",
                json!({ "requestId": network_id }),
                Some(sid),
                CALL,
            )
            .ok()?;
        data["postData"].as_str().map(|s| s.as_bytes().to_vec())
    }

    /// The kept session becomes the profile's only cookies: whatever an
    /// earlier sign-in on this profile left (another IdP account of the
    /// same provider, say) is cleared first.
    fn restore_cookies(&self) -> Result<(), Error> {
        self.call("Storage.clearCookies", json!({}), None)?;
        let now = cookies::now();
        let fresh: Vec<&Cookie> = self
            .req
            .cookies
            .iter()
            .filter(|c| !c.is_expired(now))
            .collect();
        if fresh.is_empty() {
            return Ok(());
        }
        let all: Vec<Value> = fresh.iter().map(|c| c.to_devtools()).collect();
        match self
            .cdp()
            .call("Storage.setCookies", json!({ "cookies": all }), None, CALL)
        {
            Ok(_) => {}
            Err(CdpError::Remote { .. }) => {
                // One bad cookie fails the whole call: set them one by one
                // and skip the ones the browser refuses.
                for c in &fresh {
                    let one = json!({ "cookies": [c.to_devtools()] });
                    if self
                        .cdp()
                        .call("Storage.setCookies", one, None, CALL)
                        .is_err()
                    {
                        self.sinks().debug(&format!(
                            "the browser refused the kept cookie {} for {}; skipped",
                            c.name, c.domain
                        ));
                    }
                }
            }
            Err(e) => return Err(self.failure(e)),
        }
        self.sinks().debug(&format!(
            "restored {} cookie(s) of the kept IdP session",
            fresh.len()
        ));
        Ok(())
    }

    fn export_cookies(&self) -> Result<Vec<Cookie>, Error> {
        let v = self.call("Storage.getCookies", json!({}), None)?;
        let cookies: Vec<Cookie> = v["cookies"]
            .as_array()
            .map(|a| a.iter().filter_map(Cookie::from_devtools).collect())
            .unwrap_or_default();
        for c in &cookies {
            self.sinks().secret(&c.value);
        }
        self.sinks().debug(&format!(
            "exported {} cookie(s) of the IdP session",
            cookies.len()
        ));
        Ok(cookies)
    }

    /// A failed call or a closed connection, as the person's error.
    fn failure(&self, e: CdpError) -> Error {
        let gone = match self.req.mode {
            Mode::Window => Error::WindowClosed,
            Mode::Headless { .. } => Error::BrowserExited,
        };
        Error::from_cdp(e, gone)
    }
}
