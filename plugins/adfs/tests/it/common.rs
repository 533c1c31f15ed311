//! What the `adfs` tests share: the fake's user, a request for its entry
//! URL, and a login through the test host.

use std::sync::Arc;

use awsprocesscreds_plugin_adfs::Adfs;
use plugin_api::{Host, LoginOutcome, LoginRequest, Plugin, PluginError};
use plugin_testkit::{login_request, TestServices};
use sandbox::{adfs, Server};

/// The fake AD FS's user.
pub const USER: &str = "Monty";

/// A request for [`USER`] at the fake's IdP-initiated sign-on URL.
pub fn entry(server: &Server) -> LoginRequest {
    login_request(adfs::entry_url(server), USER)
}

pub fn login(
    req: &LoginRequest,
    services: &Arc<TestServices>,
) -> Result<LoginOutcome, PluginError> {
    Adfs.login(req, &Host::from_services(services.clone()))
}
