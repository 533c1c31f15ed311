//! The HTTP client the host lends to plugins.
//!
//! One client per login: a cookie jar shared by every request (IdP flows
//! depend on it), redirects followed with the same HTTPS policy as the
//! first request, a timeout on every call, a cap on body size, the proxy
//! from `HTTPS_PROXY`/`NO_PROXY`, and the CA bundle from `--ca-bundle` or
//! `AWS_CA_BUNDLE` (added to the system trust store).

use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use plugin_api::{url_policy, ErrorKind, HttpRequest, HttpResponse, PluginError};
use reqwest::blocking::Client;
use reqwest::header::HeaderValue;
use url::Url;

use crate::log;

/// Largest response body accepted (IdP pages and assertions are far smaller).
pub const MAX_BODY: usize = 10 * 1024 * 1024;
const MAX_REDIRECTS: usize = 15;
const USER_AGENT: &str = concat!(
    "Mozilla/5.0 (compatible; awsprocesscreds/",
    env!("CARGO_PKG_VERSION"),
    "; +credential_process)"
);

/// The cookie jar shared by a login's requests.
#[derive(Default)]
pub struct Jar(Mutex<cookie_store::CookieStore>);

impl reqwest::cookie::CookieStore for Jar {
    fn set_cookies(&self, headers: &mut dyn Iterator<Item = &HeaderValue>, url: &Url) {
        let cookies = headers.filter_map(|v| {
            v.to_str()
                .ok()
                .and_then(|s| cookie::Cookie::parse(s.to_string()).ok())
        });
        if let Ok(mut store) = self.0.lock() {
            store.store_response_cookies(cookies, url);
        }
    }

    fn cookies(&self, url: &Url) -> Option<HeaderValue> {
        let store = self.0.lock().ok()?;
        let s = store
            .get_request_values(url)
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        if s.is_empty() {
            None
        } else {
            HeaderValue::from_str(&s).ok()
        }
    }
}

impl Jar {
    /// Every cookie, session cookies included, as JSON.
    pub fn export(&self) -> String {
        let Ok(store) = self.0.lock() else {
            return String::new();
        };
        let mut out = Vec::new();
        let _ = cookie_store::serde::json::save_incl_expired_and_nonpersistent(&store, &mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    /// Add cookies saved by `export` (unexpired ones).
    pub fn import(&self, data: &str) -> Result<(), PluginError> {
        let loaded = cookie_store::serde::json::load_all(data.as_bytes())
            .map_err(|e| PluginError::other(format!("saved cookies are unreadable: {e}")))?;
        let mut store = self
            .0
            .lock()
            .map_err(|_| PluginError::other("cookie jar poisoned"))?;
        for c in loaded.iter_unexpired() {
            // A cookie whose domain makes no URL cannot be sent anywhere: skip it.
            if let Some(url) = cookie_url(c) {
                let _ = store.insert(c.clone(), &url);
            }
        }
        Ok(())
    }
}

fn cookie_url(c: &cookie_store::Cookie<'_>) -> Option<Url> {
    let domain = match &c.domain {
        cookie_store::CookieDomain::HostOnly(d) | cookie_store::CookieDomain::Suffix(d) => {
            d.clone()
        }
        _ => "localhost".to_string(),
    };
    let scheme = if c.secure().unwrap_or(false) {
        "https"
    } else {
        "http"
    };
    let path = String::from(c.path.clone());
    Url::parse(&format!("{scheme}://{domain}{path}")).ok()
}

/// Whether `url` may be used: HTTPS anywhere, plain HTTP only to loopback
/// (the rule is [`url_policy::check`]; the words are for IdP traffic).
pub fn allowed(url: &Url) -> Result<(), String> {
    url_policy::check(url).map_err(|e| match e {
        url_policy::Refused::PlainHttp { host } => format!(
            "refusing plain HTTP to {host}: identity providers must use HTTPS (plain HTTP is allowed only for loopback addresses)"
        ),
        other => other.to_string(),
    })
}

/// `scheme://host[:port]/path`, never the query (it can hold tokens).
pub use plugin_api::url_policy::redact_str as display_url;

/// A login's HTTP client.
pub struct HttpClient {
    /// One client (one TLS root store per login); redirects are followed
    /// by `send` itself so each hop gets the same HTTPS policy.
    client: Client,
    jar: Arc<Jar>,
    timeout: Duration,
}

impl HttpClient {
    /// Build a client with `timeout` per call and optional extra CA roots.
    pub fn new(
        timeout: Duration,
        ca_bundle: Option<&Path>,
    ) -> Result<HttpClient, crate::error::Error> {
        let jar = Arc::new(Jar::default());
        let certs = match ca_bundle {
            Some(p) => {
                let pem = std::fs::read(p).map_err(|e| {
                    crate::error::Error::usage(format!(
                        "cannot read CA bundle {}: {e}",
                        p.display()
                    ))
                })?;
                let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                    crate::error::Error::usage(format!(
                        "CA bundle {} is not a PEM certificate bundle: {e}",
                        p.display()
                    ))
                })?;
                if certs.is_empty() {
                    return Err(crate::error::Error::usage(format!(
                        "CA bundle {} contains no certificates",
                        p.display()
                    )));
                }
                certs
            }
            None => Vec::new(),
        };
        let mut builder = Client::builder()
            .user_agent(USER_AGENT)
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(15)))
            .cookie_provider(jar.clone())
            // `send` follows redirects itself, checking every hop.
            .redirect(reqwest::redirect::Policy::none());
        if !certs.is_empty() {
            builder = builder.tls_certs_merge(certs);
        }
        let client = builder.build().map_err(|e| {
            crate::error::Error::other(format!("cannot set up the HTTP client: {e}"))
        })?;
        Ok(HttpClient {
            client,
            jar,
            timeout,
        })
    }

    pub fn jar(&self) -> &Jar {
        &self.jar
    }

    /// Send one request.
    pub fn send(&self, req: HttpRequest) -> Result<HttpResponse, PluginError> {
        let mut url = Url::parse(&req.url).map_err(|e| {
            PluginError::config(format!("invalid URL {:?}: {e}", display_url(&req.url)))
        })?;
        allowed(&url).map_err(|m| PluginError::new(ErrorKind::Network, m))?;
        let mut method = reqwest::Method::from_bytes(req.method.as_bytes())
            .map_err(|_| PluginError::other(format!("invalid HTTP method {:?}", req.method)))?;
        let mut headers = req.headers.clone();
        let mut body = req.body.clone();
        let shown = display_url(&req.url);
        // One deadline for the whole exchange, redirects and body included:
        // a server that trickles its answer must not hold us (and every
        // process waiting on our lock) past --timeout.
        let deadline = Instant::now() + self.timeout;
        let mut hops = 0;
        let resp = loop {
            let resp = self.send_once(&method, &url, &headers, &body, deadline)?;
            let location = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let status = resp.status().as_u16();
            let Some(location) = location
                .filter(|_| req.follow_redirects && matches!(status, 301 | 302 | 303 | 307 | 308))
            else {
                break resp;
            };
            hops += 1;
            if hops > MAX_REDIRECTS {
                return Err(PluginError::new(
                    ErrorKind::Network,
                    format!(
                        "{} redirected more than {MAX_REDIRECTS} times (a redirect loop?)",
                        host_of(&url)
                    ),
                ));
            }
            let next = url.join(&location).map_err(|e| {
                PluginError::protocol(format!("{} sent an invalid redirect ({e})", host_of(&url)))
            })?;
            allowed(&next).map_err(|m| {
                PluginError::new(ErrorKind::Network, format!("redirect refused: {m}"))
            })?;
            // As browsers do: 301/302/303 turn a POST into a GET without a
            // body; 307/308 repeat the request as it was.
            if matches!(status, 301..=303) && method != reqwest::Method::HEAD {
                method = reqwest::Method::GET;
                body.clear();
                headers.retain(|(k, _)| {
                    !k.eq_ignore_ascii_case("content-type")
                        && !k.eq_ignore_ascii_case("content-length")
                });
            }
            // Credentials set by hand are for the original host only.
            if next.host_str() != url.host_str()
                || next.port_or_known_default() != url.port_or_known_default()
            {
                headers.retain(|(k, _)| {
                    !k.eq_ignore_ascii_case("cookie") && !k.eq_ignore_ascii_case("authorization")
                });
            }
            log::trace(&format!(
                "HTTP {status}: redirected to {}",
                display_url(next.as_str())
            ));
            url = next;
        };
        let status = resp.status().as_u16();
        let final_url = url.to_string();
        let headers: Vec<(String, String)> = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = self.read_body(resp, &url, deadline)?;
        if body.len() > MAX_BODY {
            return Err(PluginError::new(
                ErrorKind::Protocol,
                format!(
                    "{} sent a response larger than {} MiB; refusing it",
                    host_of(&url),
                    MAX_BODY / (1024 * 1024)
                ),
            ));
        }
        log::debug(&format!(
            "{method} {shown} -> HTTP {status} ({} bytes){}",
            body.len(),
            if final_url != req.url {
                format!(" at {}", display_url(&final_url))
            } else {
                String::new()
            }
        ));
        Ok(HttpResponse::new(status, final_url)
            .with_headers(headers)
            .with_body(body))
    }

    /// Read a body of at most `MAX_BODY + 1` bytes before `deadline`. The
    /// request's own timeout (the time left) already bounds the body in
    /// reqwest; checking between reads makes the bound ours, whatever the
    /// transport does.
    fn read_body(
        &self,
        mut resp: reqwest::blocking::Response,
        url: &Url,
        deadline: Instant,
    ) -> Result<Vec<u8>, PluginError> {
        let mut body = Vec::new();
        let mut chunk = [0u8; 16 * 1024];
        loop {
            if Instant::now() >= deadline {
                return Err(self.timed_out(url));
            }
            let n = match resp.read(&mut chunk) {
                Ok(0) => return Ok(body),
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) if Instant::now() >= deadline => return Err(self.timed_out(url)),
                Err(e) => {
                    return Err(PluginError::new(
                        ErrorKind::Network,
                        format!("reading the answer of {} failed: {e}", host_of(url)),
                    ))
                }
            };
            body.extend_from_slice(&chunk[..n]);
            if body.len() > MAX_BODY {
                return Ok(body);
            }
        }
    }

    fn timed_out(&self, url: &Url) -> PluginError {
        PluginError::new(
            ErrorKind::Network,
            format!(
                "timed out after {}s talking to {}",
                self.timeout.as_secs(),
                host_of(url)
            ),
        )
        .with_hint("check your network or VPN, or raise --timeout")
    }

    /// One request, no redirect handling.
    fn send_once(
        &self,
        method: &reqwest::Method,
        url: &Url,
        headers: &[(String, String)],
        body: &[u8],
        deadline: Instant,
    ) -> Result<reqwest::blocking::Response, PluginError> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(self.timed_out(url));
        }
        let mut builder = self
            .client
            .request(method.clone(), url.clone())
            .timeout(left);
        for (k, v) in headers {
            if k.eq_ignore_ascii_case("cookie") {
                // An explicit Cookie header would replace the jar's cookies
                // for this request; send both instead, as a browser would.
                use reqwest::cookie::CookieStore as _;
                let merged = match self
                    .jar
                    .cookies(url)
                    .and_then(|h| h.to_str().ok().map(str::to_owned))
                {
                    Some(jar) if !jar.is_empty() => format!("{jar}; {v}"),
                    _ => v.clone(),
                };
                builder = builder.header(k.as_str(), merged);
                continue;
            }
            builder = builder.header(k.as_str(), v.as_str());
        }
        if !body.is_empty() {
            builder = builder.body(body.to_vec());
        }
        builder.send().map_err(|e| self.map_error(&e, url))
    }

    fn map_error(&self, e: &reqwest::Error, url: &Url) -> PluginError {
        let host = host_of(url);
        let chain = error_chain(e);
        let lower = chain.to_ascii_lowercase();
        let (msg, hint) = if e.is_timeout() {
            return self.timed_out(url);
        } else if e.is_redirect() {
            (format!("redirect from {host} refused: {chain}"), None)
        } else if lower.contains("certificate")
            || lower.contains("tls")
            || lower.contains("handshake")
        {
            (
                format!("TLS connection to {host} failed: {chain}"),
                Some("if your IdP uses a private CA, pass its certificate with --ca-bundle (or AWS_CA_BUNDLE)"),
            )
        } else if e.is_connect() {
            (
                format!("cannot connect to {host}: {chain}"),
                Some("check the endpoint URL, your network, VPN and HTTPS_PROXY settings"),
            )
        } else {
            (format!("HTTP request to {host} failed: {chain}"), None)
        };
        let err = PluginError::new(ErrorKind::Network, msg);
        match hint {
            Some(h) => err.with_hint(h),
            None => err,
        }
    }
}

fn host_of(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => "the server".into(),
    }
}

/// The error and its causes on one line, without URLs (they can carry
/// tokens in their query).
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        let s = err.to_string();
        let s = match s.find(" for url (") {
            Some(i) => s[..i].to_string(),
            None => s,
        };
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = err.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_policy() {
        assert!(allowed(&Url::parse("https://idp.example.com/").unwrap()).is_ok());
        assert!(allowed(&Url::parse("http://127.0.0.1:8080/").unwrap()).is_ok());
        assert!(allowed(&Url::parse("http://localhost/").unwrap()).is_ok());
        assert!(allowed(&Url::parse("http://[::1]/").unwrap()).is_ok());
        assert!(allowed(&Url::parse("http://idp.example.com/").unwrap()).is_err());
        assert!(allowed(&Url::parse("ftp://x/").unwrap()).is_err());
    }

    /// A server that sends its headers at once and then one body byte
    /// every 200 ms, forever (as a hostile or broken IdP can).
    fn trickling_server() -> (String, std::thread::JoinHandle<()>) {
        use std::io::Write;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/slow", listener.local_addr().unwrap());
        let h = std::thread::spawn(move || {
            let (mut sock, _) = listener.accept().unwrap();
            let mut buf = [0u8; 4096];
            let _ = sock.read(&mut buf);
            let _ = sock.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n",
            );
            for _ in 0..100 {
                if sock.write_all(b"x").is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        });
        (url, h)
    }

    #[test]
    fn timeout_bounds_the_whole_exchange_body_included() {
        let (url, server) = trickling_server();
        let client = HttpClient::new(Duration::from_secs(1), None).unwrap();
        let start = Instant::now();
        let err = client.send(HttpRequest::get(url)).unwrap_err();
        // Not a speed check: without the deadline this runs for 20 s.
        assert!(start.elapsed() < Duration::from_secs(10));
        assert_eq!(err.kind, ErrorKind::Network);
        assert!(
            err.message.contains("timed out after 1s"),
            "{}",
            err.message
        );
        drop(client);
        let _ = server.join();
    }

    #[test]
    fn display_url_drops_query() {
        assert_eq!(
            display_url("https://o.okta.com:8443/home/x?sessionToken=secret"),
            "https://o.okta.com:8443/home/x"
        );
    }
}
