//! The small web pieces every fake needs: HTML escaping, random ids and
//! tokens, reading cookies, the base URL the client addressed us by,
//! redirects and `Set-Cookie`, form fields.
//!
//! Written once here so that each fake differs from the others only where
//! the real IdP it imitates differs (token lengths and alphabets, cookie
//! names and attributes, page markup), and a fix to, say, cookie parsing
//! reaches every fake.

use axum::body::Bytes;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use rand::Rng;
use serde_json::Value;

/// Escape text for HTML element content and double-quoted attributes.
pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Letters and digits: the alphabet of most opaque tokens.
pub(crate) const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// `n` characters drawn at random from `alphabet`.
pub(crate) fn random_chars(alphabet: &[u8], n: usize) -> String {
    let mut rng = rand::rng();
    (0..n)
        .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
        .collect()
}

/// `n` random lowercase hex digits (session ids, request ids, CSRF tokens).
pub(crate) fn random_hex(n: usize) -> String {
    random_chars(b"0123456789abcdef", n)
}

/// Every `name=value` pair of the request's `Cookie` headers, in order.
fn cookie_pairs(headers: &HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
}

/// Every value the request sends for cookie `name`, in order (a client
/// may send several: old and new sessions).
pub(crate) fn cookies(headers: &HeaderMap, name: &str) -> Vec<String> {
    cookie_pairs(headers)
        .filter(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .collect()
}

/// The first value the request sends for cookie `name`.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    cookie_pairs(headers).find_map(|(k, v)| (k == name).then(|| v.to_string()))
}

/// `//host:port` as the client addressed us: a scheme-relative base, so
/// absolute links work whether the fake serves HTTP or HTTPS (browsers
/// resolve `//host/path` with the page's scheme).
///
/// HTTP/1.1 names the host in `Host`; HTTP/2 (over TLS) in the URI's
/// authority.
pub(crate) fn client_base(headers: &HeaderMap, uri: &Uri) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| uri.authority().map(|a| a.to_string()))
        .unwrap_or_else(|| "127.0.0.1".into());
    format!("//{host}")
}

/// [`client_base`] as a handler argument.
pub(crate) struct ClientBase(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientBase {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientBase(client_base(&parts.headers, &parts.uri)))
    }
}

/// A `302 Found` to `location`.
pub(crate) fn redirect(location: &str) -> Response {
    (
        StatusCode::FOUND,
        [(header::LOCATION, location.to_string())],
    )
        .into_response()
}

/// `r` with one `Set-Cookie` header per cookie (each a whole header value:
/// `name=value; Path=...`).
pub(crate) fn with_cookies(mut r: Response, cookies: impl IntoIterator<Item = String>) -> Response {
    for c in cookies {
        r.headers_mut()
            .append(header::SET_COOKIE, c.parse().expect("cookie header"));
    }
    r
}

/// A posted form field by name (the first, as servers read them).
pub(crate) fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// A JSON request body; anything else reads as `null`.
pub(crate) fn body_json(body: &Bytes) -> Value {
    serde_json::from_slice(body).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_by_exact_name() {
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, "sid=a; xsid=b".parse().unwrap());
        h.append(header::COOKIE, " sid=c=d ;other".parse().unwrap());
        assert_eq!(cookies(&h, "sid"), ["a", "c=d"]);
        assert_eq!(cookie(&h, "sid").as_deref(), Some("a"));
        assert_eq!(cookie(&h, "other"), None);
    }

    #[test]
    fn random_hex_has_the_asked_length() {
        let id = random_hex(32);
        assert_eq!(id.len(), 32);
        assert!(id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    }
}
