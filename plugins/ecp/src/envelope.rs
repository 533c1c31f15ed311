//! The request half of the ECP profile: a SAML `AuthnRequest` for the AWS
//! service provider in a SOAP 1.1 envelope, asking for the PAOS binding.
//!
//! Modelled on what the ECP clients in use send to an IdP (awscli-login,
//! saml2aws `shibbolethecp`): in the OASIS ECP profile
//! (`saml-ecp-v2.0`) the `paos:Request` and
//! `ecp:Request` SOAP headers are what the *service provider* sends to the
//! client, and the client removes them before forwarding the `AuthnRequest`
//! to the IdP. Here there is no service provider round trip (AWS has no
//! PAOS endpoint), so the client writes the `AuthnRequest` itself, in a
//! SOAP body without headers, as those clients do.

use std::fmt::Write as _;

use plugin_api::PluginError;

/// SOAP 1.1 envelope namespace.
pub const SOAP11_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// SAML 2.0 protocol namespace.
pub const SAMLP_NS: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
/// SAML 2.0 assertion namespace.
pub const SAML_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
/// The ECP profile's namespace (the `ecp:Response` header of the answer).
pub const ECP_NS: &str = "urn:oasis:names:tc:SAML:2.0:profiles:SSO:ecp";
/// The PAOS binding, requested as the `ProtocolBinding`.
pub const PAOS_BINDING: &str = "urn:oasis:names:tc:SAML:2.0:bindings:PAOS";

/// The HTTP headers by which an ECP client announces itself (ECP profile
/// section 2.3.1 and the Liberty PAOS binding). Shibboleth and SimpleSAMLphp
/// do not require them on the IdP leg, but clients send them and some
/// proxies route on them.
pub const ACCEPT: &str = "text/html; application/vnd.paos+xml";
/// See [`ACCEPT`].
pub const PAOS_HEADER: &str =
    "ver=\"urn:liberty:paos:2003-08\"; \"urn:oasis:names:tc:SAML:2.0:profiles:SSO:ecp\"";

/// One authentication request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthnRequest {
    /// `ID`: starts with `_` (an NCName) and is random; the answer's
    /// `InResponseTo` must repeat it.
    pub id: String,
    /// `IssueInstant`, `YYYY-MM-DDThh:mm:ssZ`.
    pub issue_instant: String,
    /// `Issuer`: the SP entity ID.
    pub issuer: String,
    /// `AssertionConsumerServiceURL`.
    pub acs_url: String,
}

impl AuthnRequest {
    /// A fresh request (random ID, the current time).
    pub fn new(issuer: &str, acs_url: &str) -> Result<AuthnRequest, PluginError> {
        let mut bytes = [0u8; 20];
        getrandom::fill(&mut bytes).map_err(|e| {
            PluginError::other(format!("no random numbers for the request ID: {e}"))
        })?;
        let mut id = String::from("_");
        for b in bytes {
            let _ = write!(id, "{b:02x}");
        }
        let fmt =
            time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
        let issue_instant = time::OffsetDateTime::now_utc()
            .format(&fmt)
            .map_err(|e| PluginError::other(format!("cannot format the request time: {e}")))?;
        Ok(AuthnRequest {
            id,
            issue_instant,
            issuer: issuer.to_string(),
            acs_url: acs_url.to_string(),
        })
    }

    /// The SOAP envelope to POST, as UTF-8 XML.
    pub fn envelope(&self) -> String {
        format!(
            concat!(
                r#"<?xml version="1.0" encoding="UTF-8"?>"#,
                r#"<S:Envelope xmlns:S="{soap}">"#,
                r#"<S:Body>"#,
                r#"<samlp:AuthnRequest xmlns:samlp="{samlp}" xmlns:saml="{saml}""#,
                r#" ID="{id}" Version="2.0" IssueInstant="{instant}""#,
                r#" AssertionConsumerServiceURL="{acs}" ProtocolBinding="{paos}">"#,
                r#"<saml:Issuer>{issuer}</saml:Issuer>"#,
                r#"</samlp:AuthnRequest>"#,
                r#"</S:Body>"#,
                r#"</S:Envelope>"#
            ),
            soap = SOAP11_NS,
            samlp = SAMLP_NS,
            saml = SAML_NS,
            id = escape(&self.id),
            instant = escape(&self.issue_instant),
            acs = escape(&self.acs_url),
            paos = PAOS_BINDING,
            issuer = escape(&self.issuer),
        )
    }
}

/// Escape text for an XML attribute value or element content.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wire format, pinned.
    #[test]
    fn envelope_is_pinned() {
        let r = AuthnRequest {
            id: "_0123abcd".into(),
            issue_instant: "2026-12-01T19:00:00Z".into(),
            issuer: "urn:amazon:webservices".into(),
            acs_url: "https://signin.aws.amazon.com/saml?a=1&b=2".into(),
        };
        assert_eq!(
            r.envelope(),
            concat!(
                r#"<?xml version="1.0" encoding="UTF-8"?>"#,
                r#"<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>"#,
                r#"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion""#,
                r#" ID="_0123abcd" Version="2.0" IssueInstant="2026-12-01T19:00:00Z""#,
                r#" AssertionConsumerServiceURL="https://signin.aws.amazon.com/saml?a=1&amp;b=2""#,
                r#" ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:PAOS">"#,
                r#"<saml:Issuer>urn:amazon:webservices</saml:Issuer>"#,
                r#"</samlp:AuthnRequest></S:Body></S:Envelope>"#
            )
        );
    }

    #[test]
    fn fresh_requests_have_unique_ncname_ids_and_utc_times() {
        let a = AuthnRequest::new(
            "urn:amazon:webservices",
            "https://signin.aws.amazon.com/saml",
        )
        .unwrap();
        let b = AuthnRequest::new(
            "urn:amazon:webservices",
            "https://signin.aws.amazon.com/saml",
        )
        .unwrap();
        assert_ne!(a.id, b.id);
        assert!(a.id.starts_with('_') && a.id.len() == 41, "{}", a.id);
        assert_eq!(a.issue_instant.len(), 20, "{}", a.issue_instant);
        assert!(a.issue_instant.ends_with('Z'));
        // It parses as XML with the request where the IdP looks for it.
        let xml = a.envelope();
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let req = doc
            .descendants()
            .find(|n| n.has_tag_name((SAMLP_NS, "AuthnRequest")))
            .unwrap();
        assert_eq!(req.attribute("ID"), Some(a.id.as_str()));
        assert_eq!(req.attribute("ProtocolBinding"), Some(PAOS_BINDING));
    }
}
