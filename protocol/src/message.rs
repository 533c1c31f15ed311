//! Protocol 2: every host service is one typed JSON message through one
//! call.
//!
//! A plugin sends a [`ServiceRequest`] (a JSON object whose `"service"` key
//! names the service) and gets back a [`Reply`] (`{"ok": VALUE}` or
//! `{"error": {...}}`). The same objects travel through the in-process
//! host-call function of a library plugin and, wrapped in a
//! `{"type":"call"}` line, over the stdin/stdout of a process plugin (see
//! `PROTOCOL.md`). Adding a service is adding a row to the table below
//! and one match arm to the host's [`crate::Services::serve`]: the binary
//! interface does not change, and a plugin can ask for [`Capabilities`]
//! before using something new.
//!
//! Forward compatibility: unknown keys are ignored on both sides, an
//! unknown `"service"` reads as [`ServiceRequest::Unknown`] (answered with a
//! `not-supported` error), and every optional key has a default.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::wire::{ErrorKind, HttpRequest, HttpResponse, LogLevel, PluginError};

/// The one table of host services: each row is the `"service"` name on the
/// wire, the newest message version this build understands, and the
/// request's fields. It generates [`ServiceRequest`], [`SERVICES`] and
/// [`ServiceRequest::service`], so adding a service is adding a row here
/// and one match arm in the host's [`crate::Services::serve`].
macro_rules! service_table {
    ($(
        $(#[$doc:meta])*
        $name:literal v $version:literal => $variant:ident
            $({ $($(#[$fattr:meta])* $field:ident : $ty:ty),* $(,)? })?
    ),* $(,)?) => {
        /// One request from a plugin to the host.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(tag = "service")]
        #[non_exhaustive]
        pub enum ServiceRequest {
            $(
                $(#[$doc])*
                #[serde(rename = $name)]
                $variant $({ $($(#[$fattr])* $field: $ty),* })?,
            )*
            /// A service this build does not know (from a newer plugin).
            #[serde(other)]
            Unknown,
        }

        /// The services a protocol-2 host offers, with the message version
        /// of each. A message may carry `"version": N`; a host refuses
        /// versions newer than the one listed here.
        pub const SERVICES: &[(&str, u32)] = &[$(($name, $version)),*];

        impl ServiceRequest {
            /// The `"service"` name on the wire.
            pub fn service(&self) -> &'static str {
                match self {
                    $(ServiceRequest::$variant { .. } => $name,)*
                    ServiceRequest::Unknown => "unknown",
                }
            }
        }
    };
}

service_table! {
    /// Which protocol versions and services (with message versions) the
    /// host offers. Answer: [`Capabilities`]. Answered by [`crate::serve`]
    /// from this table; a host never sees it.
    "capabilities" v 1 => Capabilities,
    /// One HTTP exchange through the host's client. Answer: [`WireHttpResponse`].
    "http" v 1 => Http { request: WireHttpRequest },
    /// The user's IdP password. Answer: a string.
    "password" v 1 => Password { prompt: String },
    /// A line typed on the terminal (`secret`: without echo). Answer: a string.
    "prompt" v 1 => Prompt {
        message: String,
        #[serde(default)]
        secret: bool,
    },
    /// A numbered menu. Answer: the chosen index (a number).
    "choose" v 1 => Choose { title: String, choices: Vec<String> },
    /// A one-time code. Answer: a string.
    "mfa_code" v 1 => MfaCode { prompt: String },
    /// A notice on the terminal (an MFA number to tap). Answer: `null`.
    "notify" v 1 => Notify { message: String },
    /// A log line on stderr, redacted. Answer: `null`.
    "log" v 1 => Log {
        #[serde(default)]
        level: WireLogLevel,
        message: String,
    },
    /// Redact this value from every log line and error. Answer: `null`.
    "add_secret" v 1 => AddSecret { value: String },
    /// Sleep; an error of kind `cancelled` if the user interrupted.
    /// Answer: `null`.
    "sleep" v 1 => Sleep { millis: u64 },
    /// A stored IdP session value. Answer: a string or `null`.
    "session_get" v 1 => SessionGet { name: String },
    /// Store a value until a Unix time. Answer: `null`.
    "session_put" v 1 => SessionPut {
        name: String,
        value: String,
        expires_unix: i64,
    },
    /// Forget a stored value. Answer: `null`.
    "session_delete" v 1 => SessionDelete { name: String },
    /// The cookies of this login's HTTP client (opaque). Answer: a string.
    "cookies_export" v 1 => CookiesExport,
    /// Load cookies from `cookies_export`. Answer: `null`.
    "cookies_import" v 1 => CookiesImport { data: String },
    /// Sign the person in in a web browser, starting at `url` (the IdP's
    /// sign-in page for AWS), and capture the SAML response the page
    /// posts to AWS. `reason`: why a browser is needed, for the log.
    /// Answer: the `SAMLResponse` (base64, as posted). Errors: `cancelled`
    /// (the window was closed), `mfa-timeout` (the person's time ran out),
    /// `no-terminal` (a window is needed and none can be shown),
    /// `not-supported` (browsers are turned off), `other`.
    "browser" v 1 => Browser {
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
}

/// The host's answer to one [`ServiceRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reply {
    Ok(Value),
    Error(PluginError),
}

impl Reply {
    /// `{"ok": value}`; a value that cannot be encoded is an `other` error.
    pub fn ok<T: Serialize>(value: T) -> Reply {
        match serde_json::to_value(value) {
            Ok(v) => Reply::Ok(v),
            Err(e) => Reply::Error(PluginError::other(format!("encoding a reply: {e}"))),
        }
    }

    /// `{"ok": null}`: the service was performed.
    pub fn done() -> Reply {
        Reply::Ok(Value::Null)
    }

    /// The `not-supported` answer to a service this host does not offer.
    pub fn not_supported(request: &ServiceRequest) -> Reply {
        let what = match request {
            ServiceRequest::Unknown => "that service".to_string(),
            known => format!("the '{}' service", known.service()),
        };
        Reply::Error(
            PluginError::new(
                ErrorKind::NotSupported,
                format!("this host does not offer {what}"),
            )
            .with_hint("ask `capabilities` first, or update awsprocesscreds"),
        )
    }

    pub fn into_result(self) -> Result<Value, PluginError> {
        match self {
            Reply::Ok(v) => Ok(v),
            Reply::Error(e) => Err(e),
        }
    }

    /// The `ok` value read as `T` (the answer type of `service`).
    pub fn decode<T: serde::de::DeserializeOwned>(self, service: &str) -> Result<T, PluginError> {
        serde_json::from_value(self.into_result()?).map_err(|e| {
            PluginError::protocol(format!(
                "the host answered '{service}' with an unexpected value: {e}"
            ))
        })
    }
}

impl<T: Serialize> From<Result<T, PluginError>> for Reply {
    fn from(r: Result<T, PluginError>) -> Reply {
        match r {
            Ok(v) => Reply::ok(v),
            Err(e) => Reply::Error(e),
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
    pub fn new(protocols: Vec<u32>, services: BTreeMap<String, u32>) -> Self {
        Capabilities {
            protocols,
            services,
        }
    }

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
            serde_json::to_value(ServiceRequest::Browser {
                url: "https://idp/sso".into(),
                reason: Some("a security key".into())
            })
            .unwrap(),
            json!({"service": "browser", "url": "https://idp/sso", "reason": "a security key"})
        );
        assert_eq!(
            serde_json::from_value::<ServiceRequest>(json!({"service": "browser", "url": "u"}))
                .unwrap(),
            ServiceRequest::Browser {
                url: "u".into(),
                reason: None
            }
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
