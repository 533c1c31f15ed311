//! Facts about a SAML response that a browser-like plugin needs to decide
//! whether a SAML POST page is the last hop (to AWS) or an intermediate
//! one (to a proxy or another service provider).

use url::Url;

/// The attribute that lists the roles AWS offers.
pub use plugin_api::aws::ROLE_ATTRIBUTE as AWS_ROLE_ATTRIBUTE;

/// Whether `url` is an AWS sign-in SAML endpoint (any partition, global or
/// regional; see [`plugin_api::aws::is_saml_consumer`]).
pub fn is_aws_signin(url: &str) -> bool {
    Url::parse(url.trim()).is_ok_and(|u| plugin_api::aws::is_saml_consumer(&u, None))
}

/// The XML of a base64 `SAMLResponse` (whitespace in the base64 tolerated),
/// or `None` when it does not decode.
pub fn decode(saml_response: &str) -> Option<String> {
    let bytes = saml_reader::decode(saml_response).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// Undo percent-encoding of a `SAMLResponse` some servers apply in the
/// page (`%2B` for `+`, `%3D` for `=`). `%` never occurs in base64, so a
/// value with one was encoded; `+` is kept (it is base64, not a space).
pub fn unpercent(value: &str) -> String {
    if !value.contains('%') {
        return value.to_string();
    }
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether the response XML carries the AWS Role attribute.
pub fn offers_aws_roles(xml: &str) -> bool {
    saml_reader::summary(xml).is_some_and(|s| s.offers_aws_roles)
}

/// The `Destination` of the response (its root element's).
pub fn destination(xml: &str) -> Option<String> {
    saml_reader::summary(xml)?.destination
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    #[test]
    fn recognises_aws_signin_endpoints() {
        assert!(is_aws_signin("https://signin.aws.amazon.com/saml"));
        assert!(is_aws_signin("https://signin.aws.amazon.com:443/saml"));
        assert!(is_aws_signin(
            "https://us-east-1.signin.aws.amazon.com/saml"
        ));
        assert!(is_aws_signin("https://signin.amazonaws-us-gov.com/saml"));
        assert!(is_aws_signin("https://signin.amazonaws.cn/saml"));
        assert!(!is_aws_signin(
            "https://sp.example.com/Shibboleth.sso/SAML2/POST"
        ));
        assert!(!is_aws_signin(
            "https://evil-signin.aws.amazon.com.example.com/saml"
        ));
        assert!(!is_aws_signin("not a url"));
    }

    #[test]
    fn reads_destination_and_roles() {
        let xml = r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" Destination="https://proxy.example.com/acs?a=1&amp;b=2" ID="_1"><Attribute Name="https://aws.amazon.com/SAML/Attributes/Role"/></samlp:Response>"#;
        assert_eq!(
            destination(xml).as_deref(),
            Some("https://proxy.example.com/acs?a=1&b=2")
        );
        assert!(offers_aws_roles(xml));
        let b64 = base64::engine::general_purpose::STANDARD.encode(xml);
        let wrapped = format!("{}\n{}", &b64[..10], &b64[10..]);
        assert_eq!(decode(&wrapped).as_deref(), Some(xml));
        assert_eq!(decode("%%%"), None);
    }

    #[test]
    fn percent_encoded_responses_are_decoded() {
        assert_eq!(unpercent("PD94bWw%2BPHg%2B%3D%3D"), "PD94bWw+PHg+==");
        assert_eq!(unpercent("PD94+bWw="), "PD94+bWw=");
        assert_eq!(unpercent("ab%2"), "ab%2");
        assert_eq!(unpercent("ab%zz"), "ab%zz");
    }
}
