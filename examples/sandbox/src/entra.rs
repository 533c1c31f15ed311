//! A fake Microsoft Entra ID (Azure AD) with the My Apps front door, on
//! one loopback server. Our own pages, built with the structure of the real
//! ones that saml2aws keeps as fixtures (`pkg/provider/aad/testdata`:
//! SAMLRequest.html, ConvergedSignIn.html, GetCredentialType_*.json,
//! KmsiInterrupt.html, ConvergedTFA.html, BeginAuth.json, EndAuth.json,
//! HiddenForm.html, SAMLResponse.html) and its `aad.go` client:
//!
//! - My Apps: `GET /applications/redirecttofederatedapplication.aspx?Operation=LinkedSignIn&applicationId=ID`
//!   (and `/signin/<app>/<id>`, which redirects there). Without a My Apps
//!   cookie: 302 to `/common/oauth2/authorize` (Entra sign-in for My Apps
//!   itself), which ends in a "Working..." `hiddenform` posting `code`,
//!   `id_token`, `state` to `/landing`; with it: the ASP.NET page whose
//!   script does `window.location = '<base>/<tenant>/saml2?SAMLRequest=...'`.
//! - `GET /<tenant>/saml2?SAMLRequest=`: with a live `ESTSAUTH` session the
//!   "Working..." page posting `SAMLResponse` to AWS; otherwise
//!   `ConvergedSignIn` (`$Config` with relative `urlPost`, absolute
//!   `urlGetCredentialType`, `sFT`, `sCtx`, `canary`, `apiCanary`).
//! - `POST /common/GetCredentialType` (JSON; `FederationRedirectUrl` for a
//!   federated domain), `POST /<tenant>/login` (password form),
//!   `ConvergedTFA` with `POST /common/SAS/BeginAuth`, `/EndAuth` (JSON,
//!   polled; `Entropy` for number matching), `POST /common/SAS/ProcessAuth`,
//!   `KmsiInterrupt` with `POST /kmsi` (`LoginOptions` 1 = yes, 3 = no).
//! - Federation: `/adfs/ls/` serves an ADFS-style form; its result posts
//!   `wresult` to `/login.srf`.
//! - Errors as Entra shows them: `sErrorCode` without text (50126, 50053,
//!   50055, 53003, 50105), `ConvergedChangePassword`, unknown page ids, and
//!   service-side refusals on `ConvergedError` pages with `iErrorCode` and
//!   `strServiceExceptionMessage` but no `sErrorCode` ([`ServiceError`],
//!   after the password, after MFA or when the SAML response would be
//!   issued; the shape AADInternals `AccessToken_utils.ps1` and davmail's
//!   `O365Authenticator.java` read, texts from Microsoft's AADSTS reference
//!   `articles/active-directory/develop/reference-error-codes.md` in
//!   MicrosoftDocs/azure-docs).
//! - The MFA registration interrupt `ConvergedProofUpRedirect` with and
//!   without its skip link (the fields of saml2aws's
//!   ConvergedProofUpRedirect.html: `urlSkipMfaRegistration`,
//!   `iRemainingDaysToSkipMfaRegistration`, `sProofUpToken`), plus an
//!   informational `iErrorCode` of our own (50203) that must not read as a
//!   refusal.
//!
//! Every request is counted (`requests`).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::Engine as _;
use serde_json::{json, Value};

use crate::saml::{AssertionBuilder, PrefixStyle, Role};
use crate::web::{cookie, esc, field, random_hex, redirect, with_cookies};
use crate::Server;

/// The second factor the fake asks for after the password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mfa {
    /// Authenticator push: `polls` EndAuth answers "pending" before the
    /// outcome; `entropy` is the number to enter (0 = no number matching).
    Push {
        polls: usize,
        entropy: u32,
        outcome: PushOutcome,
    },
    /// A code from the Authenticator app (`PhoneAppOTP`).
    Otp { code: String },
    /// A code sent by SMS (`OneWaySMS`).
    Sms { code: String },
    /// A phone call answered after `polls` polls (`TwoWayVoiceMobile`).
    Call { polls: usize },
}

/// How a push ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushOutcome {
    Approve,
    Deny,
    /// Pending forever (the client's `--mfa-timeout` must end it).
    Never,
}

/// A failure the fake produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// `sErrorCode` 50053 after the password.
    Locked,
    /// `sErrorCode` 50055 after the password.
    PasswordExpired,
    /// The `ConvergedChangePassword` page after the password.
    ChangePasswordPage,
    /// `ConvergedError` with 53003 after sign-in.
    ConditionalAccess,
    /// `ConvergedError` with 50105 when the SAML response would be issued.
    NotAssigned,
    /// A page with this `pgid` after the password.
    UnknownPage(String),
    /// GetCredentialType says: no password, FIDO2 key only.
    FidoOnly,
    /// `ConvergedError` whose only clue is `sErrTxt` ("AADSTS50105: ...").
    ErrorTextOnly,
    /// The domain is federated to an IdP page without a sign-in form
    /// (Windows integrated authentication only).
    FederatedWithoutForm,
    /// A `ConvergedError` page in Entra's own shape.
    Service(ServiceError),
    /// `ConvergedProofUpRedirect` after the password ("More information
    /// required"); `skippable` adds `urlSkipMfaRegistration`.
    ProofUp { skippable: bool },
}

/// Where Entra refuses the sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// Right after the password.
    Password,
    /// After the second factor (the ProcessAuth post).
    Mfa,
    /// When the SAML response would be issued (also from a kept session).
    Saml,
}

/// A refusal on a `ConvergedError` page: `iErrorCode` and
/// `strServiceExceptionMessage`, no `sErrorCode`. The messages are ours,
/// worded after Microsoft's AADSTS reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    pub at: At,
    pub code: u32,
    pub message: String,
    /// `locale.mkt` of the page (`en-US` unless set).
    pub mkt: Option<String>,
}

impl ServiceError {
    pub fn new(at: At, code: u32, message: &str) -> ServiceError {
        ServiceError {
            at,
            code,
            message: format!("AADSTS{code}: {message}"),
            mkt: None,
        }
    }

    /// 53003: blocked by a Conditional Access policy.
    pub fn conditional_access(at: At) -> ServiceError {
        Self::new(at, 53003, "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.")
    }

    /// 53000: the policy wants a compliant (managed) device.
    pub fn device_not_compliant(at: At) -> ServiceError {
        Self::new(at, 53000, "Device is not in required device state: compliant. Conditional Access policy requires a compliant device, and the device is not compliant. The user must enroll their device with an approved MDM provider like Intune.")
    }

    /// 53001: the policy wants a domain-joined device.
    pub fn not_domain_joined(at: At) -> ServiceError {
        Self::new(at, 53001, "Device is not in required device state: domain_joined. Conditional Access policy requires a domain joined device, and the device is not domain joined. Have the user use a domain joined device.")
    }

    /// 50105: the user is not assigned to the AWS app.
    pub fn not_assigned(at: At) -> ServiceError {
        Self::new(at, 50105, "Your administrator has configured the application AWS to block users unless they are specifically granted ('assigned') access to the application. The signed in user is blocked because they are not a direct member of a group with access, nor had access directly assigned by an administrator.")
    }

    /// 50057: the account is disabled.
    pub fn disabled(at: At) -> ServiceError {
        Self::new(at, 50057, "The user account is disabled.")
    }

    /// 90072: a guest account that was never added to this tenant.
    pub fn guest_not_in_tenant(at: At) -> ServiceError {
        Self::new(at, 90072, "User account from identity provider does not exist in tenant 'Contoso' and cannot access the application 'AWS' in that tenant. The account needs to be added as an external user in the tenant first.")
    }

    /// 50089: the flow token expired (the sign-in took too long).
    pub fn flow_token_expired(at: At) -> ServiceError {
        Self::new(
            at,
            50089,
            "Authentication failed due to flow token expired.",
        )
    }

    /// 53003 on a page localized to German (`locale.mkt` de-DE): the code
    /// prefix is all a client can rely on.
    pub fn conditional_access_german(at: At) -> ServiceError {
        ServiceError {
            mkt: Some("de-DE".into()),
            ..Self::new(at, 53003, "Der Zugriff wurde durch Richtlinien für bedingten Zugriff blockiert. Die Zugriffsrichtlinie lässt keine Tokenausstellung zu.")
        }
    }
}

/// How the fake behaves.
#[derive(Debug, Clone)]
pub struct EntraConfig {
    pub tenant: String,
    /// The My Apps application id.
    pub app_id: String,
    /// The Identifier (Entity ID) of the AWS app.
    pub app_id_uri: String,
    /// Accepted case-insensitively.
    pub username: String,
    pub password: String,
    pub roles: Vec<Role>,
    pub mfa: Option<Mfa>,
    /// Methods listed in `arrUserProofs` besides the one `mfa` uses (the
    /// `mfa` one is marked `isDefault`).
    pub other_methods: Vec<String>,
    pub fault: Option<Fault>,
    /// The user's domain is federated to this fake's `/adfs/ls/`.
    pub federated: bool,
    /// Polling interval the ConvergedTFA page asks for, seconds.
    pub poll_interval: f64,
    /// Where the SAML page posts.
    pub saml_action: String,
    /// Send the push number with the first EndAuth answer instead of
    /// BeginAuth's.
    pub number_with_first_poll: bool,
}

impl Default for EntraConfig {
    fn default() -> Self {
        EntraConfig {
            tenant: "8f3c1d2e-0000-4000-8000-00000000c0de".into(),
            app_id: "0b9a2c4e-1111-4222-8333-444455556666".into(),
            app_id_uri: "https://signin.aws.amazon.com/saml#1".into(),
            username: "monty@contoso.example".into(),
            password: "hunter2".into(),
            roles: vec![Role::new("123456789012", "Entra-Dev", "EntraID")],
            mfa: None,
            other_methods: Vec::new(),
            fault: None,
            federated: false,
            poll_interval: 0.05,
            saml_action: "https://signin.aws.amazon.com/saml".into(),
            number_with_first_poll: false,
        }
    }
}

/// Where a sign-in flow goes when it succeeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Saml,
    MyApps,
}

#[derive(Debug, Clone)]
struct Flow {
    origin: Origin,
    /// The flow token the next post must carry.
    flow_token: String,
    user: Option<String>,
    polls: usize,
    method: Option<String>,
    mfa_ok: bool,
}

/// What the fake has seen.
#[derive(Debug, Default)]
pub struct EntraState {
    pub config: EntraConfig,
    /// Every request, of every kind.
    pub requests: usize,
    pub myapps_visits: usize,
    pub credential_type_calls: usize,
    pub password_posts: usize,
    pub wrong_passwords: usize,
    /// BeginAuth calls (one per push notification / SMS sent / call).
    pub begin_auth_calls: usize,
    pub end_auth_calls: usize,
    pub process_auth_calls: usize,
    /// `LoginOptions` values posted to KMSI.
    pub kmsi_answers: Vec<String>,
    /// SAML pages served from a live session without a sign-in.
    pub sso_logins: usize,
    pub assertions_issued: usize,
    /// Posts whose flow token was not the one last issued.
    pub bad_flow_tokens: usize,
    pub federated_posts: usize,
    /// GETs of `urlSkipMfaRegistration`.
    pub proof_up_skips: usize,
    /// Field names of the last password post.
    pub last_login_fields: Vec<String>,
    /// The last decoded `SAMLRequest` (XML), when it inflated.
    pub last_authn_request: Option<String>,
    /// The AuthMethodId of the last BeginAuth.
    pub last_method: Option<String>,
    /// Live `ESTSAUTH` values.
    pub sessions: HashSet<String>,
    myapps_sessions: HashSet<String>,
    flows: HashMap<String, Flow>,
    base_url: String,
}

pub type Entra = Arc<Mutex<EntraState>>;

/// The My Apps link users copy (`-e`).
pub fn myapps_url(server: &Server, state: &Entra) -> String {
    let app = state.lock().unwrap().config.app_id.clone();
    server.url(&format!(
        "/applications/redirecttofederatedapplication.aspx?Operation=LinkedSignIn&applicationId={app}"
    ))
}

/// The newer My Apps link form.
pub fn myapps_signin_url(server: &Server, state: &Entra) -> String {
    let app = state.lock().unwrap().config.app_id.clone();
    server.url(&format!("/signin/AWS/{app}"))
}

/// The fake's `login-host` value (`localhost:PORT`).
pub fn login_host(server: &Server) -> String {
    server
        .base_url()
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .to_string()
}

/// The router and its state. Set `base_url` with [`set_base_url`] (or use
/// [`start`]) so pages can carry absolute URLs.
pub fn router(config: EntraConfig) -> (Router, Entra) {
    let state: Entra = Arc::new(Mutex::new(EntraState {
        config,
        ..Default::default()
    }));
    let r = Router::new()
        .route(
            "/applications/redirecttofederatedapplication.aspx",
            get(myapps),
        )
        .route("/signin/{app}/{id}", get(myapps_signin))
        .route("/landing", post(landing))
        .route("/common/oauth2/authorize", get(authorize))
        .route("/{tenant}/saml2", get(saml2))
        .route("/common/GetCredentialType", post(credential_type))
        .route("/{tenant}/login", post(password_post))
        .route("/common/SAS/BeginAuth", post(begin_auth))
        .route("/common/SAS/EndAuth", post(end_auth))
        .route("/common/SAS/ProcessAuth", post(process_auth))
        .route("/kmsi", post(kmsi))
        .route("/skipmfa", get(skip_mfa))
        .route("/adfs/ls/", get(adfs_page).post(adfs_post))
        .route("/login.srf", post(login_srf))
        .with_state(state.clone());
    (r, state)
}

/// Tell the fake its own address.
pub fn set_base_url(state: &Entra, server: &Server) {
    state.lock().unwrap().base_url = server.base_url();
}

/// Run the fake over HTTPS on loopback with a certificate from `pki`.
pub fn start(config: EntraConfig, pki: &crate::pki::TestPki) -> (Server, Entra) {
    let (r, s) = router(config);
    let server = Server::https(r, pki);
    set_base_url(&s, &server);
    (server, s)
}

fn has_session(st: &EntraState, headers: &HeaderMap) -> bool {
    ["ESTSAUTH", "ESTSAUTHPERSISTENT"]
        .iter()
        .any(|k| cookie(headers, k).is_some_and(|v| st.sessions.contains(&v)))
}

/// A page in the shape of Entra's: `<meta name="PageID">`, then
/// `$Config={...};` inside a CDATA script, an empty Knockout body.
fn config_page(config: &Value) -> Response {
    let pgid = config["pgid"].as_str().unwrap_or("");
    // Microsoft's serializer writes `&`, `<` and `>` inside strings as
    // `\u0026`, `\u003c`, `\u003e` (visible in saml2aws's captured
    // ConvergedTFA.html); they only ever occur inside strings here.
    let config = config
        .to_string()
        .replace('&', "\\u0026")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e");
    let body = format!(
        r#"

<!-- Copyright (C) Microsoft Corporation. All rights reserved. -->
<!DOCTYPE html>
<html dir="ltr" class="" lang="en">
<head>
    <title>Sign in to your account</title>
    <meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
    <meta name="PageID" content="{pgid}" />
    <meta name="SiteID" content="" />
    <noscript>
        <meta http-equiv="Refresh" content="0; URL=/jsdisabled" />
    </noscript>
<script type="text/javascript">//<![CDATA[
$Config={config};
//]]></script>
<script type="text/javascript">
        ServerData = $Config;
</script>
</head>
<body data-bind="defineGlobals: ServerData, bodyCssClass" class="cb" style="display: none">
<script type="text/javascript">//<![CDATA[
!function(){{var e=window;e.location.hash&&0;}}();
//]]></script>
</body>
</html>"#
    );
    Html(body).into_response()
}

/// The fields every `$Config` carries.
fn base_config(st: &EntraState, pgid: &str, flow_id: &str, flow_token: &str) -> Value {
    json!({
        "iMaxStackForKnockoutAsyncComponents": 10000,
        "fShowButtons": true,
        "urlCdn": "https://cdn.invalid/shared/1.0/",
        "pgid": pgid,
        "sFT": flow_token,
        "sFTName": "flowToken",
        "sCtx": flow_id,
        "canary": format!("canary-{}", random_hex(32)),
        "apiCanary": format!("apicanary-{}", random_hex(32)),
        "correlationId": random_hex(32),
        "sessionId": random_hex(32),
        "hpgact": 1900,
        "hpgid": 1104,
        "scid": 1000,
        "sPOST_Username": st.flows.get(flow_id).and_then(|f| f.user.clone()).unwrap_or_default(),
        "urlSetDebugMode": "/common/debugmode",
        // Real pages carry nulls for absent branding (saml2aws captures).
        "dynamicTenantBranding": null,
        "staticTenantBranding": null,
        "locale": {"mkt": "en-US", "lcid": 1033},
    })
}

fn new_flow(st: &mut EntraState, origin: Origin) -> (String, String) {
    let id = format!("rQ{}", random_hex(32));
    let ft = format!("AQABAAEAAA{}", random_hex(32));
    st.flows.insert(
        id.clone(),
        Flow {
            origin,
            flow_token: ft.clone(),
            user: None,
            polls: 0,
            method: None,
            mfa_ok: false,
        },
    );
    (id, ft)
}

/// Issue a new flow token for `flow_id`.
fn next_token(st: &mut EntraState, flow_id: &str) -> String {
    let ft = format!("AQABAAEAAA{}", random_hex(32));
    if let Some(f) = st.flows.get_mut(flow_id) {
        f.flow_token = ft.clone();
    }
    ft
}

/// Whether `token` is the one last issued for `flow_id`.
fn token_ok(st: &mut EntraState, flow_id: &str, token: Option<&str>) -> bool {
    let ok = st
        .flows
        .get(flow_id)
        .is_some_and(|f| Some(f.flow_token.as_str()) == token);
    if !ok {
        st.bad_flow_tokens += 1;
    }
    ok
}

fn sign_in_page(st: &mut EntraState, origin: Origin, error: Option<&str>) -> Response {
    let (id, ft) = new_flow(st, origin);
    sign_in_page_for(st, &id, &ft, error)
}

fn sign_in_page_for(st: &EntraState, id: &str, ft: &str, error: Option<&str>) -> Response {
    let mut c = base_config(st, "ConvergedSignIn", id, ft);
    c["urlPost"] = json!(format!("/{}/login", st.config.tenant));
    c["urlGetCredentialType"] = json!(format!(
        "{}/common/GetCredentialType?mkt=en-US",
        st.base_url
    ));
    c["sErrorCode"] = json!(error.unwrap_or(""));
    c["sErrTxt"] = json!("");
    config_page(&c)
}

fn error_config_page(st: &EntraState, pgid: &str, code: &str) -> Response {
    let mut c = base_config(st, pgid, "", "");
    c["sErrorCode"] = json!(code);
    c["iErrorCode"] = json!(code.parse::<u64>().unwrap_or(0));
    config_page(&c)
}

/// A `ConvergedError` page in Entra's shape for service-side refusals.
fn service_error_page(st: &EntraState, e: &ServiceError) -> Response {
    let mut c = base_config(st, "ConvergedError", "", "");
    for k in ["sFT", "sFTName", "sCtx", "sPOST_Username"] {
        if let Some(m) = c.as_object_mut() {
            m.remove(k);
        }
    }
    c["iErrorCode"] = json!(e.code);
    c["strServiceExceptionMessage"] = json!(e.message);
    c["fShowTroubleshootingDetails"] = json!(true);
    c["urlCancel"] = json!("/common/reprocess?prompt=select_account");
    if let Some(mkt) = &e.mkt {
        c["locale"] = json!({"mkt": mkt, "lcid": 1031});
    }
    config_page(&c)
}

/// The configured refusal for step `at`, if any.
fn refusal_at(st: &EntraState, at: At) -> Option<Response> {
    match &st.config.fault {
        Some(Fault::Service(e)) if e.at == at => Some(service_error_page(st, e)),
        _ => None,
    }
}

/// The "Working..." page that posts the SAML response to AWS.
fn saml_page(st: &mut EntraState, user: &str) -> Response {
    if st.config.fault == Some(Fault::NotAssigned) {
        return error_config_page(st, "ConvergedError", "50105");
    }
    if let Some(r) = refusal_at(st, At::Saml) {
        return r;
    }
    st.assertions_issued += 1;
    let assertion = AssertionBuilder::default()
        .roles(st.config.roles.clone())
        .prefix(PrefixStyle::Default)
        .session_name(Some(user))
        .destination(&st.config.saml_action)
        .base64();
    Html(format!(
        r#"<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" action="{}"><input type="hidden" name="SAMLResponse" value="{assertion}" /><noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript></form><script language="javascript">document.forms[0].submit();</script></body></html>"#,
        esc(&st.config.saml_action)
    ))
    .into_response()
}

/// The OIDC "Working..." page that signs the user in to My Apps itself.
fn myapps_hiddenform(st: &EntraState) -> Response {
    Html(format!(
        r#"<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" action="{}/landing"><input type="hidden" name="code" value="0.A{}" /><input type="hidden" name="id_token" value="eyJ0eXAiOiJKV1QifQ.{}" /><input type="hidden" name="state" value="OpenIdConnect.AuthenticationProperties={}" /><input type="hidden" name="session_state" value="{}" /><noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript></form><script language="javascript">document.forms[0].submit();</script></body></html>"#,
        st.base_url,
        random_hex(32),
        random_hex(32),
        random_hex(32),
        random_hex(32)
    ))
    .into_response()
}

/// What a completed sign-in leads to, with a new session cookie.
fn signed_in(st: &mut EntraState, flow_id: &str, persistent: bool) -> Response {
    let Some(flow) = st.flows.remove(flow_id) else {
        return error_config_page(st, "ConvergedError", "90014");
    };
    let sid = random_hex(32);
    st.sessions.insert(sid.clone());
    let user = flow.user.clone().unwrap_or_default();
    let r = match flow.origin {
        Origin::Saml => saml_page(st, &user),
        Origin::MyApps => myapps_hiddenform(st),
    };
    let session = format!("ESTSAUTH={sid}; path=/; secure; HttpOnly; SameSite=None");
    let kept = persistent.then(|| format!("ESTSAUTHPERSISTENT={sid}; expires=Fri, 01-Jan-2100 00:00:00 GMT; path=/; secure; HttpOnly; SameSite=None"));
    with_cookies(r, std::iter::once(session).chain(kept))
}

/// Raw DEFLATE stored blocks only (what our client sends); anything else
/// reads as not decodable.
fn inflate_stored(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let (&hdr, rest) = data.split_first()?;
        if hdr & 0b110 != 0 || rest.len() < 4 {
            return None;
        }
        let len = u16::from_le_bytes([rest[0], rest[1]]) as usize;
        let nlen = u16::from_le_bytes([rest[2], rest[3]]);
        if nlen != !(len as u16) || rest.len() < 4 + len {
            return None;
        }
        out.extend_from_slice(&rest[4..4 + len]);
        data = &rest[4 + len..];
        if hdr & 1 == 1 {
            return Some(out);
        }
    }
}

async fn myapps(
    State(state): State<Entra>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let mut st = state.lock().unwrap();
    st.requests += 1;
    st.myapps_visits += 1;
    if q.get("applicationId") != Some(&st.config.app_id)
        || q.get("Operation").map(String::as_str) != Some("LinkedSignIn")
    {
        return (StatusCode::NOT_FOUND, Html("<html><head><title>Application not found</title></head><body><h1>Error</h1><p>The application was not found.</p></body></html>")).into_response();
    }
    if !cookie(&headers, "MyAppsAuth").is_some_and(|v| st.myapps_sessions.contains(&v)) {
        return redirect(&format!(
            "/common/oauth2/authorize?client_id=00000000-myapps&response_mode=form_post&response_type=code+id_token&redirect_uri={}%2Flanding&state={}",
            url::form_urlencoded::byte_serialize(st.base_url.as_bytes()).collect::<String>(),
            random_hex(32)
        ));
    }
    let xml = format!(
        r#"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="id{}" Version="2.0" IssueInstant="2024-01-01T00:00:00Z"><Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">{}</Issuer></samlp:AuthnRequest>"#,
        random_hex(32),
        esc(&st.config.app_id_uri)
    );
    let mut raw = vec![0x01];
    let len = xml.len() as u16;
    raw.extend_from_slice(&len.to_le_bytes());
    raw.extend_from_slice(&(!len).to_le_bytes());
    raw.extend_from_slice(xml.as_bytes());
    let req = base64::engine::general_purpose::STANDARD.encode(raw);
    let target = format!(
        "{}/{}/saml2?SAMLRequest={}",
        st.base_url,
        st.config.tenant,
        url::form_urlencoded::byte_serialize(req.as_bytes()).collect::<String>()
    )
    .replace('&', "\\u0026");
    let app = esc(&st.config.app_id);
    Html(format!(
        r#"

<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" dir="ltr">
<head><title>

</title><meta name="WT.ti" content="RedirectToApplicationPage" /></head>
<body>
    <form name="RedirectToFederatedApplicationForm" method="post" action="./redirecttofederatedapplication.aspx?Operation=LinkedSignIn&amp;applicationId={app}" id="RedirectToFederatedApplicationForm" autocomplete="off">
<div>
<input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="" />
<input type="hidden" name="__EVENTARGUMENT" id="__EVENTARGUMENT" value="" />
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="LqaMd4Gf{}" />
</div>
<div class="PageLayout"><center><span id="RedirectingTextLabel"></span><img id="LoadingImage" src="../images/loading_animation.gif" alt="Redirecting" /></center></div>
<input name="BOXPageIDField" type="hidden" id="BOXPageIDField" value="RedirectToApplicationPage" />
<script type="text/javascript">
//<![CDATA[
Sys.Application.add_load( function() {{ Microsoft.Online.BOX.JS.Shared.CacheContentFile('/WebControls/JS/PageLayout.js'); }} );window.location = '{target}';var DialogManager = new BOX.JS.DialogManager();
//]]>
</script>
</form>
</body>
</html>
"#,
        random_hex(32)
    ))
    .into_response()
}

async fn myapps_signin(
    State(state): State<Entra>,
    Path((_app, id)): Path<(String, String)>,
) -> Response {
    let mut st = state.lock().unwrap();
    st.requests += 1;
    redirect(&format!(
        "/applications/redirecttofederatedapplication.aspx?Operation=LinkedSignIn&applicationId={id}"
    ))
}

async fn landing(
    State(state): State<Entra>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let mut st = state.lock().unwrap();
    st.requests += 1;
    if field(&fields, "id_token").is_none() || field(&fields, "code").is_none() {
        return (StatusCode::BAD_REQUEST, "missing id_token").into_response();
    }
    let sid = random_hex(32);
    st.myapps_sessions.insert(sid.clone());
    let app = st.config.app_id.clone();
    with_cookies(
        redirect(&format!(
            "/applications/redirecttofederatedapplication.aspx?Operation=LinkedSignIn&applicationId={app}"
        )),
        [format!("MyAppsAuth={sid}; path=/; secure; HttpOnly")],
    )
}

async fn authorize(State(state): State<Entra>, headers: HeaderMap) -> Response {
    let mut st = state.lock().unwrap();
    st.requests += 1;
    if has_session(&st, &headers) {
        return myapps_hiddenform(&st);
    }
    sign_in_page(&mut st, Origin::MyApps, None)
}

async fn saml2(
    State(state): State<Entra>,
    Path(tenant): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let mut st = state.lock().unwrap();
    st.requests += 1;
    if tenant != st.config.tenant {
        return error_config_page(&st, "ConvergedError", "90002");
    }
    let Some(req) = q.get("SAMLRequest") else {
        return error_config_page(&st, "ConvergedError", "750054");
    };
    let xml = base64::engine::general_purpose::STANDARD
        .decode(req.trim())
        .ok()
        .and_then(|d| inflate_stored(&d))
        .map(|x| String::from_utf8_lossy(&x).into_owned());
    if let Some(x) = &xml {
        if !x.contains(&format!(">{}</Issuer>", esc(&st.config.app_id_uri))) {
            st.last_authn_request = xml.clone();
            // The app is not in this tenant: Entra's own shape, naming
            // the identifier it was asked for.
            let issuer = x
                .split("</Issuer>")
                .next()
                .and_then(|h| h.rsplit('>').next())
                .unwrap_or_default()
                .to_string();
            return service_error_page(&st, &ServiceError::new(At::Saml, 700016, &format!("Application with identifier '{issuer}' was not found in the directory 'Contoso'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.")));
        }
    }
    st.last_authn_request = xml;
    if has_session(&st, &headers) {
        st.sso_logins += 1;
        let user = st.config.username.clone();
        return saml_page(&mut st, &user);
    }
    sign_in_page(&mut st, Origin::Saml, None)
}

async fn credential_type(
    State(state): State<Entra>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut st = state.lock().unwrap();
    st.requests += 1;
    st.credential_type_calls += 1;
    let user = body["username"].as_str().unwrap_or("").to_string();
    let flow_id = body["originalRequest"].as_str().unwrap_or("").to_string();
    if headers.get("canary").is_none() || !st.flows.contains_key(&flow_id) {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "bad request"})),
        )
            .into_response();
    }
    let exists = user.eq_ignore_ascii_case(&st.config.username);
    let ft = next_token(&mut st, &flow_id);
    let no_form = st.config.fault == Some(Fault::FederatedWithoutForm);
    let fed = (st.config.federated || no_form).then(|| {
        format!(
            "{}/adfs/ls/?username={}&wa=wsignin1.0&wtrealm=urn%3afederation%3aMicrosoftOnline&wctx={}{}",
            st.base_url,
            url::form_urlencoded::byte_serialize(user.as_bytes()).collect::<String>(),
            flow_id,
            if no_form { "&wauth=wia" } else { "" }
        )
    });
    let fido = st.config.fault == Some(Fault::FidoOnly);
    Json(json!({
        "Username": user,
        "Display": user,
        "IfExistsResult": if exists { 0 } else { 1 },
        "IsUnmanaged": false,
        "ThrottleStatus": 0,
        "Credentials": {
            "PrefCredential": if fido { 7 } else if fed.is_some() { 4 } else { 1 },
            "HasPassword": !fido,
            "RemoteNgcParams": null,
            "FidoParams": if fido { json!({"AllowList": []}) } else { Value::Null },
            "SasParams": null,
            "CertAuthParams": null,
            "GoogleParams": null,
            "FacebookParams": null,
            "FederationRedirectUrl": fed,
        },
        "EstsProperties": {"UserTenantBranding": null, "DomainType": if st.config.federated { 4 } else { 3 }},
        "FlowToken": ft,
        "IsSignupDisallowed": true,
        "apiCanary": format!("apicanary-{}", random_hex(32)),
    }))
    .into_response()
}

async fn password_post(
    State(state): State<Entra>,
    Path(tenant): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let mut st = state.lock().unwrap();
    st.requests += 1;
    st.password_posts += 1;
    st.last_login_fields = fields.iter().map(|(n, _)| n.clone()).collect();
    let flow_id = field(&fields, "ctx").unwrap_or("").to_string();
    if tenant != st.config.tenant || !token_ok(&mut st, &flow_id, field(&fields, "flowToken")) {
        return error_config_page(&st, "ConvergedError", "90014");
    }
    let user = field(&fields, "login").unwrap_or("").to_string();
    let ok = user.eq_ignore_ascii_case(&st.config.username)
        && field(&fields, "loginfmt") == Some(user.as_str())
        && field(&fields, "passwd") == Some(st.config.password.as_str());
    if !ok {
        st.wrong_passwords += 1;
        let ft = next_token(&mut st, &flow_id);
        return sign_in_page_for(&st, &flow_id, &ft, Some("50126"));
    }
    if let Some(f) = st.flows.get_mut(&flow_id) {
        f.user = Some(user);
    }
    after_password(&mut st, &flow_id)
}

/// The page after a good password (or federated sign-in).
fn after_password(st: &mut EntraState, flow_id: &str) -> Response {
    match st.config.fault.clone() {
        Some(Fault::Locked) => {
            let ft = next_token(st, flow_id);
            return sign_in_page_for(st, flow_id, &ft, Some("50053"));
        }
        Some(Fault::PasswordExpired) => {
            let ft = next_token(st, flow_id);
            return sign_in_page_for(st, flow_id, &ft, Some("50055"));
        }
        Some(Fault::ChangePasswordPage) => {
            let ft = next_token(st, flow_id);
            let mut c = base_config(st, "ConvergedChangePassword", flow_id, &ft);
            c["urlPost"] = json!("/common/SSPR/Poll");
            return config_page(&c);
        }
        Some(Fault::ErrorTextOnly) => {
            let mut c = base_config(st, "ConvergedError", "", "");
            c["sErrTxt"] = json!("AADSTS50105: Your administrator has configured the application to block users unless they are specifically granted ('assigned') access to the application.");
            return config_page(&c);
        }
        Some(Fault::UnknownPage(pgid)) => {
            let ft = next_token(st, flow_id);
            return config_page(&base_config(st, &pgid, flow_id, &ft));
        }
        Some(Fault::ProofUp { skippable }) => {
            let ft = next_token(st, flow_id);
            return proof_up_page(st, flow_id, &ft, skippable);
        }
        _ => {}
    }
    if let Some(r) = refusal_at(st, At::Password) {
        return r;
    }
    let ft = next_token(st, flow_id);
    match st.config.mfa.clone() {
        None => kmsi_page(st, flow_id, &ft),
        Some(mfa) => {
            let main = method_of(&mfa);
            let mut proofs = vec![
                json!({"authMethodId": main, "data": main, "display": "+X XXXXXXXX12", "isDefault": true, "isLocationAware": false}),
            ];
            for m in &st.config.other_methods {
                proofs.push(json!({"authMethodId": m, "data": m, "display": "+X XXXXXXXX12", "isDefault": false, "isLocationAware": false}));
            }
            let mut c = base_config(st, "ConvergedTFA", flow_id, &ft);
            c["arrUserProofs"] = json!(proofs);
            c["oPerAuthPollingInterval"] = json!({ main: st.config.poll_interval });
            c["urlBeginAuth"] = json!("/common/SAS/BeginAuth?mkt=en-US&lcid=1033");
            c["urlEndAuth"] = json!(format!("{}/common/SAS/EndAuth", st.base_url));
            c["urlPost"] = json!("/common/SAS/ProcessAuth");
            c["iPollingInterval"] = json!(5000);
            c["iMaxPollAttempts"] = json!(10);
            c["sAuthMethodInputFieldName"] = json!("mfaAuthMethod");
            config_page(&c)
        }
    }
}

fn method_of(mfa: &Mfa) -> &'static str {
    match mfa {
        Mfa::Push { .. } => "PhoneAppNotification",
        Mfa::Otp { .. } => "PhoneAppOTP",
        Mfa::Sms { .. } => "OneWaySMS",
        Mfa::Call { .. } => "TwoWayVoiceMobile",
    }
}

/// "More information required": the MFA registration interrupt, with the
/// fields of saml2aws's `pkg/provider/aad/testdata/ConvergedProofUpRedirect.html`.
/// Its `iErrorCode` (our own value) is information, not a refusal.
fn proof_up_page(st: &EntraState, flow_id: &str, ft: &str, skippable: bool) -> Response {
    let mut c = base_config(st, "ConvergedProofUpRedirect", flow_id, ft);
    c["iErrorCode"] = json!("50203");
    c["urlPost"] = json!("https://mysignins.invalid/api/post/registerMfaMethods");
    c["sProofUpToken"] = json!(format!("proofup-{}", random_hex(32)));
    c["sProofUpTokenName"] = json!("evo_code");
    c["urlSetUpMfa"] = json!("browser://aka.ms/mfasetup");
    c["urlMoreInfo"] = json!("https://go.microsoft.com/fwlink/p/?LinkId=708614");
    if skippable {
        c["urlSkipMfaRegistration"] = json!(format!("/skipmfa?ctx={flow_id}"));
        c["iRemainingDaysToSkipMfaRegistration"] = json!(10);
        c["oProofUp"] = json!({"iRemainingDays": 10});
    } else {
        c["iRemainingDaysToSkipMfaRegistration"] = json!(0);
    }
    config_page(&c)
}

async fn skip_mfa(
    State(state): State<Entra>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut st = state.lock().unwrap();
    st.requests += 1;
    st.proof_up_skips += 1;
    let flow_id = q.get("ctx").cloned().unwrap_or_default();
    if !st.flows.contains_key(&flow_id) {
        return error_config_page(&st, "ConvergedError", "90014");
    }
    let ft = next_token(&mut st, &flow_id);
    kmsi_page(&st, &flow_id, &ft)
}

fn kmsi_page(st: &EntraState, flow_id: &str, ft: &str) -> Response {
    let mut c = base_config(st, "KmsiInterrupt", flow_id, ft);
    c["urlPost"] = json!("/kmsi");
    c["iPawnIcon"] = json!(0);
    config_page(&c)
}

fn mfa_answer(
    st: &EntraState,
    flow_id: &str,
    ft: &str,
    success: bool,
    retry: bool,
    result: &str,
    entropy: u32,
) -> Response {
    Json(json!({
        "Success": success,
        "ResultValue": result,
        "Message": null,
        "AuthMethodId": st.flows.get(flow_id).and_then(|f| f.method.clone()),
        "ErrCode": 0,
        "Retry": retry,
        "FlowToken": ft,
        "Ctx": flow_id,
        "SessionId": random_hex(32),
        "CorrelationId": random_hex(32),
        "Timestamp": "2024-01-01T00:00:00Z",
        "Entropy": entropy,
    }))
    .into_response()
}

async fn begin_auth(State(state): State<Entra>, Json(body): Json<Value>) -> Response {
    let mut st = state.lock().unwrap();
    st.requests += 1;
    st.begin_auth_calls += 1;
    let flow_id = body["ctx"].as_str().unwrap_or("").to_string();
    let method = body["AuthMethodId"].as_str().unwrap_or("").to_string();
    st.last_method = Some(method.clone());
    if !token_ok(&mut st, &flow_id, body["flowToken"].as_str()) {
        return mfa_answer(&st, &flow_id, "", false, false, "InvalidSession", 0);
    }
    let offered = st.config.mfa.as_ref().map(method_of) == Some(method.as_str())
        || st.config.other_methods.contains(&method);
    if !offered {
        return mfa_answer(&st, &flow_id, "", false, false, "InvalidAuthMethod", 0);
    }
    if let Some(f) = st.flows.get_mut(&flow_id) {
        f.method = Some(method);
        f.polls = 0;
    }
    let entropy = match &st.config.mfa {
        Some(Mfa::Push { entropy, .. }) if !st.config.number_with_first_poll => *entropy,
        _ => 0,
    };
    let ft = next_token(&mut st, &flow_id);
    mfa_answer(&st, &flow_id, &ft, true, false, "Success", entropy)
}

async fn end_auth(State(state): State<Entra>, Json(body): Json<Value>) -> Response {
    let mut st = state.lock().unwrap();
    st.requests += 1;
    st.end_auth_calls += 1;
    let flow_id = body["Ctx"].as_str().unwrap_or("").to_string();
    if !token_ok(&mut st, &flow_id, body["FlowToken"].as_str()) {
        return mfa_answer(&st, &flow_id, "", false, false, "InvalidSession", 0);
    }
    let polls = match st.flows.get_mut(&flow_id) {
        Some(f) => {
            f.polls += 1;
            f.polls
        }
        None => 0,
    };
    let code = body["AdditionalAuthData"].as_str().map(str::to_owned);
    let ft = next_token(&mut st, &flow_id);
    let (success, retry, result) = match st.config.mfa.clone() {
        Some(Mfa::Push {
            polls: n, outcome, ..
        }) => match outcome {
            _ if polls <= n => (false, true, "AuthenticationPending"),
            PushOutcome::Approve => (true, false, "Success"),
            PushOutcome::Deny => (false, false, "PhoneAppDenied"),
            PushOutcome::Never => (false, true, "AuthenticationPending"),
        },
        Some(Mfa::Call { polls: n }) if polls <= n => (false, true, "AuthenticationPending"),
        Some(Mfa::Call { .. }) => (true, false, "Success"),
        Some(Mfa::Otp { code: want }) => {
            if code.as_deref() == Some(want.as_str()) {
                (true, false, "Success")
            } else {
                (false, false, "OathCodeIncorrect")
            }
        }
        Some(Mfa::Sms { code: want }) => {
            if code.as_deref() == Some(want.as_str()) {
                (true, false, "Success")
            } else {
                (false, false, "SMSAuthFailedWrongCodeEntered")
            }
        }
        None => (false, false, "InvalidAuthMethod"),
    };
    // Methods other than the configured one succeed with any code.
    let method = st.flows.get(&flow_id).and_then(|f| f.method.clone());
    let (success, retry, result) = match (&st.config.mfa, method) {
        (Some(m), Some(used)) if method_of(m) != used => (true, false, "Success"),
        _ => (success, retry, result),
    };
    if success {
        if let Some(f) = st.flows.get_mut(&flow_id) {
            f.mfa_ok = true;
        }
    }
    let entropy = match &st.config.mfa {
        Some(Mfa::Push { entropy, .. }) if st.config.number_with_first_poll && polls == 1 => {
            *entropy
        }
        _ => 0,
    };
    mfa_answer(&st, &flow_id, &ft, success, retry, result, entropy)
}

async fn process_auth(
    State(state): State<Entra>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let mut st = state.lock().unwrap();
    st.requests += 1;
    st.process_auth_calls += 1;
    let flow_id = field(&fields, "request").unwrap_or("").to_string();
    if !token_ok(&mut st, &flow_id, field(&fields, "flowToken")) {
        return error_config_page(&st, "ConvergedError", "90014");
    }
    if !st.flows.get(&flow_id).is_some_and(|f| f.mfa_ok) {
        return error_config_page(&st, "ConvergedError", "50074");
    }
    if st.config.fault == Some(Fault::ConditionalAccess) {
        return error_config_page(&st, "ConvergedError", "53003");
    }
    if let Some(r) = refusal_at(&st, At::Mfa) {
        return r;
    }
    let ft = next_token(&mut st, &flow_id);
    kmsi_page(&st, &flow_id, &ft)
}

async fn kmsi(State(state): State<Entra>, Form(fields): Form<Vec<(String, String)>>) -> Response {
    let mut st = state.lock().unwrap();
    st.requests += 1;
    let flow_id = field(&fields, "ctx").unwrap_or("").to_string();
    let answer = field(&fields, "LoginOptions").unwrap_or("").to_string();
    st.kmsi_answers.push(answer.clone());
    if !token_ok(&mut st, &flow_id, field(&fields, "flowToken")) {
        return error_config_page(&st, "ConvergedError", "90014");
    }
    if st.config.fault == Some(Fault::ConditionalAccess) && st.config.mfa.is_none() {
        return error_config_page(&st, "ConvergedError", "53003");
    }
    signed_in(&mut st, &flow_id, answer == "1")
}

fn adfs_form(error: Option<&str>, wctx: &str) -> Response {
    let err = error
        .map(|e| format!(r#"<div id="error" class="fieldMargin error smallText"><span id="errorText" for="">{}</span></div>"#, esc(e)))
        .unwrap_or_default();
    Html(format!(
        r#"<!DOCTYPE html><html lang="en-US"><head><title>Sign In</title></head><body>
<div id="loginArea"><form method="post" id="loginForm" autocomplete="off" novalidate="novalidate" action="/adfs/ls/?wa=wsignin1.0&amp;wtrealm=urn%3afederation%3aMicrosoftOnline&amp;wctx={}">
<div id="formsAuthenticationArea"><div id="userNameArea"><input id="userNameInput" name="UserName" type="email" value="" autocomplete="off"></div>
<div id="passwordArea"><input id="passwordInput" name="Password" type="password" autocomplete="off"></div>
{err}
<input id="optionForms" type="hidden" name="AuthMethod" value="FormsAuthentication"/>
<div id="submissionArea" class="submitMargin"><span id="submitButton" class="submit" tabindex="4" role="button">Sign in</span></div></div>
</form></div></body></html>"#,
        esc(wctx)
    ))
    .into_response()
}

async fn adfs_page(
    State(state): State<Entra>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut st = state.lock().unwrap();
    st.requests += 1;
    if q.contains_key("wauth") {
        return Html("<!DOCTYPE html><html><head><title>Signing in</title></head><body><p>Windows integrated authentication is required.</p></body></html>").into_response();
    }
    adfs_form(None, q.get("wctx").map(String::as_str).unwrap_or(""))
}

async fn adfs_post(
    State(state): State<Entra>,
    Query(q): Query<HashMap<String, String>>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let mut st = state.lock().unwrap();
    st.requests += 1;
    st.federated_posts += 1;
    let wctx = q.get("wctx").cloned().unwrap_or_default();
    let ok = field(&fields, "UserName")
        .is_some_and(|u| u.eq_ignore_ascii_case(&st.config.username))
        && field(&fields, "Password") == Some(st.config.password.as_str())
        && field(&fields, "AuthMethod") == Some("FormsAuthentication");
    if !ok {
        st.wrong_passwords += 1;
        return adfs_form(Some("Incorrect user ID or password. Type the correct user ID and password, and try again."), &wctx);
    }
    let user = field(&fields, "UserName").unwrap_or("").to_string();
    if let Some(f) = st.flows.get_mut(&wctx) {
        f.user = Some(user);
    }
    Html(format!(
        r#"<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" action="{}/login.srf"><input type="hidden" name="wa" value="wsignin1.0" /><input type="hidden" name="wresult" value="&lt;t:RequestSecurityTokenResponse xmlns:t=&quot;http://schemas.xmlsoap.org/ws/2005/02/trust&quot;&gt;{}&lt;/t:RequestSecurityTokenResponse&gt;" /><input type="hidden" name="wctx" value="{}" /><noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript></form><script language="javascript">window.setTimeout('document.forms[0].submit()', 0);</script></body></html>"#,
        st.base_url,
        random_hex(32),
        esc(&wctx)
    ))
    .into_response()
}

async fn login_srf(
    State(state): State<Entra>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let mut st = state.lock().unwrap();
    st.requests += 1;
    let flow_id = field(&fields, "wctx").unwrap_or("").to_string();
    if field(&fields, "wresult").is_none() || !st.flows.contains_key(&flow_id) {
        return error_config_page(&st, "ConvergedError", "90014");
    }
    after_password(&mut st, &flow_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflates_stored_blocks_only() {
        assert_eq!(
            inflate_stored(&[1, 3, 0, 0xfc, 0xff, b'a', b'b', b'c']).unwrap(),
            b"abc"
        );
        assert!(inflate_stored(&[0x05, 1, 2]).is_none());
    }
}
