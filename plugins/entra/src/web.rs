//! The few kinds of HTTP exchange Entra's pages make, over the host's
//! client (which keeps the cookie jar, follows redirects, enforces the
//! timeout and logs each URL without its query): page loads, form posts
//! and the JSON calls the pages' scripts make.

use plugin_api::{Host, HttpRequest, HttpResponse, PluginError};
use plugin_kit::browser::{redacted, require_secure, Browser};
use plugin_kit::html::{Form, Page};
use serde_json::Value;
use url::Url;

/// A browser-like client for one login: page loads and form posts go
/// through the kit's [`Browser`]; the JSON calls the pages' scripts make
/// are added here.
pub struct Web<'h> {
    host: &'h Host,
    browser: Browser<'h>,
    json_calls: usize,
}

impl<'h> Web<'h> {
    pub fn new(host: &'h Host) -> Self {
        Web {
            host,
            browser: Browser::new(host),
            json_calls: 0,
        }
    }

    /// Requests made, for the debug log.
    pub fn requests(&self) -> usize {
        self.browser.requests() + self.json_calls
    }

    /// `GET url`.
    pub fn get(&mut self, url: &Url) -> Result<Page, PluginError> {
        self.browser.open(url.as_str()).map(|l| l.page)
    }

    /// Post `fields` as a form to `url`. `sends_secret` refuses a plain
    /// HTTP target other than loopback.
    pub fn post_form(
        &mut self,
        url: &Url,
        fields: &[(String, String)],
        sends_secret: bool,
    ) -> Result<Page, PluginError> {
        self.browser.post(url, fields, sends_secret).map(|l| l.page)
    }

    /// Submit an HTML form of `page` as a browser would (auto-post pages).
    pub fn submit(
        &mut self,
        page: &Page,
        form: &Form,
        fields: &[(String, String)],
        sends_secret: bool,
    ) -> Result<Page, PluginError> {
        self.browser
            .submit(page, form, fields, sends_secret)
            .map(|l| l.page)
    }

    /// POST a JSON body with the extra `headers`; the answer as JSON.
    pub fn post_json(
        &mut self,
        url: &Url,
        body: &Value,
        headers: &[(&str, String)],
    ) -> Result<Value, PluginError> {
        check_secure(url, true)?;
        self.json_calls += 1;
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

fn check_secure(url: &Url, sends_secret: bool) -> Result<(), PluginError> {
    if !sends_secret {
        return Ok(());
    }
    require_secure(
        url,
        "send sign-in data to",
        "Entra ID and your federated IdP must use HTTPS",
    )
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
