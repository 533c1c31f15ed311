//! SP-initiated sign-in without a copied URL: the SAML `AuthnRequest` the
//! AWS console would send, in the HTTP-Redirect binding (raw DEFLATE, then
//! base64, then URL-encoded as `SAMLRequest`), as aws-azure-login builds it.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use plugin_api::aws::Partition;
use url::Url;

/// The AWS sign-in endpoint that matches a sovereign Entra cloud.
fn acs_url(login_host: &str) -> String {
    let h = login_host.to_ascii_lowercase();
    let partition = if h.contains("microsoftonline.us") {
        Partition::UsGov
    } else if h.contains("microsoftonline.cn") || h.contains("chinacloudapi.cn") {
        Partition::China
    } else {
        Partition::Aws
    };
    partition.saml_consumer_url()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `YYYY-MM-DDTHH:MM:SSZ` for a Unix time (days-from-civil inverse).
fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The `AuthnRequest` XML for the AWS app `app_id_uri`.
pub fn authn_request_xml(app_id_uri: &str, login_host: &str, now_unix: u64, id: &str) -> String {
    format!(
        r#"<samlp:AuthnRequest xmlns="urn:oasis:names:tc:SAML:2.0:metadata" ID="{}" Version="2.0" IssueInstant="{}" IsPassive="false" AssertionConsumerServiceURL="{}" xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">{}</Issuer><samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"/></samlp:AuthnRequest>"#,
        esc(id),
        rfc3339(now_unix),
        acs_url(login_host),
        esc(app_id_uri)
    )
}

/// Raw DEFLATE (RFC 1951) of `data` in stored blocks: valid input for every
/// inflater, and no compression library needed for a few hundred bytes.
pub fn deflate_stored(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 5 * (data.len() / 65_535 + 1));
    let mut chunks = data.chunks(65_535).peekable();
    if chunks.peek().is_none() {
        return vec![0x01, 0x00, 0x00, 0xff, 0xff];
    }
    while let Some(chunk) = chunks.next() {
        let last = chunks.peek().is_none();
        out.push(u8::from(last));
        let len = chunk.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out
}

/// `https://<login host>/<tenant>/saml2?SAMLRequest=...` for SP-initiated
/// sign-in. `login_host` is a host (`login.microsoftonline.us`) or a
/// full `https://` base URL.
pub fn saml2_url(login_host: &str, tenant: &str, app_id_uri: &str) -> Result<Url, String> {
    let base = if login_host.contains("://") {
        login_host.trim_end_matches('/').to_string()
    } else {
        format!("https://{}", login_host.trim_end_matches('/'))
    };
    let mut url = Url::parse(&format!("{base}/"))
        .map_err(|e| format!("login-host {login_host:?} is not a host name ({e})"))?;
    if tenant.contains('/') || tenant.contains('?') || tenant.contains('#') {
        return Err(format!("tenant {tenant:?} is not a tenant id or domain"));
    }
    url.path_segments_mut()
        .map_err(|_| format!("login-host {login_host:?} cannot carry a path"))?
        .pop_if_empty()
        .push(tenant)
        .push("saml2");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let id = format!("id{:x}{:08x}{:x}", now, nanos, std::process::id());
    let xml = authn_request_xml(app_id_uri, login_host, now, &id);
    let encoded = base64::engine::general_purpose::STANDARD.encode(deflate_stored(xml.as_bytes()));
    url.query_pairs_mut().append_pair("SAMLRequest", &encoded);
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_deflate_wire_format() {
        assert_eq!(
            deflate_stored(b"abc"),
            [0x01, 3, 0, 0xfc, 0xff, b'a', b'b', b'c']
        );
        assert_eq!(deflate_stored(b""), [0x01, 0, 0, 0xff, 0xff]);
        let big = vec![b'x'; 70_000];
        let d = deflate_stored(&big);
        assert_eq!(d[0], 0x00);
        assert_eq!(&d[1..5], &[0xff, 0xff, 0x00, 0x00]);
        assert_eq!(d[5 + 65_535], 0x01);
        assert_eq!(d.len(), 70_000 + 10);
    }

    #[test]
    fn timestamps_and_request() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_709_251_199), "2024-02-29T23:59:59Z");
        let x = authn_request_xml(
            "https://signin.aws.amazon.com/saml#1",
            "login.microsoftonline.us",
            0,
            "id1",
        );
        assert!(x.contains("<Issuer xmlns=\"urn:oasis:names:tc:SAML:2.0:assertion\">https://signin.aws.amazon.com/saml#1</Issuer>"));
        assert!(
            x.contains("AssertionConsumerServiceURL=\"https://signin.amazonaws-us-gov.com/saml\"")
        );
    }

    #[test]
    fn saml2_urls_for_each_cloud() {
        let u = saml2_url(
            "login.microsoftonline.com",
            "contoso.onmicrosoft.com",
            "urn:amazon:webservices",
        )
        .unwrap();
        assert_eq!(u.host_str(), Some("login.microsoftonline.com"));
        assert_eq!(u.path(), "/contoso.onmicrosoft.com/saml2");
        assert!(u.query().unwrap().starts_with("SAMLRequest="));
        let u = saml2_url("login.partner.microsoftonline.cn", "t", "x").unwrap();
        assert_eq!(u.host_str(), Some("login.partner.microsoftonline.cn"));
        let u = saml2_url("https://localhost:8443", "t", "x").unwrap();
        assert_eq!(
            u.as_str().split('?').next(),
            Some("https://localhost:8443/t/saml2")
        );
        assert!(saml2_url("login.microsoftonline.com", "a/b", "x").is_err());
    }
}
