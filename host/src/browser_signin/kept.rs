//! What the host keeps of a browser sign-in, in the login's session store
//! (`0600`, per provider + endpoint + user, never a password): the IdP
//! session (the profile's cookies, session cookies included, since
//! Chromium drops those at exit) and the marker that this login continues
//! in the browser. Names starting with [`PREFIX`] are the host's: plugins
//! cannot read or write them through the session services.

use awsprocesscreds_browser::Cookie;
use plugin_api::Secret;
use serde::{Deserialize, Serialize};

use crate::log;
use crate::session_store::SessionStore;

/// The host's session names start with this.
pub const PREFIX: &str = "browser.";
/// The kept cookies.
const COOKIES: &str = "browser.cookies";
/// The marker: this login met a step only a browser can do, and a
/// browser sign-in completed it.
const CONTINUE: &str = "browser.continue";

/// Session cookies (no expiry of their own) are kept this long after the
/// last sign-in that used them; the IdP decides whether its session still
/// holds, and a headless attempt that meets a login form opens a window.
const SESSION_COOKIES_FOR: i64 = 12 * 3600;
/// The marker lasts this long after the last browser sign-in.
const CONTINUE_FOR: i64 = 30 * 24 * 3600;

#[derive(Serialize, Deserialize)]
struct Stored {
    /// When the cookies were saved (seconds since the epoch).
    saved_unix: i64,
    cookies: Vec<Cookie>,
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// The kept cookies, without expired ones and, `SESSION_COOKIES_FOR`
/// after they were saved, without session cookies. Each value is
/// registered for redaction.
pub fn cookies(store: &SessionStore) -> Vec<Cookie> {
    let Some(raw) = store.get(COOKIES) else {
        return Vec::new();
    };
    let Ok(stored) = serde_json::from_str::<Stored>(raw.expose()) else {
        log::warn_once("the kept browser session is unreadable; ignoring it");
        return Vec::new();
    };
    let now = now();
    let sessions_live = now < stored.saved_unix.saturating_add(SESSION_COOKIES_FOR);
    let cookies: Vec<Cookie> = stored
        .cookies
        .into_iter()
        .filter(|c| match c.expires {
            Some(e) => e > now as f64,
            None => sessions_live,
        })
        .collect();
    for c in &cookies {
        log::add_secret(&c.value);
    }
    cookies
}

/// Keep `cookies` until the latest of: their latest expiry, and
/// `SESSION_COOKIES_FOR` from now (for session cookies).
pub fn save_cookies(store: &SessionStore, cookies: Vec<Cookie>) {
    let now = now();
    let until = cookies
        .iter()
        .filter_map(|c| c.expires)
        .map(|e| e.min(i64::MAX as f64) as i64)
        .fold(now.saturating_add(SESSION_COOKIES_FOR), i64::max);
    let count = cookies.len();
    let stored = Stored {
        saved_unix: now,
        cookies,
    };
    let Ok(json) = serde_json::to_string(&stored) else {
        return;
    };
    match store.put(COOKIES, Secret::new(json), until) {
        Ok(()) => log::debug(&format!(
            "kept {count} cookie(s) of the IdP session for the next sign-in"
        )),
        Err(e) => log::warn(&format!(
            "could not keep the browser session: {}",
            e.message
        )),
    }
}

/// Whether this login continues in the browser (see [`remember`]).
pub fn marked(store: &SessionStore) -> bool {
    store.get(CONTINUE).is_some()
}

/// Remember (for `CONTINUE_FOR`) that this login continues in the
/// browser, so the next one goes there at once instead of asking for a
/// password first.
pub fn remember(store: &SessionStore) {
    let _ = store.put(
        CONTINUE,
        Secret::new("1".to_string()),
        now().saturating_add(CONTINUE_FOR),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cookie(name: &str, expires: Option<f64>) -> Cookie {
        serde_json::from_value(serde_json::json!({
            "name": name, "value": format!("{name}-value"), "domain": "idp.example.com",
            "path": "/", "expires": expires
        }))
        .unwrap()
    }

    #[test]
    fn session_cookies_are_kept_twelve_hours_and_persistent_ones_until_they_expire() {
        let dir = tempfile::tempdir().unwrap();
        let store = SessionStore::new(Some(dir.path().to_path_buf()), "browser", "https://e", "");
        assert!(cookies(&store).is_empty());
        let far = (now() + 90 * 24 * 3600) as f64;
        save_cookies(
            &store,
            vec![
                cookie("session", None),
                cookie("device", Some(far)),
                cookie("old", Some(10.0)),
            ],
        );
        let names = |v: Vec<Cookie>| v.into_iter().map(|c| c.name).collect::<Vec<_>>();
        assert_eq!(names(cookies(&store)), ["session", "device"]);
        // Saved 13 hours ago: the session cookie is no longer offered.
        let raw = store.get(COOKIES).unwrap();
        let mut stored: Stored = serde_json::from_str(raw.expose()).unwrap();
        stored.saved_unix -= 13 * 3600;
        store
            .put(
                COOKIES,
                Secret::new(serde_json::to_string(&stored).unwrap()),
                far as i64,
            )
            .unwrap();
        assert_eq!(names(cookies(&store)), ["device"]);
        assert!(!marked(&store));
        remember(&store);
        assert!(marked(&store));
    }
}
