//! `adfs`: log in to Microsoft AD FS (2.0, 3.0/2012 R2, 2016, 2019, 2022)
//! through its IdP-initiated sign-on page, the way a browser without
//! JavaScript does, and return the SAML response it posts to AWS.
//!
//! ```ini
//! [profile adfs-dev]
//! credential_process = awsprocesscreds-saml -e 'https://corp.example.com/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices' -u Monty -p adfs -a arn:aws:iam::123456789012:role/ADFS-Dev
//! ```
//!
//! Covers the forms login of every ADFS version, the IdP's own error text,
//! one-time-code MFA adapters, Azure MFA (push with number matching, and
//! code entry), and reuse of the ADFS single sign-on cookies so that a
//! refresh within the ADFS session needs no password. See `README.md`.

mod flow;
mod home_realm;
mod mfa;
mod options;
mod pages;
mod session;
mod state;

use plugin_api::{
    declare_plugin, Host, Inputs, LoginOutcome, LoginRequest, Manifest, Need, Plugin, PluginError,
    PluginKind, PROTOCOL_VERSION,
};

pub use home_realm::{realms, Realm};
pub use options::Options;

/// The provider name (`-p adfs`).
pub const NAME: &str = "adfs";

/// The plugin.
#[derive(Default)]
pub struct Adfs;

impl Plugin for Adfs {
    fn manifest(&self) -> Manifest {
        let manifest = Manifest::new(NAME, env!("CARGO_PKG_VERSION"), PluginKind::SamlIdp)
            .protocols(vec![PROTOCOL_VERSION])
            .description(
                "Microsoft AD FS 2.0-2022 forms sign-in, OTP and Azure MFA (-e IdpInitiatedSignOn URL)",
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

declare_plugin!(Adfs);
