//! Which URLs may carry sign-in traffic, and how a URL is shown.
//!
//! The rule, the same for the host's HTTP client, its STS check and every
//! plugin: `https` anywhere; plain `http` only to this machine (`localhost`
//! or a loopback address: local test IdPs and emulators); nothing else.
//! A URL in a log line or message is shown without what may hold a secret
//! (user info, query, fragment).

use url::Url;

/// Why a URL may not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refused {
    /// Plain HTTP to a host that is not this machine.
    #[error("plain HTTP to {host}")]
    PlainHttp { host: String },
    /// Neither `https` nor `http`.
    #[error("unsupported URL scheme {0:?}")]
    Scheme(String),
}

/// Whether the URL's host is `localhost` or a loopback address.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// `Ok` for `https` anywhere and plain `http` to loopback.
pub fn check(url: &Url) -> Result<(), Refused> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(Refused::PlainHttp {
            host: url.host_str().unwrap_or("?").to_string(),
        }),
        other => Err(Refused::Scheme(other.to_string())),
    }
}

/// `scheme://host[:port]/path`: the URL without user info, query and
/// fragment, which often carry tokens, for logs and messages.
pub fn redact(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.to_string()
}

/// [`redact`] for a URL as text (`<invalid URL>` when it is not one).
pub fn redact_str(url: &str) -> String {
    Url::parse(url)
        .map(|u| redact(&u))
        .unwrap_or_else(|_| "<invalid URL>".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn https_anywhere_plain_http_only_to_loopback() {
        for ok in [
            "https://idp.example.com/",
            "http://127.0.0.1:8080/",
            "http://localhost/",
            "http://LOCALHOST:4566/",
            "http://[::1]/",
        ] {
            assert_eq!(check(&u(ok)), Ok(()), "{ok}");
        }
        assert_eq!(
            check(&u("http://10.0.0.5:4566/")),
            Err(Refused::PlainHttp {
                host: "10.0.0.5".into()
            })
        );
        assert_eq!(
            check(&u("ftp://localhost/")),
            Err(Refused::Scheme("ftp".into()))
        );
        assert!(is_loopback(&u("ftp://127.0.0.2/")));
        assert!(!is_loopback(&u("http://idp.example.com/")));
    }

    #[test]
    fn redaction_drops_user_info_query_and_fragment() {
        assert_eq!(
            redact(&u(
                "https://u:p@idp.example.com:8443/login?AuthState=secret#x"
            )),
            "https://idp.example.com:8443/login"
        );
        assert_eq!(
            redact_str("https://o.okta.com:8443/home/x?sessionToken=secret"),
            "https://o.okta.com:8443/home/x"
        );
        assert_eq!(redact_str("not a url"), "<invalid URL>");
    }
}
