//! A fake AWS STS that speaks the Query protocol the SDKs use:
//! `AssumeRoleWithSAML` (checking the assertion like STS does: the role
//! pair must be offered, the assertion must not be expired, the duration
//! must fit) and `GetCallerIdentity` for the keys it issued.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Router};
use base64::Engine as _;
use rand::Rng;
use time::{Duration, OffsetDateTime};

use crate::web::{random_chars, random_hex};

/// An error the next call should return: HTTP status, STS code, message.
#[derive(Debug, Clone)]
pub struct InjectedError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

/// A credential the fake issued.
#[derive(Debug, Clone)]
pub struct Issued {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    pub expiration: OffsetDateTime,
    pub role_arn: String,
    pub session_name: String,
    pub duration: u64,
}

/// What the fake has seen and what it should do next.
#[derive(Debug, Default)]
pub struct StsState {
    /// Number of `AssumeRoleWithSAML` calls received.
    pub assume_calls: usize,
    /// Errors to return, in order, before answering normally again.
    pub fail_next: VecDeque<InjectedError>,
    /// Delay every answer by this much.
    pub delay: Option<StdDuration>,
    /// Override the lifetime of issued credentials (seconds).
    pub lifetime_override: Option<i64>,
    /// Every credential issued, newest last.
    pub issued: Vec<Issued>,
    /// The `DurationSeconds` of every call (None when absent).
    pub durations: Vec<Option<u64>>,
    /// The `SAMLAssertion` (base64) of every call, newest last.
    pub assertions: Vec<String>,
}

pub type Sts = Arc<Mutex<StsState>>;

/// The router (mount at `/`) and its state.
pub fn router() -> (Router, Sts) {
    let state: Sts = Arc::default();
    let r = Router::new()
        .route("/", post(handle))
        .with_state(state.clone());
    (r, state)
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn error(status: u16, code: &str, message: &str) -> Response {
    let kind = if status >= 500 { "Receiver" } else { "Sender" };
    let body = format!(
        r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>{kind}</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>"#,
        xml_escape(code),
        xml_escape(message),
        request_id()
    );
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        [("content-type", "text/xml")],
        body,
    )
        .into_response()
}

/// A request id as AWS writes it (UUID-shaped lowercase hex).
fn request_id() -> String {
    let [a, b, c, d, e] = [8, 4, 4, 4, 12].map(random_hex);
    format!("{a}-{b}-{c}-{d}-{e}")
}

/// Key id characters: upper-case letters and the digits 2-7.
fn random_upper(n: usize) -> String {
    random_chars(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", n)
}

fn random_b64(n: usize) -> String {
    let mut rng = rand::rng();
    let bytes: Vec<u8> = (0..n).map(|_| rng.random()).collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// What STS reads from an assertion.
#[derive(Debug, Default)]
pub struct ParsedAssertion {
    pub roles: Vec<(String, String)>,
    pub session_name: Option<String>,
    pub session_duration: Option<u64>,
    pub not_on_or_after: Option<OffsetDateTime>,
}

/// Parse an assertion the way the fake STS needs it.
pub fn parse_assertion(b64: &str) -> Result<ParsedAssertion, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|_| "Invalid SAML assertion: not base64".to_string())?;
    let text =
        String::from_utf8(bytes).map_err(|_| "Invalid SAML assertion: not UTF-8".to_string())?;
    let doc =
        roxmltree::Document::parse(&text).map_err(|e| format!("Invalid SAML assertion: {e}"))?;
    const NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
    let mut out = ParsedAssertion::default();
    for node in doc.descendants() {
        if node.tag_name().namespace() == Some(NS) && node.tag_name().name() == "Conditions" {
            if let Some(v) = node.attribute("NotOnOrAfter") {
                out.not_on_or_after =
                    OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339).ok();
            }
        }
        if node.tag_name().namespace() != Some(NS) || node.tag_name().name() != "Attribute" {
            continue;
        }
        let values: Vec<String> = node
            .children()
            .filter(|c| c.tag_name().name() == "AttributeValue")
            .map(|c| c.text().unwrap_or("").trim().to_string())
            .collect();
        match node.attribute("Name") {
            Some("https://aws.amazon.com/SAML/Attributes/Role") => {
                for v in values {
                    let parts: Vec<&str> = v.split(',').map(str::trim).collect();
                    if parts.len() != 2 {
                        continue;
                    }
                    let (role, principal) = if parts[0].contains(":saml-provider/") {
                        (parts[1], parts[0])
                    } else {
                        (parts[0], parts[1])
                    };
                    out.roles.push((role.to_string(), principal.to_string()));
                }
            }
            Some("https://aws.amazon.com/SAML/Attributes/RoleSessionName") => {
                out.session_name = values.into_iter().next();
            }
            Some("https://aws.amazon.com/SAML/Attributes/SessionDuration") => {
                out.session_duration = values.first().and_then(|v| v.parse().ok());
            }
            _ => {}
        }
    }
    Ok(out)
}

fn access_key_from_auth(headers: &HeaderMap) -> Option<String> {
    let auth = headers.get("authorization")?.to_str().ok()?;
    let cred = auth.split("Credential=").nth(1)?;
    Some(cred.split('/').next()?.to_string())
}

async fn handle(
    State(state): State<Sts>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let delay = state.lock().unwrap().delay;
    if let Some(d) = delay {
        tokio::time::sleep(d).await;
    }
    match form.get("Action").map(String::as_str) {
        Some("AssumeRoleWithSAML") => assume(&state, &form),
        Some("GetCallerIdentity") => caller_identity(&state, &headers),
        Some(other) => error(
            400,
            "InvalidAction",
            &format!("Could not find operation {other}"),
        ),
        None => error(400, "MissingAction", "Missing Action"),
    }
}

fn assume(state: &Sts, form: &HashMap<String, String>) -> Response {
    let mut st = state.lock().unwrap();
    st.assume_calls += 1;
    let duration: Option<u64> = form.get("DurationSeconds").and_then(|d| d.parse().ok());
    st.durations.push(duration);
    if let Some(a) = form.get("SAMLAssertion") {
        st.assertions.push(a.clone());
    }
    if let Some(e) = st.fail_next.pop_front() {
        return error(e.status, &e.code, &e.message);
    }
    let (Some(role_arn), Some(principal_arn), Some(assertion)) = (
        form.get("RoleArn"),
        form.get("PrincipalArn"),
        form.get("SAMLAssertion"),
    ) else {
        return error(
            400,
            "MissingParameter",
            "RoleArn, PrincipalArn and SAMLAssertion are required",
        );
    };
    let parsed = match parse_assertion(assertion) {
        Ok(p) => p,
        Err(m) => return error(400, "InvalidIdentityToken", &m),
    };
    let now = OffsetDateTime::now_utc();
    if let Some(t) = parsed.not_on_or_after {
        if t < now {
            return error(
                400,
                "ExpiredTokenException",
                "Token must be redeemed within 5 minutes of issuance",
            );
        }
    }
    if !parsed
        .roles
        .iter()
        .any(|(r, p)| r == role_arn && p == principal_arn)
    {
        return error(
            403,
            "AccessDenied",
            &format!("Not authorized to perform sts:AssumeRoleWithSAML on {role_arn}"),
        );
    }
    if let Some(d) = duration {
        if !(900..=43200).contains(&d) {
            return error(400, "ValidationError", "1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200");
        }
        if let Some(max) = parsed.session_duration {
            if d > max {
                return error(400, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining or the SessionDuration of the SAML assertion.");
            }
        }
    }
    let lifetime = st
        .lifetime_override
        .unwrap_or_else(|| duration.or(parsed.session_duration).unwrap_or(3600) as i64);
    let session_name = parsed
        .session_name
        .clone()
        .unwrap_or_else(|| "sandbox".into());
    let issued = Issued {
        access_key_id: format!("ASIA{}", random_upper(16)),
        secret_access_key: random_b64(30),
        session_token: format!("FwoGZXIvYXdzE{}", random_b64(96)),
        expiration: (now + Duration::seconds(lifetime))
            .replace_nanosecond(0)
            .unwrap(),
        role_arn: role_arn.clone(),
        session_name: session_name.clone(),
        duration: lifetime as u64,
    };
    st.issued.push(issued.clone());
    let account = role_arn.split(':').nth(4).unwrap_or("123456789012");
    let role_name = role_arn.rsplit('/').next().unwrap_or("role");
    let body = format!(
        r#"<AssumeRoleWithSAMLResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithSAMLResult>
    <Audience>https://signin.aws.amazon.com/saml</Audience>
    <AssumedRoleUser>
      <AssumedRoleId>AROA{}:{}</AssumedRoleId>
      <Arn>arn:aws:sts::{account}:assumed-role/{role_name}/{}</Arn>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>{}</AccessKeyId>
      <SecretAccessKey>{}</SecretAccessKey>
      <SessionToken>{}</SessionToken>
      <Expiration>{}</Expiration>
    </Credentials>
    <Issuer>http://sandbox.idp/</Issuer>
    <NameQualifier>sandbox</NameQualifier>
    <PackedPolicySize>6</PackedPolicySize>
    <Subject>{}</Subject>
    <SubjectType>persistent</SubjectType>
  </AssumeRoleWithSAMLResult>
  <ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata>
</AssumeRoleWithSAMLResponse>"#,
        random_upper(17),
        xml_escape(&session_name),
        xml_escape(&session_name),
        issued.access_key_id,
        issued.secret_access_key,
        issued.session_token,
        issued
            .expiration
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap(),
        xml_escape(&session_name),
        request_id()
    );
    ([("content-type", "text/xml")], body).into_response()
}

fn caller_identity(state: &Sts, headers: &HeaderMap) -> Response {
    let st = state.lock().unwrap();
    let key = access_key_from_auth(headers);
    let Some(issued) = key
        .as_deref()
        .and_then(|k| st.issued.iter().find(|i| i.access_key_id == k))
    else {
        return error(
            403,
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        );
    };
    let account = issued.role_arn.split(':').nth(4).unwrap_or("123456789012");
    let role_name = issued.role_arn.rsplit('/').next().unwrap_or("role");
    let body = format!(
        r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:sts::{account}:assumed-role/{role_name}/{}</Arn>
    <UserId>AROA{}:{}</UserId>
    <Account>{account}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>"#,
        xml_escape(&issued.session_name),
        random_upper(17),
        xml_escape(&issued.session_name),
        request_id()
    );
    ([("content-type", "text/xml")], body).into_response()
}

/// Queue an error for the next `AssumeRoleWithSAML` call.
pub fn fail_next(state: &Sts, status: u16, code: &str, message: &str) {
    state.lock().unwrap().fail_next.push_back(InjectedError {
        status,
        code: code.into(),
        message: message.into(),
    });
}
