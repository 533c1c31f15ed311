//! Reuse of the ADFS single sign-on cookies between runs, so a refresh
//! within the ADFS session (8 hours by default, `WebSsoLifetime`) needs no
//! password. The host stores the value 0600 per provider, endpoint and user.

use std::time::{SystemTime, UNIX_EPOCH};

use plugin_api::Host;

/// The name under which the cookies are kept.
pub const SESSION_NAME: &str = "adfs-sso-cookies";

/// ADFS's default web SSO lifetime. Expired cookies just bring the sign-in
/// form back, so overestimating costs one extra request at worst.
pub const SSO_LIFETIME_SECS: i64 = 8 * 3600;

/// Load saved cookies into the host's jar. Returns whether any were loaded.
pub fn restore(host: &Host) -> bool {
    let Some(saved) = host.session_get(SESSION_NAME) else {
        return false;
    };
    match host.cookies_import(&saved) {
        Ok(()) => {
            host.debug("restored the saved ADFS session cookies");
            true
        }
        Err(e) => {
            host.debug(&format!(
                "discarding unreadable saved ADFS session: {}",
                e.message
            ));
            host.session_delete(SESSION_NAME);
            false
        }
    }
}

/// Save the jar's cookies after a successful sign-in.
pub fn save(host: &Host) {
    let cookies = host.cookies_export();
    if cookies.expose().trim().is_empty() {
        return;
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    match host.session_put(SESSION_NAME, &cookies, now + SSO_LIFETIME_SECS) {
        Ok(()) => host.debug("kept the ADFS session cookies for the next run"),
        Err(e) => host.warn(&format!("could not keep the ADFS session: {}", e.message)),
    }
}

/// Forget the saved cookies (when they led nowhere).
pub fn forget(host: &Host) {
    host.session_delete(SESSION_NAME);
}
