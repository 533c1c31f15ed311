//! The answer half of the ECP profile: classify what the IdP sent back and
//! lift the `samlp:Response` out of the SOAP body, byte for byte.
//!
//! Shapes studied (our fixtures are our own, with the same structure):
//! Shibboleth IdP 3/4/5 answers as kept by awscli-login's test data
//! (`src/tests/data/success.xml`, `error.xml`: `soap11:Envelope` with an
//! `ecp:Response` header and `saml2p:Response` in the body, a second-level
//! `AuthnFailed` status for a failed login), SimpleSAMLphp 1.19's PAOS
//! binding (`SOAP-ENV:` prefixes, namespaces declared on the envelope), and
//! SOAP 1.1 faults (`faultcode`/`faultstring`).

use std::collections::HashSet;
use std::fmt::Write as _;

use plugin_api::{ErrorKind, HttpResponse, PluginError};
use roxmltree::{Document, Node, ParsingOptions};

use crate::envelope::{escape, AuthnRequest, ECP_NS, SAMLP_NS, SAML_NS, SOAP11_NS};

/// SOAP 1.2, which ECP does not use but a misconfigured endpoint may.
const SOAP12_NS: &str = "http://www.w3.org/2003/05/soap-envelope";
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
const SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";

/// Far above any real answer (a signed assertion with many roles is tens
/// of kilobytes); the host's HTTP client bounds the read as well.
pub const MAX_ANSWER_BYTES: usize = 2 << 20;
/// Bound on the parsed tree, against entity-free "billion nodes" bodies.
const MAX_NODES: u32 = 100_000;

const ENDPOINT_HINT: &str = "use the IdP's ECP endpoint, e.g. Shibboleth https://idp.example.edu/idp/profile/SAML2/SOAP/ECP or SimpleSAMLphp https://idp.example.org/simplesaml/saml2/idp/SSOService.php (with saml20.ecp enabled); the IdP must also know a PAOS AssertionConsumerService for the SP";

/// The `samlp:Response` element of a successful answer, as the standalone
/// XML document the host expects (ready for base64).
pub fn extract(answer: &HttpResponse, request: &AuthnRequest) -> Result<String, PluginError> {
    let status = answer.status;
    if status == 401 {
        return Err(PluginError::auth(
            "the IdP rejected the username or password (HTTP 401 from the ECP endpoint)",
        )
        .with_hint("check -u and the password; some IdPs want user@domain"));
    }
    if (300..400).contains(&status) {
        let to = answer.header("location").unwrap_or("elsewhere");
        let to = url::Url::parse(to)
            .map(|u| plugin_kit::browser::redacted(&u))
            .unwrap_or_else(|_| "elsewhere".into());
        // SimpleSAMLphp answers an ECP request it cannot match to a PAOS
        // consumer of the SP (wrong acs-url, or a GovCloud/China consumer
        // it lacks) by starting a browser login: name what we asked for.
        return Err(not_ecp(format!(
            "the endpoint redirected (HTTP {status}) to {to} instead of answering the SOAP request: it is not an ECP endpoint, or the IdP has no PAOS AssertionConsumerService {:?} for {:?} (acs-url, sp-entity-id) and started a browser login",
            request.acs_url, request.issuer
        )));
    }
    if answer.body.len() > MAX_ANSWER_BYTES {
        return Err(PluginError::protocol(format!(
            "the IdP's answer is larger than {} MiB; refusing to read it",
            MAX_ANSWER_BYTES >> 20
        )));
    }
    let text = std::str::from_utf8(&answer.body).map_err(|_| {
        PluginError::protocol(format!(
            "the IdP answered HTTP {status} with a body that is not UTF-8 text"
        ))
        .with_hint(ENDPOINT_HINT)
    })?;
    let start = text.trim_start_matches('\u{feff}').trim_start();
    if looks_like_html(start) {
        // An IdP that answers ECP with its HTML error page may still say
        // why: a locked or disabled account, an expired password.
        if let Some(named) = plugin_kit::html::Page::parse(&answer.url, start)
            .ok()
            .and_then(|page| plugin_kit::refusal::on_page(&page))
        {
            return Err(named);
        }
    }
    if looks_like_html(start) && says_wrong_credentials(start) {
        // Keycloak (before its SOAP-fault fix) answers a failed ECP login
        // with its HTML error page instead of a SAML Response or fault.
        return Err(PluginError::auth(format!(
            "the IdP rejected the username or password (HTTP {status}, an HTML error page{})",
            html_title(start)
                .map(|t| format!(" {t:?}"))
                .unwrap_or_default()
        ))
        .with_hint("check -u and the password; some IdPs want user@domain"));
    }
    let html_error = || {
        not_ecp(format!(
            "the endpoint answered HTTP {status} with an HTML page{} instead of a SOAP envelope: it is not an ECP endpoint, ECP is not enabled there, or the IdP could not handle the request",
            html_title(start)
                .map(|t| format!(" ({t:?})"))
                .unwrap_or_default()
        ))
    };
    // Sniff the body first: a SOAP answer mislabelled text/html is still
    // an answer.
    if looks_like_html(start) {
        return Err(html_error());
    }
    if start.is_empty() {
        return Err(not_ecp(format!(
            "the endpoint answered HTTP {status} with an empty body instead of a SOAP envelope: it is not an ECP endpoint"
        )));
    }
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..ParsingOptions::default()
    };
    let labelled_html = answer
        .header("content-type")
        .is_some_and(|ct| ct.to_ascii_lowercase().contains("html"));
    let doc = Document::parse_with_options(text, options).map_err(|e| {
        if labelled_html {
            return html_error();
        }
        if !(200..300).contains(&status) && !matches!(e, roxmltree::Error::DtdDetected) {
            return not_ecp(format!(
                "the endpoint answered HTTP {status} with something other than a SOAP envelope: it is not an ECP endpoint"
            ));
        }
        let what = if matches!(e, roxmltree::Error::DtdDetected) {
            "contains a DTD, which is refused".to_string()
        } else {
            format!("is not well-formed XML ({e})")
        };
        PluginError::protocol(format!("the IdP's answer (HTTP {status}) {what}"))
            .with_hint(ENDPOINT_HINT)
    })?;
    let root = doc.root_element();
    let soap_ns = match root.tag_name().namespace() {
        Some(ns @ (SOAP11_NS | SOAP12_NS)) if root.tag_name().name() == "Envelope" => ns,
        _ if labelled_html => return Err(html_error()),
        _ => {
            return Err(not_ecp(format!(
                "the endpoint answered HTTP {status} with XML that is not a SOAP envelope (root element <{}>): it is not an ECP endpoint",
                root.tag_name().name()
            )))
        }
    };
    let body = child(root, soap_ns, "Body")
        .ok_or_else(|| PluginError::protocol("the IdP's SOAP envelope has no Body"))?;
    if let Some(fault) = child(body, soap_ns, "Fault") {
        return Err(fault_error(fault));
    }
    let response = child(body, SAMLP_NS, "Response").ok_or_else(|| {
        let found = body
            .children()
            .find(Node::is_element)
            .map(|n| format!("<{}>", n.tag_name().name()))
            .unwrap_or_else(|| "nothing".into());
        PluginError::protocol(format!(
            "the IdP's SOAP body holds {found}, not a SAML Response"
        ))
        .with_hint(ENDPOINT_HINT)
    })?;
    check_status(response)?;
    check_addressing(root, response, request)?;
    if child(response, SAML_NS, "Assertion").is_none() {
        let why = if child(response, SAML_NS, "EncryptedAssertion").is_some() {
            "its assertion is encrypted, which AWS cannot read"
        } else {
            "it holds no assertion"
        };
        return Err(PluginError::protocol(format!(
            "the IdP's SAML Response is unusable: {why}"
        ))
        .with_hint("configure the IdP not to encrypt assertions for the AWS service provider (Shibboleth: encryptAssertions=\"false\" in the relying party override)"));
    }
    standalone(text, response)
}

fn not_ecp(message: String) -> PluginError {
    PluginError::new(ErrorKind::Config, message).with_hint(ENDPOINT_HINT)
}

fn child<'a, 'i>(node: Node<'a, 'i>, ns: &str, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|n| n.has_tag_name((ns, name)))
}

fn looks_like_html(start: &str) -> bool {
    let head: String = start
        .chars()
        .take(64)
        .collect::<String>()
        .to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html")
}

/// Whether an HTML page says the credentials were wrong (Keycloak's
/// "Invalid username or password.", "Invalid user credentials").
fn says_wrong_credentials(page: &str) -> bool {
    let lower = page.to_ascii_lowercase();
    [
        "invalid username or password",
        "invalid user credentials",
        "invalid username or email",
    ]
    .iter()
    .any(|p| lower.contains(p))
}

/// The `<title>` of an HTML page, collapsed, for the error message.
fn html_title(page: &str) -> Option<String> {
    let lower = page.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let after = open + lower[open..].find('>')? + 1;
    let close = after + lower[after..].find("</title")?;
    let title = page.get(after..close)?;
    let title = plugin_kit::html::collapse(title);
    (!title.is_empty()).then(|| title.chars().take(120).collect())
}

/// The text content of an element, collapsed.
fn text_of(node: Node) -> String {
    let mut s = String::new();
    for t in node.descendants().filter(Node::is_text) {
        s.push_str(t.text().unwrap_or(""));
    }
    plugin_kit::html::collapse(&s)
}

fn fault_error(fault: Node) -> PluginError {
    // SOAP 1.1: unqualified faultcode/faultstring; SOAP 1.2: Code/Value and
    // Reason/Text in the envelope namespace.
    let by_name = |name: &str| {
        fault
            .descendants()
            .find(|n| n.is_element() && n.tag_name().name() == name)
            .map(text_of)
            .filter(|s| !s.is_empty())
    };
    let reason = by_name("faultstring")
        .or_else(|| by_name("Text"))
        .unwrap_or_else(|| "no reason given".into());
    let code = by_name("faultcode").or_else(|| by_name("Value"));
    let message = match code {
        Some(c) => format!("the IdP answered with a SOAP fault: {reason} ({c})"),
        None => format!("the IdP answered with a SOAP fault: {reason}"),
    };
    PluginError::protocol(message).with_hint(
        "the IdP's log has the details; check that ECP is enabled for the service provider (sp-entity-id)",
    )
}

/// `urn:oasis:names:tc:SAML:2.0:status:AuthnFailed` -> `AuthnFailed`.
fn short(code: &str) -> &str {
    code.strip_prefix("urn:oasis:names:tc:SAML:2.0:status:")
        .unwrap_or(code)
}

fn check_status(response: Node) -> Result<(), PluginError> {
    let status = child(response, SAMLP_NS, "Status")
        .ok_or_else(|| PluginError::protocol("the IdP's SAML Response has no Status"))?;
    let top = child(status, SAMLP_NS, "StatusCode")
        .ok_or_else(|| PluginError::protocol("the IdP's SAML Response has no StatusCode"))?;
    let value = top.attribute("Value").unwrap_or("");
    if value == SUCCESS {
        return Ok(());
    }
    let mut codes = vec![short(value).to_string()];
    let mut inner = top;
    while let Some(next) = child(inner, SAMLP_NS, "StatusCode") {
        codes.push(short(next.attribute("Value").unwrap_or("")).to_string());
        inner = next;
    }
    let message = child(status, SAMLP_NS, "StatusMessage")
        .map(text_of)
        .filter(|m| !m.is_empty());
    let codes = codes.join("/");
    // Shibboleth says AuthnFailed (second level); SimpleSAMLphp says
    // Responder with the message "SimpleSAML\Error\Error: WRONGUSERPASS".
    let failed_auth = codes.contains("AuthnFailed")
        || codes.contains("UnknownPrincipal")
        || message
            .as_deref()
            .is_some_and(|m| m.contains("WRONGUSERPASS"));
    // Say what a user understands first; the IdP's own words follow.
    let what = if failed_auth {
        "the IdP rejected the username or password"
    } else {
        "the IdP refused the login"
    };
    let text = match &message {
        Some(m) => format!("{what}: {m} (SAML status {codes})"),
        None => format!("{what} (SAML status {codes})"),
    };
    if failed_auth {
        Err(PluginError::auth(text)
            .with_hint("check -u and the password (and the MFA factor or code)"))
    } else if codes.contains("RequestDenied") || codes.contains("RequestUnsupported") {
        Err(PluginError::new(ErrorKind::Config, text).with_hint(
            "the IdP may not allow ECP for this service provider: check sp-entity-id and the IdP's ECP settings",
        ))
    } else {
        Err(PluginError::protocol(text)
            .with_hint("the IdP's log has the details; check sp-entity-id and acs-url"))
    }
}

/// The answer must be for this request and addressed to our ACS (SAML core:
/// `InResponseTo` and `Destination` of a status response; ECP profile: the
/// client must not relay a response whose `ecp:Response`
/// `AssertionConsumerServiceURL` differs from the one it asked for).
fn check_addressing(
    envelope: Node,
    response: Node,
    request: &AuthnRequest,
) -> Result<(), PluginError> {
    let hint = "the IdP answered a different request or service provider; check acs-url and sp-entity-id, and that no proxy replays answers";
    if let Some(got) = response.attribute("InResponseTo") {
        if got != request.id {
            return Err(PluginError::protocol(format!(
                "the IdP's SAML Response answers request {got:?}, not ours ({:?})",
                request.id
            ))
            .with_hint(hint));
        }
    }
    if let Some(dest) = response.attribute("Destination") {
        if dest != request.acs_url {
            return Err(PluginError::protocol(format!(
                "the IdP's SAML Response is addressed to {dest:?}, not to {:?} (acs-url)",
                request.acs_url
            ))
            .with_hint(hint));
        }
    }
    let header_acs = envelope
        .children()
        .filter(Node::is_element)
        .filter(|n| n.tag_name().name() == "Header")
        .flat_map(|h| h.children())
        .find(|n| n.has_tag_name((ECP_NS, "Response")))
        .and_then(|n| n.attribute("AssertionConsumerServiceURL"));
    if let Some(acs) = header_acs {
        if acs != request.acs_url {
            return Err(PluginError::protocol(format!(
                "the IdP's ecp:Response header names the consumer {acs:?}, not {:?} (acs-url)",
                request.acs_url
            ))
            .with_hint(hint));
        }
    }
    Ok(())
}

/// The element exactly as received, with the namespace declarations it
/// inherits from its ancestors added to its start tag (those it declares
/// itself are left alone), so that it stands alone and signatures over the
/// assertion (exclusive canonicalization) still verify.
fn standalone(text: &str, element: Node) -> Result<String, PluginError> {
    let bad =
        || PluginError::protocol("the IdP's SAML Response could not be cut out of the answer");
    let slice = text.get(element.range()).ok_or_else(bad)?;
    let tag_end = start_tag_end(slice).ok_or_else(bad)?;
    let name_end = slice[1..tag_end]
        .find(|c: char| c.is_ascii_whitespace() || c == '/')
        .map(|i| i + 1)
        .unwrap_or(tag_end);
    let declared = declared_prefixes(&slice[name_end..tag_end]);
    let mut extra = String::new();
    let mut seen: HashSet<Option<&str>> = HashSet::new();
    for ns in element.namespaces() {
        if ns.uri() == XML_NS || declared.contains(&ns.name()) || !seen.insert(ns.name()) {
            continue;
        }
        match ns.name() {
            Some(prefix) => {
                let _ = write!(extra, " xmlns:{prefix}=\"{}\"", escape(ns.uri()));
            }
            None => {
                let _ = write!(extra, " xmlns=\"{}\"", escape(ns.uri()));
            }
        }
    }
    Ok(format!(
        "{}{extra}{}",
        &slice[..name_end],
        &slice[name_end..]
    ))
}

/// Index of the `>` that closes the start tag at the beginning of `s`
/// (quote-aware: `>` may appear inside attribute values).
fn start_tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(i),
            (None, _) => {}
        }
    }
    None
}

/// Prefixes (`None` for the default namespace) declared by the attributes
/// of a well-formed start tag (the part after the element name).
fn declared_prefixes(attrs: &str) -> HashSet<Option<&str>> {
    let mut out = HashSet::new();
    let mut rest = attrs;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        let Some(eq) = rest.find('=') else { break };
        let name = rest[..eq].trim();
        let after = rest[eq + 1..].trim_start();
        let Some(q) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            break;
        };
        let Some(close) = after[1..].find(q) else {
            break;
        };
        if name == "xmlns" {
            out.insert(None);
        } else if let Some(p) = name.strip_prefix("xmlns:") {
            out.insert(Some(p));
        }
        rest = &after[close + 2..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> AuthnRequest {
        AuthnRequest {
            id: "_req1".into(),
            issue_instant: "2026-12-01T19:00:00Z".into(),
            issuer: "urn:amazon:webservices".into(),
            acs_url: "https://signin.aws.amazon.com/saml".into(),
        }
    }

    fn answer(status: u16, content_type: &str, body: &str) -> HttpResponse {
        HttpResponse::new(status, "https://idp.example.edu/idp/profile/SAML2/SOAP/ECP")
            .with_header("Content-Type", content_type)
            .with_body(body.as_bytes())
    }

    /// Shibboleth's shape: namespaces declared on each element, an
    /// ecp:Response header; the Response declares its own prefix.
    const SHIB_OK: &str = concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?>"#,
        r#"<soap11:Envelope xmlns:soap11="http://schemas.xmlsoap.org/soap/envelope/"><soap11:Header>"#,
        r#"<ecp:Response xmlns:ecp="urn:oasis:names:tc:SAML:2.0:profiles:SSO:ecp" AssertionConsumerServiceURL="https://signin.aws.amazon.com/saml" soap11:actor="http://schemas.xmlsoap.org/soap/actor/next" soap11:mustUnderstand="1"/>"#,
        r#"</soap11:Header><soap11:Body>"#,
        r#"<saml2p:Response xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol" Destination="https://signin.aws.amazon.com/saml" ID="_r" InResponseTo="_req1" IssueInstant="2026-12-01T19:00:01.000Z" Version="2.0">"#,
        r#"<saml2:Issuer xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion">https://idp.example.edu/idp/shibboleth</saml2:Issuer>"#,
        r#"<saml2p:Status><saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></saml2p:Status>"#,
        r#"<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a" Version="2.0" IssueInstant="2026-12-01T19:00:01.000Z"><saml2:Issuer>x &amp; y</saml2:Issuer></saml2:Assertion>"#,
        r#"</saml2p:Response></soap11:Body></soap11:Envelope>"#
    );

    #[test]
    fn shibboleth_answer_is_cut_out_byte_for_byte() {
        let xml = extract(&answer(200, "text/xml;charset=UTF-8", SHIB_OK), &request()).unwrap();
        let start = SHIB_OK.find("<saml2p:Response").unwrap();
        let end = SHIB_OK.find("</soap11:Body>").unwrap();
        // The Response declares saml2p itself; only the envelope's soap11
        // (in scope, unused) is added. Everything else is the same bytes.
        assert_eq!(
            xml,
            SHIB_OK[start..end].replacen(
                "<saml2p:Response ",
                r#"<saml2p:Response xmlns:soap11="http://schemas.xmlsoap.org/soap/envelope/" "#,
                1
            )
        );
        assert!(xml.contains("x &amp; y"), "entities stay as received");
        Document::parse(&xml).unwrap();
    }

    /// SimpleSAMLphp's shape: prefixes declared on the envelope only.
    #[test]
    fn inherited_namespaces_are_added_to_the_root() {
        let body = concat!(
            r#"<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns="urn:example:default">"#,
            r#"<SOAP-ENV:Body><samlp:Response ID="_r" InResponseTo="_req1" Version="2.0" attr='a>b'>"#,
            r#"<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>"#,
            r#"<saml:Assertion ID="_a"/></samlp:Response></SOAP-ENV:Body></SOAP-ENV:Envelope>"#
        );
        let xml = extract(&answer(200, "text/xml", body), &request()).unwrap();
        let doc = Document::parse(&xml).unwrap();
        let root = doc.root_element();
        assert!(root.has_tag_name((SAMLP_NS, "Response")));
        assert_eq!(root.attribute("attr"), Some("a>b"));
        assert!(root
            .children()
            .any(|n| n.has_tag_name((SAML_NS, "Assertion"))));
        assert!(xml.starts_with(r#"<samlp:Response xmlns:"#), "{xml}");
        assert!(xml.contains(r#" xmlns="urn:example:default""#), "{xml}");
        assert!(xml.ends_with("</samlp:Response>"));
    }

    #[test]
    fn declared_prefixes_are_read_from_the_start_tag() {
        let d = declared_prefixes(r#" a="1" xmlns:x='u' xmlns = "v" b:c="&quot;>""#);
        assert!(d.contains(&Some("x")) && d.contains(&None) && d.len() == 2);
        assert_eq!(start_tag_end(r#"<a b="x>y">z</a>"#), Some(10));
    }

    fn err(status: u16, ct: &str, body: &str) -> PluginError {
        extract(&answer(status, ct, body), &request()).unwrap_err()
    }

    #[test]
    fn status_errors_show_message_and_both_codes() {
        let body = SHIB_OK.replace(
            r#"<saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>"#,
            r#"<saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"><saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"/></saml2p:StatusCode><saml2p:StatusMessage>An error   occurred.</saml2p:StatusMessage>"#,
        );
        let e = err(500, "text/xml", &body);
        assert_eq!(e.kind, ErrorKind::AuthenticationFailed);
        assert_eq!(
            e.message,
            "the IdP rejected the username or password: An error occurred. (SAML status Responder/AuthnFailed)"
        );
        let body = SHIB_OK.replace(
            "status:Success\"/>",
            "status:Requester\"><saml2p:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:RequestDenied\"/></saml2p:StatusCode>",
        );
        let e = err(200, "text/xml", &body);
        assert_eq!(e.kind, ErrorKind::Config);
        assert!(
            e.message.ends_with("(SAML status Requester/RequestDenied)"),
            "{}",
            e.message
        );
    }

    #[test]
    fn faults_html_and_401_have_their_own_messages() {
        let fault = r#"<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><S:Fault><faultcode>S:Server</faultcode><faultstring>Unable to respond</faultstring></S:Fault></S:Body></S:Envelope>"#;
        let e = err(500, "text/xml", fault);
        assert_eq!(
            e.message,
            "the IdP answered with a SOAP fault: Unable to respond (S:Server)"
        );
        let e = err(
            200,
            "text/html",
            "<!DOCTYPE html><html><head><title>Web Login\n Service</title></head></html>",
        );
        assert_eq!(e.kind, ErrorKind::Config);
        assert!(
            e.message.contains("HTML page (\"Web Login Service\")"),
            "{}",
            e.message
        );
        assert!(e.message.contains("not an ECP endpoint"), "{}", e.message);
        // Keycloak's HTML error page for a failed ECP login (its
        // SamlEcpProfileService before the SOAP-fault fix, keycloak#10352).
        let e = err(
            400,
            "text/html",
            "<!DOCTYPE html><html><head><title>Sign in to test</title></head><body><span id=\"input-error\">Invalid username or password.</span></body></html>",
        );
        assert_eq!(e.kind, ErrorKind::AuthenticationFailed);
        assert_eq!(
            e.message,
            "the IdP rejected the username or password (HTTP 400, an HTML error page \"Sign in to test\")"
        );
        let mut redirect = answer(303, "text/html", "");
        redirect.headers.push((
            "Location".into(),
            "https://idp.example.org/simplesaml/module.php/core/loginuserpass.php?AuthState=_secret".into(),
        ));
        let e = extract(&redirect, &request()).unwrap_err();
        assert!(
            e.message.contains("no PAOS AssertionConsumerService \"https://signin.aws.amazon.com/saml\" for \"urn:amazon:webservices\""),
            "{}",
            e.message
        );
        assert!(!e.message.contains("_secret"), "{}", e.message);
        let e = err(401, "text/html", "<html>Unauthorized</html>");
        assert_eq!(e.kind, ErrorKind::AuthenticationFailed);
        assert!(e.message.contains("HTTP 401"));
        let e = err(200, "text/xml", "<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>");
        assert!(e.message.contains("DTD"), "{}", e.message);
        let e = err(200, "application/json", "{}");
        assert!(e.message.contains("not well-formed XML"), "{}", e.message);
        let e = err(404, "text/plain", "Not Found");
        assert_eq!(e.kind, ErrorKind::Config);
        assert!(
            e.message
                .contains("HTTP 404 with something other than a SOAP envelope"),
            "{}",
            e.message
        );
        let e = err(200, "text/xml", "<rss/>");
        assert!(
            e.message
                .contains("not a SOAP envelope (root element <rss>)"),
            "{}",
            e.message
        );
    }

    /// Hostile or broken answers end in an error, never a panic: every
    /// truncation of a good answer, and single-byte corruptions of it.
    #[test]
    fn truncated_and_corrupted_answers_are_errors() {
        for end in 0..SHIB_OK.len() {
            if let Some(prefix) = SHIB_OK.get(..end) {
                let _ = extract(&answer(200, "text/xml", prefix), &request());
            }
        }
        let bytes = SHIB_OK.as_bytes();
        for i in (0..bytes.len()).step_by(7) {
            for b in [b'<', b'>', b'"', b'\'', b'&', b':', 0xff] {
                let mut body = bytes.to_vec();
                body[i] = b;
                let a = answer(200, "text/xml", "").with_body(body);
                let _ = extract(&a, &request());
            }
        }
    }

    #[test]
    fn content_type_is_a_label_the_body_decides() {
        // A SOAP answer mislabelled as HTML is still read.
        extract(&answer(200, "text/html", SHIB_OK), &request()).unwrap();
        // An XHTML error page (SimpleSAMLphp's "Metadata not found") with a
        // DTD is an HTML page, not a DTD attack.
        let page = concat!(
            r#"<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">"#,
            r#"<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Metadata not found</title></head></html>"#
        );
        let e = err(200, "text/html; charset=UTF-8", page);
        assert!(
            e.message.contains("(\"Metadata not found\")"),
            "{}",
            e.message
        );
        let e = err(500, "text/html", "<p>oops</p>");
        assert!(e.message.contains("HTML page"), "{}", e.message);
    }

    #[test]
    fn answers_for_another_request_or_consumer_are_refused() {
        let e = err(
            200,
            "text/xml",
            &SHIB_OK.replace("InResponseTo=\"_req1\"", "InResponseTo=\"_other\""),
        );
        assert!(
            e.message.contains("answers request \"_other\", not ours"),
            "{}",
            e.message
        );
        let e = err(
            200,
            "text/xml",
            &SHIB_OK.replace(
                "Destination=\"https://signin.aws.amazon.com/saml\"",
                "Destination=\"https://evil.example/saml\"",
            ),
        );
        assert!(
            e.message
                .contains("addressed to \"https://evil.example/saml\""),
            "{}",
            e.message
        );
        let e = err(
            200,
            "text/xml",
            &SHIB_OK.replace(
                "AssertionConsumerServiceURL=\"https://signin.aws.amazon.com/saml\"",
                "AssertionConsumerServiceURL=\"https://evil.example/saml\"",
            ),
        );
        assert!(e.message.contains("ecp:Response header"), "{}", e.message);
    }

    #[test]
    fn encrypted_assertions_get_a_configuration_hint() {
        let body = SHIB_OK
            .replace("<saml2:Assertion ", "<saml2:EncryptedAssertion ")
            .replace("</saml2:Assertion>", "</saml2:EncryptedAssertion>");
        let e = err(200, "text/xml", &body);
        assert!(e.message.contains("encrypted"), "{}", e.message);
    }
}
