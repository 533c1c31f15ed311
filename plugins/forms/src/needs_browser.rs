//! The one way this plugin ends a login at a page only a real browser can
//! answer (a security key, an authenticator to set up): a named error,
//! never an empty or made-up post (the IdP would count a failed attempt).
//! When the host can continue such logins in a browser, the kind changes
//! here and nowhere else.

use plugin_api::PluginError;

/// `what` names the page in the user's terms, e.g. "the IdP asks for a
/// WebAuthn security key (passkey) on the page \"Sign in\" at idp.example.com".
pub(crate) fn needs_browser(what: &str) -> PluginError {
    PluginError::not_supported(format!("{what}; that needs a web browser")).with_hint(
        "sign in once in a web browser, or ask your IdP administrator for a password with a one-time code or push for AWS sign-in",
    )
}
