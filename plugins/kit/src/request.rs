//! Reading the standard inputs of a login request, with the messages every
//! web-form plugin gives for missing or unsafe ones.

use plugin_api::{LoginRequest, PluginError};
use url::Url;

use crate::browser::require_secure;

/// `-e` as a URL that is safe to send a password to (HTTPS, or plain HTTP
/// to loopback). `provider` names the plugin in messages; `example` is the
/// hint shown when `-e` is missing.
pub fn endpoint_url(
    request: &LoginRequest,
    provider: &str,
    example: &str,
) -> Result<Url, PluginError> {
    let endpoint = request.endpoint.as_deref().map(str::trim).unwrap_or("");
    if endpoint.is_empty() {
        return Err(
            PluginError::config(format!("the {provider} provider needs -e/--endpoint"))
                .with_hint(example),
        );
    }
    let url = Url::parse(endpoint).map_err(|e| {
        PluginError::config(format!("the endpoint is not a valid URL ({e})"))
            .with_hint("-e must be a full https:// URL")
    })?;
    require_secure(&url, "sign in to", "your SAML IdP must use an https:// URL")?;
    Ok(url)
}

/// `-u`, trimmed and non-empty.
pub fn username(request: &LoginRequest, provider: &str) -> Result<String, PluginError> {
    request
        .username
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| PluginError::config(format!("the {provider} provider needs -u/--username")))
}

/// A `--plugin-option`, trimmed; `None` when absent or empty.
pub fn option(request: &LoginRequest, key: &str) -> Option<String> {
    request
        .options
        .get(key)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// A boolean `--plugin-option` (`1/0`, `true/false`, `yes/no`, `on/off`,
/// any case); `default` when absent, a config error naming the option
/// when it is something else.
pub fn flag(request: &LoginRequest, key: &str, default: bool) -> Result<bool, PluginError> {
    let Some(value) = option(request, key) else {
        return Ok(default);
    };
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(PluginError::config(format!(
            "--plugin-option {key}={value}: expected true or false"
        ))
        .with_hint(format!("write --plugin-option {key}=true or {key}=false"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(endpoint: &str, user: &str) -> LoginRequest {
        LoginRequest::new()
            .with_endpoint(endpoint)
            .with_username(user)
    }

    #[test]
    fn checks_endpoint_and_username() {
        assert!(endpoint_url(&req("https://idp/x", "u"), "p", "e").is_ok());
        assert!(endpoint_url(&req("http://127.0.0.1:8/x", "u"), "p", "e").is_ok());
        let e = endpoint_url(&req("http://idp.example.com/", "u"), "p", "e").unwrap_err();
        assert!(e
            .message
            .contains("refusing to sign in to idp.example.com over plain http"));
        let e = endpoint_url(&req("", "u"), "adfs", "hint").unwrap_err();
        assert_eq!(e.message, "the adfs provider needs -e/--endpoint");
        assert_eq!(
            username(&req("https://x", "  monty "), "p").unwrap(),
            "monty"
        );
        assert!(username(&req("https://x", " "), "p").is_err());
    }
}
