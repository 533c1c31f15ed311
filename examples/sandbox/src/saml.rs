//! Build SAML responses like real IdPs send them (prefix styles, role
//! orders, session attributes), base64-encoded as they travel.

use base64::Engine as _;
use time::{Duration, OffsetDateTime};

use crate::web::esc;

/// How the XML names its namespaces (real IdPs differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrefixStyle {
    /// `samlp:` / `saml:` (Okta, Shibboleth).
    Saml,
    /// `saml2p:` / `saml2:` (Okta, Keycloak).
    Saml2,
    /// Default namespace on the Assertion (ADFS).
    Default,
}

/// A role offered by the assertion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub role_arn: String,
    pub principal_arn: String,
}

impl Role {
    pub fn new(account: &str, role: &str, provider: &str) -> Role {
        Role {
            role_arn: format!("arn:aws:iam::{account}:role/{role}"),
            principal_arn: format!("arn:aws:iam::{account}:saml-provider/{provider}"),
        }
    }
}

/// Builder for a SAML `Response`.
#[derive(Debug, Clone)]
pub struct AssertionBuilder {
    pub roles: Vec<Role>,
    /// Write `principal,role` instead of `role,principal`.
    pub principal_first: bool,
    pub session_name: Option<String>,
    pub session_duration: Option<u64>,
    /// Validity from now.
    pub valid_for: Duration,
    pub prefix: PrefixStyle,
    pub destination: String,
    pub subject: String,
    /// Extra attributes `(name, values)`.
    pub extra: Vec<(String, Vec<String>)>,
}

impl Default for AssertionBuilder {
    fn default() -> Self {
        AssertionBuilder {
            roles: vec![Role::new("123456789012", "okta-dev", "okta")],
            principal_first: false,
            session_name: Some("monty@example.com".into()),
            session_duration: Some(3600),
            valid_for: Duration::minutes(5),
            prefix: PrefixStyle::Saml2,
            destination: "https://signin.aws.amazon.com/saml".into(),
            subject: "monty@example.com".into(),
            extra: Vec::new(),
        }
    }
}

fn ts(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .expect("format time")
}

impl AssertionBuilder {
    pub fn roles(mut self, roles: Vec<Role>) -> Self {
        self.roles = roles;
        self
    }

    pub fn session_name(mut self, name: Option<&str>) -> Self {
        self.session_name = name.map(str::to_owned);
        self
    }

    pub fn session_duration(mut self, secs: Option<u64>) -> Self {
        self.session_duration = secs;
        self
    }

    pub fn prefix(mut self, p: PrefixStyle) -> Self {
        self.prefix = p;
        self
    }

    pub fn principal_first(mut self, yes: bool) -> Self {
        self.principal_first = yes;
        self
    }

    pub fn destination(mut self, d: &str) -> Self {
        self.destination = d.to_string();
        self
    }

    pub fn valid_for(mut self, d: Duration) -> Self {
        self.valid_for = d;
        self
    }

    /// The XML text.
    pub fn xml(&self) -> String {
        let now = OffsetDateTime::now_utc().replace_nanosecond(0).expect("ns");
        let until = now + self.valid_for;
        let (p, a, assertion_open) = match self.prefix {
            PrefixStyle::Saml => (
                "samlp:",
                "saml:",
                r#"<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1" IssueInstant="NOW" Version="2.0">"#.to_string(),
            ),
            PrefixStyle::Saml2 => (
                "saml2p:",
                "saml2:",
                r#"<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1" IssueInstant="NOW" Version="2.0">"#.to_string(),
            ),
            PrefixStyle::Default => (
                "samlp:",
                "",
                r#"<Assertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1" IssueInstant="NOW" Version="2.0">"#.to_string(),
            ),
        };
        let pns = p.trim_end_matches(':');
        let mut x = String::new();
        x.push_str(&format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><{p}Response xmlns:{pns}="urn:oasis:names:tc:SAML:2.0:protocol" Destination="{}" ID="_r1" IssueInstant="{}" Version="2.0">"#,
            esc(&self.destination),
            ts(now)
        ));
        x.push_str(&format!(
            r#"<{p}Status><{p}StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></{p}Status>"#
        ));
        x.push_str(&assertion_open.replace("NOW", &ts(now)));
        x.push_str(&format!(r#"<{a}Issuer>http://sandbox.idp/</{a}Issuer>"#));
        x.push_str(&format!(
            r#"<{a}Subject><{a}NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">{}</{a}NameID><{a}SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><{a}SubjectConfirmationData NotOnOrAfter="{}" Recipient="{}"/></{a}SubjectConfirmation></{a}Subject>"#,
            esc(&self.subject),
            ts(until),
            esc(&self.destination)
        ));
        x.push_str(&format!(
            r#"<{a}Conditions NotBefore="{}" NotOnOrAfter="{}"><{a}AudienceRestriction><{a}Audience>urn:amazon:webservices</{a}Audience></{a}AudienceRestriction></{a}Conditions>"#,
            ts(now - Duration::minutes(1)),
            ts(until)
        ));
        x.push_str(&format!(
            r#"<{a}AuthnStatement AuthnInstant="{}"><{a}AuthnContext><{a}AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</{a}AuthnContextClassRef></{a}AuthnContext></{a}AuthnStatement>"#,
            ts(now)
        ));
        x.push_str(&format!(r#"<{a}AttributeStatement>"#));
        let attr = |x: &mut String, name: &str, values: &[String]| {
            x.push_str(&format!(
                r#"<{a}Attribute Name="{}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">"#,
                esc(name)
            ));
            for v in values {
                x.push_str(&format!(
                    r#"<{a}AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">{}</{a}AttributeValue>"#,
                    esc(v)
                ));
            }
            x.push_str(&format!("</{a}Attribute>"));
        };
        let role_values: Vec<String> = self
            .roles
            .iter()
            .map(|r| {
                if self.principal_first {
                    format!("{},{}", r.principal_arn, r.role_arn)
                } else {
                    format!("{},{}", r.role_arn, r.principal_arn)
                }
            })
            .collect();
        attr(
            &mut x,
            "https://aws.amazon.com/SAML/Attributes/Role",
            &role_values,
        );
        if let Some(n) = &self.session_name {
            attr(
                &mut x,
                "https://aws.amazon.com/SAML/Attributes/RoleSessionName",
                std::slice::from_ref(n),
            );
        }
        if let Some(d) = self.session_duration {
            attr(
                &mut x,
                "https://aws.amazon.com/SAML/Attributes/SessionDuration",
                &[d.to_string()],
            );
        }
        for (name, values) in &self.extra {
            attr(&mut x, name, values);
        }
        x.push_str(&format!("</{a}AttributeStatement>"));
        match self.prefix {
            PrefixStyle::Default => x.push_str("</Assertion>"),
            _ => x.push_str(&format!("</{a}Assertion>")),
        }
        x.push_str(&format!("</{p}Response>"));
        x
    }

    /// The base64 form, as posted in `SAMLResponse`.
    pub fn base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.xml())
    }
}

/// The HTML page an IdP serves to post the assertion to AWS, with the
/// value HTML-escaped the way Okta does (`&#x2b;` for `+`, `&#x3d;` for `=`).
pub fn post_page(saml_b64: &str, action: &str) -> String {
    let escaped = saml_b64
        .replace('+', "&#x2b;")
        .replace('=', "&#x3d;")
        .replace('/', "&#x2f;");
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Signing in</title></head>
<body onload="document.forms[0].submit()">
<noscript><p><strong>Note:</strong> Since your browser does not support JavaScript, you must press the button below once to proceed.</p></noscript>
<form id="appForm" action="{}" method="POST">
<input name="SAMLResponse" type="hidden" value="{escaped}"/>
<input name="RelayState" type="hidden" value=""/>
<noscript><input type="submit" value="Continue"/></noscript>
</form></body></html>"#,
        esc(action)
    )
}
