//! Reuse of the IdP's session cookies between runs, as a browser would:
//! Shibboleth (`shib_idp_session`) and SimpleSAMLphp (`SimpleSAMLSessionID`)
//! answer an ECP request that carries a live session cookie without asking
//! for the password again (the mechanism is `plugin_kit::session`).

use plugin_api::Host;
use plugin_kit::session::CookieSession;

/// The name under which the cookies are kept.
pub const SESSION: CookieSession = CookieSession::new("ecp-idp-cookies", "IdP");

/// Shibboleth's default session lifetime (`idp.session.timeout`, 60
/// minutes of inactivity) is shorter than this; an expired session only
/// costs one request before the password is asked for.
pub const SESSION_LIFETIME_SECS: i64 = 8 * 3600;

pub fn restore(host: &Host) -> bool {
    SESSION.restore(host)
}

pub fn save(host: &Host) {
    SESSION.save(host, SESSION_LIFETIME_SECS)
}

pub fn forget(host: &Host) {
    SESSION.forget(host)
}
