//! The authenticators a `select-authenticator-authenticate` form offers,
//! named like `--mfa-factor` values, and the choice rules (named factor,
//! menu, no-terminal rules).

use plugin_api::{ErrorKind, PluginError};
use serde_json::{Map, Value};

use super::wire::{resolve, Remediation};
use crate::browser_only::needs_browser;
use crate::factors::{Kind, Wanted};
use crate::Ctx;

/// One way to verify the user offered by `select-authenticator-authenticate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub kind: Kind,
    /// `okta`, `google`, ... for codes.
    pub provider: String,
    pub label: String,
    pub is_password: bool,
    /// The `authenticator` object to post.
    pub body: Map<String, Value>,
    /// For unsupported ones: what to call it.
    pub unsupported: Option<String>,
}

/// Every (authenticator, method) pair of a select form.
pub fn choices(state: &Value, r: &Remediation) -> Vec<Choice> {
    let options = r
        .fields
        .iter()
        .find(|f| f.get("name").and_then(Value::as_str) == Some("authenticator"))
        .and_then(|f| f.get("options"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    options
        .iter()
        .flat_map(|opt| {
            let fields = opt
                .pointer("/value/form/value")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            option_choices(state, opt, &fields, None)
        })
        .collect()
}

/// The methods an `authenticator-verification-data` form asks to pick
/// from (Phone: SMS or voice; Email; Okta Verify push/totp): its
/// `authenticator` field carries `form.value` itself, not `options`
/// (okta-signin-widget mocks authenticator-verification-data-*.json).
pub fn verification_data_choices(state: &Value, r: &Remediation) -> Vec<Choice> {
    let Some(field) = r
        .fields
        .iter()
        .find(|f| f.get("name").and_then(Value::as_str) == Some("authenticator"))
    else {
        return Vec::new();
    };
    let fields = field
        .pointer("/form/value")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let (current, _) = super::wire::current_authenticator(state);
    option_choices(
        state,
        field,
        &fields,
        Some(current).filter(|k| !k.is_empty()),
    )
}

/// One choice per method of one authenticator option. Its key is
/// `known_key` when the state says which authenticator this is about,
/// else where `relatesTo` points (a JSONPath into `authenticators` or
/// `authenticatorEnrollments`), else guessed from its label.
fn option_choices(
    state: &Value,
    opt: &Value,
    fields: &[Value],
    known_key: Option<String>,
) -> Vec<Choice> {
    let label = opt
        .get("label")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let key = known_key
        .or_else(|| {
            opt.get("relatesTo")
                .and_then(Value::as_str)
                .and_then(|p| resolve(state, p))
                .and_then(|a| a.get("key").and_then(Value::as_str))
                .map(super::wire::normalize_key)
        })
        .unwrap_or_else(|| key_from_label(&label));
    let mut fixed = Map::new();
    let mut methods: Vec<String> = Vec::new();
    for f in fields {
        let name = f.get("name").and_then(Value::as_str).unwrap_or_default();
        if name == "methodType" {
            if let Some(v) = f.get("value").and_then(Value::as_str) {
                methods.push(v.to_string());
            }
            for o in f
                .get("options")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(v) = o.get("value").and_then(Value::as_str) {
                    methods.push(v.to_string());
                }
            }
        } else if let Some(v) = f.get("value") {
            if !name.is_empty() {
                fixed.insert(name.to_string(), v.clone());
            }
        }
    }
    if methods.is_empty() {
        methods.push(String::new());
    }
    methods
        .into_iter()
        .map(|method| {
            let mut body = fixed.clone();
            if !method.is_empty() {
                body.insert("methodType".into(), Value::String(method.clone()));
            }
            classify_choice(&key, &method, &label, body)
        })
        .collect()
}

pub(super) fn key_from_label(label: &str) -> String {
    let l = label.to_ascii_lowercase();
    if l.contains("okta verify") {
        "okta_verify"
    } else if l.contains("google") {
        "google_otp"
    } else if l.contains("password") {
        "okta_password"
    } else if l.contains("email") {
        "okta_email"
    } else if l.contains("phone") {
        "phone_number"
    } else {
        ""
    }
    .to_string()
}

pub(super) fn classify_choice(
    key: &str,
    method: &str,
    label: &str,
    body: Map<String, Value>,
) -> Choice {
    let base = |kind: Kind, provider: &str, label: String| Choice {
        kind,
        provider: provider.to_string(),
        label,
        is_password: false,
        body: body.clone(),
        unsupported: None,
    };
    let unsupported = |name: &str| Choice {
        unsupported: Some(name.to_string()),
        ..base(Kind::Unsupported, "", name.to_string())
    };
    match (key, method) {
        ("okta_password", _) | (_, "password") => Choice {
            is_password: true,
            ..base(Kind::Unsupported, "", "password".into())
        },
        ("okta_verify", "push") => base(Kind::Push, "okta", "Okta Verify push".into()),
        ("okta_verify", "totp") => base(Kind::Totp, "okta", "Okta Verify code".into()),
        ("okta_verify", "signed_nonce") => unsupported("Okta FastPass"),
        ("google_otp", _) => base(Kind::Totp, "google", "Google Authenticator code".into()),
        ("phone_number", "sms") => base(Kind::Sms, "okta", "SMS code".into()),
        ("phone_number", "voice") => base(Kind::Call, "okta", "voice call code".into()),
        ("okta_email", _) => base(Kind::Email, "okta", "email code".into()),
        ("webauthn", _) => unsupported("WebAuthn (security key or biometric)"),
        ("duo", _) => unsupported("Duo Security"),
        ("security_question", _) => unsupported("security question"),
        ("smart_card_idp", _) => unsupported("smart card (PIV)"),
        ("external_idp", _) => unsupported(&format!("external IdP '{label}'")),
        _ => unsupported(if label.is_empty() { key } else { label }),
    }
}

/// Whether the user's settings accept the authenticator Okta chose itself.
pub(super) fn wanted_here(ctx: &Ctx, cur: &Choice) -> bool {
    if cur.kind == Kind::Unsupported {
        return true; // not ours to judge: the server's form decides
    }
    match ctx
        .req
        .mfa
        .factor
        .as_deref()
        .filter(|f| !f.trim().is_empty())
    {
        Some(raw) => Wanted::parse(raw).is_ok_and(|w| {
            w.kind == cur.kind && w.provider.as_ref().is_none_or(|p| *p == cur.provider)
        }),
        None => ctx.req.interactive || ctx.req.mfa.code_source || !cur.kind.needs_code(),
    }
}

/// Pick an authenticator by `--mfa-factor`, a menu, or the no-terminal rules.
pub fn choose(ctx: &Ctx, all: &[Choice]) -> Result<Choice, PluginError> {
    let req = ctx.req;
    let usable: Vec<&Choice> = all.iter().filter(|c| c.kind != Kind::Unsupported).collect();
    let offered = || {
        all.iter()
            .map(|c| c.label.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(raw) = req.mfa.factor.as_deref().filter(|s| !s.trim().is_empty()) {
        let wanted = Wanted::parse(raw)?;
        // `totp` alone: Okta Verify's code when enrolled, else Google's.
        let mut matching: Vec<&Choice> = usable
            .iter()
            .copied()
            .filter(|c| {
                c.kind == wanted.kind && wanted.provider.as_ref().is_none_or(|p| *p == c.provider)
            })
            .collect();
        matching.sort_by_key(|c| c.provider != "okta");
        let c = matching.first().copied().ok_or_else(|| {
            PluginError::config(format!(
                "--mfa-factor {raw}: Okta does not offer that authenticator here; it offers {}",
                offered()
            ))
            .with_hint("pass one of push, totp, totp:okta, totp:google, sms, call, email, or leave --mfa-factor out to be asked")
        })?;
        if c.kind.needs_code() && !req.interactive && !req.mfa.code_source {
            return Err(PluginError::new(
                ErrorKind::NoTerminal,
                format!(
                    "the {} needs a code, and there is no terminal to type it",
                    c.label
                ),
            )
            .with_hint("set --mfa-code-command to supply codes, or use --mfa-factor push"));
        }
        return Ok(c.clone());
    }
    if usable.is_empty() {
        let names: Vec<String> = all.iter().filter_map(|c| c.unsupported.clone()).collect();
        return Err(needs_browser(
            format!(
                "Okta asks for {}, which the okta provider cannot verify without a browser",
                if names.is_empty() { offered() } else { names.join(", ") }
            ),
            "enroll Okta Verify (push or code), an authenticator app, SMS, voice or email, or use the device flow (--plugin-option client-id=...)",
        ));
    }
    if req.interactive {
        if usable.len() == 1 {
            return Ok(usable[0].clone());
        }
        let labels: Vec<String> = usable.iter().map(|c| c.label.clone()).collect();
        let i = ctx.host.choose("Choose how to verify with Okta", &labels)?;
        return usable
            .get(i)
            .map(|c| (*c).clone())
            .ok_or_else(|| PluginError::new(ErrorKind::Cancelled, "no authenticator was chosen"));
    }
    if let Some(push) = usable.iter().find(|c| c.kind == Kind::Push) {
        return Ok((*push).clone());
    }
    if req.mfa.code_source {
        if let Some(c) = usable.iter().find(|c| c.kind == Kind::Totp) {
            return Ok((*c).clone());
        }
        return Ok(usable[0].clone());
    }
    Err(PluginError::new(
        ErrorKind::NoTerminal,
        format!(
            "Okta asks for a code ({}), and there is no terminal to choose or type it",
            offered()
        ),
    )
    .with_hint(
        "set --mfa-code-command (e.g. with --mfa-factor totp), or enroll Okta Verify and use push",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::idx::wire::remediations;
    use serde_json::json;

    fn select_state() -> Value {
        json!({
            "stateHandle": "02x",
            "remediation": {"type": "array", "value": [{
                "name": "select-authenticator-authenticate", "href": "https://o/idp/idx/challenge",
                "value": [{"name": "authenticator", "type": "object", "options": [
                    {"label": "Okta Verify", "relatesTo": "$.authenticatorEnrollments.value[0]",
                     "value": {"form": {"value": [
                        {"name": "id", "value": "aut1", "required": true},
                        {"name": "methodType", "options": [
                            {"label": "Use Okta FastPass", "value": "signed_nonce"},
                            {"label": "Get a push notification", "value": "push"},
                            {"label": "Enter a code", "value": "totp"}]}]}}},
                    {"label": "Phone", "relatesTo": "$.authenticatorEnrollments.value[1]",
                     "value": {"form": {"value": [
                        {"name": "id", "value": "aut2"},
                        {"name": "methodType", "options": [{"value": "sms"}, {"value": "voice"}]},
                        {"name": "enrollmentId", "value": "pae2"}]}}},
                    {"label": "Security Key or Biometric", "relatesTo": "$.authenticatorEnrollments.value[2]",
                     "value": {"form": {"value": [{"name": "id", "value": "aut3"}, {"name": "methodType", "value": "webauthn"}]}}}
                ]}, {"name": "stateHandle", "value": "02x"}]
            }]},
            "authenticatorEnrollments": {"type": "array", "value": [
                {"key": "okta_verify", "type": "app"}, {"key": "phone_number", "type": "phone"},
                {"key": "webauthn", "type": "security_key"}]}
        })
    }

    #[test]
    fn select_form_expands_to_one_choice_per_method() {
        let st = select_state();
        let r = remediations(&st);
        assert_eq!(r.len(), 1);
        let c = choices(&st, &r[0]);
        let kinds: Vec<Kind> = c.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::Unsupported,
                Kind::Push,
                Kind::Totp,
                Kind::Sms,
                Kind::Call,
                Kind::Unsupported
            ]
        );
        assert_eq!(c[0].unsupported.as_deref(), Some("Okta FastPass"));
        assert_eq!(
            Value::Object(c[1].body.clone()),
            json!({"id": "aut1", "methodType": "push"})
        );
        assert_eq!(
            Value::Object(c[3].body.clone()),
            json!({"id": "aut2", "methodType": "sms", "enrollmentId": "pae2"})
        );
        assert!(c[5].label.contains("WebAuthn"));
    }
}
