//! The `$Config={...};` object Entra's sign-in pages carry their state in
//! (flow token, URLs to post to, page id, error code, MFA methods).
//!
//! It is a JavaScript object literal that is JSON in practice; we cut it out
//! by matching braces outside strings, so the `;`, `//]]>` or code that
//! follows it (saml2aws's fixtures have all three) do not matter.

use std::collections::BTreeMap;

use plugin_kit::html::Page;
use serde::Deserialize;
use serde_json::Value;

/// One MFA method of `arrUserProofs`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct Proof {
    pub auth_method_id: String,
    pub display: String,
    pub is_default: bool,
}

/// The fields of `$Config` this plugin uses (all optional: pages differ).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Config {
    pub pgid: String,
    #[serde(rename = "urlPost")]
    pub url_post: String,
    #[serde(rename = "urlGetCredentialType")]
    pub url_get_credential_type: String,
    #[serde(rename = "urlBeginAuth")]
    pub url_begin_auth: String,
    #[serde(rename = "urlEndAuth")]
    pub url_end_auth: String,
    #[serde(rename = "urlProcessAuth")]
    pub url_process_auth: String,
    #[serde(rename = "urlSkipMfaRegistration")]
    pub url_skip_mfa_registration: String,
    #[serde(rename = "sFT")]
    pub flow_token: String,
    #[serde(rename = "sFTName")]
    pub flow_token_name: String,
    #[serde(rename = "sCtx")]
    pub ctx: String,
    pub canary: String,
    #[serde(rename = "apiCanary")]
    pub api_canary: String,
    #[serde(rename = "correlationId")]
    pub correlation_id: String,
    #[serde(rename = "sessionId")]
    pub session_id: String,
    pub hpgact: Value,
    pub hpgid: Value,
    #[serde(rename = "sErrorCode")]
    pub error_code: Value,
    #[serde(rename = "sErrTxt")]
    pub error_text: Value,
    /// The numeric code of a `ConvergedError` page (AADInternals and
    /// MinecraftAuth read it with `strServiceExceptionMessage`).
    #[serde(rename = "iErrorCode")]
    pub numeric_error_code: Value,
    /// Entra's own words for a service-side refusal ("AADSTS53003: Access
    /// has been blocked by Conditional Access policies..."); AADInternals
    /// treats any page carrying it as a severe error.
    #[serde(rename = "strServiceExceptionMessage")]
    pub service_exception: Value,
    #[serde(rename = "arrUserProofs")]
    pub proofs: Vec<Proof>,
    #[serde(rename = "oPerAuthPollingInterval")]
    pub polling_intervals: BTreeMap<String, Value>,
    #[serde(rename = "iPollingInterval")]
    pub polling_interval_ms: Value,
    #[serde(rename = "sPOST_Username")]
    pub post_username: String,
}

/// A JSON scalar as text (`"50126"` and `50126` both read `50126`).
pub fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl Config {
    /// The page's error code (`sErrorCode`), if any.
    pub fn error_code(&self) -> Option<String> {
        scalar(&self.error_code).filter(|c| c != "0")
    }

    /// The page's error text (`sErrTxt`), if any.
    pub fn error_text(&self) -> Option<String> {
        scalar(&self.error_text)
    }

    /// `iErrorCode`, if any and not 0.
    pub fn numeric_error_code(&self) -> Option<String> {
        scalar(&self.numeric_error_code).filter(|c| c != "0")
    }

    /// `strServiceExceptionMessage`, if any.
    pub fn service_exception(&self) -> Option<String> {
        scalar(&self.service_exception)
    }

    /// The flow token's form field name (`flowToken` unless the page says).
    pub fn flow_token_field(&self) -> &str {
        if self.flow_token_name.is_empty() {
            "flowToken"
        } else {
            &self.flow_token_name
        }
    }

    /// The polling interval for `method`, in milliseconds.
    pub fn poll_interval_ms(&self, method: &str) -> Option<u64> {
        let secs = self
            .polling_intervals
            .get(method)
            .and_then(Value::as_f64)
            .filter(|s| s.is_finite() && *s >= 0.0);
        match secs {
            Some(s) => Some((s * 1000.0) as u64),
            None => self
                .polling_interval_ms
                .as_f64()
                .map(|ms| ms.max(0.0) as u64),
        }
    }
}

/// The JSON text of `$Config` in `script`, if it has one. Every mention
/// is tried in turn: Entra's larger scripts read `$Config.x` or test
/// `window.$Config` before (or after) the assignment.
pub fn extract_config(script: &str) -> Option<&str> {
    script
        .match_indices("$Config")
        .find_map(|(at, name)| assigned_object(&script[at + name.len()..]))
}

/// The `{...}` object assigned right after a name (`= {...}`), if any.
fn assigned_object(rest: &str) -> Option<&str> {
    let after = rest.trim_start().strip_prefix('=')?;
    if after.starts_with('=') {
        return None; // a comparison
    }
    let body = after.trim_start();
    if !body.starts_with('{') {
        return None;
    }
    let (mut depth, mut in_str, mut escaped) = (0usize, false, false);
    for (i, c) in body.char_indices() {
        if in_str {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&body[..=i]);
                }
            }
            _ => {}
        }
    }
    None
}

/// `$Config` text as a [`Config`]. Entra writes `null` for many absent
/// values (`"sErrTxt":null`, `"arrUserProofs":null`, a proof's
/// `"display":null`); those read as absent, so one null never costs the
/// whole page its flow token.
fn parse_config(text: &str) -> Config {
    let Ok(mut v) = serde_json::from_str::<Value>(text) else {
        return Config::default();
    };
    drop_nulls(&mut v, 0);
    serde_json::from_value(v).unwrap_or_default()
}

fn drop_nulls(v: &mut Value, depth: usize) {
    if depth > 3 {
        return;
    }
    match v {
        Value::Object(map) => {
            map.retain(|_, x| !x.is_null());
            map.values_mut().for_each(|x| drop_nulls(x, depth + 1));
        }
        Value::Array(items) => items.iter_mut().for_each(|x| drop_nulls(x, depth + 1)),
        _ => {}
    }
}

/// A page id for a `$Config` that names none, from its fields (as
/// saml2aws tells pages apart by the names in their text).
fn infer_page_id(config: &Config, text: &str) -> String {
    const IDS: &[&str] = &[
        "ConvergedChangePassword",
        "ConvergedProofUpRedirect",
        "ConvergedTFA",
        "KmsiInterrupt",
        "ConvergedSignIn",
    ];
    if let Some(id) = IDS.iter().find(|id| text.contains(*id)) {
        return (*id).to_string();
    }
    if !config.url_begin_auth.is_empty() || !config.proofs.is_empty() {
        "ConvergedTFA".into()
    } else if !config.url_get_credential_type.is_empty() {
        "ConvergedSignIn".into()
    } else {
        String::new()
    }
}

/// The page's `$Config`, parsed; `None` when the page has none. A page
/// with a `$Config` we cannot parse reads as an empty one with the page id
/// from `<meta name="PageID">`, so it is still named in errors.
pub fn page_config(page: &Page) -> Option<Config> {
    let meta_id = page.attr_of("meta[name=PageID]", "content");
    let scripts = page.scripts();
    let text = scripts.iter().find_map(|s| extract_config(s));
    let mut config = match text {
        Some(t) => parse_config(t),
        None if meta_id.is_some() => Config::default(),
        None => return None,
    };
    if config.pgid.is_empty() {
        config.pgid = meta_id
            .filter(|m| !m.trim().is_empty())
            .unwrap_or_else(|| infer_page_id(&config, text.unwrap_or("")));
    }
    Some(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_the_object_out_of_real_page_shapes() {
        // As in saml2aws's LoginEmbeddedJson* fixtures: CDATA, trailing
        // `;`, code after it on the same line, `}` inside strings.
        let s = "//<![CDATA[\n$Config={\"a\":\"x}y\\\"z\",\"b\":{\"c\":1}};var x={};\n//]]>";
        assert_eq!(
            extract_config(s),
            Some("{\"a\":\"x}y\\\"z\",\"b\":{\"c\":1}}")
        );
        assert_eq!(
            extract_config("$Config = {\"pgid\":\"KmsiInterrupt\"}"),
            Some("{\"pgid\":\"KmsiInterrupt\"}")
        );
        assert_eq!(extract_config("ServerData = $Config;"), None);
        // Mentions before the assignment (a larger script), `==` tests.
        assert_eq!(
            extract_config(
                "if (window.$Config && $Config.iMaxStackForKnockoutAsyncComponents) {}\nif ($Config == null) {}\nvar $Config = {\"pgid\":\"ConvergedTFA\"};"
            ),
            Some("{\"pgid\":\"ConvergedTFA\"}")
        );
        assert_eq!(extract_config("$Config={\"unterminated\":"), None);
    }

    #[test]
    fn infers_missing_page_ids() {
        let page = |cfg: &str| {
            Page::parse(
                "https://login.example.test/t/saml2",
                &format!("<html><head><script>$Config={cfg};</script></head><body></body></html>"),
            )
            .unwrap()
        };
        let id = |cfg: &str| page_config(&page(cfg)).unwrap().pgid;
        assert_eq!(
            id(r#"{"urlGetCredentialType":"/x","urlPost":"/l"}"#),
            "ConvergedSignIn"
        );
        assert_eq!(
            id(r#"{"urlBeginAuth":"/b","urlPost":"/p"}"#),
            "ConvergedTFA"
        );
        assert_eq!(
            id(r#"{"urlPost":"/kmsi","x":"KmsiInterrupt"}"#),
            "KmsiInterrupt"
        );
        assert_eq!(id(r#"{"pgid":"Other","urlBeginAuth":"/b"}"#), "Other");
        assert!(page_config(&page("1")).is_none());
    }

    #[test]
    fn nulls_read_as_absent_and_unicode_escapes_unescape() {
        // Real `$Config` objects carry `null` for absent values and
        // `\u0026` in URLs (as in saml2aws's ConvergedTFA.html capture).
        let page = Page::parse(
            "https://login.example.test/common/login",
            concat!(
                "<html><head><script>//<![CDATA[\n$Config={\"pgid\":\"ConvergedTFA\",\"sErrTxt\":null,",
                "\"sFT\":\"ft1\",\"sCtx\":null,\"urlPost\":\"/common/SAS/ProcessAuth?a=1\\u0026b=2\",",
                "\"arrUserProofs\":[{\"authMethodId\":\"PhoneAppOTP\",\"display\":null,\"isDefault\":true}],",
                "\"oPerAuthPollingInterval\":null};\n//]]></script></head><body></body></html>"
            ),
        )
        .unwrap();
        let c = page_config(&page).unwrap();
        assert_eq!(c.pgid, "ConvergedTFA");
        assert_eq!(c.flow_token, "ft1");
        assert_eq!(c.url_post, "/common/SAS/ProcessAuth?a=1&b=2");
        assert_eq!(c.proofs.len(), 1);
        assert!(c.proofs[0].is_default);
    }

    #[test]
    fn reads_fields_with_either_scalar_type() {
        let c: Config = serde_json::from_str(
            r#"{"pgid":"ConvergedSignIn","sErrorCode":50126,"sFT":"ft","sFTName":"flowToken",
                "arrUserProofs":[{"authMethodId":"PhoneAppNotification","isDefault":true,"display":"+X"}],
                "oPerAuthPollingInterval":{"PhoneAppNotification":1.5},"hpgid":1104,"unknown":[1,2]}"#,
        )
        .unwrap();
        assert_eq!(c.error_code().as_deref(), Some("50126"));
        assert_eq!(c.flow_token_field(), "flowToken");
        assert_eq!(c.poll_interval_ms("PhoneAppNotification"), Some(1500));
        assert_eq!(c.poll_interval_ms("OneWaySMS"), None);
        assert!(c.proofs[0].is_default);
        let c: Config =
            serde_json::from_str(r#"{"sErrorCode":"","iPollingInterval":5000}"#).unwrap();
        assert_eq!(c.error_code(), None);
        assert_eq!(c.poll_interval_ms("x"), Some(5000));
    }
}
