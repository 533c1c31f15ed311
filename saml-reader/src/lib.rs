//! The one SAML response reader of awsprocesscreds.
//!
//! The host reads a whole response ([`parse`]: roles, session name and
//! duration, validity, destination) before it calls STS; a browser-like
//! plugin takes a quick look at a SAML POST on its way ([`summary`]: where
//! it is addressed, whether it offers AWS roles) to decide whether it is
//! the last hop. Both go through the same decoding and the same guarded
//! parser: DTDs are refused (so entity expansion cannot run), the tree and
//! the input are capped in size.
//!
//! Its own crate because an XML parser does not belong in the serde-only
//! protocol crate, and the plugin kit (an HTML parser) is too heavy for the
//! host. The AWS attribute names come from `protocol::aws`.

mod assertion;
mod summary;

use base64::Engine as _;

pub use assertion::{parse, parse_role_value, parse_xml, Assertion, Role};
pub use summary::{summary, Summary};

const ASSERTION_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
const PROTOCOL_NS: &str = "urn:oasis:names:tc:SAML:2.0:protocol";

/// Larger than any real assertion (hundreds of roles are ~100 KB).
pub const MAX_ASSERTION_BYTES: usize = 4 * 1024 * 1024;

/// Why an assertion is unusable.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SamlError {
    #[error("the SAML response is not valid base64")]
    Base64,
    #[error("the SAML response is too large ({0} bytes)")]
    TooLarge(usize),
    #[error("the SAML response is not UTF-8 text")]
    Utf8,
    #[error("the SAML response is not well-formed XML ({0})")]
    Xml(String),
    #[error("the document is not a SAML response (root element {0})")]
    NotSaml(String),
    #[error("the identity provider reported a SAML failure: {0}")]
    Status(String),
}

/// The bytes of a base64 `SAMLResponse`, as posted (whitespace in the
/// base64 tolerated, as IdPs wrap long lines).
pub fn decode(b64: &str) -> Result<Vec<u8>, SamlError> {
    if b64.len() > MAX_ASSERTION_BYTES * 4 / 3 + 16 {
        return Err(SamlError::TooLarge(b64.len()));
    }
    let compact: String = b64.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|_| SamlError::Base64)
}

/// The parsed document, with the guards every reading needs.
fn document(text: &str) -> Result<roxmltree::Document<'_>, SamlError> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: 200_000,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(text, opts).map_err(|e| SamlError::Xml(e.to_string()))
}
