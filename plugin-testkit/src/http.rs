//! HTTP for the test host: a real client (ureq + rustls) or a script.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use protocol::{url_policy, ErrorKind, HttpRequest, HttpResponse, PluginError};
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};

/// Largest body read, like the host's limit.
const MAX_BODY: u64 = 10 << 20;

pub enum Http {
    Real(RealHttp),
    Scripted(Mutex<VecDeque<HttpResponse>>),
}

pub struct RealHttp {
    agent: ureq::Agent,
    /// Cookies like a browser keeps them, also across the redirects this
    /// client follows itself (so every hop's `Set-Cookie` is kept).
    jar: Mutex<cookie_store::CookieStore>,
}

const MAX_REDIRECTS: usize = 10;

fn network(msg: String) -> PluginError {
    PluginError::new(ErrorKind::Network, msg)
}

impl RealHttp {
    pub fn new(timeout: Duration, ca_bundle: Option<&Path>) -> Result<Self, String> {
        let roots = match ca_bundle {
            None => RootCerts::WebPki,
            Some(p) => {
                let pem = std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?;
                let certs: Vec<Certificate<'static>> = ureq::tls::parse_pem(&pem)
                    .filter_map(|i| match i {
                        Ok(PemItem::Certificate(c)) => Some(c),
                        _ => None,
                    })
                    .collect();
                if certs.is_empty() {
                    return Err(format!("{} holds no certificate", p.display()));
                }
                RootCerts::Specific(std::sync::Arc::new(certs))
            }
        };
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .tls_config(TlsConfig::builder().root_certs(roots).build())
            .build();
        Ok(RealHttp {
            agent: ureq::Agent::new_with_config(config),
            jar: Mutex::new(cookie_store::CookieStore::default()),
        })
    }

    fn jar(&self) -> std::sync::MutexGuard<'_, cookie_store::CookieStore> {
        self.jar.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// One exchange, following redirects as a browser does (GET after
    /// 301/302/303, same method and body after 307/308).
    fn send(&self, r: HttpRequest) -> Result<HttpResponse, PluginError> {
        let mut method = r.method.clone();
        let mut body = r.body.clone();
        let mut url = url::Url::parse(&r.url)
            .map_err(|e| PluginError::config(format!("invalid URL {}: {e}", r.url)))?;
        for _ in 0..=MAX_REDIRECTS {
            let resp = self.once(&method, &url, &r.headers, &body)?;
            let location = resp.header("location").map(str::to_owned);
            let redirect = matches!(resp.status, 301 | 302 | 303 | 307 | 308);
            match location {
                Some(loc) if redirect && r.follow_redirects => {
                    url = url.join(&loc).map_err(|e| {
                        PluginError::protocol(format!("{url} redirected to a bad URL {loc:?}: {e}"))
                    })?;
                    if !matches!(resp.status, 307 | 308) {
                        method = "GET".into();
                        body.clear();
                    }
                }
                _ => return Ok(resp),
            }
        }
        Err(network(format!(
            "{} redirected more than {MAX_REDIRECTS} times",
            r.url
        )))
    }

    fn once(
        &self,
        method: &str,
        url: &url::Url,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<HttpResponse, PluginError> {
        match url_policy::check(url) {
            Ok(()) => {}
            Err(url_policy::Refused::PlainHttp { host }) => {
                return Err(network(format!("refusing plain HTTP to {host}")))
            }
            Err(_) => {
                return Err(PluginError::config(format!(
                    "unsupported URL scheme in {url}"
                )))
            }
        }
        let mut b = ureq::http::Request::builder()
            .method(method)
            .uri(url.as_str());
        for (k, v) in headers {
            if !(method == "GET" && k.eq_ignore_ascii_case("content-type") && body.is_empty()) {
                b = b.header(k.as_str(), v.as_str());
            }
        }
        let cookies: Vec<String> = self
            .jar()
            .get_request_values(url)
            .map(|(n, v)| format!("{n}={v}"))
            .collect();
        if !cookies.is_empty() {
            b = b.header("Cookie", cookies.join("; "));
        }
        let req = b
            .body(body.to_vec())
            .map_err(|e| PluginError::config(format!("bad request: {e}")))?;
        let mut resp = self
            .agent
            .run(req)
            .map_err(|e| network(format!("{method} {url}: {e}")))?;
        let set: Vec<cookie::Cookie<'static>> = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|s| cookie::Cookie::parse(s.to_string()).ok())
            .collect();
        self.jar().store_response_cookies(set.into_iter(), url);
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = resp
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map_err(|e| network(format!("reading the answer of {url}: {e}")))?;
        Ok(HttpResponse::new(status, url.as_str())
            .with_body(body)
            .with_headers(headers))
    }
}

impl Http {
    pub fn send(&self, r: HttpRequest) -> Result<HttpResponse, PluginError> {
        match self {
            Http::Real(h) => h.send(r),
            Http::Scripted(answers) => {
                let next = answers
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .pop_front();
                let mut resp = next.ok_or_else(|| {
                    network(format!(
                        "no scripted answer left for {} {}",
                        r.method, r.url
                    ))
                })?;
                if resp.url.is_empty() {
                    resp.url = r.url;
                }
                Ok(resp)
            }
        }
    }

    pub fn cookies_export(&self) -> String {
        match self {
            Http::Real(h) => {
                let mut out = Vec::new();
                let _ = cookie_store::serde::json::save_incl_expired_and_nonpersistent(
                    &h.jar(),
                    &mut out,
                );
                String::from_utf8(out).unwrap_or_default()
            }
            Http::Scripted(_) => String::new(),
        }
    }

    pub fn cookies_import(&self, data: &str) -> Result<(), PluginError> {
        match self {
            Http::Real(h) => {
                let loaded = cookie_store::serde::json::load_all(data.as_bytes()).map_err(|e| {
                    PluginError::other(format!("saved cookies are unreadable: {e}"))
                })?;
                let mut jar = h.jar();
                for c in loaded.iter_unexpired() {
                    if let Some(u) = cookie_home(c) {
                        let _ = jar.insert(c.clone(), &u);
                    }
                }
                Ok(())
            }
            Http::Scripted(_) => Ok(()),
        }
    }
}

/// A URL a stored cookie belongs to, to put it back in a jar.
fn cookie_home(c: &cookie_store::Cookie<'_>) -> Option<url::Url> {
    let domain = match &c.domain {
        cookie_store::CookieDomain::HostOnly(d) | cookie_store::CookieDomain::Suffix(d) => {
            d.clone()
        }
        _ => return None,
    };
    let scheme = if c.secure().unwrap_or(false) {
        "https"
    } else {
        "http"
    };
    url::Url::parse(&format!(
        "{scheme}://{domain}{}",
        String::from(c.path.clone())
    ))
    .ok()
}
