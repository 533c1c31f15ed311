//! What the `forms` login tests share: the fakes' user, a login through
//! the test host, and the fake forms IdP started with a request for it.

use std::sync::Arc;

use awsprocesscreds_plugin_forms::Forms;
use plugin_api::{Host, LoginOutcome, LoginRequest, Plugin, PluginError};
use plugin_testkit::{login_request, TestServices};
use sandbox::forms::{self, FormsConfig, FormsIdp};
use sandbox::Server;

/// The fakes' user.
pub const USER: &str = "Monty";

/// A request for [`USER`] at `endpoint`.
pub fn request(endpoint: &str) -> LoginRequest {
    login_request(endpoint, USER)
}

pub fn login(
    req: &LoginRequest,
    services: &Arc<TestServices>,
) -> Result<LoginOutcome, PluginError> {
    Forms.login(req, &Host::from_services(services.clone()))
}

/// The fake forms IdP, and a request for its entry URL.
pub fn start(config: FormsConfig) -> (Server, FormsIdp, LoginRequest) {
    let (server, state) = forms::start(config);
    let req = request(&forms::entry_url(&server, &state));
    (server, state, req)
}

/// Services with the password `hunter2`.
pub fn pw() -> Arc<TestServices> {
    TestServices::new().password("hunter2").build()
}
