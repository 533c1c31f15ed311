//! Steps only a person in a real browser can take: Okta FastPass and
//! device checks, WebAuthn/FIDO2 keys, Duo, a sign-in through an external
//! identity provider, enrolling a first authenticator. Every such error
//! is made here, so that continuing these logins in a browser is a change
//! of this one function.

use plugin_api::PluginError;

/// The error for a step that needs a browser: `message` names the step,
/// `hint` says what the person can do.
pub(crate) fn needs_browser(message: impl Into<String>, hint: impl Into<String>) -> PluginError {
    PluginError::not_supported(message).with_hint(hint)
}
