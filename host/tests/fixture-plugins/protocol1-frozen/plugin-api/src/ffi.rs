//! The binary interface: the only module that names `abi_stable` types.
//!
//! The root module is deliberately tiny and frozen: two function pointers
//! whose arguments are JSON strings (see [`crate::wire`]) plus the host
//! services trait object. Protocol growth happens in the JSON and, where a
//! new host service is needed, by appending methods after the last prefix
//! field (old plugins then still load; see `PROTOCOL.md`).
//!
//! Everything here is `#[doc(hidden)]` public only because the
//! `declare_plugin!` macro expands inside plugin crates.

#![allow(non_local_definitions, non_camel_case_types)]

use abi_stable::{
    declare_root_module_statics,
    library::RootModule,
    package_version_strings, sabi_trait,
    sabi_types::VersionStrings,
    std_types::{RBox, ROption, RResult, RStr, RString, RVec, Tuple2},
    StableAbi,
};

/// An error crossing the boundary: an [`crate::ErrorKind`] code and a
/// message (and optional hint).
#[repr(C)]
#[derive(StableAbi, Debug, Clone)]
pub struct FfiError {
    pub kind: u32,
    pub message: RString,
    pub hint: ROption<RString>,
}

#[repr(C)]
#[derive(StableAbi, Debug, Clone)]
pub struct FfiHttpRequest {
    pub method: RString,
    pub url: RString,
    pub headers: RVec<Tuple2<RString, RString>>,
    pub body: RVec<u8>,
    pub follow_redirects: bool,
}

#[repr(C)]
#[derive(StableAbi, Debug, Clone)]
pub struct FfiHttpResponse {
    pub status: u16,
    pub url: RString,
    pub headers: RVec<Tuple2<RString, RString>>,
    pub body: RVec<u8>,
}

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

/// The module every plugin exports.
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = PluginModule_Ref)))]
#[sabi(missing_field(option))]
pub struct PluginModule {
    /// The plugin's [`crate::Manifest`] as JSON.
    pub manifest: extern "C" fn() -> RResult<RString, FfiError>,

    /// Runs one login: a [`crate::LoginRequest`] as JSON in, a
    /// [`crate::LoginOutcome`] as JSON out.
    #[sabi(last_prefix_field)]
    pub login: extern "C" fn(request: RString, host: HostServicesBox) -> RResult<RString, FfiError>,
}

impl RootModule for PluginModule_Ref {
    declare_root_module_statics! {PluginModule_Ref}
    const BASE_NAME: &'static str = "awsprocesscreds_plugin";
    const NAME: &'static str = "awsprocesscreds plugin";
    const VERSION_STRINGS: VersionStrings = package_version_strings!();
}

impl From<crate::PluginError> for FfiError {
    fn from(e: crate::PluginError) -> Self {
        FfiError {
            kind: e.kind.code(),
            message: e.message.into(),
            hint: e.hint.map(RString::from).into(),
        }
    }
}

impl From<FfiError> for crate::PluginError {
    fn from(e: FfiError) -> Self {
        crate::PluginError {
            kind: crate::ErrorKind::from_code(e.kind),
            message: e.message.into_string(),
            hint: e.hint.into_option().map(RString::into_string),
        }
    }
}

impl From<crate::HttpRequest> for FfiHttpRequest {
    fn from(r: crate::HttpRequest) -> Self {
        FfiHttpRequest {
            method: r.method.into(),
            url: r.url.into(),
            headers: r
                .headers
                .into_iter()
                .map(|(k, v)| Tuple2(k.into(), v.into()))
                .collect(),
            body: r.body.into(),
            follow_redirects: r.follow_redirects,
        }
    }
}

impl From<FfiHttpRequest> for crate::HttpRequest {
    fn from(r: FfiHttpRequest) -> Self {
        crate::HttpRequest {
            method: r.method.into_string(),
            url: r.url.into_string(),
            headers: r
                .headers
                .into_iter()
                .map(|Tuple2(k, v)| (k.into_string(), v.into_string()))
                .collect(),
            body: r.body.into_vec(),
            follow_redirects: r.follow_redirects,
        }
    }
}

impl From<crate::HttpResponse> for FfiHttpResponse {
    fn from(r: crate::HttpResponse) -> Self {
        FfiHttpResponse {
            status: r.status,
            url: r.url.into(),
            headers: r
                .headers
                .into_iter()
                .map(|(k, v)| Tuple2(k.into(), v.into()))
                .collect(),
            body: r.body.into(),
        }
    }
}

impl From<FfiHttpResponse> for crate::HttpResponse {
    fn from(r: FfiHttpResponse) -> Self {
        crate::HttpResponse {
            status: r.status,
            url: r.url.into_string(),
            headers: r
                .headers
                .into_iter()
                .map(|Tuple2(k, v)| (k.into_string(), v.into_string()))
                .collect(),
            body: r.body.into_vec(),
        }
    }
}

pub(crate) fn rstr(s: &str) -> RStr<'_> {
    RStr::from(s)
}

pub(crate) fn rvec_strings(v: &[String]) -> RVec<RString> {
    v.iter().map(|s| RString::from(s.as_str())).collect()
}

pub(crate) fn into_result<T, E>(r: RResult<T, E>) -> Result<T, E> {
    r.into_result()
}

pub(crate) fn ok<T, E>(v: T) -> RResult<T, E> {
    RResult::ROk(v)
}

pub(crate) fn err<T, E>(e: E) -> RResult<T, E> {
    RResult::RErr(e)
}

pub(crate) fn some(s: String) -> ROption<RString> {
    ROption::RSome(s.into())
}

pub(crate) fn none() -> ROption<RString> {
    ROption::RNone
}

pub(crate) fn option(o: ROption<RString>) -> Option<String> {
    o.into_option().map(RString::into_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sizes of the types that cross the boundary, and the order of
    /// their fields, on 64-bit targets. If this test fails you changed the
    /// binary interface: follow `PROTOCOL.md` (append host services after the
    /// last prefix field only; never change existing types) and re-pin.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn boundary_types_are_pinned() {
        use std::mem::{offset_of, size_of};
        assert_eq!(size_of::<FfiError>(), 80);
        assert_eq!(
            [
                offset_of!(FfiError, kind),
                offset_of!(FfiError, message),
                offset_of!(FfiError, hint)
            ],
            [0, 8, 40]
        );
        assert_eq!(size_of::<FfiHttpRequest>(), 136);
        assert_eq!(
            [
                offset_of!(FfiHttpRequest, method),
                offset_of!(FfiHttpRequest, url),
                offset_of!(FfiHttpRequest, headers),
                offset_of!(FfiHttpRequest, body),
                offset_of!(FfiHttpRequest, follow_redirects),
            ],
            [0, 32, 64, 96, 128]
        );
        assert_eq!(size_of::<FfiHttpResponse>(), 104);
        assert_eq!(
            [
                offset_of!(FfiHttpResponse, status),
                offset_of!(FfiHttpResponse, url),
                offset_of!(FfiHttpResponse, headers),
                offset_of!(FfiHttpResponse, body),
            ],
            [0, 8, 40, 72]
        );
        // The layout abi_stable checks at load time is reachable from the
        // root module type.
        let _ = <PluginModule_Ref as abi_stable::StableAbi>::LAYOUT;
    }
}
