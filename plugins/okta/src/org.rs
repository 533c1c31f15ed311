//! The Okta org behind an app link: its base URL, URL building, and the
//! Classic-or-Identity-Engine check.

use plugin_api::{HttpRequest, PluginError};
use url::Url;

use crate::Ctx;

/// The org (`scheme://host[:port]`) of the `-e` app link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Org {
    base: Url,
}

impl Org {
    /// Split `-e` into the org and the app link.
    pub fn from_endpoint(endpoint: &str) -> Result<(Org, Url), PluginError> {
        let hint = "-e must be the AWS app's embed link, like https://example.okta.com/home/amazon_aws/0oa1b2c3d4/272";
        let link = Url::parse(endpoint.trim()).map_err(|e| {
            PluginError::config(format!("-e {endpoint} is not a URL ({e})")).with_hint(hint)
        })?;
        if !matches!(link.scheme(), "https" | "http") || link.host_str().is_none() {
            return Err(PluginError::config(format!(
                "-e {endpoint} is not an http(s) URL with a host"
            ))
            .with_hint(hint));
        }
        if link.path().trim_matches('/').is_empty() {
            return Err(PluginError::config(format!(
                "-e {endpoint} is the Okta org, not the AWS app link"
            ))
            .with_hint(hint));
        }
        let mut base = link.clone();
        base.set_path("/");
        base.set_query(None);
        base.set_fragment(None);
        Ok((Org { base }, link))
    }

    /// `scheme://host[:port]` without a trailing slash.
    pub fn base(&self) -> String {
        self.base.as_str().trim_end_matches('/').to_string()
    }

    pub fn host(&self) -> String {
        self.base.host_str().unwrap_or_default().to_string()
    }

    /// An absolute URL for `path` on the org.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base(), path)
    }

    /// Resolve a link Okta sent (usually absolute already).
    pub fn resolve(&self, href: &str) -> String {
        self.base
            .join(href)
            .map(String::from)
            .unwrap_or_else(|_| href.to_string())
    }
}

/// The app link with `sessionToken` appended (`&` when it has a query).
pub fn with_session_token(link: &Url, token: &str) -> String {
    let mut u = link.clone();
    u.query_pairs_mut().append_pair("sessionToken", token);
    u.into()
}

/// Where the answer of [`is_identity_engine`] is remembered (not a secret;
/// kept with the IdP session so a full login costs no extra request).
const ENGINE_KEY: &str = "okta-engine";
/// Orgs migrate from Classic to OIE rarely: look again once a day.
const ENGINE_TTL_SECS: i64 = 24 * 3600;

/// The remembered answer of [`is_identity_engine`], if any.
pub fn remembered_engine(ctx: &Ctx) -> Option<bool> {
    let v = ctx.host.session_get(ENGINE_KEY)?;
    ctx.host
        .debug(&format!("org pipeline (remembered): {}", v.expose()));
    Some(v.expose() == "idx")
}

/// Remember the engine for a day: called after a successful login only, so
/// a failed one leaves the cache directory untouched.
pub fn remember_engine(ctx: &Ctx, idx: bool) {
    let value = plugin_api::Secret::new(if idx { "idx" } else { "v1" }.to_string());
    let expires = time::OffsetDateTime::now_utc().unix_timestamp() + ENGINE_TTL_SECS;
    let _ = ctx.host.session_put(ENGINE_KEY, &value, expires);
}

/// Whether the org runs Okta Identity Engine (`pipeline: idx` at
/// `/.well-known/okta-organization`). Unknown counts as Classic.
pub fn is_identity_engine(ctx: &Ctx) -> bool {
    engine(ctx) == Some(true)
}

/// The org's engine from `/.well-known/okta-organization`: `Some(true)`
/// for `pipeline: idx`, `Some(false)` for any other pipeline, `None` when
/// the org does not say (no such document, an error, no `pipeline`).
pub fn engine(ctx: &Ctx) -> Option<bool> {
    let url = ctx.org.url("/.well-known/okta-organization");
    let pipeline = ctx
        .host
        .http(HttpRequest::get(&url).header("Accept", "application/json"))
        .ok()
        .filter(|r| r.is_success())
        .and_then(|r| r.json::<serde_json::Value>().ok())
        .and_then(|v| {
            v.get("pipeline")
                .and_then(|p| p.as_str())
                .map(str::to_owned)
        });
    ctx.host.debug(&format!(
        "org pipeline: {}",
        pipeline.as_deref().unwrap_or("unknown")
    ));
    pipeline.map(|p| p == "idx")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_is_scheme_host_port_of_the_link() {
        let (org, link) =
            Org::from_endpoint("https://example.okta.com/home/amazon_aws/blob/123").unwrap();
        assert_eq!(org.base(), "https://example.okta.com");
        assert_eq!(
            org.url("/api/v1/authn"),
            "https://example.okta.com/api/v1/authn"
        );
        assert_eq!(link.path(), "/home/amazon_aws/blob/123");
        let (org, _) = Org::from_endpoint("http://127.0.0.1:8080/home/a/b/1?x=1").unwrap();
        assert_eq!(org.base(), "http://127.0.0.1:8080");
        assert_eq!(org.host(), "127.0.0.1");
    }

    #[test]
    fn bad_endpoints_are_config_errors() {
        for e in [
            "not a url",
            "https://example.okta.com",
            "https://example.okta.com/",
            "ftp://x/y",
        ] {
            let err = Org::from_endpoint(e).unwrap_err();
            assert_eq!(err.kind, plugin_api::ErrorKind::Config, "{e}");
            assert!(err.hint.unwrap().contains("embed link"));
        }
    }

    #[test]
    fn session_token_is_appended_once_with_the_right_separator() {
        let (_, link) = Org::from_endpoint("https://o.example/home/amazon_aws/a/1").unwrap();
        assert_eq!(
            with_session_token(&link, "t/1+"),
            "https://o.example/home/amazon_aws/a/1?sessionToken=t%2F1%2B"
        );
        let (_, link) =
            Org::from_endpoint("https://o.example/home/amazon_aws/a/1?fromHome=true").unwrap();
        assert_eq!(
            with_session_token(&link, "t"),
            "https://o.example/home/amazon_aws/a/1?fromHome=true&sessionToken=t"
        );
    }

    #[test]
    fn resolves_relative_links() {
        let (org, _) = Org::from_endpoint("https://o.example/home/a/b/1").unwrap();
        assert_eq!(
            org.resolve("/login/step-up/redirect?stateToken=x"),
            "https://o.example/login/step-up/redirect?stateToken=x"
        );
        assert_eq!(org.resolve("https://other/x"), "https://other/x");
    }
}
