//! A fake Okta Classic Engine org: the `/api/v1/authn` state machine with
//! every factor type awsprocesscreds supports, the AWS app link, step-up
//! (app-level) MFA, the Sessions API, rate limiting and an Identity Engine
//! mode with the classic API turned off.
//!
//! Shapes (field names, statuses, `_links`, `_embedded`, error bodies,
//! HTTP statuses, headers) follow what real orgs send, so a client that
//! works here meets no surprises there. Tests configure it with an
//! [`OktaConfig`] and read the counters in [`OktaState`].
//!
//! ```no_run
//! let (server, okta) = sandbox::okta::start(sandbox::okta::OktaConfig::demo());
//! let link = server.url(&okta.lock().unwrap().config.app_path());
//! # let _ = link;
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::saml::{post_page, AssertionBuilder, Role};
use crate::web::{body_json, cookies, random_chars, redirect, with_cookies, ALNUM};
use crate::Server;

/// What a push notification does once the user has looked at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushOutcome {
    /// Approved.
    Approve,
    /// Denied on the phone (or the wrong number tapped).
    Reject,
    /// Okta gave up waiting (about five minutes in a real org).
    Timeout,
    /// Nobody ever answers: polls stay `WAITING` forever.
    Never,
}

/// An enrolled factor and how it behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactorSpec {
    /// Okta Verify push: `WAITING` for `waiting_polls` polls, then
    /// `outcome`; `number` turns on number matching.
    Push {
        waiting_polls: usize,
        outcome: PushOutcome,
        number: Option<u32>,
    },
    /// `token:software:totp`; provider `OKTA` or `GOOGLE`.
    Totp { provider: String, code: String },
    /// `sms`: the code is "sent" on the first verify call and on resend.
    Sms { phone: String, code: String },
    /// `call`: a voice call reading the code.
    Call { phone: String, code: String },
    /// `email`.
    Email { email: String, code: String },
    /// `token:hardware` (YubiKey OTP).
    YubiKey { code: String },
    /// `token` (provider `RSA` or `SYMANTEC`).
    Token { provider: String, code: String },
    /// `webauthn` (a security key; never verifiable here).
    WebAuthn,
    /// Duo (`factorType: web`, provider `DUO`).
    Duo,
}

impl FactorSpec {
    /// Push approved after `waiting_polls` polls, no number matching.
    pub fn push(waiting_polls: usize) -> FactorSpec {
        FactorSpec::Push {
            waiting_polls,
            outcome: PushOutcome::Approve,
            number: None,
        }
    }

    fn factor_type(&self) -> &'static str {
        match self {
            FactorSpec::Push { .. } => "push",
            FactorSpec::Totp { .. } => "token:software:totp",
            FactorSpec::Sms { .. } => "sms",
            FactorSpec::Call { .. } => "call",
            FactorSpec::Email { .. } => "email",
            FactorSpec::YubiKey { .. } => "token:hardware",
            FactorSpec::Token { .. } => "token",
            FactorSpec::WebAuthn => "webauthn",
            FactorSpec::Duo => "web",
        }
    }

    fn provider(&self) -> String {
        match self {
            FactorSpec::Totp { provider, .. } | FactorSpec::Token { provider, .. } => {
                provider.clone()
            }
            FactorSpec::YubiKey { .. } => "YUBICO".into(),
            FactorSpec::WebAuthn => "FIDO".into(),
            FactorSpec::Duo => "DUO".into(),
            _ => "OKTA".into(),
        }
    }

    fn profile(&self) -> Value {
        match self {
            FactorSpec::Push { .. } => json!({
                "credentialId": "monty@example.com", "deviceType": "SmartPhone_IPhone",
                "keys": [{"kty": "EC", "use": "sig", "kid": "default"}],
                "name": "Monty's iPhone", "platform": "IOS", "version": "17.2"
            }),
            FactorSpec::Totp { .. } | FactorSpec::Token { .. } => {
                json!({"credentialId": "monty@example.com"})
            }
            FactorSpec::Sms { phone, .. } | FactorSpec::Call { phone, .. } => {
                json!({"phoneNumber": mask_phone(phone)})
            }
            FactorSpec::Email { email, .. } => json!({"email": mask_email(email)}),
            FactorSpec::YubiKey { .. } => json!({"credentialId": "000009508427"}),
            FactorSpec::WebAuthn => {
                json!({"credentialId": "dGVzdA", "authenticatorName": "YubiKey 5"})
            }
            FactorSpec::Duo => json!({"credentialId": "monty@example.com"}),
        }
    }

    fn code(&self) -> Option<&str> {
        match self {
            FactorSpec::Totp { code, .. }
            | FactorSpec::Sms { code, .. }
            | FactorSpec::Call { code, .. }
            | FactorSpec::Email { code, .. }
            | FactorSpec::YubiKey { code }
            | FactorSpec::Token { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Factors whose code Okta sends (first verify call without a code).
    fn is_challenge(&self) -> bool {
        matches!(
            self,
            FactorSpec::Sms { .. } | FactorSpec::Call { .. } | FactorSpec::Email { .. }
        )
    }
}

fn mask_phone(p: &str) -> String {
    let tail: String = p
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("+1 XXX-XXX-{tail}")
}

fn mask_email(e: &str) -> String {
    match e.split_once('@') {
        Some((user, domain)) => format!("{}...@{domain}", user.chars().next().unwrap_or('x')),
        None => e.to_string(),
    }
}

/// Account states the authn API reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserStatus {
    Active,
    LockedOut,
    PasswordExpired,
    /// MFA is required but the user has enrolled no factor yet.
    MfaEnroll,
    /// The password expires soon: `PASSWORD_WARN` with a `skip` link.
    PasswordWarn,
}

/// A user of the fake org.
#[derive(Debug, Clone)]
pub struct User {
    pub username: String,
    pub password: String,
    pub status: UserStatus,
    /// Enrolled factors, in the order Okta lists them. Empty = no MFA.
    pub factors: Vec<FactorSpec>,
}

impl User {
    pub fn new(username: &str, password: &str) -> User {
        User {
            username: username.into(),
            password: password.into(),
            status: UserStatus::Active,
            factors: Vec::new(),
        }
    }

    pub fn factors(mut self, factors: Vec<FactorSpec>) -> User {
        self.factors = factors;
        self
    }

    pub fn status(mut self, status: UserStatus) -> User {
        self.status = status;
        self
    }
}

/// How a test wants the org to behave.
#[derive(Debug, Clone)]
pub struct OktaConfig {
    pub users: Vec<User>,
    /// Roles offered in the assertion.
    pub roles: Vec<Role>,
    /// App id in the link `/home/amazon_aws/<app_id>/272`.
    pub app_id: String,
    /// Identity Engine org with the classic authn API refused.
    pub oie: bool,
    /// Answer every `POST /api/v1/authn` with HTTP 429.
    pub rate_limited: bool,
    /// The AWS app asks for MFA again (app-level step-up) once per session.
    pub step_up: bool,
    /// `POST /api/v1/sessions` works (else 403).
    pub sessions_api: bool,
    /// Lifetime of sessions, seconds.
    pub session_lifetime_secs: i64,
    /// The app page has no SAMLResponse (the app is not assigned).
    pub app_not_assigned: bool,
    /// Push polls answered with HTTP 429 (reset in 1 s) before normal answers.
    pub rate_limited_polls: usize,
    /// Sending an SMS or call code is refused with HTTP 429 `E0000109`
    /// ("An SMS message was recently sent...") or `E0000133` (a call),
    /// Okta's error codes for a code asked for again within 30 seconds
    /// (okta-signin-widget `packages/@okta/i18n/src/properties/login.properties`).
    pub code_sent_recently: bool,
    /// Serve `/.well-known/okta-organization` (orgs, proxies and other
    /// fakes may not): without it the plugin has to tell the engine apart
    /// by the app link.
    pub well_known: bool,
}

impl Default for OktaConfig {
    fn default() -> Self {
        OktaConfig {
            users: Vec::new(),
            roles: vec![Role::new("123456789012", "okta-dev", "okta")],
            app_id: "0oa1b2c3d4e5f6g7h8i9".into(),
            oie: false,
            rate_limited: false,
            step_up: false,
            sessions_api: true,
            session_lifetime_secs: 7200,
            app_not_assigned: false,
            rate_limited_polls: 0,
            code_sent_recently: false,
            well_known: true,
        }
    }
}

impl OktaConfig {
    /// The sandbox demo org: `monty@example.com` / `hunter2`, Okta Verify
    /// push approved after one poll, role `okta-dev`.
    pub fn demo() -> OktaConfig {
        OktaConfig {
            users: vec![
                User::new("monty@example.com", "hunter2").factors(vec![FactorSpec::push(1)])
            ],
            ..OktaConfig::default()
        }
    }

    /// A config with one user and these factors.
    pub fn with_user(user: User) -> OktaConfig {
        OktaConfig {
            users: vec![user],
            ..OktaConfig::default()
        }
    }

    /// The path of the AWS app link.
    pub fn app_path(&self) -> String {
        format!("/home/amazon_aws/{}/272", self.app_id)
    }
}

/// An authn transaction (`stateToken`).
#[derive(Debug, Clone)]
struct Txn {
    username: String,
    /// Set for app-level step-up: the session being stepped up.
    step_up_sid: Option<String>,
    /// The app link to return to after step-up.
    return_to: Option<String>,
    /// MFA done (step-up transactions stay so the redirect can complete).
    done: bool,
    /// Poll count per push transaction id.
    push_polls: HashMap<String, usize>,
}

/// A live Okta session (`sid` cookie / Sessions API id).
#[derive(Debug, Clone)]
pub struct OktaSession {
    pub username: String,
    pub expires: OffsetDateTime,
    pub stepped_up: bool,
}

/// The fake's state: its config, counters tests read, and live objects.
#[derive(Debug, Default)]
pub struct OktaState {
    pub config: OktaConfig,
    /// `scheme://host:port` used in absolute links.
    pub base_url: String,
    /// `POST /api/v1/authn` calls (password or stateToken).
    pub authn_calls: usize,
    /// Push notifications sent (verify calls on a push factor; polls excluded).
    pub pushes_sent: usize,
    /// Push polls received.
    pub polls: usize,
    /// Codes sent by SMS, call or email (including resends).
    pub codes_sent: usize,
    /// Resend calls.
    pub resends: usize,
    /// Verify calls carrying a passCode.
    pub code_attempts: usize,
    /// `GET` of the app link.
    pub app_hits: usize,
    /// `POST /api/v1/sessions` successes.
    pub sessions_created: usize,
    /// Successful `POST /api/v1/sessions/me/lifecycle/refresh` calls.
    pub sessions_refreshed: usize,
    /// `POST /api/v1/authn/cancel` calls.
    pub cancels: usize,
    /// Every request as `METHOD path?query`.
    pub requests: Vec<String>,
    pub sessions: HashMap<String, OktaSession>,
    txns: HashMap<String, Txn>,
    /// One-time session tokens -> username.
    session_tokens: HashMap<String, String>,
}

impl OktaState {
    /// End every session (as an admin "clear sessions" would).
    pub fn revoke_sessions(&mut self) {
        self.sessions.clear();
    }

    /// Make every session expired.
    pub fn expire_sessions(&mut self) {
        let past = OffsetDateTime::now_utc() - Duration::minutes(1);
        for s in self.sessions.values_mut() {
            s.expires = past;
        }
    }

    fn user(&self, name: &str) -> Option<&User> {
        self.config
            .users
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(name))
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    fn live_session(&self, sid: &str) -> Option<&OktaSession> {
        self.sessions
            .get(sid)
            .filter(|s| s.expires > OffsetDateTime::now_utc())
    }
}

/// Shared handle on the fake's state.
pub type Okta = Arc<Mutex<OktaState>>;

/// The router and its state. Set `base_url` before use (or use [`start`]).
pub fn router(config: OktaConfig) -> (Router, Okta) {
    let state: Okta = Arc::new(Mutex::new(OktaState {
        config,
        ..OktaState::default()
    }));
    let r = Router::new()
        .route("/.well-known/okta-organization", get(well_known))
        .route("/api/v1/authn", post(authn))
        .route("/api/v1/authn/skip", post(skip))
        .route("/api/v1/authn/cancel", post(cancel))
        .route("/api/v1/authn/factors/{fid}/verify", post(verify))
        .route("/api/v1/authn/factors/{fid}/verify/resend", post(resend))
        .route(
            "/api/v1/authn/factors/{fid}/transactions/{txid}/verify",
            post(poll),
        )
        .route("/api/v1/sessions", post(create_session))
        .route(
            "/api/v1/sessions/me/lifecycle/refresh",
            post(refresh_session),
        )
        .route("/home/amazon_aws/{app}/{n}", get(app_link))
        .route("/login/step-up/redirect", get(step_up_page))
        .route("/login/login.htm", get(sign_in_page))
        .with_state(state.clone());
    (r, state)
}

/// Start the fake over plain HTTP on loopback.
pub fn start(config: OktaConfig) -> (Server, Okta) {
    let (r, state) = router(config);
    let server = Server::http(r);
    state.lock().unwrap().base_url = server.base_url();
    (server, state)
}

/// An Okta id or token: a type prefix, then letters and digits (both Okta
/// fakes use it).
pub(crate) fn token(prefix: &str) -> String {
    let body = random_chars(ALNUM, 24);
    // A '-' in the middle exercises the `\x2D` escaping of step-up pages.
    format!("{prefix}{}-{}", &body[..12], &body[12..])
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

fn error(status: StatusCode, code: &str, summary: &str, causes: &[&str]) -> Response {
    let causes: Vec<Value> = causes.iter().map(|c| json!({"errorSummary": c})).collect();
    (
        status,
        Json(json!({
            "errorCode": code, "errorSummary": summary,
            "errorLink": code, "errorId": "oae1a2b3c4d5e6f7", "errorCauses": causes
        })),
    )
        .into_response()
}

fn invalid_token() -> Response {
    error(
        StatusCode::FORBIDDEN,
        "E0000011",
        "Invalid token provided",
        &[],
    )
}

fn bad_passcode() -> Response {
    error(
        StatusCode::FORBIDDEN,
        "E0000068",
        "Invalid Passcode/Answer",
        &["Your passcode doesn't match our records. Please try again."],
    )
}

fn str_field<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    v.get(name).and_then(Value::as_str)
}

fn record(st: &mut OktaState, method: &str, path: &str) {
    st.requests.push(format!("{method} {path}"));
}

fn user_json(u: &User) -> Value {
    json!({
        "id": "00ub0oNGTSWTBKOLGLNR",
        "passwordChanged": "2026-01-01T00:00:00.000Z",
        "profile": {"login": u.username, "firstName": "Monty", "lastName": "Python",
                    "locale": "en", "timeZone": "America/Los_Angeles"}
    })
}

fn factor_json(st: &OktaState, idx: usize, f: &FactorSpec) -> Value {
    let id = factor_id(idx);
    json!({
        "id": id,
        "factorType": f.factor_type(),
        "provider": f.provider(),
        "vendorName": f.provider(),
        "profile": f.profile(),
        "_links": {"verify": {
            "href": st.url(&format!("/api/v1/authn/factors/{id}/verify")),
            "hints": {"allow": ["POST"]}
        }}
    })
}

fn factor_id(idx: usize) -> String {
    format!("fac{idx:02}xyzABCDEFGHIJ")
}

fn factor_index(fid: &str) -> Option<usize> {
    fid.strip_prefix("fac")?.get(..2)?.parse().ok()
}

fn expires_at() -> String {
    rfc3339(OffsetDateTime::now_utc() + Duration::minutes(5))
}

fn cancel_link(st: &OktaState) -> Value {
    json!({"href": st.url("/api/v1/authn/cancel"), "hints": {"allow": ["POST"]}})
}

/// `SUCCESS` with a fresh one-time session token.
fn success(st: &mut OktaState, username: &str, next: Option<String>) -> Response {
    let session_token = token("20111");
    st.session_tokens
        .insert(session_token.clone(), username.to_string());
    let user = st.user(username).map(user_json).unwrap_or(Value::Null);
    let mut links = json!({"cancel": cancel_link(st)});
    if let Some(href) = next {
        links = json!({"next": {"name": "original", "href": href, "hints": {"allow": ["GET"]}}});
    }
    Json(json!({
        "expiresAt": expires_at(),
        "status": "SUCCESS",
        "sessionToken": session_token,
        "_embedded": {"user": user},
        "_links": links
    }))
    .into_response()
}

fn mfa_required(st: &mut OktaState, state_token: &str, user: &User) -> Response {
    let factors: Vec<Value> = user
        .factors
        .iter()
        .enumerate()
        .map(|(i, f)| factor_json(st, i, f))
        .collect();
    Json(json!({
        "stateToken": state_token,
        "expiresAt": expires_at(),
        "status": "MFA_REQUIRED",
        "_embedded": {
            "user": user_json(user),
            "factors": factors,
            "policy": {"allowRememberDevice": false, "rememberDeviceLifetimeInMinutes": 0}
        },
        "_links": {"cancel": cancel_link(st)}
    }))
    .into_response()
}

fn new_txn(st: &mut OktaState, username: &str) -> String {
    let t = token("00");
    st.txns.insert(
        t.clone(),
        Txn {
            username: username.into(),
            step_up_sid: None,
            return_to: None,
            done: false,
            push_polls: HashMap::new(),
        },
    );
    t
}

/// After the password (or a `skip`): MFA or success.
fn after_password(st: &mut OktaState, user: &User, state_token: Option<String>) -> Response {
    if user.factors.is_empty() {
        return success(st, &user.username, None);
    }
    let t = state_token.unwrap_or_else(|| new_txn(st, &user.username));
    mfa_required(st, &t, user)
}

async fn well_known(State(state): State<Okta>) -> Response {
    let mut st = state.lock().unwrap();
    record(&mut st, "GET", "/.well-known/okta-organization");
    if !st.config.well_known {
        return StatusCode::NOT_FOUND.into_response();
    }
    let pipeline = if st.config.oie { "idx" } else { "v1" };
    Json(json!({
        "id": "00o1a2b3c4d5e6f7g8h9",
        "pipeline": pipeline,
        "_links": {"organization": {"href": st.base_url}}
    }))
    .into_response()
}

async fn authn(State(state): State<Okta>, body: Bytes) -> Response {
    let mut st = state.lock().unwrap();
    record(&mut st, "POST", "/api/v1/authn");
    st.authn_calls += 1;
    if st.config.rate_limited {
        let reset = OffsetDateTime::now_utc().unix_timestamp() + 42;
        let mut r = error(
            StatusCode::TOO_MANY_REQUESTS,
            "E0000047",
            "API call exceeded rate limit due to too many requests.",
            &[],
        );
        let h = r.headers_mut();
        h.insert("x-rate-limit-limit", "100".parse().unwrap());
        h.insert("x-rate-limit-remaining", "0".parse().unwrap());
        h.insert("x-rate-limit-reset", reset.to_string().parse().unwrap());
        return r;
    }
    let v = body_json(&body);
    // Step-up: continue an existing transaction.
    if let Some(t) = str_field(&v, "stateToken") {
        let Some(txn) = st.txns.get(t).cloned() else {
            return invalid_token();
        };
        let Some(user) = st.user(&txn.username).cloned() else {
            return invalid_token();
        };
        return mfa_required(&mut st, t, &user);
    }
    if st.config.oie {
        // What an Identity Engine org whose policies refuse the classic API answers.
        return error(
            StatusCode::UNAUTHORIZED,
            "E0000004",
            "Authentication failed",
            &[],
        );
    }
    let (Some(username), Some(password)) = (str_field(&v, "username"), str_field(&v, "password"))
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "E0000001",
            "Api validation failed: username",
            &["username: The field cannot be left blank"],
        );
    };
    let user = match st.user(username).cloned() {
        Some(u) if u.password == password => u,
        _ => {
            return error(
                StatusCode::UNAUTHORIZED,
                "E0000004",
                "Authentication failed",
                &[],
            )
        }
    };
    match user.status {
        UserStatus::Active => after_password(&mut st, &user, None),
        UserStatus::LockedOut => Json(json!({
            "status": "LOCKED_OUT",
            "_links": {"next": {"name": "unlock", "href": st.url("/api/v1/authn/recovery/unlock"),
                                 "hints": {"allow": ["POST"]}}}
        }))
        .into_response(),
        UserStatus::PasswordExpired => {
            let t = new_txn(&mut st, &user.username);
            Json(json!({
                "stateToken": t, "expiresAt": expires_at(), "status": "PASSWORD_EXPIRED",
                "_embedded": {"user": user_json(&user), "policy": {"complexity": {"minLength": 8}}},
                "_links": {"next": {"name": "changePassword",
                                     "href": st.url("/api/v1/authn/credentials/change_password")},
                           "cancel": cancel_link(&st)}
            }))
            .into_response()
        }
        UserStatus::MfaEnroll => {
            let t = new_txn(&mut st, &user.username);
            Json(json!({
                "stateToken": t, "expiresAt": expires_at(), "status": "MFA_ENROLL",
                "_embedded": {"user": user_json(&user), "factors": [
                    {"factorType": "push", "provider": "OKTA", "status": "NOT_SETUP",
                     "enrollment": "REQUIRED",
                     "_links": {"enroll": {"href": st.url("/api/v1/authn/factors")}}}
                ]},
                "_links": {"cancel": cancel_link(&st)}
            }))
            .into_response()
        }
        UserStatus::PasswordWarn => {
            let t = new_txn(&mut st, &user.username);
            Json(json!({
                "stateToken": t, "expiresAt": expires_at(), "status": "PASSWORD_WARN",
                "_embedded": {"user": user_json(&user),
                              "policy": {"expiration": {"passwordExpireDays": 4}}},
                "_links": {"skip": {"name": "skip", "href": st.url("/api/v1/authn/skip")},
                           "cancel": cancel_link(&st)}
            }))
            .into_response()
        }
    }
}

async fn skip(State(state): State<Okta>, body: Bytes) -> Response {
    let mut st = state.lock().unwrap();
    record(&mut st, "POST", "/api/v1/authn/skip");
    let v = body_json(&body);
    let Some(t) = str_field(&v, "stateToken").map(str::to_owned) else {
        return invalid_token();
    };
    let Some(txn) = st.txns.get(&t).cloned() else {
        return invalid_token();
    };
    let user = st.user(&txn.username).cloned().expect("user of txn");
    after_password(&mut st, &user, Some(t))
}

async fn cancel(State(state): State<Okta>, _body: Bytes) -> Response {
    let mut st = state.lock().unwrap();
    record(&mut st, "POST", "/api/v1/authn/cancel");
    st.cancels += 1;
    Json(json!({})).into_response()
}

fn challenge_response(st: &OktaState, t: &str, idx: usize, f: &FactorSpec) -> Response {
    let id = factor_id(idx);
    let verify = st.url(&format!("/api/v1/authn/factors/{id}/verify"));
    Json(json!({
        "stateToken": t, "expiresAt": expires_at(), "status": "MFA_CHALLENGE",
        "_embedded": {"factor": factor_json(st, idx, f)},
        "_links": {
            "next": {"name": "verify", "href": verify, "hints": {"allow": ["POST"]}},
            "prev": {"href": st.url("/api/v1/authn/previous")},
            "cancel": cancel_link(st),
            "resend": [{"name": f.factor_type(), "href": format!("{verify}/resend"),
                        "hints": {"allow": ["POST"]}}]
        }
    }))
    .into_response()
}

fn push_response(
    st: &OktaState,
    t: &str,
    idx: usize,
    f: &FactorSpec,
    txid: &str,
    result: &str,
) -> Response {
    let id = factor_id(idx);
    let mut factor = factor_json(st, idx, f);
    if let FactorSpec::Push {
        number: Some(n), ..
    } = f
    {
        factor["_embedded"] = json!({"challenge": {"correctAnswer": n}});
    }
    let mut links = json!({
        "cancel": cancel_link(st),
        "prev": {"href": st.url("/api/v1/authn/previous")},
        "resend": [{"name": "push", "href": st.url(&format!("/api/v1/authn/factors/{id}/verify/resend"))}]
    });
    if result == "WAITING" {
        links["next"] = json!({
            "name": "poll",
            "href": st.url(&format!("/api/v1/authn/factors/{id}/transactions/{txid}/verify")),
            "hints": {"allow": ["POST"]}
        });
    }
    Json(json!({
        "stateToken": t, "expiresAt": expires_at(), "status": "MFA_CHALLENGE",
        "factorResult": result,
        "_embedded": {"factor": factor},
        "_links": links
    }))
    .into_response()
}

/// The MFA of transaction `t` is done: finish it.
fn mfa_done(st: &mut OktaState, t: &str) -> Response {
    let txn = st.txns.get_mut(t).expect("txn");
    txn.done = true;
    let txn = txn.clone();
    if let Some(sid) = &txn.step_up_sid {
        if let Some(s) = st.sessions.get_mut(sid) {
            s.stepped_up = true;
        }
        let next = st.url(&format!("/login/step-up/redirect?stateToken={t}"));
        return success(st, &txn.username, Some(next));
    }
    st.txns.remove(t);
    success(st, &txn.username, None)
}

async fn verify(State(state): State<Okta>, Path(fid): Path<String>, body: Bytes) -> Response {
    let mut st = state.lock().unwrap();
    record(
        &mut st,
        "POST",
        &format!("/api/v1/authn/factors/{fid}/verify"),
    );
    let v = body_json(&body);
    let Some(t) = str_field(&v, "stateToken").map(str::to_owned) else {
        return invalid_token();
    };
    let Some(txn) = st.txns.get(&t).cloned() else {
        return invalid_token();
    };
    let user = st.user(&txn.username).cloned().expect("user of txn");
    let Some((idx, f)) =
        factor_index(&fid).and_then(|i| user.factors.get(i).map(|f| (i, f.clone())))
    else {
        return error(
            StatusCode::NOT_FOUND,
            "E0000007",
            &format!("Not found: Resource not found: {fid} (UserFactor)"),
            &[],
        );
    };
    let pass_code = str_field(&v, "passCode").map(str::to_owned);
    match &f {
        FactorSpec::Push { .. } => {
            st.pushes_sent += 1;
            let txid = format!("v2mst.{}", token(""));
            st.txns
                .get_mut(&t)
                .unwrap()
                .push_polls
                .insert(txid.clone(), 0);
            push_response(&st, &t, idx, &f, &txid, "WAITING")
        }
        FactorSpec::WebAuthn | FactorSpec::Duo => error(
            StatusCode::BAD_REQUEST,
            "E0000001",
            "Api validation failed: factor",
            &["This factor cannot be verified through this API"],
        ),
        _ => {
            let code = pass_code.unwrap_or_default();
            if code.is_empty() {
                if f.is_challenge() {
                    match (&f, st.config.code_sent_recently) {
                        (FactorSpec::Sms { .. }, true) => return error(
                            StatusCode::TOO_MANY_REQUESTS,
                            "E0000109",
                            "An SMS message was recently sent. Please wait 30 seconds before trying again.",
                            &[],
                        ),
                        (FactorSpec::Call { .. }, true) => return error(
                            StatusCode::TOO_MANY_REQUESTS,
                            "E0000133",
                            "A phone call was recently made. Please wait 30 seconds before trying again.",
                            &[],
                        ),
                        _ => {}
                    }
                    st.codes_sent += 1;
                    return challenge_response(&st, &t, idx, &f);
                }
                return bad_passcode();
            }
            st.code_attempts += 1;
            if Some(code.as_str()) == f.code() {
                mfa_done(&mut st, &t)
            } else {
                bad_passcode()
            }
        }
    }
}

async fn resend(State(state): State<Okta>, Path(fid): Path<String>, body: Bytes) -> Response {
    let mut st = state.lock().unwrap();
    record(
        &mut st,
        "POST",
        &format!("/api/v1/authn/factors/{fid}/verify/resend"),
    );
    let v = body_json(&body);
    let Some(t) = str_field(&v, "stateToken").map(str::to_owned) else {
        return invalid_token();
    };
    let Some(txn) = st.txns.get(&t).cloned() else {
        return invalid_token();
    };
    let user = st.user(&txn.username).cloned().expect("user");
    let Some((idx, f)) =
        factor_index(&fid).and_then(|i| user.factors.get(i).map(|f| (i, f.clone())))
    else {
        return invalid_token();
    };
    st.resends += 1;
    if matches!(f, FactorSpec::Push { .. }) {
        st.pushes_sent += 1;
        let txid = format!("v2mst.{}", token(""));
        st.txns
            .get_mut(&t)
            .unwrap()
            .push_polls
            .insert(txid.clone(), 0);
        return push_response(&st, &t, idx, &f, &txid, "WAITING");
    }
    st.codes_sent += 1;
    challenge_response(&st, &t, idx, &f)
}

async fn poll(
    State(state): State<Okta>,
    Path((fid, txid)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let mut st = state.lock().unwrap();
    record(
        &mut st,
        "POST",
        &format!("/api/v1/authn/factors/{fid}/transactions/{txid}/verify"),
    );
    st.polls += 1;
    if st.config.rate_limited_polls > 0 {
        st.config.rate_limited_polls -= 1;
        let reset = OffsetDateTime::now_utc().unix_timestamp() + 1;
        let mut r = error(
            StatusCode::TOO_MANY_REQUESTS,
            "E0000047",
            "API call exceeded rate limit due to too many requests.",
            &[],
        );
        r.headers_mut()
            .insert("x-rate-limit-reset", reset.to_string().parse().unwrap());
        return r;
    }
    let v = body_json(&body);
    let Some(t) = str_field(&v, "stateToken").map(str::to_owned) else {
        return invalid_token();
    };
    let Some(txn) = st.txns.get(&t).cloned() else {
        return invalid_token();
    };
    let user = st.user(&txn.username).cloned().expect("user");
    let Some((idx, f)) =
        factor_index(&fid).and_then(|i| user.factors.get(i).map(|f| (i, f.clone())))
    else {
        return invalid_token();
    };
    let FactorSpec::Push {
        waiting_polls,
        outcome,
        ..
    } = f
    else {
        return invalid_token();
    };
    let Some(count) = st.txns.get_mut(&t).unwrap().push_polls.get_mut(&txid) else {
        return invalid_token();
    };
    *count += 1;
    let polled = *count;
    if polled <= waiting_polls || outcome == PushOutcome::Never {
        return push_response(&st, &t, idx, &f, &txid, "WAITING");
    }
    match outcome {
        PushOutcome::Approve => mfa_done(&mut st, &t),
        PushOutcome::Reject => push_response(&st, &t, idx, &f, &txid, "REJECTED"),
        PushOutcome::Timeout | PushOutcome::Never => {
            push_response(&st, &t, idx, &f, &txid, "TIMEOUT")
        }
    }
}

fn new_session(st: &mut OktaState, username: &str) -> (String, OffsetDateTime) {
    let sid = token("102");
    let expires = OffsetDateTime::now_utc() + Duration::seconds(st.config.session_lifetime_secs);
    st.sessions.insert(
        sid.clone(),
        OktaSession {
            username: username.into(),
            expires,
            stepped_up: false,
        },
    );
    (sid, expires)
}

async fn create_session(State(state): State<Okta>, body: Bytes) -> Response {
    let mut st = state.lock().unwrap();
    record(&mut st, "POST", "/api/v1/sessions");
    if !st.config.sessions_api {
        return error(
            StatusCode::FORBIDDEN,
            "E0000006",
            "You do not have permission to perform the requested action",
            &[],
        );
    }
    let v = body_json(&body);
    let Some(username) = str_field(&v, "sessionToken").and_then(|t| st.session_tokens.remove(t))
    else {
        return error(
            StatusCode::UNAUTHORIZED,
            "E0000004",
            "Authentication failed",
            &["Session token is invalid or has already been used"],
        );
    };
    st.sessions_created += 1;
    let (sid, _) = new_session(&mut st, &username);
    let session = st.sessions.get(&sid).cloned().expect("new session");
    Json(session_json(&st, &sid, &session)).into_response()
}

fn session_json(st: &OktaState, sid: &str, s: &OktaSession) -> Value {
    let now = rfc3339(OffsetDateTime::now_utc());
    json!({
        "id": sid, "userId": "00ub0oNGTSWTBKOLGLNR", "login": s.username,
        "createdAt": now, "expiresAt": rfc3339(s.expires), "status": "ACTIVE",
        "lastPasswordVerification": now, "lastFactorVerification": now,
        "amr": ["pwd"], "idp": {"id": "00o1a2b3c4d5e6f7g8h9", "type": "OKTA"}, "mfaActive": false,
        "_links": {"self": {"href": st.url("/api/v1/sessions/me"), "hints": {"allow": ["GET", "DELETE"]}}}
    })
}

async fn refresh_session(State(state): State<Okta>, headers: HeaderMap) -> Response {
    let mut st = state.lock().unwrap();
    record(&mut st, "POST", "/api/v1/sessions/me/lifecycle/refresh");
    let Some(sid) = cookies(&headers, "sid")
        .into_iter()
        .find(|s| st.live_session(s).is_some())
    else {
        return error(
            StatusCode::NOT_FOUND,
            "E0000007",
            "Not found: Resource not found: me (Session)",
            &[],
        );
    };
    let lifetime = Duration::seconds(st.config.session_lifetime_secs);
    let session = st.sessions.get_mut(&sid).expect("live session");
    session.expires = OffsetDateTime::now_utc() + lifetime;
    let session = session.clone();
    st.sessions_refreshed += 1;
    Json(session_json(&st, &sid, &session)).into_response()
}

async fn app_link(
    State(state): State<Okta>,
    Path((app, n)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let mut st = state.lock().unwrap();
    let path = format!("/home/amazon_aws/{app}/{n}");
    match &raw {
        Some(raw) => record(&mut st, "GET", &format!("{path}?{raw}")),
        None => record(&mut st, "GET", &path),
    }
    st.app_hits += 1;
    if app != st.config.app_id {
        return (
            StatusCode::NOT_FOUND,
            Html(error_page("Page not found", "404")),
        )
            .into_response();
    }
    let mut set_cookie = None;
    let mut sid = cookies(&headers, "sid")
        .into_iter()
        .find(|s| st.live_session(s).is_some());
    if sid.is_none() {
        if let Some(username) = q
            .get("sessionToken")
            .and_then(|t| st.session_tokens.remove(t))
        {
            let (new, _) = new_session(&mut st, &username);
            set_cookie = Some(format!("sid={new}; Path=/; HttpOnly"));
            sid = Some(new);
        }
    }
    let Some(sid) = sid else {
        let from = url::form_urlencoded::byte_serialize(path.as_bytes()).collect::<String>();
        return redirect(&format!("/login/login.htm?fromURI={from}"));
    };
    let session = st.sessions.get(&sid).cloned().expect("live session");
    if st.config.step_up && !session.stepped_up {
        let t = new_txn(&mut st, &session.username);
        let txn = st.txns.get_mut(&t).unwrap();
        txn.step_up_sid = Some(sid.clone());
        txn.return_to = Some(path.clone());
        return with_cookies(
            redirect(&format!("/login/step-up/redirect?stateToken={t}")),
            set_cookie,
        );
    }
    let body = if st.config.app_not_assigned {
        error_page(
            "Sorry, you can't access Amazon Web Services because you are not assigned this app in Okta.",
            "403",
        )
    } else {
        let b64 = AssertionBuilder::default()
            .roles(st.config.roles.clone())
            .session_name(Some(&session.username))
            .base64();
        post_page(&b64, "https://signin.aws.amazon.com/saml")
    };
    with_cookies(Html(body).into_response(), set_cookie)
}

/// Escape like Okta's templates do for JavaScript strings.
fn js_escape(s: &str) -> String {
    s.replace('-', "\\x2D").replace('\'', "\\x27")
}

async fn step_up_page(
    State(state): State<Okta>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut st = state.lock().unwrap();
    record(&mut st, "GET", "/login/step-up/redirect");
    let t = q.get("stateToken").cloned().unwrap_or_default();
    let Some(txn) = st.txns.get(&t).cloned() else {
        return Html(error_page("The link has expired.", "410")).into_response();
    };
    if txn.done {
        st.txns.remove(&t);
        let to = txn.return_to.unwrap_or_else(|| st.config.app_path());
        return redirect(&to);
    }
    Html(format!(
        r#"<!DOCTYPE html><html><head><title>example - Extra Verification</title></head>
<body><div id="okta-sign-in" class="auth-container"></div>
<script type="text/javascript">
var baseUrl = '{}';
var stateToken = '{}';
var fromUri = '';
</script></body></html>"#,
        js_escape(&st.base_url),
        js_escape(&t)
    ))
    .into_response()
}

async fn sign_in_page(State(state): State<Okta>) -> Response {
    let mut st = state.lock().unwrap();
    record(&mut st, "GET", "/login/login.htm");
    Html(
        r#"<!DOCTYPE html><html><head><title>example - Sign In</title></head>
<body class="auth okta-container"><div id="signin-container"></div>
<script type="text/javascript">var okta = { locale: 'en' };</script>
<noscript><div id="unsupported-cookie">Javascript is required</div></noscript>
</body></html>"#,
    )
    .into_response()
}

fn error_page(message: &str, code: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html><head><title>example - Error</title></head>
<body><div class="content"><h1 class="error-code">{code}</h1>
<p class="o-form-explain error-content">{message}</p></div></body></html>"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factor_ids_round_trip() {
        assert_eq!(factor_index(&factor_id(7)), Some(7));
        assert_eq!(factor_index("nope"), None);
    }

    #[test]
    fn tokens_contain_a_dash_and_escape() {
        let t = token("00");
        assert!(t.contains('-'));
        assert!(!js_escape(&t).contains('-'));
    }
}
