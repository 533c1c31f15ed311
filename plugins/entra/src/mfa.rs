//! The second factor on `ConvergedTFA` (BeginAuth, EndAuth polled or
//! with the code, then ProcessAuth, as saml2aws's captured BeginAuth.json
//! / EndAuth.json show).

use std::time::{Duration, Instant};

use plugin_api::{ErrorKind, Host, PluginError};
use plugin_kit::browser::Loaded;
use plugin_kit::html::Page;
use plugin_kit::walk::{Sends, Tab};
use serde_json::{json, Value};

use crate::browser_only::needs_browser;
use crate::config::{Config, Proof};
use crate::errors;
use crate::state::State;
use crate::web::{self, headers};

/// `--mfa-factor` names and the Entra method ids they pick.
const FACTORS: &[(&str, &str)] = &[
    ("push", "PhoneAppNotification"),
    ("totp", "PhoneAppOTP"),
    ("sms", "OneWaySMS"),
    ("call", "TwoWayVoiceMobile"),
];

/// Methods this client can complete.
const SUPPORTED: &[&str] = &[
    "PhoneAppNotification",
    "CompanionAppsNotification",
    "PhoneAppOTP",
    "SoftwareTokenOTP",
    "HardwareTokenOTP",
    "OneWaySMS",
    "TwoWayVoiceMobile",
    "TwoWayVoiceAlternateMobile",
    "TwoWayVoiceOffice",
];

/// Poll bounds: Entra asks for ~1-5 s; never hammer, never sleep long.
const MIN_POLL: Duration = Duration::from_millis(50);
const MAX_POLL: Duration = Duration::from_secs(10);
const DEFAULT_POLL: Duration = Duration::from_secs(1);

fn is_push(method: &str) -> bool {
    matches!(method, "PhoneAppNotification" | "CompanionAppsNotification")
}

fn is_call(method: &str) -> bool {
    method.starts_with("TwoWayVoice")
}

fn unsupported_name(method: &str) -> Option<&'static str> {
    let m = method.to_ascii_lowercase();
    if m.contains("fido") {
        Some("FIDO2 security keys")
    } else if m.contains("cert") || m.contains("x509") {
        Some("certificate-based authentication")
    } else if m.contains("ngc") || m.contains("passwordless") || m.contains("remoteconnect") {
        Some("passwordless phone sign-in")
    } else {
        None
    }
}

/// The method to use: `--mfa-factor`, else the one marked default, else
/// the first one we support.
fn choose<'a>(proofs: &'a [Proof], factor: Option<&str>) -> Result<&'a Proof, PluginError> {
    let offered = || {
        proofs
            .iter()
            .map(|p| p.auth_method_id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(f) = factor.map(|f| f.trim()).filter(|f| !f.is_empty()) {
        let base = f.split(':').next().unwrap_or(f).to_ascii_lowercase();
        let wanted = FACTORS
            .iter()
            .find(|(k, _)| *k == base)
            .map(|(_, m)| *m)
            .unwrap_or(f);
        let found = proofs.iter().find(|p| {
            p.auth_method_id.eq_ignore_ascii_case(wanted)
                || (wanted == "TwoWayVoiceMobile" && is_call(&p.auth_method_id))
        });
        return found.ok_or_else(|| {
            PluginError::config(format!(
                "--mfa-factor {f}: Entra ID does not offer {wanted} for this account (it offers {})",
                offered()
            ))
            .with_hint("use --mfa-factor push, totp, sms or call")
        });
    }
    let supported = |p: &&Proof| SUPPORTED.contains(&p.auth_method_id.as_str());
    if let Some(p) = proofs.iter().filter(supported).find(|p| p.is_default) {
        return Ok(p);
    }
    if let Some(p) = proofs.iter().find(supported) {
        return Ok(p);
    }
    let names: Vec<&str> = proofs
        .iter()
        .filter_map(|p| unsupported_name(&p.auth_method_id))
        .collect();
    let what = if names.is_empty() {
        format!("methods this client does not know ({})", offered())
    } else {
        names.join(", ")
    };
    Err(needs_browser(
        format!("Entra ID asks for a second factor by {what}, which this client does not support"),
        "register Microsoft Authenticator (push or code), SMS or a phone call for your account",
    ))
}

/// Answer `ConvergedTFA`; returns the page after ProcessAuth.
pub(crate) fn answer(
    state: &mut State<'_>,
    tab: &mut Tab<'_>,
    page: &Page,
    config: &Config,
) -> Result<Loaded, PluginError> {
    let host = tab.host();
    let factor = state.request.mfa.factor.clone();
    let proof = choose(&config.proofs, factor.as_deref())?.clone();
    let method = proof.auth_method_id.as_str();
    host.debug(&format!("second factor: {method}"));
    let begin_url = web::resolve(page, &config.url_begin_auth, "urlBeginAuth")?;
    let end_url = web::resolve(page, &config.url_end_auth, "urlEndAuth")?;
    let process = if config.url_process_auth.is_empty() {
        &config.url_post
    } else {
        &config.url_process_auth
    };
    let process_url = web::resolve(page, process, "urlProcessAuth")?;
    let hdrs = headers(config, page);

    let begun = state.web.post_json(
        &begin_url,
        &json!({
            "AuthMethodId": method,
            "Method": "BeginAuth",
            // The sign-in page's script sends `ctx`/`flowToken`; saml2aws
            // and other clients send `Ctx`/`FlowToken`. Same values, both
            // spellings, so either kind of server reads them.
            "ctx": config.ctx,
            "flowToken": config.flow_token,
            "Ctx": config.ctx,
            "FlowToken": config.flow_token,
        }),
        &hdrs,
    )?;
    let mut mfa = MfaState::from(&begun, config);
    for s in [&mfa.ctx, &mfa.flow_token] {
        host.add_secret(s);
    }
    if !bool_of(&begun, "Success") {
        let result = str_of(&begun, "ResultValue");
        return Err(errors::from_mfa_result(&result, method));
    }

    let mut code = None;
    let mut number_shown = false;
    if is_push(method) {
        let entropy = entropy_of(&begun);
        if entropy > 0 {
            show_number(host, entropy);
            number_shown = true;
        } else {
            host.notify("Entra ID: approve the sign-in request in Microsoft Authenticator");
        }
    } else if is_call(method) {
        host.notify(&format!(
            "Entra ID is calling {}: answer and press # to approve",
            if proof.display.is_empty() {
                "your phone"
            } else {
                &proof.display
            }
        ));
    } else {
        let prompt = match method {
            "OneWaySMS" => format!(
                "Entra ID verification code sent by SMS to {}: ",
                if proof.display.is_empty() {
                    "your phone"
                } else {
                    &proof.display
                }
            ),
            _ => "Entra ID verification code from your authenticator app: ".to_string(),
        };
        let c = host.mfa_code(&prompt)?;
        if c.expose().is_empty() {
            return Err(PluginError::new(
                ErrorKind::Cancelled,
                "no verification code entered",
            ));
        }
        host.add_secret(c.expose());
        code = Some(c);
    }

    let timeout = Duration::from_secs(state.request.mfa.timeout_secs.max(1));
    let interval = config
        .poll_interval_ms(method)
        .map(Duration::from_millis)
        .unwrap_or(DEFAULT_POLL)
        .clamp(MIN_POLL, MAX_POLL);
    let started = Instant::now();
    let max_polls = (timeout.as_millis() / interval.as_millis().max(1)) as u64 + 1;
    let mut polls = 0u64;
    loop {
        polls += 1;
        let mut body = json!({
            "AuthMethodId": method,
            "Method": "EndAuth",
            "Ctx": mfa.ctx,
            "FlowToken": mfa.flow_token,
            "ctx": mfa.ctx,
            "flowToken": mfa.flow_token,
            "SessionId": mfa.session_id,
            "PollCount": polls,
        });
        if let Some(c) = &code {
            body["AdditionalAuthData"] = Value::String(c.expose().clone());
        }
        let ended = state.web.post_json(&end_url, &body, &hdrs)?;
        mfa.update(&ended);
        if is_push(method) && !number_shown && entropy_of(&ended) > 0 {
            // Some servers send the number with the first poll instead.
            show_number(host, entropy_of(&ended));
            number_shown = true;
        }
        for s in [&mfa.ctx, &mfa.flow_token] {
            host.add_secret(s);
        }
        if bool_of(&ended, "Success") {
            break;
        }
        let result = str_of(&ended, "ResultValue");
        let pending = still_pending(&result, bool_of(&ended, "Retry"));
        if code.is_some() || !pending {
            return Err(errors::from_mfa_result(
                if result.is_empty() { "Failed" } else { &result },
                method,
            ));
        }
        // Bounded by the clock and by the number of polls that fit in the
        // timeout (a host whose sleep returns early cannot make us spin).
        if started.elapsed() + interval > timeout || polls >= max_polls {
            return Err(PluginError::new(
                ErrorKind::MfaTimeout,
                format!(
                    "Entra ID: the {method} request was not approved within {} s",
                    timeout.as_secs()
                ),
            )
            .with_hint("approve it faster, or raise --mfa-timeout"));
        }
        host.sleep(interval)?;
    }

    let push_type = if is_push(method) { "22" } else { "18" };
    let mut fields: Vec<(String, String)> = vec![
        ("type".into(), push_type.into()),
        ("GeneralVerify".into(), "false".into()),
        ("request".into(), mfa.ctx.clone()),
        ("mfaAuthMethod".into(), method.to_string()),
        ("canary".into(), config.canary.clone()),
        ("rememberMFA".into(), "false".into()),
        ("hpgrequestid".into(), config.session_id.clone()),
        (
            config.flow_token_field().to_string(),
            mfa.flow_token.clone(),
        ),
        (
            "login".into(),
            if config.post_username.is_empty() {
                state.username.clone()
            } else {
                config.post_username.clone()
            },
        ),
    ];
    if let Some(c) = &code {
        fields.push(("otc".into(), c.expose().clone()));
    }
    tab.post(&process_url, &fields, Sends::Secrets)
}

/// Whether an EndAuth answer means "keep polling": pending, or `Retry`
/// with a result that is not a failure (a denial with `Retry` set must
/// not turn into a timeout).
fn still_pending(result: &str, retry: bool) -> bool {
    if result.is_empty() || result.eq_ignore_ascii_case("AuthenticationPending") {
        return true;
    }
    let failed = [
        "Fail",
        "Denied",
        "NoResponse",
        "Incorrect",
        "Invalid",
        "Fraud",
        "Duplicate",
    ]
    .iter()
    .any(|w| result.contains(w));
    retry && !failed
}

/// The number to enter in Authenticator (number matching), 0 when none.
fn entropy_of(v: &Value) -> u64 {
    match field(v, "Entropy") {
        Some(Value::Number(n)) => n.as_u64().unwrap_or(0),
        Some(Value::String(s)) => s.trim().parse().unwrap_or(0),
        _ => 0,
    }
}

/// Show the number on the terminal (stderr is swallowed by AWS clients).
fn show_number(host: &Host, entropy: u64) {
    host.notify(&format!(
        "Entra ID: open Microsoft Authenticator and enter the number {entropy} to approve the sign-in"
    ));
}

/// The flow state the MFA calls carry forward.
struct MfaState {
    ctx: String,
    flow_token: String,
    session_id: String,
}

/// A field of a BeginAuth/EndAuth answer. Entra spells them in
/// PascalCase (`Success`, `ResultValue`, `Entropy`, as in saml2aws's
/// BeginAuth.json/EndAuth.json captures); another casing of the same name
/// is accepted so a proxy or a newer server that lower-cases them still
/// works.
fn field<'a>(v: &'a Value, k: &str) -> Option<&'a Value> {
    v.get(k).or_else(|| {
        v.as_object()?
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(k))
            .map(|(_, x)| x)
    })
}

fn str_of(v: &Value, k: &str) -> String {
    field(v, k)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

fn bool_of(v: &Value, k: &str) -> bool {
    match field(v, k) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

impl MfaState {
    fn from(v: &Value, config: &Config) -> MfaState {
        let or = |k: &str, d: &str| {
            let s = str_of(v, k);
            if s.is_empty() {
                d.to_string()
            } else {
                s
            }
        };
        MfaState {
            ctx: or("Ctx", &config.ctx),
            flow_token: or("FlowToken", &config.flow_token),
            session_id: or("SessionId", &config.session_id),
        }
    }

    fn update(&mut self, v: &Value) {
        for (k, slot) in [
            ("Ctx", &mut self.ctx),
            ("FlowToken", &mut self.flow_token),
            ("SessionId", &mut self.session_id),
        ] {
            let s = str_of(v, k);
            if !s.is_empty() {
                *slot = s;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proof(id: &str, default: bool) -> Proof {
        Proof {
            auth_method_id: id.into(),
            display: String::new(),
            is_default: default,
        }
    }

    #[test]
    fn answer_fields_in_any_case() {
        let v = serde_json::json!({"success": "true", "resultValue": "PhoneAppDenied", "entropy": "42", "Retry": false});
        assert!(bool_of(&v, "Success"));
        assert_eq!(str_of(&v, "ResultValue"), "PhoneAppDenied");
        assert_eq!(entropy_of(&v), 42);
        assert!(!bool_of(&v, "Retry"));
        let v = serde_json::json!({"Success": false, "ResultValue": "Success"});
        assert!(!bool_of(&v, "Success"));
    }

    #[test]
    fn pending_results() {
        assert!(still_pending("AuthenticationPending", false));
        assert!(still_pending("", true));
        assert!(still_pending("SomethingNew", true));
        assert!(!still_pending("PhoneAppDenied", true));
        assert!(!still_pending("SMSAuthFailedWrongCodeEntered", true));
        assert!(!still_pending("PhoneAppNoResponse", false));
    }

    #[test]
    fn picks_factor_default_or_first_supported() {
        let proofs = vec![
            proof("OneWaySMS", false),
            proof("PhoneAppNotification", true),
            proof("PhoneAppOTP", false),
            proof("TwoWayVoiceMobile", false),
        ];
        assert_eq!(
            choose(&proofs, None).unwrap().auth_method_id,
            "PhoneAppNotification"
        );
        assert_eq!(
            choose(&proofs, Some("totp")).unwrap().auth_method_id,
            "PhoneAppOTP"
        );
        assert_eq!(
            choose(&proofs, Some("sms")).unwrap().auth_method_id,
            "OneWaySMS"
        );
        assert_eq!(
            choose(&proofs, Some("call")).unwrap().auth_method_id,
            "TwoWayVoiceMobile"
        );
        assert_eq!(
            choose(&proofs, Some("push")).unwrap().auth_method_id,
            "PhoneAppNotification"
        );
        let only_sms = vec![proof("OneWaySMS", true)];
        let e = choose(&only_sms, Some("push")).unwrap_err();
        assert!(
            e.message.contains("does not offer PhoneAppNotification"),
            "{}",
            e.message
        );
        let fido = vec![proof("FidoKey", true)];
        let e = choose(&fido, None).unwrap_err();
        assert_eq!(e.kind, ErrorKind::BrowserRequired);
        assert!(e.message.contains("FIDO2"), "{}", e.message);
        let fido_then_sms = vec![proof("FidoKey", true), proof("OneWaySMS", false)];
        assert_eq!(
            choose(&fido_then_sms, None).unwrap().auth_method_id,
            "OneWaySMS"
        );
    }
}
