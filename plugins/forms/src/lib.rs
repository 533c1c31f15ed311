//! `forms`: log in to any SAML IdP that has an HTML login form
//! (Shibboleth, Keycloak, SimpleSAMLphp, PingFederate, and the like) the
//! way a browser without JavaScript does: open the IdP-initiated SSO URL,
//! fill the username and password, follow multi-step pages, "Continue"
//! pages and SAML POST hops, and return the SAML response posted to AWS.
//!
//! ```ini
//! [profile shib-dev]
//! credential_process = awsprocesscreds-saml -p forms -u monty -a arn:aws:iam::123456789012:role/Dev -e 'https://idp.example.edu/idp/profile/SAML2/Unsolicited/SSO?providerId=urn:amazon:webservices'
//! ```
//!
//! PingFederate's PingID second factor (push, number matching, passcodes,
//! the device picker, the WebAuthn check) is answered as its page scripts
//! do ([`pingid`]). See `README.md` for the options (`username-field`,
//! `password-field`, `form`, `max-steps`, `accept-consent`).

mod consent;
mod expiry_notice;
mod flow;
mod needs_browser;
mod options;
mod pick;
pub mod pingid;
mod state;

use plugin_api::{
    declare_plugin, Host, Inputs, LoginOutcome, LoginRequest, Manifest, Need, Plugin, PluginError,
    PluginKind, PROTOCOL_VERSION,
};

pub use consent::{consent_form, describe as describe_consent};
pub use expiry_notice::{later_fields, notice_form};
pub use options::Options;
pub use pick::{pick, Pick};

/// The provider name (`-p forms`).
pub const NAME: &str = "forms";

/// The plugin.
#[derive(Default)]
pub struct Forms;

impl Plugin for Forms {
    fn manifest(&self) -> Manifest {
        let manifest = Manifest::new(NAME, env!("CARGO_PKG_VERSION"), PluginKind::SamlIdp)
            .protocols(vec![PROTOCOL_VERSION])
            .description(
                "any SAML IdP with an HTML login form: Shibboleth, Keycloak, SimpleSAMLphp, PingFederate... (-e SSO URL)",
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

declare_plugin!(Forms);
