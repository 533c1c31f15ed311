//! Steps only a person in a real browser can take: Okta FastPass and
//! device checks, WebAuthn/FIDO2 keys, Duo, a sign-in through an external
//! identity provider, enrolling a first authenticator. Every such error
//! is made here: kind `browser-required`, so the host continues the login
//! in the person's browser when it can.

use plugin_api::PluginError;

/// The error for a step that needs a browser: `message` names the step,
/// `hint` says what the person can do.
pub(crate) fn needs_browser(message: impl Into<String>, hint: impl Into<String>) -> PluginError {
    PluginError::browser_required(message).with_hint(hint)
}
