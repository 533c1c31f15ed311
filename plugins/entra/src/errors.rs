//! One-line errors, with hints, from Entra's error codes (`sErrorCode`,
//! `iErrorCode`, `AADSTS<code>` in its text) and MFA result values, so
//! that a page without any readable text still says what went wrong, and
//! one with text shows Entra's own words and the trace id.
//!
//! Codes and their meaning: Microsoft's AADSTS reference
//! (MicrosoftDocs/azure-docs `articles/active-directory/develop/reference-error-codes.md`),
//! davmail's `O365Authenticator` (50125, 50128) and saml2aws's `aad.go`.

use plugin_api::{ErrorKind, PluginError};

use crate::browser_only::needs_browser;
use crate::refusal::Refusal;

/// Where to look a code up.
const LOOKUP: &str = "https://login.microsoftonline.com/error?code=";

/// The error for a refusal Entra reported.
pub fn from_refusal(r: &Refusal) -> PluginError {
    let Some(code) = r.code.as_deref() else {
        let text = r.text.as_deref().unwrap_or("no reason given");
        return PluginError::protocol(format!(
            "Entra ID refused the sign-in: {text}{}",
            trace(r, " (", ")")
        ))
        .with_hint("give your administrator the trace id; run with -v to see the pages");
    };
    let tag = format!("AADSTS{code}");
    // Entra's words, then the trace id an administrator looks the sign-in
    // up by: `: Access has been blocked... (trace id ...)`.
    let detail = format!(
        "{}{}",
        r.text
            .as_deref()
            .map(|t| format!(": {t}"))
            .unwrap_or_default(),
        trace(r, " (", ")")
    );
    let auth = |what: &str, hint: &str| {
        PluginError::auth(format!("Entra ID: {what} ({tag})")).with_hint(hint.to_string())
    };
    // Refusals that do not blame the password: a keychain keeps it.
    let denied = |what: &str, hint: &str| {
        PluginError::access_denied(format!("Entra ID: {what} ({tag})")).with_hint(hint.to_string())
    };
    let admin = |what: &str, hint: &str| {
        PluginError::access_denied(format!("Entra ID: {what} ({tag}){}", trace(r, " (", ")")))
            .with_hint(hint.to_string())
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
        "50053" => denied(
            "the account is locked (too many failed sign-ins)",
            "wait a few minutes before trying again, or ask your administrator to unlock it",
        ),
        "50055" | "50144" | "50133" => denied(
            "your password has expired",
            "sign in once in a browser to change it, then update the stored password",
        ),
        "50057" => admin(
            "the account is disabled",
            "ask your administrator to enable it (give them the trace id)",
        ),
        "53003" | "53002" | "530032" | "50131" => PluginError::access_denied(format!(
            "Entra ID: blocked by Conditional Access ({tag}){detail}"
        ))
        .with_hint("a Conditional Access policy blocks this sign-in (device, location or client); ask your administrator, with the trace id"),
        "53000" | "530003" | "50097" | "50129" => needs_browser(
            format!("Entra ID: Conditional Access requires a compliant, managed device ({tag}){detail}"),
            "sign in from a browser on a device your organisation manages, or ask your administrator (with the trace id)",
        ),
        "53001" => needs_browser(
            format!("Entra ID: Conditional Access requires a domain-joined device ({tag}){detail}"),
            "sign in from a browser on a domain-joined device, or ask your administrator (with the trace id)",
        ),
        "50158" => needs_browser(
            format!("Entra ID: an external security check (such as a third-party MFA) must be completed ({tag}){detail}"),
            "sign in once in a browser, or ask your administrator which methods this client may use",
        ),
        "50105" => admin(
            "you are not assigned to this application",
            "ask your administrator to assign you (or one of your groups) to the AWS app in Entra ID",
        ),
        "50076" | "50079" | "50072" => needs_browser(
            format!("Entra ID wants you to register a second factor first ({tag})"),
            "register Microsoft Authenticator or a phone once at https://aka.ms/mfasetup in a browser",
        ),
        "50125" => needs_browser(
            format!("Entra ID needs more information to keep your account secure ({tag})"),
            "sign in once in a browser and add the security information it asks for, then run again",
        ),
        "700016" | "900971" | "750054" | "500011" | "75011" | "50011" => PluginError::config(format!(
            "Entra ID does not accept this sign-in request ({tag}){detail}"
        ))
        .with_hint("check -e (copy the link from My Apps) or the tenant and app-id-uri options"),
        "90002" | "50128" => PluginError::config(format!(
            "Entra ID does not know this tenant ({tag}){detail}"
        ))
        .with_hint("check the tenant in -e (or --plugin-option tenant=) and the domain of -u"),
        "90072" | "50020" => admin(
            "the account is not a member of this tenant",
            "check -u and the tenant of the -e URL; a guest must be invited to the tenant first",
        ),
        "50074" | "50078" | "500121" => PluginError::new(
            ErrorKind::MfaRejected,
            format!("Entra ID: the second factor was not completed ({tag})"),
        )
        .with_hint("try again and answer the MFA request"),
        "50088" => PluginError::other(format!(
            "Entra ID: too many MFA calls or text messages for now ({tag})"
        ))
        .with_hint("wait a few minutes, or use the Authenticator app: --mfa-factor push or totp"),
        "50089" => PluginError::other(format!(
            "Entra ID: the sign-in took too long and its flow token expired ({tag})"
        ))
        .with_hint("run again and finish the sign-in and MFA within a few minutes"),
        "50196" => PluginError::other(format!(
            "Entra ID stopped a sign-in loop: too many sign-ins in a short time ({tag}){detail}"
        ))
        .with_hint("wait a few minutes; a script calling this in a loop should use the credential cache"),
        _ => PluginError::protocol(format!("Entra ID refused the sign-in ({tag}){detail}"))
            .with_hint(format!("look the code up at {LOOKUP}{code}; give your administrator the trace id")),
    }
}

/// `<before>trace id X<after>` when the trace id is known.
fn trace(r: &Refusal, before: &str, after: &str) -> String {
    r.trace_id
        .as_deref()
        .map(|t| format!("{before}trace id {t}{after}"))
        .unwrap_or_default()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn code(c: &str) -> PluginError {
        from_refusal(&Refusal {
            code: Some(c.into()),
            ..Refusal::default()
        })
    }

    #[test]
    fn codes_map_to_kinds_and_messages() {
        let e = code("50126");
        assert_eq!(e.kind, ErrorKind::AuthenticationFailed);
        assert_eq!(
            e.message,
            "Entra ID: wrong username or password (AADSTS50126)"
        );
        assert!(code("50053").message.contains("locked"));
        assert!(code("50055").message.contains("expired"));
        assert!(code("53003").message.contains("Conditional Access"));
        assert!(code("50105").message.contains("not assigned"));
        assert!(code("50057").message.contains("disabled"));
        assert_eq!(code("53000").kind, ErrorKind::BrowserRequired);
        // Refusals that do not blame the password keep a stored one.
        for c in ["50053", "50055", "53003", "50105", "50057", "90072"] {
            assert_eq!(code(c).kind, ErrorKind::AccessDenied, "{c}");
        }
        assert!(code("53001").message.contains("domain-joined"));
        for c in [
            "530003", "50097", "50129", "50158", "50125", "50076", "50079", "50072",
        ] {
            assert_eq!(code(c).kind, ErrorKind::BrowserRequired, "{c}");
        }
        for c in ["90002", "50128", "700016"] {
            assert_eq!(code(c).kind, ErrorKind::Config, "{c}");
        }
        assert!(code("50131").message.contains("Conditional Access"));
        assert!(code("50128").message.contains("does not know this tenant"));
        assert!(code("50125").message.contains("more information"));
        assert_eq!(code("500121").kind, ErrorKind::MfaRejected);
        let e = from_refusal(&Refusal {
            code: Some("99999".into()),
            text: Some("Something odd.".into()),
            trace_id: Some("t-1".into()),
        });
        assert_eq!(e.kind, ErrorKind::Protocol);
        assert_eq!(
            e.message,
            "Entra ID refused the sign-in (AADSTS99999): Something odd. (trace id t-1)"
        );
        assert!(e.hint.unwrap().contains("error?code=99999"));
        let e = from_refusal(&Refusal {
            text: Some("Sorry.".into()),
            ..Refusal::default()
        });
        assert_eq!(e.message, "Entra ID refused the sign-in: Sorry.");
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
