//! Reading what the host needs from a SAML response: the AWS roles offered,
//! the session name and duration, the validity window and destination.
//!
//! Elements are matched by namespace URI, never by prefix (IdPs use
//! `saml:`, `saml2:` or a default namespace).

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::{document, SamlError, ASSERTION_NS, MAX_ASSERTION_BYTES, PROTOCOL_NS};

use protocol::aws::{
    ROLE_ATTRIBUTE as ROLE_ATTR, ROLE_SESSION_NAME_ATTRIBUTE as SESSION_NAME_ATTR,
    SESSION_DURATION_ATTRIBUTE as SESSION_DURATION_ATTR,
};

/// A role the assertion offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub role_arn: String,
    pub principal_arn: String,
}

impl Role {
    /// The 12-digit account id.
    pub fn account(&self) -> &str {
        self.role_arn.split(':').nth(4).unwrap_or("")
    }

    /// The role name (after `role/`, paths included).
    pub fn name(&self) -> &str {
        self.role_arn
            .split_once(":role/")
            .map(|(_, n)| n)
            .unwrap_or(&self.role_arn)
    }
}

/// What the host reads from an assertion.
#[derive(Debug, Clone, Default)]
pub struct Assertion {
    pub roles: Vec<Role>,
    /// Role values that could not be understood (shown with `-v`).
    pub malformed_roles: Vec<String>,
    pub session_name: Option<String>,
    pub session_duration: Option<u64>,
    pub not_on_or_after: Option<OffsetDateTime>,
    pub destination: Option<String>,
}

/// Decode and parse a base64 SAML response.
pub fn parse(b64: &str) -> Result<Assertion, SamlError> {
    let text = String::from_utf8(crate::decode(b64)?).map_err(|_| SamlError::Utf8)?;
    parse_xml(&text)
}

/// Parse the XML text of a SAML response or bare assertion.
pub fn parse_xml(text: &str) -> Result<Assertion, SamlError> {
    if text.len() > MAX_ASSERTION_BYTES {
        return Err(SamlError::TooLarge(text.len()));
    }
    let doc = document(text)?;
    let root = doc.root_element();
    let root_ns = root.tag_name().namespace().unwrap_or("");
    let root_name = root.tag_name().name();
    let is_response = root_ns == PROTOCOL_NS && root_name == "Response";
    let is_assertion = root_ns == ASSERTION_NS && root_name == "Assertion";
    if !is_response && !is_assertion {
        return Err(SamlError::NotSaml(root_name.to_string()));
    }
    let mut out = Assertion {
        destination: root.attribute("Destination").map(str::to_owned),
        ..Default::default()
    };
    if is_response {
        if let Some(code) = root
            .children()
            .find(|n| n.has_tag_name((PROTOCOL_NS, "Status")))
            .and_then(|s| {
                s.children()
                    .find(|n| n.has_tag_name((PROTOCOL_NS, "StatusCode")))
            })
            .and_then(|c| c.attribute("Value"))
        {
            if !code.ends_with(":Success") {
                let detail = code.rsplit(':').next().unwrap_or(code).to_string();
                return Err(SamlError::Status(detail));
            }
        }
    }
    for node in doc.descendants().filter(|n| n.is_element()) {
        let tag = node.tag_name();
        if tag.namespace() != Some(ASSERTION_NS) {
            continue;
        }
        match tag.name() {
            "Conditions" => {
                if let Some(t) = node.attribute("NotOnOrAfter").and_then(rfc3339) {
                    out.not_on_or_after = Some(t);
                }
            }
            "SubjectConfirmationData" => {
                if out.not_on_or_after.is_none() {
                    out.not_on_or_after = node.attribute("NotOnOrAfter").and_then(rfc3339);
                }
                if out.destination.is_none() {
                    out.destination = node.attribute("Recipient").map(str::to_owned);
                }
            }
            "Attribute" => {
                let values: Vec<String> = node
                    .children()
                    .filter(|c| c.has_tag_name((ASSERTION_NS, "AttributeValue")))
                    .map(|c| {
                        c.descendants()
                            .filter(|d| d.is_text())
                            .filter_map(|d| d.text())
                            .collect::<String>()
                            .trim()
                            .to_string()
                    })
                    .collect();
                match node.attribute("Name").map(str::trim) {
                    Some(ROLE_ATTR) => {
                        for v in values {
                            match parse_role_value(&v) {
                                Some(r) if !out.roles.contains(&r) => out.roles.push(r),
                                Some(_) => {}
                                None => out.malformed_roles.push(v),
                            }
                        }
                    }
                    Some(SESSION_NAME_ATTR) => {
                        out.session_name = values.into_iter().find(|v| !v.is_empty());
                    }
                    Some(SESSION_DURATION_ATTR) => {
                        out.session_duration = values.iter().find_map(|v| v.parse().ok());
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// `role_arn,principal_arn` in either order, whitespace allowed.
pub fn parse_role_value(v: &str) -> Option<Role> {
    let parts: Vec<&str> = v
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() != 2 {
        return None;
    }
    let is_principal = |s: &str| s.starts_with("arn:") && s.contains(":saml-provider/");
    let is_role = |s: &str| s.starts_with("arn:") && s.contains(":role/");
    let (role, principal) = if is_principal(parts[0]) && is_role(parts[1]) {
        (parts[1], parts[0])
    } else if is_role(parts[0]) && is_principal(parts[1]) {
        (parts[0], parts[1])
    } else {
        return None;
    };
    Some(Role {
        role_arn: role.to_string(),
        principal_arn: principal.to_string(),
    })
}

fn rfc3339(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s.trim(), &Rfc3339).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    fn wrap(prefix_style: &str, roles: &[&str]) -> String {
        let vals: String = roles
            .iter()
            .map(|r| {
                format!(
                    "<{p}AttributeValue>{r}</{p}AttributeValue>",
                    p = prefix_style
                )
            })
            .collect();
        format!(
            r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" Destination="https://signin.aws.amazon.com/saml"><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
            <{p}Assertion xmlns{colon}{pn}="urn:oasis:names:tc:SAML:2.0:assertion"><{p}Conditions NotOnOrAfter="2030-01-01T00:05:00.123Z"/>
            <{p}AttributeStatement><{p}Attribute Name="https://aws.amazon.com/SAML/Attributes/Role">{vals}</{p}Attribute>
            <{p}Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"><{p}AttributeValue>mönty@example.com</{p}AttributeValue></{p}Attribute>
            <{p}Attribute Name="https://aws.amazon.com/SAML/Attributes/SessionDuration"><{p}AttributeValue>7200</{p}AttributeValue></{p}Attribute>
            </{p}AttributeStatement></{p}Assertion></samlp:Response>"#,
            p = prefix_style,
            colon = if prefix_style.is_empty() { "" } else { ":" },
            pn = prefix_style.trim_end_matches(':'),
        )
    }

    #[test]
    fn reads_roles_in_any_prefix_and_order() {
        for p in ["saml:", "saml2:", ""] {
            let xml = wrap(
                p,
                &[
                    "arn:aws:iam::123456789012:role/a,arn:aws:iam::123456789012:saml-provider/idp",
                    " arn:aws:iam::123456789012:saml-provider/idp , arn:aws:iam::210987654321:role/path/b ",
                    "garbage",
                ],
            );
            let a = parse_xml(&xml).unwrap();
            assert_eq!(a.roles.len(), 2, "{p}");
            assert_eq!(a.roles[1].role_arn, "arn:aws:iam::210987654321:role/path/b");
            assert_eq!(a.roles[1].account(), "210987654321");
            assert_eq!(a.roles[1].name(), "path/b");
            assert_eq!(a.malformed_roles, vec!["garbage".to_string()]);
            assert_eq!(a.session_name.as_deref(), Some("mönty@example.com"));
            assert_eq!(a.session_duration, Some(7200));
            assert!(a.not_on_or_after.is_some());
        }
    }

    #[test]
    fn refuses_dtds_and_bad_input() {
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&b;</samlp:Response>"#;
        assert!(matches!(parse_xml(bomb), Err(SamlError::Xml(_))));
        assert_eq!(parse("!!!not base64").unwrap_err(), SamlError::Base64);
        let b = base64::engine::general_purpose::STANDARD.encode([0xff, 0xfe, 0x00]);
        assert_eq!(parse(&b).unwrap_err(), SamlError::Utf8);
        let b = base64::engine::general_purpose::STANDARD.encode("<html/>");
        assert!(matches!(parse(&b), Err(SamlError::NotSaml(_))));
    }

    #[test]
    fn reports_failure_status() {
        let xml = r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"/></samlp:Status></samlp:Response>"#;
        assert_eq!(
            parse_xml(xml).unwrap_err(),
            SamlError::Status("Responder".into())
        );
    }

    #[test]
    fn many_roles_parse() {
        let roles: Vec<String> = (0..500)
            .map(|i| {
                format!(
                    "arn:aws:iam::{:012}:role/r{i},arn:aws:iam::{:012}:saml-provider/p",
                    i, i
                )
            })
            .collect();
        let refs: Vec<&str> = roles.iter().map(String::as_str).collect();
        let a = parse_xml(&wrap("saml2:", &refs)).unwrap();
        assert_eq!(a.roles.len(), 500);
    }
}
