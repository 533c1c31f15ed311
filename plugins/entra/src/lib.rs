//! `entra`: sign in to Microsoft Entra ID (Azure AD) over plain HTTPS, the
//! way its own sign-in pages do it from JavaScript (the pages carry their
//! state in a `$Config` object, not in HTML forms), and return the SAML
//! response Entra posts to AWS.
//!
//! ```ini
//! [profile entra-dev]
//! credential_process = awsprocesscreds-saml -p entra -u monty@contoso.com -a arn:aws:iam::123456789012:role/Dev -e 'https://account.activedirectory.windowsazure.com/applications/redirecttofederatedapplication.aspx?Operation=LinkedSignIn&applicationId=<id>'
//! ```
//!
//! Covers the My Apps links and `saml2?SAMLRequest=` URLs, SP-initiated
//! sign-in from `tenant` + `app-id-uri`, password, Authenticator push with
//! number matching, app and SMS codes, voice calls, "Stay signed in?",
//! federated domains with a forms IdP, and reuse of the Entra session
//! cookies. See `README.md`.

mod authn;
mod browser_only;
mod config;
mod errors;
mod federated;
mod flow;
mod mfa;
mod options;
mod refusal;
mod session;
mod state;
mod web;

use plugin_api::{
    declare_plugin, Host, Inputs, LoginOutcome, LoginRequest, Manifest, Need, Plugin, PluginError,
    PluginKind, PROTOCOL_VERSION,
};

pub use authn::{authn_request_xml, deflate_stored, saml2_url};
pub use config::{extract_config, Config};
pub use options::Options;

/// The provider name (`-p entra`).
pub const NAME: &str = "entra";

/// The plugin.
#[derive(Default)]
pub struct Entra;

impl Plugin for Entra {
    fn manifest(&self) -> Manifest {
        let manifest = Manifest::new(NAME, env!("CARGO_PKG_VERSION"), PluginKind::SamlIdp)
            .protocols(vec![PROTOCOL_VERSION])
            .description(
                "Microsoft Entra ID (Azure AD): password, Authenticator push/codes, SMS, call (-e My Apps link, or tenant + app-id-uri options)",
            )
            .inputs(
                Inputs::new()
                    .endpoint(Need::Optional)
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

declare_plugin!(Entra);
