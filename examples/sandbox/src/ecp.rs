//! A fake SAML ECP identity provider shaped like Shibboleth IdP's
//! `/idp/profile/SAML2/SOAP/ECP` endpoint: it parses the SOAP-wrapped
//! `AuthnRequest`, checks HTTP Basic credentials (401 on a wrong password,
//! as Shibboleth does), honours the Duo integration's
//! `X-Shibboleth-Duo-Factor` / `X-Shibboleth-Duo-Passcode` headers, keeps a
//! `shib_idp_session` cookie, and answers with a SOAP envelope carrying the
//! `ecp:Response` header and the `saml2p:Response`.
//!
//! Shapes studied: awscli-login's Shibboleth test data
//! (`src/tests/data/success.xml`, `error.xml`) and SimpleSAMLphp 1.19's
//! PAOS binding output. The error shapes the real software can produce
//! (SOAP fault, HTML page, SAML status errors, answers for another request
//! or consumer) are switched on with [`Answer`]; the real IdP tests run
//! against SimpleSAMLphp itself.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use base64::Engine as _;

use crate::saml::{AssertionBuilder, PrefixStyle, Role};
use crate::web::{cookie, esc, random_hex, with_cookies};
use crate::Server;

/// Shibboleth's ECP endpoint path.
pub const ECP_PATH: &str = "/idp/profile/SAML2/SOAP/ECP";

const SOAP_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const SAMLP_NS: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
const SAML_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";

/// Shibboleth's Duo integration, as the fake enforces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duo {
    /// The passcode accepted with `X-Shibboleth-Duo-Factor: passcode`.
    pub passcode: String,
    /// Whether a push / phone call / `auto` gets approved.
    pub approve: bool,
}

/// What the endpoint answers once the credentials are right (the error
/// shapes a client must handle).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A successful, addressed Response.
    Success,
    /// A SOAP 1.1 fault (HTTP 500) with this `faultstring`.
    SoapFault(String),
    /// An HTML page (the endpoint is a browser login page).
    Html,
    /// Keycloak's HTML error page with this text in `.kc-feedback-text`
    /// (how Keycloak answered failed ECP logins before its SOAP-fault fix;
    /// the texts are its messages_en.properties, e.g. accountDisabledMessage).
    KeycloakError(String),
    /// A SAML status error: top-level code, optional second-level code,
    /// optional message (full URNs are built from the short names).
    Status {
        top: String,
        second: Option<String>,
        message: Option<String>,
    },
    /// A Response whose `InResponseTo` names another request.
    WrongInResponseTo,
    /// A Response addressed to another consumer.
    WrongDestination,
}

/// How the fake behaves.
#[derive(Debug, Clone)]
pub struct EcpConfig {
    pub username: String,
    pub password: String,
    pub roles: Vec<Role>,
    pub duo: Option<Duo>,
    pub answer: Answer,
    /// Honour the `shib_idp_session` cookie without credentials.
    pub sso: bool,
}

impl Default for EcpConfig {
    fn default() -> Self {
        EcpConfig {
            username: "jdoe".into(),
            password: "hunter2".into(),
            roles: vec![Role::new("123456789012", "ECP-Dev", "Shibboleth")],
            duo: None,
            answer: Answer::Success,
            sso: true,
        }
    }
}

/// One request as the fake saw it.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    pub content_type: Option<String>,
    pub accept: Option<String>,
    pub paos: Option<String>,
    /// Whether an `Authorization: Basic` header came.
    pub basic: bool,
    pub duo_factor: Option<String>,
    pub duo_passcode: Option<String>,
    /// From the AuthnRequest.
    pub request_id: Option<String>,
    pub issuer: Option<String>,
    pub acs_url: Option<String>,
    pub protocol_binding: Option<String>,
    pub issue_instant: Option<String>,
}

/// What the fake has seen.
#[derive(Debug, Default)]
pub struct EcpState {
    pub config: EcpConfig,
    pub requests: Vec<Seen>,
    /// Requests with a wrong username or password.
    pub wrong_passwords: usize,
    /// Responses issued from the session cookie alone.
    pub sso_logins: usize,
    pub assertions_issued: usize,
    sessions: HashMap<String, String>,
}

pub type Ecp = Arc<Mutex<EcpState>>;

/// The URL to configure with `-e` for a server running this fake.
pub fn endpoint_url(server: &Server) -> String {
    server.url(ECP_PATH)
}

/// The router and its state.
pub fn router(config: EcpConfig) -> (Router, Ecp) {
    let state: Ecp = Arc::new(Mutex::new(EcpState {
        config,
        ..Default::default()
    }));
    let r = Router::new()
        .route(ECP_PATH, post(ecp))
        .with_state(state.clone());
    (r, state)
}

/// Run the fake over plain HTTP on loopback.
pub fn start(config: EcpConfig) -> (Server, Ecp) {
    let (r, s) = router(config);
    (Server::http(r), s)
}

fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let v = header_str(headers, "authorization")?;
    let token = v.strip_prefix("Basic ")?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()?;
    let s = String::from_utf8(raw).ok()?;
    let (u, p) = s.split_once(':')?;
    Some((u.to_string(), p.to_string()))
}

fn xml(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/xml;charset=UTF-8")],
        body,
    )
        .into_response()
}

fn soap_fault(text: &str) -> Response {
    xml(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><soap11:Envelope xmlns:soap11="{SOAP_NS}"><soap11:Body><soap11:Fault><faultcode>soap11:Client</faultcode><faultstring>{}</faultstring></soap11:Fault></soap11:Body></soap11:Envelope>"#,
            esc(text)
        ),
    )
}

/// Shibboleth's envelope around a `saml2p:Response` (which declares its
/// own namespace, as OpenSAML writes it).
fn envelope(acs: &str, response: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soap11:Envelope xmlns:soap11="{SOAP_NS}"><soap11:Header><ecp:Response xmlns:ecp="urn:oasis:names:tc:SAML:2.0:profiles:SSO:ecp" AssertionConsumerServiceURL="{}" soap11:actor="http://schemas.xmlsoap.org/soap/actor/next" soap11:mustUnderstand="1"/></soap11:Header><soap11:Body>{response}</soap11:Body></soap11:Envelope>"#,
        esc(acs)
    )
}

fn status_response(
    acs: &str,
    in_response_to: &str,
    top: &str,
    second: Option<&str>,
    msg: Option<&str>,
) -> String {
    let urn = |c: &str| format!("urn:oasis:names:tc:SAML:2.0:status:{c}");
    let inner = second
        .map(|s| format!(r#"<saml2p:StatusCode Value="{}"/>"#, urn(s)))
        .unwrap_or_default();
    let message = msg
        .map(|m| format!("<saml2p:StatusMessage>{}</saml2p:StatusMessage>", esc(m)))
        .unwrap_or_default();
    envelope(
        acs,
        &format!(
            r#"<saml2p:Response xmlns:saml2p="{SAMLP_NS}" Destination="{}" ID="_{}" InResponseTo="{}" IssueInstant="2026-01-01T00:00:00.000Z" Version="2.0"><saml2:Issuer xmlns:saml2="{SAML_NS}">https://idp.example.edu/idp/shibboleth</saml2:Issuer><saml2p:Status><saml2p:StatusCode Value="{}">{inner}</saml2p:StatusCode>{message}</saml2p:Status></saml2p:Response>"#,
            esc(acs),
            random_hex(32),
            esc(in_response_to),
            urn(top),
        ),
    )
}

fn success(config: &EcpConfig, acs: &str, in_response_to: &str, subject: &str) -> String {
    let built = AssertionBuilder {
        roles: config.roles.clone(),
        session_name: Some(subject.to_string()),
        subject: subject.to_string(),
        ..Default::default()
    }
    .prefix(PrefixStyle::Saml2)
    .destination(acs)
    .xml();
    let body = built
        .split_once("?>")
        .map(|(_, rest)| rest.to_string())
        .unwrap_or(built);
    let body = body.replacen(
        "<saml2p:Response ",
        &format!(
            r#"<saml2p:Response InResponseTo="{}" "#,
            esc(in_response_to)
        ),
        1,
    );
    envelope(acs, &body)
}

/// The AuthnRequest fields the fake looks at.
fn parse_request(body: &str, seen: &mut Seen) -> Result<(), String> {
    let doc = roxmltree::Document::parse(body).map_err(|e| format!("not XML: {e}"))?;
    let root = doc.root_element();
    if !root.has_tag_name((SOAP_NS, "Envelope")) {
        return Err("not a SOAP 1.1 envelope".into());
    }
    let req = root
        .children()
        .find(|n| n.has_tag_name((SOAP_NS, "Body")))
        .and_then(|b| {
            b.children()
                .find(|n| n.has_tag_name((SAMLP_NS, "AuthnRequest")))
        })
        .ok_or("no AuthnRequest in the SOAP body")?;
    seen.request_id = req.attribute("ID").map(str::to_owned);
    seen.acs_url = req
        .attribute("AssertionConsumerServiceURL")
        .map(str::to_owned);
    seen.protocol_binding = req.attribute("ProtocolBinding").map(str::to_owned);
    seen.issue_instant = req.attribute("IssueInstant").map(str::to_owned);
    seen.issuer = req
        .children()
        .find(|n| n.has_tag_name((SAML_NS, "Issuer")))
        .and_then(|n| n.text())
        .map(str::to_owned);
    if seen.request_id.is_none() || seen.issuer.is_none() {
        return Err("AuthnRequest without ID or Issuer".into());
    }
    Ok(())
}

async fn ecp(State(state): State<Ecp>, headers: HeaderMap, body: String) -> Response {
    let mut st = state.lock().unwrap();
    let mut seen = Seen {
        content_type: header_str(&headers, "content-type"),
        accept: header_str(&headers, "accept"),
        paos: header_str(&headers, "paos"),
        basic: basic(&headers).is_some(),
        duo_factor: header_str(&headers, "x-shibboleth-duo-factor"),
        duo_passcode: header_str(&headers, "x-shibboleth-duo-passcode"),
        ..Default::default()
    };
    let parsed = parse_request(&body, &mut seen);
    st.requests.push(seen.clone());
    if let Err(e) = parsed {
        return soap_fault(&format!("Message decoding failed: {e}"));
    }
    let id = seen.request_id.clone().unwrap_or_default();
    let acs = seen.acs_url.clone().unwrap_or_default();
    let config = st.config.clone();

    let from_session =
        cookie(&headers, "shib_idp_session").and_then(|c| st.sessions.get(&c).cloned());
    let user = match (basic(&headers), from_session) {
        (Some((u, p)), _) => {
            if !u.eq_ignore_ascii_case(&config.username) || p != config.password {
                st.wrong_passwords += 1;
                return (
                    StatusCode::UNAUTHORIZED,
                    [(header::WWW_AUTHENTICATE, r#"Basic realm="Shibboleth IdP""#)],
                    "",
                )
                    .into_response();
            }
            if let Some(duo) = &config.duo {
                let ok = match seen.duo_factor.as_deref().unwrap_or("auto") {
                    "passcode" => seen.duo_passcode.as_deref() == Some(duo.passcode.as_str()),
                    "auto" | "push" | "phone" => duo.approve,
                    _ => false,
                };
                if !ok {
                    return xml(
                        StatusCode::OK,
                        status_response(
                            &acs,
                            &id,
                            "Responder",
                            Some("AuthnFailed"),
                            Some("Duo authentication failed"),
                        ),
                    );
                }
            }
            u
        }
        (None, Some(u)) if config.sso => {
            st.sso_logins += 1;
            u
        }
        (None, _) => {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, r#"Basic realm="Shibboleth IdP""#)],
                "",
            )
                .into_response()
        }
    };

    let resp = match &config.answer {
        Answer::Success => {
            st.assertions_issued += 1;
            let sid = random_hex(32);
            st.sessions.insert(sid.clone(), user.clone());
            return with_cookies(
                xml(StatusCode::OK, success(&config, &acs, &id, &user)),
                [format!("shib_idp_session={sid}; Path=/idp; HttpOnly")],
            );
        }
        Answer::SoapFault(text) => return soap_fault(text),
        Answer::Html => {
            return (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "text/html;charset=utf-8")],
                "<!DOCTYPE html><html><head><title>Web Login Service</title></head><body><form method=\"post\"><input name=\"j_username\"><input type=\"password\" name=\"j_password\"></form></body></html>",
            )
                .into_response()
        }
        Answer::KeycloakError(text) => {
            return (
                StatusCode::BAD_REQUEST,
                [(header::CONTENT_TYPE, "text/html;charset=utf-8")],
                format!(
                    "<!DOCTYPE html><html class=\"login-pf\"><head><title>Sign in to demo</title></head><body><div id=\"kc-content\"><div class=\"alert-error pf-c-alert pf-m-inline pf-m-danger\"><span class=\"pf-c-alert__title kc-feedback-text\">{}</span></div></div></body></html>",
                    esc(text)
                ),
            )
                .into_response()
        }
        Answer::Status {
            top,
            second,
            message,
        } => status_response(&acs, &id, top, second.as_deref(), message.as_deref()),
        Answer::WrongInResponseTo => success(&config, &acs, "_someone-elses-request", &user),
        Answer::WrongDestination => {
            success(&config, "https://sp.attacker.example/saml", &id, &user)
                .replacen(
                    "AssertionConsumerServiceURL=\"https://sp.attacker.example/saml\"",
                    &format!("AssertionConsumerServiceURL=\"{}\"", esc(&acs)),
                    1,
                )
        }
    };
    xml(StatusCode::OK, resp)
}
