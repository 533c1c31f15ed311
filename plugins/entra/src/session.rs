//! Reuse of the Entra ID session cookies (`ESTSAUTH`,
//! `ESTSAUTHPERSISTENT`, ...) between runs, so another role, a refresh or
//! `--no-cache` within the Entra session needs no password and no MFA. The
//! host stores the jar 0600 per provider, endpoint and user; never a
//! password.

use std::time::{SystemTime, UNIX_EPOCH};

use plugin_api::Host;

/// The name under which the cookies are kept.
pub const SESSION_NAME: &str = "entra-session-cookies";

/// How long the host keeps them. Entra decides how long the session
/// really lives (a "Stay signed in" session rolls for up to 90 days, a
/// Conditional Access sign-in frequency may cut it short); a dead one only
/// brings the sign-in page back, which we then answer as usual.
pub const KEEP_SECS: i64 = 12 * 3600;

/// How long to keep a session after "Stay signed in?" was answered yes.
pub const KEEP_PERSISTENT_SECS: i64 = 7 * 24 * 3600;

/// Load saved cookies into the host's jar. Returns whether any were loaded.
pub fn restore(host: &Host) -> bool {
    let Some(saved) = host.session_get(SESSION_NAME) else {
        return false;
    };
    match host.cookies_import(&saved) {
        Ok(()) => {
            host.debug("restored the saved Entra ID session cookies");
            true
        }
        Err(e) => {
            host.debug(&format!(
                "discarding an unreadable saved Entra ID session: {}",
                e.message
            ));
            host.session_delete(SESSION_NAME);
            false
        }
    }
}

/// Save the jar's cookies after a successful sign-in; `persistent` when
/// the user asked to stay signed in.
pub fn save(host: &Host, persistent: bool) {
    let cookies = host.cookies_export();
    if cookies.expose().trim().is_empty() {
        return;
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let keep = if persistent {
        KEEP_PERSISTENT_SECS
    } else {
        KEEP_SECS
    };
    match host.session_put(SESSION_NAME, &cookies, now + keep) {
        Ok(()) => host.debug("kept the Entra ID session cookies for the next run"),
        Err(e) => host.warn(&format!(
            "could not keep the Entra ID session: {}",
            e.message
        )),
    }
}

/// Forget the saved cookies (when they led nowhere).
pub fn forget(host: &Host) {
    host.session_delete(SESSION_NAME);
}
