//! The host's one service surface: a [`Services`] implementation answers
//! each [`ServiceRequest`] in one `match`, and [`serve`] puts in front of it
//! what every host does the same way (message versions, `capabilities`,
//! unknown services, panics). Every transport (a library plugin's host
//! call, a process plugin's `call` line, the protocol-1 method table, the
//! in-process `plugin_api::Host::from_services`) ends here.

use std::panic::{catch_unwind, AssertUnwindSafe};

use serde_json::Value;

use crate::message::{Capabilities, Reply, ServiceRequest, SERVICES};
use crate::wire::{ErrorKind, PluginError};

/// What a host implements to serve a plugin: one arm per service it
/// offers, and `_ => Reply::not_supported(&request)` for the rest (the
/// enum grows). `capabilities` and unknown services never reach it.
///
/// ```
/// use protocol::{Reply, ServiceRequest, Services};
///
/// struct Quiet;
/// impl Services for Quiet {
///     fn serve(&self, request: ServiceRequest) -> Reply {
///         match request {
///             ServiceRequest::Log { .. } => Reply::done(),
///             ServiceRequest::Password { .. } => Reply::ok("hunter2"),
///             other => Reply::not_supported(&other),
///         }
///     }
/// }
/// ```
///
/// A panic inside `serve` is caught and answered with an `other` error, but
/// what the service was doing is lost: do not panic.
pub trait Services: Send + Sync {
    fn serve(&self, request: ServiceRequest) -> Reply;
}

/// Serve one decoded request: `capabilities` from [`SERVICES`], an unknown
/// service with `not-supported`, everything else by `services`. Never
/// panics.
pub fn serve(services: &dyn Services, request: ServiceRequest) -> Reply {
    match request {
        ServiceRequest::Capabilities => Reply::ok(Capabilities {
            protocols: crate::SUPPORTED_PROTOCOLS.collect(),
            services: SERVICES.iter().map(|(n, v)| (n.to_string(), *v)).collect(),
        }),
        ServiceRequest::Unknown => Reply::not_supported(&request),
        request => {
            let name = request.service();
            catch_unwind(AssertUnwindSafe(|| services.serve(request))).unwrap_or_else(|_| {
                Reply::Error(PluginError::other(format!(
                    "internal error in host service {name}"
                )))
            })
        }
    }
}

/// The version a message asks for (`"version"`, default 1).
fn requested_version(raw: &Value) -> u32 {
    raw.get("version")
        .and_then(Value::as_u64)
        .map(|v| v.min(u64::from(u32::MAX)) as u32)
        .unwrap_or(1)
}

/// Decode one request given as JSON, check its version against
/// [`SERVICES`] and [`serve`] it. Every failure is an error reply.
pub fn serve_value(services: &dyn Services, raw: Value) -> Reply {
    let asked = requested_version(&raw);
    let name = raw
        .get("service")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let request = match serde_json::from_value::<ServiceRequest>(raw) {
        Ok(r) => r,
        Err(e) => {
            return Reply::Error(PluginError::protocol(format!(
                "the host cannot read the '{name}' request: {e}"
            )))
        }
    };
    match SERVICES.iter().find(|(n, _)| *n == request.service()) {
        Some((_, v)) if asked > *v => Reply::Error(PluginError::new(
            ErrorKind::NotSupported,
            format!("the host offers '{name}' version {v}, not version {asked}"),
        )),
        _ => serve(services, request),
    }
}

/// [`serve_value`] for a message as text, the reply as text.
pub fn serve_json(services: &dyn Services, message: &str) -> String {
    let reply = match serde_json::from_str::<Value>(message) {
        Ok(raw) => serve_value(services, raw),
        Err(e) => Reply::Error(PluginError::protocol(format!(
            "the host cannot read this service request: {e}"
        ))),
    };
    serde_json::to_string(&reply).unwrap_or_else(|_| {
        r#"{"error":{"kind":"other","message":"the host could not encode its reply"}}"#.into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Panics;
    impl Services for Panics {
        fn serve(&self, request: ServiceRequest) -> Reply {
            match request {
                ServiceRequest::Notify { .. } => panic!("boom"),
                other => Reply::not_supported(&other),
            }
        }
    }

    #[test]
    fn the_dispatch_answers_what_every_host_answers_alike() {
        let caps: Capabilities = serve(&Panics, ServiceRequest::Capabilities)
            .decode("capabilities")
            .unwrap();
        assert_eq!(caps.protocols, vec![1, 2]);
        assert_eq!(caps.version("cookies_import"), Some(1));
        let e = serve(&Panics, ServiceRequest::Unknown)
            .into_result()
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotSupported);
        let e = serve(&Panics, ServiceRequest::CookiesExport)
            .into_result()
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotSupported);
        assert!(e.message.contains("'cookies_export'"), "{e}");
        // A panic in the host is an error reply, not an unwind.
        let r = serve_json(&Panics, r#"{"service":"notify","message":"m"}"#);
        assert_eq!(
            serde_json::from_str::<Value>(&r).unwrap(),
            json!({"error": {"kind": "other", "message": "internal error in host service notify"}})
        );
        // Versions newer than the table's, and unreadable messages.
        let r = serve_value(
            &Panics,
            json!({"service": "notify", "message": "m", "version": 2}),
        );
        assert_eq!(r.into_result().unwrap_err().kind, ErrorKind::NotSupported);
        let r = serve_json(&Panics, "{not json");
        assert!(r.contains("\"protocol\""), "{r}");
    }
}
