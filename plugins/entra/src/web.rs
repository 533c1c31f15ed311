//! The JSON calls Entra's page scripts make (GetCredentialType, BeginAuth,
//! EndAuth), over the host's client, and reading the URLs its pages and
//! scripts name. Page loads and form posts go through the kit's walk
//! (`plugin_kit::walk::Tab`).

use plugin_api::{Host, HttpRequest, HttpResponse, PluginError};
use plugin_kit::browser::{redacted, require_secure};
use plugin_kit::html::Page;
use serde_json::Value;
use url::Url;

use crate::config::Config;

/// The JSON calls of one login.
pub struct Web<'h> {
    host: &'h Host,
    calls: usize,
}

impl<'h> Web<'h> {
    pub fn new(host: &'h Host) -> Self {
        Web { host, calls: 0 }
    }

    /// JSON calls made, for the debug log.
    pub fn calls(&self) -> usize {
        self.calls
    }

    /// POST a JSON body with the extra `headers`; the answer as JSON.
    pub fn post_json(
        &mut self,
        url: &Url,
        body: &Value,
        headers: &[(&str, String)],
    ) -> Result<Value, PluginError> {
        require_secure(
            url,
            "send sign-in data to",
            "Entra ID and your federated IdP must use HTTPS",
        )?;
        self.calls += 1;
        let mut request = HttpRequest::post_json(url.as_str(), body);
        for (k, v) in headers {
            if !v.is_empty() {
                request = request.header(*k, v.clone());
            }
        }
        let resp: HttpResponse = self.host.http(request)?;
        self.host.debug(&format!(
            "JSON call {} (HTTP {})",
            redacted(url),
            resp.status
        ));
        if !resp.is_success() {
            return Err(PluginError::protocol(format!(
                "Entra ID answered HTTP {} to {}",
                resp.status,
                redacted(url)
            ))
            .with_hint("run with -v to see the exchange"));
        }
        resp.json()
    }
}

/// The headers Entra's scripts send with their JSON calls.
pub fn headers(config: &Config, page: &Page) -> Vec<(&'static str, String)> {
    let scalar = |v: &Value| crate::config::scalar(v).unwrap_or_default();
    vec![
        ("canary", config.api_canary.clone()),
        ("client-request-id", config.correlation_id.clone()),
        ("hpgact", scalar(&config.hpgact)),
        ("hpgid", scalar(&config.hpgid)),
        ("hpgrequestid", config.session_id.clone()),
        ("Referer", page.url.to_string()),
    ]
}

/// `url` (absolute, or relative to the page, as `$Config` URLs are)
/// resolved against `page`.
pub fn resolve(page: &Page, url: &str, what: &str) -> Result<Url, PluginError> {
    let url = url.trim();
    if url.is_empty() {
        return Err(PluginError::protocol(format!(
            "{} has no {what} in its $Config",
            page.describe()
        ))
        .with_hint("Entra ID changed its pages; run with -v and report the page id"));
    }
    let resolved = page.base_url().join(url).map_err(|e| {
        PluginError::protocol(format!("{what} on {} is not a URL ({e})", page.describe()))
    })?;
    if !matches!(resolved.scheme(), "http" | "https") {
        return Err(PluginError::protocol(format!(
            "{what} on {} is not a web URL",
            page.describe()
        )));
    }
    Ok(resolved)
}

/// A JavaScript redirect in the page's scripts (`window.location = '...'`,
/// `location.href=`, `location.replace('...')`), as the My Apps
/// redirect page does it (saml2aws's SAMLRequest.html fixture).
pub fn script_redirect(page: &Page) -> Option<Url> {
    const NEEDLES: &[&str] = &[
        "window.location.replace(",
        "window.location.assign(",
        "document.location.replace(",
        "top.location.replace(",
        "top.location.href",
        "top.location",
        "self.location",
        "window.location.href",
        "document.location.href",
        "window.location",
        "document.location",
        "location.replace(",
        "location.href",
    ];
    for script in page.scripts() {
        for needle in NEEDLES {
            let mut from = 0;
            while let Some(at) = script[from..].find(needle) {
                let start = from + at + needle.len();
                from = start;
                let rest = script[start..].trim_start();
                let rest = if needle.ends_with('(') {
                    rest
                } else if let Some(r) = rest.strip_prefix('=') {
                    if r.starts_with('=') {
                        continue;
                    }
                    r.trim_start()
                } else {
                    continue;
                };
                let Some(quote) = rest.chars().next().filter(|c| *c == '\'' || *c == '"') else {
                    continue;
                };
                let Some(end) = rest[1..].find(quote) else {
                    continue;
                };
                let raw = js_unescape(&rest[1..1 + end]);
                if let Ok(u) = page.base_url().join(&raw) {
                    if matches!(u.scheme(), "http" | "https") {
                        return Some(u);
                    }
                }
            }
        }
    }
    None
}

/// The escapes that occur in URLs inside JavaScript strings.
fn js_unescape(s: &str) -> String {
    s.replace("\\/", "/")
        .replace("\\u0026", "&")
        .replace("\\x26", "&")
        .replace("\\u003d", "=")
        .replace("\\x3d", "=")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(body: &str) -> Page {
        Page::parse("https://apps.example.test/applications/x.aspx", body).unwrap()
    }

    #[test]
    fn finds_script_redirects() {
        let p = page("<script>//<![CDATA[\nSys.Application.add_load(f);window.location = 'https://login.example.test/t/saml2?SAMLRequest=abc\\u0026RelayState=1';var a=1;//]]></script>");
        assert_eq!(
            script_redirect(&p).unwrap().as_str(),
            "https://login.example.test/t/saml2?SAMLRequest=abc&RelayState=1"
        );
        let p = page("<script>if (window.location == x) {} location.replace(\"/next\")</script>");
        assert_eq!(
            script_redirect(&p).unwrap().as_str(),
            "https://apps.example.test/next"
        );
        assert!(script_redirect(&page("<script>var x = window.location.hash;</script>")).is_none());
        let p = page(
            "<script>top.location.href = \"https:\\/\\/login.example.test\\/t\\/saml2\";</script>",
        );
        assert_eq!(
            script_redirect(&p).unwrap().as_str(),
            "https://login.example.test/t/saml2"
        );
        assert!(script_redirect(&page(
            "<script>window.location = 'javascript:void(0)';</script>"
        ))
        .is_none());
    }

    #[test]
    fn resolves_relative_and_absolute_config_urls() {
        let p = page("<p>x</p>");
        assert_eq!(
            resolve(&p, "/common/login", "urlPost").unwrap().as_str(),
            "https://apps.example.test/common/login"
        );
        assert_eq!(
            resolve(&p, "https://other.example.test/kmsi", "urlPost")
                .unwrap()
                .as_str(),
            "https://other.example.test/kmsi"
        );
        assert!(resolve(&p, "", "urlPost")
            .unwrap_err()
            .message
            .contains("no urlPost"));
    }
}
