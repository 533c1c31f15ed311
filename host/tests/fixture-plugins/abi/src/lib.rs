//! Test fixture: the right symbol, the wrong layout (a changed signature).
#![allow(non_local_definitions, non_camel_case_types)]

use abi_stable::{
    declare_root_module_statics, export_root_module, library::RootModule, package_version_strings,
    prefix_type::PrefixTypeTrait, sabi_types::VersionStrings, std_types::RString, StableAbi,
};

#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = PluginModule_Ref)))]
#[sabi(missing_field(option))]
pub struct PluginModule {
    pub manifest: extern "C" fn(u64) -> u64,
    #[sabi(last_prefix_field)]
    pub login: extern "C" fn(RString) -> RString,
}

impl RootModule for PluginModule_Ref {
    declare_root_module_statics! {PluginModule_Ref}
    const BASE_NAME: &'static str = "awsprocesscreds_plugin";
    const NAME: &'static str = "awsprocesscreds plugin";
    const VERSION_STRINGS: VersionStrings = package_version_strings!();
}

extern "C" fn manifest(x: u64) -> u64 {
    x
}

extern "C" fn login(s: RString) -> RString {
    s
}

#[export_root_module]
pub fn get_library() -> PluginModule_Ref {
    PluginModule { manifest, login }.leak_into_prefix()
}
