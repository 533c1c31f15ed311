//! The quick look a plugin takes at a SAML response it is about to post:
//! where it is addressed and whether it offers AWS roles. Unlike
//! [`crate::parse`] it judges nothing (a failure status or a bare assertion
//! still has a summary).

use protocol::aws::ROLE_ATTRIBUTE;

use crate::{document, MAX_ASSERTION_BYTES};

/// What a response says about where it goes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// The root element's `Destination`.
    pub destination: Option<String>,
    /// Whether an `Attribute` names the AWS Role attribute (matched by
    /// local name: this is a hint for routing, not a reading of the roles).
    pub offers_aws_roles: bool,
}

/// The summary of a response's XML, or `None` when it is not XML (or is
/// larger than any real response).
pub fn summary(xml: &str) -> Option<Summary> {
    if xml.len() > MAX_ASSERTION_BYTES {
        return None;
    }
    let doc = document(xml).ok()?;
    Some(Summary {
        destination: doc
            .root_element()
            .attribute("Destination")
            .map(str::to_owned),
        offers_aws_roles: doc.descendants().any(|n| {
            n.tag_name().name() == "Attribute"
                && n.attribute("Name").map(str::trim) == Some(ROLE_ATTRIBUTE)
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_destination_and_roles_without_judging() {
        let failed = r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" Destination="https://sp.example.com/acs?a=1&amp;b=2"><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"/></samlp:Status></samlp:Response>"#;
        assert_eq!(
            summary(failed),
            Some(Summary {
                destination: Some("https://sp.example.com/acs?a=1&b=2".into()),
                offers_aws_roles: false
            })
        );
        let roles = r#"<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion"><saml2:AttributeStatement><saml2:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role"/></saml2:AttributeStatement></saml2:Assertion>"#;
        let s = summary(roles).unwrap();
        assert!(s.offers_aws_roles && s.destination.is_none());
        assert_eq!(summary("not xml <"), None);
    }
}
