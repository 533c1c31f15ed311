//! What the `adfs` tests share: the fake's user and a login through the
//! test host.

use std::sync::Arc;

use awsprocesscreds_plugin_adfs::Adfs;
use plugin_api::{Host, LoginOutcome, LoginRequest, Plugin, PluginError};
use plugin_testkit::{login_request, TestServices};

/// The fake AD FS's user.
pub const USER: &str = "Monty";

/// A request for [`USER`] at `endpoint`.
pub fn request(endpoint: &str) -> LoginRequest {
    login_request(endpoint, USER)
}

pub fn login(
    req: &LoginRequest,
    services: &Arc<TestServices>,
) -> Result<LoginOutcome, PluginError> {
    Adfs.login(req, &Host::from_services(services.clone()))
}
