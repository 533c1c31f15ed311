//! The Okta Classic authn API on the wire: response shapes (tolerant: every
//! field optional, unknown fields ignored) and one helper that POSTs JSON
//! and separates Okta's error bodies from transport failures.

use std::collections::BTreeMap;

use plugin_api::{Host, HttpRequest, HttpResponse, PluginError};
use serde::Deserialize;
use serde_json::Value;

/// One `_links` entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Link {
    pub href: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// `_links`: each entry is a link object or (for `resend`) an array of them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct Links(BTreeMap<String, Value>);

impl Links {
    /// Every link under `rel`.
    pub fn all(&self, rel: &str) -> Vec<Link> {
        match self.0.get(rel) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| serde_json::from_value(v.clone()).ok())
                .collect(),
            Some(v) => serde_json::from_value(v.clone()).ok().into_iter().collect(),
            None => Vec::new(),
        }
    }

    /// The first link under `rel`.
    pub fn get(&self, rel: &str) -> Option<Link> {
        self.all(rel).into_iter().next()
    }
}

/// An enrolled factor (`_embedded.factors[]` or `_embedded.factor`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Factor {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub factor_type: String,
    #[serde(default)]
    pub provider: String,
    #[serde(default)]
    pub profile: Value,
    #[serde(rename = "_links", default)]
    pub links: Links,
    #[serde(rename = "_embedded", default)]
    pub embedded: Value,
}

impl Factor {
    /// A string field of `profile`.
    pub fn profile_str(&self, key: &str) -> Option<&str> {
        self.profile.get(key).and_then(Value::as_str)
    }

    /// The number to tap in Okta Verify when number matching is on.
    pub fn correct_answer(&self) -> Option<String> {
        match self.embedded.get("challenge")?.get("correctAnswer")? {
            Value::Number(n) => Some(n.to_string()),
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            _ => None,
        }
    }
}

/// `_embedded` of an authn response.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Embedded {
    #[serde(default)]
    pub factors: Vec<Factor>,
    #[serde(default)]
    pub factor: Option<Factor>,
    #[serde(default)]
    pub policy: Option<Value>,
}

/// An authn transaction state (`POST /api/v1/authn` and the factor calls).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Authn {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub state_token: Option<String>,
    #[serde(default)]
    pub session_token: Option<String>,
    #[serde(default)]
    pub factor_result: Option<String>,
    #[serde(rename = "_embedded", default)]
    pub embedded: Embedded,
    #[serde(rename = "_links", default)]
    pub links: Links,
}

impl Authn {
    /// Days until the password expires (`PASSWORD_WARN`).
    pub fn password_expire_days(&self) -> Option<i64> {
        self.embedded
            .policy
            .as_ref()?
            .get("expiration")?
            .get("passwordExpireDays")?
            .as_i64()
    }
}

/// Okta's error body (`errorCode`, `errorSummary`, `errorCauses`) plus the
/// HTTP facts that matter for the message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub summary: String,
    pub causes: Vec<String>,
    /// `X-Rate-Limit-Reset` (Unix seconds).
    pub rate_limit_reset: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody {
    #[serde(default)]
    error_code: String,
    #[serde(default)]
    error_summary: String,
    #[serde(default)]
    error_causes: Vec<Cause>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Cause {
    #[serde(default)]
    error_summary: String,
}

impl ApiError {
    /// Read an error answer; `None` when the body is not Okta's error JSON.
    pub fn from_response(resp: &HttpResponse) -> Option<ApiError> {
        let body: ErrorBody = serde_json::from_slice(&resp.body).ok()?;
        if body.error_code.is_empty() && body.error_summary.is_empty() {
            return None;
        }
        Some(ApiError {
            status: resp.status,
            code: body.error_code,
            summary: body.error_summary,
            causes: body
                .error_causes
                .into_iter()
                .map(|c| c.error_summary)
                .filter(|s| !s.is_empty())
                .collect(),
            rate_limit_reset: resp
                .header("X-Rate-Limit-Reset")
                .and_then(|v| v.trim().parse().ok()),
        })
    }

    pub fn is_rate_limit(&self) -> bool {
        self.status == 429 || self.code == "E0000047"
    }

    /// Summary and causes in one line, e.g. `Invalid Passcode/Answer (E0000068: ...)`.
    pub fn describe(&self) -> String {
        let mut s = if self.summary.is_empty() {
            format!("HTTP {}", self.status)
        } else {
            self.summary.trim_end_matches('.').to_string()
        };
        if !self.code.is_empty() {
            s.push_str(&format!(" ({})", self.code));
        }
        for c in &self.causes {
            s.push_str(&format!("; {}", c.trim_end_matches('.')));
        }
        s
    }
}

/// What an authn API call produced: a transaction state or Okta's error.
pub type Reply<T = Authn> = Result<T, ApiError>;

/// POST `body` as JSON to `url` and read the answer as `T`, or as Okta's
/// error body. Anything else (HTML, a proxy page) is a protocol error.
pub fn post<T: serde::de::DeserializeOwned>(
    host: &Host,
    url: &str,
    body: &Value,
) -> Result<Reply<T>, PluginError> {
    let resp = host.http(HttpRequest::post_json(url, body))?;
    read(&resp, "POST")
}

/// Split a response into `T` or Okta's error.
pub fn read<T: serde::de::DeserializeOwned>(
    resp: &HttpResponse,
    method: &str,
) -> Result<Reply<T>, PluginError> {
    if resp.is_success() {
        return resp.json::<T>().map(Ok);
    }
    if let Some(e) = ApiError::from_response(resp) {
        return Ok(Err(e));
    }
    Err(PluginError::protocol(format!(
        "{method} {} answered HTTP {} without an Okta error body",
        path_of(&resp.url),
        resp.status
    ))
    .with_hint("check that -e is the AWS app's embed link in your Okta org"))
}

/// The path of a URL (for messages; never the query, which may hold tokens).
pub fn path_of(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| format!("{}{}", u.host_str().unwrap_or(""), u.path()))
        .unwrap_or_else(|_| "the URL".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn resp(status: u16, body: Value, headers: &[(&str, &str)]) -> HttpResponse {
        HttpResponse::new(status, "https://example.okta.com/api/v1/authn?x=secret")
            .with_headers(
                headers
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            )
            .with_body(serde_json::to_vec(&body).unwrap())
    }

    #[test]
    fn parses_mfa_required_with_unknown_fields() {
        let a: Authn = serde_json::from_value(json!({
            "stateToken": "00abc", "expiresAt": "2026-01-01T00:00:00.000Z", "status": "MFA_REQUIRED",
            "futureField": {"x": 1},
            "_embedded": {"user": {"id": "u"}, "factors": [
                {"id": "f1", "factorType": "push", "provider": "OKTA",
                 "profile": {"name": "iPhone"},
                 "_links": {"verify": {"href": "https://o/api/v1/authn/factors/f1/verify"}}},
                {"factorType": "sms"}
            ]},
            "_links": {"cancel": {"href": "https://o/api/v1/authn/cancel"}}
        }))
        .unwrap();
        assert_eq!(a.status, "MFA_REQUIRED");
        assert_eq!(a.state_token.as_deref(), Some("00abc"));
        assert_eq!(a.embedded.factors.len(), 2);
        assert_eq!(a.embedded.factors[0].profile_str("name"), Some("iPhone"));
        assert_eq!(
            a.embedded.factors[0].links.get("verify").unwrap().href,
            "https://o/api/v1/authn/factors/f1/verify"
        );
        assert!(a.embedded.factors[1].links.get("verify").is_none());
    }

    #[test]
    fn links_accept_objects_and_arrays() {
        let l: Links = serde_json::from_value(json!({
            "next": {"name": "poll", "href": "https://o/p"},
            "resend": [{"name": "sms", "href": "https://o/r"}],
            "weird": 3
        }))
        .unwrap();
        assert_eq!(l.get("next").unwrap().name.as_deref(), Some("poll"));
        assert_eq!(l.get("resend").unwrap().href, "https://o/r");
        assert!(l.get("weird").is_none());
        assert!(l.get("absent").is_none());
    }

    #[test]
    fn number_challenge_as_number_or_string() {
        let f: Factor =
            serde_json::from_value(json!({"_embedded": {"challenge": {"correctAnswer": 42}}}))
                .unwrap();
        assert_eq!(f.correct_answer().as_deref(), Some("42"));
        let f: Factor =
            serde_json::from_value(json!({"_embedded": {"challenge": {"correctAnswer": "7"}}}))
                .unwrap();
        assert_eq!(f.correct_answer().as_deref(), Some("7"));
        assert_eq!(Factor::default().correct_answer(), None);
    }

    #[test]
    fn password_warn_days() {
        let a: Authn = serde_json::from_value(json!({"status": "PASSWORD_WARN",
            "_embedded": {"policy": {"expiration": {"passwordExpireDays": 4}}}}))
        .unwrap();
        assert_eq!(a.password_expire_days(), Some(4));
    }

    #[test]
    fn reads_okta_errors_and_rate_limit_reset() {
        let r = resp(
            429,
            json!({"errorCode": "E0000047", "errorSummary": "API call exceeded rate limit due to too many requests.", "errorCauses": []}),
            &[("x-rate-limit-reset", "1700000000")],
        );
        let e = read::<Authn>(&r, "POST").unwrap().unwrap_err();
        assert!(e.is_rate_limit());
        assert_eq!(e.rate_limit_reset, Some(1_700_000_000));
        let r = resp(
            403,
            json!({"errorCode": "E0000068", "errorSummary": "Invalid Passcode/Answer",
                   "errorCauses": [{"errorSummary": "Your passcode doesn't match our records."}]}),
            &[],
        );
        let e = read::<Authn>(&r, "POST").unwrap().unwrap_err();
        assert_eq!(
            e.describe(),
            "Invalid Passcode/Answer (E0000068); Your passcode doesn't match our records"
        );
    }

    #[test]
    fn non_okta_error_is_protocol_error_without_query() {
        let mut r = resp(404, json!(null), &[]);
        r.body = b"<html>not found</html>".to_vec();
        let e = read::<Authn>(&r, "POST").unwrap_err();
        assert_eq!(e.kind, plugin_api::ErrorKind::Protocol);
        assert!(
            e.message.contains("example.okta.com/api/v1/authn"),
            "{}",
            e.message
        );
        assert!(!e.message.contains("secret"));
    }
}
