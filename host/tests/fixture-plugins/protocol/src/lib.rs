//! Test fixture: a plugin that speaks only a future protocol version.

use plugin_api::*;

#[derive(Default)]
pub struct Future;

impl Plugin for Future {
    fn manifest(&self) -> Manifest {
        Manifest::new("fixture-future", "9.0.0", PluginKind::SamlIdp)
            .protocols(vec![99])
            .description("test fixture")
    }

    fn login(&self, _req: &LoginRequest, _host: &Host) -> Result<LoginOutcome, PluginError> {
        Err(PluginError::other("never called"))
    }
}

declare_plugin!(Future);
