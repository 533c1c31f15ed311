//! Protocol 1, frozen: everything that keeps plugins built from
//! plugin-api 0.1.0 working, in one place.
//!
//! - [`HostServices`], the fourteen-method trait object a protocol-1
//!   `login` gets, and [`PluginModule`], the root module exactly as 0.1.0
//!   declared it. Never change either.
//! - [`lend`]: the host's side, serving an old plugin's method calls with
//!   a [`crate::Services`] (each method becomes one [`ServiceRequest`]).
//! - [`call`]: the plugin's side, a [`ServiceRequest`] mapped onto an old
//!   host's method table (what [`crate::Host`] does on a protocol-1 host).
//!
//! A new service is never added here: protocol 1 does not grow.

use std::collections::BTreeMap;

use abi_stable::sabi_trait::TD_Opaque;
use serde_json::Value;

use super::*;
use crate::Services;
use protocol::{Capabilities, ServiceRequest, WireHttpResponse, SERVICES};
use protocol::{ErrorKind, HttpRequest, HttpResponse, LogLevel, PluginError};

/// Services the host lends to a plugin for the duration of one login.
///
/// Every method is implemented by the host, which catches its own panics:
/// a panic must never unwind across this boundary.
#[sabi_trait]
pub trait HostServices: Send + Sync {
    /// One HTTP exchange through the host's client (cookies, proxy, CA
    /// bundle, timeouts, size limit, HTTPS policy).
    fn http(&self, request: FfiHttpRequest) -> RResult<FfiHttpResponse, FfiError>;

    /// The user's IdP password, from the host's password sources.
    fn password(&self, prompt: RStr<'_>) -> RResult<RString, FfiError>;

    /// A line of input from the terminal (`secret`: no echo).
    fn prompt(&self, message: RStr<'_>, secret: bool) -> RResult<RString, FfiError>;

    /// A numbered menu on the terminal; returns the chosen index.
    fn choose(&self, title: RStr<'_>, choices: RVec<RString>) -> RResult<u32, FfiError>;

    /// A one-time code, from `--mfa-code-command` or the terminal.
    fn mfa_code(&self, prompt: RStr<'_>) -> RResult<RString, FfiError>;

    /// A notice the user must see (an MFA number to tap) on the terminal.
    fn notify(&self, message: RStr<'_>);

    /// A log line (stderr, redacted, shown according to `-v`).
    fn log(&self, level: u8, message: RStr<'_>);

    /// Ask the host to redact this value from every log line and error.
    fn add_secret(&self, value: RStr<'_>);

    /// Sleep, returning an error if the user cancelled meanwhile.
    fn sleep(&self, millis: u64) -> RResult<(), FfiError>;

    /// A value this plugin stored earlier for the same provider, endpoint
    /// and user (an IdP session), if it has not expired.
    fn session_get(&self, name: RStr<'_>) -> ROption<RString>;

    /// Store a value (kept `0600` in the cache directory) until the given
    /// Unix time.
    fn session_put(
        &self,
        name: RStr<'_>,
        value: RString,
        expires_unix: i64,
    ) -> RResult<(), FfiError>;

    /// Forget a stored value.
    fn session_delete(&self, name: RStr<'_>);

    /// The cookies of this login's HTTP client, serialized (opaque).
    fn cookies_export(&self) -> RString;

    /// Load cookies saved by `cookies_export`.
    #[sabi(last_prefix_field)]
    fn cookies_import(&self, data: RStr<'_>) -> RResult<(), FfiError>;
}

/// The trait object type handed to plugins.
pub type HostServicesBox = HostServices_TO<'static, RBox<()>>;

/// The root module exactly as plugin-api 0.1.0 (protocol 1) declared it.
///
/// abi_stable refuses a library whose prefix type has fewer fields than the
/// host's type (`too many fields`), so a plugin built before `login_v2`
/// existed cannot be loaded as [`super::PluginModule`]. The host tries that
/// type first and, on a layout mismatch, this frozen copy: identical names
/// and fields, so the old library checks against it. Never change it.
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = PluginModule_Ref)))]
#[sabi(missing_field(option))]
pub struct PluginModule {
    pub manifest: extern "C" fn() -> RResult<RString, FfiError>,

    #[sabi(last_prefix_field)]
    pub login: extern "C" fn(request: RString, host: HostServicesBox) -> RResult<RString, FfiError>,
}

impl RootModule for PluginModule_Ref {
    declare_root_module_statics! {PluginModule_Ref}
    const BASE_NAME: &'static str = "awsprocesscreds_plugin";
    const NAME: &'static str = "awsprocesscreds plugin";
    const VERSION_STRINGS: VersionStrings = package_version_strings!();
}

/// The services a protocol-1 host offers (all of version 1): every service
/// of the table but `capabilities`, which a plugin answers itself.
fn services() -> BTreeMap<String, u32> {
    SERVICES
        .iter()
        .filter(|(n, _)| PROTOCOL_1_SERVICES.contains(n))
        .map(|(n, v)| (n.to_string(), *v))
        .collect()
}

/// The services of the frozen method table (every later one is answered
/// `not-supported` there, so `capabilities` must not offer it).
const PROTOCOL_1_SERVICES: &[&str] = &[
    "http",
    "password",
    "prompt",
    "choose",
    "mfa_code",
    "notify",
    "log",
    "add_secret",
    "sleep",
    "session_get",
    "session_put",
    "session_delete",
    "cookies_export",
    "cookies_import",
];

// ---- The host's side: an old plugin calls methods, `Services` answers.

/// The method table for an old plugin, backed by `services`.
pub(crate) fn lend(services: std::sync::Arc<dyn Services>) -> HostServicesBox {
    HostServices_TO::from_value(Lent { inner: services }, TD_Opaque)
}

struct Lent {
    inner: std::sync::Arc<dyn Services>,
}

impl Lent {
    /// One method call as one request; the answer read as `T`.
    fn ask<T: serde::de::DeserializeOwned>(
        &self,
        request: ServiceRequest,
    ) -> Result<T, PluginError> {
        let service = request.service();
        protocol::serve(&*self.inner, request).decode(service)
    }

    /// For the methods without an answer: failures are dropped, as the
    /// method table has no way to report them.
    fn tell(&self, request: ServiceRequest) {
        let _ = self.ask::<Value>(request);
    }
}

fn ffi<T>(r: Result<T, PluginError>) -> RResult<T, FfiError> {
    r.map_err(FfiError::from).into()
}

impl HostServices for Lent {
    fn http(&self, request: FfiHttpRequest) -> RResult<FfiHttpResponse, FfiError> {
        let request = HttpRequest::from(request).into();
        ffi(self
            .ask::<WireHttpResponse>(ServiceRequest::Http { request })
            .and_then(HttpResponse::try_from)
            .map(FfiHttpResponse::from))
    }

    fn password(&self, prompt: RStr<'_>) -> RResult<RString, FfiError> {
        let prompt = prompt.into();
        ffi(self
            .ask::<String>(ServiceRequest::Password { prompt })
            .map(RString::from))
    }

    fn prompt(&self, message: RStr<'_>, secret: bool) -> RResult<RString, FfiError> {
        let message = message.into();
        ffi(self
            .ask::<String>(ServiceRequest::Prompt { message, secret })
            .map(RString::from))
    }

    fn choose(&self, title: RStr<'_>, choices: RVec<RString>) -> RResult<u32, FfiError> {
        let title = title.into();
        let choices = choices.into_iter().map(RString::into_string).collect();
        ffi(self.ask::<u32>(ServiceRequest::Choose { title, choices }))
    }

    fn mfa_code(&self, prompt: RStr<'_>) -> RResult<RString, FfiError> {
        let prompt = prompt.into();
        ffi(self
            .ask::<String>(ServiceRequest::MfaCode { prompt })
            .map(RString::from))
    }

    fn notify(&self, message: RStr<'_>) {
        self.tell(ServiceRequest::Notify {
            message: message.into(),
        })
    }

    fn log(&self, level: u8, message: RStr<'_>) {
        self.tell(ServiceRequest::Log {
            level: LogLevel::from_code(level).into(),
            message: message.into(),
        })
    }

    fn add_secret(&self, value: RStr<'_>) {
        self.tell(ServiceRequest::AddSecret {
            value: value.into(),
        })
    }

    fn sleep(&self, millis: u64) -> RResult<(), FfiError> {
        ffi(self.ask::<()>(ServiceRequest::Sleep { millis }))
    }

    fn session_get(&self, name: RStr<'_>) -> ROption<RString> {
        let name = name.into();
        self.ask::<Option<String>>(ServiceRequest::SessionGet { name })
            .ok()
            .flatten()
            .map(RString::from)
            .into()
    }

    fn session_put(
        &self,
        name: RStr<'_>,
        value: RString,
        expires_unix: i64,
    ) -> RResult<(), FfiError> {
        ffi(self.ask::<()>(ServiceRequest::SessionPut {
            name: name.into(),
            value: value.into_string(),
            expires_unix,
        }))
    }

    fn session_delete(&self, name: RStr<'_>) {
        self.tell(ServiceRequest::SessionDelete { name: name.into() })
    }

    fn cookies_export(&self) -> RString {
        self.ask::<String>(ServiceRequest::CookiesExport)
            .unwrap_or_default()
            .into()
    }

    fn cookies_import(&self, data: RStr<'_>) -> RResult<(), FfiError> {
        ffi(self.ask::<()>(ServiceRequest::CookiesImport { data: data.into() }))
    }
}

// ---- The plugin's side: a request mapped onto an old host's methods.

/// Serve `request` with a protocol-1 host's method table.
pub(crate) fn call(h: &HostServicesBox, request: ServiceRequest) -> Result<Value, PluginError> {
    fn done<T: serde::Serialize>(r: RResult<T, FfiError>) -> Result<Value, PluginError> {
        r.into_result()
            .map_err(PluginError::from)
            .map(|v| serde_json::to_value(v).unwrap_or(Value::Null))
    }
    let null = Ok(Value::Null);
    fn rstr(s: &str) -> RStr<'_> {
        RStr::from(s)
    }
    match request {
        ServiceRequest::Capabilities => {
            serde_json::to_value(Capabilities::new(vec![1], services()))
                .map_err(|e| PluginError::other(e.to_string()))
        }
        ServiceRequest::Http { request } => {
            let r = HttpRequest::try_from(request)?;
            let resp: HttpResponse = h
                .http(r.into())
                .into_result()
                .map_err(PluginError::from)?
                .into();
            serde_json::to_value(WireHttpResponse::from(resp))
                .map_err(|e| PluginError::other(e.to_string()))
        }
        ServiceRequest::Password { prompt } => {
            done(h.password(rstr(&prompt)).map(RString::into_string))
        }
        ServiceRequest::Prompt { message, secret } => {
            done(h.prompt(rstr(&message), secret).map(RString::into_string))
        }
        ServiceRequest::Choose { title, choices } => {
            let choices = choices.iter().map(|s| RString::from(s.as_str())).collect();
            done(h.choose(rstr(&title), choices))
        }
        ServiceRequest::MfaCode { prompt } => {
            done(h.mfa_code(rstr(&prompt)).map(RString::into_string))
        }
        ServiceRequest::Notify { message } => {
            h.notify(rstr(&message));
            null
        }
        ServiceRequest::Log { level, message } => {
            h.log(LogLevel::from(level) as u8, rstr(&message));
            null
        }
        ServiceRequest::AddSecret { value } => {
            h.add_secret(rstr(&value));
            null
        }
        ServiceRequest::Sleep { millis } => done(h.sleep(millis)),
        ServiceRequest::SessionGet { name } => Ok(h
            .session_get(rstr(&name))
            .into_option()
            .map(|v| Value::String(v.into_string()))
            .unwrap_or(Value::Null)),
        ServiceRequest::SessionPut {
            name,
            value,
            expires_unix,
        } => done(h.session_put(rstr(&name), value.into(), expires_unix)),
        ServiceRequest::SessionDelete { name } => {
            h.session_delete(rstr(&name));
            null
        }
        ServiceRequest::CookiesExport => Ok(Value::String(h.cookies_export().into_string())),
        ServiceRequest::CookiesImport { data } => done(h.cookies_import(rstr(&data))),
        // Unknown, and every service added after protocol 1.
        _ => Err(PluginError::new(
            ErrorKind::NotSupported,
            "this host speaks plugin protocol 1 and does not offer that service",
        )),
    }
}
