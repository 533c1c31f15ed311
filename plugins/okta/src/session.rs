//! Okta session reuse: after a full sign-in the plugin creates an Okta
//! session (`POST /api/v1/sessions`) and keeps its id (the `sid` cookie
//! value, never the password) in the host's session store until Okta's
//! `expiresAt`. A second role or a refresh then needs no password and no MFA.

use plugin_api::{Host, HttpRequest, PluginError, Secret};
use plugin_kit::session::CookieSession;
use serde::Deserialize;
use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::api;
use crate::Ctx;

/// Name in the host's session store (scoped by the host to provider,
/// endpoint and username).
const KEY: &str = "okta-session";

/// Lifetime assumed when Okta omits `expiresAt`.
const DEFAULT_LIFETIME_SECS: i64 = 3600;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Session {
    id: String,
    #[serde(default)]
    expires_at: Option<String>,
}

/// The stored session id, if any (the host drops expired ones).
pub fn stored(host: &Host) -> Option<Secret<String>> {
    let sid = host.session_get(KEY).filter(|s| !s.expose().is_empty())?;
    host.add_secret(sid.expose());
    Some(sid)
}

/// Forget the stored session (expired or revoked at Okta).
pub fn forget(host: &Host) {
    host.session_delete(KEY);
}

/// Exchange a one-time session token for a session and store its id.
/// `None` (with a debug line) when the org does not allow it; the caller
/// then uses the session token directly.
pub fn create(
    ctx: &Ctx,
    session_token: &Secret<String>,
) -> Result<Option<Secret<String>>, PluginError> {
    let url = ctx.org.url("/api/v1/sessions");
    let reply = api::post::<Session>(
        ctx.host,
        &url,
        &json!({"sessionToken": session_token.expose()}),
    );
    let session = match reply {
        Ok(Ok(s)) if !s.id.is_empty() => s,
        Ok(Ok(_)) => {
            ctx.host
                .debug("Okta created a session without an id; not reusing it");
            return Ok(None);
        }
        Ok(Err(e)) => {
            ctx.host.debug(&format!(
                "Okta did not create a reusable session ({}); the next login will ask for the password again",
                e.describe()
            ));
            return Ok(None);
        }
        Err(e) if e.kind == plugin_api::ErrorKind::Protocol => {
            ctx.host
                .debug(&format!("no reusable Okta session: {}", e.message));
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    ctx.host.add_secret(&session.id);
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let expires =
        expires_unix(session.expires_at.as_deref()).unwrap_or(now + DEFAULT_LIFETIME_SECS);
    let sid = Secret::new(session.id);
    match ctx.host.session_put(KEY, &sid, expires) {
        Ok(()) => ctx.host.debug(&format!(
            "kept the Okta session for reuse ({} s left)",
            expires - now
        )),
        Err(e) => ctx
            .host
            .debug(&format!("could not store the Okta session: {}", e.message)),
    }
    Ok(Some(sid))
}

/// Extend a reused session (Okta sessions slide with use) and store the
/// new expiry. Failures only cost an earlier full sign-in: debug log only.
pub fn refresh(ctx: &Ctx, sid: &Secret<String>) {
    let url = ctx.org.url("/api/v1/sessions/me/lifecycle/refresh");
    let req =
        HttpRequest::post_json(&url, &json!({})).header("Cookie", format!("sid={}", sid.expose()));
    let expires = ctx
        .host
        .http(req)
        .ok()
        .and_then(|r| api::read::<Session>(&r, "POST").ok())
        .and_then(Result::ok)
        .and_then(|s| expires_unix(s.expires_at.as_deref()));
    match expires {
        Some(t) => match ctx.host.session_put(KEY, sid, t) {
            Ok(()) => ctx.host.debug("refreshed the stored Okta session"),
            Err(e) => ctx
                .host
                .debug(&format!("could not store the Okta session: {}", e.message)),
        },
        None => ctx
            .host
            .debug("could not refresh the Okta session (kept as is)"),
    }
}

/// Name of the Identity Engine session cookies (`idx`, `sid`, ...) in the
/// host's session store.
const COOKIES_KEY: &str = "okta-idx-cookies";

/// How long kept cookies are tried: Okta's default global session lifetime.
/// A session that ended sooner only costs the sign-in page we fetch anyway.
const COOKIE_LIFETIME_SECS: i64 = 2 * 3600;

/// The kept Identity Engine cookie jar (`plugin_kit::session`).
const COOKIES: CookieSession = CookieSession::new(COOKIES_KEY, "Okta");

/// Put the stored Identity Engine cookies back into this login's jar.
pub fn restore_cookies(host: &Host) -> bool {
    COOKIES.restore(host)
}

/// Whether Identity Engine cookies are stored (the org runs OIE).
pub fn has_cookies(host: &Host) -> bool {
    COOKIES.is_kept(host)
}

/// Keep this login's cookies (the org's session, never the password).
pub fn keep_cookies(host: &Host) {
    COOKIES.save(host, COOKIE_LIFETIME_SECS)
}

/// Forget stored cookies that no longer open the app.
pub fn forget_cookies(host: &Host) {
    COOKIES.forget(host)
}

/// Parse Okta's `expiresAt` (RFC 3339 with milliseconds).
pub fn expires_unix(expires_at: Option<&str>) -> Option<i64> {
    OffsetDateTime::parse(expires_at?.trim(), &Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

/// A GET carrying the session cookie, if any.
pub fn get(url: &str, sid: Option<&Secret<String>>) -> HttpRequest {
    let req = HttpRequest::get(url).header("Accept", "text/html,application/xhtml+xml");
    match sid {
        Some(s) => req.header("Cookie", format!("sid={}", s.expose())),
        None => req,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_okta_expiry() {
        assert_eq!(
            expires_unix(Some("2026-01-01T00:00:00.000Z")),
            Some(1_767_225_600)
        );
        assert_eq!(expires_unix(Some("garbage")), None);
        assert_eq!(expires_unix(None), None);
    }

    #[test]
    fn cookie_header_only_with_a_session() {
        let r = get("https://o/x", Some(&Secret::new("102abc".into())));
        assert!(r
            .headers
            .iter()
            .any(|(k, v)| k == "Cookie" && v == "sid=102abc"));
        assert!(!get("https://o/x", None)
            .headers
            .iter()
            .any(|(k, _)| k == "Cookie"));
    }
}
