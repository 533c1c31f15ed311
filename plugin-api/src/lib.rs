//! The stable plugin interface of awsprocesscreds.
//!
//! A plugin is a `cdylib` that implements [`Plugin`] and exports it with
//! [`declare_plugin!`]. The host loads it with [`load`] and lends it
//! [`Host`] services (HTTP, terminal, logging, session storage) for each
//! login. See `PROTOCOL.md` at the repository root for the versioning rules
//! and `examples/static` for a complete plugin to copy.
//!
//! `abi_stable` is an implementation detail of this crate: plugins and the
//! host never name it, so replacing it touches this crate only.

// The one module allowed to hold `unsafe` (abi_stable's derives emit
// `unsafe impl`s for the FFI types); each hand-written block there carries a
// `SAFETY:` comment.
#[allow(unsafe_code)]
mod ffi;
mod load_error;
mod loader;
mod message;
mod plugin;
mod process;
mod secret;
mod serve;
mod wire;

pub use load_error::LoadError;
pub use loader::{load, load_file, FileKind, LoadedPlugin};
pub use message::{
    Capabilities, Reply, ServiceRequest, WireHttpRequest, WireHttpResponse, WireLogLevel, SERVICES,
};
pub use plugin::{Host, Plugin};
pub use process::Limits;
pub use secret::Secret;
pub use serve::{serve, serve_json, serve_value, Services};
pub use wire::{
    Credentials, ErrorKind, HttpRequest, HttpResponse, Inputs, LogLevel, LoginOutcome,
    LoginRequest, Manifest, MfaSettings, Need, OptionSpec, PluginError, PluginKind,
};

/// The plugin protocol version this crate implements. It is independent of
/// the crate's version: it changes only when the meaning or shape of what
/// crosses the boundary changes (see `PROTOCOL.md`).
pub const PROTOCOL_VERSION: u32 = 2;

/// The protocol versions a host built from this crate can talk to.
pub const SUPPORTED_PROTOCOLS: std::ops::RangeInclusive<u32> = 1..=PROTOCOL_VERSION;

/// Used by `declare_plugin!`; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::ffi::v1::HostServicesBox;
    pub use crate::ffi::{FfiError, HostCallBox, PluginModule, PluginModule_Ref};
    pub use crate::plugin::{__login as login, __login_v2 as login_v2, __manifest as manifest};
    pub use abi_stable;
}
