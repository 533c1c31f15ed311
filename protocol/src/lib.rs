//! The awsprocesscreds plugin protocol, as plain serde types.
//!
//! Everything that crosses between the host and a plugin is JSON, and this
//! crate is its one definition: the [`Manifest`] a plugin describes itself
//! with, the [`LoginRequest`] it gets, the [`LoginOutcome`] or
//! [`PluginError`] it returns, and the host-service messages
//! ([`ServiceRequest`], [`Reply`], [`SERVICES`]) of protocol 2. `PROTOCOL.md`
//! at the repository root describes the same documents for plugins in any
//! language; the JSON shapes are pinned by this crate's tests.
//!
//! Two modules hold facts both sides need: [`aws`] (the AWS partitions and
//! their sign-in endpoints) and [`url_policy`] (which URLs may be used, and
//! how a URL is shown without its secrets).
//!
//! Rust plugins use it through `awsprocesscreds-plugin-api`, which
//! re-exports everything here and adds the binary interface for library
//! plugins. Dependencies: serde, serde_json, base64, url, thiserror.

pub mod aws;
mod message;
mod secret;
mod serve;
pub mod url_policy;
mod wire;

pub use message::{
    Capabilities, Reply, ServiceRequest, WireHttpRequest, WireHttpResponse, WireLogLevel, SERVICES,
};
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
