//! The body of the POST to AWS: an HTML form (SAML 2.0 HTTP-POST
//! binding) with `SAMLResponse` (base64 of the XML) and maybe
//! `RelayState`. Only a real SAML 2.0 protocol `Response` counts: a form
//! that posts something else to `/saml` is not a sign-in.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;

use crate::secret::SamlResponse;

/// The SAML 2.0 protocol namespace of `<samlp:Response>`.
pub const PROTOCOL_NS: &str = "urn:oasis:names:tc:SAML:2.0:protocol";

/// Base64 as IdPs send it: with or without padding.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// What the form carried.
#[derive(Debug)]
pub struct Posted {
    pub saml_response: SamlResponse,
    pub relay_state: Option<String>,
}

/// Why a POST to `/saml` is not a sign-in (safe to log: no content).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum NotSaml {
    #[error("it has no SAMLResponse field")]
    NoField,
    #[error("its SAMLResponse is not base64")]
    NotBase64,
    #[error("its SAMLResponse is not XML")]
    NotXml,
    #[error("its SAMLResponse is a <{0}>, not a SAML 2.0 protocol Response")]
    NotResponse(String),
}

/// Decode the form body and check the assertion's shape.
pub fn parse(body: &[u8]) -> Result<Posted, NotSaml> {
    let mut saml = None;
    let mut relay_state = None;
    for (k, v) in url::form_urlencoded::parse(body) {
        match k.as_ref() {
            "SAMLResponse" if saml.is_none() => saml = Some(v.into_owned()),
            "RelayState" if relay_state.is_none() => relay_state = Some(v.into_owned()),
            _ => {}
        }
    }
    let saml = saml
        .filter(|s| !s.trim().is_empty())
        .ok_or(NotSaml::NoField)?;
    check(&saml)?;
    Ok(Posted {
        saml_response: SamlResponse::new(saml),
        relay_state,
    })
}

/// The value decodes to XML whose root is a SAML 2.0 protocol `Response`.
fn check(value: &str) -> Result<(), NotSaml> {
    let compact: String = value.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let xml = LENIENT.decode(compact).map_err(|_| NotSaml::NotBase64)?;
    let text = std::str::from_utf8(&xml).map_err(|_| NotSaml::NotXml)?;
    // roxmltree refuses DTDs by default: no entity expansion.
    let doc = roxmltree::Document::parse(text).map_err(|_| NotSaml::NotXml)?;
    let root = doc.root_element();
    let name = root.tag_name();
    if name.name() == "Response" && name.namespace() == Some(PROTOCOL_NS) {
        Ok(())
    } else {
        Err(NotSaml::NotResponse(name.name().chars().take(40).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;

    fn form(xml: &str, relay: Option<&str>) -> Vec<u8> {
        let mut f = url::form_urlencoded::Serializer::new(String::new());
        f.append_pair("SAMLResponse", &STANDARD.encode(xml));
        if let Some(r) = relay {
            f.append_pair("RelayState", r);
        }
        f.finish().into_bytes()
    }

    const RESPONSE: &str = r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_1" Version="2.0"><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"/></samlp:Response>"#;

    #[test]
    fn a_response_is_taken_as_posted() {
        let body = form(RESPONSE, Some("https://console.aws.amazon.com/"));
        let p = parse(&body).unwrap();
        assert_eq!(p.saml_response.expose(), STANDARD.encode(RESPONSE));
        assert_eq!(
            p.relay_state.as_deref(),
            Some("https://console.aws.amazon.com/")
        );
        // Line-wrapped base64 (some IdPs wrap at 76 columns) is accepted.
        let wrapped: String = STANDARD
            .encode(RESPONSE)
            .as_bytes()
            .chunks(76)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("\r\n");
        let body = format!(
            "SAMLResponse={}",
            url::form_urlencoded::byte_serialize(wrapped.as_bytes()).collect::<String>()
        );
        assert!(parse(body.as_bytes()).is_ok());
    }

    #[test]
    fn anything_else_is_refused_with_a_reason() {
        assert_eq!(parse(b"user=a&pass=b").unwrap_err(), NotSaml::NoField);
        assert_eq!(parse(b"SAMLResponse=%%%").unwrap_err(), NotSaml::NotBase64);
        assert_eq!(
            parse(&form("not xml at all <", None)).unwrap_err(),
            NotSaml::NotXml
        );
        let request = r#"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>"#;
        assert_eq!(
            parse(&form(request, None)).unwrap_err(),
            NotSaml::NotResponse("AuthnRequest".into())
        );
        let wrong_ns = r#"<Response xmlns="urn:oasis:names:tc:SAML:1.0:protocol"/>"#;
        assert!(parse(&form(wrong_ns, None)).is_err());
        let dtd = r#"<!DOCTYPE r [<!ENTITY a "aaaa">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&a;</samlp:Response>"#;
        assert_eq!(parse(&form(dtd, None)).unwrap_err(), NotSaml::NotXml);
    }
}
