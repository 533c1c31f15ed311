//! Signing a person in in their own web browser (issue 19): the `browser`
//! host service (what `-p browser` calls) and the continuation of a login
//! whose plugin met a step only a browser can do (see [`crate::login`]).
//!
//! The engine (`awsprocesscreds-browser`) finds, starts and drives the
//! browser; this module decides how: the provider's dedicated profile,
//! locked (a parallel login waits, then uses the session the first one
//! kept); the kept IdP session from the login's session store, tried
//! headless first; a window when there is no session or it needs the
//! person, announced on the terminal and bounded by `--browser-timeout`;
//! the session kept again after success. `--no-idp-session` signs in on
//! a throwaway profile and keeps nothing. Every cookie value and the
//! SAML response are registered for redaction.

mod capture;
mod errors;
pub mod kept;
pub mod profiles;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use awsprocesscreds_browser::{
    self as engine, find, live, sign_in, Captured, Cookie, Installed, Mode, Outcome, Profile,
    SignIn, Sinks,
};
use plugin_api::{LogLevel, PluginError, Secret};
use url::Url;

use crate::session_store::SessionStore;
use crate::settings::{self, Common, Login};
use crate::{env_vars as ev, log, tty};

/// The plugin option that names the browser for that plugin's sign-ins
/// (`-p browser` declares it); it wins over `AWSPROCESSCREDS_BROWSER`.
pub const BROWSER_OPTION: &str = "browser";

/// Beyond `--browser-timeout`, how long a sign-in waits for another one
/// that holds the provider's profile (that one's window may take the
/// whole `--browser-timeout`, then a moment to end).
const LOCK_SLACK: Duration = Duration::from_secs(30);

/// How long the browser may take to start, on top of the headless time.
const START_SLACK: Duration = Duration::from_secs(10);

/// Browser sign-ins for one login.
pub struct BrowserSignin {
    provider: String,
    settings: settings::Browser,
    /// The browser named by the person, if any.
    path: Option<PathBuf>,
    /// Keep the IdP session (not `--no-idp-session`, and a session store).
    keep: bool,
    store: SessionStore,
}

impl BrowserSignin {
    /// `session_dir`: where the login's session store lives (`None`:
    /// nothing is read or kept).
    pub fn new(login: &Login, common: &Common, session_dir: Option<PathBuf>) -> Self {
        let session_dir = session_dir.filter(|_| !common.no_idp_session);
        BrowserSignin {
            provider: login.provider.clone(),
            settings: common.browser.clone(),
            path: named_browser(&login.plugin_options, common),
            keep: session_dir.is_some(),
            store: SessionStore::new(
                session_dir,
                &login.provider,
                login.endpoint.as_deref().unwrap_or(""),
                login.username.as_deref().unwrap_or(""),
            ),
        }
    }

    /// Why a login that needs a browser cannot continue in one at `url`
    /// here, as a clause of a hint (with how to allow it); `None` when it
    /// can.
    pub fn why_not_at(&self, url: &str) -> Option<String> {
        if let Err(e) = start_url(url) {
            return Some(format!("it cannot continue in a browser: {}", e.message));
        }
        if self.settings.off {
            return Some(format!(
                "it was not continued in a browser because of --no-browser (or {}); without it, this login continues in a browser window",
                ev::NO_BROWSER
            ));
        }
        if let Err(e) = self.find() {
            return Some(format!(
                "it could not continue in a browser: {}; {}",
                e.message,
                e.hint.unwrap_or_default()
            ));
        }
        if let Err(why) = engine::window::can_show() {
            if self.kept_cookies().is_empty() {
                return Some(format!(
                    "it would continue in a browser window, but none can be shown here ({why}) and no browser session is kept; sign in once in a desktop session"
                ));
            }
        }
        None
    }

    /// Whether an earlier login of this provider, endpoint and user
    /// continued in the browser (and browsers are allowed).
    pub fn remembered(&self) -> bool {
        !self.settings.off && kept::marked(&self.store)
    }

    /// Remember that this login continues in the browser.
    pub fn remember(&self) {
        kept::remember(&self.store);
    }

    /// Sign in at `url` in the browser; the SAML response as posted.
    pub fn sign_in(&self, url: &str, reason: Option<&str>) -> Result<Secret<String>, PluginError> {
        if self.settings.off {
            return Err(PluginError::not_supported(format!(
                "signing in in a browser is turned off (--no-browser or {})",
                ev::NO_BROWSER
            )));
        }
        let start = start_url(url)?;
        if let Some(r) = reason {
            log::info(&format!("signing in in the browser: {r}"));
        }
        let browser = self.find()?;
        // A window is needed when no session is kept: say so now, before
        // waiting for another sign-in's lock.
        if let Err(why) = engine::window::can_show() {
            if self.kept_cookies().is_empty() {
                return Err(errors::no_window(&why));
            }
        }
        live::install_signal_cleanup().map_err(|e| {
            PluginError::other(format!(
                "cannot set up the clean-up of the browser on Ctrl-C: {e}"
            ))
        })?;
        let rule = capture::rule()?;
        let dir = profiles::dir_for(&self.provider, !self.keep)?;
        // A snap browser's profile goes below the home directory.
        let home = crate::home::dir();
        let open = |wait| Profile::open(&dir, &browser, home.as_deref(), wait);
        let profile = match open(Duration::ZERO) {
            Err(engine::Error::ProfileBusy { .. }) => {
                // Another login holds the profile (its window is open).
                tty::waiting_notice("waiting for another sign-in in the browser to finish...");
                open(self.settings.window_timeout + LOCK_SLACK)
            }
            other => other,
        }
        .map_err(errors::from_engine)?;
        // Read under the profile's lock: a login that waited for another
        // one starts from the session that one kept.
        let kept = if self.keep {
            self.kept_cookies()
        } else {
            Vec::new()
        };
        let attempt = Attempt {
            browser: &browser,
            profile: &profile,
            start_url: start.as_str(),
            capture: &rule,
            cookies: &kept,
        };
        let result = self.run(&attempt, &start, reason);
        let throwaway = (!self.keep).then(|| profile.dir().to_path_buf());
        drop(profile);
        if let Some(dir) = throwaway {
            profiles::discard(&dir);
        }
        let captured = result?;
        log::add_secret(captured.saml_response.expose());
        if self.keep {
            kept::save_cookies(&self.store, captured.cookies);
        }
        Ok(Secret::new(captured.saml_response.into_inner()))
    }

    /// Headless with a kept session, then a window if needed.
    fn run(&self, a: &Attempt, start: &Url, reason: Option<&str>) -> Result<Captured, PluginError> {
        let mut kept_not_enough = None;
        if !a.cookies.is_empty() {
            let give_up = self.settings.headless_timeout;
            log::debug("trying the kept browser session headless");
            match a.run(
                Mode::Headless {
                    give_up_after: give_up,
                },
                give_up + START_SLACK,
            )? {
                Outcome::Captured(c) => return Ok(c),
                Outcome::NeedsPerson { why } => {
                    log::info(&format!(
                        "the kept browser session was not enough ({why}); a window is needed"
                    ));
                    kept_not_enough = Some(why);
                }
            }
        }
        engine::window::can_show().map_err(|why| match &kept_not_enough {
            Some(kept) => errors::session_ended(kept, &why),
            None => errors::no_window(&why),
        })?;
        announce(start, reason, self.settings.window_timeout);
        match a.run(Mode::Window, self.settings.window_timeout)? {
            Outcome::Captured(c) => Ok(c),
            // Only a headless attempt asks for a person.
            Outcome::NeedsPerson { why } => Err(PluginError::other(why)),
        }
    }

    fn kept_cookies(&self) -> Vec<Cookie> {
        kept::cookies(&self.store)
    }

    /// The browser: the person's choice, else the first found.
    fn find(&self) -> Result<Installed, PluginError> {
        let found = find::find(self.path.as_deref()).map_err(errors::from_engine)?;
        log::debug(&format!(
            "browser: {} ({})",
            found.path.display(),
            found.family.name()
        ));
        Ok(found)
    }
}

/// The browser the person named, if any: the plugin option (`-p browser`
/// declares it), else `AWSPROCESSCREDS_BROWSER`.
pub fn named_browser(options: &BTreeMap<String, String>, common: &Common) -> Option<PathBuf> {
    options
        .get(BROWSER_OPTION)
        .filter(|p| !p.trim().is_empty())
        .map(PathBuf::from)
        .or_else(|| common.browser.path.clone())
}

/// One attempt's fixed parts.
struct Attempt<'a> {
    browser: &'a Installed,
    profile: &'a Profile,
    start_url: &'a str,
    capture: &'a engine::CaptureRule,
    cookies: &'a [Cookie],
}

impl Attempt<'_> {
    fn run(&self, mode: Mode, within: Duration) -> Result<Outcome, PluginError> {
        let sinks = sinks();
        sign_in(&SignIn {
            browser: self.browser,
            profile: self.profile,
            start_url: self.start_url,
            capture: self.capture,
            cookies: self.cookies,
            mode,
            deadline: Instant::now() + within,
            sinks: &sinks,
            cancel: None,
        })
        .map_err(|e| match e {
            // The whole time the person had, not what was left of it
            // after the browser started.
            engine::Error::TimedOut { .. } => engine::Error::TimedOut { after: within },
            e => e,
        })
        .map_err(errors::from_engine)
    }
}

/// The URL the sign-in starts at: `https`, or plain `http` to this
/// machine, as for every other sign-in traffic.
fn start_url(url: &str) -> Result<Url, PluginError> {
    let parsed = Url::parse(url.trim()).map_err(|e| {
        PluginError::config(format!(
            "cannot open {} in a browser: {e}",
            plugin_api::url_policy::redact_str(url)
        ))
        .with_hint("-e must be the URL that starts your IdP's sign-in for AWS")
    })?;
    plugin_api::url_policy::check(&parsed).map_err(|why| {
        PluginError::config(format!(
            "refusing to open {} in a browser: {why}",
            plugin_api::url_policy::redact(&parsed)
        ))
        .with_hint("use the https:// URL of your IdP")
    })?;
    Ok(parsed)
}

/// One notice before a window opens: on the terminal, else on stderr.
fn announce(start: &Url, reason: Option<&str>, timeout: Duration) {
    let host = start.host_str().unwrap_or("the IdP");
    let why = reason.map(|r| format!(" ({r})")).unwrap_or_default();
    let line = log::redact(&format!(
        "Opening a browser window to sign in at {host}{why}; waiting up to {} s",
        timeout.as_secs()
    ));
    match tty::open() {
        Some(mut t) => {
            let _ = t.say(&format!("{}: {line}", log::program()));
        }
        None => eprintln!("{}: {line}", log::program()),
    }
}

/// The engine's log and secrets go to ours (the browser's own output at
/// `-vv`, redacted like every line).
fn sinks() -> Sinks {
    Sinks::new(
        |level, message| {
            let level = match level {
                engine::Level::Warn => LogLevel::Warn,
                engine::Level::Info => LogLevel::Info,
                engine::Level::Debug => LogLevel::Debug,
                engine::Level::Trace => LogLevel::Trace,
            };
            log::log(level, message)
        },
        log::add_secret,
    )
}
