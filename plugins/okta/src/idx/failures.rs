//! Okta's IDX answers that end a sign-in, as one-line errors with hints:
//! wrong password, locked, expired, enrolment, unsupported policies.

use plugin_api::{ErrorKind, PluginError};
use serde_json::Value;

use super::wire::Message;
use super::Last;
use crate::browser_only::needs_browser;
use crate::Ctx;

pub(super) fn no_state_token() -> PluginError {
    PluginError::protocol(
        "Okta's sign-in page holds no state token to start an Identity Engine sign-in",
    )
    .with_hint("try --plugin-option flow=classic, or the device flow with --plugin-option client-id=<OIDC native app id>")
}

pub(super) fn wrong_password(ctx: &Ctx, okta_says: &str) -> PluginError {
    PluginError::auth(format!(
        "Okta rejected the username or password for {}: {okta_says}",
        ctx.username
    ))
    .with_hint("check -u and the password source (prompt, AWSPROCESSCREDS_PASSWORD, --password-command, keychain); repeated failures lock the account")
}

/// Okta's ERROR messages turned into one error, by what we did last.
pub(super) fn message_error(
    ctx: &Ctx,
    errors: &[Message],
    last: Last,
    code_label: &str,
) -> PluginError {
    let text = errors
        .iter()
        .map(|m| m.text.trim_end_matches('.').to_string())
        .collect::<Vec<_>>()
        .join("; ");
    let keys: String = errors
        .iter()
        .map(|m| format!("{} {}", m.key, m.text))
        .collect::<String>()
        .to_ascii_lowercase();
    // `errors.E0000119` ("Your account is locked"), `errors.E0000069`
    // (locked after too many attempts), `error.auth.lockedOut`: by key
    // too, as localized orgs send the text in their language
    // (okta-signin-widget `packages/@okta/i18n/src/properties/login*.properties`).
    if ["locked", "e0000119", "e0000069"]
        .iter()
        .any(|k| keys.contains(k))
    {
        return locked(ctx);
    }
    if keys.contains("reject") {
        return PluginError::new(
            ErrorKind::MfaRejected,
            format!("the Okta Verify push was rejected on the phone ({text})"),
        )
        .with_hint(
            "run again and approve it; if you did not start this sign-in, tell your security team",
        );
    }
    if last == Last::Push && (keys.contains("expired") || keys.contains("timeout")) {
        return PluginError::new(
            ErrorKind::MfaTimeout,
            format!("the Okta Verify push expired before it was approved ({text})"),
        )
        .with_hint("run again and approve the notification on your phone");
    }
    // The i18n keys below are those of Okta's IDX answers as the sign-in
    // widget's mock states carry them (okta-signin-widget
    // playground/mocks/data/idp/idx/error-*.json); matching the key and
    // not only the English text keeps localized orgs working.
    if keys.contains("not.assigned") {
        return PluginError::access_denied(format!(
            "Okta says {} is not assigned to this AWS app ({text})",
            ctx.username
        ))
        .with_hint("ask your Okta administrator to assign the AWS app to you, and check that -e is its embed link");
    }
    if keys.contains("device_assurance") {
        return headless_policy(&format!(
            "the device does not meet its device assurance ({text})"
        ));
    }
    if keys.contains("access_denied") || keys.contains("assurance.unsatisfiable") {
        return PluginError::access_denied(format!("Okta's policy denied the sign-in: {text}"))
            .with_hint("the app's authentication policy does not let you in from here; ask your Okta administrator");
    }
    if keys.contains("suspended_factor") || keys.contains("factor is suspended") {
        return PluginError::access_denied(format!(
            "Okta suspended this authenticator of {} after too many failed attempts ({text})",
            ctx.username
        ))
        .with_hint(format!(
            "wait and try again later, or ask your Okta administrator to reset it ({})",
            ctx.org.base()
        ));
    }
    // `errors.E0000150`/`E0000151`: the limit of SMS / call requests;
    // `tooManyRequests`: an IDX-shaped 429 (okta-signin-widget mocks
    // error-authenticator-phone-{sms,voice}-ratelimit, error-429-too-many-request).
    if ["e0000150", "e0000151", "toomanyrequests"]
        .iter()
        .any(|k| keys.contains(k))
    {
        return PluginError::other(format!("Okta is rate-limiting this sign-in: {text}"))
            .with_hint("wait a minute and run again");
    }
    if keys.contains("transaction_resource_not_found") {
        return PluginError::other(format!("the Okta sign-in transaction expired ({text})"))
            .with_hint("run again and finish the sign-in within its time limit");
    }
    if keys.contains("idx.session.expired")
        || keys.contains("error.expired.session")
        || keys.contains("session has expired")
    {
        return PluginError::other(format!("the Okta sign-in transaction expired ({text})"))
            .with_hint("run again and finish the sign-in within its time limit");
    }
    match last {
        Last::Password | Last::Start => wrong_password(ctx, &text),
        Last::Code => PluginError::new(
            ErrorKind::MfaRejected,
            format!("Okta did not accept the {code_label}: {text}"),
        )
        .with_hint("check the code source (--mfa-code-command) or type a fresh code"),
        _ => PluginError::protocol(format!("Okta refused the sign-in: {text}"))
            .with_hint("run with -v for the exchange; if it persists, ask your Okta administrator"),
    }
}

pub(super) fn locked(ctx: &Ctx) -> PluginError {
    PluginError::access_denied(format!("the Okta account {} is locked", ctx.username)).with_hint(format!(
        "wait for the lockout to end, unlock it at {} (Unlock account), or ask your Okta administrator",
        ctx.org.base()
    ))
}

/// No remediation we can follow: say why in the user's terms.
pub(super) fn dead_end(ctx: &Ctx, state: &Value, names: &[&str]) -> PluginError {
    let has = |n: &str| names.contains(&n);
    let base = ctx.org.base();
    // A password for a locked account is answered with the unlock flow
    // alone (with "show lock-out failures" on): `select-authenticator-
    // unlock-account` and `cancel` (okta-signin-widget
    // `src/v3/src/mocks/response/idp/idx/identify/unlock-account.json`).
    if (has("select-authenticator-unlock-account") || has("unlock-account")) && !has("identify") {
        return locked(ctx);
    }
    if has("reenroll-authenticator") || has("reset-authenticator") {
        return PluginError::access_denied(format!(
            "the Okta password of {} has expired",
            ctx.username
        ))
        .with_hint(format!(
            "sign in at {base} in a browser to choose a new password, then run again"
        ));
    }
    if names.iter().any(|n| {
        matches!(
            *n,
            "select-authenticator-enroll"
                | "enroll-authenticator"
                | "enroll-poll"
                | "enroll-profile"
        )
    }) {
        return needs_browser(
            format!(
                "Okta requires {} to set up an authenticator first",
                ctx.username
            ),
            format!(
                "sign in at {base} in a browser and enroll Okta Verify (or another authenticator), then run again"
            ),
        );
    }
    if names.iter().any(|n| {
        matches!(
            *n,
            "launch-authenticator"
                | "device-challenge-poll"
                | "device-assurance-grace-period"
                | "challenge-poll"
                | "cancel-transaction"
        )
    }) {
        return headless_policy(
            "the app's sign-in policy asks for Okta FastPass or a device check",
        );
    }
    if has("redirect-idp") {
        return headless_policy("the org signs you in through an external identity provider");
    }
    let _ = state;
    if names.is_empty() {
        return PluginError::protocol(
            "Okta's Identity Engine answer has neither a next step nor success",
        )
        .with_hint("run with -v and report this to the awsprocesscreds maintainers");
    }
    PluginError::protocol(format!(
        "Okta asked for a sign-in step the okta provider does not know: {}",
        names.join(", ")
    ))
    .with_hint("run with -v and report this to the awsprocesscreds maintainers; the device flow (--plugin-option client-id=...) may work meanwhile")
}

pub(super) fn headless_policy(why: &str) -> PluginError {
    needs_browser(
        format!("Okta's policy cannot be satisfied without a browser: {why}"),
        "use the device flow: --plugin-option client-id=<OIDC native app id> (ask your Okta administrator for one with the Device Authorization and Token Exchange grants)",
    )
}
