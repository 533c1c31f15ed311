//! Okta's answers turned into one-line, actionable errors: every authn
//! status and error code a user can meet gets its own message and hint.

use plugin_api::{ErrorKind, Host, PluginError};
use time::macros::format_description;
use time::OffsetDateTime;

use crate::api::{ApiError, Authn};
use crate::browser_only::needs_browser;
use crate::org;
use crate::Ctx;

/// Register every token in an authn answer for redaction.
pub fn hide_tokens(host: &Host, a: &Authn) {
    if let Some(t) = &a.state_token {
        host.add_secret(t);
    }
    if let Some(t) = &a.session_token {
        host.add_secret(t);
    }
}

/// A rate-limit error with the reset time from `X-Rate-Limit-Reset`.
pub fn rate_limited(e: &ApiError, now_unix: i64) -> PluginError {
    let when = e
        .rate_limit_reset
        .and_then(|reset| {
            let t = OffsetDateTime::from_unix_timestamp(reset).ok()?;
            let clock = t
                .format(format_description!("[hour]:[minute]:[second]"))
                .ok()?;
            let wait = (reset - now_unix).max(0);
            Some(format!("; it resets at {clock} UTC (in {wait} s)"))
        })
        .unwrap_or_default();
    PluginError::other(format!(
        "Okta is rate-limiting sign-ins for this org or user ({}){when}",
        e.code_or_status()
    ))
    .with_hint("wait until the limit resets, then run again; repeated retries keep it exhausted")
}

impl ApiError {
    fn code_or_status(&self) -> String {
        if self.code.is_empty() {
            format!("HTTP {}", self.status)
        } else {
            self.code.clone()
        }
    }
}

/// An error from `POST /api/v1/authn` with a username and password.
pub fn primary_auth_error(ctx: &Ctx, e: &ApiError) -> PluginError {
    if e.is_rate_limit() {
        return rate_limited(e, now());
    }
    // An Identity Engine org may refuse the classic API in several ways
    // (E0000004 among them): ask the org which pipeline it runs.
    if org::is_identity_engine(ctx) {
        return identity_engine(ctx, e);
    }
    match e.code.as_str() {
        "E0000004" => PluginError::auth(format!(
            "Okta rejected the username or password for {}",
            ctx.username
        ))
        .with_hint(
            "check -u and the password source (prompt, AWSPROCESSCREDS_PASSWORD, --password-command, keychain); repeated failures lock the account",
        ),
        "E0000001" => PluginError::config(format!(
            "Okta refused the sign-in request: {}",
            e.describe()
        ))
        .with_hint("check -u: it must be your Okta username"),
        _ => other_error(e, "the sign-in"),
    }
}

fn identity_engine(ctx: &Ctx, e: &ApiError) -> PluginError {
    PluginError::not_supported(format!(
        "{} is an Okta Identity Engine org and refused the classic sign-in API /api/v1/authn ({})",
        ctx.org.host(),
        e.describe()
    ))
    .with_hint(
        "drop --plugin-option flow=classic (the default flow=auto signs in through the Identity Engine), or ask your Okta administrator to allow the Classic Authentication API for the AWS app",
    )
}

/// An error while verifying a factor.
pub fn factor_error(_ctx: &Ctx, e: &ApiError, label: &str) -> PluginError {
    // "An SMS message was recently sent. Please wait 30 seconds before
    // trying again." / "A phone call was recently made..." (HTTP 429, but
    // not the org's rate limit: okta-signin-widget
    // `packages/@okta/i18n/src/properties/login.properties` errors.E0000109,
    // errors.E0000133).
    if matches!(e.code.as_str(), "E0000109" | "E0000133") {
        return PluginError::other(format!(
            "Okta sent a code for the {label} factor moments ago and will not send another yet: {}",
            okta_text(e)
        ))
        .with_hint("wait 30 seconds, then run again");
    }
    if e.is_rate_limit() {
        return rate_limited(e, now());
    }
    match e.code.as_str() {
        "E0000068" => PluginError::new(
            ErrorKind::MfaRejected,
            format!(
                "Okta did not accept the code for the {label} factor: {}",
                okta_text(e)
            ),
        )
        .with_hint("check the code source (--mfa-code-command) or type a fresh code"),
        "E0000069" => PluginError::access_denied(format!(
            "Okta locked the account after too many wrong codes ({})",
            e.describe()
        ))
        .with_hint("wait for the lockout to end or ask your Okta administrator to unlock it"),
        "E0000011" | "E0000010" => PluginError::other(format!(
            "the Okta sign-in transaction expired or was replaced ({})",
            e.describe()
        ))
        .with_hint("run again and finish the second factor within five minutes"),
        _ => other_error(e, &format!("the {label} factor")),
    }
}

/// Okta's own words for an error: the causes when given (they say what
/// was wrong), else the summary.
fn okta_text(e: &ApiError) -> String {
    if e.causes.is_empty() {
        e.summary.trim_end_matches('.').to_string()
    } else {
        e.causes
            .iter()
            .map(|c| c.trim_end_matches('.'))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Any other Okta error, named with what was being done.
pub fn other_error(e: &ApiError, during: &str) -> PluginError {
    let kind = if e.status >= 500 {
        ErrorKind::Network
    } else {
        ErrorKind::Protocol
    };
    PluginError::new(kind, format!("Okta refused {during}: {}", e.describe()))
        .with_hint("run with -v for the exchange; if it persists, ask your Okta administrator")
}

/// The message for an authn `status` that ends the login.
pub fn status_error(ctx: &Ctx, a: &Authn) -> PluginError {
    let user = ctx.username;
    match a.status.as_str() {
        "LOCKED_OUT" => PluginError::access_denied(format!("the Okta account {user} is locked out"))
            .with_hint("wait for the lockout to end, unlock it from the Okta sign-in page, or ask your Okta administrator"),
        "PASSWORD_EXPIRED" => PluginError::access_denied(format!("the Okta password of {user} has expired"))
            .with_hint(format!("sign in at {} in a browser to choose a new password, then run again", ctx.org.base())),
        "MFA_ENROLL" | "MFA_ENROLL_ACTIVATE" => needs_browser(
            format!("Okta requires {user} to set up a second factor first"),
            format!("sign in at {} in a browser and enroll a factor (e.g. Okta Verify), then run again", ctx.org.base()),
        ),
        "UNAUTHENTICATED" => PluginError::auth("Okta ended the sign-in transaction (UNAUTHENTICATED)")
            .with_hint("run again; if it repeats, sign in once in a browser"),
        "RECOVERY" | "RECOVERY_CHALLENGE" | "PASSWORD_RESET" => PluginError::access_denied(format!(
            "the Okta account {user} is in password recovery ({})",
            a.status
        ))
        .with_hint(format!("finish the recovery at {} in a browser, then run again", ctx.org.base())),
        "" => PluginError::protocol("Okta's sign-in answer has no status"),
        other => PluginError::protocol(format!("Okta answered the sign-in with an unknown status '{other}'"))
            .with_hint("run with -v and report this to the awsprocesscreds maintainers"),
    }
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_message_has_reset_time() {
        let e = ApiError {
            status: 429,
            code: "E0000047".into(),
            summary: "API call exceeded rate limit".into(),
            causes: vec![],
            rate_limit_reset: Some(1_700_000_042),
        };
        let err = rate_limited(&e, 1_700_000_000);
        assert!(
            err.message.contains("resets at 22:14:02 UTC (in 42 s)"),
            "{}",
            err.message
        );
        let no_header = ApiError {
            rate_limit_reset: None,
            ..e
        };
        assert!(rate_limited(&no_header, 0).message.ends_with("(E0000047)"));
    }

    /// A login context on a fake org, for functions that take one.
    fn with_ctx(f: impl FnOnce(&Ctx)) {
        let services = plugin_testkit::TestServices::new().build();
        let host = Host::from_services(services);
        let (org, _) =
            crate::org::Org::from_endpoint("https://example.okta.com/home/a/b/1").unwrap();
        let req = plugin_api::LoginRequest::default();
        f(&Ctx {
            host: &host,
            req: &req,
            org: &org,
            username: "monty",
            password: std::cell::OnceCell::new(),
        });
    }

    #[test]
    fn every_final_status_has_its_own_message() {
        with_ctx(|ctx| {
            let cases = [
                ("LOCKED_OUT", ErrorKind::AccessDenied, "monty is locked out"),
                (
                    "PASSWORD_EXPIRED",
                    ErrorKind::AccessDenied,
                    "password of monty has expired",
                ),
                (
                    "MFA_ENROLL",
                    ErrorKind::BrowserRequired,
                    "to set up a second factor",
                ),
                (
                    "MFA_ENROLL_ACTIVATE",
                    ErrorKind::BrowserRequired,
                    "to set up a second factor",
                ),
                (
                    "UNAUTHENTICATED",
                    ErrorKind::AuthenticationFailed,
                    "ended the sign-in",
                ),
                (
                    "RECOVERY",
                    ErrorKind::AccessDenied,
                    "password recovery (RECOVERY)",
                ),
                (
                    "PASSWORD_RESET",
                    ErrorKind::AccessDenied,
                    "password recovery",
                ),
                ("", ErrorKind::Protocol, "has no status"),
                (
                    "SOMETHING_NEW",
                    ErrorKind::Protocol,
                    "unknown status 'SOMETHING_NEW'",
                ),
            ];
            for (status, kind, text) in cases {
                let a = Authn {
                    status: status.into(),
                    ..Authn::default()
                };
                let e = status_error(ctx, &a);
                assert_eq!(e.kind, kind, "{status}");
                assert!(e.message.contains(text), "{status}: {}", e.message);
            }
            let e = status_error(
                ctx,
                &Authn {
                    status: "PASSWORD_EXPIRED".into(),
                    ..Authn::default()
                },
            );
            assert!(e.hint.unwrap().contains("https://example.okta.com"));
        });
    }

    #[test]
    fn factor_errors_by_code() {
        with_ctx(|ctx| {
            let e = |code: &str| ApiError {
                status: 403,
                code: code.into(),
                summary: "s".into(),
                ..ApiError::default()
            };
            assert_eq!(
                factor_error(ctx, &e("E0000068"), "SMS").kind,
                ErrorKind::MfaRejected
            );
            assert_eq!(
                factor_error(ctx, &e("E0000069"), "SMS").kind,
                ErrorKind::AccessDenied
            );
            assert!(factor_error(ctx, &e("E0000011"), "SMS")
                .message
                .contains("expired"));
            assert_eq!(
                factor_error(ctx, &e("E0000999"), "SMS").kind,
                ErrorKind::Protocol
            );
            let recent = ApiError {
                status: 429,
                code: "E0000109".into(),
                summary:
                    "An SMS message was recently sent. Please wait 30 seconds before trying again."
                        .into(),
                ..ApiError::default()
            };
            let err = factor_error(ctx, &recent, "SMS");
            assert!(err.message.contains("moments ago"), "{}", err.message);
            assert!(!err.message.contains("rate-limiting"), "{}", err.message);
        });
    }

    #[test]
    fn server_errors_are_network_kind() {
        let e = ApiError {
            status: 503,
            ..ApiError::default()
        };
        assert_eq!(other_error(&e, "x").kind, ErrorKind::Network);
        assert!(other_error(&e, "x").message.contains("HTTP 503"));
    }
}
