//! The IdP session: the dedicated profile's cookies, exported after a
//! sign-in and restored before the next one.
//!
//! Chromium drops session cookies (no expiry) at exit and restores them
//! only after a crash, yet most IdPs keep their sign-in session in exactly
//! such cookies (checked here with SimpleSAMLphp: after a windowed sign-in,
//! a headless start on the same profile showed the login form again). So
//! the host keeps them (0600, per IdP) and we set them back with
//! `Storage.setCookies` before the first navigation.
//!
//! [`Cookie`] is our own storage shape (snake_case, stable), converted
//! to and from DevTools' `Network.Cookie` / `Network.CookieParam`.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// One cookie of the profile. `Debug` hides the value.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Cookie {
    pub name: String,
    pub value: String,
    pub domain: String,
    pub path: String,
    /// Seconds since the Unix epoch; `None` for a session cookie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<f64>,
    #[serde(default)]
    pub http_only: bool,
    #[serde(default)]
    pub secure: bool,
    /// `Strict`, `Lax` or `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub same_site: Option<String>,
    /// `Secure`, `NonSecure` or `Unset` (cookies are bound to the scheme
    /// that set them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_scheme: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_port: Option<i64>,
    /// A partitioned (CHIPS) cookie's partition, as DevTools gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_key: Option<Value>,
}

impl std::fmt::Debug for Cookie {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cookie")
            .field("name", &self.name)
            .field("value", &"[REDACTED]")
            .field("domain", &self.domain)
            .field("path", &self.path)
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

impl Cookie {
    /// From a DevTools `Network.Cookie` (`Storage.getCookies`).
    pub(crate) fn from_devtools(v: &Value) -> Option<Cookie> {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(String::from);
        let session = v.get("session").and_then(Value::as_bool).unwrap_or(false);
        let expires = v
            .get("expires")
            .and_then(Value::as_f64)
            .filter(|e| !session && *e > 0.0);
        Some(Cookie {
            name: s("name")?,
            value: s("value")?,
            domain: s("domain")?,
            path: s("path").unwrap_or_else(|| "/".into()),
            expires,
            http_only: v.get("httpOnly").and_then(Value::as_bool).unwrap_or(false),
            secure: v.get("secure").and_then(Value::as_bool).unwrap_or(false),
            same_site: s("sameSite"),
            source_scheme: s("sourceScheme"),
            source_port: v.get("sourcePort").and_then(Value::as_i64),
            partition_key: v.get("partitionKey").filter(|p| p.is_object()).cloned(),
        })
    }

    /// As a DevTools `Network.CookieParam` (`Storage.setCookies`).
    pub(crate) fn to_devtools(&self) -> Value {
        let mut m = Map::new();
        m.insert("name".into(), json!(self.name));
        m.insert("value".into(), json!(self.value));
        m.insert("domain".into(), json!(self.domain));
        m.insert("path".into(), json!(self.path));
        m.insert("httpOnly".into(), json!(self.http_only));
        m.insert("secure".into(), json!(self.secure));
        if let Some(e) = self.expires {
            m.insert("expires".into(), json!(e));
        }
        if let Some(s) = &self.same_site {
            m.insert("sameSite".into(), json!(s));
        }
        if let Some(s) = &self.source_scheme {
            m.insert("sourceScheme".into(), json!(s));
        }
        if let Some(p) = self.source_port {
            m.insert("sourcePort".into(), json!(p));
        }
        if let Some(p) = &self.partition_key {
            m.insert("partitionKey".into(), p.clone());
        }
        Value::Object(m)
    }

    /// Expired at `now` (seconds since the epoch). Session cookies never
    /// expire by time: the IdP decides whether the session still holds.
    pub fn is_expired(&self, now: f64) -> bool {
        self.expires.is_some_and(|e| e <= now)
    }
}

/// Seconds since the Unix epoch.
pub(crate) fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devtools_round_trip_keeps_session_cookies() {
        // The shape Storage.getCookies returns (Chromium 156, seen here).
        let dt = json!({"name":"SimpleSAML","value":"0123abcd","domain":"127.0.0.1","path":"/",
            "expires":-1,"size":18,"httpOnly":true,"secure":false,"session":true,"priority":"Medium",
            "sameParty":false,"sourceScheme":"NonSecure","sourcePort":8080});
        let c = Cookie::from_devtools(&dt).unwrap();
        assert_eq!(c.expires, None);
        assert!(!c.is_expired(now()));
        assert!(!format!("{c:?}").contains("0123abcd"));
        let back = c.to_devtools();
        assert_eq!(back["name"], "SimpleSAML");
        assert_eq!(back["sourcePort"], 8080);
        assert!(back.get("expires").is_none());
        let stored = serde_json::to_string(&c).unwrap();
        assert!(stored.contains("\"http_only\":true"), "{stored}");
        let again: Cookie = serde_json::from_str(&stored).unwrap();
        assert_eq!(again, c);

        let persistent = json!({"name":"n","value":"v","domain":".example.com","path":"/",
            "expires":1000.5,"session":false});
        let c = Cookie::from_devtools(&persistent).unwrap();
        assert_eq!(c.expires, Some(1000.5));
        assert!(c.is_expired(now()));
    }
}
