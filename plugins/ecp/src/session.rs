//! Reuse of the IdP's session cookies between runs, as a browser would:
//! Shibboleth (`shib_idp_session`) and SimpleSAMLphp (`SimpleSAMLSessionID`)
//! answer an ECP request that carries a live session cookie without asking
//! for the password again. The host keeps the value 0600 per provider,
//! endpoint and user; a password is never stored.

use std::time::{SystemTime, UNIX_EPOCH};

use plugin_api::Host;

/// The name under which the cookies are kept.
pub const SESSION_NAME: &str = "ecp-idp-cookies";

/// Shibboleth's default session lifetime (`idp.session.timeout`, 60
/// minutes of inactivity) is shorter than this; an expired session only
/// costs one request before the password is asked for.
pub const SESSION_LIFETIME_SECS: i64 = 8 * 3600;

/// Load saved cookies into the host's jar. Returns whether any were loaded.
pub fn restore(host: &Host) -> bool {
    let Some(saved) = host.session_get(SESSION_NAME) else {
        return false;
    };
    match host.cookies_import(&saved) {
        Ok(()) => {
            host.debug("restored the saved IdP session cookies");
            true
        }
        Err(e) => {
            host.debug(&format!(
                "discarding an unreadable saved IdP session: {}",
                e.message
            ));
            host.session_delete(SESSION_NAME);
            false
        }
    }
}

/// Save the jar's cookies after a successful login.
pub fn save(host: &Host) {
    let cookies = host.cookies_export();
    if cookies.expose().trim().is_empty() || cookies.expose().trim() == "[]" {
        return;
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    match host.session_put(SESSION_NAME, &cookies, now + SESSION_LIFETIME_SECS) {
        Ok(()) => host.debug("kept the IdP session cookies for the next run"),
        Err(e) => host.warn(&format!("could not keep the IdP session: {}", e.message)),
    }
}

/// Forget the saved cookies (when they did not log us in).
pub fn forget(host: &Host) {
    host.session_delete(SESSION_NAME);
}
