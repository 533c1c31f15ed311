//! Okta Identity Engine sign-in through the IDX API, as Okta's sign-in
//! widget does it, without a browser: the state token from the sign-in
//! page, `introspect`, then the remediation forms the server returns
//! (identify, challenge-authenticator, select-authenticator-authenticate,
//! challenge-poll) until `success`. A remediation we do not know is an
//! error naming it, never a guess.

use std::time::{Duration, Instant};

use plugin_api::{ErrorKind, HttpRequest, HttpResponse, PluginError, Secret};
use serde_json::{json, Map, Value};

use crate::api::{self, ApiError};
use crate::app::{self, AppPage};
use crate::errors;
use crate::factors::{Kind, Wanted};
use crate::session;
use crate::Ctx;

/// The media type Okta's own IDX clients send and accept.
pub const ION: &str = "application/ion+json; okta-version=1.0.0";
/// Guard against a server that never finishes.
const MAX_STEPS: usize = 16;
/// App visits that may send us back to the sign-in page.
const MAX_ROUNDS: usize = 3;
/// Tries for a mistyped code at the terminal.
const TYPED_CODE_TRIES: usize = 3;
/// Poll interval when `challenge-poll` has no `refresh`.
const DEFAULT_REFRESH_MS: u64 = 4000;

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

fn no_state_token() -> PluginError {
    PluginError::protocol(
        "Okta's sign-in page holds no state token to start an Identity Engine sign-in",
    )
    .with_hint("try --plugin-option flow=classic, or the device flow with --plugin-option client-id=<OIDC native app id>")
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

fn request(href: &str, body: &Value) -> HttpRequest {
    let mut req = HttpRequest::post_json(href, body);
    req.headers.retain(|(k, _)| {
        !k.eq_ignore_ascii_case("content-type") && !k.eq_ignore_ascii_case("accept")
    });
    req.header("Content-Type", ION).header("Accept", ION)
}

fn read(ctx: &Ctx, resp: &HttpResponse) -> Result<Answer, PluginError> {
    if resp.status == 429 {
        let e = ApiError::from_response(resp).unwrap_or_else(|| rate_error(resp));
        return Err(errors::rate_limited(&e, now()));
    }
    let state: Value = serde_json::from_slice(&resp.body).map_err(|_| {
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

/// A remediation form.
#[derive(Debug, Clone)]
pub struct Remediation {
    pub name: String,
    pub href: String,
    pub fields: Vec<Value>,
    pub refresh_ms: Option<u64>,
}

/// The remediations of a state, in the server's order.
pub fn remediations(state: &Value) -> Vec<Remediation> {
    state
        .pointer("/remediation/value")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|r| {
                    Some(Remediation {
                        name: r.get("name")?.as_str()?.to_string(),
                        href: r.get("href")?.as_str()?.to_string(),
                        fields: r
                            .get("value")
                            .and_then(Value::as_array)
                            .cloned()
                            .unwrap_or_default(),
                        refresh_ms: r.get("refresh").and_then(Value::as_u64),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A message Okta shows (`messages.value[]`, top level).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub key: String,
    pub error: bool,
}

/// Top-level messages, then those Okta attaches to form fields (a wrong
/// password may come as `credentials.passcode.messages`).
pub fn messages(state: &Value) -> Vec<Message> {
    let mut out = message_list(state.pointer("/messages/value"));
    if let Some(rems) = state.pointer("/remediation/value") {
        field_messages(rems, 0, &mut out);
    }
    out
}

fn field_messages(v: &Value, depth: usize, out: &mut Vec<Message>) {
    if depth > 8 {
        return;
    }
    match v {
        Value::Array(items) => items.iter().for_each(|i| field_messages(i, depth + 1, out)),
        Value::Object(map) => {
            for (k, child) in map {
                if k == "messages" {
                    out.extend(message_list(child.get("value")));
                } else {
                    field_messages(child, depth + 1, out);
                }
            }
        }
        _ => {}
    }
}

fn message_list(list: Option<&Value>) -> Vec<Message> {
    list.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|m| Message {
                    text: m
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .trim()
                        .to_string(),
                    key: m
                        .pointer("/i18n/key")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    // A message without a class is an error too.
                    error: matches!(m.get("class").and_then(Value::as_str), None | Some("ERROR")),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `success.href` once the transaction is done.
pub fn success_href(state: &Value) -> Option<String> {
    state
        .pointer("/success/href")
        .and_then(Value::as_str)
        .filter(|h| !h.is_empty())
        .map(str::to_owned)
}

/// The number to tap in Okta Verify.
pub fn correct_answer(state: &Value) -> Option<String> {
    match state.pointer("/currentAuthenticator/value/contextualData/correctAnswer")? {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// The `credentials` sub-field a form expects (`passcode`, or `totp` for
/// Okta Verify codes).
fn credential_field(r: &Remediation) -> String {
    r.fields
        .iter()
        .find(|f| f.get("name").and_then(Value::as_str) == Some("credentials"))
        .and_then(|f| f.pointer("/form/value/0/name"))
        .and_then(Value::as_str)
        .unwrap_or("passcode")
        .to_string()
}

fn has_field(r: &Remediation, name: &str) -> bool {
    r.fields
        .iter()
        .any(|f| f.get("name").and_then(Value::as_str) == Some(name))
}

/// What the current challenge is for: `(key, type)` of
/// `currentAuthenticatorEnrollment` or `currentAuthenticator`.
fn current_authenticator(state: &Value) -> (String, String) {
    let cur = state
        .pointer("/currentAuthenticatorEnrollment/value")
        .or_else(|| state.pointer("/currentAuthenticator/value"));
    let get = |k: &str| {
        cur.and_then(|c| c.get(k))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let method = cur
        .and_then(|c| c.pointer("/methods/0/type"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let key = get("key");
    let kind = get("type");
    (key, if method.is_empty() { kind } else { method })
}

/// One way to verify the user offered by `select-authenticator-authenticate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub kind: Kind,
    /// `okta`, `google`, ... for codes.
    pub provider: String,
    pub label: String,
    pub is_password: bool,
    /// The `authenticator` object to post.
    pub body: Map<String, Value>,
    /// For unsupported ones: what to call it.
    pub unsupported: Option<String>,
}

/// Every (authenticator, method) pair of a select form.
pub fn choices(state: &Value, r: &Remediation) -> Vec<Choice> {
    let options = r
        .fields
        .iter()
        .find(|f| f.get("name").and_then(Value::as_str) == Some("authenticator"))
        .and_then(|f| f.get("options"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut out = Vec::new();
    for opt in options {
        let label = opt
            .get("label")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let key = opt
            .get("relatesTo")
            .and_then(Value::as_str)
            .and_then(|p| resolve(state, p))
            .and_then(|a| a.get("key").and_then(Value::as_str))
            .map(str::to_owned)
            .unwrap_or_else(|| key_from_label(&label));
        let fields = opt
            .pointer("/value/form/value")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut fixed = Map::new();
        let mut methods: Vec<(String, String)> = Vec::new();
        for f in &fields {
            let name = f.get("name").and_then(Value::as_str).unwrap_or_default();
            if name == "methodType" {
                if let Some(v) = f.get("value").and_then(Value::as_str) {
                    methods.push((v.to_string(), String::new()));
                }
                for o in f
                    .get("options")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(v) = o.get("value").and_then(Value::as_str) {
                        let l = o.get("label").and_then(Value::as_str).unwrap_or_default();
                        methods.push((v.to_string(), l.to_string()));
                    }
                }
            } else if let Some(v) = f.get("value") {
                if !name.is_empty() {
                    fixed.insert(name.to_string(), v.clone());
                }
            }
        }
        if methods.is_empty() {
            methods.push((String::new(), String::new()));
        }
        for (method, _) in methods {
            let mut body = fixed.clone();
            if !method.is_empty() {
                body.insert("methodType".into(), Value::String(method.clone()));
            }
            out.push(classify_choice(&key, &method, &label, body));
        }
    }
    out
}

fn key_from_label(label: &str) -> String {
    let l = label.to_ascii_lowercase();
    if l.contains("okta verify") {
        "okta_verify"
    } else if l.contains("google") {
        "google_otp"
    } else if l.contains("password") {
        "okta_password"
    } else if l.contains("email") {
        "okta_email"
    } else if l.contains("phone") {
        "phone_number"
    } else {
        ""
    }
    .to_string()
}

fn classify_choice(key: &str, method: &str, label: &str, body: Map<String, Value>) -> Choice {
    let base = |kind: Kind, provider: &str, label: String| Choice {
        kind,
        provider: provider.to_string(),
        label,
        is_password: false,
        body: body.clone(),
        unsupported: None,
    };
    let unsupported = |name: &str| Choice {
        unsupported: Some(name.to_string()),
        ..base(Kind::Unsupported, "", name.to_string())
    };
    match (key, method) {
        ("okta_password", _) | (_, "password") => Choice {
            is_password: true,
            ..base(Kind::Unsupported, "", "password".into())
        },
        ("okta_verify", "push") => base(Kind::Push, "okta", "Okta Verify push".into()),
        ("okta_verify", "totp") => base(Kind::Totp, "okta", "Okta Verify code".into()),
        ("okta_verify", "signed_nonce") => unsupported("Okta FastPass"),
        ("google_otp", _) => base(Kind::Totp, "google", "Google Authenticator code".into()),
        ("phone_number", "sms") => base(Kind::Sms, "okta", "SMS code".into()),
        ("phone_number", "voice") => base(Kind::Call, "okta", "voice call code".into()),
        ("okta_email", _) => base(Kind::Email, "okta", "email code".into()),
        ("webauthn", _) => unsupported("WebAuthn (security key or biometric)"),
        ("duo", _) => unsupported("Duo Security"),
        ("security_question", _) => unsupported("security question"),
        ("smart_card_idp", _) => unsupported("smart card (PIV)"),
        ("external_idp", _) => unsupported(&format!("external IdP '{label}'")),
        _ => unsupported(if label.is_empty() { key } else { label }),
    }
}

/// Follow a JSONPath-like `$.authenticatorEnrollments.value[0]`.
fn resolve<'a>(state: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = state;
    for part in path.strip_prefix("$.")?.split('.') {
        let (name, index) = match part.split_once('[') {
            Some((n, rest)) => (n, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        cur = cur.get(name)?;
        if let Some(i) = index {
            cur = cur.get(i)?;
        }
    }
    Some(cur)
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
                let c = ctx
                    .host
                    .mfa_code(&format!("{}: ", capitalize(&code_label)))?;
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

fn wrong_password(ctx: &Ctx, okta_says: &str) -> PluginError {
    PluginError::auth(format!(
        "Okta rejected the username or password for {}: {okta_says}",
        ctx.username
    ))
    .with_hint("check -u and the password source (prompt, AWSPROCESSCREDS_PASSWORD, --password-command, keychain); repeated failures lock the account")
}

/// Okta's ERROR messages turned into one error, by what we did last.
fn message_error(ctx: &Ctx, errors: &[Message], last: Last, code_label: &str) -> PluginError {
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
    if keys.contains("locked") {
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
    if keys.contains("idx.session.expired") || keys.contains("session has expired") {
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

fn locked(ctx: &Ctx) -> PluginError {
    PluginError::auth(format!("the Okta account {} is locked", ctx.username)).with_hint(format!(
        "wait for the lockout to end, unlock it at {} (Unlock account), or ask your Okta administrator",
        ctx.org.base()
    ))
}

/// No remediation we can follow: say why in the user's terms.
fn dead_end(ctx: &Ctx, state: &Value, names: &[&str]) -> PluginError {
    let has = |n: &str| names.contains(&n);
    let base = ctx.org.base();
    if has("unlock-account") && !has("identify") {
        return locked(ctx);
    }
    if has("reenroll-authenticator") || has("reset-authenticator") {
        return PluginError::auth(format!("the Okta password of {} has expired", ctx.username))
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
        return PluginError::not_supported(format!(
            "Okta requires {} to set up an authenticator first",
            ctx.username
        ))
        .with_hint(format!(
            "sign in at {base} in a browser and enroll Okta Verify (or another authenticator), then run again"
        ));
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

fn headless_policy(why: &str) -> PluginError {
    PluginError::not_supported(format!(
        "Okta's policy cannot be satisfied without a browser: {why}"
    ))
    .with_hint("use the device flow: --plugin-option client-id=<OIDC native app id> (ask your Okta administrator for one with the Device Authorization and Token Exchange grants)")
}

/// Whether the user's settings accept the authenticator Okta chose itself.
fn wanted_here(ctx: &Ctx, cur: &Choice) -> bool {
    if cur.kind == Kind::Unsupported {
        return true; // not ours to judge: the server's form decides
    }
    match ctx
        .req
        .mfa
        .factor
        .as_deref()
        .filter(|f| !f.trim().is_empty())
    {
        Some(raw) => Wanted::parse(raw).is_ok_and(|w| {
            w.kind == cur.kind && w.provider.as_ref().is_none_or(|p| *p == cur.provider)
        }),
        None => ctx.req.interactive || ctx.req.mfa.code_source || !cur.kind.needs_code(),
    }
}

/// Pick an authenticator by `--mfa-factor`, a menu, or the no-terminal rules.
pub fn choose(ctx: &Ctx, all: &[Choice]) -> Result<Choice, PluginError> {
    let req = ctx.req;
    let usable: Vec<&Choice> = all.iter().filter(|c| c.kind != Kind::Unsupported).collect();
    let offered = || {
        all.iter()
            .map(|c| c.label.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(raw) = req.mfa.factor.as_deref().filter(|s| !s.trim().is_empty()) {
        let wanted = Wanted::parse(raw)?;
        // `totp` alone: Okta Verify's code when enrolled, else Google's.
        let mut matching: Vec<&Choice> = usable
            .iter()
            .copied()
            .filter(|c| {
                c.kind == wanted.kind && wanted.provider.as_ref().is_none_or(|p| *p == c.provider)
            })
            .collect();
        matching.sort_by_key(|c| c.provider != "okta");
        let c = matching.first().copied().ok_or_else(|| {
            PluginError::config(format!(
                "--mfa-factor {raw}: Okta does not offer that authenticator here; it offers {}",
                offered()
            ))
            .with_hint("pass one of push, totp, totp:okta, totp:google, sms, call, email, or leave --mfa-factor out to be asked")
        })?;
        if c.kind.needs_code() && !req.interactive && !req.mfa.code_source {
            return Err(PluginError::new(
                ErrorKind::NoTerminal,
                format!(
                    "the {} needs a code, and there is no terminal to type it",
                    c.label
                ),
            )
            .with_hint("set --mfa-code-command to supply codes, or use --mfa-factor push"));
        }
        return Ok(c.clone());
    }
    if usable.is_empty() {
        let names: Vec<String> = all.iter().filter_map(|c| c.unsupported.clone()).collect();
        return Err(PluginError::not_supported(format!(
            "Okta asks for {}, which the okta provider cannot verify without a browser",
            if names.is_empty() { offered() } else { names.join(", ") }
        ))
        .with_hint("enroll Okta Verify (push or code), an authenticator app, SMS, voice or email, or use the device flow (--plugin-option client-id=...)"));
    }
    if req.interactive {
        if usable.len() == 1 {
            return Ok(usable[0].clone());
        }
        let labels: Vec<String> = usable.iter().map(|c| c.label.clone()).collect();
        let i = ctx.host.choose("Choose how to verify with Okta", &labels)?;
        return usable
            .get(i)
            .map(|c| (*c).clone())
            .ok_or_else(|| PluginError::new(ErrorKind::Cancelled, "no authenticator was chosen"));
    }
    if let Some(push) = usable.iter().find(|c| c.kind == Kind::Push) {
        return Ok((*push).clone());
    }
    if req.mfa.code_source {
        if let Some(c) = usable.iter().find(|c| c.kind == Kind::Totp) {
            return Ok((*c).clone());
        }
        return Ok(usable[0].clone());
    }
    Err(PluginError::new(
        ErrorKind::NoTerminal,
        format!(
            "Okta asks for a code ({}), and there is no terminal to choose or type it",
            offered()
        ),
    )
    .with_hint(
        "set --mfa-code-command (e.g. with --mfa-factor totp), or enroll Okta Verify and use push",
    ))
}

/// Where to poll: the `challenge-poll` remediation, or the `poll` form
/// Okta puts under `currentAuthenticator(Enrollment).value`.
fn poll_remediation(state: &Value) -> Option<Remediation> {
    if let Some(r) = remediations(state)
        .into_iter()
        .find(|r| r.name == "challenge-poll")
    {
        return Some(r);
    }
    [
        "/currentAuthenticator/value/poll",
        "/currentAuthenticatorEnrollment/value/poll",
    ]
    .iter()
    .find_map(|p| state.pointer(p))
    .and_then(|r| {
        Some(Remediation {
            name: "poll".into(),
            href: r.get("href")?.as_str()?.to_string(),
            fields: Vec::new(),
            refresh_ms: r.get("refresh").and_then(Value::as_u64),
        })
    })
}

/// Poll an Okta Verify push until the state moves on; the number challenge
/// is shown once, 429s back off until `X-Rate-Limit-Reset`, and
/// `--mfa-timeout` bounds it all.
fn poll_push(ctx: &Ctx, mut state: Value, mut poll: Remediation) -> Result<Value, PluginError> {
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

fn now_unix() -> i64 {
    now()
}

/// Cancel the transaction so a pending push stops showing (best effort).
fn cancel(ctx: &Ctx, state: &Value) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn select_state() -> Value {
        json!({
            "stateHandle": "02x",
            "remediation": {"type": "array", "value": [{
                "name": "select-authenticator-authenticate", "href": "https://o/idp/idx/challenge",
                "value": [{"name": "authenticator", "type": "object", "options": [
                    {"label": "Okta Verify", "relatesTo": "$.authenticatorEnrollments.value[0]",
                     "value": {"form": {"value": [
                        {"name": "id", "value": "aut1", "required": true},
                        {"name": "methodType", "options": [
                            {"label": "Use Okta FastPass", "value": "signed_nonce"},
                            {"label": "Get a push notification", "value": "push"},
                            {"label": "Enter a code", "value": "totp"}]}]}}},
                    {"label": "Phone", "relatesTo": "$.authenticatorEnrollments.value[1]",
                     "value": {"form": {"value": [
                        {"name": "id", "value": "aut2"},
                        {"name": "methodType", "options": [{"value": "sms"}, {"value": "voice"}]},
                        {"name": "enrollmentId", "value": "pae2"}]}}},
                    {"label": "Security Key or Biometric", "relatesTo": "$.authenticatorEnrollments.value[2]",
                     "value": {"form": {"value": [{"name": "id", "value": "aut3"}, {"name": "methodType", "value": "webauthn"}]}}}
                ]}, {"name": "stateHandle", "value": "02x"}]
            }]},
            "authenticatorEnrollments": {"type": "array", "value": [
                {"key": "okta_verify", "type": "app"}, {"key": "phone_number", "type": "phone"},
                {"key": "webauthn", "type": "security_key"}]}
        })
    }

    #[test]
    fn select_form_expands_to_one_choice_per_method() {
        let st = select_state();
        let r = remediations(&st);
        assert_eq!(r.len(), 1);
        let c = choices(&st, &r[0]);
        let kinds: Vec<Kind> = c.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::Unsupported,
                Kind::Push,
                Kind::Totp,
                Kind::Sms,
                Kind::Call,
                Kind::Unsupported
            ]
        );
        assert_eq!(c[0].unsupported.as_deref(), Some("Okta FastPass"));
        assert_eq!(
            Value::Object(c[1].body.clone()),
            json!({"id": "aut1", "methodType": "push"})
        );
        assert_eq!(
            Value::Object(c[3].body.clone()),
            json!({"id": "aut2", "methodType": "sms", "enrollmentId": "pae2"})
        );
        assert!(c[5].label.contains("WebAuthn"));
    }

    #[test]
    fn reads_messages_success_and_number() {
        let st = json!({"messages": {"value": [{"message": "Password is incorrect", "i18n": {"key": "incorrectPassword"}, "class": "ERROR"}]},
            "success": {"name": "success-redirect", "href": "https://o/login/token/redirect?stateToken=x"},
            "currentAuthenticator": {"value": {"contextualData": {"correctAnswer": 42}}}});
        assert_eq!(
            messages(&st),
            vec![Message {
                text: "Password is incorrect".into(),
                key: "incorrectPassword".into(),
                error: true
            }]
        );
        assert_eq!(
            success_href(&st).as_deref(),
            Some("https://o/login/token/redirect?stateToken=x")
        );
        assert_eq!(correct_answer(&st).as_deref(), Some("42"));
    }

    #[test]
    fn requests_use_okta_ion_media_type() {
        let r = request("https://o/idp/idx/introspect", &json!({"stateToken": "t"}));
        let ct: Vec<_> = r
            .headers
            .iter()
            .filter(|(k, _)| {
                k.eq_ignore_ascii_case("content-type") || k.eq_ignore_ascii_case("accept")
            })
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(ct, [ION, ION]);
        assert_eq!(ION, "application/ion+json; okta-version=1.0.0");
    }

    #[test]
    fn field_level_messages_count_too() {
        let st = json!({"remediation": {"value": [{"name": "identify", "href": "h", "value": [
            {"name": "credentials", "form": {"value": [{"name": "passcode",
                "messages": {"value": [{"message": "Password is incorrect", "class": "ERROR"}]}}]}}]}]}});
        let m = messages(&st);
        assert_eq!(m.len(), 1);
        assert!(m[0].error && m[0].text == "Password is incorrect");
    }

    #[test]
    fn credential_field_follows_the_form() {
        let r = Remediation {
            name: "challenge-authenticator".into(),
            href: "h".into(),
            fields: vec![json!({"name": "credentials", "form": {"value": [{"name": "totp"}]}})],
            refresh_ms: None,
        };
        assert_eq!(credential_field(&r), "totp");
    }
}
