//! Reuse of the ADFS single sign-on cookies between runs, so a refresh
//! within the ADFS session (8 hours by default, `WebSsoLifetime`) needs no
//! password (the walk keeps them: `plugin_kit::walk::Walk::keep_session`).

use plugin_kit::session::CookieSession;

/// The name under which the cookies are kept.
pub const SESSION: CookieSession = CookieSession::new("adfs-sso-cookies", "ADFS");

/// ADFS's default web SSO lifetime. Expired cookies just bring the sign-in
/// form back, so overestimating costs one extra request at worst.
pub const SSO_LIFETIME_SECS: i64 = 8 * 3600;
