//! What a plugin's login tests build and check in every plugin crate: the
//! request a host sends, the assertion a login returns, the error it
//! fails with, the manifest it pins, and logs free of secrets.

use base64::Engine as _;
use protocol::{ErrorKind, LoginOutcome, LoginRequest, Manifest, Need, PluginError, PluginKind};

use crate::TestServices;

/// A protocol-1 login request for `username` at `endpoint`, as the host
/// sends it with `-e ENDPOINT -u USERNAME` and nothing else.
pub fn login_request(endpoint: impl Into<String>, username: &str) -> LoginRequest {
    LoginRequest::new()
        .with_protocol(1)
        .with_endpoint(endpoint)
        .with_username(username)
}

/// The XML of the SAML response `outcome` carries.
///
/// # Panics
/// If `outcome` is not a SAML assertion, or not base64 of UTF-8 text.
pub fn saml_xml(outcome: LoginOutcome) -> String {
    let LoginOutcome::Saml { assertion } = outcome else {
        panic!("expected a SAML outcome, got {outcome:?}");
    };
    decode_assertion(assertion.expose())
}

/// The XML of a base64 SAML response (as a login returns it).
///
/// # Panics
/// If it is not base64 of UTF-8 text.
pub fn decode_assertion(base64: &str) -> String {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64)
        .unwrap_or_else(|e| panic!("the assertion is not base64: {e}"));
    String::from_utf8(bytes).unwrap_or_else(|e| panic!("the assertion is not UTF-8: {e}"))
}

/// Assert that `e` is of `kind` and its message says each of `says`.
///
/// # Panics
/// When it is not.
pub fn assert_error(e: &PluginError, kind: ErrorKind, says: &[&str]) {
    assert_eq!(e.kind, kind, "{e:?}");
    for part in says {
        assert!(e.message.contains(part), "{:?} not in: {}", part, e.message);
    }
}

/// Assert what a SAML IdP plugin's manifest pins: its `name`, that it
/// produces SAML, needs an endpoint and a user name, and takes exactly
/// the option keys `options`, in this order.
///
/// # Panics
/// When it does not.
pub fn assert_saml_idp_manifest(m: &Manifest, name: &str, options: &[&str]) {
    assert_eq!(m.name, name);
    assert_eq!(m.kind, PluginKind::SamlIdp);
    assert_eq!(m.inputs.endpoint, Need::Required);
    assert_eq!(m.inputs.username, Need::Required);
    let keys: Vec<_> = m.options.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(keys, options);
}

impl TestServices {
    /// Assert that no log line the plugin wrote contains `text` (a
    /// secret, or what would show one), naming it as `what` when one does.
    ///
    /// # Panics
    /// When a line does.
    pub fn assert_not_logged(&self, what: &str, text: &str) {
        for (_, line) in self.record().logs {
            assert!(!line.contains(text), "{what} in log: {line}");
        }
    }
}
