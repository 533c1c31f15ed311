//! A browser without JavaScript on top of the host's HTTP service: open a
//! URL, submit a form the way a browser would, and log each step (without
//! query strings, cookies or field values) to the host's debug log.

use plugin_api::{Host, HttpRequest, PluginError};
use url::Url;

use crate::html::{Form, Page};

/// A page as loaded: the HTTP status and the parsed page (whose `url` is
/// the final URL after redirects).
#[derive(Debug)]
pub struct Loaded {
    pub status: u16,
    pub page: Page,
}

/// Loads pages and submits forms through `host.http` (which keeps the
/// cookie jar and follows redirects).
pub struct Browser<'h> {
    host: &'h Host,
    requests: usize,
}

/// What browsers send, so IdPs serve their HTML login pages.
const ACCEPT_HTML: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

impl<'h> Browser<'h> {
    pub fn new(host: &'h Host) -> Self {
        Browser { host, requests: 0 }
    }

    /// How many requests this browser has made.
    pub fn requests(&self) -> usize {
        self.requests
    }

    /// `GET url`.
    pub fn open(&mut self, url: &str) -> Result<Loaded, PluginError> {
        Url::parse(url)
            .map_err(|e| PluginError::config(format!("the endpoint is not a valid URL ({e})")))?;
        self.send(HttpRequest::get(url))
    }

    /// Submit `form` of `page` with `fields` (usually `form.fill(..)`), to
    /// its action resolved against the page's own URL. `sends_password`
    /// makes it refuse a plain-HTTP target other than loopback.
    pub fn submit(
        &mut self,
        page: &Page,
        form: &Form,
        fields: &[(String, String)],
        sends_password: bool,
    ) -> Result<Loaded, PluginError> {
        let mut target = page.resolve_action(form).map_err(|e| {
            PluginError::protocol(format!(
                "the form on {} has an invalid action ({e})",
                page.describe()
            ))
        })?;
        check_secure(&target, sends_password)?;
        target.set_fragment(None);
        let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
        // The host logs each request's URL and status; say which form and
        // which field names (never values) go with it.
        self.host.debug(&format!(
            "submitting form {} ({}) with fields [{}]",
            form_label(form),
            form.method,
            names.join(", ")
        ));
        let request = if form.method == "GET" {
            target
                .query_pairs_mut()
                .clear()
                .extend_pairs(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            HttpRequest::get(target.as_str())
        } else {
            HttpRequest::post_form(
                target.as_str(),
                fields.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            )
        };
        self.send(request)
    }

    /// POST `fields` as a form to `url` (a URL a page's script posts to,
    /// not a `<form>`). `sends_password` as for [`Browser::submit`].
    pub fn post(
        &mut self,
        url: &Url,
        fields: &[(String, String)],
        sends_password: bool,
    ) -> Result<Loaded, PluginError> {
        check_secure(url, sends_password)?;
        let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
        self.host.debug(&format!(
            "posting [{}] to {}",
            names.join(", "),
            redacted(url)
        ));
        self.send(HttpRequest::post_form(
            url.as_str(),
            fields.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        ))
    }

    fn send(&mut self, request: HttpRequest) -> Result<Loaded, PluginError> {
        self.requests += 1;
        let resp = self.host.http(request.header("Accept", ACCEPT_HTML))?;
        let page = Page::parse(&resp.url, &resp.text()).map_err(|e| {
            PluginError::protocol(format!("the server answered from an invalid URL ({e})"))
        })?;
        self.host.debug(&format!(
            "page {} (HTTP {}): {} form(s), title {:?}",
            redacted(&page.url),
            resp.status,
            page.forms().len(),
            page.title().unwrap_or_default()
        ));
        Ok(Loaded {
            status: resp.status,
            page,
        })
    }
}

/// Refuse to send a password (or other sign-in data) over plain HTTP
/// anywhere but loopback.
fn check_secure(target: &Url, sends_password: bool) -> Result<(), PluginError> {
    if !sends_password {
        return Ok(());
    }
    require_secure(
        target,
        "send your password to",
        "your IdP must use HTTPS; check the -e/--endpoint URL",
    )
}

/// `Ok` when the URL policy allows `url` (`https`, or plain `http` to
/// loopback); else a `config` error "refusing to `doing` HOST over plain
/// SCHEME" with `hint`. Call it before anything secret goes to `url`.
pub fn require_secure(url: &Url, doing: &str, hint: &str) -> Result<(), PluginError> {
    if is_secure_or_loopback(url) {
        return Ok(());
    }
    Err(PluginError::config(format!(
        "refusing to {doing} {} over plain {}",
        url.host_str().unwrap_or("the server"),
        url.scheme()
    ))
    .with_hint(hint))
}

/// `#id`, `name=...` or the form's position, for logs.
fn form_label(form: &Form) -> String {
    match (&form.id, &form.name) {
        (Some(id), _) => format!("#{id}"),
        (None, Some(n)) => format!("name={n}"),
        (None, None) => format!("{} of the page", form.index + 1),
    }
}

/// `scheme://host[:port]/path`: a URL without its query and fragment, which
/// often carry state tokens, for logs and messages.
pub use plugin_api::url_policy::redact as redacted;

/// Whether the URL's host is `localhost` or a loopback address.
pub use plugin_api::url_policy::is_loopback;

/// `https`, or plain `http` on a loopback host (local test IdPs): the
/// host's URL policy, checked before a plugin sends sign-in data.
pub fn is_secure_or_loopback(url: &Url) -> bool {
    plugin_api::url_policy::check(url).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacted_drops_query_fragment_and_userinfo() {
        let u = Url::parse("https://u:p@idp.example.com:8443/login?AuthState=secret#x").unwrap();
        assert_eq!(redacted(&u), "https://idp.example.com:8443/login");
    }

    #[test]
    fn loopback_detection() {
        for (u, ok) in [
            ("http://127.0.0.1:8080/", true),
            ("http://localhost/", true),
            ("http://[::1]/", true),
            ("http://idp.example.com/", false),
            ("https://idp.example.com/", true),
        ] {
            assert_eq!(is_secure_or_loopback(&Url::parse(u).unwrap()), ok, "{u}");
        }
    }
}
