//! Reuse of the Entra ID session cookies (`ESTSAUTH`,
//! `ESTSAUTHPERSISTENT`, ...) between runs, so another role, a refresh or
//! `--no-cache` within the Entra session needs no password and no MFA. The
//! host stores the jar 0600 per provider, endpoint and user; never a
//! password. The walk keeps it (`plugin_kit::walk::Walk::keep_session`).

use plugin_kit::session::CookieSession;

/// The name under which the cookies are kept.
pub const SESSION: CookieSession = CookieSession::new("entra-session-cookies", "Entra ID");

/// How long the host keeps them. Entra decides how long the session
/// really lives (a "Stay signed in" session rolls for up to 90 days, a
/// Conditional Access sign-in frequency may cut it short); a dead one only
/// brings the sign-in page back, which we then answer as usual.
pub const KEEP_SECS: i64 = 12 * 3600;

/// How long to keep a session after "Stay signed in?" was answered yes.
pub const KEEP_PERSISTENT_SECS: i64 = 7 * 24 * 3600;

/// How long to keep the cookies; `persistent` when the user asked to stay
/// signed in.
pub fn lifetime_secs(persistent: bool) -> i64 {
    if persistent {
        KEEP_PERSISTENT_SECS
    } else {
        KEEP_SECS
    }
}
