//! Every failure of the engine, written for the person at the terminal:
//! the message says what happened (one line), [`Error::hint`] what to do.

use std::path::PathBuf;
use std::time::Duration;

use crate::cdp::{CdpError, Closed};

/// How to point the tool at a browser: the end of every "no usable
/// browser" hint.
pub const POINT_AT_A_BROWSER: &str =
    "set AWSPROCESSCREDS_BROWSER=PATH or --plugin-option browser=PATH to an installed Chrome, Chromium, Edge or Brave";

/// Everything that can go wrong while finding, starting or driving the
/// browser.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No Chromium-family browser in the standard places.
    #[error("no Chromium-family browser found (tried {})", .tried.join(", "))]
    NotFound { tried: Vec<String> },

    /// The browser the caller named (or found) cannot be used.
    #[error("cannot use the browser {}: {why}", .path.display())]
    Unusable { path: PathBuf, why: String },

    /// A window is needed but none can be shown here.
    #[error("a browser window is needed to sign in, but none can be shown here ({why})")]
    NoWindow { why: String },

    /// The profile directory is not usable (not ours, a symlink, ...).
    #[error("cannot use the browser profile directory {}: {why}", .path.display())]
    Profile { path: PathBuf, why: String },

    /// Another sign-in holds the profile for too long.
    #[error(
        "gave up after {}s waiting for another sign-in that uses the browser profile {}",
        .waited.as_secs(), .path.display()
    )]
    ProfileBusy { path: PathBuf, waited: Duration },

    /// A browser process (not ours) already runs on the profile.
    #[error("the browser profile {} is in use by another browser process", .path.display())]
    ProfileInUse { path: PathBuf },

    /// The browser could not be started at all.
    #[error("cannot start the browser {}: {source}", .path.display())]
    Spawn {
        path: PathBuf,
        source: std::io::Error,
    },

    /// The browser started but refused to be controlled.
    #[error("the browser refused remote control (a RemoteDebuggingAllowed policy, or Chrome refusing its default profile): {detail}")]
    Refused { detail: String },

    /// The browser ended as it started, without saying why in a way we
    /// know (a crash, a missing library, a program that is not a
    /// browser).
    #[error("the browser stopped as it started: {detail}")]
    StoppedAtStart { detail: String },

    /// The browser never got the control pipe (a wrapper closed it).
    #[error("the browser did not receive its control pipe ({detail})")]
    PipeNotPassed { detail: String },

    /// The control pipe carried something that is not DevTools JSON.
    #[error("the browser's control pipe carried something unexpected: {detail}")]
    Protocol { detail: String },

    /// The browser did not answer in time.
    #[error("the browser did not answer {what} within {}s", .after.as_secs_f32().ceil())]
    NoAnswer { what: String, after: Duration },

    /// The browser answered a command with an error.
    #[error("the browser rejected {method}: {message}")]
    Rejected { method: String, message: String },

    /// The browser went away in the middle of a headless sign-in.
    #[error("the browser exited unexpectedly during the sign-in")]
    BrowserExited,

    /// The person closed the window (or quit the browser).
    #[error("the browser window was closed before the sign-in finished")]
    WindowClosed,

    /// The overall deadline passed.
    #[error("the sign-in in the browser did not finish within {}s", .after.as_secs())]
    TimedOut { after: Duration },

    /// The page posted to AWS's sign-in, but not a SAML sign-in, and no
    /// real one followed.
    #[error("the IdP posted to {url}, but not a SAML sign-in: {why}")]
    NotSignIn { url: String, why: String },

    /// The caller's cancel flag was raised.
    #[error("the sign-in in the browser was cancelled")]
    Cancelled,

    /// A URL to watch for the SAML POST is not usable.
    #[error("cannot watch {url} for the SAML sign-in: {why}")]
    CaptureUrl { url: String, why: String },

    /// Any other local failure (pipes, threads).
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
}

impl Error {
    /// The second line shown under the message: what the person can do.
    pub fn hint(&self) -> Option<String> {
        let hint = match self {
            Error::NotFound { .. } | Error::Unusable { .. } | Error::Spawn { .. } => {
                POINT_AT_A_BROWSER.to_string()
            }
            Error::NoWindow { .. } => "sign in once in a desktop session, where a browser window can open; later runs reuse the kept session without a window".into(),
            Error::Profile { .. } => "it must be a directory of yours (not a symbolic link); remove it to start with a fresh profile".into(),
            Error::ProfileBusy { .. } => "finish or close that sign-in's browser window, then try again".into(),
            Error::ProfileInUse { .. } => "close the browser that uses this profile (or end its process), then try again".into(),
            Error::Refused { .. } => format!("ask your administrator to allow remote debugging for this browser, or {POINT_AT_A_BROWSER}"),
            Error::StoppedAtStart { .. } => format!("run again with -vv to see the browser's output; if it is not a Chromium-family browser, {POINT_AT_A_BROWSER}"),
            Error::PipeNotPassed { .. } => format!("a wrapper script may close inherited files; {POINT_AT_A_BROWSER} (the browser binary itself)"),
            Error::Protocol { .. } => format!("the program may not be a Chromium-family browser; {POINT_AT_A_BROWSER}"),
            Error::NoAnswer { .. } | Error::Rejected { .. } | Error::BrowserExited => {
                "run again with -vv to see the browser's output".into()
            }
            Error::WindowClosed => "run the command again and finish the sign-in in the browser window".into(),
            Error::TimedOut { .. } => "run the command again and finish the sign-in sooner, or allow more time".into(),
            Error::NotSignIn { .. } => "check that the URL opened is the one that starts your IdP's sign-in for the AWS app, and ask your IdP administrator whether that app sends SAML 2.0 responses to AWS".into(),
            Error::Cancelled => return None,
            Error::CaptureUrl { .. } => "check AWSPROCESSCREDS_SIGNIN_URL".into(),
            Error::Io { .. } => return None,
        };
        Some(hint)
    }

    /// A failed DevTools call or a closed pipe, as the person's error;
    /// the browser going away is `gone` (only the caller knows whether
    /// that was a window closed by the person).
    pub(crate) fn from_cdp(e: CdpError, gone: Error) -> Self {
        match e {
            CdpError::Closed(Closed::Gone) => gone,
            CdpError::Closed(Closed::Refused(line)) => Error::Refused { detail: line },
            CdpError::Closed(Closed::TooLarge) => Error::Protocol {
                detail: format!(
                    "a message larger than {} MiB",
                    crate::cdp::MAX_MESSAGE >> 20
                ),
            },
            CdpError::Closed(Closed::Garbage(s)) => Error::Protocol {
                detail: format!("{s} is not a DevTools message"),
            },
            CdpError::Closed(Closed::Io(e)) => Error::io(
                "the browser's control pipe failed",
                std::io::Error::other(e),
            ),
            CdpError::Timeout { method, after } => Error::NoAnswer {
                what: method,
                after,
            },
            CdpError::Remote { method, message } => Error::Rejected { method, message },
        }
    }

    pub(crate) fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            what: what.into(),
            source,
        }
    }
}
