//! A fake Okta Identity Engine (OIE) org: the IDX API the sign-in widget
//! drives (`/idp/idx/*`), the OIE sign-in page with its embedded state
//! token, the success redirect that opens a session (`idx` cookie), the AWS
//! app link, the OAuth device authorization + web-SSO token exchange, and
//! (for step-up) the classic `/api/v1/authn` for password-only sign-in.
//!
//! Response shapes follow Okta's own test data, studied (not copied) from
//! okta/okta-signin-widget `playground/mocks/data/idp/idx/`:
//! `identify-with-password.json`-style identify forms (`identifier`,
//! `credentials.passcode`, `stateHandle`, `unlock-account`),
//! `authenticator-verification-okta-verify-push.json` (`challenge-poll` with
//! `refresh`, `select-authenticator-authenticate` options whose
//! `methodType` has `options`, `relatesTo` into `authenticatorEnrollments`),
//! `error-authenticator-verify-password.json` (`messages.value[]` with
//! `class: ERROR`, `i18n.key: incorrectPassword`) and `success.json`
//! (`success: {name: success-redirect, href}`). Our responses are written
//! from scratch with that structure.
//!
//! Tests configure it with [`IdxConfig`] and read the counters in
//! [`IdxState`]; every request is recorded in `requests`.

pub mod answers;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::okta::token;
use crate::saml::{post_page, AssertionBuilder, Role};
use crate::web::{body_json, cookies, redirect, with_cookies};
use crate::Server;

/// The media type of IDX requests and answers.
pub const ION: &str = "application/ion+json; okta-version=1.0.0";

/// What an Okta Verify push does once the user looked at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Push {
    /// Approved after this many polls answered "waiting".
    Approve(usize),
    Reject,
    /// Okta gives up (the push expired) after the first poll.
    Expire,
    /// Nobody answers: polls wait forever (for `--mfa-timeout`).
    Never,
}

/// An enrolled authenticator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authenticator {
    /// Okta Verify: push (with an optional number challenge) and/or TOTP.
    OktaVerify {
        push: Option<Push>,
        number: Option<u32>,
        totp: Option<String>,
    },
    Google {
        code: String,
    },
    Email {
        code: String,
    },
    /// Phone: SMS and voice, same code.
    Phone {
        code: String,
    },
    WebAuthn,
    /// Okta Verify with FastPass only (signed nonce).
    FastPass,
    Duo,
}

impl Authenticator {
    pub fn push(approve_after: usize, number: Option<u32>) -> Authenticator {
        Authenticator::OktaVerify {
            push: Some(Push::Approve(approve_after)),
            number,
            totp: None,
        }
    }

    fn key(&self) -> &'static str {
        match self {
            Authenticator::OktaVerify { .. } | Authenticator::FastPass => "okta_verify",
            Authenticator::Google { .. } => "google_otp",
            Authenticator::Email { .. } => "okta_email",
            Authenticator::Phone { .. } => "phone_number",
            Authenticator::WebAuthn => "webauthn",
            Authenticator::Duo => "duo",
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Authenticator::OktaVerify { .. } | Authenticator::FastPass => "app",
            Authenticator::Google { .. } => "app",
            Authenticator::Email { .. } => "email",
            Authenticator::Phone { .. } => "phone",
            Authenticator::WebAuthn => "security_key",
            Authenticator::Duo => "app",
        }
    }

    fn label(&self) -> &'static str {
        match self {
            Authenticator::OktaVerify { .. } | Authenticator::FastPass => "Okta Verify",
            Authenticator::Google { .. } => "Google Authenticator",
            Authenticator::Email { .. } => "Email",
            Authenticator::Phone { .. } => "Phone",
            Authenticator::WebAuthn => "Security Key or Biometric",
            Authenticator::Duo => "Duo Security",
        }
    }

    fn methods(&self) -> Vec<(&'static str, &'static str)> {
        match self {
            Authenticator::OktaVerify { push, totp, .. } => {
                let mut m = vec![("signed_nonce", "Use Okta FastPass")];
                if push.is_some() {
                    m.push(("push", "Get a push notification"));
                }
                if totp.is_some() {
                    m.push(("totp", "Enter a code"));
                }
                m
            }
            Authenticator::FastPass => vec![("signed_nonce", "Use Okta FastPass")],
            Authenticator::Google { .. } => vec![("otp", "")],
            Authenticator::Email { .. } => vec![("email", "")],
            Authenticator::Phone { .. } => vec![("sms", "SMS"), ("voice", "Voice call")],
            Authenticator::WebAuthn => vec![("webauthn", "")],
            Authenticator::Duo => vec![("duo", "")],
        }
    }

    fn code_for(&self, method: &str) -> Option<&str> {
        match (self, method) {
            (Authenticator::OktaVerify { totp, .. }, "totp") => totp.as_deref(),
            (Authenticator::Google { code }, _)
            | (Authenticator::Email { code }, _)
            | (Authenticator::Phone { code }, _) => Some(code),
            _ => None,
        }
    }
}

/// A user of the fake org.
#[derive(Debug, Clone)]
pub struct IdxUser {
    pub username: String,
    pub password: String,
    pub authenticators: Vec<Authenticator>,
    /// Locked out, with "show lock-out failures" on: the password is
    /// answered with the unlock flow ([`locked_state`]).
    pub locked: bool,
    /// A message `(text, i18n key)` next to the unlock form, e.g. Okta's
    /// `errors.E0000119` "Your account is locked. Please contact your
    /// administrator." (okta-signin-widget `packages/@okta/i18n/src/properties/login.properties`).
    pub locked_message: Option<(String, String)>,
    pub password_expired: bool,
    /// Must enrol an authenticator before signing in.
    pub must_enroll: bool,
    /// The password expires soon: a `reenroll-authenticator-warning` with
    /// a `skip` remediation after the password.
    pub password_warn: bool,
    /// After the password, Okta ends the transaction with this message
    /// `(text, i18n key)` and no remediation, as a terminal 4xx state
    /// (widget mocks error-403-access-denied, error-400-user-not-assigned).
    pub refusal: Option<(String, String)>,
    /// After the password, this whole answer (an [`answers`] fixture)
    /// given the transaction's state handle.
    pub answer_after_password: Option<fn(&str) -> answers::Answer>,
}

impl IdxUser {
    pub fn new(username: &str, password: &str) -> IdxUser {
        IdxUser {
            username: username.into(),
            password: password.into(),
            authenticators: Vec::new(),
            locked: false,
            locked_message: None,
            password_expired: false,
            must_enroll: false,
            password_warn: false,
            refusal: None,
            answer_after_password: None,
        }
    }

    pub fn with(mut self, a: Authenticator) -> IdxUser {
        self.authenticators.push(a);
        self
    }
}

/// How a test wants the org to behave.
#[derive(Debug, Clone)]
pub struct IdxConfig {
    pub users: Vec<IdxUser>,
    pub roles: Vec<Role>,
    pub app_id: String,
    /// Identify and password in one form (else identifier first).
    pub password_in_identify: bool,
    /// The classic `/api/v1/authn` accepts password-only sign-in, and the
    /// AWS app then asks for MFA through IDX (step-up on OIE).
    pub classic_password_only: bool,
    /// OIDC native app allowed for the device flow.
    pub device_client_id: String,
    /// The AWS app lists the native app as "Allowed Web SSO Client".
    pub web_sso_allowed: bool,
    /// Device authorizations are approved after this many token polls
    /// (`None`: only [`IdxState::approve_devices`] approves them).
    pub device_approve_after: Option<usize>,
    /// The first device poll answers `slow_down`.
    pub device_slow_down_first: bool,
    /// The native app has the Device Authorization grant (else
    /// `unauthorized_client`).
    pub device_grant: bool,
    /// OAuth errors come in Okta's own shape (`errorCode`, `errorSummary`,
    /// ...) instead of `error`/`error_description`.
    pub oauth_errors_in_okta_shape: bool,
    /// Device codes expire after this many polls (`expired_token`).
    pub device_expire_after: Option<usize>,
    /// Push polls answered with HTTP 429 before normal answers.
    pub rate_limited_polls: usize,
    /// Every `identify` answered with HTTP 429.
    pub rate_limited_identify: bool,
    /// IDX session lifetime, seconds.
    pub session_lifetime_secs: i64,
    /// `refresh` (ms) of `challenge-poll`.
    pub poll_refresh_ms: u64,
    /// Offer the push poll as `currentAuthenticator.value.poll` instead of
    /// a `challenge-poll` remediation (both shapes occur in Okta's data).
    pub poll_under_current_authenticator: bool,
    /// The number challenge appears only from the first poll answer on.
    pub number_after_first_poll: bool,
    /// The app link sends a signed-out user to the End-User Dashboard shell
    /// (no state token); only `/oauth2/v1/authorize` renders the sign-in page.
    pub dashboard_sign_in_only: bool,
    /// After the password, Okta challenges the first authenticator itself
    /// (a code sent), with the select form next to it.
    pub auto_challenge_first: bool,
    /// Selecting Phone or Email first answers `authenticator-verification-data`
    /// (pick SMS or voice, "Send me an email"); only its POST sends the
    /// code (okta-signin-widget mocks authenticator-verification-data-*.json).
    pub verification_data_step: bool,
    /// `/login/token/sso` accepts only `GET ?token=` (405 on POST).
    pub sso_get_only: bool,
    /// `/idp/idx/identify` answers 404 (an org where only the classic
    /// authn API signs in, and IDX serves step-up).
    pub identify_unavailable: bool,
    /// Serve `/.well-known/okta-organization` (orgs, proxies and other
    /// fakes may not): without it the plugin has to tell the engine apart
    /// by the app link.
    pub well_known: bool,
}

impl Default for IdxConfig {
    fn default() -> Self {
        IdxConfig {
            users: Vec::new(),
            roles: vec![Role::new("123456789012", "okta-dev", "okta")],
            app_id: "0oa9idx8e7d6c5b4a3z2".into(),
            password_in_identify: true,
            classic_password_only: false,
            device_client_id: "0oadevice1native2app3".into(),
            web_sso_allowed: true,
            device_approve_after: Some(1),
            device_slow_down_first: false,
            device_grant: true,
            oauth_errors_in_okta_shape: false,
            device_expire_after: None,
            rate_limited_polls: 0,
            rate_limited_identify: false,
            session_lifetime_secs: 7200,
            poll_refresh_ms: 1000,
            poll_under_current_authenticator: false,
            number_after_first_poll: false,
            dashboard_sign_in_only: false,
            auto_challenge_first: false,
            verification_data_step: false,
            sso_get_only: false,
            identify_unavailable: false,
            well_known: true,
        }
    }
}

impl IdxConfig {
    pub fn with_user(user: IdxUser) -> IdxConfig {
        IdxConfig {
            users: vec![user],
            ..IdxConfig::default()
        }
    }

    /// The sandbox demo: `monty@example.com` / `hunter2`, Okta Verify push
    /// with number challenge 42 approved after one poll.
    pub fn demo() -> IdxConfig {
        IdxConfig::with_user(
            IdxUser::new("monty@example.com", "hunter2").with(Authenticator::push(1, Some(42))),
        )
    }

    pub fn app_path(&self) -> String {
        format!("/home/amazon_aws/{}/272", self.app_id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Pending {
    None,
    Push { idx: usize, polls: usize },
    Code { idx: usize, method: String },
}

#[derive(Debug, Clone)]
struct Txn {
    username: Option<String>,
    password_ok: bool,
    mfa_ok: bool,
    pending: Pending,
    pushed: bool,
    from_uri: String,
    /// A session already holding the password (classic sign-in, step-up).
    session: Option<String>,
    /// The password-expiry warning was skipped.
    warned: bool,
    /// The `authenticator-verification-data` step was answered.
    data_given: bool,
}

#[derive(Debug, Clone)]
struct Device {
    client_id: String,
    user_code: String,
    polls: usize,
    approved: bool,
    expires: OffsetDateTime,
}

/// A live IDX session (`idx` cookie).
#[derive(Debug, Clone)]
pub struct IdxSession {
    pub username: String,
    pub mfa: bool,
    pub expires: OffsetDateTime,
}

/// The fake's state and the counters tests read.
#[derive(Debug, Default)]
pub struct IdxState {
    pub config: IdxConfig,
    pub base_url: String,
    /// Every request as `METHOD path`.
    pub requests: Vec<String>,
    pub pushes_sent: usize,
    pub polls: usize,
    pub codes_sent: usize,
    pub app_hits: usize,
    pub device_polls: usize,
    pub sessions: HashMap<String, IdxSession>,
    txns: HashMap<String, Txn>,
    devices: HashMap<String, Device>,
    access_tokens: HashMap<String, String>,
    web_sso_tokens: HashMap<String, String>,
    session_tokens: HashMap<String, String>,
}

impl IdxState {
    /// Approve every pending device authorization (the user did it in a browser).
    pub fn approve_devices(&mut self) {
        for d in self.devices.values_mut() {
            d.approved = true;
        }
    }

    /// End every session.
    pub fn expire_sessions(&mut self) {
        self.sessions.clear();
    }

    /// Requests whose path starts with `prefix`.
    pub fn count(&self, prefix: &str) -> usize {
        self.requests
            .iter()
            .filter(|r| {
                r.split_once(' ')
                    .is_some_and(|(_, p)| p.starts_with(prefix))
            })
            .count()
    }

    fn user(&self, name: &str) -> Option<IdxUser> {
        self.config
            .users
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(name))
            .cloned()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    fn live_session(&self, headers: &HeaderMap) -> Option<(String, IdxSession)> {
        cookies(headers, "idx").into_iter().find_map(|sid| {
            self.sessions
                .get(&sid)
                .filter(|s| s.expires > OffsetDateTime::now_utc())
                .map(|s| (sid, s.clone()))
        })
    }

    fn needs_mfa(&self, username: &str) -> bool {
        self.user(username)
            .is_some_and(|u| !u.authenticators.is_empty())
    }
}

pub type Idx = Arc<Mutex<IdxState>>;

pub fn router(config: IdxConfig) -> (Router, Idx) {
    let state: Idx = Arc::new(Mutex::new(IdxState {
        config,
        ..IdxState::default()
    }));
    let r = Router::new()
        .route("/.well-known/okta-organization", get(well_known))
        .route("/home/amazon_aws/{app}/{n}", get(app_link))
        .route("/login/login.htm", get(sign_in_page))
        .route("/", get(dashboard))
        .route("/oauth2/v1/authorize", get(authorize))
        .route("/enduser/callback", get(enduser_callback))
        .route("/idp/idx/introspect", post(introspect))
        .route("/idp/idx/identify", post(identify))
        .route("/idp/idx/challenge", post(challenge))
        .route("/idp/idx/challenge/answer", post(answer))
        .route("/idp/idx/authenticators/poll", post(poll))
        .route("/idp/idx/cancel", post(cancel))
        .route("/idp/idx/skip", post(skip))
        .route("/login/token/redirect", get(token_redirect))
        .route("/api/v1/authn", post(classic_authn))
        .route("/api/v1/sessions", post(no_sessions_api))
        .route("/oauth2/v1/device/authorize", post(device_authorize))
        .route("/oauth2/v1/token", post(oauth_token))
        .route("/login/token/sso", post(token_sso).get(token_sso_get))
        .with_state(state.clone());
    (r, state)
}

/// Start the fake over plain HTTP on loopback.
pub fn start(config: IdxConfig) -> (Server, Idx) {
    let (r, state) = router(config);
    let server = Server::http(r);
    state.lock().unwrap().base_url = server.base_url();
    (server, state)
}

fn record(st: &mut IdxState, method: &str, path: &str) {
    st.requests.push(format!("{method} {path}"));
}

fn ion(status: StatusCode, v: Value) -> Response {
    (status, [(header::CONTENT_TYPE, ION)], v.to_string()).into_response()
}

fn form(body: &Bytes) -> HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn handle_field(handle: &str) -> Value {
    json!({"name": "stateHandle", "required": true, "value": handle, "visible": false, "mutable": false})
}

fn remediation(
    st: &IdxState,
    name: &str,
    path: &str,
    handle: &str,
    mut fields: Vec<Value>,
) -> Value {
    fields.push(handle_field(handle));
    json!({"rel": ["create-form"], "name": name, "href": st.url(path), "method": "POST",
           "produces": ION, "value": fields, "accepts": "application/json; okta-version=1.0.0"})
}

fn passcode_field(name: &str, label: &str) -> Value {
    json!({"name": "credentials", "type": "object", "required": true,
           "form": {"value": [{"name": name, "label": label, "secret": true}]}})
}

fn error_messages(text: &str, key: Option<&str>) -> Value {
    let mut m = json!({"message": text, "class": "ERROR"});
    if let Some(k) = key {
        m["i18n"] = json!({"key": k});
    }
    json!({"type": "array", "value": [m]})
}

/// Put `messages` on the credentials field of `challenge-authenticator`.
fn attach_to_credentials(state: &mut Value, messages: Value) {
    let Some(rems) = state
        .pointer_mut("/remediation/value")
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    for r in rems
        .iter_mut()
        .filter(|r| r["name"] == "challenge-authenticator")
    {
        let fields = r["value"].as_array_mut().into_iter().flatten();
        for f in fields.filter(|f| f["name"] == "credentials") {
            if let Some(inner) = f
                .pointer_mut("/form/value/0")
                .and_then(Value::as_object_mut)
            {
                inner.insert("messages".into(), messages.clone());
            }
        }
    }
}

fn auth_id(i: usize) -> String {
    format!("aut{i}fake0idx0authn")
}

fn enrollment_id(i: usize) -> String {
    format!("aen{i}fake0idx0enrol")
}

/// The IDX state of transaction `handle`, with `messages` if given.
fn state_json(st: &IdxState, handle: &str, txn: &Txn, messages: Option<Value>) -> Value {
    let mut v = json!({
        "version": "1.0.0", "stateHandle": handle, "intent": "LOGIN",
        "expiresAt": "2099-01-01T00:00:00.000Z",
        "app": {"type": "object", "value": {"name": "amazon_aws", "label": "AWS", "id": st.config.app_id}},
        "cancel": remediation(st, "cancel", "/idp/idx/cancel", handle, vec![]),
    });
    if let Some(m) = messages {
        v["messages"] = m;
    }
    let user = txn.username.as_deref().and_then(|u| st.user(u));
    if txn.password_ok && (txn.mfa_ok || user.as_ref().is_none_or(|u| u.authenticators.is_empty()))
    {
        v["success"] = json!({"name": "success-redirect",
            "href": st.url(&format!("/login/token/redirect?stateToken={handle}"))});
        return v;
    }
    let mut rem = Vec::new();
    match &user {
        None => {
            let mut fields =
                vec![json!({"name": "identifier", "label": "Username", "required": true})];
            if st.config.password_in_identify {
                fields.push(passcode_field("passcode", "Password"));
            }
            fields.push(
                json!({"name": "rememberMe", "type": "boolean", "label": "Keep me signed in"}),
            );
            rem.push(remediation(
                st,
                "identify",
                "/idp/idx/identify",
                handle,
                fields,
            ));
            rem.push(remediation(
                st,
                "unlock-account",
                "/idp/idx/unlock-account",
                handle,
                vec![],
            ));
        }
        Some(u) if !txn.password_ok => {
            rem.push(remediation(
                st,
                "challenge-authenticator",
                "/idp/idx/challenge/answer",
                handle,
                vec![passcode_field("passcode", "Password")],
            ));
            v["currentAuthenticatorEnrollment"] = json!({"type": "object", "value": {
                "type": "password", "key": "okta_password", "id": "lae0password", "displayName": "Password"}});
            let _ = u;
        }
        Some(u) => {
            let mut enrollments = Vec::new();
            let mut authenticators = Vec::new();
            let mut options = Vec::new();
            for (i, a) in u.authenticators.iter().enumerate() {
                let methods = a.methods();
                enrollments.push(json!({"type": a.kind(), "key": a.key(), "id": enrollment_id(i),
                    "authenticatorId": auth_id(i), "displayName": a.label(),
                    "methods": methods.iter().map(|(m, _)| json!({"type": m})).collect::<Vec<_>>()}));
                let method_field = if methods.len() == 1 {
                    json!({"name": "methodType", "required": false, "value": methods[0].0, "mutable": false})
                } else {
                    json!({"name": "methodType", "type": "string", "required": false,
                        "options": methods.iter().map(|(m, l)| json!({"label": l, "value": m})).collect::<Vec<_>>()})
                };
                let mut form = vec![
                    json!({"name": "id", "required": true, "value": auth_id(i), "mutable": false}),
                    method_field,
                ];
                if matches!(a, Authenticator::Phone { .. }) {
                    form.push(json!({"name": "enrollmentId", "required": true, "value": enrollment_id(i), "mutable": false}));
                }
                // Okta's select form points at `$.authenticators` for
                // some options and `$.authenticatorEnrollments` for others
                // (both in the widget's authenticator-verification-*
                // mocks); alternate so the plugin meets both.
                let list = if i % 2 == 0 {
                    "authenticators"
                } else {
                    "authenticatorEnrollments"
                };
                options.push(
                    json!({"label": a.label(), "value": {"form": {"value": form}},
                    "relatesTo": format!("$.{list}.value[{i}]")}),
                );
                authenticators.push(json!({"type": a.kind(), "key": a.key(), "id": auth_id(i),
                    "displayName": a.label(),
                    "methods": methods.iter().map(|(m, _)| json!({"type": m})).collect::<Vec<_>>()}));
            }
            v["authenticatorEnrollments"] = json!({"type": "array", "value": enrollments});
            v["authenticators"] = json!({"type": "array", "value": authenticators});
            match &txn.pending {
                Pending::Push { idx, polls } => {
                    let mut poll = remediation(
                        st,
                        "challenge-poll",
                        "/idp/idx/authenticators/poll",
                        handle,
                        vec![],
                    );
                    poll["refresh"] = json!(st.config.poll_refresh_ms);
                    poll["relatesTo"] = json!(["$.currentAuthenticator"]);
                    let under_current = st.config.poll_under_current_authenticator;
                    if !under_current {
                        rem.push(poll.clone());
                    }
                    let mut cur = json!({"type": "app", "key": "okta_verify", "id": auth_id(*idx),
                        "displayName": "Okta Verify", "methods": [{"type": "push"}]});
                    if let Some(Authenticator::OktaVerify {
                        number: Some(n), ..
                    }) = u.authenticators.get(*idx)
                    {
                        if !st.config.number_after_first_poll || *polls > 0 {
                            cur["contextualData"] = json!({"correctAnswer": n});
                        }
                    }
                    if under_current {
                        poll["name"] = json!("poll");
                        cur["poll"] = poll;
                    }
                    v["currentAuthenticator"] = json!({"type": "object", "value": cur});
                }
                Pending::Code { idx, method } => {
                    let field = if method == "totp" { "totp" } else { "passcode" };
                    rem.push(remediation(
                        st,
                        "challenge-authenticator",
                        "/idp/idx/challenge/answer",
                        handle,
                        vec![passcode_field(field, "Enter code")],
                    ));
                    let a = &u.authenticators[*idx];
                    v["currentAuthenticatorEnrollment"] = json!({"type": "object", "value": {
                        "type": a.kind(), "key": a.key(), "id": enrollment_id(*idx), "displayName": a.label(),
                        "methods": [{"type": method}]}});
                }
                Pending::None => {}
            }
            rem.push(remediation(
                st,
                "select-authenticator-authenticate",
                "/idp/idx/challenge",
                handle,
                vec![json!({"name": "authenticator", "type": "object", "options": options})],
            ));
        }
    }
    v["remediation"] = json!({"type": "array", "value": rem});
    v
}

fn txn_of<'a>(st: &'a IdxState, v: &Value) -> Option<(String, &'a Txn)> {
    let h = v
        .get("stateHandle")
        .or_else(|| v.get("stateToken"))
        .and_then(Value::as_str)?;
    st.txns.get(h).map(|t| (h.to_string(), t))
}

fn invalid_handle() -> Response {
    ion(
        StatusCode::UNAUTHORIZED,
        json!({"version": "1.0.0", "messages": error_messages(
            "The session has expired.", Some("idx.session.expired"))}),
    )
}

async fn well_known(State(state): State<Idx>) -> Response {
    let mut st = state.lock().unwrap();
    record(&mut st, "GET", "/.well-known/okta-organization");
    if !st.config.well_known {
        return StatusCode::NOT_FOUND.into_response();
    }
    Json(json!({"id": "00o9idx8org7", "pipeline": "idx", "_links": {"organization": {"href": st.base_url}}}))
        .into_response()
}

async fn app_link(
    State(state): State<Idx>,
    Path((app, _n)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let mut st = state.lock().unwrap();
    let path = st.config.app_path();
    record(&mut st, "GET", "/home/amazon_aws/app");
    st.app_hits += 1;
    if app != st.config.app_id {
        return (
            StatusCode::NOT_FOUND,
            Html("<html><title>Not found</title></html>"),
        )
            .into_response();
    }
    let mut set_cookie = None;
    let mut session = st.live_session(&headers);
    if session.is_none() {
        if let Some(user) = q
            .get("sessionToken")
            .and_then(|t| st.session_tokens.remove(t))
        {
            let sid = token("102");
            let s = IdxSession {
                username: user,
                mfa: false,
                expires: OffsetDateTime::now_utc()
                    + time::Duration::seconds(st.config.session_lifetime_secs),
            };
            st.sessions.insert(sid.clone(), s.clone());
            set_cookie = Some(format!("idx={sid}; Path=/; HttpOnly"));
            session = Some((sid, s));
        }
    }
    let from = url::form_urlencoded::byte_serialize(path.as_bytes()).collect::<String>();
    match session {
        Some((_, s)) if s.mfa || !st.needs_mfa(&s.username) => {
            let b64 = AssertionBuilder::default()
                .roles(st.config.roles.clone())
                .session_name(Some(&s.username))
                .base64();
            Html(post_page(&b64, "https://signin.aws.amazon.com/saml")).into_response()
        }
        _ if st.config.dashboard_sign_in_only => with_cookies(redirect("/"), set_cookie),
        _ => with_cookies(
            redirect(&format!("/login/login.htm?fromURI={from}")),
            set_cookie,
        ),
    }
}

fn js_escape(s: &str) -> String {
    s.replace('-', "\\x2D")
        .replace('"', "\\x22")
        .replace('/', "\\x2F")
}

/// The End-User Dashboard single-page shell: no state token in it.
async fn dashboard(State(state): State<Idx>) -> Response {
    let mut st = state.lock().unwrap();
    record(&mut st, "GET", "/");
    Html(
        r#"<!DOCTYPE html><html><head><title>example - Okta</title></head>
<body><div id="root"></div><script src="/assets/enduser.js"></script></body></html>"#,
    )
    .into_response()
}

/// `/oauth2/v1/authorize` for the dashboard client: the sign-in page.
async fn authorize(
    State(state): State<Idx>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    {
        let mut st = state.lock().unwrap();
        record(&mut st, "GET", "/oauth2/v1/authorize");
    }
    let mut q = q;
    q.insert("fromURI".into(), "/enduser/callback".into());
    sign_in_page_inner(state, q, headers)
}

async fn enduser_callback(State(state): State<Idx>) -> Response {
    let mut st = state.lock().unwrap();
    record(&mut st, "GET", "/enduser/callback");
    Html("<html><head><title>example - My Apps</title></head><body></body></html>").into_response()
}

async fn sign_in_page(
    State(state): State<Idx>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    {
        let mut st = state.lock().unwrap();
        record(&mut st, "GET", "/login/login.htm");
    }
    sign_in_page_inner(state, q, headers)
}

fn sign_in_page_inner(state: Idx, q: HashMap<String, String>, headers: HeaderMap) -> Response {
    let mut st = state.lock().unwrap();
    let session = st.live_session(&headers);
    let handle = token("02");
    let txn = Txn {
        username: session.as_ref().map(|(_, s)| s.username.clone()),
        password_ok: session.is_some(),
        mfa_ok: false,
        pending: Pending::None,
        pushed: false,
        from_uri: q
            .get("fromURI")
            .cloned()
            .unwrap_or_else(|| st.config.app_path()),
        session: session.map(|(sid, _)| sid),
        warned: false,
        data_given: false,
    };
    st.txns.insert(handle.clone(), txn);
    // The OIE sign-in page carries the widget's config as a JavaScript
    // object; strings are hex-escaped like Okta's templates do.
    Html(format!(
        r#"<!DOCTYPE html><html><head><title>example - Sign In</title></head>
<body class="auth okta-container"><div id="signin-container"></div>
<script type="text/javascript" nonce="n0nce">
var oktaData = {{"redirectUri":"{base}","isMobileSso":false,"signIn":{{"baseUrl":"{base}","stateToken":"{token}","features":{{"router":true}},"interstitialBeforeLoginRedirect":"DEFAULT"}}}};
</script></body></html>"#,
        base = js_escape(&st.base_url),
        token = js_escape(&handle),
    ))
    .into_response()
}

async fn introspect(State(state): State<Idx>, body: Bytes) -> Response {
    let mut st = state.lock().unwrap();
    record(&mut st, "POST", "/idp/idx/introspect");
    let v = body_json(&body);
    let Some((h, txn)) = txn_of(&st, &v) else {
        return invalid_handle();
    };
    ion(StatusCode::OK, state_json(&st, &h, txn, None))
}

/// The answer to a password for a locked account when the password
/// policy shows lock-out failures: only the unlock flow's
/// `select-authenticator-unlock-account` form (identifier + the
/// authenticators that may unlock), `cancel` next to it, no `messages`
/// unless [`IdxUser::locked_message`] adds one. The structure of
/// okta-signin-widget `src/v3/src/mocks/response/idp/idx/identify/unlock-account.json`
/// (scenario "handle cases when user enters credentials for a locked
/// account"), written from scratch.
fn locked_state(st: &IdxState, h: &str, user: &IdxUser) -> Value {
    let mut unlockers: Vec<Authenticator> = user
        .authenticators
        .iter()
        .filter(|a| {
            matches!(
                a,
                Authenticator::OktaVerify { .. }
                    | Authenticator::Email { .. }
                    | Authenticator::Phone { .. }
            )
        })
        .cloned()
        .collect();
    if unlockers.is_empty() {
        unlockers.push(Authenticator::Email {
            code: String::new(),
        });
    }
    let mut options = Vec::new();
    let mut authenticators = Vec::new();
    let mut enrollments = Vec::new();
    for (i, a) in unlockers.iter().enumerate() {
        let methods: Vec<_> = a
            .methods()
            .into_iter()
            .filter(|(m, _)| *m != "signed_nonce")
            .collect();
        let method_field = if methods.len() == 1 {
            json!({"name": "methodType", "required": false, "value": methods[0].0, "mutable": false})
        } else {
            json!({"name": "methodType", "type": "string", "required": false,
                "options": methods.iter().map(|(m, l)| json!({"label": l, "value": m})).collect::<Vec<_>>()})
        };
        options.push(json!({"label": a.label(), "value": {"form": {"value": [
            {"name": "id", "required": true, "value": auth_id(i), "mutable": false}, method_field]}},
            "relatesTo": format!("$.authenticatorEnrollments.value[{i}]")}));
        let m: Vec<Value> = methods.iter().map(|(m, _)| json!({"type": m})).collect();
        authenticators.push(json!({"type": a.kind(), "key": a.key(), "id": auth_id(i),
            "displayName": a.label(), "methods": m}));
        enrollments.push(
            json!({"type": a.kind(), "key": a.key(), "displayName": a.label(), "methods": m}),
        );
    }
    let mut v = json!({
        "version": "1.0.0", "stateHandle": h, "intent": "LOGIN",
        "expiresAt": "2099-01-01T00:00:00.000Z",
        "remediation": {"type": "array", "value": [remediation(st,
            "select-authenticator-unlock-account", "/idp/idx/challenge", h, vec![
                json!({"name": "identifier", "label": "Username", "required": true}),
                json!({"name": "authenticator", "type": "object", "options": options}),
            ])]},
        "authenticators": {"type": "array", "value": authenticators},
        "authenticatorEnrollments": {"type": "array", "value": enrollments},
        "cancel": remediation(st, "cancel", "/idp/idx/cancel", h, vec![]),
        "app": {"type": "object", "value": {"name": "amazon_aws", "label": "AWS", "id": st.config.app_id}},
    });
    if let Some((text, key)) = &user.locked_message {
        v["messages"] = error_messages(text, Some(key));
    }
    v
}

async fn identify(State(state): State<Idx>, body: Bytes) -> Response {
    let mut st = state.lock().unwrap();
    record(&mut st, "POST", "/idp/idx/identify");
    if st.config.rate_limited_identify {
        return too_many_requests(42);
    }
    if st.config.identify_unavailable {
        return (
            StatusCode::NOT_FOUND,
            Html("<html><title>Not found</title></html>"),
        )
            .into_response();
    }
    let v = body_json(&body);
    let Some((h, txn)) = txn_of(&st, &v) else {
        return invalid_handle();
    };
    let mut txn = txn.clone();
    let ident = v["identifier"].as_str().unwrap_or_default();
    let pass = v["credentials"]["passcode"].as_str();
    let user = st.user(ident);
    let Some(user) = user else {
        // Okta does not reveal unknown users: same answer as a wrong password.
        let msg = error_messages("Authentication failed", Some("errors.E0000004"));
        return ion(
            StatusCode::UNAUTHORIZED,
            state_json(&st, &h, &txn, Some(msg)),
        );
    };
    if user.locked {
        return ion(StatusCode::OK, locked_state(&st, &h, &user));
    }
    if let Some(p) = pass {
        if p != user.password {
            let msg = error_messages("Password is incorrect", Some("incorrectPassword"));
            return ion(
                StatusCode::UNAUTHORIZED,
                state_json(&st, &h, &txn, Some(msg)),
            );
        }
        txn.password_ok = true;
    }
    txn.username = Some(user.username.clone());
    after_password(&mut st, &h, txn, &user)
}

fn after_password(st: &mut IdxState, h: &str, txn: Txn, user: &IdxUser) -> Response {
    if let (true, Some(answer)) = (txn.password_ok, user.answer_after_password) {
        let a = answer(h);
        let status = StatusCode::from_u16(a.status).unwrap_or(StatusCode::FORBIDDEN);
        return ion(status, a.body);
    }
    if let (true, Some((text, key))) = (txn.password_ok, &user.refusal) {
        let status = if key.contains("not.assigned") {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::FORBIDDEN
        };
        let v = json!({"version": "1.0.0", "stateHandle": h, "intent": "LOGIN",
            "expiresAt": "2099-01-01T00:00:00.000Z",
            "messages": error_messages(text, Some(key))});
        return ion(status, v);
    }
    if txn.password_ok && user.password_expired {
        let v = json!({"version": "1.0.0", "stateHandle": h, "intent": "LOGIN",
            "messages": {"type": "array", "value": [{"message": "Your password has expired", "class": "INFO",
                "i18n": {"key": "password.expired.title.generic"}}]},
            "remediation": {"type": "array", "value": [remediation(st, "reenroll-authenticator",
                "/idp/idx/challenge/answer", h, vec![passcode_field("passcode", "New password")])]}});
        return ion(StatusCode::OK, v);
    }
    if txn.password_ok && user.must_enroll {
        let v = json!({"version": "1.0.0", "stateHandle": h, "intent": "LOGIN",
            "remediation": {"type": "array", "value": [remediation(st, "select-authenticator-enroll",
                "/idp/idx/credential/enroll", h, vec![json!({"name": "authenticator", "type": "object", "options": []})])]}});
        return ion(StatusCode::OK, v);
    }
    let mut txn = txn;
    if st.config.auto_challenge_first && txn.password_ok && txn.pending == Pending::None {
        if let Some(a) = user.authenticators.first() {
            let methods = a.methods();
            if methods.iter().any(|(m, _)| *m == "push") {
                // Okta Verify push sent by Okta itself, as the widget's
                // authenticator-verification-okta-verify-push-autoChallenge-on
                // mock: `challenge-poll` next to the select form.
                st.pushes_sent += 1;
                txn.pushed = true;
                txn.pending = Pending::Push { idx: 0, polls: 0 };
            } else {
                let method = methods
                    .last()
                    .map(|(m, _)| m.to_string())
                    .unwrap_or_default();
                st.codes_sent += 1;
                txn.pending = Pending::Code { idx: 0, method };
            }
        }
    }
    st.txns.insert(h.to_string(), txn.clone());
    if txn.password_ok && user.password_warn && !txn.warned {
        let v = json!({"version": "1.0.0", "stateHandle": h, "intent": "LOGIN",
            "messages": {"type": "array", "value": [{"message": "Your password will expire in 3 days.", "class": "INFO",
                "i18n": {"key": "password.expiring.message", "params": [3]}}]},
            "remediation": {"type": "array", "value": [
                remediation(st, "reenroll-authenticator-warning", "/idp/idx/challenge/answer", h,
                    vec![passcode_field("passcode", "New password")]),
                remediation(st, "skip", "/idp/idx/skip", h, vec![])]}});
        return ion(StatusCode::OK, v);
    }
    ion(StatusCode::OK, state_json(st, h, &txn, None))
}

async fn skip(State(state): State<Idx>, body: Bytes) -> Response {
    let mut st = state.lock().unwrap();
    record(&mut st, "POST", "/idp/idx/skip");
    let v = body_json(&body);
    let Some((h, txn)) = txn_of(&st, &v) else {
        return invalid_handle();
    };
    let mut txn = txn.clone();
    txn.warned = true;
    st.txns.insert(h.clone(), txn.clone());
    ion(StatusCode::OK, state_json(&st, &h, &txn, None))
}

async fn challenge(State(state): State<Idx>, body: Bytes) -> Response {
    let mut st = state.lock().unwrap();
    record(&mut st, "POST", "/idp/idx/challenge");
    let v = body_json(&body);
    let Some((h, txn)) = txn_of(&st, &v) else {
        return invalid_handle();
    };
    let mut txn = txn.clone();
    let Some(user) = txn.username.as_deref().and_then(|u| st.user(u)) else {
        return invalid_handle();
    };
    let id = v["authenticator"]["id"].as_str().unwrap_or_default();
    let method = v["authenticator"]["methodType"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let Some(idx) = (0..user.authenticators.len()).find(|i| auth_id(*i) == id) else {
        let msg = error_messages("Invalid authenticator", None);
        return ion(
            StatusCode::BAD_REQUEST,
            state_json(&st, &h, &txn, Some(msg)),
        );
    };
    let a = &user.authenticators[idx];
    let data_step = matches!(a, Authenticator::Phone { .. } | Authenticator::Email { .. })
        && st.config.verification_data_step
        && !txn.data_given;
    if data_step {
        txn.data_given = true;
        st.txns.insert(h.clone(), txn.clone());
        let methods = a.methods();
        let mut form = vec![
            json!({"name": "id", "required": true, "value": auth_id(idx), "mutable": false}),
            json!({"name": "methodType", "type": "string", "required": true,
                "options": methods.iter().map(|(m, l)| json!({"label": l, "value": m})).collect::<Vec<_>>()}),
        ];
        if matches!(a, Authenticator::Phone { .. }) {
            form.push(json!({"name": "enrollmentId", "required": true, "value": enrollment_id(idx), "mutable": false}));
        }
        let mut v = state_json(&st, &h, &txn, None);
        v["currentAuthenticatorEnrollment"] = json!({"type": "object", "value": {
            "type": a.kind(), "key": a.key(), "id": enrollment_id(idx), "displayName": a.label(),
            "methods": methods.iter().map(|(m, _)| json!({"type": m})).collect::<Vec<_>>()}});
        let data = remediation(
            &st,
            "authenticator-verification-data",
            "/idp/idx/challenge",
            &h,
            vec![
                json!({"name": "authenticator", "type": "object", "label": a.label(),
                "form": {"value": form}}),
            ],
        );
        if let Some(rems) = v
            .pointer_mut("/remediation/value")
            .and_then(Value::as_array_mut)
        {
            rems.insert(0, data);
        }
        return ion(StatusCode::OK, v);
    }
    if !a.methods().iter().any(|(m, _)| *m == method) {
        let msg = error_messages(&format!("The method '{method}' is not available"), None);
        return ion(
            StatusCode::BAD_REQUEST,
            state_json(&st, &h, &txn, Some(msg)),
        );
    }
    match method.as_str() {
        "push" => {
            st.pushes_sent += 1;
            txn.pushed = true;
            txn.pending = Pending::Push { idx, polls: 0 };
        }
        "sms" | "voice" | "email" => {
            st.codes_sent += 1;
            txn.pending = Pending::Code { idx, method };
        }
        "totp" | "otp" => txn.pending = Pending::Code { idx, method },
        _ => {
            let msg = error_messages("This authenticator needs a browser", None);
            return ion(
                StatusCode::BAD_REQUEST,
                state_json(&st, &h, &txn, Some(msg)),
            );
        }
    }
    st.txns.insert(h.clone(), txn.clone());
    ion(StatusCode::OK, state_json(&st, &h, &txn, None))
}

async fn answer(State(state): State<Idx>, body: Bytes) -> Response {
    let mut st = state.lock().unwrap();
    record(&mut st, "POST", "/idp/idx/challenge/answer");
    let v = body_json(&body);
    let Some((h, txn)) = txn_of(&st, &v) else {
        return invalid_handle();
    };
    let mut txn = txn.clone();
    let Some(user) = txn.username.as_deref().and_then(|u| st.user(u)) else {
        return invalid_handle();
    };
    let creds = &v["credentials"];
    if !txn.password_ok {
        if creds["passcode"].as_str() != Some(user.password.as_str()) {
            let msg = error_messages("Password is incorrect", Some("incorrectPassword"));
            return ion(
                StatusCode::UNAUTHORIZED,
                state_json(&st, &h, &txn, Some(msg)),
            );
        }
        txn.password_ok = true;
        return after_password(&mut st, &h, txn, &user);
    }
    let Pending::Code { idx, method } = txn.pending.clone() else {
        return ion(StatusCode::BAD_REQUEST, state_json(&st, &h, &txn, None));
    };
    let given = creds["passcode"]
        .as_str()
        .or_else(|| creds["totp"].as_str());
    if given.is_none() || given != user.authenticators[idx].code_for(&method) {
        // Okta answers a wrong code with HTTP 401 and the message on the
        // form field, not at the top (widget mocks
        // error-401-invalid-otp-passcode.json, error-okta-verify-totp.json).
        let msg = error_messages(
            "Invalid code. Try again.",
            Some("api.authn.error.PASSCODE_INVALID"),
        );
        let mut v = state_json(&st, &h, &txn, None);
        attach_to_credentials(&mut v, msg);
        return ion(StatusCode::UNAUTHORIZED, v);
    }
    txn.mfa_ok = true;
    txn.pending = Pending::None;
    st.txns.insert(h.clone(), txn.clone());
    ion(StatusCode::OK, state_json(&st, &h, &txn, None))
}

async fn poll(State(state): State<Idx>, body: Bytes) -> Response {
    let mut st = state.lock().unwrap();
    record(&mut st, "POST", "/idp/idx/authenticators/poll");
    st.polls += 1;
    if st.config.rate_limited_polls > 0 {
        st.config.rate_limited_polls -= 1;
        return too_many_requests(1);
    }
    let v = body_json(&body);
    let Some((h, txn)) = txn_of(&st, &v) else {
        return invalid_handle();
    };
    let mut txn = txn.clone();
    let Some(user) = txn.username.as_deref().and_then(|u| st.user(u)) else {
        return invalid_handle();
    };
    let Pending::Push { idx, polls } = txn.pending.clone() else {
        return ion(StatusCode::OK, state_json(&st, &h, &txn, None));
    };
    let outcome = match &user.authenticators[idx] {
        Authenticator::OktaVerify { push: Some(p), .. } => *p,
        _ => Push::Never,
    };
    txn.pending = Pending::Push {
        idx,
        polls: polls + 1,
    };
    let msg = match outcome {
        Push::Approve(n) if polls >= n => {
            txn.mfa_ok = true;
            txn.pending = Pending::None;
            None
        }
        Push::Reject => {
            txn.pending = Pending::None;
            Some(error_messages(
                "You have chosen to reject this login.",
                Some("api.authn.poll.error.push_rejected"),
            ))
        }
        Push::Expire => {
            txn.pending = Pending::None;
            Some(error_messages(
                "Your push notification has expired.",
                Some("okta.verify.push.expired"),
            ))
        }
        _ => None,
    };
    st.txns.insert(h.clone(), txn.clone());
    ion(StatusCode::OK, state_json(&st, &h, &txn, msg))
}

/// Okta's 429: its error body and the rate-limit headers.
fn too_many_requests(reset_in_secs: i64) -> Response {
    let reset = OffsetDateTime::now_utc().unix_timestamp() + reset_in_secs;
    let mut r = (
        StatusCode::TOO_MANY_REQUESTS,
        Json(json!({"errorCode": "E0000047", "errorSummary": "API call exceeded rate limit due to too many requests.", "errorCauses": []})),
    )
        .into_response();
    r.headers_mut()
        .insert("x-rate-limit-reset", reset.to_string().parse().unwrap());
    r.headers_mut()
        .insert("x-rate-limit-remaining", "0".parse().unwrap());
    r
}

async fn cancel(State(state): State<Idx>, body: Bytes) -> Response {
    let mut st = state.lock().unwrap();
    record(&mut st, "POST", "/idp/idx/cancel");
    let v = body_json(&body);
    if let Some((h, _)) = txn_of(&st, &v) {
        st.txns.remove(&h);
    }
    ion(StatusCode::OK, json!({"version": "1.0.0"}))
}

async fn token_redirect(
    State(state): State<Idx>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut st = state.lock().unwrap();
    record(&mut st, "GET", "/login/token/redirect");
    let h = q.get("stateToken").cloned().unwrap_or_default();
    let Some(txn) = st.txns.remove(&h) else {
        return (StatusCode::FORBIDDEN, Html("<html><title>example - Error</title><body><p class='error-content'>The link has expired.</p></body></html>")).into_response();
    };
    let username = txn.username.clone().unwrap_or_default();
    let sid = txn.session.clone().unwrap_or_else(|| token("102"));
    let lifetime = time::Duration::seconds(st.config.session_lifetime_secs);
    st.sessions.insert(
        sid.clone(),
        IdxSession {
            username,
            mfa: txn.mfa_ok,
            expires: OffsetDateTime::now_utc() + lifetime,
        },
    );
    with_cookies(
        redirect(&txn.from_uri),
        [format!("idx={sid}; Path=/; HttpOnly; Secure")],
    )
}

async fn classic_authn(State(state): State<Idx>, body: Bytes) -> Response {
    let mut st = state.lock().unwrap();
    record(&mut st, "POST", "/api/v1/authn");
    let v = body_json(&body);
    let user = v["username"].as_str().and_then(|u| st.user(u));
    match user {
        Some(u) if st.config.classic_password_only && v["password"].as_str() == Some(u.password.as_str()) => {
            let t = token("20111");
            st.session_tokens.insert(t.clone(), u.username.clone());
            Json(json!({"expiresAt": "2099-01-01T00:00:00.000Z", "status": "SUCCESS", "sessionToken": t,
                "_embedded": {"user": {"id": "00u1", "profile": {"login": u.username}}}}))
            .into_response()
        }
        _ => (
            StatusCode::UNAUTHORIZED,
            Json(json!({"errorCode": "E0000004", "errorSummary": "Authentication failed", "errorCauses": []})),
        )
            .into_response(),
    }
}

async fn no_sessions_api(State(state): State<Idx>) -> Response {
    let mut st = state.lock().unwrap();
    record(&mut st, "POST", "/api/v1/sessions");
    (
        StatusCode::FORBIDDEN,
        Json(json!({"errorCode": "E0000006", "errorSummary": "You do not have permission to perform the requested action", "errorCauses": []})),
    )
        .into_response()
}

/// An OAuth error answer: OAuth's shape (`error`, `error_description`),
/// or with `okta_shape` Okta's own (`errorCode`, `errorSummary`,
/// `errorLink`, `errorId`, `errorCauses`), as Okta answers an unknown
/// client id (okta/okta-idx-java issue 500; okta-aws-cli
/// `internal/okta/apierror.go` reads both).
fn oauth_error(okta_shape: bool, status: StatusCode, error: &str, description: &str) -> Response {
    let body = if okta_shape {
        json!({"errorCode": error, "errorSummary": description, "errorLink": error,
            "errorId": format!("oae{}", &token("")[..12]), "errorCauses": []})
    } else {
        json!({"error": error, "error_description": description})
    };
    (status, Json(body)).into_response()
}

async fn device_authorize(State(state): State<Idx>, body: Bytes) -> Response {
    let mut st = state.lock().unwrap();
    record(&mut st, "POST", "/oauth2/v1/device/authorize");
    let okta_shape = st.config.oauth_errors_in_okta_shape;
    let f = form(&body);
    let client = f.get("client_id").cloned().unwrap_or_default();
    if client != st.config.device_client_id {
        return oauth_error(
            okta_shape,
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Invalid value for 'client_id' parameter.",
        );
    }
    if !st.config.device_grant {
        // The wording of okta-signin-widget's mock
        // error-400-unauthorized-client.json.
        return oauth_error(
            okta_shape,
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            "The client is not authorized to use the provided grant type. Configured grant types: [authorization_code, refresh_token].",
        );
    }
    let code = token("dc");
    let user_code = "WDJB-MJHT".to_string();
    st.devices.insert(
        code.clone(),
        Device {
            client_id: client,
            user_code: user_code.clone(),
            polls: 0,
            approved: false,
            expires: OffsetDateTime::now_utc() + time::Duration::seconds(600),
        },
    );
    Json(json!({
        "device_code": code, "user_code": user_code,
        "verification_uri": st.url("/activate"),
        "verification_uri_complete": st.url(&format!("/activate?user_code={user_code}")),
        "expires_in": 600, "interval": 1
    }))
    .into_response()
}

async fn oauth_token(State(state): State<Idx>, body: Bytes) -> Response {
    let mut st = state.lock().unwrap();
    record(&mut st, "POST", "/oauth2/v1/token");
    let okta_shape = st.config.oauth_errors_in_okta_shape;
    let f = form(&body);
    let grant = f.get("grant_type").map(String::as_str).unwrap_or_default();
    let client = f.get("client_id").cloned().unwrap_or_default();
    if client != st.config.device_client_id {
        return oauth_error(
            okta_shape,
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Invalid value for 'client_id' parameter.",
        );
    }
    match grant {
        "urn:ietf:params:oauth:grant-type:device_code" => {
            st.device_polls += 1;
            let code = f.get("device_code").cloned().unwrap_or_default();
            let approve_after = st.config.device_approve_after;
            let expire_after = st.config.device_expire_after;
            let slow_down = st.config.device_slow_down_first;
            let Some(d) = st.devices.get_mut(&code) else {
                return oauth_error(
                    okta_shape,
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "The device code is invalid or has expired.",
                );
            };
            if d.expires < OffsetDateTime::now_utc() {
                return oauth_error(
                    okta_shape,
                    StatusCode::BAD_REQUEST,
                    "expired_token",
                    "The device code has expired.",
                );
            }
            d.polls += 1;
            if expire_after.is_some_and(|n| d.polls > n) {
                return oauth_error(
                    okta_shape,
                    StatusCode::BAD_REQUEST,
                    "expired_token",
                    "The device code has expired.",
                );
            }
            if slow_down && d.polls == 1 {
                return oauth_error(
                    okta_shape,
                    StatusCode::BAD_REQUEST,
                    "slow_down",
                    "The client is polling too frequently.",
                );
            }
            if approve_after.is_some_and(|n| d.polls > n) {
                d.approved = true;
            }
            if !d.approved {
                return oauth_error(
                    okta_shape,
                    StatusCode::BAD_REQUEST,
                    "authorization_pending",
                    "The device authorization is pending. Please try again later.",
                );
            }
            let _ = (&d.client_id, &d.user_code);
            st.devices.remove(&code);
            let user = st
                .config
                .users
                .first()
                .map(|u| u.username.clone())
                .unwrap_or_default();
            let access = token("eyJraWQiOiJhY2Nlc3Mi");
            st.access_tokens.insert(access.clone(), user);
            Json(
                json!({"token_type": "Bearer", "expires_in": 3600, "access_token": access,
                "scope": "openid okta.apps.sso", "id_token": token("eyJraWQiOiJpZCI")}),
            )
            .into_response()
        }
        "urn:ietf:params:oauth:grant-type:token-exchange" => {
            let actor = f.get("actor_token").cloned().unwrap_or_default();
            let Some(user) = st.access_tokens.get(&actor).cloned() else {
                return oauth_error(
                    okta_shape,
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "The actor_token is invalid.",
                );
            };
            if f.get("requested_token_type").map(String::as_str)
                != Some("urn:okta:oauth:token-type:web_sso_token")
            {
                return oauth_error(
                    okta_shape,
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "requested_token_type is invalid.",
                );
            }
            let want = format!("urn:okta:apps:{}", st.config.app_id);
            if f.get("audience") != Some(&want) {
                return oauth_error(
                    okta_shape,
                    StatusCode::BAD_REQUEST,
                    "invalid_target",
                    "The audience is invalid.",
                );
            }
            if !st.config.web_sso_allowed {
                // The error Okta gives (as reported in okta/okta-aws-cli#47).
                return oauth_error(
                    okta_shape,
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "The target audience app must be configured to allow the client to request a 'web_sso_token'.",
                );
            }
            let t = token("wst");
            st.web_sso_tokens.insert(t.clone(), user);
            Json(json!({"access_token": t, "issued_token_type": "urn:okta:oauth:token-type:web_sso_token",
                "token_type": "N_A", "expires_in": 300})).into_response()
        }
        _ => oauth_error(
            okta_shape,
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "The grant type is not supported.",
        ),
    }
}

async fn token_sso_get(State(state): State<Idx>, RawQuery(q): RawQuery) -> Response {
    {
        let mut st = state.lock().unwrap();
        record(&mut st, "GET", "/login/token/sso");
    }
    redeem_sso(state, form(&Bytes::from(q.unwrap_or_default())))
}

async fn token_sso(State(state): State<Idx>, body: Bytes) -> Response {
    {
        let mut st = state.lock().unwrap();
        record(&mut st, "POST", "/login/token/sso");
        if st.config.sso_get_only {
            return StatusCode::METHOD_NOT_ALLOWED.into_response();
        }
    }
    redeem_sso(state, form(&body))
}

fn redeem_sso(state: Idx, f: HashMap<String, String>) -> Response {
    let mut st = state.lock().unwrap();
    let Some(user) = f.get("token").and_then(|t| st.web_sso_tokens.remove(t)) else {
        return (StatusCode::FORBIDDEN, Html("<html><title>example - Error</title><body><p class='error-content'>The token is invalid.</p></body></html>")).into_response();
    };
    let sid = token("102");
    let lifetime = time::Duration::seconds(st.config.session_lifetime_secs);
    st.sessions.insert(
        sid.clone(),
        IdxSession {
            username: user.clone(),
            mfa: true,
            expires: OffsetDateTime::now_utc() + lifetime,
        },
    );
    let b64 = AssertionBuilder::default()
        .roles(st.config.roles.clone())
        .session_name(Some(&user))
        .base64();
    with_cookies(
        Html(post_page(&b64, "https://signin.aws.amazon.com/saml")).into_response(),
        [format!("idx={sid}; Path=/; HttpOnly")],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn js_escape_hides_dashes() {
        assert_eq!(js_escape("02ab-cd"), "02ab\\x2Dcd");
    }
}
