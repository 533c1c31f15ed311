//! The engine's failures as the person reads them (one line + hint), with
//! the protocol's error kinds: closing the window is `cancelled`, running
//! out of time `mfa-timeout`, no window to show `no-terminal`.

use awsprocesscreds_browser::Error;
use plugin_api::{ErrorKind, PluginError};

use crate::env_vars as ev;

/// The message when a window is needed and none can be shown.
pub fn no_window(why: &str) -> PluginError {
    PluginError::new(
        ErrorKind::NoTerminal,
        format!("signing in needs a browser window and none can be shown here ({why})"),
    )
    .with_hint(
        "sign in once in a desktop session, where a browser window can open; later runs reuse the kept session without a window",
    )
}

/// The kept session no longer signs the person in (`kept`: what the
/// page wants now), and no window can be shown (`why`).
pub fn session_ended(kept: &str, why: &str) -> PluginError {
    PluginError::new(
        ErrorKind::NoTerminal,
        format!(
            "the kept browser session no longer signs you in ({kept}): signing in needs a browser window and none can be shown here ({why})"
        ),
    )
    .with_hint(
        "sign in again in a desktop session, where a browser window can open; later runs reuse the new session without a window",
    )
}

/// `e` for the person.
pub fn from_engine(e: Error) -> PluginError {
    let hint = e.hint();
    let (kind, hint) = match &e {
        Error::NoWindow { why } => return no_window(why),
        Error::TimedOut { .. } => (
            ErrorKind::MfaTimeout,
            Some(format!(
                "run the command again and finish the sign-in sooner, or allow more time with --browser-timeout SECS (or {})",
                ev::BROWSER_TIMEOUT
            )),
        ),
        // The engine's hint for a closed window is the person's already.
        Error::WindowClosed | Error::Cancelled => (ErrorKind::Cancelled, hint),
        _ => (ErrorKind::Other, hint),
    };
    let err = PluginError::new(kind, e.to_string());
    match hint {
        Some(h) => err.with_hint(h),
        None => err,
    }
}
