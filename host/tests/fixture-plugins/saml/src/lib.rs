//! Test fixture: a SAML plugin whose "IdP" is one URL. It GETs the
//! endpoint (sending the password and MFA code as headers when asked to)
//! and returns the body as the base64 SAML response.

use plugin_api::*;

#[derive(Default)]
pub struct Fixture;

impl Plugin for Fixture {
    fn manifest(&self) -> Manifest {
        let option = |key: &str, help: &str| OptionSpec::new(key, help).affects_credentials(false);
        Manifest::new("fixture-saml", "0.0.1", PluginKind::SamlIdp)
            .protocols(vec![PROTOCOL_VERSION])
            .description("test fixture")
            .inputs(
                Inputs::new()
                    .endpoint(Need::Required)
                    .username(Need::Optional)
                    .role(Need::Optional),
            )
            .option(option("password", "yes: ask the host for the password"))
            .option(option("mfa", "yes: ask the host for an MFA code"))
            .option(option("notice", "text to show with notify"))
            .option(option("log", "text to log at debug level"))
    }

    fn login(&self, req: &LoginRequest, host: &Host) -> Result<LoginOutcome, PluginError> {
        let endpoint = req.endpoint.clone().unwrap_or_default();
        let mut http = HttpRequest::get(endpoint);
        if req.options.get("password").map(String::as_str) == Some("yes") {
            let pw = host.password("Password: ")?;
            http = http.header("X-Password", pw.expose().as_str());
        }
        if req.options.get("mfa").map(String::as_str) == Some("yes") {
            let code = host.mfa_code("MFA code: ")?;
            http = http.header("X-Mfa", code.expose().as_str());
        }
        if let Some(n) = req.options.get("notice") {
            host.notify(n);
        }
        if let Some(l) = req.options.get("log") {
            host.debug(l);
        }
        if let Some(u) = &req.username {
            http = http.header("X-Username", u.as_str());
        }
        let resp = host.http(http)?;
        match resp.status {
            200 => Ok(LoginOutcome::Saml {
                assertion: Secret::new(resp.text()),
            }),
            401 => Err(PluginError::auth(format!(
                "the fixture IdP said: {}",
                resp.text()
            ))),
            // A refusal that does not blame the password.
            403 => Err(PluginError::access_denied(format!(
                "the fixture IdP refused the sign-in: {}",
                resp.text()
            ))),
            s => Err(PluginError::protocol(format!(
                "the fixture IdP answered HTTP {s}"
            ))),
        }
    }
}

declare_plugin!(Fixture);
