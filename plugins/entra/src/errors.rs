//! One-line errors, with hints, from Entra's error codes (`sErrorCode` on
//! a page, `AADSTS<code>` in its text) and MFA result values, so that a
//! page without any readable text still says what went wrong.

use plugin_api::{ErrorKind, PluginError};

/// Codes that are not errors: 50058 = "no session yet" on the first page.
pub fn is_benign(code: &str) -> bool {
    matches!(code, "50058" | "16000" | "0")
}

/// The error for Entra error code `code` (digits, without `AADSTS`).
pub fn from_code(code: &str, text: Option<&str>) -> PluginError {
    let tag = format!("AADSTS{code}");
    let detail = text
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .map(|t| format!(": {}", shorten(t)))
        .unwrap_or_default();
    let auth = |what: &str, hint: &str| {
        PluginError::auth(format!("Entra ID: {what} ({tag})")).with_hint(hint.to_string())
    };
    match code {
        "50126" => auth(
            "wrong username or password",
            "check -u (user@tenant domain) and your password",
        ),
        "50034" | "50059" => auth(
            "no such account in this tenant",
            "check -u: Entra ID expects the full sign-in name, e.g. monty@contoso.com",
        ),
        "50053" => auth(
            "the account is locked (too many failed sign-ins)",
            "wait a few minutes before trying again, or ask your administrator to unlock it",
        ),
        "50055" | "50144" | "50133" => auth(
            "your password has expired",
            "sign in once in a browser to change it, then update the stored password",
        ),
        "50057" => auth(
            "the account is disabled",
            "ask your administrator to enable it",
        ),
        "53003" | "53000" | "53001" | "53002" | "530032" => PluginError::auth(format!(
            "Entra ID: blocked by Conditional Access ({tag}){detail}"
        ))
        .with_hint("a Conditional Access policy blocks this sign-in (device, location or client); ask your administrator"),
        "50105" => auth(
            "you are not assigned to this application",
            "ask your administrator to assign you (or one of your groups) to the AWS app in Entra ID",
        ),
        "50076" | "50079" | "50072" => PluginError::not_supported(format!(
            "Entra ID wants you to register a second factor first ({tag})"
        ))
        .with_hint("register Microsoft Authenticator or a phone once at https://aka.ms/mfasetup in a browser"),
        "700016" | "900971" | "750054" | "500011" | "75011" | "50011" => PluginError::config(format!(
            "Entra ID does not accept this sign-in request ({tag}){detail}"
        ))
        .with_hint("check -e (copy the link from My Apps) or the tenant and app-id-uri options"),
        "90072" | "50020" => auth(
            "the account is not a member of this tenant",
            "check -u and the tenant of the -e URL",
        ),
        "50074" | "50078" => PluginError::new(
            ErrorKind::MfaRejected,
            format!("Entra ID: the second factor was not completed ({tag})"),
        )
        .with_hint("try again and answer the MFA request"),
        _ => PluginError::protocol(format!("Entra ID refused the sign-in ({tag}){detail}"))
            .with_hint("look the code up at https://login.microsoftonline.com/error?code=<code>; run with -v to see the pages"),
    }
}

/// The error for an MFA `ResultValue` that is not success or pending.
pub fn from_mfa_result(result: &str, method: &str) -> PluginError {
    let rejected = |m: String, hint: &str| {
        PluginError::new(ErrorKind::MfaRejected, m).with_hint(hint.to_string())
    };
    match result {
        "PhoneAppDenied"
        | "UserVoiceAuthFailedCallWentToVoicemail"
        | "UserVoiceAuthFailedFraudCode"
        | "PhoneAppFraudReported" => rejected(
            format!("Entra ID: the sign-in was denied ({result})"),
            "approve the request in Microsoft Authenticator (or on the call) next time",
        ),
        "PhoneAppNoResponse"
        | "UserVoiceAuthFailedPhoneUnreachable"
        | "UserVoiceAuthFailedNoResponse" => PluginError::new(
            ErrorKind::MfaTimeout,
            format!("Entra ID: the {method} request was not answered in time ({result})"),
        )
        .with_hint("run again and answer the request; --mfa-timeout sets how long we wait"),
        "SMSAuthFailedWrongCodeEntered"
        | "OathCodeIncorrect"
        | "InvalidCode"
        | "PhoneAppInvalidResult"
        | "OathCodeDuplicate"
        | "AuthFailedWrongCodeEntered" => rejected(
            format!("Entra ID: wrong verification code ({result})"),
            "codes expire quickly; run again with a fresh code",
        ),
        "SMSAuthFailedMaxAllowedCodeRetryReached" | "UserVoiceAuthFailedMaxRetryReached" => {
            rejected(
                format!("Entra ID: too many wrong codes ({result})"),
                "wait a few minutes before trying again",
            )
        }
        _ => rejected(
            format!("Entra ID: the {method} second factor failed ({result})"),
            "try again, or pick another method with --mfa-factor push|totp|sms|call",
        ),
    }
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

fn shorten(s: &str) -> String {
    let one_line = plugin_kit::html::collapse(s);
    if one_line.chars().count() <= 200 {
        return one_line;
    }
    let mut out: String = one_line.chars().take(200).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_kinds_and_messages() {
        let e = from_code("50126", None);
        assert_eq!(e.kind, ErrorKind::AuthenticationFailed);
        assert_eq!(
            e.message,
            "Entra ID: wrong username or password (AADSTS50126)"
        );
        assert!(from_code("50053", None).message.contains("locked"));
        assert!(from_code("50055", None).message.contains("expired"));
        assert!(from_code("53003", None)
            .message
            .contains("Conditional Access"));
        assert!(from_code("50105", None).message.contains("not assigned"));
        let e = from_code("99999", Some("AADSTS99999: Something\nodd."));
        assert_eq!(e.kind, ErrorKind::Protocol);
        assert!(e.message.contains("AADSTS99999") && e.message.contains("Something odd."));
        assert!(is_benign("50058"));
        assert_eq!(code_in_text("x AADSTS50105: y").as_deref(), Some("50105"));
        assert_eq!(code_in_text("none"), None);
        assert_eq!(
            from_mfa_result("PhoneAppDenied", "push").kind,
            ErrorKind::MfaRejected
        );
        assert_eq!(
            from_mfa_result("PhoneAppNoResponse", "push").kind,
            ErrorKind::MfaTimeout
        );
        assert!(from_mfa_result("SMSAuthFailedWrongCodeEntered", "sms")
            .message
            .contains("wrong verification code"));
    }
}
