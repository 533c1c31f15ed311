//! `browser`: sign in to any SAML IdP, with any MFA (security keys,
//! passkeys, Okta FastPass, Duo, device checks), in the person's own
//! Chromium-family browser. `-e` is the URL that starts the IdP's sign-in
//! for AWS; the host (its `browser` service, protocol 2) opens it, keeps
//! the IdP session, tries it headless next time and captures the SAML
//! response the page posts to AWS. No `-u` is needed (the person types it
//! in the page; given, it only keeps sessions of several accounts apart).
//!
//! ```ini
//! [profile dev]
//! credential_process = awsprocesscreds-saml -p browser -e https://example.okta.com/home/amazon_aws/0oa1b2c3/272 -a arn:aws:iam::123456789012:role/dev
//! ```

use plugin_api::{
    declare_plugin, ErrorKind, Host, Inputs, LoginOutcome, LoginRequest, Manifest, Need,
    OptionSpec, Plugin, PluginError, PluginKind, PROTOCOL_VERSION,
};

/// The provider name (`-p browser`).
pub const NAME: &str = "browser";

/// The option naming the browser (the host reads it).
pub const BROWSER_OPTION: &str = "browser";

/// The host service this plugin needs.
const SERVICE: &str = "browser";

/// The plugin.
#[derive(Default)]
pub struct Browser;

impl Plugin for Browser {
    fn manifest(&self) -> Manifest {
        Manifest::new(NAME, env!("CARGO_PKG_VERSION"), PluginKind::SamlIdp)
            .protocols(vec![PROTOCOL_VERSION])
            .description(
                "any SAML IdP and any MFA in your installed Chrome, Chromium, Edge or Brave (-e: the IdP's sign-in URL for AWS)",
            )
            .inputs(
                Inputs::new()
                    .endpoint(Need::Required)
                    .username(Need::Optional)
                    .role(Need::Optional),
            )
            .option(
                OptionSpec::new(
                    BROWSER_OPTION,
                    "PATH of the browser to use (default: AWSPROCESSCREDS_BROWSER, else Chrome, Chromium, Edge or Brave found on this machine)",
                )
                .affects_credentials(false),
            )
    }

    /// The host checks `-e` (https, or http to loopback) before it opens
    /// anything, for every plugin that asks for a browser.
    fn login(&self, request: &LoginRequest, host: &Host) -> Result<LoginOutcome, PluginError> {
        let endpoint = request
            .endpoint
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .ok_or_else(|| {
                PluginError::config(
                    "-p browser needs -e: the URL that starts your IdP's sign-in for AWS",
                )
            })?;
        if host.capabilities().version(SERVICE).is_none() {
            return Err(PluginError::new(
                ErrorKind::NotSupported,
                "this awsprocesscreds cannot sign in in a browser",
            )
            .with_hint("update awsprocesscreds (the browser service came with protocol 2)"));
        }
        let assertion = host.browser(endpoint, None)?;
        Ok(LoginOutcome::Saml { assertion })
    }
}

declare_plugin!(Browser);
