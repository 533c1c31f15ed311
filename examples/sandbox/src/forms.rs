//! A configurable fake of a forms-based SAML IdP, in the styles of
//! SimpleSAMLphp, Keycloak, a two-step (username, then password) IdP, and
//! an "obscure" one whose field names no heuristic guesses; optionally
//! followed by an intermediate "Continue" page, an SP/proxy hop that
//! re-posts a SAML response, or a "Continue" page that loops forever.
//!
//! Every page after the entry URL needs the session cookie set by the
//! entry URL, like the real IdPs: a client without a cookie jar fails.
//! After a login, the entry URL with that cookie answers at once with the
//! SAML page (the IdP session), as SimpleSAMLphp and Keycloak do; a
//! browser that restores the session cookie signs in without the form.
//! Wrong credentials get HTTP 200 with the login form again and an error
//! block, as real IdPs answer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use rand::Rng;

use crate::saml::{post_page, AssertionBuilder, PrefixStyle, Role};
use crate::web::{cookie, esc, random_hex, redirect, with_cookies, ClientBase};
use crate::Server;

/// Which IdP the fake imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// SimpleSAMLphp `core:loginuserpass`: `AuthState` hidden field (with
    /// `&amp;`), `action="?"`, an `<h2>` error block and a fresh
    /// `AuthState` after a wrong password, a language form on the page.
    SimpleSamlPhp,
    /// Keycloak: `form#kc-form-login` with an absolute action full of
    /// `&amp;`, `rememberMe` checkbox, `.kc-feedback-text` on error.
    Keycloak,
    /// Username first (`pf.username`), then password on a second page that
    /// repeats the username in a hidden input.
    TwoStep,
    /// A decoy PIN form first on the page, then `form#main` with
    /// `f_ident` / `f_secret`: needs the plugin options to log in.
    Obscure,
}

/// How the fake behaves.
#[derive(Debug, Clone)]
pub struct FormsConfig {
    pub flavor: Flavor,
    pub username: String,
    pub password: String,
    pub roles: Vec<Role>,
    /// After the login, a page with only hidden fields and "Continue".
    pub continue_page: bool,
    /// The "Continue" page answers itself forever (a loop).
    pub continue_loop: bool,
    /// Post the assertion to an SP/proxy hop first, which then posts the
    /// AWS assertion.
    pub sp_hop: bool,
    /// Where the final SAML page posts.
    pub saml_action: String,
    /// Ask for this one-time code after the password (a Keycloak-style
    /// OTP page with `input#otp`).
    pub otp: Option<String>,
    /// After the password, Keycloak's WebAuthn step (a form of hidden
    /// fields filled only by JavaScript, as
    /// `fixtures/keycloak-webauthn-authenticate.html`).
    pub webauthn: bool,
    /// After the login, Shibboleth's attribute-release page
    /// (`fixtures/shibboleth-attribute-release.html`, Reject before Accept).
    pub attribute_release: bool,
    /// Answer a correct password with the login form and this error text
    /// (a locked account, an expired password), as IdPs do.
    pub refusal: Option<String>,
    /// After the password, a page the login cannot answer: Keycloak's
    /// update-password or authenticator-setup required action.
    pub required_action: Option<RequiredAction>,
    /// With [`RequiredAction::ConfigureTotp`]: the code the person types
    /// after scanning the QR code in a browser; it completes the setup
    /// and the login (without it, every post is refused).
    pub totp_setup_code: Option<String>,
    /// Show the demo user and password on the login page (the sandbox's
    /// browser demo, where a newcomer types them).
    pub demo_hint: bool,
}

/// Keycloak required actions served after a correct password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequiredAction {
    /// `fixtures/keycloak-update-password.html`.
    UpdatePassword,
    /// `fixtures/keycloak-config-totp.html`.
    ConfigureTotp,
}

impl Default for FormsConfig {
    fn default() -> Self {
        FormsConfig {
            flavor: Flavor::SimpleSamlPhp,
            username: "Monty".into(),
            password: "hunter2".into(),
            roles: vec![Role::new("123456789012", "ADFS-Dev", "ADFS")],
            continue_page: false,
            continue_loop: false,
            sp_hop: false,
            saml_action: "https://signin.aws.amazon.com/saml".into(),
            otp: None,
            webauthn: false,
            attribute_release: false,
            refusal: None,
            required_action: None,
            totp_setup_code: None,
            demo_hint: false,
        }
    }
}

impl FormsConfig {
    /// A default config of the given flavor.
    pub fn flavor(flavor: Flavor) -> Self {
        FormsConfig {
            flavor,
            ..Default::default()
        }
    }
}

#[derive(Debug, Default, Clone)]
struct Session {
    /// Current SimpleSAMLphp `AuthState` / Keycloak `session_code`.
    state: String,
    /// The username accepted at step one (two-step flavor).
    user: Option<String>,
    /// Password accepted, one-time code still expected.
    awaiting_otp: bool,
    /// Password accepted, a WebAuthn assertion still expected.
    awaiting_webauthn: bool,
    /// Logged in.
    done: bool,
}

/// What the fake has seen.
#[derive(Debug, Default)]
pub struct FormsState {
    pub config: FormsConfig,
    pub entry_visits: usize,
    pub logins_ok: usize,
    pub failures: usize,
    /// Requests that came without the session cookie.
    pub cookieless: usize,
    pub continue_posts: usize,
    pub hop_posts: usize,
    /// One-time codes received (right or wrong).
    pub otp_posts: usize,
    /// Posts to the WebAuthn step (a client without JavaScript posting
    /// the empty form).
    pub webauthn_posts: usize,
    /// Field names of the last credential post, in order.
    pub last_fields: Vec<String>,
    /// The button names posted to the attribute-release page.
    pub consent_answers: Vec<String>,
    /// Posts to a required-action page (it must never be posted).
    pub required_action_posts: usize,
    /// Entry visits answered from a live IdP session (no form).
    pub sessions_reused: usize,
    sessions: HashMap<String, Session>,
}

impl FormsState {
    /// The IdP forgets every session (they expired, or an admin ended
    /// them): the next visit shows the login form again.
    pub fn revoke_sessions(&mut self) {
        self.sessions.clear();
    }

    /// The session id the request's cookie (the flavor's name) carries.
    fn session_cookie(&self, headers: &HeaderMap) -> Option<String> {
        cookie(headers, cookie_name(self.config.flavor))
    }

    /// Whether the request's cookie names a session that has signed in.
    fn signed_in(&self, headers: &HeaderMap) -> bool {
        self.session_cookie(headers)
            .and_then(|sid| self.sessions.get(&sid))
            .is_some_and(|s| s.done)
    }

    /// The next step of session `sid`: a copy of `session` with a fresh
    /// state value (each page the IdP serves carries a new one), changed
    /// by `step`, stored and returned.
    fn next_step(
        &mut self,
        sid: &str,
        session: &Session,
        base: &str,
        step: impl FnOnce(&mut Session),
    ) -> Session {
        let mut next = session.clone();
        next.state = new_state(self.config.flavor, base);
        step(&mut next);
        self.sessions.insert(sid.to_string(), next.clone());
        next
    }
}

pub type FormsIdp = Arc<Mutex<FormsState>>;

/// The session cookie name of each flavor.
fn cookie_name(f: Flavor) -> &'static str {
    match f {
        Flavor::SimpleSamlPhp => "SimpleSAMLSessionID",
        Flavor::Keycloak => "AUTH_SESSION_ID",
        Flavor::TwoStep => "JSESSIONID",
        Flavor::Obscure => "sid",
    }
}

/// The IdP-initiated SSO path of each flavor (what `-e` points at).
pub fn entry_path(f: Flavor) -> &'static str {
    match f {
        Flavor::SimpleSamlPhp => {
            "/simplesaml/saml2/idp/SSOService.php?spentityid=urn:amazon:webservices"
        }
        Flavor::Keycloak => "/realms/demo/protocol/saml/clients/amazon-aws",
        Flavor::TwoStep => {
            "/idp/profile/SAML2/Unsolicited/SSO?providerId=urn%3Aamazon%3Awebservices"
        }
        Flavor::Obscure => "/sso/aws",
    }
}

/// A page with no form at all (for "no usable form" errors).
pub const NO_FORM_PATH: &str = "/maintenance";

/// A "redirecting..." page whose `<meta http-equiv="refresh">` leads to
/// the flavor's entry URL.
pub const REFRESH_PATH: &str = "/start";

/// The URL to configure with `-e` for a running fake.
pub fn entry_url(server: &Server, state: &FormsIdp) -> String {
    server.url(entry_path(state.lock().unwrap().config.flavor))
}

/// The router and its state.
pub fn router(config: FormsConfig) -> (Router, FormsIdp) {
    let state: FormsIdp = Arc::new(Mutex::new(FormsState {
        config,
        ..Default::default()
    }));
    let r = Router::new()
        .route("/simplesaml/saml2/idp/SSOService.php", get(entry))
        .route("/realms/demo/protocol/saml/clients/amazon-aws", get(entry))
        .route("/idp/profile/SAML2/Unsolicited/SSO", get(entry))
        .route("/sso/aws", get(entry))
        .route(
            "/simplesaml/module.php/core/loginuserpass.php",
            get(login_page).post(login_post),
        )
        .route(
            "/realms/demo/login-actions/authenticate",
            get(login_page).post(login_post),
        )
        .route("/idp/profile/SAML2/login", get(login_page).post(login_post))
        .route("/sso/login", get(login_page).post(login_post))
        .route("/sso/pin", post(pin_post))
        .route("/idp/continue", post(continue_post))
        .route("/idp/consent", post(consent_post))
        .route(
            "/realms/demo/login-actions/required-action",
            post(required_action_post),
        )
        .route("/proxy/saml2/acs", post(hop_post))
        .route(NO_FORM_PATH, get(no_form))
        .route(REFRESH_PATH, get(refresh_page))
        .with_state(state.clone());
    (r, state)
}

/// Run the fake over plain HTTP on loopback.
pub fn start(config: FormsConfig) -> (Server, FormsIdp) {
    let (r, s) = router(config);
    (Server::http(r), s)
}

fn page(title: &str, body: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex, nofollow"><title>{}</title>
<link rel="stylesheet" href="/resources/default.css"></head>
<body><div id="wrap"><div id="header"><h1><a href="/">Example University</a></h1></div>
<div id="content">
{body}
</div><div id="footer"><hr/>Copyright &copy; Example University</div></div></body></html>"#,
        esc(title)
    )
}

/// The page a real IdP shows when its state cookie is missing.
fn state_lost(st: &mut FormsState) -> Response {
    st.cookieless += 1;
    let body = match st.config.flavor {
        Flavor::SimpleSamlPhp => page(
            "SimpleSAMLphp error",
            r#"<h2>State information lost</h2><p>State information lost, and no way to restart the request</p>"#,
        ),
        Flavor::Keycloak => page(
            "Sign in to demo",
            r#"<div class="alert-error"><span class="kc-feedback-text">Cookie not found. Please make sure cookies are enabled in your browser.</span></div>"#,
        ),
        _ => page(
            "Web Login Service - Stale Request",
            r#"<section><h2>Stale Request</h2><p class="form-element form-error">You may be seeing this page because you used the Back button while browsing a secure web site or application, or because your browser does not accept cookies.</p></section>"#,
        ),
    };
    (StatusCode::BAD_REQUEST, Html(body)).into_response()
}

fn login_path(f: Flavor) -> &'static str {
    match f {
        Flavor::SimpleSamlPhp => "/simplesaml/module.php/core/loginuserpass.php",
        Flavor::Keycloak => "/realms/demo/login-actions/authenticate",
        Flavor::TwoStep => "/idp/profile/SAML2/login",
        Flavor::Obscure => "/sso/login",
    }
}

/// The login URL of `session`, absolute and HTML-escaped for a form's
/// `action`.
fn login_action(f: Flavor, base: &str, session: &Session) -> String {
    esc(&format!(
        "{base}{}?{}",
        login_path(f),
        state_query(f, &session.state)
    ))
}

/// The state value in the login URL's query for a session.
fn state_query(f: Flavor, state: &str) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    match f {
        Flavor::SimpleSamlPhp => format!("AuthState={}", enc(state)),
        Flavor::Keycloak => format!(
            "session_code={}&execution=0f5cbd57-6d5a-4d8e-a4c9-0ff1c1a55b5b&client_id=urn%3Aamazon%3Awebservices&tab_id=Zk1tLwqzVgM",
            enc(state)
        ),
        Flavor::TwoStep => format!("execution={}", enc(state)),
        Flavor::Obscure => format!("t={}", enc(state)),
    }
}

fn new_state(f: Flavor, base: &str) -> String {
    match f {
        // SimpleSAMLphp's AuthState: an id and the URL to resume, with '&'.
        Flavor::SimpleSamlPhp => format!(
            "_{}:https:{base}/simplesaml/saml2/idp/SSOService.php?spentityid=urn%3Aamazon%3Awebservices&cookieTime={}",
            random_hex(24),
            rand::rng().random_range(1_600_000_000u32..1_900_000_000)
        ),
        Flavor::TwoStep => format!("e1s{}", rand::rng().random_range(1..1000)),
        _ => random_hex(24),
    }
}

async fn entry(
    State(state): State<FormsIdp>,
    ClientBase(base): ClientBase,
    headers: HeaderMap,
) -> Response {
    let mut st = state.lock().unwrap();
    st.entry_visits += 1;
    if st.signed_in(&headers) {
        st.sessions_reused += 1;
        return saml_or_hop(&mut st);
    }
    let f = st.config.flavor;
    let sid = random_hex(24);
    let s = new_state(f, &base);
    let location = format!("{}?{}", login_path(f), state_query(f, &s));
    st.sessions.insert(
        sid.clone(),
        Session {
            state: s,
            ..Default::default()
        },
    );
    with_cookies(
        redirect(&location),
        [format!("{}={sid}; Path=/; HttpOnly", cookie_name(f))],
    )
}

fn query_state(f: Flavor, q: &HashMap<String, String>) -> Option<String> {
    let key = match f {
        Flavor::SimpleSamlPhp => "AuthState",
        Flavor::Keycloak => "session_code",
        Flavor::TwoStep => "execution",
        Flavor::Obscure => "t",
    };
    q.get(key).cloned()
}

async fn login_page(
    State(state): State<FormsIdp>,
    Query(q): Query<HashMap<String, String>>,
    ClientBase(base): ClientBase,
    headers: HeaderMap,
) -> Response {
    let mut st = state.lock().unwrap();
    let f = st.config.flavor;
    let Some(session) = st
        .session_cookie(&headers)
        .and_then(|s| st.sessions.get(&s).cloned())
    else {
        return state_lost(&mut st);
    };
    if query_state(f, &q).as_deref() != Some(session.state.as_str()) {
        return state_lost(&mut st);
    }
    Html(login_html(&st.config, &base, &session, None)).into_response()
}

fn login_html(config: &FormsConfig, base: &str, session: &Session, error: Option<&str>) -> String {
    let state = esc(&session.state);
    let demo = if config.demo_hint {
        format!(
            r#"<p id="demo-hint" style="border: 2px dashed #c60; padding: 8px">Sandbox demo: sign in as <b>{}</b> with the password <b>{}</b> (type them below).</p>
"#,
            esc(&config.username),
            esc(&config.password)
        )
    } else {
        String::new()
    };
    match config.flavor {
        Flavor::SimpleSamlPhp => {
            let err = error
                .map(|e| {
                    format!(
                        r#"<div style="border-left: 1px solid #e8e8e8; border-bottom: 1px solid #e8e8e8; background: #f5f5f5">
<img src="/simplesaml/resources/icons/experience/gtk-dialog-error.48x48.png" class="float-l erroricon" style="margin: 15px" alt="">
<h2>{}</h2>
<p>Either no user with the given username could be found, or the password you gave was wrong. Please check the username and try again.</p>
</div>"#,
                        esc(e)
                    )
                })
                .unwrap_or_default();
            page(
                "Enter your username and password",
                &format!(
                    r#"<div id="languagebar"><form action="/simplesaml/module.php/core/loginuserpass.php" method="get" id="langform">
<select name="language" onchange="this.form.submit()"><option value="en" selected>English</option><option value="nb">Bokmål</option></select>
<input type="hidden" name="AuthState" value="{state}"></form></div>
{err}
{demo}<h2 style="break: both">Enter your username and password</h2>
<p>A service has requested you to authenticate yourself. Please enter your username and password in the form below.</p>
<form action="?" method="post" name="f">
<table>
<tr><td rowspan="3"><img id="loginicon" src="/simplesaml/resources/icons/experience/gtk-dialog-authentication.48x48.png" alt=""></td>
<td><label for="username">Username</label></td>
<td><input id="username" type="text" tabindex="1" name="username" value="" autofocus></td></tr>
<tr><td><label for="password">Password</label></td>
<td><input id="password" type="password" tabindex="2" name="password"></td></tr>
<tr><td></td><td><button class="btn" onclick="this.value='Processing...'; this.disabled=true; this.form.submit(); return true;" tabindex="4">Login</button></td></tr>
</table>
<input type="hidden" name="AuthState" value="{state}">
</form>
<h2>Help! I don't remember my password.</h2><p>Too bad! - Without your username and password you cannot authenticate yourself for access to the service.</p>"#
                ),
            )
        }
        Flavor::Keycloak => {
            let action = login_action(Flavor::Keycloak, base, session);
            let err = error
                .map(|e| {
                    format!(
                        r#"<div class="alert-error pf-c-alert pf-m-inline pf-m-danger"><div class="pf-c-alert__icon"><span class="fa fa-fw fa-exclamation-circle"></span></div>
<span class="pf-c-alert__title kc-feedback-text">{}</span></div>"#,
                        esc(e)
                    )
                })
                .unwrap_or_default();
            format!(
                r#"<!DOCTYPE html>
<html class="login-pf"><head><meta charset="utf-8"><meta http-equiv="Content-Type" content="text/html; charset=UTF-8" /><meta name="robots" content="noindex, nofollow">
<meta name="viewport" content="width=device-width,initial-scale=1"/>
<title>Sign in to demo</title>
<script src="/resources/abc12/common/keycloak/node_modules/rfc4648/lib/rfc4648.js" type="text/javascript"></script>
</head>
<body class="">
<div class="login-pf-page"><div id="kc-header" class="login-pf-page-header"><div id="kc-header-wrapper" class="">demo</div></div>
<div class="card-pf"><header class="login-pf-header"><h1 id="kc-page-title">Sign in to your account</h1></header>
<div id="kc-content"><div id="kc-content-wrapper">
{err}{demo}
<div id="kc-form"><div id="kc-form-wrapper">
<form id="kc-form-login" onsubmit="login.disabled = true; return true;" action="{action}" method="post">
<div class="form-group"><label for="username" class="pf-c-form__label pf-c-form__label-text">Username or email</label>
<input tabindex="1" id="username" class="pf-c-form-control" name="username" value="" type="text" autofocus autocomplete="off" aria-invalid="{invalid}"/></div>
<div class="form-group"><label for="password" class="pf-c-form__label pf-c-form__label-text">Password</label>
<input tabindex="2" id="password" class="pf-c-form-control" name="password" type="password" autocomplete="off" aria-invalid="{invalid}"/></div>
<div class="form-group login-pf-settings"><div id="kc-form-options"><div class="checkbox"><label><input tabindex="3" id="rememberMe" name="rememberMe" type="checkbox"> Remember me</label></div></div></div>
<div id="kc-form-buttons" class="form-group"><input type="hidden" id="id-hidden-input" name="credentialId"/>
<input tabindex="4" class="pf-c-button pf-m-primary pf-m-block btn-lg" name="login" id="kc-login" type="submit" value="Sign In"/></div>
</form></div></div></div></div></div></div></body></html>"#,
                invalid = if error.is_some() { "true" } else { "" },
            )
        }
        Flavor::TwoStep => {
            let action = format!("/idp/profile/SAML2/login?execution={state}");
            let err = error
                .map(|e| {
                    format!(
                        r#"<section><p class="form-element form-error">{}</p></section>"#,
                        esc(e)
                    )
                })
                .unwrap_or_default();
            match &session.user {
                None => page(
                    "Web Login Service",
                    &format!(
                        r#"<form action="{action}" method="post">
{err}
<div class="form-element-wrapper"><label for="username">Username</label>
<input class="form-element form-field" id="username" name="pf.username" type="text" autocomplete="username" value=""></div>
<div class="form-element-wrapper"><input type="checkbox" name="donotcache" value="1" id="donotcache"><label for="donotcache">Don't Remember Login</label></div>
<div class="form-element-wrapper"><button class="form-element form-button" type="submit" name="_eventId_proceed">Next</button></div>
</form>"#
                    ),
                ),
                Some(user) => page(
                    "Web Login Service",
                    &format!(
                        r#"<p>Signing in as <strong>{u}</strong> <a href="/sso/aws">Not you?</a></p>
<form action="{action}" method="post">
{err}
<input type="hidden" name="pf.username" value="{u}">
<div class="form-element-wrapper"><label for="password">Password</label>
<input class="form-element form-field" id="password" name="pf.pass" type="password" autocomplete="current-password" value=""></div>
<div class="form-element-wrapper"><button class="form-element form-button" type="submit" name="_eventId_proceed">Sign in</button></div>
</form>"#,
                        u = esc(user)
                    ),
                ),
            }
        }
        Flavor::Obscure => {
            let err = error
                .map(|e| {
                    format!(
                        r#"<div class="alert alert-danger" role="alert">{}</div>"#,
                        esc(e)
                    )
                })
                .unwrap_or_default();
            page(
                "Example Portal",
                &format!(
                    r#"<form id="quick" action="/sso/pin" method="post"><h3>Kiosk PIN</h3>
<input type="text" name="q" placeholder="Badge number"><input type="password" name="pin"><input type="submit" value="Go"></form>
{err}
<form id="main" name="main" action="/sso/login?t={state}" method="post"><h3>Staff sign-in</h3>
<input type="text" name="f_ident" placeholder="Staff id"><input type="text" name="f_note" placeholder="Reason (optional)">
<input type="password" name="f_secret"><input type="submit" name="go" value="Sign in"></form>"#
                ),
            )
        }
    }
}

async fn login_post(
    State(state): State<FormsIdp>,
    Query(q): Query<HashMap<String, String>>,
    ClientBase(base): ClientBase,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let mut st = state.lock().unwrap();
    let f = st.config.flavor;
    let Some(sid) = st
        .session_cookie(&headers)
        .filter(|s| st.sessions.contains_key(s))
    else {
        return state_lost(&mut st);
    };
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let session = st.sessions.get(&sid).cloned().unwrap_or_default();
    // Where each flavor keeps its state on the post.
    let posted_state = match f {
        Flavor::SimpleSamlPhp => get("AuthState"),
        _ => query_state(f, &q),
    };
    if posted_state.as_deref() != Some(session.state.as_str()) {
        return state_lost(&mut st);
    }
    if session.awaiting_webauthn {
        st.webauthn_posts += 1;
        return Html(page(
            "Sign in to demo",
            r#"<div class="alert-error"><span class="kc-feedback-text">Failed to authenticate by the Security key.</span></div>"#,
        ))
        .into_response();
    }
    if session.awaiting_otp {
        st.otp_posts += 1;
        let right = get("otp").is_some() && get("otp") == st.config.otp;
        let next = st.next_step(&sid, &session, &base, |s| {
            if right {
                s.awaiting_otp = false;
                s.done = true;
            }
        });
        if right {
            st.logins_ok += 1;
            return after_login(&mut st);
        }
        return Html(otp_html(
            f,
            &base,
            &next,
            Some("Invalid authenticator code."),
        ))
        .into_response();
    }
    st.last_fields = fields.iter().map(|(n, _)| n.clone()).collect();
    let (user_key, pass_key) = match f {
        Flavor::SimpleSamlPhp | Flavor::Keycloak => ("username", "password"),
        Flavor::TwoStep => ("pf.username", "pf.pass"),
        Flavor::Obscure => ("f_ident", "f_secret"),
    };
    let user_ok = get(user_key).is_some_and(|u| u.eq_ignore_ascii_case(&st.config.username));
    if f == Flavor::TwoStep && session.user.is_none() {
        // Step one: the username alone.
        if !user_ok {
            st.failures += 1;
        }
        let next = st.next_step(&sid, &session, &base, |s| {
            if user_ok {
                s.user = get(user_key);
            }
        });
        let error = (!user_ok).then_some("The username you entered cannot be identified.");
        return Html(login_html(&st.config, &base, &next, error)).into_response();
    }
    let pass_ok = get(pass_key).as_deref() == Some(st.config.password.as_str());
    // A wrong password, or a refusal after the right one: the form
    // again with the IdP's text.
    let error = if user_ok && pass_ok {
        st.config.refusal.clone()
    } else {
        let msg = match f {
            Flavor::SimpleSamlPhp => "Incorrect username or password",
            Flavor::Keycloak => "Invalid username or password.",
            Flavor::TwoStep => "The password you entered was incorrect.",
            Flavor::Obscure => "Sign-in failed: unknown staff id or password.",
        };
        Some(msg.to_string())
    };
    if let Some(text) = error {
        st.failures += 1;
        let next = st.next_step(&sid, &session, &base, |_| {});
        return Html(login_html(&st.config, &base, &next, Some(&text))).into_response();
    }
    if let Some(action) = st.config.required_action {
        let page = match action {
            RequiredAction::UpdatePassword => {
                include_str!("../fixtures/keycloak-update-password.html")
            }
            RequiredAction::ConfigureTotp => include_str!("../fixtures/keycloak-config-totp.html"),
        };
        let mut page = page.replace("https://sso.example.com", &base);
        if let (true, Some(code)) = (st.config.demo_hint, &st.config.totp_setup_code) {
            page = page.replacen(
                "<body>",
                &format!(
                    r#"<body><p id="demo-hint" style="border: 2px dashed #c60; padding: 8px">Sandbox demo: type the code <b>{}</b> (your new authenticator app would show it).</p>"#,
                    esc(code)
                ),
                1,
            );
        }
        return Html(page).into_response();
    }
    if st.config.webauthn {
        let next = st.next_step(&sid, &session, &base, |s| s.awaiting_webauthn = true);
        return Html(webauthn_html(f, &base, &next)).into_response();
    }
    if st.config.otp.is_some() {
        let next = st.next_step(&sid, &session, &base, |s| s.awaiting_otp = true);
        return Html(otp_html(f, &base, &next, None)).into_response();
    }
    st.logins_ok += 1;
    if let Some(s) = st.sessions.get_mut(&sid) {
        s.done = true;
    }
    after_login(&mut st)
}

/// Keycloak's WebAuthn authentication step, shaped like
/// `fixtures/keycloak-webauthn-authenticate.html`: the `#webauth` form has
/// only empty hidden inputs and no submit control; a script fills and
/// submits it after `navigator.credentials.get()`.
fn webauthn_html(f: Flavor, base: &str, session: &Session) -> String {
    let action = login_action(f, base, session);
    page(
        "Sign in to demo",
        &format!(
            r#"<h1 id="kc-page-title">Security Key login</h1>
<div id="kc-form-webauthn" class="form-horizontal">
<form id="webauth" action="{action}" method="post">
<input type="hidden" id="clientDataJSON" name="clientDataJSON"/>
<input type="hidden" id="authenticatorData" name="authenticatorData"/>
<input type="hidden" id="signature" name="signature"/>
<input type="hidden" id="credentialId" name="credentialId"/>
<input type="hidden" id="userHandle" name="userHandle"/>
<input type="hidden" id="error" name="error"/>
</form>
<form id="authn_select" class="form-horizontal"><input type="hidden" name="authn_use_chk" value="c3ZRbWFLZXk"/></form>
</div>
<div id="kc-form-buttons"><input id="authenticateWebAuthnButton" type="button" onclick="webAuthnAuthenticate()" autofocus="autofocus" value="Sign in with Security Key"/></div>
<script type="module">function webAuthnAuthenticate() {{ /* navigator.credentials.get(...) then document.getElementById('webauth').submit() */ }}</script>"#
        ),
    )
}

/// A Keycloak-style one-time-code page posting to the flavor's login URL.
fn otp_html(f: Flavor, base: &str, session: &Session, error: Option<&str>) -> String {
    let action = login_action(f, base, session);
    // SimpleSAMLphp keeps its state in a hidden field, not in the URL.
    let hidden = match f {
        Flavor::SimpleSamlPhp => format!(
            r#"<input type="hidden" name="AuthState" value="{}">"#,
            esc(&session.state)
        ),
        _ => String::new(),
    };
    let err = error
        .map(|e| {
            format!(
                r#"<div class="alert-error"><span class="kc-feedback-text">{}</span></div>"#,
                esc(e)
            )
        })
        .unwrap_or_default();
    page(
        "Sign in to demo",
        &format!(
            r#"<h1 id="kc-page-title">Sign in to your account</h1>
{err}
<form id="kc-otp-login-form" action="{action}" method="post">
{hidden}
<label for="otp">One-time code</label>
<input id="otp" name="otp" autocomplete="off" type="text" autofocus aria-invalid=""/>
<input name="login" id="kc-login" type="submit" value="Sign In"/>
</form>"#
        ),
    )
}

async fn pin_post(State(state): State<FormsIdp>) -> Response {
    let mut st = state.lock().unwrap();
    st.failures += 1;
    Html(page(
        "Example Portal",
        r#"<div class="alert alert-danger" role="alert">PIN sign-in is disabled for this application.</div>
<form action="/sso/aws" method="get"><input type="submit" value="Back to sign-in"></form>"#,
    ))
    .into_response()
}

/// What follows a successful login: a consent page, a "Continue" page, an
/// SP hop, or the SAML page for AWS.
fn after_login(st: &mut FormsState) -> Response {
    if st.config.attribute_release {
        return Html(
            include_str!("../fixtures/shibboleth-attribute-release.html").replace(
                "/idp/profile/SAML2/Unsolicited/SSO?execution=e1s3",
                "/idp/consent",
            ),
        )
        .into_response();
    }
    if st.config.continue_page || st.config.continue_loop {
        return Html(continue_html()).into_response();
    }
    saml_or_hop(st)
}

fn continue_html() -> String {
    page(
        "Web Login Service - Information Release",
        r#"<p>You are about to access the service Amazon Web Services. Information will be released to the service.</p>
<form action="/idp/continue" method="post">
<input type="hidden" name="csrf_token" value="_7d1e0a&amp;c2">
<input type="hidden" name="_shib_idp_consentOptions" value="_shib_idp_rememberConsent">
<input type="submit" name="_eventId_proceed" value="Continue">
</form>"#,
    )
}

async fn continue_post(
    State(state): State<FormsIdp>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let mut st = state.lock().unwrap();
    if !st.signed_in(&headers) {
        return state_lost(&mut st);
    }
    st.continue_posts += 1;
    let ok = fields
        .iter()
        .any(|(k, v)| k == "csrf_token" && v == "_7d1e0a&c2")
        && fields.iter().any(|(k, _)| k == "_eventId_proceed");
    if !ok {
        return (
            StatusCode::BAD_REQUEST,
            Html(page("Error", "<h2>Error</h2><p>Invalid CSRF token.</p>")),
        )
            .into_response();
    }
    if st.config.continue_loop {
        return Html(continue_html()).into_response();
    }
    saml_or_hop(&mut st)
}

async fn consent_post(
    State(state): State<FormsIdp>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let mut st = state.lock().unwrap();
    if !st.signed_in(&headers) {
        return state_lost(&mut st);
    }
    let buttons: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k.starts_with("_eventId_"))
        .map(|(k, _)| k.clone())
        .collect();
    st.consent_answers.extend(buttons.iter().cloned());
    let ids = fields
        .iter()
        .filter(|(k, _)| k == "_shib_idp_consentIds")
        .count();
    if buttons == ["_eventId_proceed"] && ids == 2 {
        return saml_or_hop(&mut st);
    }
    // Our wording of Shibboleth's "release blocked" page.
    Html(page(
        "Web Login Service - Information Release Blocked",
        "<h2>Information Release Blocked</h2><p>Your information release was blocked at your request. If you wish to reconsider, please access the service again and approve the release of information.</p>",
    ))
    .into_response()
}

async fn required_action_post(
    State(state): State<FormsIdp>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let mut st = state.lock().unwrap();
    st.required_action_posts += 1;
    let sid = st
        .session_cookie(&headers)
        .filter(|s| st.sessions.contains_key(s));
    let code = fields
        .iter()
        .find(|(k, _)| k == "totp")
        .map(|(_, v)| v.trim());
    let setup = st.config.required_action == Some(RequiredAction::ConfigureTotp)
        && code.is_some()
        && code == st.config.totp_setup_code.as_deref();
    if let (true, Some(sid)) = (setup, sid) {
        if let Some(s) = st.sessions.get_mut(&sid) {
            s.done = true;
        }
        st.logins_ok += 1;
        return after_login(&mut st);
    }
    Html(page(
        "Sign in to demo",
        r#"<div class="alert-error"><span class="kc-feedback-text">Invalid password: must not be equal to any of last 3 passwords.</span></div>"#,
    ))
    .into_response()
}

fn final_page(st: &FormsState) -> String {
    let prefix = match st.config.flavor {
        Flavor::Keycloak => PrefixStyle::Saml2,
        _ => PrefixStyle::Saml,
    };
    let b64 = AssertionBuilder::default()
        .roles(st.config.roles.clone())
        .prefix(prefix)
        .session_name(Some(&st.config.username))
        .destination(&st.config.saml_action)
        .base64();
    post_page(&b64, &st.config.saml_action)
}

fn saml_or_hop(st: &mut FormsState) -> Response {
    if st.config.sp_hop {
        // The first assertion is for a proxy SP: no AWS roles, its own
        // Destination, and a RelayState to carry along.
        let b64 = AssertionBuilder::default()
            .roles(Vec::new())
            .destination("http://127.0.0.1/proxy/saml2/acs")
            .base64();
        let hop = post_page(&b64, "/proxy/saml2/acs").replace(
            r#"name="RelayState" type="hidden" value="""#,
            r#"name="RelayState" type="hidden" value="aws&amp;tenant=1""#,
        );
        return Html(hop).into_response();
    }
    Html(final_page(st)).into_response()
}

async fn hop_post(
    State(state): State<FormsIdp>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let mut st = state.lock().unwrap();
    if st.session_cookie(&headers).is_none() {
        return state_lost(&mut st);
    }
    st.hop_posts += 1;
    let has = |k: &str, want: Option<&str>| {
        fields
            .iter()
            .any(|(n, v)| n == k && !v.is_empty() && want.is_none_or(|w| v == w))
    };
    if !has("SAMLResponse", None) || !has("RelayState", Some("aws&tenant=1")) {
        return (
            StatusCode::BAD_REQUEST,
            Html(page(
                "Proxy error",
                "<h2>Error</h2><p>No SAML response received.</p>",
            )),
        )
            .into_response();
    }
    Html(final_page(&st)).into_response()
}

async fn refresh_page(State(state): State<FormsIdp>) -> Html<String> {
    let target = entry_path(state.lock().unwrap().config.flavor);
    Html(format!(
        r#"<!DOCTYPE html><html><head><title>Redirecting</title>
<meta http-equiv="refresh" content="0; url={}"></head>
<body><p>Redirecting you to the login page...</p></body></html>"#,
        esc(target)
    ))
}

async fn no_form() -> Html<String> {
    Html(page(
        "Scheduled maintenance",
        "<h2>We'll be back soon</h2><p>The sign-in service is down for maintenance.</p>",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// A bare HTTP/1.1 GET without a cookie jar: (status, head, body).
    fn raw_get(server: &Server, path: &str, cookie: Option<&str>) -> (u16, String, String) {
        let mut s = std::net::TcpStream::connect(server.addr()).unwrap();
        let cookie = cookie
            .map(|c| format!("Cookie: {c}\r\n"))
            .unwrap_or_default();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{cookie}Connection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
        let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
        (status, head.to_string(), body.to_string())
    }

    fn header<'a>(head: &'a str, name: &str) -> &'a str {
        head.lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case(name).then(|| v.trim())
            })
            .unwrap()
    }

    /// The entry URL's answer: (status, login URL, session cookie).
    fn enter(server: &Server, flavor: Flavor) -> (u16, String, String) {
        let (status, head, _) = raw_get(server, entry_path(flavor), None);
        let location = header(&head, "location").to_string();
        let cookie = header(&head, "set-cookie")
            .split(';')
            .next()
            .unwrap()
            .to_string();
        (status, location, cookie)
    }

    #[test]
    fn every_flavor_needs_its_session_cookie() {
        for flavor in [
            Flavor::SimpleSamlPhp,
            Flavor::Keycloak,
            Flavor::TwoStep,
            Flavor::Obscure,
        ] {
            let (server, state) = start(FormsConfig::flavor(flavor));
            let (status, location, cookie) = enter(&server, flavor);
            assert_eq!(status, 302, "{flavor:?}");
            let (status, _, body) = raw_get(&server, &location, None);
            assert_eq!(status, 400, "{flavor:?} without cookie");
            assert!(!body.contains("type=\"password\""), "{flavor:?}");
            let (status, _, body) = raw_get(&server, &location, Some(&cookie));
            assert_eq!(status, 200, "{flavor:?} with cookie");
            assert!(
                body.contains("type=\"password\"") || body.contains("pf.username"),
                "{flavor:?}"
            );
            assert_eq!(state.lock().unwrap().cookieless, 1);
        }
    }

    #[test]
    fn simplesamlphp_authstate_is_escaped_in_html() {
        let (server, _state) = start(FormsConfig::default());
        let (_, location, cookie) = enter(&server, Flavor::SimpleSamlPhp);
        let (_, _, body) = raw_get(&server, &location, Some(&cookie));
        assert!(
            body.contains("&amp;cookieTime="),
            "AuthState must carry an escaped &"
        );
        assert!(body.contains(r#"action="?""#));
    }
}
