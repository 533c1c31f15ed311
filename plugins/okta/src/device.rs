//! OAuth device authorization + web-SSO token exchange, for orgs whose
//! policies cannot be met headlessly (FastPass, device assurance): the user
//! approves in any browser, we exchange the tokens for a web-SSO token for
//! the AWS app and redeem it for the SAML form. No password here.
//!
//! Needs an OIDC native app with the Device Authorization and Token
//! Exchange grants, listed as "Allowed Web SSO Client" on the AWS app.

use std::time::{Duration, Instant};

use plugin_api::{ErrorKind, HttpRequest, HttpResponse, PluginError, Secret};
use serde::Deserialize;
use url::Url;

use crate::app::{self, AppPage};
use crate::session;
use crate::Ctx;

const SCOPE: &str = "openid okta.apps.sso";
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const EXCHANGE_GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// Okta's default when the answer has no `interval`.
const DEFAULT_INTERVAL_SECS: u64 = 5;

#[derive(Deserialize)]
struct Authorization {
    device_code: String,
    user_code: String,
    verification_uri: String,
    #[serde(default)]
    verification_uri_complete: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    interval: Option<u64>,
}

#[derive(Deserialize)]
struct Tokens {
    access_token: String,
    #[serde(default)]
    id_token: Option<String>,
}

/// An error from `/oauth2/v1/device/authorize` or `/oauth2/v1/token`.
/// Okta answers in OAuth's shape (`error`, `error_description`) or in its
/// own (`errorCode`, `errorSummary`, `errorLink`, `errorId`,
/// `errorCauses`), e.g. an unknown client id as HTTP 401
/// `{"errorCode":"invalid_client","errorSummary":"Invalid value for
/// 'client_id' parameter.",...}` (okta/okta-idx-java issue 500; okta-aws-cli
/// `internal/okta/apierror.go` reads both).
#[derive(Deserialize, Default)]
#[serde(default)]
struct OAuthError {
    error: String,
    error_description: String,
    #[serde(rename = "errorCode")]
    error_code: String,
    #[serde(rename = "errorSummary")]
    error_summary: String,
    #[serde(rename = "errorId")]
    error_id: String,
    #[serde(rename = "errorCauses")]
    error_causes: Vec<serde_json::Value>,
}

impl OAuthError {
    /// The error of an answer body, in either shape.
    fn of(resp: &HttpResponse) -> OAuthError {
        serde_json::from_slice(&resp.body).unwrap_or_default()
    }

    /// `invalid_client`, `authorization_pending`, `E0000047`, ...
    fn code(&self) -> &str {
        if self.error.is_empty() {
            &self.error_code
        } else {
            &self.error
        }
    }

    /// Okta's own words: the description or summary, then the causes'
    /// summaries, without their final full stops.
    fn text(&self) -> String {
        let main = if self.error_description.is_empty() {
            &self.error_summary
        } else {
            &self.error_description
        };
        let causes = self
            .error_causes
            .iter()
            .filter_map(|c| c.get("errorSummary").and_then(serde_json::Value::as_str));
        std::iter::once(main.as_str())
            .chain(causes)
            .map(|t| t.trim().trim_end_matches('.'))
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// `invalid_grant: The device code has expired.`, plus Okta's error id
    /// (what Okta support asks for) when it sent one.
    fn describe(&self) -> String {
        let mut s = match (self.code(), self.text()) {
            ("", t) => t,
            (c, t) if t.is_empty() => c.to_string(),
            (c, t) => format!("{c}: {t}"),
        };
        if !self.error_id.is_empty() {
            s.push_str(&format!("; error id {}", self.error_id));
        }
        s
    }
}

/// The app id in `/home/<app name>/<app id>/<n>`.
pub fn app_id(link: &Url) -> Option<String> {
    let parts: Vec<&str> = link.path_segments()?.filter(|s| !s.is_empty()).collect();
    match parts.as_slice() {
        ["home", _, id, ..] => Some((*id).to_string()),
        _ => None,
    }
}

/// Log in with the device flow using OIDC client `client_id`.
pub fn login(
    ctx: &Ctx,
    link: &Url,
    client_id: &str,
    open_browser: bool,
) -> Result<Secret<String>, PluginError> {
    if session::restore_cookies(ctx.host) {
        ctx.host.debug("trying the stored Okta session");
        let resp = ctx.host.http(session::get(link.as_str(), None))?;
        if let AppPage::Saml(a) = app::classify(&resp) {
            ctx.host.add_secret(a.expose());
            session::keep_cookies(ctx.host);
            return Ok(a);
        }
        session::forget_cookies(ctx.host);
    }
    let app = app_id(link).ok_or_else(|| {
        PluginError::config(format!(
            "the device flow needs the AWS app id in -e, like /home/amazon_aws/<app id>/272; {} has none",
            link.path()
        ))
    })?;
    let token_url = ctx.org.url("/oauth2/v1/token");
    let auth: Authorization = {
        let resp = ctx.host.http(
            HttpRequest::post_form(
                ctx.org.url("/oauth2/v1/device/authorize"),
                [("client_id", client_id), ("scope", SCOPE)],
            )
            .header("Accept", "application/json"),
        )?;
        ok_json(&resp, client_id, "starting the device authorization")?
    };
    ctx.host.add_secret(&auth.device_code);
    let url = auth
        .verification_uri_complete
        .clone()
        .unwrap_or_else(|| auth.verification_uri.clone());
    ctx.host.notify(&format!(
        "Okta: to sign in, open {} and enter the code {}",
        auth.verification_uri, auth.user_code
    ));
    if open_browser {
        open_in_browser(ctx, &url);
    }
    let expires = Duration::from_secs(auth.expires_in.unwrap_or(600).clamp(10, 1800));
    let deadline = Instant::now() + expires;
    let mut interval = auth.interval.unwrap_or(DEFAULT_INTERVAL_SECS).clamp(1, 60);
    let tokens: Tokens = loop {
        let now = Instant::now();
        if now >= deadline {
            return Err(expired());
        }
        ctx.host
            .sleep(Duration::from_secs(interval).min(deadline - now))?;
        let resp = ctx.host.http(
            HttpRequest::post_form(
                &token_url,
                [
                    ("client_id", client_id),
                    ("grant_type", DEVICE_GRANT),
                    ("device_code", auth.device_code.as_str()),
                ],
            )
            .header("Accept", "application/json"),
        )?;
        if resp.is_success() {
            break ok_json(&resp, client_id, "reading the device tokens")?;
        }
        let e = OAuthError::of(&resp);
        match e.code() {
            "authorization_pending" => {}
            "slow_down" => interval = (interval + 5).min(60),
            "expired_token" => return Err(expired()),
            "access_denied" => {
                return Err(PluginError::new(
                    ErrorKind::MfaRejected,
                    "the Okta device sign-in was denied in the browser",
                ))
            }
            _ => {
                return Err(oauth_error(
                    &resp,
                    &e,
                    client_id,
                    "waiting for the device sign-in",
                ))
            }
        }
    };
    ctx.host.add_secret(&tokens.access_token);
    let id_token = tokens.id_token.clone().ok_or_else(|| {
        PluginError::protocol(
            "Okta's device tokens have no id_token (is the openid scope granted?)",
        )
    })?;
    ctx.host.add_secret(&id_token);
    let audience = format!("urn:okta:apps:{app}");
    let resp = ctx.host.http(
        HttpRequest::post_form(
            &token_url,
            [
                ("client_id", client_id),
                ("grant_type", EXCHANGE_GRANT),
                ("actor_token", tokens.access_token.as_str()),
                (
                    "actor_token_type",
                    "urn:ietf:params:oauth:token-type:access_token",
                ),
                ("subject_token", id_token.as_str()),
                (
                    "subject_token_type",
                    "urn:ietf:params:oauth:token-type:id_token",
                ),
                (
                    "requested_token_type",
                    "urn:okta:oauth:token-type:web_sso_token",
                ),
                ("audience", audience.as_str()),
            ],
        )
        .header("Accept", "application/json"),
    )?;
    if !resp.is_success() {
        let e = OAuthError::of(&resp);
        let description = e.text().to_ascii_lowercase();
        if description.contains("assurance requirements") {
            return Err(PluginError::access_denied(format!(
                "the AWS app's authentication policy wants more than this device sign-in proved ({})",
                e.describe()
            ))
            .with_hint("sign in again in the browser with the factor the policy asks for (e.g. MFA), or ask your Okta administrator about the AWS app's policy"));
        }
        if matches!(
            e.code(),
            "invalid_target" | "invalid_scope" | "unauthorized_client"
        ) || description.contains("web_sso")
        {
            return Err(PluginError::config(format!(
                "the AWS app {app} does not allow the OIDC app {client_id} to request a web SSO token ({})",
                e.describe()
            ))
            .with_hint(format!("ask your Okta administrator to add {client_id} as \"Allowed Web SSO Client\" on the AWS app's Sign On settings")));
        }
        return Err(oauth_error(
            &resp,
            &e,
            client_id,
            "exchanging the tokens for a web SSO token",
        ));
    }
    let sso: Tokens = ok_json(&resp, client_id, "reading the web SSO token")?;
    ctx.host.add_secret(&sso.access_token);
    let sso_url = ctx.org.url("/login/token/sso");
    let mut resp = ctx.host.http(
        HttpRequest::post_form(&sso_url, [("token", sso.access_token.as_str())])
            .header("Accept", "text/html"),
    )?;
    if matches!(resp.status, 400 | 404 | 405) {
        // Okta's own okta-aws-cli redeems the token with a GET.
        ctx.host
            .debug("POST /login/token/sso refused; redeeming the token with GET");
        let mut url = Url::parse(&sso_url)
            .map_err(|e| PluginError::config(format!("bad Okta URL {sso_url}: {e}")))?;
        url.query_pairs_mut()
            .append_pair("token", &sso.access_token);
        resp = ctx
            .host
            .http(HttpRequest::get(url.as_str()).header("Accept", "text/html"))?;
    }
    match app::classify(&resp) {
        AppPage::Saml(a) => {
            ctx.host.add_secret(a.expose());
            session::keep_cookies(ctx.host);
            Ok(a)
        }
        AppPage::Other(what) => Err(app::no_assertion(&what)),
        _ => Err(app::no_assertion(
            "Okta's sign-in page after the web SSO token",
        )),
    }
}

fn expired() -> PluginError {
    PluginError::new(
        ErrorKind::MfaTimeout,
        "the Okta device sign-in was not approved before its code expired",
    )
    .with_hint("run again and approve the sign-in in the browser sooner")
}

fn ok_json<T: serde::de::DeserializeOwned>(
    resp: &HttpResponse,
    client_id: &str,
    during: &str,
) -> Result<T, PluginError> {
    if resp.is_success() {
        return resp.json::<T>();
    }
    Err(oauth_error(resp, &OAuthError::of(resp), client_id, during))
}

fn oauth_error(resp: &HttpResponse, e: &OAuthError, client_id: &str, during: &str) -> PluginError {
    match e.code() {
        "invalid_client" => {
            return PluginError::config(format!(
                "Okta does not know the OIDC client id {client_id} (invalid_client: {})",
                e.text()
            ))
            .with_hint("--plugin-option client-id must be the Client ID of an OIDC native app with the Device Authorization grant")
        }
        // The app exists but may not use this grant ("The client is not
        // authorized to use the provided grant type. Configured grant
        // types: [...]", okta-signin-widget mock error-400-unauthorized-client.json).
        "unauthorized_client" => {
            return PluginError::config(format!(
                "the OIDC app {client_id} may not use the device flow ({})",
                e.describe()
            ))
            .with_hint("ask your Okta administrator to enable the Device Authorization and Token Exchange grant types on that app (Applications > the app > General Settings > Grant type)")
        }
        _ => {}
    }
    if resp.status == 429 {
        let okta_says = if e.code().is_empty() {
            String::new()
        } else {
            format!(": {}", e.describe())
        };
        return PluginError::other(format!(
            "Okta is rate-limiting {during} (HTTP 429{okta_says})"
        ))
        .with_hint("wait a minute, then run again");
    }
    let what = if e.code().is_empty() && e.text().is_empty() {
        format!("HTTP {}", resp.status)
    } else {
        e.describe()
    };
    let kind = if resp.status >= 500 {
        ErrorKind::Network
    } else {
        ErrorKind::Protocol
    };
    PluginError::new(kind, format!("Okta refused {during} ({what})"))
        .with_hint("run with -v for the exchange; if it persists, ask your Okta administrator")
}

/// Start the system browser on `url` without waiting for it.
fn open_in_browser(ctx: &Ctx, url: &str) {
    let program = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let started = std::process::Command::new(program)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = started {
        ctx.host
            .debug(&format!("could not open a browser with {program}: {e}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> HttpResponse {
        HttpResponse::new(status, "https://o.example/oauth2/v1/device/authorize")
            .with_body(body.as_bytes().to_vec())
    }

    #[test]
    fn oauth_errors_in_both_shapes() {
        // Okta's own shape, as okta/okta-idx-java issue 500 quotes it.
        let e = OAuthError::of(&answer(
            401,
            r#"{"errorCode":"invalid_client","errorSummary":"Invalid value for 'client_id' parameter.","errorLink":"invalid_client","errorId":"oaeS1WCm9sfRZiWy4NwK2z-bg","errorCauses":[]}"#,
        ));
        assert_eq!(e.code(), "invalid_client");
        assert_eq!(
            e.describe(),
            "invalid_client: Invalid value for 'client_id' parameter; error id oaeS1WCm9sfRZiWy4NwK2z-bg"
        );
        let e = OAuthError::of(&answer(
            400,
            r#"{"error":"invalid_scope","error_description":"Requests for ID tokens or access tokens with OpenID scopes require the 'openid' scope."}"#,
        ));
        assert_eq!(e.code(), "invalid_scope");
        assert!(e
            .describe()
            .starts_with("invalid_scope: Requests for ID tokens"));
        let e = OAuthError::of(&answer(
            403,
            r#"{"errorCode":"E0000006","errorSummary":"You do not have permission.","errorCauses":[{"errorSummary":"Policy denied."}]}"#,
        ));
        assert_eq!(
            e.describe(),
            "E0000006: You do not have permission; Policy denied"
        );
        let e = OAuthError::of(&answer(502, "<html>bad gateway</html>"));
        assert_eq!((e.code(), e.describe().as_str()), ("", ""));
    }

    #[test]
    fn app_id_from_the_embed_link() {
        let u = Url::parse("https://o.example/home/amazon_aws/0oa1b2c3/272?x=1").unwrap();
        assert_eq!(app_id(&u).as_deref(), Some("0oa1b2c3"));
        let u = Url::parse("https://o.example/app/x").unwrap();
        assert_eq!(app_id(&u), None);
    }
}
