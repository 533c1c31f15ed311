//! The stable plugin interface of awsprocesscreds.
//!
//! A plugin is a `cdylib` that implements [`Plugin`] and exports it with
//! [`declare_plugin!`]. The host loads it with [`load`] and lends it
//! [`Host`] services (HTTP, terminal, logging, session storage) for each
//! login. See `PROTOCOL.md` at the repository root for the versioning rules
//! and `examples/static` for a complete plugin to copy.
//!
//! The JSON documents and messages, [`Secret`], the AWS partitions
//! ([`aws`]) and the URL policy ([`url_policy`]) are defined in the
//! serde-only `awsprocesscreds-protocol` crate and re-exported here, so a
//! plugin depends on this crate only. What this crate adds is the binary
//! interface of library plugins (`ffi`, with everything of protocol 1 in
//! `ffi::v1`), the loader and the process transport.
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
mod pinned;
mod plugin;
mod process;

/// The wire types, messages, [`Secret`], [`aws`] and [`url_policy`] of the
/// serde-only `awsprocesscreds-protocol` crate, so a plugin needs only this
/// crate.
pub use protocol::*;

pub use load_error::LoadError;
pub use loader::{load, load_file, FileKind, LoadedPlugin};
pub use plugin::{Host, Plugin};
pub use process::Limits;

/// Used by `declare_plugin!`; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::ffi::v1::HostServicesBox;
    pub use crate::ffi::{FfiError, HostCallBox, PluginModule, PluginModule_Ref};
    pub use crate::plugin::{__login as login, __login_v2 as login_v2, __manifest as manifest};
    pub use abi_stable;
}
