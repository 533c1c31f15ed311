//! Reading IDX states: remediation forms, messages, the success link,
//! the number challenge and the fields a form expects. Tolerant: every
//! field optional, unknown ones ignored.

use plugin_api::HttpRequest;
use serde_json::Value;

/// The media type Okta's own IDX clients send and accept.
pub const ION: &str = "application/ion+json; okta-version=1.0.0";

/// A POST of `body` with the headers Okta's own IDX clients send.
pub(super) fn request(href: &str, body: &Value) -> HttpRequest {
    let mut req = HttpRequest::post_json(href, body);
    req.headers.retain(|(k, _)| {
        !k.eq_ignore_ascii_case("content-type") && !k.eq_ignore_ascii_case("accept")
    });
    req.header("Content-Type", ION).header("Accept", ION)
}

/// A remediation form.
#[derive(Debug, Clone)]
pub struct Remediation {
    pub name: String,
    pub href: String,
    pub fields: Vec<Value>,
    pub refresh_ms: Option<u64>,
}

/// The remediations of a state, in the server's order.
pub fn remediations(state: &Value) -> Vec<Remediation> {
    state
        .pointer("/remediation/value")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|r| {
                    Some(Remediation {
                        name: r.get("name")?.as_str()?.to_string(),
                        href: r.get("href")?.as_str()?.to_string(),
                        fields: r
                            .get("value")
                            .and_then(Value::as_array)
                            .cloned()
                            .unwrap_or_default(),
                        refresh_ms: r.get("refresh").and_then(Value::as_u64),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A message Okta shows (`messages.value[]`, top level).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub key: String,
    pub error: bool,
}

/// Top-level messages, then those Okta attaches to form fields (a wrong
/// password may come as `credentials.passcode.messages`).
pub fn messages(state: &Value) -> Vec<Message> {
    let mut out = message_list(state.pointer("/messages/value"));
    if let Some(rems) = state.pointer("/remediation/value") {
        field_messages(rems, 0, &mut out);
    }
    out
}

pub(super) fn field_messages(v: &Value, depth: usize, out: &mut Vec<Message>) {
    if depth > 8 {
        return;
    }
    match v {
        Value::Array(items) => items.iter().for_each(|i| field_messages(i, depth + 1, out)),
        Value::Object(map) => {
            for (k, child) in map {
                if k == "messages" {
                    out.extend(message_list(child.get("value")));
                } else {
                    field_messages(child, depth + 1, out);
                }
            }
        }
        _ => {}
    }
}

pub(super) fn message_list(list: Option<&Value>) -> Vec<Message> {
    list.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|m| Message {
                    text: m
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .trim()
                        .to_string(),
                    key: m
                        .pointer("/i18n/key")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    // A message without a class is an error too.
                    error: matches!(m.get("class").and_then(Value::as_str), None | Some("ERROR")),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `success.href` once the transaction is done; some answers carry it as
/// a `success-redirect` remediation instead of the `success` object.
pub fn success_href(state: &Value) -> Option<String> {
    state
        .pointer("/success/href")
        .and_then(Value::as_str)
        .filter(|h| !h.is_empty())
        .map(str::to_owned)
        .or_else(|| {
            remediations(state)
                .into_iter()
                .find(|r| r.name == "success-redirect" && !r.href.is_empty())
                .map(|r| r.href)
        })
}

/// The number to tap in Okta Verify.
pub fn correct_answer(state: &Value) -> Option<String> {
    match state.pointer("/currentAuthenticator/value/contextualData/correctAnswer")? {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// The `credentials` sub-field a form expects (`passcode`, or `totp` for
/// Okta Verify codes).
pub(super) fn credential_field(r: &Remediation) -> String {
    r.fields
        .iter()
        .find(|f| f.get("name").and_then(Value::as_str) == Some("credentials"))
        .and_then(|f| f.pointer("/form/value/0/name"))
        .and_then(Value::as_str)
        .unwrap_or("passcode")
        .to_string()
}

pub(super) fn has_field(r: &Remediation, name: &str) -> bool {
    r.fields
        .iter()
        .any(|f| f.get("name").and_then(Value::as_str) == Some(name))
}

/// What the current challenge is for: `(key, type)` of
/// `currentAuthenticatorEnrollment` or `currentAuthenticator`.
pub(super) fn current_authenticator(state: &Value) -> (String, String) {
    let cur = state
        .pointer("/currentAuthenticatorEnrollment/value")
        .or_else(|| state.pointer("/currentAuthenticator/value"));
    let get = |k: &str| {
        cur.and_then(|c| c.get(k))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let method = cur
        .and_then(|c| c.pointer("/methods/0/type"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let key = normalize_key(&get("key"));
    let kind = get("type");
    (key, if method.is_empty() { kind } else { method })
}

/// An authenticator key as Okta's own clients compare it: `okta_verify`,
/// also when written `okta-verify` or `Okta_Verify` (seen in SDK samples
/// and third-party fixtures).
pub(super) fn normalize_key(key: &str) -> String {
    key.trim().to_ascii_lowercase().replace('-', "_")
}

/// Follow a JSONPath-like `$.authenticatorEnrollments.value[0]`.
pub(super) fn resolve<'a>(state: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = state;
    for part in path.strip_prefix("$.")?.split('.') {
        let (name, index) = match part.split_once('[') {
            Some((n, rest)) => (n, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        cur = cur.get(name)?;
        if let Some(i) = index {
            cur = cur.get(i)?;
        }
    }
    Some(cur)
}

/// Where to poll: the `challenge-poll` remediation, or the `poll` form
/// Okta puts under `currentAuthenticator(Enrollment).value`.
pub(super) fn poll_remediation(state: &Value) -> Option<Remediation> {
    if let Some(r) = remediations(state)
        .into_iter()
        .find(|r| r.name == "challenge-poll")
    {
        return Some(r);
    }
    [
        "/currentAuthenticator/value/poll",
        "/currentAuthenticatorEnrollment/value/poll",
    ]
    .iter()
    .find_map(|p| state.pointer(p))
    .and_then(|r| {
        Some(Remediation {
            name: "poll".into(),
            href: r.get("href")?.as_str()?.to_string(),
            fields: Vec::new(),
            refresh_ms: r.get("refresh").and_then(Value::as_u64),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_messages_success_and_number() {
        let st = json!({"messages": {"value": [{"message": "Password is incorrect", "i18n": {"key": "incorrectPassword"}, "class": "ERROR"}]},
            "success": {"name": "success-redirect", "href": "https://o/login/token/redirect?stateToken=x"},
            "currentAuthenticator": {"value": {"contextualData": {"correctAnswer": 42}}}});
        assert_eq!(
            messages(&st),
            vec![Message {
                text: "Password is incorrect".into(),
                key: "incorrectPassword".into(),
                error: true
            }]
        );
        assert_eq!(
            success_href(&st).as_deref(),
            Some("https://o/login/token/redirect?stateToken=x")
        );
        assert_eq!(correct_answer(&st).as_deref(), Some("42"));
    }

    #[test]
    fn success_as_a_remediation_and_key_spellings() {
        let st = json!({"remediation": {"value": [{"name": "success-redirect",
            "href": "https://o/login/token/redirect?stateToken=y", "value": []}]}});
        assert_eq!(
            success_href(&st).as_deref(),
            Some("https://o/login/token/redirect?stateToken=y")
        );
        let st = json!({"currentAuthenticator": {"value": {"key": "okta-verify", "type": "app",
            "methods": [{"type": "push"}]}}});
        assert_eq!(
            current_authenticator(&st),
            ("okta_verify".to_string(), "push".to_string())
        );
    }

    #[test]
    fn requests_use_okta_ion_media_type() {
        let r = request("https://o/idp/idx/introspect", &json!({"stateToken": "t"}));
        let ct: Vec<_> = r
            .headers
            .iter()
            .filter(|(k, _)| {
                k.eq_ignore_ascii_case("content-type") || k.eq_ignore_ascii_case("accept")
            })
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(ct, [ION, ION]);
        assert_eq!(ION, "application/ion+json; okta-version=1.0.0");
    }

    #[test]
    fn field_level_messages_count_too() {
        let st = json!({"remediation": {"value": [{"name": "identify", "href": "h", "value": [
            {"name": "credentials", "form": {"value": [{"name": "passcode",
                "messages": {"value": [{"message": "Password is incorrect", "class": "ERROR"}]}}]}}]}]}});
        let m = messages(&st);
        assert_eq!(m.len(), 1);
        assert!(m[0].error && m[0].text == "Password is incorrect");
    }

    #[test]
    fn credential_field_follows_the_form() {
        let r = Remediation {
            name: "challenge-authenticator".into(),
            href: "h".into(),
            fields: vec![json!({"name": "credentials", "form": {"value": [{"name": "totp"}]}})],
            refresh_ms: None,
        };
        assert_eq!(credential_field(&r), "totp");
    }
}
