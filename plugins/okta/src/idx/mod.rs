//! Okta Identity Engine sign-in through the IDX API, as Okta's sign-in
//! widget does it, without a browser: the state token from the sign-in
//! page, `introspect`, then the remediation forms the server returns
//! (identify, challenge-authenticator, select-authenticator-authenticate,
//! challenge-poll) until `success`. A remediation we do not know is an
//! error naming it, never a guess.

mod authenticators;
mod failures;
mod push;
mod wire;

use plugin_api::{ErrorKind, HttpResponse, PluginError, Secret};
use serde_json::{json, Map, Value};

use self::authenticators::{
    choices, choose, classify_choice, verification_data_choices, wanted_here, Choice,
};
use self::failures::{dead_end, message_error, no_state_token, wrong_password};
use self::push::poll_push;
use self::wire::{
    credential_field, current_authenticator, has_field, messages, poll_remediation, remediations,
    request, success_href, Message,
};
use crate::api::{self, ApiError};
use crate::app::{self, AppPage};
use crate::errors;
use crate::factors::Kind;
use crate::session;
use crate::Ctx;

/// Guard against a server that never finishes.
const MAX_STEPS: usize = 16;
/// App visits that may send us back to the sign-in page.
const MAX_ROUNDS: usize = 3;
/// Tries for a mistyped code at the terminal.
const TYPED_CODE_TRIES: usize = 3;

/// Part of the error when an answer is not IDX at all (the org has no IDX
/// API at that URL): `flow=auto` then falls back to the classic API.
const NOT_IDX: &str = "without an Okta IDX body";

/// What an IDX login produced.
pub enum Outcome {
    Assertion(Secret<String>),
    /// The org started no IDX transaction (no state token on its sign-in
    /// page, or no IDX API): the error to report if nothing else works.
    NoIdx(PluginError),
}

/// OIDC client id of Okta's built-in End-User Dashboard (the same in every
/// org). Its authorize URL renders the sign-in page when the app link only
/// leads to the dashboard shell.
const DASHBOARD_CLIENT_ID: &str = "okta.2b1959c8-bcc0-56eb-a589-cfcfb7422f26";

/// Log in through IDX: stored session cookies first, then the app link's
/// sign-in page (or the dashboard's), then the remediations.
pub fn login(ctx: &Ctx, link: &str) -> Result<Outcome, PluginError> {
    let restored = session::restore_cookies(ctx.host);
    if restored {
        ctx.host
            .debug("trying the stored Okta Identity Engine session");
    }
    let mut resp = ctx.host.http(session::get(link, None))?;
    let mut tried_dashboard = false;
    for round in 0..MAX_ROUNDS {
        let page = app::classify(&resp);
        let state_token = match page {
            AppPage::Saml(assertion) => {
                ctx.host.add_secret(assertion.expose());
                session::keep_cookies(ctx.host);
                return Ok(Outcome::Assertion(assertion));
            }
            AppPage::StepUp { state_token } => state_token,
            AppPage::SignIn | AppPage::Other(_)
                if round == 0 && !tried_dashboard && resp.status < 400 =>
            {
                // Some OIE orgs send a signed-out user from the app link to
                // the dashboard shell: its sign-in page is the authorize URL.
                tried_dashboard = true;
                let page = ctx
                    .host
                    .http(session::get(&dashboard_authorize_url(ctx), None))?;
                match app::classify(&page) {
                    AppPage::StepUp { state_token } => {
                        ctx.host
                            .debug("signing in through the Okta dashboard's sign-in page");
                        let next = match sign_in(ctx, &state_token) {
                            Err(e) if e.message.contains(NOT_IDX) => return Ok(Outcome::NoIdx(e)),
                            other => other?,
                        };
                        // The success redirect sets the session; the app
                        // link then answers with the SAML form.
                        let _ = ctx.host.http(session::get(&next, None))?;
                        resp = ctx.host.http(session::get(link, None))?;
                        continue;
                    }
                    _ => return Ok(Outcome::NoIdx(no_state_token())),
                }
            }
            AppPage::SignIn => return Ok(Outcome::NoIdx(no_state_token())),
            AppPage::Other(what) => return Err(app::no_assertion(&what)),
        };
        if restored && round == 0 {
            ctx.host
                .debug("the stored Okta session has expired; signing in again");
            session::forget_cookies(ctx.host);
        }
        let next = match sign_in(ctx, &state_token) {
            Err(e) if round == 0 && e.message.contains(NOT_IDX) => return Ok(Outcome::NoIdx(e)),
            other => other?,
        };
        ctx.host
            .debug(&format!("IDX success: opening {}", api::path_of(&next)));
        resp = ctx.host.http(session::get(&next, None))?;
    }
    Err(PluginError::protocol(
        "the AWS app keeps sending us back to Okta's sign-in page after a successful sign-in",
    )
    .with_hint("the app's authentication policy may need something this plugin cannot do headlessly; try the device flow (--plugin-option client-id=...)"))
}

/// The dashboard's authorize URL. Its PKCE challenge is never redeemed (we
/// only need the page), but must be well formed for Okta to render it.
fn dashboard_authorize_url(ctx: &Ctx) -> String {
    let nonce = format!(
        "{:032x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
            ^ u128::from(std::process::id())
    );
    let challenge: String = format!("{nonce}{nonce}").chars().take(43).collect();
    let mut url = match url::Url::parse(&ctx.org.url("/oauth2/v1/authorize")) {
        Ok(u) => u,
        Err(_) => return ctx.org.url("/oauth2/v1/authorize"),
    };
    url.query_pairs_mut()
        .append_pair("client_id", DASHBOARD_CLIENT_ID)
        .append_pair("redirect_uri", &ctx.org.url("/enduser/callback"))
        .append_pair("response_type", "code")
        .append_pair("scope", "openid profile email okta.users.read.self")
        .append_pair("state", &nonce)
        .append_pair("nonce", &nonce)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    url.into()
}

/// Run the IDX transaction of `state_token` to its success redirect.
pub fn sign_in(ctx: &Ctx, state_token: &str) -> Result<String, PluginError> {
    ctx.host.add_secret(state_token);
    let url = ctx.org.url("/idp/idx/introspect");
    let state = post(ctx, &url, json!({ "stateToken": state_token }))?.state;
    drive(ctx, state)
}

/// One IDX answer.
struct Answer {
    state: Value,
}

/// POST an ion+json body; HTTP errors with an IDX body are states (they
/// carry `messages`), 429 is a rate-limit error, anything else a protocol error.
fn post(ctx: &Ctx, href: &str, body: Value) -> Result<Answer, PluginError> {
    let resp = ctx.host.http(request(href, &body))?;
    read(ctx, &resp)
}

fn read(ctx: &Ctx, resp: &HttpResponse) -> Result<Answer, PluginError> {
    let body: Option<Value> = serde_json::from_slice(&resp.body).ok();
    if resp.status == 429 {
        // An IDX body with Okta's words (`tooManyRequests`, `errors.E0000150`
        // "limit of sms requests") is read as a state; Okta's `E0000047`
        // error object is the org's rate limit with its reset time.
        if let Some(state) = body.filter(|b| !messages(b).is_empty()) {
            return Ok(Answer { state });
        }
        let e = ApiError::from_response(resp).unwrap_or_else(|| rate_error(resp));
        return Err(errors::rate_limited(&e, now()));
    }
    if let Some(e) = body.as_ref().and_then(|b| network_block(resp, b)) {
        return Err(e);
    }
    let state: Value = body.ok_or_else(|| {
        PluginError::protocol(format!(
            "POST {} answered HTTP {} {NOT_IDX}",
            api::path_of(&resp.url),
            resp.status
        ))
        .with_hint("check that -e is the AWS app's embed link in your Okta org")
    })?;
    if !resp.is_success() && state.get("remediation").is_none() && messages(&state).is_empty() {
        if let Some(e) = ApiError::from_response(resp) {
            return Err(errors::other_error(&e, "the Identity Engine sign-in"));
        }
        return Err(PluginError::protocol(format!(
            "POST {} answered HTTP {}",
            api::path_of(&resp.url),
            resp.status
        )));
    }
    hide(ctx, &state);
    Ok(Answer { state })
}

/// A refusal that is not IDX at all: a network zone or proxy in front of
/// Okta answering `{"error": "Forbidden", "message": "Access denied by
/// network policy"}` (okta-signin-widget mock `error-403-proxy-block.json`).
fn network_block(resp: &HttpResponse, body: &Value) -> Option<PluginError> {
    if resp.status != 403 || body.get("remediation").is_some() {
        return None;
    }
    let message = body.get("message").and_then(Value::as_str)?.trim();
    let error = body
        .get("error")
        .and_then(Value::as_str)
        .unwrap_or_default();
    Some(
        PluginError::other(format!(
            "Okta's network policy blocked this sign-in ({}: {message})",
            if error.is_empty() { "HTTP 403" } else { error }
        ))
        .with_hint(
            "connect to the network or VPN your Okta org allows sign-ins from, then run again",
        ),
    )
}

fn rate_error(resp: &HttpResponse) -> ApiError {
    ApiError {
        status: resp.status,
        rate_limit_reset: resp
            .header("X-Rate-Limit-Reset")
            .and_then(|v| v.trim().parse().ok()),
        ..ApiError::default()
    }
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Register the state handle for redaction.
fn hide(ctx: &Ctx, state: &Value) {
    if let Some(h) = state.get("stateHandle").and_then(Value::as_str) {
        ctx.host.add_secret(h);
    }
}

/// What the plugin did last (for reading Okta's error messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Last {
    Start,
    Password,
    Code,
    Push,
    Select,
}

/// Follow the remediations until `success`; returns its href.
fn drive(ctx: &Ctx, mut state: Value) -> Result<String, PluginError> {
    let mut last = Last::Start;
    let mut identified = false;
    let mut password_sent = false;
    let mut push_sent = false;
    let mut code_label = String::new();
    let mut skipped = 0;
    let mut code_tries_left = TYPED_CODE_TRIES;
    let mut selected: Option<Choice> = None;
    let mut data_steps = 0;
    for _ in 0..MAX_STEPS {
        if let Some(href) = success_href(&state) {
            return Ok(ctx.org.resolve(&href));
        }
        let errors: Vec<Message> = messages(&state).into_iter().filter(|m| m.error).collect();
        let mut retry_code = false;
        if !errors.is_empty() {
            // A person who mistyped a code gets Okta's words and another
            // try; a code command would only repeat the same code.
            let typed = ctx.req.interactive && !ctx.req.mfa.code_source;
            let can_retry = last == Last::Code
                && typed
                && code_tries_left > 1
                && remediations(&state)
                    .iter()
                    .any(|r| r.name == "challenge-authenticator");
            if !can_retry {
                return Err(message_error(ctx, &errors, last, &code_label));
            }
            code_tries_left -= 1;
            retry_code = true;
            let text: Vec<&str> = errors.iter().map(|m| m.text.as_str()).collect();
            ctx.host
                .notify(&format!("Okta: {} ({code_label})", text.join("; ")));
        }
        let handle = state
            .get("stateHandle")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let rems = remediations(&state);
        let find = |n: &str| rems.iter().find(|r| r.name == n);
        let names: Vec<&str> = rems.iter().map(|r| r.name.as_str()).collect();
        ctx.host
            .debug(&format!("IDX remediations: {}", names.join(", ")));

        // Okta may send the push itself (the user's remembered choice,
        // `autoChallenge`): the state then already carries `challenge-poll`
        // for Okta Verify push. Poll that one instead of selecting push
        // again, which would buzz the phone twice.
        if !push_sent && poll_remediation(&state).is_some() && last != Last::Push {
            let (key, method) = current_authenticator(&state);
            let cur = classify_choice(&key, &method, "", Map::new());
            if cur.kind == Kind::Push && wanted_here(ctx, &cur) {
                ctx.host
                    .debug("IDX: Okta sent the Okta Verify push itself; polling it");
                push_sent = true;
                code_label = cur.label;
            }
        }
        if let (Some(poll), true) = (poll_remediation(&state), push_sent) {
            state = poll_push(ctx, state.clone(), poll)?;
            last = Last::Push;
            continue;
        }
        if let Some(r) = find("identify") {
            if identified {
                return Err(PluginError::protocol(
                    "Okta asked for the username again after accepting it",
                ));
            }
            identified = true;
            let mut body = json!({"identifier": ctx.username, "stateHandle": handle});
            if has_field(r, "credentials") {
                let password = ctx.password()?;
                body["credentials"] = json!({ credential_field(r): password.expose() });
                password_sent = true;
                last = Last::Password;
            } else {
                last = Last::Start;
            }
            state = post(ctx, &ctx.org.resolve(&r.href), body)?.state;
            continue;
        }
        // Okta may open a challenge for the authenticator it prefers; when
        // that is not the one asked for (or a code nobody can type), switch
        // through the select form it offers next to it.
        let switch = find("select-authenticator-authenticate").is_some()
            && last != Last::Select
            && !retry_code
            && {
                let (key, method) = current_authenticator(&state);
                let cur = classify_choice(&key, &method, "", Map::new());
                !cur.is_password && !wanted_here(ctx, &cur)
            };
        if let (Some(r), false) = (find("challenge-authenticator"), switch) {
            let (key, kind) = current_authenticator(&state);
            let field = credential_field(r);
            let secret = if key == "okta_password" || kind == "password" {
                if password_sent && last == Last::Password {
                    return Err(wrong_password(ctx, "Okta asked for the password again"));
                }
                password_sent = true;
                last = Last::Password;
                ctx.password()?
            } else {
                if last == Last::Code && !retry_code {
                    return Err(PluginError::new(
                        ErrorKind::MfaRejected,
                        format!("Okta did not accept the {code_label}"),
                    ));
                }
                if code_label.is_empty() {
                    code_label = code_label_for(&key, &kind);
                }
                last = Last::Code;
                let c = ctx.host.mfa_code(&code_prompt(&code_label))?;
                let c = Secret::new(c.expose().trim().to_string());
                if c.expose().is_empty() {
                    return Err(PluginError::new(
                        ErrorKind::Cancelled,
                        format!("no code was entered for the {code_label}"),
                    ));
                }
                c
            };
            ctx.host.add_secret(secret.expose());
            let body = json!({"credentials": { field: secret.expose() }, "stateHandle": handle});
            state = post(ctx, &ctx.org.resolve(&r.href), body)?.state;
            continue;
        }
        // Okta asks which method of the authenticator to use (Phone: SMS
        // or voice; Email: "Send me an email"; Okta Verify without
        // autoChallenge) before it sends anything.
        let data = find("authenticator-verification-data").map(|r| {
            let all = verification_data_choices(&state, r);
            let picked = selected
                .as_ref()
                .filter(|s| s.kind != Kind::Unsupported)
                .and_then(|s| all.iter().find(|c| c.kind == s.kind).cloned());
            (r, all, picked)
        });
        if let Some((r, all, picked)) = data.filter(|(_, all, picked)| {
            // Not the authenticator wanted, and Okta offers the others:
            // choose there instead.
            picked.is_some()
                || find("select-authenticator-authenticate").is_none()
                || all
                    .iter()
                    .any(|c| c.kind != Kind::Unsupported && wanted_here(ctx, c))
        }) {
            if data_steps >= 2 {
                return Err(dead_end(ctx, &state, &names));
            }
            data_steps += 1;
            let choice = match picked {
                Some(c) => c,
                None => choose(ctx, &all)?,
            };
            if choice.kind == Kind::Push {
                if push_sent {
                    return Err(PluginError::protocol(
                        "Okta asked for a second Okta Verify push in one sign-in; not sending another",
                    ));
                }
                push_sent = true;
            }
            code_label = choice.label.clone();
            ctx.host
                .debug(&format!("IDX: verifying with {}", choice.label));
            last = Last::Select;
            let body =
                json!({"authenticator": Value::Object(choice.body.clone()), "stateHandle": handle});
            state = post(ctx, &ctx.org.resolve(&r.href), body)?.state;
            continue;
        }
        if let Some(r) = find("select-authenticator-authenticate") {
            let all = choices(&state, r);
            let choice = match all.iter().find(|c| c.is_password && !password_sent) {
                Some(p) => p.clone(),
                None => {
                    let mfa: Vec<Choice> = all.into_iter().filter(|c| !c.is_password).collect();
                    choose(ctx, &mfa)?
                }
            };
            if choice.kind == Kind::Push {
                if push_sent {
                    return Err(PluginError::protocol(
                        "Okta asked for a second Okta Verify push in one sign-in; not sending another",
                    ));
                }
                push_sent = true;
            }
            if !choice.is_password {
                code_label = choice.label.clone();
            }
            ctx.host.debug(&format!("IDX: selecting {}", choice.label));
            if !choice.is_password {
                selected = Some(choice.clone());
            }
            last = Last::Select;
            let body =
                json!({"authenticator": Value::Object(choice.body.clone()), "stateHandle": handle});
            state = post(ctx, &ctx.org.resolve(&r.href), body)?.state;
            continue;
        }
        if let Some(r) = find("skip") {
            // An optional step (password expiring soon, optional enrolment):
            // say what Okta said and go on, as the widget's "Remind me later".
            for m in messages(&state)
                .iter()
                .filter(|m| !m.error && !m.text.is_empty())
            {
                ctx.host.warn(&format!(
                    "Okta: {} (sign in at {} to act on it)",
                    m.text.trim_end_matches('.'),
                    ctx.org.base()
                ));
            }
            if skipped >= 2 {
                return Err(dead_end(ctx, &state, &names));
            }
            skipped += 1;
            state = post(
                ctx,
                &ctx.org.resolve(&r.href),
                json!({ "stateHandle": handle }),
            )?
            .state;
            continue;
        }
        return Err(dead_end(ctx, &state, &names));
    }
    Err(PluginError::protocol(format!(
        "Okta's Identity Engine sign-in did not finish after {MAX_STEPS} steps"
    )))
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The prompt for a one-time code; labels that come from Okta ("Phone",
/// "Okta Verify") get the word "code" added, so the user (and scripts
/// driving the terminal) know what is asked.
fn code_prompt(label: &str) -> String {
    let label = capitalize(label);
    if label.to_ascii_lowercase().contains("code") {
        format!("{label}: ")
    } else {
        format!("{label} code: ")
    }
}

fn code_label_for(key: &str, method: &str) -> String {
    match (key, method) {
        ("okta_verify", _) => "Okta Verify code",
        ("google_otp", _) => "Google Authenticator code",
        (_, "sms") => "SMS code",
        (_, "voice") => "voice call code",
        ("okta_email", _) | (_, "email") => "email code",
        _ => "verification code",
    }
    .to_string()
}
