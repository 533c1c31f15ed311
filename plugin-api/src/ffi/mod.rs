//! The binary interface: the only module that names `abi_stable` types.
//!
//! The root module is deliberately tiny and frozen: function pointers
//! whose arguments are JSON strings (see [`protocol`]) plus a host
//! trait object. Protocol 2 grows in the JSON only: every host service is a
//! message through the one [`HostCall`], so no type here changes when a
//! service is added (see `PROTOCOL.md`). Everything of protocol 1 (its
//! method table, its root module, and the adapters both ways) is in
//! [`v1`].
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

/// Protocol 2's single host-call function: a [`crate::ServiceRequest`] as
/// JSON in, a [`crate::Reply`] as JSON out. New services are new JSON
/// messages, so this trait never grows.
#[sabi_trait]
pub trait HostCall: Send + Sync {
    #[sabi(last_prefix_field)]
    fn call(&self, message: RStr<'_>) -> RString;
}

/// The protocol-2 trait object type handed to plugins.
pub type HostCallBox = HostCall_TO<'static, RBox<()>>;

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
    pub login:
        extern "C" fn(request: RString, host: v1::HostServicesBox) -> RResult<RString, FfiError>,

    /// Protocol 2 (added in plugin-api 0.1.1, after the last prefix field so
    /// plugins built before it still load: reading it from such a plugin
    /// gives `None`). Same request and result as `login`, but every host
    /// service goes through the one [`HostCall`].
    pub login_v2: extern "C" fn(request: RString, host: HostCallBox) -> RResult<RString, FfiError>,
}

impl RootModule for PluginModule_Ref {
    declare_root_module_statics! {PluginModule_Ref}
    const BASE_NAME: &'static str = "awsprocesscreds_plugin";
    const NAME: &'static str = "awsprocesscreds plugin";
    const VERSION_STRINGS: VersionStrings = package_version_strings!();
}

pub mod v1;

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
        let mut error =
            crate::PluginError::new(crate::ErrorKind::from_code(e.kind), e.message.into_string());
        error.hint = e.hint.into_option().map(RString::into_string);
        error
    }
}

type FfiHeaders = RVec<Tuple2<RString, RString>>;

fn headers_to_ffi(headers: Vec<(String, String)>) -> FfiHeaders {
    headers
        .into_iter()
        .map(|(k, v)| Tuple2(k.into(), v.into()))
        .collect()
}

fn headers_from_ffi(headers: FfiHeaders) -> Vec<(String, String)> {
    headers
        .into_iter()
        .map(|Tuple2(k, v)| (k.into_string(), v.into_string()))
        .collect()
}

impl From<crate::HttpRequest> for FfiHttpRequest {
    fn from(r: crate::HttpRequest) -> Self {
        FfiHttpRequest {
            method: r.method.into(),
            url: r.url.into(),
            headers: headers_to_ffi(r.headers),
            body: r.body.into(),
            follow_redirects: r.follow_redirects,
        }
    }
}

impl From<FfiHttpRequest> for crate::HttpRequest {
    fn from(r: FfiHttpRequest) -> Self {
        let request = headers_from_ffi(r.headers).into_iter().fold(
            crate::HttpRequest::new(r.method.into_string(), r.url.into_string()),
            |request, (k, v)| request.header(k, v),
        );
        request
            .with_body(r.body.into_vec())
            .with_follow_redirects(r.follow_redirects)
    }
}

impl From<crate::HttpResponse> for FfiHttpResponse {
    fn from(r: crate::HttpResponse) -> Self {
        FfiHttpResponse {
            status: r.status,
            url: r.url.into(),
            headers: headers_to_ffi(r.headers),
            body: r.body.into(),
        }
    }
}

impl From<FfiHttpResponse> for crate::HttpResponse {
    fn from(r: FfiHttpResponse) -> Self {
        crate::HttpResponse::new(r.status, r.url.into_string())
            .with_headers(headers_from_ffi(r.headers))
            .with_body(r.body.into_vec())
    }
}

/// Protocol 2's host-call object for one login: every message is served
/// by [`crate::serve_json`] (which catches panics in the host's services).
pub(crate) fn lend(services: std::sync::Arc<dyn crate::Services>) -> HostCallBox {
    HostCall_TO::from_value(Lent { inner: services }, abi_stable::sabi_trait::TD_Opaque)
}

struct Lent {
    inner: std::sync::Arc<dyn crate::Services>,
}

impl HostCall for Lent {
    fn call(&self, message: RStr<'_>) -> RString {
        protocol::serve_json(&*self.inner, message.as_str()).into()
    }
}

pub(crate) fn ok<T, E>(v: T) -> RResult<T, E> {
    RResult::ROk(v)
}

pub(crate) fn err<T, E>(e: E) -> RResult<T, E> {
    RResult::RErr(e)
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
        // Protocol 2's entry point is optional: a module without it (a
        // protocol-1 plugin) reads as None instead of failing to load.
        extern "C" fn m() -> RResult<RString, FfiError> {
            RResult::ROk(RString::new())
        }
        extern "C" fn l1(_: RString, _: v1::HostServicesBox) -> RResult<RString, FfiError> {
            RResult::ROk(RString::new())
        }
        extern "C" fn l2(_: RString, _: HostCallBox) -> RResult<RString, FfiError> {
            RResult::ROk(RString::new())
        }
        let module = PluginModule {
            manifest: m,
            login: l1,
            login_v2: l2,
        };
        use abi_stable::prefix_type::PrefixTypeTrait;
        let r: PluginModule_Ref = module.leak_into_prefix();
        assert!(r.login_v2().is_some());
        // The layout abi_stable checks at load time is reachable from the
        // root module type.
        let _ = <PluginModule_Ref as abi_stable::StableAbi>::LAYOUT;
    }
}
