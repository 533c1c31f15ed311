//! The plugin author's side: the [`Plugin`] trait, the [`Host`] handle and
//! the glue that `declare_plugin!` expands to.

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::ffi::{self, FfiError, HostServicesBox};
use crate::wire::{
    ErrorKind, HttpRequest, HttpResponse, LogLevel, LoginOutcome, LoginRequest, Manifest,
    PluginError,
};
use crate::Secret;

/// Implement this, then `declare_plugin!(YourType)`.
pub trait Plugin: Default {
    /// Who you are and what you need. Called once per load.
    fn manifest(&self) -> Manifest;

    /// Run one login conversation. Use `host` for every side effect.
    fn login(&self, request: &LoginRequest, host: &Host) -> Result<LoginOutcome, PluginError>;
}

/// The host's services, as a plugin sees them.
pub struct Host {
    inner: HostServicesBox,
}

impl Host {
    #[doc(hidden)]
    pub fn from_ffi(inner: HostServicesBox) -> Self {
        Host { inner }
    }

    /// A `Host` backed by in-process services, for testing a plugin's
    /// `login` without building and loading the library.
    pub fn from_services(services: std::sync::Arc<dyn crate::Services>) -> Self {
        Host {
            inner: crate::loader::services_box(services),
        }
    }

    /// Send an HTTP request through the host's client.
    pub fn http(&self, request: HttpRequest) -> Result<HttpResponse, PluginError> {
        ffi::into_result(self.inner.http(request.into()))
            .map(Into::into)
            .map_err(Into::into)
    }

    /// The user's IdP password (from `--password-command`, the environment,
    /// the keychain or the terminal, as the user configured).
    pub fn password(&self, prompt: &str) -> Result<Secret<String>, PluginError> {
        ffi::into_result(self.inner.password(ffi::rstr(prompt)))
            .map(|s| Secret::new(s.into_string()))
            .map_err(Into::into)
    }

    /// A line typed on the terminal.
    pub fn prompt(&self, message: &str) -> Result<String, PluginError> {
        ffi::into_result(self.inner.prompt(ffi::rstr(message), false))
            .map(|s| s.into_string())
            .map_err(Into::into)
    }

    /// A line typed on the terminal without echo.
    pub fn prompt_secret(&self, message: &str) -> Result<Secret<String>, PluginError> {
        ffi::into_result(self.inner.prompt(ffi::rstr(message), true))
            .map(|s| Secret::new(s.into_string()))
            .map_err(Into::into)
    }

    /// Let the user pick one of `choices` on the terminal.
    pub fn choose(&self, title: &str, choices: &[String]) -> Result<usize, PluginError> {
        ffi::into_result(
            self.inner
                .choose(ffi::rstr(title), ffi::rvec_strings(choices)),
        )
        .map(|i| i as usize)
        .map_err(Into::into)
    }

    /// A one-time code from `--mfa-code-command` or the terminal.
    pub fn mfa_code(&self, prompt: &str) -> Result<Secret<String>, PluginError> {
        ffi::into_result(self.inner.mfa_code(ffi::rstr(prompt)))
            .map(|s| Secret::new(s.into_string().trim().to_string()))
            .map_err(Into::into)
    }

    /// Show a notice on the terminal (or stderr without one).
    pub fn notify(&self, message: &str) {
        self.inner.notify(ffi::rstr(message))
    }

    pub fn log(&self, level: LogLevel, message: &str) {
        self.inner.log(level as u8, ffi::rstr(message))
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
            self.inner.add_secret(ffi::rstr(value))
        }
    }

    /// Sleep; fails with `Cancelled` if the user interrupted.
    pub fn sleep(&self, duration: std::time::Duration) -> Result<(), PluginError> {
        ffi::into_result(self.inner.sleep(duration.as_millis() as u64)).map_err(Into::into)
    }

    /// A value stored by [`Host::session_put`] for this provider, endpoint
    /// and user, unless it expired.
    pub fn session_get(&self, name: &str) -> Option<Secret<String>> {
        ffi::option(self.inner.session_get(ffi::rstr(name))).map(Secret::new)
    }

    /// Keep a value (an IdP session, never a password) until `expires_unix`.
    pub fn session_put(
        &self,
        name: &str,
        value: &Secret<String>,
        expires_unix: i64,
    ) -> Result<(), PluginError> {
        ffi::into_result(self.inner.session_put(
            ffi::rstr(name),
            value.expose().as_str().into(),
            expires_unix,
        ))
        .map_err(Into::into)
    }

    pub fn session_delete(&self, name: &str) {
        self.inner.session_delete(ffi::rstr(name))
    }

    /// This login's cookies, serialized; store with [`Host::session_put`].
    pub fn cookies_export(&self) -> Secret<String> {
        Secret::new(self.inner.cookies_export().into_string())
    }

    /// Restore cookies saved by [`Host::cookies_export`].
    pub fn cookies_import(&self, data: &Secret<String>) -> Result<(), PluginError> {
        ffi::into_result(self.inner.cookies_import(ffi::rstr(data.expose()))).map_err(Into::into)
    }
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
        let manifest = P::default().manifest();
        serde_json::to_string(&manifest)
    }) {
        Ok(Ok(json)) => ffi::ok(json.into()),
        Ok(Err(e)) => ffi::err(PluginError::other(format!("manifest: {e}")).into()),
        Err(payload) => ffi::err(panicked("its manifest", &*payload)),
    }
}

#[doc(hidden)]
pub fn __login<P: Plugin>(
    request: abi_stable::std_types::RString,
    host: HostServicesBox,
) -> abi_stable::std_types::RResult<abi_stable::std_types::RString, FfiError> {
    quiet_panics();
    let host = Host::from_ffi(host);
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

            fn __apc_module() -> $crate::__private::PluginModule_Ref {
                use __abi::prefix_type::PrefixTypeTrait;
                $crate::__private::PluginModule {
                    manifest: __apc_manifest,
                    login: __apc_login,
                }
                .leak_into_prefix()
            }

            extern "C" fn __apc_erased_module() -> __abi::library::RootModuleResult {
                __abi::library::__call_root_module_loader(__apc_module)
            }

            // The one symbol abi_stable's loader looks for.
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
