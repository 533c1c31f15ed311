//! The host's side: load a plugin file, read its manifest, run a login with
//! host services implemented as a plain Rust trait.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use abi_stable::library::{lib_header_from_path, LibraryError};
use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::{ROption, RResult, RStr, RString, RVec};

use crate::ffi::{
    self, FfiError, FfiHttpRequest, FfiHttpResponse, HostServices, HostServices_TO,
    PluginModule_Ref,
};
use crate::wire::{
    ErrorKind, HttpRequest, HttpResponse, LoginOutcome, LoginRequest, Manifest, PluginError,
};
use crate::{Secret, SUPPORTED_PROTOCOLS};

/// Why a file could not be used as a plugin.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("not a loadable shared library: {0}")]
    NotALibrary(String),
    #[error("a shared library, but not an awsprocesscreds plugin")]
    NotAPlugin,
    #[error("built against an incompatible plugin API ({0})")]
    IncompatibleApi(String),
    /// The binary layout differs. `summary` holds the `Error:` lines,
    /// `detail` the whole layout dump (for `-v`).
    #[error("binary interface mismatch: {summary}")]
    AbiMismatch { summary: String, detail: String },
    #[error("plugin '{name}' speaks plugin protocol {offered:?}; this host speaks {supported}")]
    UnsupportedProtocol {
        name: String,
        offered: Vec<u32>,
        supported: String,
    },
    #[error("its manifest is invalid: {0}")]
    BadManifest(String),
    #[error("it failed to initialize: {0}")]
    InitFailed(String),
}

/// A plugin that loaded and whose manifest the host understands.
#[derive(Clone)]
pub struct LoadedPlugin {
    module: PluginModule_Ref,
    manifest: Manifest,
    protocol: u32,
    path: PathBuf,
}

impl std::fmt::Debug for LoadedPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedPlugin")
            .field("manifest", &self.manifest)
            .field("path", &self.path)
            .finish()
    }
}

/// Load the plugin at `path` (must be absolute; libraries are never
/// unloaded, so load each canonical path once).
pub fn load(path: &Path) -> Result<LoadedPlugin, LoadError> {
    let header = lib_header_from_path(path).map_err(classify)?;
    let module = header
        .init_root_module::<PluginModule_Ref>()
        .map_err(classify)?;
    let manifest_fn = module.manifest();
    let manifest_json = catch_unwind(|| manifest_fn())
        .map_err(|_| LoadError::InitFailed("panicked while describing itself".into()))?;
    let manifest_json = match manifest_json {
        RResult::ROk(s) => s,
        RResult::RErr(e) => return Err(LoadError::BadManifest(e.message.into_string())),
    };
    let manifest: Manifest = serde_json::from_str(manifest_json.as_str())
        .map_err(|e| LoadError::BadManifest(e.to_string()))?;
    if manifest.name.trim().is_empty()
        || !manifest
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
    {
        return Err(LoadError::BadManifest(format!(
            "plugin name {:?} must be non-empty ASCII letters, digits, '-', '_' or '.'",
            manifest.name
        )));
    }
    let protocol = manifest
        .protocols
        .iter()
        .copied()
        .filter(|p| SUPPORTED_PROTOCOLS.contains(p))
        .max()
        .ok_or_else(|| LoadError::UnsupportedProtocol {
            name: manifest.name.clone(),
            offered: manifest.protocols.clone(),
            supported: format!(
                "{}..={}",
                SUPPORTED_PROTOCOLS.start(),
                SUPPORTED_PROTOCOLS.end()
            ),
        })?;
    Ok(LoadedPlugin {
        module,
        manifest,
        protocol,
        path: path.to_path_buf(),
    })
}

fn classify(e: LibraryError) -> LoadError {
    match e {
        LibraryError::OpenError { err, path } => {
            // The loader's text repeats the path; the caller shows it already.
            let text = err.to_string();
            let text = text.replace(&format!("{}: ", path.display()), "");
            LoadError::NotALibrary(text)
        }
        LibraryError::GetSymbolError { .. } => LoadError::NotAPlugin,
        LibraryError::IncompatibleVersionNumber {
            expected_version,
            actual_version,
            ..
        } => LoadError::IncompatibleApi(format!(
            "plugin API {actual_version}, host expects {expected_version}"
        )),
        LibraryError::ParseVersionError(e) => LoadError::IncompatibleApi(e.to_string()),
        LibraryError::AbiInstability(e) => {
            let detail = e.to_string();
            let mut summary: Vec<String> = detail
                .lines()
                .map(str::trim)
                .filter(|l| l.starts_with("Error:"))
                .map(|l| l.trim_start_matches("Error:").trim().to_string())
                .collect();
            summary.dedup();
            summary.truncate(3);
            let summary = if summary.is_empty() {
                "layout differs".to_string()
            } else {
                summary.join("; ")
            };
            LoadError::AbiMismatch { summary, detail }
        }
        LibraryError::InvalidAbiHeader(h) => {
            LoadError::IncompatibleApi(format!("abi_stable header {h:?}"))
        }
        LibraryError::InvalidCAbi { .. } => {
            LoadError::IncompatibleApi("built with an incompatible C ABI".into())
        }
        LibraryError::RootModule { err, .. } => LoadError::InitFailed(err.to_string()),
        other => LoadError::InitFailed(other.to_string()),
    }
}

impl LoadedPlugin {
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The protocol version the host uses with this plugin.
    pub fn protocol(&self) -> u32 {
        self.protocol
    }

    /// Run a login on the calling thread (which may block for minutes).
    pub fn login(
        &self,
        request: &LoginRequest,
        services: Arc<dyn Services>,
    ) -> Result<LoginOutcome, PluginError> {
        let mut request = request.clone();
        request.protocol = self.protocol;
        let json = serde_json::to_string(&request)
            .map_err(|e| PluginError::other(format!("encoding the login request: {e}")))?;
        let host = services_box(services);
        let login = self.module.login();
        // The plugin catches its own panics; this catch is for a plugin that
        // was not built with `declare_plugin!` and unwinds anyway.
        let result = catch_unwind(AssertUnwindSafe(|| login(json.into(), host))).map_err(|_| {
            PluginError::other(format!(
                "plugin '{}' crashed during login",
                self.manifest.name
            ))
        })?;
        match result {
            RResult::ROk(json) => serde_json::from_str(json.as_str()).map_err(|e| {
                PluginError::protocol(format!(
                    "plugin '{}' returned a result the host cannot read ({e})",
                    self.manifest.name
                ))
                .with_hint("the plugin may be built for another version of awsprocesscreds")
            }),
            RResult::RErr(e) => Err(e.into()),
        }
    }
}

/// What the host implements to serve a plugin. Methods must not panic (a
/// panic is caught and turned into an error, but the operation is lost).
pub trait Services: Send + Sync {
    fn http(&self, request: HttpRequest) -> Result<HttpResponse, PluginError>;
    fn password(&self, prompt: &str) -> Result<Secret<String>, PluginError>;
    fn prompt(&self, message: &str, secret: bool) -> Result<Secret<String>, PluginError>;
    fn choose(&self, title: &str, choices: &[String]) -> Result<usize, PluginError>;
    fn mfa_code(&self, prompt: &str) -> Result<Secret<String>, PluginError>;
    fn notify(&self, message: &str);
    fn log(&self, level: crate::LogLevel, message: &str);
    fn add_secret(&self, value: &str);
    fn sleep(&self, duration: std::time::Duration) -> Result<(), PluginError>;
    fn session_get(&self, name: &str) -> Option<Secret<String>>;
    fn session_put(
        &self,
        name: &str,
        value: Secret<String>,
        expires_unix: i64,
    ) -> Result<(), PluginError>;
    fn session_delete(&self, name: &str);
    fn cookies_export(&self) -> Secret<String>;
    fn cookies_import(&self, data: &str) -> Result<(), PluginError>;
}

pub(crate) fn services_box(services: Arc<dyn Services>) -> ffi::HostServicesBox {
    HostServices_TO::from_value(Adapter { inner: services }, TD_Opaque)
}

struct Adapter {
    inner: Arc<dyn Services>,
}

fn guard<T>(what: &str, f: impl FnOnce() -> Result<T, PluginError>) -> RResult<T, FfiError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => RResult::ROk(v),
        Ok(Err(e)) => RResult::RErr(e.into()),
        Err(_) => RResult::RErr(
            PluginError::new(
                ErrorKind::Other,
                format!("internal error in host service {what}"),
            )
            .into(),
        ),
    }
}

fn quiet(f: impl FnOnce()) {
    let _ = catch_unwind(AssertUnwindSafe(f));
}

impl HostServices for Adapter {
    fn http(&self, request: FfiHttpRequest) -> RResult<FfiHttpResponse, FfiError> {
        guard("http", || self.inner.http(request.into()).map(Into::into))
    }

    fn password(&self, prompt: RStr<'_>) -> RResult<RString, FfiError> {
        guard("password", || {
            self.inner
                .password(prompt.as_str())
                .map(|s| RString::from(s.into_inner()))
        })
    }

    fn prompt(&self, message: RStr<'_>, secret: bool) -> RResult<RString, FfiError> {
        guard("prompt", || {
            self.inner
                .prompt(message.as_str(), secret)
                .map(|s| RString::from(s.into_inner()))
        })
    }

    fn choose(&self, title: RStr<'_>, choices: RVec<RString>) -> RResult<u32, FfiError> {
        guard("choose", || {
            let choices: Vec<String> = choices.into_iter().map(RString::into_string).collect();
            self.inner
                .choose(title.as_str(), &choices)
                .map(|i| i as u32)
        })
    }

    fn mfa_code(&self, prompt: RStr<'_>) -> RResult<RString, FfiError> {
        guard("mfa_code", || {
            self.inner
                .mfa_code(prompt.as_str())
                .map(|s| RString::from(s.into_inner()))
        })
    }

    fn notify(&self, message: RStr<'_>) {
        quiet(|| self.inner.notify(message.as_str()))
    }

    fn log(&self, level: u8, message: RStr<'_>) {
        quiet(|| {
            self.inner
                .log(crate::LogLevel::from_code(level), message.as_str())
        })
    }

    fn add_secret(&self, value: RStr<'_>) {
        quiet(|| self.inner.add_secret(value.as_str()))
    }

    fn sleep(&self, millis: u64) -> RResult<(), FfiError> {
        guard("sleep", || {
            self.inner.sleep(std::time::Duration::from_millis(millis))
        })
    }

    fn session_get(&self, name: RStr<'_>) -> ROption<RString> {
        match catch_unwind(AssertUnwindSafe(|| self.inner.session_get(name.as_str()))) {
            Ok(Some(v)) => ffi::some(v.into_inner()),
            _ => ffi::none(),
        }
    }

    fn session_put(
        &self,
        name: RStr<'_>,
        value: RString,
        expires_unix: i64,
    ) -> RResult<(), FfiError> {
        guard("session_put", || {
            self.inner.session_put(
                name.as_str(),
                Secret::new(value.into_string()),
                expires_unix,
            )
        })
    }

    fn session_delete(&self, name: RStr<'_>) {
        quiet(|| self.inner.session_delete(name.as_str()))
    }

    fn cookies_export(&self) -> RString {
        catch_unwind(AssertUnwindSafe(|| self.inner.cookies_export()))
            .map(|s| RString::from(s.into_inner()))
            .unwrap_or_default()
    }

    fn cookies_import(&self, data: RStr<'_>) -> RResult<(), FfiError> {
        guard("cookies_import", || {
            self.inner.cookies_import(data.as_str())
        })
    }
}
