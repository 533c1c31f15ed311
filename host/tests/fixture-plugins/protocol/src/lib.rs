//! Test fixture: a plugin that speaks only a future protocol version.

use plugin_api::*;

#[derive(Default)]
pub struct Future;

impl Plugin for Future {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: "fixture-future".into(),
            version: "9.0.0".into(),
            protocols: vec![99],
            kind: PluginKind::SamlIdp,
            description: "test fixture".into(),
            inputs: Inputs::default(),
            options: vec![],
        }
    }

    fn login(&self, _req: &LoginRequest, _host: &Host) -> Result<LoginOutcome, PluginError> {
        Err(PluginError::other("never called"))
    }
}

declare_plugin!(Future);
