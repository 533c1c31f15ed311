//! Which requests are the SAML POST to AWS: the caller lists the sign-in
//! endpoints (the `/saml` URL of each partition's sign-in host, regional
//! subdomains included, and any override); the browser pauses requests
//! matching [`CaptureRule::url_patterns`] (DevTools glob patterns, which
//! can over-match), and [`CaptureRule::matches`] decides exactly on the
//! parsed URL. Paused requests that do not match are let through.

use url::Url;

use crate::error::Error;

/// The SAML endpoints to capture.
#[derive(Debug, Clone, Default)]
pub struct CaptureRule {
    endpoints: Vec<Endpoint>,
}

#[derive(Debug, Clone)]
struct Endpoint {
    scheme: String,
    host: String,
    port: Option<u16>,
    /// Also `*.host` (AWS's regional sign-in hosts).
    subdomains: bool,
    path: String,
}

impl CaptureRule {
    pub fn new() -> Self {
        Self::default()
    }

    /// Capture POSTs to `url` (scheme, host, port and path must match;
    /// any query), and with `subdomains` to the same URL on any subdomain
    /// of its host, e.g. `https://us-east-1.signin.aws.amazon.com/saml`.
    pub fn endpoint(mut self, url: &str, subdomains: bool) -> Result<Self, Error> {
        let bad = |why: &str| Error::CaptureUrl {
            url: url.to_string(),
            why: why.to_string(),
        };
        let parsed = Url::parse(url).map_err(|e| bad(&e.to_string()))?;
        if !matches!(parsed.scheme(), "https" | "http") {
            return Err(bad("only http and https URLs can be watched"));
        }
        let host = parsed
            .host_str()
            .ok_or_else(|| bad("it has no host"))?
            .to_string();
        self.endpoints.push(Endpoint {
            scheme: parsed.scheme().to_string(),
            host,
            port: parsed.port(),
            subdomains,
            path: parsed.path().to_string(),
        });
        Ok(self)
    }

    pub fn is_empty(&self) -> bool {
        self.endpoints.is_empty()
    }

    /// The `urlPattern`s for `Fetch.enable` (`*` any run of characters,
    /// `?` one, `\` escapes).
    pub fn url_patterns(&self) -> Vec<String> {
        let mut out = Vec::new();
        for e in &self.endpoints {
            let port = e.port.map(|p| format!(":{p}")).unwrap_or_default();
            let rest = format!("{port}{}*", escape(&e.path));
            out.push(format!("{}://{}{rest}", e.scheme, escape(&e.host)));
            if e.subdomains {
                out.push(format!("{}://*.{}{rest}", e.scheme, escape(&e.host)));
            }
        }
        out
    }

    /// Whether `url` is one of the endpoints, exactly.
    pub fn matches(&self, url: &str) -> bool {
        let Ok(u) = Url::parse(url) else {
            return false;
        };
        let Some(host) = u.host_str() else {
            return false;
        };
        self.endpoints.iter().any(|e| {
            u.scheme() == e.scheme
                && u.port() == e.port
                && u.path() == e.path
                && (host == e.host
                    || (e.subdomains
                        && host
                            .strip_suffix(e.host.as_str())
                            .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.'))))
        })
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aws() -> CaptureRule {
        CaptureRule::new()
            .endpoint("https://signin.aws.amazon.com/saml", true)
            .unwrap()
            .endpoint("https://signin.amazonaws-us-gov.com/saml", false)
            .unwrap()
            .endpoint("http://127.0.0.1:8080/saml", false)
            .unwrap()
    }

    #[test]
    fn exact_hosts_subdomains_and_paths() {
        let r = aws();
        for yes in [
            "https://signin.aws.amazon.com/saml",
            "https://signin.aws.amazon.com/saml?SAMLart=1",
            "https://us-east-1.signin.aws.amazon.com/saml",
            "https://SIGNIN.aws.amazon.com/saml",
            "https://signin.amazonaws-us-gov.com/saml",
            "http://127.0.0.1:8080/saml",
        ] {
            assert!(r.matches(yes), "{yes}");
        }
        for no in [
            "https://signin.aws.amazon.com/samlx",
            "https://signin.aws.amazon.com/saml/",
            "http://signin.aws.amazon.com/saml",
            "https://evilsignin.aws.amazon.com/saml",
            "https://signin.aws.amazon.com.evil.example/saml",
            "https://evil.example/?x=.signin.aws.amazon.com/saml",
            "https://x.signin.amazonaws-us-gov.com/saml",
            "http://127.0.0.1:8081/saml",
            "not a url",
        ] {
            assert!(!r.matches(no), "{no}");
        }
    }

    #[test]
    fn patterns_cover_the_endpoints() {
        assert_eq!(
            aws().url_patterns(),
            vec![
                "https://signin.aws.amazon.com/saml*",
                "https://*.signin.aws.amazon.com/saml*",
                "https://signin.amazonaws-us-gov.com/saml*",
                "http://127.0.0.1:8080/saml*",
            ]
        );
        assert!(CaptureRule::new().endpoint("ftp://x/saml", false).is_err());
    }
}
