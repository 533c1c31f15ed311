//! What the Classic and Identity Engine tests share: the fake orgs' user,
//! services with its password, and a login through the test host that
//! returns the base64 assertion.

use std::sync::Arc;

use awsprocesscreds_plugin_okta::OktaPlugin;
use plugin_api::{Host, LoginOutcome, LoginRequest, Plugin, PluginError};
use plugin_testkit::{login_request, TestServices, TestServicesBuilder};

pub const USER: &str = "monty@example.com";
pub const PASSWORD: &str = "hunter2";

/// An interactive request for [`USER`] at the app link `link`.
pub fn request(link: &str) -> LoginRequest {
    login_request(link, USER).with_interactive(true)
}

/// `r` with `--mfa-factor factor`.
pub fn with_factor(mut r: LoginRequest, factor: &str) -> LoginRequest {
    r.mfa.factor = Some(factor.into());
    r
}

/// Services with [`PASSWORD`] and instant sleeps.
pub fn services() -> TestServicesBuilder {
    TestServices::new().password(PASSWORD).fast_sleep()
}

/// The base64 SAML response the login returns.
pub fn login(s: &Arc<TestServices>, req: &LoginRequest) -> Result<String, PluginError> {
    match OktaPlugin.login(req, &Host::from_services(s.clone()))? {
        LoginOutcome::Saml { assertion } => Ok(assertion.expose().clone()),
        other => panic!("unexpected outcome {other:?}"),
    }
}

pub fn err(s: &Arc<TestServices>, req: &LoginRequest) -> PluginError {
    login(s, req).expect_err("login should fail")
}
