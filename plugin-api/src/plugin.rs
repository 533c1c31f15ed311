//! The plugin author's side: the [`Plugin`] trait, the [`Host`] handle and
//! the glue that `declare_plugin!` expands to.

use std::panic::{catch_unwind, AssertUnwindSafe};

use serde_json::Value;

use crate::ffi::v1::HostServicesBox;
use crate::ffi::{self, FfiError, HostCallBox};
use crate::Secret;
use protocol::{Capabilities, Reply, ServiceRequest, WireHttpResponse};
use protocol::{
    ErrorKind, HttpRequest, HttpResponse, LogLevel, LoginOutcome, LoginRequest, Manifest,
    PluginError,
};

/// Implement this, then `declare_plugin!(YourType)`.
pub trait Plugin: Default {
    /// Who you are and what you need. Called once per load.
    fn manifest(&self) -> Manifest;

    /// Run one login conversation. Use `host` for every side effect.
    fn login(&self, request: &LoginRequest, host: &Host) -> Result<LoginOutcome, PluginError>;
}

/// The host's services, as a plugin sees them.
///
/// Every method is a one-line shorthand for one [`ServiceRequest`] sent
/// with [`Host::ask`]: over protocol 2 it goes as JSON through the host's
/// single call function; loaded by a protocol-1 host it is mapped onto that
/// host's fixed service table. A service without a shorthand here is used
/// the same way: `host.ask::<Answer>(ServiceRequest::Name { .. })`.
pub struct Host {
    channel: Channel,
}

enum Channel {
    /// Protocol 1: the host's 14-method trait object.
    V1(HostServicesBox),
    /// Protocol 2: the host's single JSON call.
    V2(HostCallBox),
    /// In-process services (tests, the process-plugin runner), still
    /// through the JSON encoding so tests see what a real host sees.
    Local(std::sync::Arc<dyn crate::Services>),
}

impl Host {
    #[doc(hidden)]
    pub fn from_ffi(inner: HostServicesBox) -> Self {
        Host {
            channel: Channel::V1(inner),
        }
    }

    #[doc(hidden)]
    pub fn from_ffi_v2(inner: HostCallBox) -> Self {
        Host {
            channel: Channel::V2(inner),
        }
    }

    /// A `Host` backed by in-process services, for testing a plugin's
    /// `login` without building and loading the library.
    pub fn from_services(services: std::sync::Arc<dyn crate::Services>) -> Self {
        Host {
            channel: Channel::Local(services),
        }
    }

    /// Send one service request and return the raw reply value (see
    /// [`Host::ask`] for a typed answer).
    pub fn call(&self, request: &ServiceRequest) -> Result<Value, PluginError> {
        match &self.channel {
            Channel::V1(h) => ffi::v1::call(h, request.clone()),
            _ => {
                let v = serde_json::to_value(request)
                    .map_err(|e| PluginError::other(format!("encoding a host call: {e}")))?;
                self.call_json(&v)
            }
        }
    }

    /// Send a service request given as raw JSON (`{"service": ..., ...}`):
    /// for services or keys newer than this crate. Over protocol 1 the
    /// request must be one that protocol offers.
    pub fn call_json(&self, request: &Value) -> Result<Value, PluginError> {
        let json = || {
            serde_json::to_string(request)
                .map_err(|e| PluginError::other(format!("encoding a host call: {e}")))
        };
        match &self.channel {
            Channel::V2(h) => decode_reply(h.call(json()?.as_str().into()).as_str()),
            Channel::Local(s) => decode_reply(&protocol::serve_json(&**s, &json()?)),
            Channel::V1(h) => {
                let typed: ServiceRequest = serde_json::from_value(request.clone())
                    .map_err(|e| PluginError::protocol(format!("a malformed host call: {e}")))?;
                ffi::v1::call(h, typed)
            }
        }
    }

    /// Send one service request and read the answer as `T` (the answer
    /// type documented on the [`ServiceRequest`] variant). The methods
    /// below are shorthands for this.
    pub fn ask<T: serde::de::DeserializeOwned>(
        &self,
        request: ServiceRequest,
    ) -> Result<T, PluginError> {
        let service = request.service();
        Reply::from(self.call(&request)).decode(service)
    }

    /// Which protocols and services (with message versions) the host
    /// offers.
    pub fn capabilities(&self) -> Capabilities {
        self.ask(ServiceRequest::Capabilities).unwrap_or_default()
    }

    /// Send an HTTP request through the host's client.
    pub fn http(&self, request: HttpRequest) -> Result<HttpResponse, PluginError> {
        let r: WireHttpResponse = self.ask(ServiceRequest::Http {
            request: request.into(),
        })?;
        HttpResponse::try_from(r)
    }

    /// The user's IdP password (from `--password-command`, the environment,
    /// the keychain or the terminal, as the user configured).
    pub fn password(&self, prompt: &str) -> Result<Secret<String>, PluginError> {
        self.ask::<String>(ServiceRequest::Password {
            prompt: prompt.into(),
        })
        .map(Secret::new)
    }

    /// A line typed on the terminal.
    pub fn prompt(&self, message: &str) -> Result<String, PluginError> {
        self.ask(ServiceRequest::Prompt {
            message: message.into(),
            secret: false,
        })
    }

    /// A line typed on the terminal without echo.
    pub fn prompt_secret(&self, message: &str) -> Result<Secret<String>, PluginError> {
        self.ask::<String>(ServiceRequest::Prompt {
            message: message.into(),
            secret: true,
        })
        .map(Secret::new)
    }

    /// Let the user pick one of `choices` on the terminal.
    pub fn choose(&self, title: &str, choices: &[String]) -> Result<usize, PluginError> {
        self.ask(ServiceRequest::Choose {
            title: title.into(),
            choices: choices.to_vec(),
        })
    }

    /// A one-time code from `--mfa-code-command` or the terminal.
    pub fn mfa_code(&self, prompt: &str) -> Result<Secret<String>, PluginError> {
        self.ask::<String>(ServiceRequest::MfaCode {
            prompt: prompt.into(),
        })
        .map(|s| Secret::new(s.trim().to_string()))
    }

    /// Show a notice on the terminal (or stderr without one).
    pub fn notify(&self, message: &str) {
        let _ = self.call(&ServiceRequest::Notify {
            message: message.into(),
        });
    }

    pub fn log(&self, level: LogLevel, message: &str) {
        let _ = self.call(&ServiceRequest::Log {
            level: level.into(),
            message: message.into(),
        });
    }

    pub fn debug(&self, message: &str) {
        self.log(LogLevel::Debug, message)
    }

    pub fn info(&self, message: &str) {
        self.log(LogLevel::Info, message)
    }

    pub fn warn(&self, message: &str) {
        self.log(LogLevel::Warn, message)
    }

    /// Make the host redact `value` wherever it would print it.
    pub fn add_secret(&self, value: &str) {
        if !value.is_empty() {
            let _ = self.call(&ServiceRequest::AddSecret {
                value: value.into(),
            });
        }
    }

    /// Sleep; fails with `Cancelled` if the user interrupted.
    pub fn sleep(&self, duration: std::time::Duration) -> Result<(), PluginError> {
        self.call(&ServiceRequest::Sleep {
            millis: duration.as_millis().min(u128::from(u64::MAX)) as u64,
        })
        .map(|_| ())
    }

    /// A value stored by [`Host::session_put`] for this provider, endpoint
    /// and user, unless it expired.
    pub fn session_get(&self, name: &str) -> Option<Secret<String>> {
        self.ask::<Option<String>>(ServiceRequest::SessionGet { name: name.into() })
            .ok()
            .flatten()
            .map(Secret::new)
    }

    /// Keep a value (an IdP session, never a password) until `expires_unix`.
    pub fn session_put(
        &self,
        name: &str,
        value: &Secret<String>,
        expires_unix: i64,
    ) -> Result<(), PluginError> {
        self.call(&ServiceRequest::SessionPut {
            name: name.into(),
            value: value.expose().clone(),
            expires_unix,
        })
        .map(|_| ())
    }

    pub fn session_delete(&self, name: &str) {
        let _ = self.call(&ServiceRequest::SessionDelete { name: name.into() });
    }

    /// This login's cookies, serialized; store with [`Host::session_put`].
    pub fn cookies_export(&self) -> Secret<String> {
        Secret::new(
            self.ask::<String>(ServiceRequest::CookiesExport)
                .unwrap_or_default(),
        )
    }

    /// Sign the person in in a web browser at `url` (the host's browser
    /// service, protocol 2; see `PROTOCOL.md`): the `SAMLResponse` the
    /// page posted to AWS. `reason` says why, for the host's log. Hosts
    /// without the service answer `not-supported`; for a step the plugin
    /// cannot do itself, returning [`PluginError::browser_required`]
    /// usually serves the person better (the host continues the login in
    /// a browser when it can, and explains when it cannot).
    pub fn browser(&self, url: &str, reason: Option<&str>) -> Result<Secret<String>, PluginError> {
        self.ask::<String>(ServiceRequest::Browser {
            url: url.into(),
            reason: reason.map(String::from),
        })
        .map(Secret::new)
    }

    /// Restore cookies saved by [`Host::cookies_export`].
    pub fn cookies_import(&self, data: &Secret<String>) -> Result<(), PluginError> {
        self.call(&ServiceRequest::CookiesImport {
            data: data.expose().clone(),
        })
        .map(|_| ())
    }
}

fn decode_reply(json: &str) -> Result<Value, PluginError> {
    serde_json::from_str::<Reply>(json)
        .map_err(|e| {
            PluginError::protocol(format!(
                "the host sent a reply this plugin cannot read: {e}"
            ))
        })?
        .into_result()
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

thread_local! {
    static PANIC_LOCATION: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Replace the plugin's default panic hook (this library has its own copy
/// of std, so the host's hook is untouched): instead of printing a
/// multi-line report on stderr, remember where the panic happened so the
/// error the host shows can say it.
fn quiet_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let at = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()));
            PANIC_LOCATION.with(|p| *p.borrow_mut() = at);
        }));
    });
}

fn panicked(what: &str, payload: &(dyn std::any::Any + Send)) -> FfiError {
    let at = PANIC_LOCATION
        .with(|p| p.borrow_mut().take())
        .map(|l| format!(" (at {l})"))
        .unwrap_or_default();
    PluginError::new(
        ErrorKind::Other,
        format!(
            "the plugin panicked in {what}: {}{at}",
            panic_message(payload)
        ),
    )
    .with_hint("this is a bug in the plugin; report it to its author")
    .into()
}

#[doc(hidden)]
pub fn __manifest<P: Plugin>(
) -> abi_stable::std_types::RResult<abi_stable::std_types::RString, FfiError> {
    match catch_unwind(|| {
        let mut manifest = P::default().manifest();
        complete_protocols(&mut manifest.protocols);
        serde_json::to_string(&manifest)
    }) {
        Ok(Ok(json)) => ffi::ok(json.into()),
        Ok(Err(e)) => ffi::err(PluginError::other(format!("manifest: {e}")).into()),
        Err(payload) => ffi::err(panicked("its manifest", &*payload)),
    }
}

/// A library built with `declare_plugin!` exports the entry points of every
/// protocol this crate implements, so a manifest naming any of them is
/// completed with the others (an old host then still finds protocol 1). A
/// list with none of them (a test of an unknown protocol) is left alone.
fn complete_protocols(protocols: &mut Vec<u32>) {
    if protocols
        .iter()
        .any(|p| crate::SUPPORTED_PROTOCOLS.contains(p))
    {
        for p in crate::SUPPORTED_PROTOCOLS {
            if !protocols.contains(&p) {
                protocols.push(p);
            }
        }
        protocols.sort_unstable();
    }
}

#[doc(hidden)]
pub fn __login<P: Plugin>(
    request: abi_stable::std_types::RString,
    host: HostServicesBox,
) -> abi_stable::std_types::RResult<abi_stable::std_types::RString, FfiError> {
    run_login::<P>(request, Host::from_ffi(host))
}

#[doc(hidden)]
pub fn __login_v2<P: Plugin>(
    request: abi_stable::std_types::RString,
    host: HostCallBox,
) -> abi_stable::std_types::RResult<abi_stable::std_types::RString, FfiError> {
    run_login::<P>(request, Host::from_ffi_v2(host))
}

fn run_login<P: Plugin>(
    request: abi_stable::std_types::RString,
    host: Host,
) -> abi_stable::std_types::RResult<abi_stable::std_types::RString, FfiError> {
    quiet_panics();
    let result = catch_unwind(AssertUnwindSafe(|| {
        let request: LoginRequest = serde_json::from_str(request.as_str()).map_err(|e| {
            PluginError::protocol(format!(
                "the host sent a login request this plugin cannot read: {e}"
            ))
        })?;
        let outcome = P::default().login(&request, &host)?;
        serde_json::to_string(&outcome).map_err(|e| PluginError::other(e.to_string()))
    }));
    match result {
        Ok(Ok(json)) => ffi::ok(json.into()),
        Ok(Err(e)) => ffi::err(e.into()),
        Err(payload) => ffi::err(panicked("login", &*payload)),
    }
}

/// Export a [`Plugin`] implementation as this library's plugin module.
///
/// ```ignore
/// #[derive(Default)]
/// struct MyIdp;
/// impl plugin_api::Plugin for MyIdp { /* manifest() and login() */ }
/// plugin_api::declare_plugin!(MyIdp);
/// ```
///
/// Panics inside `manifest` and `login` are caught and reported to the host
/// as errors; they never unwind across the library boundary.
#[macro_export]
macro_rules! declare_plugin {
    ($plugin:ty) => {
        const _: () = {
            use $crate::__private::abi_stable as __abi;

            extern "C" fn __apc_manifest(
            ) -> __abi::std_types::RResult<__abi::std_types::RString, $crate::__private::FfiError>
            {
                $crate::__private::manifest::<$plugin>()
            }

            extern "C" fn __apc_login(
                request: __abi::std_types::RString,
                host: $crate::__private::HostServicesBox,
            ) -> __abi::std_types::RResult<__abi::std_types::RString, $crate::__private::FfiError>
            {
                $crate::__private::login::<$plugin>(request, host)
            }

            extern "C" fn __apc_login_v2(
                request: __abi::std_types::RString,
                host: $crate::__private::HostCallBox,
            ) -> __abi::std_types::RResult<__abi::std_types::RString, $crate::__private::FfiError>
            {
                $crate::__private::login_v2::<$plugin>(request, host)
            }

            fn __apc_module() -> $crate::__private::PluginModule_Ref {
                use __abi::prefix_type::PrefixTypeTrait;
                $crate::__private::PluginModule {
                    manifest: __apc_manifest,
                    login: __apc_login,
                    login_v2: __apc_login_v2,
                }
                .leak_into_prefix()
            }

            extern "C" fn __apc_erased_module() -> __abi::library::RootModuleResult {
                __abi::library::__call_root_module_loader(__apc_module)
            }

            // The one symbol abi_stable's loader looks for.
            // SAFETY: `from_constructor` is unsafe because the loader trusts
            // that the header describes this exact root module type; it is
            // built here from `PluginModule_Ref` and the loader checks the
            // type layout (`CheckTypeLayout::Yes`) before use. `no_mangle`
            // is required for the loader to find the symbol; the name is
            // abi_stable's and unique per library.
            #[allow(unsafe_code)]
            #[unsafe(no_mangle)]
            pub static _1as_0lib_1header_0root_bmodule_bloader: __abi::library::LibHeader = unsafe {
                __abi::library::LibHeader::from_constructor::<$crate::__private::PluginModule_Ref>(
                    __apc_erased_module,
                    __abi::library::CheckTypeLayout::Yes,
                )
            };
        };
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    /// Host services that remember what they were asked.
    #[derive(Default)]
    struct Fake {
        seen: Mutex<Vec<String>>,
        session: Mutex<Option<String>>,
    }

    impl Fake {
        fn saw(&self, what: String) {
            self.seen.lock().unwrap().push(what);
        }
    }

    impl crate::Services for Fake {
        fn serve(&self, request: ServiceRequest) -> Reply {
            match request {
                ServiceRequest::Http { request } => {
                    let r = HttpRequest::try_from(request).unwrap();
                    self.saw(format!(
                        "http {} {}",
                        r.method,
                        String::from_utf8_lossy(&r.body)
                    ));
                    let resp = HttpResponse::new(201, r.url).with_body(vec![0u8, 255]);
                    Reply::ok(WireHttpResponse::from(resp))
                }
                ServiceRequest::Password { prompt } => {
                    self.saw(format!("password {prompt}"));
                    Reply::ok("pw")
                }
                ServiceRequest::Prompt { message, secret } => {
                    self.saw(format!("prompt {message} {secret}"));
                    Reply::Error(PluginError::new(ErrorKind::NoTerminal, "no tty"))
                }
                ServiceRequest::Choose { title, choices } => {
                    self.saw(format!("choose {title} {}", choices.len()));
                    Reply::ok(choices.len() - 1)
                }
                ServiceRequest::MfaCode { .. } => Reply::ok(" 123 "),
                ServiceRequest::Notify { message } => {
                    self.saw(format!("notify {message}"));
                    Reply::done()
                }
                ServiceRequest::Log { level, message } => {
                    self.saw(format!("log {:?} {message}", LogLevel::from(level)));
                    Reply::done()
                }
                ServiceRequest::AddSecret { value } => {
                    self.saw(format!("secret {value}"));
                    Reply::done()
                }
                ServiceRequest::Sleep { millis } => {
                    self.saw(format!("sleep {millis}"));
                    Reply::Error(PluginError::new(ErrorKind::Cancelled, "interrupted"))
                }
                ServiceRequest::SessionGet { .. } => {
                    Reply::ok(self.session.lock().unwrap().clone())
                }
                ServiceRequest::SessionPut { value, .. } => {
                    *self.session.lock().unwrap() = Some(value);
                    Reply::done()
                }
                ServiceRequest::SessionDelete { .. } => {
                    *self.session.lock().unwrap() = None;
                    Reply::done()
                }
                ServiceRequest::CookiesExport => Reply::ok("jar"),
                ServiceRequest::CookiesImport { data } => {
                    self.saw(format!("cookies {data}"));
                    Reply::done()
                }
                other => Reply::not_supported(&other),
            }
        }
    }

    /// The same plugin code against a protocol-1 host (the fixed trait
    /// object) and a protocol-2 host (the JSON channel) sees the same
    /// answers, except what protocol 1 cannot offer.
    #[test]
    fn every_service_works_over_both_protocols() {
        for v1 in [true, false] {
            let fake = Arc::new(Fake::default());
            let host = if v1 {
                Host::from_ffi(crate::ffi::v1::lend(fake.clone()))
            } else {
                Host::from_services(fake.clone())
            };
            let r = host
                .http(HttpRequest::post_form("https://idp/x", [("a", "b")]))
                .unwrap();
            assert_eq!((r.status, r.body.clone()), (201, vec![0, 255]));
            assert_eq!(host.password("P").unwrap().expose(), "pw");
            assert_eq!(host.prompt("Q").unwrap_err().kind, ErrorKind::NoTerminal);
            assert_eq!(host.choose("T", &["a".into(), "b".into()]).unwrap(), 1);
            assert_eq!(host.mfa_code("C").unwrap().expose(), "123");
            host.notify("N");
            host.warn("W");
            host.add_secret("S");
            assert_eq!(
                host.sleep(Duration::from_millis(5)).unwrap_err().kind,
                ErrorKind::Cancelled
            );
            assert!(host.session_get("s").is_none());
            host.session_put("s", &Secret::new("v".into()), 9).unwrap();
            assert_eq!(host.session_get("s").unwrap().expose(), "v");
            host.session_delete("s");
            assert!(host.session_get("s").is_none());
            assert_eq!(host.cookies_export().expose(), "jar");
            host.cookies_import(&Secret::new("jar".into())).unwrap();
            let caps = host.capabilities();
            assert_eq!(caps.protocols, if v1 { vec![1] } else { vec![1, 2] });
            assert!(caps.version("session_put").is_some());
            // Services added after protocol 1 are offered over protocol 2
            // only, and a protocol-1 host answers them `not-supported`.
            assert_eq!(caps.version("browser").is_some(), !v1);
            assert_eq!(
                host.browser("https://idp/sso", None).unwrap_err().kind,
                ErrorKind::NotSupported
            );
            let unknown = host.call_json(&serde_json::json!({"service": "teleport"}));
            assert_eq!(unknown.unwrap_err().kind, ErrorKind::NotSupported);
            assert_eq!(
                *fake.seen.lock().unwrap(),
                vec![
                    "http POST a=b",
                    "password P",
                    "prompt Q false",
                    "choose T 2",
                    "notify N",
                    "log Warn W",
                    "secret S",
                    "sleep 5",
                    "cookies jar"
                ],
                "protocol 1: {v1}"
            );
        }
    }

    #[test]
    fn manifests_list_every_protocol_the_glue_exports() {
        let mut p = vec![1];
        complete_protocols(&mut p);
        assert_eq!(p, vec![1, 2]);
        let mut future = vec![99];
        complete_protocols(&mut future);
        assert_eq!(future, vec![99]);
    }
}
