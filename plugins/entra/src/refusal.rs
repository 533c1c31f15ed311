//! What an Entra page says went wrong: the error code, Entra's own words
//! and the trace id an administrator looks the sign-in up by.
//!
//! Entra reports refusals in two shapes. Sign-in pages carry `sErrorCode`
//! (often without text: Versent/saml2aws
//! `pkg/provider/aad/testdata/ConvergedSignIn.html`, mguessan/davmail
//! `src/java/davmail/exchange/auth/O365Authenticator.java`). Service-side
//! refusals come on a `ConvergedError` page whose `$Config` has
//! `iErrorCode` and `strServiceExceptionMessage` ("AADSTS53003: Access has
//! been blocked by Conditional Access policies...") and no `sErrorCode`
//! (Gerenios/AADInternals `AccessToken_utils.ps1` treats
//! `strServiceExceptionMessage` as the severe error; RaphiMC/MinecraftAuth
//! `src/main/java/net/raphimc/minecraftauth/step/msa/StepCredentialsMsaCode.java`
//! reads `iErrorCode` with it). Both are read on every page, whichever
//! step it comes after.

use crate::config::Config;

/// An error Entra reported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refusal {
    /// The AADSTS code, digits only.
    pub code: Option<String>,
    /// Entra's own text, one line, without the code prefix and the trace
    /// lines.
    pub text: Option<String>,
    /// The request's trace id (Entra's "Request Id").
    pub trace_id: Option<String>,
}

/// Codes that are not errors: 50058 = "no session yet" on the first page,
/// 16000 = account picker hint, 0 = none.
pub fn is_benign(code: &str) -> bool {
    matches!(code, "50058" | "16000" | "0")
}

/// The refusal a `$Config` page carries, if any.
pub fn of_config(config: &Config) -> Option<Refusal> {
    let exception = config.service_exception();
    let numeric = if config.pgid == "ConvergedError" || exception.is_some() {
        // Elsewhere `iErrorCode` is informational (the MFA registration
        // interrupt carries one and still offers its skip link).
        config.numeric_error_code()
    } else {
        None
    };
    let code = config
        .error_code()
        .or(numeric)
        .or_else(|| exception.as_deref().and_then(code_in_text))
        .or_else(|| config.error_text().as_deref().and_then(code_in_text))
        .filter(|c| !is_benign(c));
    if code.is_none() && exception.is_none() {
        return None;
    }
    let raw = exception.or_else(|| config.error_text());
    Some(Refusal {
        code,
        trace_id: raw
            .as_deref()
            .and_then(trace_in_text)
            .or_else(|| request_id(config)),
        text: raw.as_deref().and_then(clean_text),
    })
}

/// The refusal in the text of a page without `$Config` (an `AADSTS`
/// code in its error message), if any.
pub fn of_text(text: &str) -> Option<Refusal> {
    let code = code_in_text(text).filter(|c| !is_benign(c))?;
    Some(Refusal {
        code: Some(code),
        text: clean_text(text),
        trace_id: trace_in_text(text),
    })
}

/// The refusal of a page id we do not know that still carries a code.
pub fn of_unknown_page(config: &Config) -> Option<Refusal> {
    let code = config.numeric_error_code().filter(|c| !is_benign(c))?;
    Some(Refusal {
        code: Some(code),
        text: config.error_text().as_deref().and_then(clean_text),
        trace_id: request_id(config),
    })
}

/// The page's request id (`sessionId`, the "Request Id" Entra shows), when
/// it has one.
fn request_id(config: &Config) -> Option<String> {
    Some(config.session_id.trim())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// `AADSTS12345` in a text, as digits.
pub fn code_in_text(text: &str) -> Option<String> {
    let at = text.find("AADSTS")?;
    let digits: String = text[at + 6..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!digits.is_empty()).then_some(digits)
}

/// The id after `Trace ID:` (Entra appends "Trace ID: ... Correlation ID:
/// ... Timestamp: ..." to its messages).
fn trace_in_text(text: &str) -> Option<String> {
    let at = text.find("Trace ID:")?;
    let id: String = text[at + 9..]
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_hexdigit() || *c == '-')
        .collect();
    (!id.is_empty()).then_some(id)
}

/// Entra's message on one line, without `AADSTS<code>: ` in front and the
/// trace lines behind, at most 200 characters.
fn clean_text(text: &str) -> Option<String> {
    let body = text.split("Trace ID:").next().unwrap_or(text);
    let body = plugin_kit::html::collapse(body);
    let body = match body.strip_prefix("AADSTS") {
        Some(rest) => rest
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim_start_matches(':')
            .trim()
            .to_string(),
        None => body.trim().to_string(),
    };
    if body.is_empty() {
        return None;
    }
    Some(plugin_kit::html::shorten(body, 200))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: &str) -> Config {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn converged_error_without_s_error_code() {
        let r = of_config(&config(
            r#"{"pgid":"ConvergedError","iErrorCode":53003,"sessionId":"5a1c-77",
                "strServiceExceptionMessage":"AADSTS53003: Access has been blocked by Conditional Access policies. The access policy does not allow token issuance."}"#,
        ))
        .unwrap();
        assert_eq!(r.code.as_deref(), Some("53003"));
        assert_eq!(r.trace_id.as_deref(), Some("5a1c-77"));
        assert_eq!(
            r.text.as_deref(),
            Some("Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.")
        );
    }

    #[test]
    fn code_from_text_trace_from_text_and_informational_codes() {
        let r = of_config(&config(
            r#"{"pgid":"ConvergedError","strServiceExceptionMessage":"AADSTS90072: User account is not in the tenant.\r\nTrace ID: 0e7f2a1c-5b3d-4d8e-9f10-aa11bb22cc33\r\nCorrelation ID: x"}"#,
        ))
        .unwrap();
        assert_eq!(r.code.as_deref(), Some("90072"));
        assert_eq!(
            r.trace_id.as_deref(),
            Some("0e7f2a1c-5b3d-4d8e-9f10-aa11bb22cc33")
        );
        assert_eq!(
            r.text.as_deref(),
            Some("User account is not in the tenant.")
        );
        // An MFA registration interrupt with an iErrorCode is information,
        // not a refusal.
        assert_eq!(
            of_config(&config(
                r#"{"pgid":"ConvergedProofUpRedirect","iErrorCode":"50203"}"#
            )),
            None
        );
        // A message without a code is still a refusal; a benign code alone is not.
        let r = of_config(&config(
            r#"{"pgid":"ConvergedError","iErrorCode":0,"strServiceExceptionMessage":"Sorry, but we're having trouble signing you in."}"#,
        ))
        .unwrap();
        assert_eq!(r.code, None);
        assert!(of_config(&config(
            r#"{"pgid":"ConvergedSignIn","sErrorCode":"50058"}"#
        ))
        .is_none());
    }

    #[test]
    fn codes_in_text() {
        assert_eq!(code_in_text("x AADSTS50105: y").as_deref(), Some("50105"));
        assert_eq!(code_in_text("none"), None);
        assert_eq!(of_text("AADSTS50058: no session"), None);
        assert_eq!(
            of_text("AADSTS700016: Application not found")
                .unwrap()
                .code
                .as_deref(),
            Some("700016")
        );
    }
}
