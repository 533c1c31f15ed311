//! A fake Microsoft AD FS: the IdP-initiated sign-on page of ADFS 2.0
//! (ASP.NET WebForms) or ADFS 3.0/2016/2019 (`form#loginForm`), session
//! cookies, the IdP's own error text on a wrong password, optional MFA
//! (one-time-code adapters, Azure MFA push with number matching and
//! polling, Azure MFA code entry, a browser-only adapter), the page that
//! posts the SAML response to AWS, and single sign-on: a second visit with
//! the `MSISAuth` cookie gets the SAML page without a password.
//!
//! Flow (like the real thing, the sign-in page lives at a different URL
//! than the configured endpoint, and its form action is relative):
//! `GET /adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices`
//! -> 302 `/adfs/ls/auth/sign-in?client-request-id=ID` (sets `MSISContext`)
//! -> `POST sign-in?client-request-id=ID&pullStatus=0` (relative action)
//! -> MFA page (same action) or SAML POST page (sets `MSISAuth`).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};

use crate::saml::{post_page, AssertionBuilder, PrefixStyle, Role};
use crate::web::{cookie, esc, random_hex, redirect, with_cookies};
use crate::Server;

/// Which generation of ADFS sign-in page to serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdfsVersion {
    /// ADFS 2.0: ASP.NET controls `ctl00$ContentPlaceHolder1$...`,
    /// `__VIEWSTATE`, `__EVENTVALIDATION`, a named submit button.
    V2,
    /// ADFS 3.0 / 2016 / 2019: `form#loginForm`, `UserName`, `Password`,
    /// `AuthMethod=FormsAuthentication`, `Kmsi` checkbox.
    V3,
}

/// The second factor the fake asks for after the password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mfa {
    /// A one-time-code adapter (`adapter` in `AuthMethod`, e.g.
    /// `SecurIDAuthentication`) whose code input is named `field`.
    Otp {
        adapter: String,
        field: String,
        code: String,
    },
    /// Azure MFA push: `polls` re-posts answer "still waiting" before the
    /// approval; `entropy` is the number to tap; `deny` rejects instead.
    AzurePush {
        polls: usize,
        entropy: Option<u32>,
        deny: bool,
    },
    /// Azure MFA with a code typed into `input#verificationCodeInput`.
    AzureCode { code: String },
    /// An adapter that needs a real browser (e.g. `DuoAdfsAdapter`).
    BrowserOnly { adapter: String },
}

/// How the fake behaves.
#[derive(Debug, Clone)]
pub struct AdfsConfig {
    pub version: AdfsVersion,
    /// Accepted case-insensitively, like AD does.
    pub username: String,
    pub password: String,
    pub roles: Vec<Role>,
    pub mfa: Option<Mfa>,
    /// Honour the `MSISAuth` SSO cookie on later visits.
    pub sso: bool,
    /// Where the SAML page posts (AWS sign-in).
    pub saml_action: String,
    /// Before the MFA page, show ADFS's "select an authentication method"
    /// page offering certificate authentication, the configured adapter and
    /// Duo.
    pub mfa_selection: bool,
    /// Serve AD FS 2016+'s "Authentication Options" page first (primary
    /// authentication offers certificate, Azure MFA and forms sign-in as
    /// `SelectOption('...')` tiles in a `#options` form without a
    /// `Context`), as `fixtures/adfs-2016-authentication-options.html`.
    pub auth_options: bool,
    /// Serve home realm discovery first (`fixtures/adfs-2016-home-realm-discovery.html`:
    /// AD FS's own directory and a partner organization).
    pub home_realm_discovery: bool,
    /// Answer a correct password with the sign-in page and this error text
    /// (a locked account, an expired password).
    pub refusal: Option<String>,
}

impl Default for AdfsConfig {
    fn default() -> Self {
        AdfsConfig {
            version: AdfsVersion::V3,
            username: "Monty".into(),
            password: "hunter2".into(),
            roles: vec![Role::new("123456789012", "ADFS-Dev", "ADFS")],
            mfa: None,
            sso: true,
            saml_action: "https://signin.aws.amazon.com/saml".into(),
            mfa_selection: false,
            auth_options: false,
            home_realm_discovery: false,
            refusal: None,
        }
    }
}

/// What the fake has seen.
#[derive(Debug, Default)]
pub struct AdfsState {
    pub config: AdfsConfig,
    /// GETs of the IdP-initiated sign-on URL.
    pub entry_visits: usize,
    /// Sign-in form posts (right or wrong).
    pub password_posts: usize,
    pub wrong_passwords: usize,
    /// Posts to an MFA form (codes and push polls).
    pub mfa_posts: usize,
    /// Azure MFA push polls.
    pub polls: usize,
    /// SAML pages served from the SSO cookie alone.
    pub sso_logins: usize,
    /// SAML pages served in total.
    pub assertions_issued: usize,
    /// Field names of the last sign-in post, in order.
    pub last_login_fields: Vec<String>,
    /// Whether the last sign-in post carried `Kmsi`.
    pub kmsi_posted: bool,
    /// Posts that arrived without the `MSISContext` cookie.
    pub missing_context_cookie: usize,
    /// Live `MSISAuth` values.
    pub sessions: HashSet<String>,
    /// The `AuthMethod` chosen on the selection page, if any.
    pub selected_method: Option<String>,
    /// Every `AuthMethod` posted on the "Authentication Options" page, in
    /// order (an empty one included).
    pub primary_choices: Vec<String>,
    /// Every `HomeRealmSelection` posted, in order.
    pub home_realms: Vec<String>,
    /// MFA context -> (username, polls so far).
    contexts: HashMap<String, (String, usize)>,
    /// Contexts still on the selection page.
    selecting: HashSet<String>,
}

pub type Adfs = Arc<Mutex<AdfsState>>;

/// The entry path (append `?loginToRp=urn:amazon:webservices`).
pub const ENTRY_PATH: &str = "/adfs/ls/IdpInitiatedSignOn.aspx";

/// The URL to configure with `-e` for a server running this fake.
pub fn entry_url(server: &Server) -> String {
    server.url(&format!("{ENTRY_PATH}?loginToRp=urn:amazon:webservices"))
}

/// The router and its state.
pub fn router(config: AdfsConfig) -> (Router, Adfs) {
    let state: Adfs = Arc::new(Mutex::new(AdfsState {
        config,
        ..Default::default()
    }));
    let r = Router::new()
        .route(ENTRY_PATH, get(entry))
        .route(
            "/adfs/ls/auth/sign-in",
            get(sign_in_page).post(sign_in_post),
        )
        .with_state(state.clone());
    (r, state)
}

/// Run the fake over plain HTTP on loopback.
pub fn start(config: AdfsConfig) -> (Server, Adfs) {
    let (r, s) = router(config);
    (Server::http(r), s)
}

fn error_page(status: StatusCode, text: &str) -> Response {
    let body = format!(
        r#"<!DOCTYPE html><html lang="en-US"><head><title>Sign In</title></head><body>
<div id="fullPage"><div id="contentWrapper"><div id="content">
<div id="workArea"><div id="openingMessage" class="groupMargin">An error occurred</div>
<div id="error" class="fieldMargin error smallText"><span id="errorText">{}</span></div>
</div></div></div></div></body></html>"#,
        esc(text)
    );
    (status, Html(body)).into_response()
}

async fn entry(
    State(state): State<Adfs>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let mut st = state.lock().unwrap();
    st.entry_visits += 1;
    if q.get("loginToRp").map(String::as_str) != Some("urn:amazon:webservices") {
        return error_page(
            StatusCode::BAD_REQUEST,
            "MSIS7012: An error occurred while processing the request. The relying party trust was not found.",
        );
    }
    if st.config.sso && cookie(&headers, "MSISAuth").is_some_and(|s| st.sessions.contains(&s)) {
        st.sso_logins += 1;
        return saml_page(&mut st);
    }
    let ctx = random_hex(32);
    with_cookies(
        redirect(&format!("/adfs/ls/auth/sign-in?client-request-id={ctx}")),
        [format!("MSISContext={ctx}; Path=/adfs; HttpOnly")],
    )
}

async fn sign_in_page(
    State(state): State<Adfs>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let st = state.lock().unwrap();
    let ctx = q.get("client-request-id").cloned().unwrap_or_default();
    if st.config.home_realm_discovery {
        return Html(
            include_str!("../fixtures/adfs-2016-home-realm-discovery.html")
                .replace("1d8a2b4c-0000-4000-8000-00c0ffee0002", &esc(&ctx)),
        )
        .into_response();
    }
    if st.config.auth_options {
        return Html(auth_options_page(&ctx)).into_response();
    }
    Html(login_page(&st.config, &ctx, None)).into_response()
}

async fn sign_in_post(
    State(state): State<Adfs>,
    Query(q): Query<HashMap<String, String>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let mut st = state.lock().unwrap();
    let ctx = q.get("client-request-id").cloned().unwrap_or_default();
    // The action carries two parameters joined by `&amp;` in the HTML: a
    // client that did not decode it posts `amp;pullStatus`.
    if !raw.as_deref().unwrap_or("").contains("&pullStatus=0") {
        return error_page(
            StatusCode::BAD_REQUEST,
            "MSIS7042: The same client browser session has made an invalid request.",
        );
    }
    if cookie(&headers, "MSISContext") != Some(ctx.clone()) {
        st.missing_context_cookie += 1;
        return error_page(
            StatusCode::BAD_REQUEST,
            "MSIS7001: The passive protocol context was not found or not valid. If the context was stored in cookies, the cookies that were presented by the client were not valid.",
        );
    }
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    if st.config.home_realm_discovery && get("UserName").is_none() && get("Context").is_none() {
        let realm = get("HomeRealmSelection").unwrap_or_default();
        st.home_realms.push(realm.clone());
        return match realm.as_str() {
            "AD AUTHORITY" => Html(login_page(&st.config, &ctx, None)).into_response(),
            _ => error_page(
                StatusCode::BAD_REQUEST,
                "MSIS7065: There are no registered protocol handlers on path /adfs/ls/ to process the incoming request.",
            ),
        };
    }
    if st.config.auth_options && get("Context").is_none() && get("UserName").is_none() {
        // A tile of the "Authentication Options" page.
        let method = get("AuthMethod").unwrap_or_default();
        st.primary_choices.push(method.clone());
        return match method.as_str() {
            "FormsAuthentication" => Html(login_page(&st.config, &ctx, None)).into_response(),
            // As AD FS does: no choice, the same page again.
            "" => Html(auth_options_page(&ctx)).into_response(),
            _ => error_page(
                StatusCode::BAD_REQUEST,
                "MSIS7075: The selected authentication method is not available for this client.",
            ),
        };
    }
    if let (Some(method), Some(context)) = (get("AuthMethod"), get("Context")) {
        if method != "FormsAuthentication" {
            return mfa_post(&mut st, &ctx, &method, &context, &get);
        }
    }
    st.password_posts += 1;
    st.last_login_fields = fields.iter().map(|(n, _)| n.clone()).collect();
    st.kmsi_posted = get("Kmsi").is_some();
    let (user, pass, well_formed) = match st.config.version {
        AdfsVersion::V3 => (
            get("UserName"),
            get("Password"),
            get("AuthMethod").as_deref() == Some("FormsAuthentication"),
        ),
        AdfsVersion::V2 => (
            get("ctl00$ContentPlaceHolder1$UsernameTextBox"),
            get("ctl00$ContentPlaceHolder1$PasswordTextBox"),
            get("__VIEWSTATE").as_deref() == Some(VIEWSTATE)
                && get("__EVENTVALIDATION").as_deref() == Some(EVENTVALIDATION)
                && get("ctl00$ContentPlaceHolder1$SubmitButton").as_deref() == Some("Sign In"),
        ),
    };
    if !well_formed || fields.iter().any(|(n, _)| n.is_empty()) {
        return error_page(
            StatusCode::BAD_REQUEST,
            "MSIS7000: The sign in request is not compliant to the WS-Federation language for web browser clients or the SAML 2.0 protocol.",
        );
    }
    let ok = user
        .as_deref()
        .is_some_and(|u| u.eq_ignore_ascii_case(&st.config.username))
        && pass.as_deref() == Some(st.config.password.as_str());
    if !ok {
        st.wrong_passwords += 1;
        let text = match st.config.version {
            AdfsVersion::V3 => "Incorrect user ID or password. Type the correct user ID and password, and try again.",
            AdfsVersion::V2 => "The user name or password is incorrect.",
        };
        return Html(login_page(&st.config, &ctx, Some(text))).into_response();
    }
    if let Some(text) = st.config.refusal.clone() {
        return Html(login_page(&st.config, &ctx, Some(&text))).into_response();
    }
    let username = user.unwrap_or_default();
    match st.config.mfa.clone() {
        None => new_session_saml(&mut st),
        Some(mfa) => {
            let context = format!("{}&amp+/={}", random_hex(32), random_hex(32));
            st.contexts.insert(context.clone(), (username, 0));
            if st.config.mfa_selection {
                st.selecting.insert(context.clone());
                let adapter = adapter_of(&mfa).to_string();
                return Html(selection_page(&ctx, &context, &adapter)).into_response();
            }
            Html(mfa_page(&mfa, &ctx, &context, None)).into_response()
        }
    }
}

fn mfa_post(
    st: &mut AdfsState,
    ctx: &str,
    method: &str,
    context: &str,
    get: &dyn Fn(&str) -> Option<String>,
) -> Response {
    st.mfa_posts += 1;
    let Some((username, polls)) = st.contexts.get(context).cloned() else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "MSIS9001: The authentication context is not valid.",
        );
    };
    let Some(mfa) = st.config.mfa.clone() else {
        return error_page(StatusCode::BAD_REQUEST, "No MFA was requested.");
    };
    if st.selecting.remove(context) {
        st.selected_method = Some(method.to_string());
        if method != adapter_of(&mfa) {
            return error_page(
                StatusCode::BAD_REQUEST,
                "The selected authentication method is not available.",
            );
        }
        return Html(mfa_page(&mfa, ctx, context, None)).into_response();
    }
    if method != adapter_of(&mfa) {
        return error_page(
            StatusCode::BAD_REQUEST,
            "The selected authentication method is not available.",
        );
    }
    match &mfa {
        Mfa::Otp { field, code, .. } => {
            if get(field).as_deref() == Some(code.as_str()) {
                st.contexts.remove(context);
                new_session_saml(st)
            } else {
                Html(mfa_page(
                    &mfa,
                    ctx,
                    context,
                    Some("The code you entered is not valid. Try again."),
                ))
                .into_response()
            }
        }
        Mfa::AzureCode { code } => {
            if get("VerificationCode").as_deref() == Some(code.as_str()) {
                st.contexts.remove(context);
                new_session_saml(st)
            } else {
                Html(mfa_page(
                    &mfa,
                    ctx,
                    context,
                    Some("The verification code you entered isn't valid. Please try again."),
                ))
                .into_response()
            }
        }
        Mfa::AzurePush {
            polls: needed,
            deny,
            ..
        } => {
            st.polls += 1;
            if *deny {
                st.contexts.remove(context);
                return Html(mfa_page(
                    &mfa,
                    ctx,
                    context,
                    Some("The request was denied."),
                ))
                .into_response();
            }
            if polls + 1 < *needed {
                st.contexts
                    .insert(context.to_string(), (username, polls + 1));
                return Html(mfa_page(&mfa, ctx, context, None)).into_response();
            }
            st.contexts.remove(context);
            new_session_saml(st)
        }
        Mfa::BrowserOnly { .. } => error_page(
            StatusCode::BAD_REQUEST,
            "The authentication method requires JavaScript to be enabled.",
        ),
    }
}

fn adapter_of(mfa: &Mfa) -> &str {
    match mfa {
        Mfa::Otp { adapter, .. } | Mfa::BrowserOnly { adapter } => adapter,
        Mfa::AzurePush { .. } | Mfa::AzureCode { .. } => "AzureMfaAuthentication",
    }
}

/// ADFS 2016's "select an authentication method" page: a hidden
/// `form#options` that a script submits with the clicked method.
pub fn selection_page(ctx: &str, context: &str, adapter: &str) -> String {
    let action = format!("sign-in?client-request-id={ctx}&amp;pullStatus=0");
    let tile = |method: &str, label: &str| {
        format!(
            r#"<div class="idp" tabindex="0" role="button" onKeyDown="if (event.keyCode == 32 || event.keyCode == 13) SelectOption('{m}');" onclick="return SelectOption('{m}');">
<img class="largeIcon float" src="/adfs/portal/images/idp/otp.png" alt="{l}" /><div class="idpDescription float"><span class="largeTextNoWrap indentNonCollapsible">{l}</span></div></div>"#,
            m = esc(method),
            l = esc(label)
        )
    };
    format!(
        r#"<!DOCTYPE html><html lang="en-US"><head><title>Sign In</title></head>
<body dir="ltr" class="body"><div id="fullPage"><div id="contentWrapper" class="float"><div id="content"><div id="workArea">
<div id="authArea" class="groupMargin">
<div id="openingMessage" class="groupMargin">Select a method to verify your identity</div>
<form method="post" id="options" class="hidden" action="{action}">
<script type="text/javascript">function SelectOption(option) {{ document.getElementById('optionSelection').value = option; document.forms['options'].submit(); return false; }}</script>
<input id="optionSelection" type="hidden" name="AuthMethod" />
<input id="context" type="hidden" name="Context" value="{context}" />
</form>
<div id="authOptions">{cert}{configured}{duo}</div>
</div></div></div></div></div></body></html>"#,
        context = esc(context),
        cert = tile(
            "CertificateAuthentication",
            "Sign in using an X.509 certificate"
        ),
        configured = tile(adapter, &format!("Use {adapter}")),
        duo = tile("DuoAdfsAdapter", "Duo Security"),
    )
}

/// AD FS 2016+'s "Authentication Options" page (primary authentication),
/// shaped as `fixtures/adfs-2016-authentication-options.html`: the tiles
/// only fill `AuthMethod` in the hidden `#options` form; no `Context`.
pub fn auth_options_page(ctx: &str) -> String {
    let action = format!("sign-in?client-request-id={ctx}&amp;pullStatus=0");
    let tile = |method: &str, label: &str, icon: &str| {
        format!(
            r#"<div class='idp' tabindex='1' role='button' onKeyDown='if (event.keyCode == 32 || event.keyCode == 13) SelectOption("{m}");' onclick='return SelectOption("{m}");'>
<img class='largeIcon float' src='/adfs/portal/images/idp/{icon}.png?id=1' alt='{l}' /><div class='idpDescription float'><span class='largeTextNoWrap indentNonCollapsible'>{l}</span></div></div>"#,
            m = esc(method),
            l = esc(label),
        )
    };
    format!(
        r#"<!DOCTYPE html><html lang="en-US"><head><title>Sign In</title></head>
<body dir="ltr" class="body"><div id="fullPage"><div id="contentWrapper" class="float"><div id="content"><div id="workArea">
<div id="authArea" class="groupMargin">
<div id="openingMessage" class="groupMargin">Sign in with one of these options</div>
<div id="authOptions">
<form id="options" method="post" action="{action}">
<script type="text/javascript">function SelectOption(option) {{ var i = document.getElementById('optionSelection'); i.value = option; document.forms['options'].submit(); return false; }}</script>
<input id="optionSelection" type="hidden" name="AuthMethod" />
{cert}{azure}{forms}
</form></div>
</div></div></div></div></div></body></html>"#,
        cert = tile(
            "CertificateAuthentication",
            "Sign in using an X.509 certificate",
            "certificate"
        ),
        azure = tile(
            "AzureMfaAuthentication",
            "Use Azure Multi-Factor Authentication",
            "otp"
        ),
        forms = tile(
            "FormsAuthentication",
            "Sign in using your organizational account",
            "localsts"
        ),
    )
}

fn new_session_saml(st: &mut AdfsState) -> Response {
    let sid = random_hex(32);
    st.sessions.insert(sid.clone());
    with_cookies(
        saml_page(st),
        [
            format!("MSISAuth={sid}; Path=/adfs; HttpOnly"),
            "MSISContext=; Path=/adfs; Max-Age=0".into(),
        ],
    )
}

fn saml_page(st: &mut AdfsState) -> Response {
    st.assertions_issued += 1;
    let b64 = AssertionBuilder::default()
        .roles(st.config.roles.clone())
        .prefix(PrefixStyle::Default)
        .session_name(Some(&st.config.username))
        .base64();
    Html(post_page(&b64, &st.config.saml_action)).into_response()
}

/// ASP.NET state of the ADFS 2.0 page (with characters that need
/// form-encoding).
const VIEWSTATE: &str = "/wEPDwUKMTg2OTk3NjQzNw9kFgJmD2QWAgIDD2QWAgIBD2QWBAIBD2QWAmYPZBYCAgEPDxYCHgRUZXh0BRRBRCBGUyAyLjAgU2lnbi1pbg==";
const EVENTVALIDATION: &str = "/wEWBALN+5m6BwKvruq2CALSxeCRDwLm8q3OBL0f/6r4N/p1Z==";

/// The sign-in page, with the IdP's error text when `error` is set.
pub fn login_page(config: &AdfsConfig, ctx: &str, error: Option<&str>) -> String {
    let action = format!("sign-in?client-request-id={ctx}&amp;pullStatus=0");
    match config.version {
        AdfsVersion::V3 => format!(
            r#"<!DOCTYPE html>
<html lang="en-US"><head>
<meta http-equiv="X-UA-Compatible" content="IE=edge"/>
<meta name="viewport" content="width=device-width, initial-scale=1.0, maximum-scale=2.0, user-scalable=yes"/>
<meta http-equiv="content-type" content="text/html;charset=UTF-8"/>
<meta http-equiv="cache-control" content="no-cache,no-store"/>
<title>Sign In</title>
<script type="text/javascript">//<![CDATA[
function LoginErrors(){{this.userNameFormatError = 'Enter your user ID in the format \u0026quot;domain\\user\u0026quot; or \u0026quot;user@domain\u0026quot;.'; this.passwordEmpty = 'Enter your password.';}}
//]]></script>
<link rel="stylesheet" type="text/css" href="/adfs/portal/css/style.css?id=D74D4D6D"/>
</head>
<body dir="ltr" class="body">
<div id="noScript" style="position:static; width:100%; height:100%; z-index:100">
<h1>JavaScript required</h1><p>JavaScript is required. This web browser does not support JavaScript or JavaScript in this web browser is not enabled.</p>
</div>
<div id="fullPage"><div id="brandingWrapper" class="float"><div id="branding"></div></div>
<div id="contentWrapper" class="float"><div id="content">
<div id="header"><img class="logoImage" id="companyLogo" src="/adfs/portal/logo/logo.png" alt="Example Corp"/></div>
<div id="workArea">
<div id="authArea" class="groupMargin">
<div id="loginArea">
<div id="loginMessage" class="groupMargin">Sign in with your organizational account</div>
<form method="post" id="loginForm" autocomplete="off" novalidate="novalidate" onKeyPress="if (event &amp;&amp; event.keyCode == 13) Login.submitLoginRequest();" action="{action}" >
<div id="error" class="fieldMargin error smallText">
<span id="errorText" for="">{err}</span>
</div>
<div id="formsAuthenticationArea">
<div id="userNameArea">
<label id="userNameInputLabel" for="userNameInput" class="hidden">User Account</label>
<input id="userNameInput" name="UserName" type="email" value="" tabindex="1" class="text fullWidth" spellcheck="false" placeholder="someone@example.com" autocomplete="off"/>
</div>
<div id="passwordArea">
<label id="passwordInputLabel" for="passwordInput" class="hidden">Password</label>
<input id="passwordInput" name="Password" type="password" tabindex="2" class="text fullWidth" placeholder="Password" autocomplete="off"/>
</div>
<div id="kmsiArea" style="display:none">
<input type="checkbox" name="Kmsi" id="kmsiInput" value="true" tabindex="3" />
<label for="kmsiInput">Keep me signed in</label>
</div>
<input type="text" id="nameless-honeypot" value="not posted" style="display:none" />
<div id="submissionArea" class="submitMargin">
<span id="submitButton" class="submit" tabindex="4" role="button" onKeyPress="if (event &amp;&amp; event.keyCode == 32 || event.keyCode == 13) Login.submitLoginRequest();" onclick="return Login.submitLoginRequest();">Sign in</span>
</div>
</div>
<input id="optionForms" type="hidden" name="AuthMethod" value="FormsAuthentication"/>
</form>
<div id="authOptions">
<form id="options" method="post" action="{action}">
<script type="text/javascript">function SelectOption(option) {{ var i = document.getElementById('optionSelection'); i.value = option; document.forms['options'].submit(); return false; }}</script>
<input id="optionSelection" type="hidden" name="AuthMethod" />
<div class="groupMargin"></div>
</form>
</div>
<div id="introduction" class="groupMargin"></div>
<script type="text/javascript">//<![CDATA[
function SetFocus() {{ if (document.getElementById('userNameInput').value == '') {{ document.getElementById('userNameInput').focus(); }} }} SetFocus();
//]]></script>
</div></div></div>
<div id="footerPlaceholder"></div></div>
<div id="footer"><div id="footerLinks" class="floatReverse"><div><span id="copyright">&#169; 2016 Microsoft</span></div></div></div>
</div></div></body></html>"#,
            err = error.map(esc).unwrap_or_default(),
        ),
        AdfsVersion::V2 => format!(
            r#"<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head id="ctl00_Head1"><title>
	Sign In
</title><link href="/adfs/ls/MasterPages/StyleSheet.css" rel="stylesheet" type="text/css" /><meta name="viewport" content="width=device-width; initial-scale=1.0" /></head>
<body>
<form name="aspnetForm" method="post" action="{action}" id="aspnetForm">
<div>
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="{vs}" />
</div>
<div class="MainArea">
<div class="Header"><span id="ctl00_HeaderLabel" class="HeaderLabel">Example Corp</span></div>
<div class="ContentArea">
<div class="GroupXLargeMargin"><span id="ctl00_ContentPlaceHolder1_PromptLabel" class="TextSizeSmall">Type your user name and password.</span></div>
<table class="UsernamePasswordTable">
<tr><td><span class="Label">User name:</span></td>
<td><input name="ctl00$ContentPlaceHolder1$UsernameTextBox" type="text" id="ctl00_ContentPlaceHolder1_UsernameTextBox" /></td>
<td class="TextColorSecondary TextSizeSmall">Example: Domain\Username</td></tr>
<tr><td><span class="Label">Password:</span></td>
<td><input name="ctl00$ContentPlaceHolder1$PasswordTextBox" type="password" id="ctl00_ContentPlaceHolder1_PasswordTextBox" /></td><td>&nbsp;</td></tr>
<tr><td></td><td colspan="2" class="TextSizeSmall TextColorError"><span id="ctl00_ContentPlaceHolder1_ErrorTextLabel">{err}</span></td></tr>
<tr><td colspan="2"><div class="RightAlign GroupXLargeMargin">
<input type="submit" name="ctl00$ContentPlaceHolder1$SubmitButton" value="Sign In" onclick="javascript:WebForm_DoPostBackWithOptions(new WebForm_PostBackOptions(&quot;ctl00$ContentPlaceHolder1$SubmitButton&quot;, &quot;&quot;, true, &quot;&quot;, &quot;&quot;, false, false))" id="ctl00_ContentPlaceHolder1_SubmitButton" class="Resizable" />
</div></td><td>&nbsp;</td></tr>
</table>
</div></div>
<div>
<input type="hidden" name="__EVENTVALIDATION" id="__EVENTVALIDATION" value="{ev}" />
</div></form>
</body></html>"#,
            vs = esc(VIEWSTATE),
            ev = esc(EVENTVALIDATION),
            err = error.map(esc).unwrap_or_default(),
        ),
    }
}

/// The MFA page for `mfa` (ADFS 2016 layout: the adapter's fields in
/// `form#loginForm`, a hidden `form#options` to pick another method).
pub fn mfa_page(mfa: &Mfa, ctx: &str, context: &str, error: Option<&str>) -> String {
    let action = format!("sign-in?client-request-id={ctx}&amp;pullStatus=0");
    let (method, body) = match mfa {
        Mfa::Otp { adapter, field, .. } => (
            adapter.clone(),
            format!(
                r#"<div id="mfaGreetingDescription" class="groupMargin">For security reasons, we require additional information to verify your account</div>
<p id="instructions">Enter the code from your token.</p>
<input id="{field}" name="{field}" type="password" class="text fullWidth" autocomplete="off" placeholder="Passcode"/>
<span id="submitButton" class="submit" role="button">Continue</span>"#
            ),
        ),
        Mfa::AzureCode { .. } => (
            "AzureMfaAuthentication".to_string(),
            r#"<div id="mfaGreetingDescription" class="groupMargin">For security reasons, we require additional information to verify your account</div>
<p id="instructions">We've sent a verification code to your phone. Enter it below.</p>
<input id="verificationCodeInput" name="VerificationCode" type="text" value="" class="text fullWidth" autocomplete="off" placeholder="Verification code"/>
<input id="signInButton" type="submit" class="submit" value="Sign in"/>"#
                .to_string(),
        ),
        Mfa::AzurePush { entropy, .. } => (
            "AzureMfaAuthentication".to_string(),
            format!(
                r#"<div id="mfaGreetingDescription" class="groupMargin">For security reasons, we require additional information to verify your account</div>
<p id="instructions">We've sent a notification to your mobile device. Please open the Microsoft Authenticator app to respond.</p>
{}
<div id="progressArea" class="groupMargin"><img src="/adfs/portal/images/progress.gif" alt="waiting"/></div>
<script type="text/javascript">setTimeout(function () {{ document.forms['loginForm'].submit(); }}, 2000);</script>"#,
                entropy
                    .map(|n| format!(r#"<p id="validEntropyNumber" class="bigText">{n}</p>"#))
                    .unwrap_or_default()
            ),
        ),
        Mfa::BrowserOnly { adapter } => (
            adapter.clone(),
            r#"<div id="duo_container"><iframe id="duo_iframe" data-host="api-1234.duosecurity.com" data-sig-request="TX|abc:APP|def" frameborder="0"></iframe></div>
<input type="hidden" name="sig_response" id="sig_response" value=""/>"#
                .to_string(),
        ),
    };
    format!(
        r##"<!DOCTYPE html><html lang="en-US"><head><title>Sign In</title>
<script type="text/javascript">var Context = null;</script></head>
<body dir="ltr" class="body"><div id="fullPage"><div id="contentWrapper" class="float"><div id="content"><div id="workArea">
<div id="authArea" class="groupMargin"><div id="loginArea">
<form method="post" id="loginForm" autocomplete="off" novalidate="novalidate" action="{action}">
<input id="authMethod" type="hidden" name="AuthMethod" value="{method}"/>
<input id="context" type="hidden" name="Context" value="{context}"/>
<div id="error" class="fieldMargin error smallText"><span id="errorText" for="">{err}</span></div>
{body}
</form>
<div id="authOptions"><form id="options" method="post" action="{action}">
<input id="optionSelection" type="hidden" name="AuthMethod"/>
<input id="context2" type="hidden" name="Context" value="{context}"/>
<a href="#" onclick="return SelectOption('FormsAuthentication');">Sign in another way</a>
</form></div>
</div></div></div></div></div></div></body></html>"##,
        method = esc(&method),
        context = esc(context),
        err = error.map(esc).unwrap_or_default(),
    )
}
