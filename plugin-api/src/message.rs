//! Protocol 2: every host service is one typed JSON message through one
//! call.
//!
//! A plugin sends a [`ServiceRequest`] (a JSON object whose `"service"` key
//! names the service) and gets back a [`Reply`] (`{"ok": VALUE}` or
//! `{"error": {...}}`). The same objects travel through the in-process
//! host-call function of a library plugin and, wrapped in a
//! `{"type":"call"}` line, over the stdin/stdout of a process plugin (see
//! `PROTOCOL.md`). Adding a service is adding a variant here and a row in
//! [`SERVICES`]: the binary interface does not change, and a plugin can
//! ask for [`Capabilities`] before using something new.
//!
//! Forward compatibility: unknown keys are ignored on both sides, an
//! unknown `"service"` reads as [`ServiceRequest::Unknown`] (answered with a
//! `not-supported` error), and every optional key has a default.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::wire::{ErrorKind, HttpRequest, HttpResponse, LogLevel, PluginError};

/// The services a protocol-2 host offers, with the message version of each.
/// A message may carry `"version": N`; a host refuses versions newer than
/// the one listed here.
pub const SERVICES: &[(&str, u32)] = &[
    ("capabilities", 1),
    ("http", 1),
    ("password", 1),
    ("prompt", 1),
    ("choose", 1),
    ("mfa_code", 1),
    ("notify", 1),
    ("log", 1),
    ("add_secret", 1),
    ("sleep", 1),
    ("session_get", 1),
    ("session_put", 1),
    ("session_delete", 1),
    ("cookies_export", 1),
    ("cookies_import", 1),
];

/// The services a protocol-1 host offers (all of version 1): everything but
/// `capabilities`, which a plugin answers itself from this list.
pub(crate) fn v1_services() -> BTreeMap<String, u32> {
    SERVICES
        .iter()
        .filter(|(n, _)| *n != "capabilities")
        .map(|(n, v)| (n.to_string(), *v))
        .collect()
}

/// One request from a plugin to the host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "service", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ServiceRequest {
    /// Which protocol versions and services (with message versions) the
    /// host offers. Answer: [`Capabilities`].
    Capabilities,
    /// One HTTP exchange through the host's client. Answer: [`WireHttpResponse`].
    Http { request: WireHttpRequest },
    /// The user's IdP password. Answer: a string.
    Password { prompt: String },
    /// A line typed on the terminal (`secret`: without echo). Answer: a string.
    Prompt {
        message: String,
        #[serde(default)]
        secret: bool,
    },
    /// A numbered menu. Answer: the chosen index (a number).
    Choose { title: String, choices: Vec<String> },
    /// A one-time code. Answer: a string.
    MfaCode { prompt: String },
    /// A notice on the terminal (an MFA number to tap). Answer: `null`.
    Notify { message: String },
    /// A log line on stderr, redacted. Answer: `null`.
    Log {
        #[serde(default)]
        level: WireLogLevel,
        message: String,
    },
    /// Redact this value from every log line and error. Answer: `null`.
    AddSecret { value: String },
    /// Sleep; an error of kind `cancelled` if the user interrupted.
    /// Answer: `null`.
    Sleep { millis: u64 },
    /// A stored IdP session value. Answer: a string or `null`.
    SessionGet { name: String },
    /// Store a value until a Unix time. Answer: `null`.
    SessionPut {
        name: String,
        value: String,
        expires_unix: i64,
    },
    /// Forget a stored value. Answer: `null`.
    SessionDelete { name: String },
    /// The cookies of this login's HTTP client (opaque). Answer: a string.
    CookiesExport,
    /// Load cookies from `cookies_export`. Answer: `null`.
    CookiesImport { data: String },
    /// A service this build does not know (from a newer plugin).
    #[serde(other)]
    Unknown,
}

impl ServiceRequest {
    /// The `"service"` name on the wire.
    pub fn service(&self) -> &'static str {
        match self {
            ServiceRequest::Capabilities => "capabilities",
            ServiceRequest::Http { .. } => "http",
            ServiceRequest::Password { .. } => "password",
            ServiceRequest::Prompt { .. } => "prompt",
            ServiceRequest::Choose { .. } => "choose",
            ServiceRequest::MfaCode { .. } => "mfa_code",
            ServiceRequest::Notify { .. } => "notify",
            ServiceRequest::Log { .. } => "log",
            ServiceRequest::AddSecret { .. } => "add_secret",
            ServiceRequest::Sleep { .. } => "sleep",
            ServiceRequest::SessionGet { .. } => "session_get",
            ServiceRequest::SessionPut { .. } => "session_put",
            ServiceRequest::SessionDelete { .. } => "session_delete",
            ServiceRequest::CookiesExport => "cookies_export",
            ServiceRequest::CookiesImport { .. } => "cookies_import",
            ServiceRequest::Unknown => "unknown",
        }
    }
}

/// The host's answer to one [`ServiceRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reply {
    Ok(Value),
    Error(PluginError),
}

impl Reply {
    pub fn into_result(self) -> Result<Value, PluginError> {
        match self {
            Reply::Ok(v) => Ok(v),
            Reply::Error(e) => Err(e),
        }
    }
}

/// What `capabilities` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub struct Capabilities {
    /// Plugin protocol versions the host speaks.
    #[serde(default)]
    pub protocols: Vec<u32>,
    /// Service name -> newest message version the host understands.
    #[serde(default)]
    pub services: BTreeMap<String, u32>,
}

impl Capabilities {
    /// The message version of `service`, if the host offers it.
    pub fn version(&self, service: &str) -> Option<u32> {
        self.services.get(service).copied()
    }
}

/// A log level on the wire; unknown names read as `Unknown` (shown as info).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WireLogLevel {
    Error,
    Warn,
    #[default]
    Info,
    Debug,
    Trace,
    #[serde(other)]
    Unknown,
}

impl From<LogLevel> for WireLogLevel {
    fn from(l: LogLevel) -> Self {
        match l {
            LogLevel::Error => WireLogLevel::Error,
            LogLevel::Warn => WireLogLevel::Warn,
            LogLevel::Info => WireLogLevel::Info,
            LogLevel::Debug => WireLogLevel::Debug,
            LogLevel::Trace => WireLogLevel::Trace,
        }
    }
}

impl From<WireLogLevel> for LogLevel {
    fn from(l: WireLogLevel) -> Self {
        match l {
            WireLogLevel::Error => LogLevel::Error,
            WireLogLevel::Warn => LogLevel::Warn,
            WireLogLevel::Info | WireLogLevel::Unknown => LogLevel::Info,
            WireLogLevel::Debug => LogLevel::Debug,
            WireLogLevel::Trace => LogLevel::Trace,
        }
    }
}

/// [`HttpRequest`] on the wire: the body is base64 (`body_base64`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WireHttpRequest {
    pub method: String,
    pub url: String,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body_base64: String,
    #[serde(default = "yes")]
    pub follow_redirects: bool,
}

fn yes() -> bool {
    true
}

/// [`HttpResponse`] on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WireHttpResponse {
    pub status: u16,
    pub url: String,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body_base64: String,
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

impl From<HttpRequest> for WireHttpRequest {
    fn from(r: HttpRequest) -> Self {
        WireHttpRequest {
            method: r.method,
            url: r.url,
            headers: r.headers,
            body_base64: b64().encode(&r.body),
            follow_redirects: r.follow_redirects,
        }
    }
}

impl TryFrom<WireHttpRequest> for HttpRequest {
    type Error = PluginError;
    fn try_from(r: WireHttpRequest) -> Result<Self, PluginError> {
        let body = b64()
            .decode(r.body_base64.as_bytes())
            .map_err(|e| PluginError::protocol(format!("http request body_base64: {e}")))?;
        Ok(HttpRequest {
            method: r.method,
            url: r.url,
            headers: r.headers,
            body,
            follow_redirects: r.follow_redirects,
        })
    }
}

impl From<HttpResponse> for WireHttpResponse {
    fn from(r: HttpResponse) -> Self {
        WireHttpResponse {
            status: r.status,
            url: r.url,
            headers: r.headers,
            body_base64: b64().encode(&r.body),
        }
    }
}

impl TryFrom<WireHttpResponse> for HttpResponse {
    type Error = PluginError;
    fn try_from(r: WireHttpResponse) -> Result<Self, PluginError> {
        let body = b64()
            .decode(r.body_base64.as_bytes())
            .map_err(|e| PluginError::protocol(format!("http response body_base64: {e}")))?;
        Ok(HttpResponse {
            status: r.status,
            url: r.url,
            headers: r.headers,
            body,
        })
    }
}

/// The version a message asks for (`"version"`, default 1).
fn requested_version(raw: &Value) -> u32 {
    raw.get("version")
        .and_then(Value::as_u64)
        .map(|v| v.min(u64::from(u32::MAX)) as u32)
        .unwrap_or(1)
}

/// Decode one request, check its version against [`SERVICES`], serve it and
/// encode the reply. Never panics; every failure is an error reply.
pub fn serve_json(services: &dyn crate::Services, message: &str) -> String {
    let reply = match serde_json::from_str::<Value>(message) {
        Err(e) => Reply::Error(PluginError::protocol(format!(
            "the host cannot read this service request: {e}"
        ))),
        Ok(raw) => {
            let asked = requested_version(&raw);
            let name = raw
                .get("service")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            match serde_json::from_value::<ServiceRequest>(raw) {
                Err(e) => Reply::Error(PluginError::protocol(format!(
                    "the host cannot read the '{name}' request: {e}"
                ))),
                Ok(req) => {
                    let known = SERVICES.iter().find(|(n, _)| *n == req.service());
                    match known {
                        Some((_, v)) if asked > *v => Reply::Error(PluginError::new(
                            ErrorKind::NotSupported,
                            format!("the host offers '{name}' version {v}, not version {asked}"),
                        )),
                        _ => serve(services, req),
                    }
                }
            }
        }
    };
    serde_json::to_string(&reply).unwrap_or_else(|_| {
        r#"{"error":{"kind":"other","message":"the host could not encode its reply"}}"#.into()
    })
}

fn ok<T: Serialize>(v: T) -> Reply {
    match serde_json::to_value(v) {
        Ok(v) => Reply::Ok(v),
        Err(e) => Reply::Error(PluginError::other(format!("encoding a reply: {e}"))),
    }
}

fn answer<T: Serialize>(r: Result<T, PluginError>) -> Reply {
    match r {
        Ok(v) => ok(v),
        Err(e) => Reply::Error(e),
    }
}

/// Serve one decoded request with the host's [`crate::Services`].
pub fn serve(s: &dyn crate::Services, req: ServiceRequest) -> Reply {
    match req {
        ServiceRequest::Capabilities => ok(Capabilities {
            protocols: crate::SUPPORTED_PROTOCOLS.collect(),
            services: SERVICES.iter().map(|(n, v)| (n.to_string(), *v)).collect(),
        }),
        ServiceRequest::Http { request } => answer(
            HttpRequest::try_from(request)
                .and_then(|r| s.http(r))
                .map(WireHttpResponse::from),
        ),
        ServiceRequest::Password { prompt } => answer(s.password(&prompt).map(|v| v.into_inner())),
        ServiceRequest::Prompt { message, secret } => {
            answer(s.prompt(&message, secret).map(|v| v.into_inner()))
        }
        ServiceRequest::Choose { title, choices } => answer(s.choose(&title, &choices)),
        ServiceRequest::MfaCode { prompt } => answer(s.mfa_code(&prompt).map(|v| v.into_inner())),
        ServiceRequest::Notify { message } => {
            s.notify(&message);
            Reply::Ok(Value::Null)
        }
        ServiceRequest::Log { level, message } => {
            s.log(level.into(), &message);
            Reply::Ok(Value::Null)
        }
        ServiceRequest::AddSecret { value } => {
            if !value.is_empty() {
                s.add_secret(&value);
            }
            Reply::Ok(Value::Null)
        }
        ServiceRequest::Sleep { millis } => {
            answer(s.sleep(std::time::Duration::from_millis(millis)))
        }
        ServiceRequest::SessionGet { name } => ok(s.session_get(&name).map(|v| v.into_inner())),
        ServiceRequest::SessionPut {
            name,
            value,
            expires_unix,
        } => answer(s.session_put(&name, crate::Secret::new(value), expires_unix)),
        ServiceRequest::SessionDelete { name } => {
            s.session_delete(&name);
            Reply::Ok(Value::Null)
        }
        ServiceRequest::CookiesExport => ok(s.cookies_export().into_inner()),
        ServiceRequest::CookiesImport { data } => answer(s.cookies_import(&data)),
        ServiceRequest::Unknown => Reply::Error(
            PluginError::new(
                ErrorKind::NotSupported,
                "this host does not offer that service",
            )
            .with_hint("ask `capabilities` first, or update awsprocesscreds"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn request_wire_format_is_pinned() {
        let r = ServiceRequest::Prompt {
            message: "Code: ".into(),
            secret: true,
        };
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!({"service": "prompt", "message": "Code: ", "secret": true})
        );
        let h = ServiceRequest::Http {
            request: HttpRequest::post_form("https://x/", [("a", "b")]).into(),
        };
        assert_eq!(
            serde_json::to_value(&h).unwrap(),
            json!({"service": "http", "request": {
                "method": "POST", "url": "https://x/",
                "headers": [["Content-Type", "application/x-www-form-urlencoded"]],
                "body_base64": "YT1i", "follow_redirects": true}})
        );
        assert_eq!(
            serde_json::to_value(ServiceRequest::SessionPut {
                name: "sid".into(),
                value: "v".into(),
                expires_unix: 5
            })
            .unwrap(),
            json!({"service": "session_put", "name": "sid", "value": "v", "expires_unix": 5})
        );
    }

    #[test]
    fn newer_and_older_shapes_are_read() {
        // A newer plugin: extra keys, an unknown level, an unknown service.
        let r: ServiceRequest = serde_json::from_value(
            json!({"service": "log", "level": "shout", "message": "m", "colour": "red"}),
        )
        .unwrap();
        assert_eq!(
            r,
            ServiceRequest::Log {
                level: WireLogLevel::Unknown,
                message: "m".into()
            }
        );
        let u: ServiceRequest =
            serde_json::from_value(json!({"service": "teleport", "to": "mars"})).unwrap();
        assert_eq!(u, ServiceRequest::Unknown);
        // An older or minimal plugin: optional keys left out.
        let p: ServiceRequest =
            serde_json::from_value(json!({"service": "prompt", "message": "x"})).unwrap();
        assert_eq!(
            p,
            ServiceRequest::Prompt {
                message: "x".into(),
                secret: false
            }
        );
        let h: ServiceRequest = serde_json::from_value(
            json!({"service": "http", "request": {"method": "GET", "url": "u"}}),
        )
        .unwrap();
        let ServiceRequest::Http { request } = h else {
            panic!()
        };
        assert!(request.follow_redirects && request.body_base64.is_empty());
    }

    #[test]
    fn reply_wire_format_is_pinned() {
        assert_eq!(
            serde_json::to_value(Reply::Ok(json!("x"))).unwrap(),
            json!({"ok": "x"})
        );
        assert_eq!(
            serde_json::to_value(Reply::Error(PluginError::new(ErrorKind::Cancelled, "c")))
                .unwrap(),
            json!({"error": {"kind": "cancelled", "message": "c"}})
        );
        // An error kind from a newer host reads as `other`.
        let r: Reply =
            serde_json::from_value(json!({"error": {"kind": "quantum", "message": "m", "x": 1}}))
                .unwrap();
        assert_eq!(r, Reply::Error(PluginError::other("m")));
    }
}
