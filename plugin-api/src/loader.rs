//! The host's side: load a plugin file, read its manifest, run a login
//! with the host's [`Services`].

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use abi_stable::library::{lib_header_from_path, LibraryError};
use abi_stable::std_types::RResult;

use crate::ffi::{self, PluginModule_Ref};
use crate::load_error::LoadError;
use crate::process::{Limits, Process};
use crate::{Services, SUPPORTED_PROTOCOLS};
use protocol::{LoginOutcome, LoginRequest, Manifest, PluginError};

/// How a plugin file is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileKind {
    /// A shared library loaded into the host (`cdylib`).
    Library,
    /// An executable speaking JSON lines on stdin/stdout.
    Executable,
}

/// A plugin that loaded and whose manifest the host understands.
#[derive(Clone)]
pub struct LoadedPlugin {
    transport: Transport,
    manifest: Manifest,
    protocol: u32,
    path: PathBuf,
}

#[derive(Clone)]
enum Transport {
    Library(PluginModule_Ref),
    /// A library built from plugin-api 0.1.0 (protocol 1 only).
    LibraryV1(ffi::v1::PluginModule_Ref),
    Process(Arc<Process>),
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
    load_library_at(path, path)
}

/// Load a plugin from a file the host has opened and checked. What is
/// loaded or run is that same file even if someone renames another file
/// into its place meanwhile: on Linux through `/proc/self/fd/N`, on macOS
/// from a private copy of the checked file (see `pinned.rs` for every
/// platform). `display` is the path shown to the user.
pub fn load_file(
    file: std::fs::File,
    display: &Path,
    kind: FileKind,
    limits: Limits,
) -> Result<LoadedPlugin, LoadError> {
    match kind {
        FileKind::Library => {
            let pinned = crate::pinned::pin(file, display, kind)?;
            let loaded = load_library_at(pinned.path(), display);
            pinned.library_loaded();
            loaded
        }
        FileKind::Executable => {
            let (process, manifest) = Process::start(file, display, limits)?;
            let manifest = check_manifest(manifest)?;
            let protocol = if manifest.protocols.contains(&2) {
                2
            } else {
                return Err(unsupported(&manifest, "2"));
            };
            Ok(LoadedPlugin {
                transport: Transport::Process(Arc::new(process)),
                manifest,
                protocol,
                path: display.to_path_buf(),
            })
        }
    }
}

fn unsupported(manifest: &Manifest, supported: &str) -> LoadError {
    LoadError::UnsupportedProtocol {
        name: manifest.name.clone(),
        offered: manifest.protocols.clone(),
        supported: supported.to_string(),
    }
}

pub(crate) fn check_manifest(manifest: Manifest) -> Result<Manifest, LoadError> {
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
    Ok(manifest)
}

fn load_library_at(path: &Path, display: &Path) -> Result<LoadedPlugin, LoadError> {
    let header = lib_header_from_path(path).map_err(classify)?;
    let (transport, manifest_fn, has_v2) = match header.init_root_module::<PluginModule_Ref>() {
        Ok(m) => (Transport::Library(m), m.manifest(), m.login_v2().is_some()),
        // A protocol-1 library has one prefix field fewer: try the frozen
        // protocol-1 root module before giving up.
        Err(first @ LibraryError::AbiInstability(_)) => {
            match header.init_root_module::<ffi::v1::PluginModule_Ref>() {
                Ok(m) => (Transport::LibraryV1(m), m.manifest(), false),
                Err(_) => return Err(classify(first)),
            }
        }
        Err(e) => return Err(classify(e)),
    };
    let manifest_json = catch_unwind(|| manifest_fn())
        .map_err(|_| LoadError::InitFailed("panicked while describing itself".into()))?;
    let manifest_json = match manifest_json {
        RResult::ROk(s) => s,
        RResult::RErr(e) => return Err(LoadError::BadManifest(e.message.into_string())),
    };
    let manifest: Manifest = serde_json::from_str(manifest_json.as_str())
        .map_err(|e| LoadError::BadManifest(e.to_string()))?;
    let manifest = check_manifest(manifest)?;
    // Protocol 2 needs the optional entry point; a library without it (a
    // protocol-1 build) is used over protocol 1.
    let protocol = manifest
        .protocols
        .iter()
        .copied()
        .filter(|p| SUPPORTED_PROTOCOLS.contains(p))
        .filter(|p| *p != 2 || has_v2)
        .max()
        .ok_or_else(|| {
            unsupported(
                &manifest,
                &format!(
                    "{}..={}",
                    SUPPORTED_PROTOCOLS.start(),
                    SUPPORTED_PROTOCOLS.end()
                ),
            )
        })?;
    Ok(LoadedPlugin {
        transport,
        manifest,
        protocol,
        path: display.to_path_buf(),
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

    /// Whether this plugin runs as a separate process.
    pub fn is_process(&self) -> bool {
        matches!(self.transport, Transport::Process(_))
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
        let (v1, v2) = match &self.transport {
            Transport::Process(p) => return p.login(&self.manifest.name, &request, services),
            Transport::Library(m) if self.protocol >= 2 => (m.login(), m.login_v2()),
            Transport::Library(m) => (m.login(), None),
            Transport::LibraryV1(m) => (m.login(), None),
        };
        // The plugin catches its own panics; this catch is for a plugin that
        // was not built with `declare_plugin!` and unwinds anyway.
        let result = catch_unwind(AssertUnwindSafe(|| match v2 {
            Some(login) => login(json.into(), ffi::lend(services)),
            None => v1(json.into(), ffi::v1::lend(services)),
        }))
        .map_err(|_| {
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
