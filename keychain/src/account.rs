//! What IdP passwords are stored under: the service and the account name.

/// The keychain service name under which IdP passwords are kept.
pub const SERVICE: &str = "awsprocesscreds";

/// The keychain account for an IdP password:
/// `<provider>:<username>@<endpoint host>` (with `:port` when the endpoint
/// names a non-default port).
///
/// Only the host is used, so changing the login path of the same IdP keeps
/// the stored password. An endpoint that is not a URL is used up to its
/// first `/`.
pub fn idp_account(provider: &str, username: &str, endpoint_url: &str) -> String {
    let host = match url::Url::parse(endpoint_url) {
        Ok(url) if url.host_str().is_some() => {
            let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
            match url.port() {
                Some(port) => format!("{host}:{port}"),
                None => host,
            }
        }
        _ => endpoint_url
            .trim()
            .split('/')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase(),
    };
    format!("{provider}:{username}@{host}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idp_account_uses_provider_user_and_host() {
        assert_eq!(
            idp_account(
                "okta",
                "alice",
                "https://Example.okta.com/home/amazon_aws/0oa/272"
            ),
            "okta:alice@example.okta.com"
        );
        assert_eq!(
            idp_account(
                "adfs",
                "CORP\\bob",
                "https://sts.corp.example:8443/adfs/ls/"
            ),
            "adfs:CORP\\bob@sts.corp.example:8443"
        );
        assert_eq!(
            idp_account("forms", "c", "idp.example.com/login"),
            "forms:c@idp.example.com"
        );
    }
}
