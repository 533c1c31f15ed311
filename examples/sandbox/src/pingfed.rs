//! A fake PingFederate with PingID as second factor, on one loopback host
//! (PingFederate under `/idp/`, PingID under `/pingid/`).
//!
//! PingFederate: `startSSO.ping` serves the HTML Form Adapter login page
//! (the shape of `fixtures/pingfederate-login.html`: `pf.username`,
//! `pf.pass`, and a script link that sets `pf.ok=clicked`); a wrong password
//! brings it back with a `.ping-error`; a locked account, an expired or an
//! expiring password answer with PingFederate's own texts and templates.
//! After the password it hands the sign-in to PingID with an auto-posting
//! `ppm_request` form and, once PingID returns `ppm_response`, posts the
//! SAML response to AWS. A resume URL without its state answers with
//! PingFederate's "Page Expired".
//!
//! PingID serves the pages in `fixtures/pingid-*.html` (the structure of
//! the real ones; each file names its source), with this run's URLs,
//! tokens, devices and number substituted: the WebAuthn check, the device
//! picker, the push page (polled by GET on its status URL with the
//! `csrfToken`; `ASYNC_AUTH_WAIT` until the configured answer), the
//! passcode page, the response hand-back and its error window. Posting the
//! push page's own `#form1` (what a client without its scripts does) only
//! brings the same page back, as counted in `status_posts`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};

use crate::saml::{post_page, AssertionBuilder, Role};
use crate::web::{cookie, esc, field, random_hex, with_cookies, ClientBase};
use crate::Server;

/// How PingFederate answers a correct password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Account {
    /// Signs in.
    #[default]
    Ok,
    /// "Your account is locked. Please contact your system administrator."
    Locked,
    /// The expired-password page (`fixtures/pingfederate-password-expired.html`).
    PasswordExpired,
    /// The "Password Expiring" notice first (`fixtures/pingfederate-password-expiring.html`).
    PasswordExpiring,
}

/// What the person does with a push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushAnswer {
    Approve,
    /// Denies it: the status poll answers `DENIED` (a value no public
    /// capture shows; clients must not depend on it) and the response view
    /// shows PingID's error window.
    Deny,
    /// PingID gives up: the status poll answers `TIMEOUT`.
    Timeout,
    /// Nobody ever answers: `ASYNC_AUTH_WAIT` forever.
    Never,
}

/// A PingID device.
#[derive(Debug, Clone)]
pub struct Device {
    pub id: String,
    pub name: String,
    pub kind: DeviceKind,
}

#[derive(Debug, Clone)]
pub enum DeviceKind {
    /// The PingID app: a push, with number matching when `number` is set,
    /// answered after `polls` waiting polls.
    Push {
        number: Option<u32>,
        polls: usize,
        answer: PushAnswer,
    },
    /// A passcode device (PingID desktop, a token).
    Passcode { code: String },
    /// A FIDO security key (skipped when the browser says it cannot use
    /// WebAuthn).
    SecurityKey,
}

impl Device {
    /// A phone with the PingID app, approving after one waiting poll.
    pub fn phone(number: Option<u32>, answer: PushAnswer) -> Device {
        Device {
            id: "5120398817733410001".into(),
            name: "iPhone X".into(),
            kind: DeviceKind::Push {
                number,
                polls: 1,
                answer,
            },
        }
    }

    /// PingID desktop, accepting `code`.
    pub fn desktop(code: &str) -> Device {
        Device {
            id: "5120398817733410002".into(),
            name: "Desktop Mac".into(),
            kind: DeviceKind::Passcode { code: code.into() },
        }
    }

    /// A FIDO security key.
    pub fn security_key() -> Device {
        Device {
            id: "5120398817733410003".into(),
            name: "YubiKey 5".into(),
            kind: DeviceKind::SecurityKey,
        }
    }

    fn class(&self) -> &'static str {
        match self.kind {
            DeviceKind::Push { .. } => "mobile-phone",
            DeviceKind::Passcode { .. } => "desktop",
            DeviceKind::SecurityKey => "security-key",
        }
    }
}

/// How the fake behaves.
#[derive(Debug, Clone)]
pub struct PingFedConfig {
    pub username: String,
    pub password: String,
    pub roles: Vec<Role>,
    pub account: Account,
    /// PingID asks whether the browser can use WebAuthn first.
    pub webauthn_check: bool,
    /// The user's devices, PingID's default first. Empty: no PingID.
    pub devices: Vec<Device>,
    /// PingID shows its device picker (when more than one device is usable).
    pub device_picker: bool,
    pub saml_action: String,
}

impl Default for PingFedConfig {
    fn default() -> Self {
        PingFedConfig {
            username: "Monty".into(),
            password: "hunter2".into(),
            roles: vec![Role::new("123456789012", "PingFed-Dev", "PingFederate")],
            account: Account::Ok,
            webauthn_check: true,
            devices: vec![Device::phone(None, PushAnswer::Approve)],
            device_picker: false,
            saml_action: "https://signin.aws.amazon.com/saml".into(),
        }
    }
}

impl PingFedConfig {
    /// A phone (push, approved) and a desktop app (code `246810`), with
    /// PingID's device picker: the setup of a person who has both.
    pub fn phone_and_desktop_picker() -> Self {
        PingFedConfig {
            devices: vec![
                Device::phone(None, PushAnswer::Approve),
                Device::desktop("246810"),
            ],
            device_picker: true,
            ..Default::default()
        }
    }
}

/// PingFederate's sign-in state.
#[derive(Debug, Default, Clone)]
struct PfSession {
    flow: String,
    password_ok: bool,
    /// Token handed to PingID and expected back in its response.
    ppm: String,
}

/// PingID's state for one sign-in.
#[derive(Debug, Default, Clone)]
struct PingIdSession {
    csrf: String,
    /// The PingFederate flow to return to.
    flow: String,
    ppm_response: String,
    /// WebAuthn usable, as the browser answered (true until told otherwise).
    webauthn: bool,
    device: Option<Device>,
    polls: usize,
    approved: bool,
}

/// What the fake has seen.
#[derive(Debug, Default)]
pub struct PingFedState {
    pub config: PingFedConfig,
    pub entry_visits: usize,
    pub password_posts: usize,
    /// Values posted for `isWebAuthnSupportedByBrowser`.
    pub webauthn_answers: Vec<String>,
    /// `deviceId`s posted to the device picker.
    pub devices_chosen: Vec<String>,
    /// Device pages opened by GET ("Change Device").
    pub device_list_opened: usize,
    /// GET polls of the status URL carrying the right csrfToken.
    pub status_polls: usize,
    /// Polls that were not GET `X-Requested-With: XMLHttpRequest` with
    /// the csrfToken.
    pub bad_polls: usize,
    /// POSTs of the push page's `#form1` (the loop a script-less client
    /// falls into).
    pub status_posts: usize,
    /// `status` values the response view was opened with.
    pub responses: Vec<String>,
    pub otp_posts: usize,
    /// The expiry notice was dismissed with "Change it later".
    pub notices_dismissed: usize,
    pub logins_ok: usize,
    pf: HashMap<String, PfSession>,
    pingid: HashMap<String, PingIdSession>,
}

pub type PingFed = Arc<Mutex<PingFedState>>;

const PF_COOKIE: &str = "PF";
const PINGID_COOKIE: &str = "PingIDSession";

/// What `-e` points at.
pub const ENTRY_PATH: &str = "/idp/startSSO.ping?PartnerSpId=urn:amazon:webservices";

/// The `-e` URL of a running fake.
pub fn entry_url(server: &Server) -> String {
    server.url(ENTRY_PATH)
}

/// The router and its state.
pub fn router(config: PingFedConfig) -> (Router, PingFed) {
    let state: PingFed = Arc::new(Mutex::new(PingFedState {
        config,
        ..Default::default()
    }));
    let r = Router::new()
        .route("/idp/startSSO.ping", get(entry))
        .route("/idp/{flow}/resumeSAML20/idp/startSSO.ping", post(resume))
        .route("/pingid/ppm/auth", post(ppm_auth))
        .route("/pingid/ppm/devices", get(devices_page).post(device_post))
        .route(
            "/pingid/ppm/auth/status",
            get(status_poll).post(status_post),
        )
        .route("/pingid/ppm/auth/response", get(response_view))
        .route("/pingid/ppm/auth/otp", post(otp_post))
        .with_state(state.clone());
    (r, state)
}

/// Run the fake over plain HTTP on loopback.
pub fn start(config: PingFedConfig) -> (Server, PingFed) {
    let (r, s) = router(config);
    (Server::http(r), s)
}

/// An HTML page that sets session cookie `name`.
fn page_with_cookie(body: String, name: &str, value: &str) -> Response {
    with_cookies(
        Html(body).into_response(),
        [format!("{name}={value}; Path=/; HttpOnly")],
    )
}

// ---------------------------------------------------------------- fixtures

const SAMPLE_CSRF: &str = "3c1d6f0a-8e2b-4c47-9a51-2f6b7d9e0c14";
const SAMPLE_PINGID: &str = "https://authenticator.pingone.com";
const SAMPLE_PF: &str = "https://sso.example.com";
const SAMPLE_FLOW: &str = "/idp/A1b2C/";

/// A fixture page with this run's URLs, flow, token and device.
fn fixture(text: &str, base: &str, flow: &str, csrf: &str) -> String {
    text.replace(SAMPLE_PINGID, base)
        .replace(SAMPLE_PF, base)
        .replace(SAMPLE_FLOW, &format!("/idp/{flow}/"))
        .replace(SAMPLE_CSRF, csrf)
}

fn login_html(flow: &str, base: &str, error: Option<&str>) -> String {
    let error = error
        .map(|e| format!(r#"<div class="ping-error">{}</div>"#, esc(e)))
        .unwrap_or_default();
    format!(
        r#"<!DOCTYPE html>
<html lang="en" dir="ltr">
<head><title>Sign On</title><base href="{base}/"/>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"/></head>
<body onload="setFocus()">
<div class="ping-container ping-signin">
<div class="ping-header">Sign On</div>
<div class="ping-body-container"><div>
<form method="POST" action="/idp/{flow}/resumeSAML20/idp/startSSO.ping" autocomplete="off">
<div class="ping-messages">{error}</div>
<div class="ping-input-label">Username</div>
<div class="ping-input-container"><input id="username" type="text" size="36" name="pf.username" value="" autocorrect="off" autocapitalize="off" onKeyPress="return postOnReturn(event)"/></div>
<div class="ping-input-label">Password</div>
<div class="ping-input-container"><input id="password" type="password" size="36" name="pf.pass" onKeyPress="return postOnReturn(event)"/></div>
<div class="ping-buttons">
<input type="hidden" name="pf.ok" value=""/>
<input type="hidden" name="pf.cancel" value=""/>
<a onclick="postOk();" class="ping-button normal allow" title="Sign On">Sign On</a>
</div>
<input type="hidden" name="pf.adapterId" id="pf.adapterId" value="PingIDForm"/>
</form></div></div></div>
<script type="text/javascript">
function postOk() {{ document.forms[0]['pf.ok'].value = 'clicked'; document.forms[0].submit(); }}
function postCancel() {{ document.forms[0]['pf.cancel'].value = 'clicked'; document.forms[0].submit(); }}
</script>
</body></html>"#
    )
}

// ----------------------------------------------------------- PingFederate

async fn entry(State(state): State<PingFed>, ClientBase(b): ClientBase) -> Response {
    let mut st = state.lock().unwrap();
    st.entry_visits += 1;
    let flow = random_hex(5);
    let sid = random_hex(32);
    st.pf.insert(
        sid.clone(),
        PfSession {
            flow: flow.clone(),
            ..Default::default()
        },
    );
    page_with_cookie(login_html(&flow, &b, None), PF_COOKIE, &sid)
}

const PAGE_EXPIRED: &str = include_str!("../fixtures/pingfederate-page-expired.html");
const PASSWORD_EXPIRED: &str = include_str!("../fixtures/pingfederate-password-expired.html");
const PASSWORD_EXPIRING: &str = include_str!("../fixtures/pingfederate-password-expiring.html");

/// A PingFederate fixture page for this run and `flow`.
fn pf_page(text: &str, b: &str, flow: &str) -> Response {
    Html(fixture(text, b, flow, "")).into_response()
}

fn page_expired(b: &str) -> Response {
    pf_page(PAGE_EXPIRED, b, "x")
}

async fn resume(
    State(state): State<PingFed>,
    Path(flow): Path<String>,
    ClientBase(b): ClientBase,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let mut st = state.lock().unwrap();
    let Some(sid) =
        cookie(&headers, PF_COOKIE).filter(|s| st.pf.get(s).is_some_and(|p| p.flow == flow))
    else {
        return page_expired(&b);
    };
    let session = st.pf.get(&sid).cloned().unwrap_or_default();
    if let Some(resp) = field(&fields, "ppm_response") {
        if !session.password_ok || session.ppm.is_empty() || resp != session.ppm {
            return page_expired(&b);
        }
        st.logins_ok += 1;
        return Html(final_page(&st.config)).into_response();
    }
    if field(&fields, "pf.passwordExpiring").is_some() {
        if !session.password_ok {
            return page_expired(&b);
        }
        if field(&fields, "pf.notificationCancel") == Some("clicked")
            && field(&fields, "pf.pcvId") == Some("ExamplePCV")
        {
            st.notices_dismissed += 1;
            return to_pingid(&mut st, &sid, &b);
        }
        return pf_page(PASSWORD_EXPIRED, &b, &flow);
    }
    st.password_posts += 1;
    let user_ok =
        field(&fields, "pf.username").is_some_and(|u| u.eq_ignore_ascii_case(&st.config.username));
    let pass_ok = field(&fields, "pf.pass") == Some(st.config.password.as_str());
    // The template's postOk() marks the press; without it PingFederate
    // shows the form again.
    let form = |error| Html(login_html(&flow, &b, error)).into_response();
    if field(&fields, "pf.ok") != Some("clicked") {
        return form(None);
    }
    if !(user_ok && pass_ok) {
        return form(Some(
            "We didn't recognize the username or password you entered. Please try again.",
        ));
    }
    match st.config.account {
        Account::Locked => {
            return form(Some(
                "Your account is locked. Please contact your system administrator.",
            ))
        }
        Account::PasswordExpired => return pf_page(PASSWORD_EXPIRED, &b, &flow),
        Account::PasswordExpiring | Account::Ok => {}
    }
    if let Some(s) = st.pf.get_mut(&sid) {
        s.password_ok = true;
    }
    if st.config.account == Account::PasswordExpiring {
        return pf_page(PASSWORD_EXPIRING, &b, &flow);
    }
    to_pingid(&mut st, &sid, &b)
}

/// After the password: the hand-off to PingID, or the SAML page when the
/// user has no PingID device.
fn to_pingid(st: &mut PingFedState, sid: &str, b: &str) -> Response {
    if st.config.devices.is_empty() {
        st.logins_ok += 1;
        return Html(final_page(&st.config)).into_response();
    }
    let ppm = random_hex(32);
    let flow = match st.pf.get_mut(sid) {
        Some(s) => {
            s.ppm = ppm.clone();
            s.flow.clone()
        }
        None => return page_expired(b),
    };
    // PingID keeps the request to match the answer to it.
    let request = format!("{flow}.{ppm}");
    Html(
        fixture(
            include_str!("../fixtures/pingid-ppm-request.html"),
            b,
            &flow,
            "",
        )
        .replace("PPM-REQUEST-TOKEN", &request),
    )
    .into_response()
}

fn final_page(config: &PingFedConfig) -> String {
    let b64 = AssertionBuilder::default()
        .roles(config.roles.clone())
        .session_name(Some(&config.username))
        .destination(&config.saml_action)
        .base64();
    post_page(&b64, &config.saml_action)
}

// ----------------------------------------------------------------- PingID

fn pingid_session<'a>(
    st: &'a mut PingFedState,
    headers: &HeaderMap,
    csrf: Option<&str>,
) -> Option<(String, &'a mut PingIdSession)> {
    let sid = cookie(headers, PINGID_COOKIE)?;
    let s = st.pingid.get_mut(&sid)?;
    if csrf.is_some_and(|c| c != s.csrf) {
        return None;
    }
    Some((sid, s))
}

fn pingid_error(b: &str, text: &str) -> Response {
    Html(
        include_str!("../fixtures/pingid-error.html")
            .replace(
                "The authentication request was denied on your device.",
                &esc(text),
            )
            .replace(SAMPLE_PINGID, b),
    )
    .into_response()
}

/// What PingID shows when the request names no live session of its own.
fn session_expired(b: &str) -> Response {
    pingid_error(b, "Your session has expired.")
}

async fn ppm_auth(
    State(state): State<PingFed>,
    ClientBase(b): ClientBase,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let mut st = state.lock().unwrap();
    if let Some(request) = field(&fields, "ppm_request") {
        let Some((flow, ppm)) = request.split_once('.') else {
            return pingid_error(&b, "Invalid request.");
        };
        if !st.pf.values().any(|p| p.flow == flow && p.ppm == ppm) {
            return pingid_error(&b, "Invalid request.");
        }
        let sid = random_hex(32);
        let session = PingIdSession {
            csrf: format!("{}-{}", random_hex(8), random_hex(4)),
            flow: flow.to_string(),
            ppm_response: ppm.to_string(),
            webauthn: true,
            ..Default::default()
        };
        let csrf = session.csrf.clone();
        st.pingid.insert(sid.clone(), session);
        let body = if st.config.webauthn_check {
            fixture(
                include_str!("../fixtures/pingid-webauthn-check.html"),
                &b,
                flow,
                &csrf,
            )
        } else {
            return page_with_cookie(next_page(&mut st, &sid, &b), PINGID_COOKIE, &sid);
        };
        return page_with_cookie(body, PINGID_COOKIE, &sid);
    }
    if let Some(answer) = fields
        .iter()
        .find(|(n, _)| n == "isWebAuthnSupportedByBrowser")
        .map(|(_, v)| v.clone())
    {
        st.webauthn_answers.push(answer.clone());
        let Some((sid, s)) = pingid_session(&mut st, &headers, None) else {
            return session_expired(&b);
        };
        // A blank answer counts as "supported" (saml2aws PR #268).
        s.webauthn = answer != "false";
        let body = next_page(&mut st, &sid, &b);
        return Html(body).into_response();
    }
    pingid_error(&b, "Invalid request.")
}

/// The devices PingID can use given the WebAuthn answer.
fn usable(st: &PingFedState, webauthn: bool) -> Vec<Device> {
    st.config
        .devices
        .iter()
        .filter(|d| webauthn || !matches!(d.kind, DeviceKind::SecurityKey))
        .cloned()
        .collect()
}

/// The picker, or the default device's page.
fn next_page(st: &mut PingFedState, sid: &str, b: &str) -> String {
    let Some(s) = st.pingid.get(sid).cloned() else {
        return fixture(include_str!("../fixtures/pingid-error.html"), b, "x", "");
    };
    let list = usable(st, s.webauthn);
    if list.is_empty() {
        return include_str!("../fixtures/pingid-error.html").replace(
            "The authentication request was denied on your device.",
            "No device that this browser can use is paired with your account.",
        );
    }
    if st.config.device_picker && list.len() > 1 {
        return picker_html(&list, b, &s.csrf);
    }
    start_device(st, sid, &list[0], b)
}

fn picker_html(list: &[Device], b: &str, csrf: &str) -> String {
    let page = fixture(
        include_str!("../fixtures/pingid-device-picker.html"),
        b,
        "x",
        csrf,
    );
    let items: String = list
        .iter()
        .enumerate()
        .map(|(i, d)| {
            format!(
                "\n        <li class=\"device {}{}\" data-id=\"{}\">\n          <a>\n            {}\n            <div class=\"device-name\">{}</div>\n          </a>\n        </li>",
                d.class(),
                if i == 0 { " selected" } else { "" },
                esc(&d.id),
                esc(&d.name),
                esc(&d.name)
            )
        })
        .collect();
    let start = page
        .find("<ul class=\"device-list\">")
        .expect("fixture list")
        + "<ul class=\"device-list\">".len();
    let end = page[start..].find("</ul>").expect("fixture list end") + start;
    format!("{}{items}\n      {}", &page[..start], &page[end..]).replace(
        "value=\"5120398817733410001\"",
        &format!("value=\"{}\"", esc(&list[0].id)),
    )
}

/// Start authenticating on `device`: its push or passcode page.
fn start_device(st: &mut PingFedState, sid: &str, device: &Device, b: &str) -> String {
    let Some(s) = st.pingid.get_mut(sid) else {
        return fixture(include_str!("../fixtures/pingid-error.html"), b, "x", "");
    };
    s.device = Some(device.clone());
    s.polls = 0;
    s.approved = false;
    let csrf = s.csrf.clone();
    match &device.kind {
        DeviceKind::Push { number, .. } => push_html(device, *number, b, &csrf),
        DeviceKind::Passcode { .. } => otp_html(device, b, &csrf, None),
        DeviceKind::SecurityKey => fixture(
            include_str!("../fixtures/pingid-security-key.html"),
            b,
            "x",
            &csrf,
        ),
    }
}

fn push_html(device: &Device, number: Option<u32>, b: &str, csrf: &str) -> String {
    let page = match number {
        Some(n) => include_str!("../fixtures/pingid-swipe-number.html").replace(
            "<div class=\"numbermatching\">42</div>",
            &format!("<div class=\"numbermatching\">{n}</div>"),
        ),
        None => include_str!("../fixtures/pingid-swipe.html").to_string(),
    };
    fixture(&page, b, "x", csrf).replace("iPhone X", &esc(&device.name))
}

fn otp_html(device: &Device, b: &str, csrf: &str, error: Option<&str>) -> String {
    let page = fixture(include_str!("../fixtures/pingid-otp.html"), b, "x", csrf)
        .replace("Desktop Mac", &esc(&device.name));
    match error {
        Some(e) => page.replace(
            "<div class=\"error-message\"></div>",
            &format!("<div class=\"error-message\">{}</div>", esc(e)),
        ),
        None => page,
    }
}

async fn devices_page(
    State(state): State<PingFed>,
    ClientBase(b): ClientBase,
    headers: HeaderMap,
) -> Response {
    let mut st = state.lock().unwrap();
    st.device_list_opened += 1;
    let Some((_, s)) = pingid_session(&mut st, &headers, None) else {
        return session_expired(&b);
    };
    let (csrf, webauthn) = (s.csrf.clone(), s.webauthn);
    let list = usable(&st, webauthn);
    Html(picker_html(&list, &b, &csrf)).into_response()
}

async fn device_post(
    State(state): State<PingFed>,
    ClientBase(b): ClientBase,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let mut st = state.lock().unwrap();
    let id = field(&fields, "deviceId").unwrap_or_default().to_string();
    st.devices_chosen.push(id.clone());
    let Some((sid, s)) = pingid_session(&mut st, &headers, field(&fields, "csrfToken")) else {
        return session_expired(&b);
    };
    let webauthn = s.webauthn;
    let Some(device) = usable(&st, webauthn).into_iter().find(|d| d.id == id) else {
        return pingid_error(&b, "The selected device is not available.");
    };
    Html(start_device(&mut st, &sid, &device, &b)).into_response()
}

async fn status_poll(
    State(state): State<PingFed>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let mut st = state.lock().unwrap();
    let xhr = headers
        .get("x-requested-with")
        .and_then(|v| v.to_str().ok())
        == Some("XMLHttpRequest");
    let Some((_, s)) = pingid_session(&mut st, &headers, q.get("csrfToken").map(String::as_str))
        .filter(|_| q.contains_key("csrfToken") && xhr)
    else {
        st.bad_polls += 1;
        return (
            StatusCode::FORBIDDEN,
            Json(serde_json::json!({"status": "INVALID_CSRF"})),
        )
            .into_response();
    };
    let status = match s.device.as_ref().map(|d| d.kind.clone()) {
        Some(DeviceKind::Push { polls, answer, .. }) => {
            s.polls += 1;
            if s.polls <= polls {
                "ASYNC_AUTH_WAIT"
            } else {
                match answer {
                    PushAnswer::Approve => {
                        s.approved = true;
                        "OK"
                    }
                    PushAnswer::Deny => "DENIED",
                    PushAnswer::Timeout => "TIMEOUT",
                    PushAnswer::Never => "ASYNC_AUTH_WAIT",
                }
            }
        }
        _ => "NO_PUSH",
    };
    st.status_polls += 1;
    Json(serde_json::json!({ "status": status })).into_response()
}

async fn status_post(
    State(state): State<PingFed>,
    ClientBase(b): ClientBase,
    headers: HeaderMap,
) -> Response {
    let mut st = state.lock().unwrap();
    st.status_posts += 1;
    let Some((_, s)) = pingid_session(&mut st, &headers, None) else {
        return session_expired(&b);
    };
    let csrf = s.csrf.clone();
    match s.device.clone() {
        Some(
            d @ Device {
                kind: DeviceKind::Push { number, .. },
                ..
            },
        ) => Html(push_html(&d, number, &b, &csrf)).into_response(),
        _ => pingid_error(&b, "Invalid request."),
    }
}

fn back_to_pf(s: &PingIdSession, b: &str) -> Response {
    Html(
        fixture(
            include_str!("../fixtures/pingid-ppm-response.html"),
            b,
            &s.flow,
            "",
        )
        .replace("PPM-RESPONSE-TOKEN", &s.ppm_response),
    )
    .into_response()
}

async fn response_view(
    State(state): State<PingFed>,
    Query(q): Query<HashMap<String, String>>,
    ClientBase(b): ClientBase,
    headers: HeaderMap,
) -> Response {
    let mut st = state.lock().unwrap();
    st.responses
        .push(q.get("status").cloned().unwrap_or_default());
    let Some((_, s)) = pingid_session(&mut st, &headers, q.get("csrfToken").map(String::as_str))
    else {
        return session_expired(&b);
    };
    if s.approved {
        let s = s.clone();
        return back_to_pf(&s, &b);
    }
    pingid_error(&b, "The authentication request was denied on your device.")
}

async fn otp_post(
    State(state): State<PingFed>,
    ClientBase(b): ClientBase,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let mut st = state.lock().unwrap();
    st.otp_posts += 1;
    let Some((_, s)) = pingid_session(&mut st, &headers, field(&fields, "csrfToken")) else {
        return session_expired(&b);
    };
    let Some(device) = s.device.clone() else {
        return pingid_error(&b, "Invalid request.");
    };
    let DeviceKind::Passcode { code } = &device.kind else {
        return pingid_error(&b, "Invalid request.");
    };
    if field(&fields, "otp") == Some(code.as_str()) {
        s.approved = true;
        let s = s.clone();
        return back_to_pf(&s, &b);
    }
    let csrf = s.csrf.clone();
    Html(otp_html(&device, &b, &csrf, Some("Invalid passcode."))).into_response()
}
