//! The authn transaction: primary authentication with the password,
//! resuming a step-up transaction, and driving the states to `SUCCESS`.

use plugin_api::{PluginError, Secret};
use serde_json::json;

use crate::api::{self, Authn};
use crate::errors;
use crate::factors;
use crate::verify;
use crate::Ctx;

/// Guard against a server that never finishes.
const MAX_STEPS: usize = 10;

/// A finished transaction.
#[derive(Debug)]
pub struct Done {
    /// One-time token that opens a session.
    pub session_token: Secret<String>,
    /// Where to go next (step-up: back to the app).
    pub next: Option<String>,
}

/// Primary authentication: password, then whatever Okta asks for.
pub fn sign_in(ctx: &Ctx) -> Result<Done, PluginError> {
    let password = ctx.password()?;
    let url = ctx.org.url("/api/v1/authn");
    ctx.host.debug(&format!(
        "signing in to {} as {}",
        ctx.org.base(),
        ctx.username
    ));
    let body = json!({
        "username": ctx.username,
        "password": password.expose(),
        "options": {"warnBeforePasswordExpired": true, "multiOptionalFactorEnroll": false}
    });
    let state = api::post::<Authn>(ctx.host, &url, &body)?
        .map_err(|e| errors::primary_auth_error(ctx, &e))?;
    drive(ctx, state)
}

/// Continue a transaction the app page started (step-up MFA).
pub fn resume(ctx: &Ctx, state_token: &str) -> Result<Done, PluginError> {
    ctx.host.add_secret(state_token);
    let url = ctx.org.url("/api/v1/authn");
    let state =
        api::post::<Authn>(ctx.host, &url, &json!({"stateToken": state_token}))?.map_err(|e| {
            if e.is_rate_limit() {
                errors::rate_limited(&e, time::OffsetDateTime::now_utc().unix_timestamp())
            } else {
                errors::factor_error(ctx, &e, "app's extra verification")
            }
        })?;
    drive(ctx, state)
}

fn state_token(a: &Authn) -> Result<String, PluginError> {
    a.state_token
        .clone()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            PluginError::protocol(format!("Okta's {} answer has no stateToken", a.status))
        })
}

/// Follow the transaction until `SUCCESS` or a status that ends it.
fn drive(ctx: &Ctx, mut state: Authn) -> Result<Done, PluginError> {
    let mut mfa_rounds = 0;
    for _ in 0..MAX_STEPS {
        errors::hide_tokens(ctx.host, &state);
        ctx.host
            .debug(&format!("Okta sign-in status: {}", state.status));
        match state.status.as_str() {
            "SUCCESS" => {
                let token = state
                    .session_token
                    .clone()
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| {
                        PluginError::protocol("Okta reported SUCCESS without a sessionToken")
                    })?;
                let next = state.links.get("next").map(|l| ctx.org.resolve(&l.href));
                return Ok(Done {
                    session_token: Secret::new(token),
                    next,
                });
            }
            "MFA_REQUIRED" => {
                // A second round would mean a second push or code: never loop.
                mfa_rounds += 1;
                if mfa_rounds > 1 {
                    return Err(PluginError::protocol(
                        "Okta asked for a second factor again right after it was verified",
                    )
                    .with_hint("run with -v and sign in once in a browser to check the org's factor policy"));
                }
                let st = state_token(&state)?;
                if state.embedded.factors.is_empty() {
                    return Err(PluginError::protocol(
                        "Okta asks for a second factor but lists no enrolled factor",
                    ));
                }
                let factor = factors::choose(ctx.host, ctx.req, &state.embedded.factors)?;
                state = verify::verify(ctx, &st, factor)?;
            }
            "PASSWORD_WARN" => {
                let st = state_token(&state)?;
                let days = state
                    .password_expire_days()
                    .map(|d| format!("in {d} days"))
                    .unwrap_or_else(|| "soon".into());
                ctx.host.warn(&format!(
                    "your Okta password expires {days}; change it at {}",
                    ctx.org.base()
                ));
                let skip = state.links.get("skip").ok_or_else(|| {
                    PluginError::protocol("Okta's PASSWORD_WARN answer has no skip link")
                })?;
                state = api::post::<Authn>(
                    ctx.host,
                    &ctx.org.resolve(&skip.href),
                    &json!({"stateToken": st}),
                )?
                .map_err(|e| errors::other_error(&e, "skipping the password warning"))?;
            }
            _ => return Err(errors::status_error(ctx, &state)),
        }
    }
    Err(PluginError::protocol(format!(
        "Okta's sign-in did not finish after {MAX_STEPS} steps"
    )))
}
