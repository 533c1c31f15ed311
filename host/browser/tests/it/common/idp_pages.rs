//! IdP-like pages and a SAML Response, our own, shaped after real ones.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// A SAML 2.0 Response as an IdP posts it to AWS (structure as in the
/// AWS documentation's "Configure SAML assertions for the authentication
/// response": Response > Assertion > AttributeStatement with the Role and
/// RoleSessionName attributes; unsigned here, the engine checks shape
/// only).
pub fn saml_response(user: &str) -> String {
    let xml = format!(
        r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z" Destination="https://signin.aws.amazon.com/saml"><saml:Issuer>http://idp.test/</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion ID="_a1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z"><saml:Issuer>http://idp.test/</saml:Issuer><saml:Subject><saml:NameID>{user}</saml:NameID></saml:Subject><saml:AttributeStatement><saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role"><saml:AttributeValue>arn:aws:iam::123456789012:role/Dev,arn:aws:iam::123456789012:saml-provider/Test</saml:AttributeValue></saml:Attribute><saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"><saml:AttributeValue>{user}</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion></samlp:Response>"#
    );
    STANDARD.encode(xml)
}

/// Something else base64-encoded (an AuthnRequest: XML, but not a
/// Response).
pub fn authn_request() -> String {
    STANDARD.encode(r#"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_q1" Version="2.0"/>"#)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}

/// The HTTP-POST binding page IdPs answer with: hidden fields and a
/// script that submits them at once. Same structure as SimpleSAMLphp's
/// `templates/post.twig` + `js/post.js` (Debian package simplesamlphp:
/// a submit button `postLoginSubmitButton` clicked on load).
pub fn auto_post(action: &str, saml: &str, relay: Option<&str>, target: Option<&str>) -> String {
    let relay = relay
        .map(|r| {
            format!(
                r#"<input type="hidden" name="RelayState" value="{}">"#,
                esc(r)
            )
        })
        .unwrap_or_default();
    let target = target
        .map(|t| format!(r#" target="{t}""#))
        .unwrap_or_default();
    format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>Sending message</title></head><body>
<form method="post" action="{}"{target}><input type="submit" id="postLoginSubmitButton">
<input type="hidden" name="SAMLResponse" value="{}">{relay}</form>
<script>document.getElementById('postLoginSubmitButton').click();</script></body></html>"#,
        esc(action),
        esc(saml)
    )
}

/// AWS's SAML sign-in endpoint (commercial partition), where IdPs post.
pub const AWS_SIGNIN: &str = "https://signin.aws.amazon.com/saml";

/// The auto-post page that sends `saml` to [`AWS_SIGNIN`] with no relay
/// state, in the page's own frame.
pub fn auto_post_to_aws(saml: &str) -> String {
    auto_post(AWS_SIGNIN, saml, None, None)
}

/// A login form (username + password), with a title xdotool can find.
pub fn login_form(title: &str, action: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>
<form method="post" action="{action}"><label>User <input name="username" autocomplete="username" autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button></form></body></html>"#
    )
}

/// A page that asks for a security key (as IdPs' WebAuthn steps do).
pub fn webauthn_page() -> String {
    r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>Verify with your security key</title></head><body>
<p>Insert your security key</p>
<script>
navigator.credentials.get({publicKey: {challenge: new Uint8Array(32), timeout: 60000, userVerification: "preferred"}}).catch(() => {});
</script></body></html>"#
        .to_string()
}

/// A page that waits for nothing (no form, no script).
pub fn idle_page(title: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body><p>Please wait</p></body></html>"#
    )
}
