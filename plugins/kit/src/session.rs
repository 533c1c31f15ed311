//! Keeping an IdP's session cookies between runs, as a browser keeps them:
//! the jar is exported after a successful sign-in and imported at the
//! start of the next one, so another role, a refresh or `--no-cache` within
//! the IdP session needs no password and no MFA. The host stores the value
//! 0600 per provider, endpoint and user (and stores nothing under
//! `--no-idp-session`); a password is never part of it.

use std::time::{SystemTime, UNIX_EPOCH};

use plugin_api::Host;

/// One plugin's kept cookie jar.
#[derive(Debug, Clone, Copy)]
pub struct CookieSession {
    /// The session-store name the jar is kept under.
    pub name: &'static str,
    /// The IdP's name in log lines ("ADFS", "Entra ID", ...).
    pub idp: &'static str,
}

impl CookieSession {
    pub const fn new(name: &'static str, idp: &'static str) -> Self {
        CookieSession { name, idp }
    }

    /// Load the kept cookies into the host's jar. Returns whether any were
    /// loaded; an unreadable value is dropped.
    pub fn restore(&self, host: &Host) -> bool {
        let Some(saved) = host
            .session_get(self.name)
            .filter(|c| !c.expose().trim().is_empty())
        else {
            return false;
        };
        host.add_secret(saved.expose());
        match host.cookies_import(&saved) {
            Ok(()) => {
                host.debug(&format!("restored the saved {} session cookies", self.idp));
                true
            }
            Err(e) => {
                host.debug(&format!(
                    "discarding an unreadable saved {} session: {}",
                    self.idp, e.message
                ));
                host.session_delete(self.name);
                false
            }
        }
    }

    /// Whether cookies are kept at all.
    pub fn is_kept(&self, host: &Host) -> bool {
        host.session_get(self.name)
            .is_some_and(|c| !c.expose().trim().is_empty())
    }

    /// Keep the jar's cookies for `lifetime_secs` after a successful
    /// sign-in. The IdP decides how long its session really lives; a dead
    /// one only brings its sign-in page back.
    pub fn save(&self, host: &Host, lifetime_secs: i64) {
        let cookies = host.cookies_export();
        let text = cookies.expose().trim();
        if text.is_empty() || text == "[]" {
            return;
        }
        host.add_secret(cookies.expose());
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        match host.session_put(self.name, &cookies, now + lifetime_secs) {
            Ok(()) => host.debug(&format!(
                "kept the {} session cookies for the next run",
                self.idp
            )),
            Err(e) => host.warn(&format!(
                "could not keep the {} session: {}",
                self.idp, e.message
            )),
        }
    }

    /// Forget the kept cookies (when they led nowhere).
    pub fn forget(&self, host: &Host) {
        host.session_delete(self.name);
    }
}
