//! Verifying one factor: Okta Verify push (with number matching and
//! polling that never re-sends the push), one-time codes, and codes Okta
//! sends first (SMS, voice call, email) with resend on empty input.

use std::time::{Duration, Instant};

use plugin_api::{ErrorKind, PluginError};
use serde_json::json;

use crate::api::{self, Authn, Factor};
use crate::errors;
use crate::factors::{self, Kind};
use crate::Ctx;

/// Poll interval for push (Okta suggests polling every few seconds).
const POLL_INTERVAL: Duration = Duration::from_secs(2);
/// How often an empty answer may ask Okta to send a new code.
const MAX_RESENDS: usize = 3;
/// Tries for a mistyped code at the terminal.
const TYPED_ATTEMPTS: usize = 3;

/// Verify `factor` in transaction `state_token`; returns the next state
/// (normally `SUCCESS`).
pub fn verify(ctx: &Ctx, state_token: &str, factor: &Factor) -> Result<Authn, PluginError> {
    let kind = Kind::of(factor);
    let label = factors::label(factor);
    let href = factor.links.get("verify").map(|l| l.href).ok_or_else(|| {
        PluginError::protocol(format!(
            "Okta sent the {label} factor without a verify link"
        ))
    })?;
    ctx.host.debug(&format!(
        "verifying the {label} factor ({}, id {})",
        factors::full_name(factor),
        factor.id
    ));
    let result = match kind {
        Kind::Push => push(ctx, state_token, &href, factor),
        Kind::Unsupported => Err(PluginError::not_supported(format!(
            "the okta provider cannot verify the {label} factor"
        ))
        .with_hint("choose another factor with --mfa-factor (push, totp, sms, ...)")),
        _ => code(ctx, state_token, &href, factor, kind),
    };
    if let Err(e) = &result {
        if matches!(
            e.kind,
            ErrorKind::MfaRejected | ErrorKind::MfaTimeout | ErrorKind::Cancelled
        ) {
            cancel(ctx, state_token);
        }
    }
    result
}

/// End the transaction so a pending push stops showing on the phone.
fn cancel(ctx: &Ctx, state_token: &str) {
    let url = ctx.org.url("/api/v1/authn/cancel");
    match api::post::<serde_json::Value>(ctx.host, &url, &json!({"stateToken": state_token})) {
        Ok(Ok(_)) => ctx.host.debug("cancelled the Okta sign-in transaction"),
        _ => ctx
            .host
            .debug("could not cancel the Okta sign-in transaction (ignored)"),
    }
}

fn push(ctx: &Ctx, state_token: &str, href: &str, factor: &Factor) -> Result<Authn, PluginError> {
    let label = &factors::label(factor);
    let device = factor.profile_str("name").unwrap_or("your phone");
    let timeout = Duration::from_secs(ctx.req.mfa.timeout_secs.max(1));
    let deadline = Instant::now() + timeout;
    // The only call that sends a push; afterwards only the poll link is used.
    let mut state = answer(ctx, &href_post(ctx, href, state_token, None)?, label)?;
    let mut notified = false;
    let mut number_shown = false;
    loop {
        match state.status.as_str() {
            "MFA_CHALLENGE" => {}
            _ => return Ok(state),
        }
        match state.factor_result.as_deref().unwrap_or("WAITING") {
            "WAITING" => {}
            "REJECTED" => {
                return Err(PluginError::new(
                    ErrorKind::MfaRejected,
                    "the Okta Verify push was rejected on the phone",
                )
                .with_hint("run again and approve it; if you did not start this sign-in, tell your security team"))
            }
            "TIMEOUT" => {
                return Err(PluginError::new(
                    ErrorKind::MfaTimeout,
                    "the Okta Verify push expired before it was approved",
                )
                .with_hint("run again and approve the notification on your phone"))
            }
            other => {
                return Err(PluginError::protocol(format!(
                    "Okta answered the push with an unknown result '{other}'"
                )))
            }
        }
        // The number may come with the first answer or a later one: show
        // it once when it appears, and the plain notice only if it never does.
        let number = state
            .embedded
            .factor
            .as_ref()
            .and_then(Factor::correct_answer);
        match number {
            Some(n) if !number_shown => {
                number_shown = true;
                notified = true;
                ctx.host.notify(&format!(
                    "Okta Verify: tap {n} on your phone to approve the sign-in"
                ));
            }
            _ if !notified => {
                notified = true;
                ctx.host.notify(&format!(
                    "Okta Verify: approve the push notification on {device}"
                ));
            }
            _ => {}
        }
        let poll = state
            .links
            .get("next")
            .filter(|l| l.name.as_deref().is_none_or(|n| n == "poll"))
            .ok_or_else(|| PluginError::protocol("Okta's push answer has no poll link"))?;
        let now = Instant::now();
        if now >= deadline {
            return Err(PluginError::new(
                ErrorKind::MfaTimeout,
                format!(
                    "the Okta Verify push was not approved within {} s",
                    timeout.as_secs()
                ),
            )
            .with_hint("approve it sooner, or allow more time with --mfa-timeout SECONDS"));
        }
        ctx.host.sleep(POLL_INTERVAL.min(deadline - now))?;
        ctx.host.debug("polling the Okta Verify push");
        match href_post(ctx, &poll.href, state_token, None)? {
            // A 429 while polling is not a failed push: wait for the
            // window Okta names, within --mfa-timeout, and poll again.
            Err(e) if e.is_rate_limit() => {
                let now_unix = time::OffsetDateTime::now_utc().unix_timestamp();
                let secs = e
                    .rate_limit_reset
                    .map(|r| (r - now_unix).clamp(1, 60))
                    .unwrap_or(5) as u64;
                ctx.host.debug(&format!(
                    "Okta rate-limited the push poll; waiting {secs} s as X-Rate-Limit-Reset says"
                ));
                let left = deadline.saturating_duration_since(Instant::now());
                ctx.host.sleep(Duration::from_secs(secs).min(left))?;
            }
            reply => state = answer(ctx, &reply, label)?,
        }
    }
}

fn href_post(
    ctx: &Ctx,
    href: &str,
    state_token: &str,
    pass_code: Option<&str>,
) -> Result<api::Reply, PluginError> {
    let body = match pass_code {
        Some(c) => json!({"stateToken": state_token, "passCode": c}),
        None => json!({"stateToken": state_token}),
    };
    let reply = api::post::<Authn>(ctx.host, href, &body)?;
    if let Ok(a) = &reply {
        errors::hide_tokens(ctx.host, a);
    }
    Ok(reply)
}

/// A verify answer, with Okta errors turned into plugin errors.
fn answer(ctx: &Ctx, reply: &api::Reply, label: &str) -> Result<Authn, PluginError> {
    reply
        .clone()
        .map_err(|e| errors::factor_error(ctx, &e, label))
}

fn prompt_for(factor: &Factor, kind: Kind, can_resend: bool) -> String {
    let base = match kind {
        Kind::Sms => match factor.profile_str("phoneNumber") {
            Some(p) => format!("One-time code sent by SMS to {p}"),
            None => "One-time code sent by SMS".into(),
        },
        Kind::Call => match factor.profile_str("phoneNumber") {
            Some(p) => format!("One-time code from the call to {p}"),
            None => "One-time code from the voice call".into(),
        },
        Kind::Email => match factor.profile_str("email") {
            Some(e) => format!("One-time code emailed to {e}"),
            None => "One-time code sent by email".into(),
        },
        Kind::YubiKey => "YubiKey code (touch your YubiKey)".into(),
        _ => factors::label(factor),
    };
    if can_resend {
        format!("{base} (press Enter to get a new one): ")
    } else {
        format!("{base}: ")
    }
}

fn code(
    ctx: &Ctx,
    state_token: &str,
    href: &str,
    factor: &Factor,
    kind: Kind,
) -> Result<Authn, PluginError> {
    let label = factors::label(factor);
    let mut verify_href = href.to_string();
    let mut resend = None;
    if kind.is_challenge() {
        // The first call without a code makes Okta send one.
        let sent = answer(ctx, &href_post(ctx, href, state_token, None)?, &label)?;
        if sent.status != "MFA_CHALLENGE" {
            return Ok(sent);
        }
        if let Some(next) = sent.links.get("next") {
            verify_href = next.href;
        }
        resend = sent.links.get("resend");
        ctx.host.debug(&format!("Okta sent a {label}"));
    }
    // A command gives the same code again, so only a person gets retries.
    let typed = ctx.req.interactive && !ctx.req.mfa.code_source;
    let mut attempts_left = if typed { TYPED_ATTEMPTS } else { 1 };
    let mut resends = 0;
    loop {
        let can_resend = resend.is_some() && resends < MAX_RESENDS;
        let code = ctx.host.mfa_code(&prompt_for(factor, kind, can_resend))?;
        let code = code.expose().trim().to_string();
        if code.is_empty() {
            match &resend {
                Some(link) if can_resend => {
                    resends += 1;
                    answer(ctx, &href_post(ctx, &link.href, state_token, None)?, &label)?;
                    ctx.host.notify(&format!("Okta sent a new code ({label})"));
                    continue;
                }
                _ => {
                    return Err(PluginError::new(
                        ErrorKind::Cancelled,
                        format!("no code was entered for the {label} factor"),
                    ))
                }
            }
        }
        ctx.host.add_secret(&code);
        match href_post(ctx, &verify_href, state_token, Some(&code))? {
            Ok(state) => return Ok(state),
            Err(e) if e.code == "E0000068" && attempts_left > 1 => {
                attempts_left -= 1;
                ctx.host.notify(&format!(
                    "Okta did not accept that code ({}); try again ({label})",
                    e.causes.first().unwrap_or(&e.summary).trim_end_matches('.')
                ));
            }
            Err(e) => return Err(errors::factor_error(ctx, &e, &label)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prompts_name_where_the_code_went() {
        let f: Factor = serde_json::from_value(json!({"factorType": "sms", "provider": "OKTA",
            "profile": {"phoneNumber": "+1 XXX-XXX-1234"}}))
        .unwrap();
        assert_eq!(
            prompt_for(&f, Kind::Sms, true),
            "One-time code sent by SMS to +1 XXX-XXX-1234 (press Enter to get a new one): "
        );
        let g: Factor = serde_json::from_value(
            json!({"factorType": "token:software:totp", "provider": "GOOGLE"}),
        )
        .unwrap();
        assert_eq!(
            prompt_for(&g, Kind::Totp, false),
            "Google Authenticator code: "
        );
        let y: Factor =
            serde_json::from_value(json!({"factorType": "token:hardware", "provider": "YUBICO"}))
                .unwrap();
        assert_eq!(
            prompt_for(&y, Kind::YubiKey, false),
            "YubiKey code (touch your YubiKey): "
        );
    }
}
