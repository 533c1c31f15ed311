//! `ecp`: log in with the SAML 2.0 ECP profile (Enhanced Client or Proxy),
//! the standard non-browser SAML login that Shibboleth, SimpleSAMLphp and
//! Keycloak offer: a SOAP-wrapped `AuthnRequest` POSTed to the IdP's ECP
//! endpoint with HTTP Basic credentials, a SOAP envelope with the signed
//! `Response` back. No HTML is scraped.
//!
//! ```ini
//! [profile uni]
//! credential_process = awsprocesscreds-saml -p ecp -e https://idp.example.edu/idp/profile/SAML2/SOAP/ECP -u jdoe -a arn:aws:iam::123456789012:role/Researcher
//! ```
//!
//! Shibboleth's Duo integration for ECP is driven with `--mfa-factor`
//! (`auto`, `push`, `phone`, `passcode`). See `README.md`.

mod envelope;
mod flow;
mod options;
mod response;
mod session;

use plugin_api::{
    declare_plugin, Host, Inputs, LoginOutcome, LoginRequest, Manifest, Need, Plugin, PluginError,
    PluginKind, PROTOCOL_VERSION,
};

pub use envelope::AuthnRequest;
pub use options::Options;
pub use response::extract;

/// The provider name (`-p ecp`).
pub const NAME: &str = "ecp";

/// The plugin.
#[derive(Default)]
pub struct Ecp;

impl Plugin for Ecp {
    fn manifest(&self) -> Manifest {
        let manifest = Manifest::new(NAME, env!("CARGO_PKG_VERSION"), PluginKind::SamlIdp)
            .protocols(vec![PROTOCOL_VERSION])
            .description(
                "SAML ECP (Shibboleth, SimpleSAMLphp, Keycloak): SOAP AuthnRequest with HTTP Basic, Duo via --mfa-factor (-e ECP endpoint)",
            )
            .inputs(
                Inputs::new()
                    .endpoint(Need::Required)
                    .username(Need::Required)
                    .role(Need::Optional),
            );
        options::specs()
            .into_iter()
            .fold(manifest, Manifest::option)
    }

    fn login(&self, request: &LoginRequest, host: &Host) -> Result<LoginOutcome, PluginError> {
        flow::login(request, host)
    }
}

declare_plugin!(Ecp);
