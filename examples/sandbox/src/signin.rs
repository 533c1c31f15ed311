//! A fake of the AWS sign-in host: the federation endpoint behind the
//! console sign-in (`GET /federation?Action=getSigninToken&Session=...`,
//! then `Action=login`) and the SAML role page (`POST /saml`) that shows
//! account names.
//!
//! Shapes studied (our own markup, not copies): the AWS documentation of
//! the federation endpoint ("Enable custom identity broker access to the
//! AWS console": `{"SigninToken":"..."}`), and for the role page the
//! long-standing markup that saml2aws, aws-adfs and gimme-aws-creds parse
//! (`div.saml-account-name` "Account: alias (id)", `label[for=ARN]`) and
//! the page AWS rolled out in 2023 as posted in saml2aws issue #1110
//! (CSS-module classes `saml-form_account_name_div__*`,
//! `saml-form_account_id_div__*` with `1234-5678-9012`, role links whose
//! `id` is the role ARN).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

use crate::web::{esc, random_chars};

/// How the role page answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PageFormat {
    /// `div.saml-account-name` "Account: alias (123456789012)".
    #[default]
    Classic,
    /// The 2023 page with CSS-module class names.
    Current,
    /// HTTP 503, as during an outage.
    Down,
}

/// What the fake knows and what it saw.
#[derive(Debug, Default)]
pub struct SigninState {
    pub format: PageFormat,
    /// Account id -> alias (accounts without one show the id only).
    pub aliases: BTreeMap<String, String>,
    pub saml_posts: usize,
    pub token_requests: usize,
    /// The last `Session` document received.
    pub last_session: Option<serde_json::Value>,
    /// Tokens handed out (an `Action=login` with another is refused).
    pub tokens: Vec<String>,
}

pub type Signin = Arc<Mutex<SigninState>>;

/// The router (mount at `/`) and its state.
pub fn router() -> (Router, Signin) {
    let state: Signin = Arc::default();
    let r = Router::new()
        .route("/federation", get(federation))
        .route("/saml", post(saml_page))
        .with_state(state.clone());
    (r, state)
}

/// A `SigninToken`: long and in the URL-safe base64 alphabet.
fn token() -> String {
    random_chars(
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
        160,
    )
}

async fn federation(
    State(st): State<Signin>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    match q.get("Action").map(String::as_str) {
        Some("getSigninToken") => {
            let session = q
                .get("Session")
                .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok());
            let ok = session.as_ref().is_some_and(|s| {
                ["sessionId", "sessionKey", "sessionToken"]
                    .iter()
                    .all(|k| s[*k].as_str().is_some_and(|v| !v.is_empty()))
            });
            if !ok {
                return (StatusCode::BAD_REQUEST, "Invalid session").into_response();
            }
            let t = token();
            let mut s = st.lock().unwrap();
            s.token_requests += 1;
            s.last_session = session;
            s.tokens.push(t.clone());
            (
                [("content-type", "application/json")],
                serde_json::json!({ "SigninToken": t }).to_string(),
            )
                .into_response()
        }
        Some("login") => {
            let known = q
                .get("SigninToken")
                .is_some_and(|t| st.lock().unwrap().tokens.contains(t));
            match (known, q.get("Destination")) {
                (true, Some(d)) => {
                    (StatusCode::FOUND, [("location", d.as_str())], "").into_response()
                }
                _ => (StatusCode::BAD_REQUEST, "Invalid sign-in token").into_response(),
            }
        }
        _ => (StatusCode::BAD_REQUEST, "Unknown Action").into_response(),
    }
}

async fn saml_page(
    State(st): State<Signin>,
    Form(form): Form<BTreeMap<String, String>>,
) -> Response {
    let (format, aliases) = {
        let mut s = st.lock().unwrap();
        s.saml_posts += 1;
        (s.format, s.aliases.clone())
    };
    if format == PageFormat::Down {
        return (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response();
    }
    let Some(parsed) = form
        .get("SAMLResponse")
        .and_then(|a| crate::sts::parse_assertion(a).ok())
    else {
        return (StatusCode::BAD_REQUEST, "Invalid SAML response").into_response();
    };
    // Roles grouped by account, in assertion order.
    let mut accounts: Vec<(String, Vec<String>)> = Vec::new();
    for (role, _) in &parsed.roles {
        let id = role.split(':').nth(4).unwrap_or("").to_string();
        match accounts.iter_mut().find(|(a, _)| *a == id) {
            Some((_, rs)) => rs.push(role.clone()),
            None => accounts.push((id, vec![role.clone()])),
        }
    }
    let body = match format {
        PageFormat::Classic => classic(&accounts, &aliases),
        _ => current(&accounts, &aliases),
    };
    ([("content-type", "text/html;charset=UTF-8")], body).into_response()
}

fn role_name(arn: &str) -> &str {
    arn.split_once(":role/").map(|(_, n)| n).unwrap_or(arn)
}

/// The long-standing page.
pub fn classic(accounts: &[(String, Vec<String>)], aliases: &BTreeMap<String, String>) -> String {
    let mut s = String::from("<!DOCTYPE html><html><head><title>Amazon Web Services Sign-In</title></head><body>\n<form id=\"saml_form\" name=\"saml_form\" action=\"/saml\" method=\"post\">\n<fieldset>\n");
    for (i, (id, roles)) in accounts.iter().enumerate() {
        let label = match aliases.get(id) {
            Some(a) => format!("Account: {} ({id})", esc(a)),
            None => format!("Account: {id}"),
        };
        s.push_str(&format!("<div class=\"saml-account\"> <div onClick=\"expandCollapse({i});\">\n<img id=\"image{i}\" src=\"/static/image/down.png\" valign=\"middle\"></img>\n<div class=\"saml-account-name\">{label}</div>\n</div>\n<hr style=\"border: 1px solid #ddd;\">\n<div id=\"{i}\" class=\"saml-account\" >\n"));
        for r in roles {
            let r = esc(r);
            s.push_str(&format!("<div class=\"saml-role\" onClick=\"checkRadio(this);\">\n<input type=\"radio\" name=\"roleIndex\" value=\"{r}\" class=\"saml-radio\" id=\"{r}\" />\n<label for=\"{r}\" class=\"saml-role-description\">{}</label>\n<span style=\"clear: both;\"></span>\n</div>\n", esc(role_name(&r))));
        }
        s.push_str("</div></div>\n");
    }
    s.push_str("</fieldset>\n<input type=\"hidden\" name=\"SAMLResponse\" value=\"\" />\n</form></body></html>\n");
    s
}

fn dashed(id: &str) -> String {
    if id.len() == 12 {
        format!("{}-{}-{}", &id[..4], &id[4..8], &id[8..])
    } else {
        id.to_string()
    }
}

/// The 2023 page (a React app; class names carry build hashes).
pub fn current(accounts: &[(String, Vec<String>)], aliases: &BTreeMap<String, String>) -> String {
    let mut s = String::from("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"/><title>Sign in as role</title></head><body><div id=\"root\"><main><h1>Select a role</h1><ul class=\"saml-form_custom_list__LuP_V\">\n");
    for (id, roles) in accounts {
        let name = aliases
            .get(id)
            .map(|a| esc(a))
            .unwrap_or_else(|| dashed(id));
        s.push_str(&format!("<li class=\"saml-form_custom_list_item__H1wPE\"><div class=\"flex flex-row\"><div class=\"flex-grow\">\n<div class=\"saml-form_account_name_div__dDGkX\">{name} </div>\n<div class=\"saml-form_account_id_div__Q1PBA\">{}</div>\n<div class=\"saml-form_account_role_div__FhQmy\">\n", dashed(id)));
        for r in roles {
            let r = esc(r);
            s.push_str(&format!("<div class=\"saml-form_role_div__BeMu2\"><a class=\"saml-form_role_text__Cfxwn\" id=\"{r}\" data-testid=\"roleLink-{r}\" role=\"button\" aria-label=\"Account ID {} Role Name {n}\" tabindex=\"0\">{n}</a><p class=\"saml-form_space__uJWq3\"></p></div>\n", dashed(id), n = esc(role_name(&r))));
        }
        s.push_str("</div></div></div></li>\n");
    }
    s.push_str("</ul></main></div></body></html>\n");
    s
}
