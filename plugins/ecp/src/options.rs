//! The `--plugin-option` keys this plugin accepts, and the defaults that
//! depend on the AWS partition.

use plugin_api::{LoginRequest, OptionSpec, PluginError};

/// The entity ID of the AWS sign-in service provider, as published in
/// `https://signin.aws.amazon.com/static/saml-metadata.xml`.
pub const DEFAULT_SP_ENTITY_ID: &str = plugin_api::aws::SP_ENTITY_ID;

/// The option key under which the host passes the AWS region it will call
/// STS in (`--region`, `AWSPROCESSCREDS_REGION`, `AWS_REGION`,
/// `AWS_DEFAULT_REGION`), when one is known. Not a user option.
pub const HOST_REGION_KEY: &str = "aws-region";

/// Parsed plugin options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// `Issuer` of the AuthnRequest: the SP the IdP issues the assertion for.
    pub sp_entity_id: String,
    /// `AssertionConsumerServiceURL` of the AuthnRequest; the IdP's answer
    /// must be addressed to it.
    pub acs_url: String,
    /// Keep and reuse the IdP's session cookies between runs (default on).
    pub reuse_session: bool,
}

pub(crate) fn specs() -> Vec<OptionSpec> {
    let spec = |key: &str, help: &str, affects: bool| {
        OptionSpec::new(key, help).affects_credentials(affects)
    };
    vec![
        spec(
            "sp-entity-id",
            "Issuer of the AuthnRequest (default urn:amazon:webservices)",
            true,
        ),
        spec(
            "acs-url",
            "AssertionConsumerServiceURL (default https://signin.aws.amazon.com/saml, or the GovCloud/China sign-in host for a us-gov-*/cn-* --region)",
            true,
        ),
        spec(
            "reuse-session",
            "false: do not keep the IdP's session cookies between runs (default true)",
            false,
        ),
    ]
}

/// The AWS sign-in SAML endpoint of the partition `region` belongs to.
pub fn signin_acs_url(region: Option<&str>) -> String {
    plugin_api::aws::Partition::of_region(region.unwrap_or("")).saml_consumer_url()
}

impl Options {
    /// Read the options of a login request (unknown keys are the host's
    /// concern: it rejects keys the manifest does not declare).
    pub fn from_request(request: &LoginRequest) -> Result<Options, PluginError> {
        let get = |k: &str| plugin_kit::request::option(request, k);
        let acs_url = match get("acs-url") {
            Some(u) => {
                url::Url::parse(&u).map_err(|e| {
                    PluginError::config(format!("--plugin-option acs-url={u}: not a URL ({e})"))
                        .with_hint("e.g. acs-url=https://signin.aws.amazon.com/saml")
                })?;
                u
            }
            None => signin_acs_url(get(HOST_REGION_KEY).as_deref()),
        };
        Ok(Options {
            sp_entity_id: get("sp-entity-id").unwrap_or_else(|| DEFAULT_SP_ENTITY_ID.into()),
            acs_url,
            reuse_session: plugin_kit::request::flag(request, "reuse-session", true)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_partition() {
        let mut r = LoginRequest::default();
        let o = Options::from_request(&r).unwrap();
        assert_eq!(o.sp_entity_id, "urn:amazon:webservices");
        assert_eq!(o.acs_url, "https://signin.aws.amazon.com/saml");
        assert!(o.reuse_session);
        for (region, acs) in [
            ("us-gov-west-1", "https://signin.amazonaws-us-gov.com/saml"),
            ("cn-northwest-1", "https://signin.amazonaws.cn/saml"),
            ("eu-west-1", "https://signin.aws.amazon.com/saml"),
        ] {
            r.options.insert(HOST_REGION_KEY.into(), region.into());
            assert_eq!(Options::from_request(&r).unwrap().acs_url, acs, "{region}");
        }
    }

    #[test]
    fn explicit_options_win() {
        let mut r = LoginRequest::default();
        r.options
            .insert(HOST_REGION_KEY.into(), "us-gov-east-1".into());
        r.options
            .insert("acs-url".into(), " https://sp.example/acs ".into());
        r.options
            .insert("sp-entity-id".into(), "https://sp.example".into());
        r.options.insert("reuse-session".into(), "off".into());
        let o = Options::from_request(&r).unwrap();
        assert_eq!(o.acs_url, "https://sp.example/acs");
        assert_eq!(o.sp_entity_id, "https://sp.example");
        assert!(!o.reuse_session);
        r.options.insert("acs-url".into(), "not a url".into());
        let e = Options::from_request(&r).unwrap_err();
        assert!(e.message.contains("acs-url=not a url"), "{}", e.message);
    }
}
