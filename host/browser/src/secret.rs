//! The captured assertion: a bearer credential that must never reach a
//! log. It has no `Display`, and its `Debug` prints no content.

/// The `SAMLResponse` form value exactly as the IdP's page posted it
/// (base64 of the XML).
#[derive(Clone, PartialEq, Eq)]
pub struct SamlResponse(String);

impl SamlResponse {
    pub(crate) fn new(value: String) -> Self {
        SamlResponse(value)
    }

    /// The value, for the STS call.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl std::fmt::Debug for SamlResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SamlResponse([REDACTED], {} bytes)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn debug_hides_the_value() {
        let s = super::SamlResponse::new("PHNhbWxwOlJlc3BvbnNlLz4=".into());
        assert!(!format!("{s:?}").contains("PHN"));
    }
}
