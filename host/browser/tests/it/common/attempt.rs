//! One sign-in attempt as the tests make it: the [`SignIn`] request with
//! the values most tests share, so each test names only what it is about
//! (its mode, its time, its cookies, a cancel flag).

use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use awsprocesscreds_browser::{
    sign_in, CaptureRule, Captured, Cookie, Error, Installed, Mode, Outcome, SignIn,
};

use super::{aws_rule, Logged, TestProfile};

/// A start URL nothing answers at (the discard port): for attempts that
/// end before any page loads.
pub const NOWHERE: &str = "http://127.0.0.1:9/";

/// An attempt of `browser` on a test profile. Unless a test says
/// otherwise: the host's capture rule, no kept cookies, headless giving up
/// after 20 s, a deadline 60 s away, logs to a fresh [`Logged`], no cancel
/// flag.
pub struct Attempt<'a> {
    browser: &'a Installed,
    profile: &'a TestProfile,
    start_url: String,
    capture: CaptureRule,
    cookies: &'a [Cookie],
    mode: Mode,
    time_given: Duration,
    logged: Logged,
    cancel: Option<&'a AtomicBool>,
}

impl<'a> Attempt<'a> {
    pub fn new(
        browser: &'a Installed,
        profile: &'a TestProfile,
        start_url: impl Into<String>,
    ) -> Attempt<'a> {
        Attempt {
            browser,
            profile,
            start_url: start_url.into(),
            capture: aws_rule(None),
            cookies: &[],
            mode: Mode::Headless {
                give_up_after: Duration::from_secs(20),
            },
            time_given: Duration::from_secs(60),
            logged: Logged::default(),
            cancel: None,
        }
    }

    /// Capture POSTs to this URL too (the sign-in URL override).
    pub fn capturing_also(mut self, url: &str) -> Self {
        self.capture = aws_rule(Some(url));
        self
    }

    /// Headless, giving up after `secs` without a capture.
    pub fn headless(mut self, secs: u64) -> Self {
        self.mode = Mode::Headless {
            give_up_after: Duration::from_secs(secs),
        };
        self
    }

    /// In a window, for the person.
    pub fn window(mut self) -> Self {
        self.mode = Mode::Window;
        self
    }

    /// The attempt ends `secs` after its start.
    pub fn deadline(mut self, secs: u64) -> Self {
        self.time_given = Duration::from_secs(secs);
        self
    }

    /// The kept IdP session to restore.
    pub fn cookies(mut self, cookies: &'a [Cookie]) -> Self {
        self.cookies = cookies;
        self
    }

    /// Report log lines and secrets to `logged` (the test reads them).
    pub fn logging_to(mut self, logged: &Logged) -> Self {
        self.logged = logged.clone();
        self
    }

    pub fn cancel(mut self, flag: &'a AtomicBool) -> Self {
        self.cancel = Some(flag);
        self
    }

    /// Run the attempt.
    pub fn run(&self) -> Result<Outcome, Error> {
        sign_in(&SignIn {
            browser: self.browser,
            profile: &self.profile.profile,
            start_url: &self.start_url,
            capture: &self.capture,
            cookies: self.cookies,
            mode: self.mode,
            deadline: Instant::now() + self.time_given,
            sinks: &self.logged.sinks(),
            cancel: self.cancel,
        })
    }

    /// Run the attempt, which must capture a SAML response.
    pub fn captured(&self) -> Captured {
        captured(self.run().unwrap())
    }

    /// Run the attempt, which must fail.
    pub fn error(&self) -> Error {
        self.run().unwrap_err()
    }
}

/// The capture `out` must be.
pub fn captured(out: Outcome) -> Captured {
    let Outcome::Captured(c) = out else {
        panic!("expected a capture, got {out:?}")
    };
    c
}
