//! Okta Verify push through IDX: poll as the server says, show the number
//! challenge once, back off on 429, stop at `--mfa-timeout`.

use std::time::{Duration, Instant};

use plugin_api::{ErrorKind, PluginError};
use serde_json::{json, Value};

use super::wire::{correct_answer, messages, poll_remediation, request, success_href, Remediation};
use super::{now, read};
use crate::Ctx;

/// Poll interval when `challenge-poll` has no `refresh`.
const DEFAULT_REFRESH_MS: u64 = 4000;

/// Poll an Okta Verify push until the state moves on; the number challenge
/// is shown once, 429s back off until `X-Rate-Limit-Reset`, and
/// `--mfa-timeout` bounds it all.
pub(super) fn poll_push(
    ctx: &Ctx,
    mut state: Value,
    mut poll: Remediation,
) -> Result<Value, PluginError> {
    let timeout = Duration::from_secs(ctx.req.mfa.timeout_secs.max(1));
    let deadline = Instant::now() + timeout;
    let (mut notified, mut number_shown) = (false, false);
    loop {
        // The number may come with the first answer or a later poll: show
        // it once when it appears, the plain notice only before that.
        match correct_answer(&state) {
            Some(n) if !number_shown => {
                (notified, number_shown) = (true, true);
                ctx.host.notify(&format!(
                    "Okta Verify: tap {n} on your phone to approve the sign-in"
                ));
            }
            None if !notified => {
                notified = true;
                ctx.host
                    .notify("Okta Verify: approve the push notification on your phone");
            }
            _ => {}
        }
        let now = Instant::now();
        if now >= deadline {
            cancel(ctx, &state);
            return Err(PluginError::new(
                ErrorKind::MfaTimeout,
                format!(
                    "the Okta Verify push was not approved within {} s",
                    timeout.as_secs()
                ),
            )
            .with_hint("approve it sooner, or allow more time with --mfa-timeout SECONDS"));
        }
        let wait = Duration::from_millis(
            poll.refresh_ms
                .unwrap_or(DEFAULT_REFRESH_MS)
                .clamp(500, 10_000),
        );
        ctx.host.sleep(wait.min(deadline - now))?;
        let handle = state
            .get("stateHandle")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let resp = ctx.host.http(request(
            &ctx.org.resolve(&poll.href),
            &json!({ "stateHandle": handle }),
        ))?;
        if resp.status == 429 {
            let reset = resp
                .header("X-Rate-Limit-Reset")
                .and_then(|v| v.trim().parse::<i64>().ok());
            let secs = reset.map(|r| (r - now_unix()).clamp(1, 60)).unwrap_or(5) as u64;
            ctx.host.debug(&format!(
                "Okta rate-limited the push poll; waiting {secs} s as X-Rate-Limit-Reset says"
            ));
            let left = deadline.saturating_duration_since(Instant::now());
            ctx.host.sleep(Duration::from_secs(secs).min(left))?;
            continue;
        }
        state = read(ctx, &resp)?.state;
        if messages(&state).iter().any(|m| m.error) {
            return Ok(state);
        }
        match poll_remediation(&state) {
            Some(p) if success_href(&state).is_none() => poll = p,
            _ => return Ok(state),
        }
    }
}

pub(super) fn now_unix() -> i64 {
    now()
}

/// Cancel the transaction so a pending push stops showing (best effort).
pub(super) fn cancel(ctx: &Ctx, state: &Value) {
    let (Some(href), Some(handle)) = (
        state.pointer("/cancel/href").and_then(Value::as_str),
        state.get("stateHandle").and_then(Value::as_str),
    ) else {
        return;
    };
    let _ = ctx.host.http(request(
        &ctx.org.resolve(href),
        &json!({ "stateHandle": handle }),
    ));
}
