//! The one way this plugin ends a login at a page only a real browser can
//! answer (a security key, an authenticator to set up): a named error,
//! never an empty or made-up post (the IdP would count a failed attempt).
//! Kind `browser-required`: the host continues the login in the person's
//! browser at the same `-e` URL when it can.

use plugin_api::PluginError;

/// `what` names the page in the user's terms, e.g. "the IdP asks for a
/// WebAuthn security key (passkey) on the page \"Sign in\" at idp.example.com".
pub(crate) fn needs_browser(what: &str) -> PluginError {
    PluginError::browser_required(format!("{what}; that needs a web browser")).with_hint(
        "sign in once in a web browser, or ask your IdP administrator for a password with a one-time code or push for AWS sign-in",
    )
}
