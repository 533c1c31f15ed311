//! Steps only a person in a real browser can take: FIDO2 keys and
//! passkeys, passwordless phone sign-in, certificate sign-in, Conditional
//! Access that wants a managed or compliant device, first-time security
//! information. Every such error is made here, so that continuing these
//! logins in a browser is a change of this one function.

use plugin_api::PluginError;

/// The error for a step that needs a browser: `message` names the step,
/// `hint` says what the person can do.
pub(crate) fn needs_browser(message: impl Into<String>, hint: impl Into<String>) -> PluginError {
    PluginError::not_supported(message).with_hint(hint)
}
