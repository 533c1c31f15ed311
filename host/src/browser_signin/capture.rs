//! Which POSTs are the SAML sign-in to AWS: the consumer (`/saml`) of
//! every partition's sign-in host, its regional subdomains included (the
//! facts are `protocol::aws`'s), plus the consumer on
//! `AWSPROCESSCREDS_SIGNIN_URL` when set (tests, private endpoints).

use awsprocesscreds_browser::CaptureRule;
use plugin_api::aws::{self, Partition};
use plugin_api::PluginError;

use crate::account_names::signin_base_override;

/// The capture rule for a browser sign-in.
pub fn rule() -> Result<CaptureRule, PluginError> {
    let mut rule = CaptureRule::new();
    let bad = |e: awsprocesscreds_browser::Error| {
        PluginError::config(e.to_string()).with_hint(e.hint().unwrap_or_default())
    };
    for p in Partition::ALL {
        rule = rule.endpoint(&p.saml_consumer_url(), true).map_err(bad)?;
    }
    if let Some(base) = signin_base_override() {
        rule = rule
            .endpoint(&aws::consumer_url(&base), false)
            .map_err(bad)?;
    }
    Ok(rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_partition_and_its_regional_hosts_are_captured() {
        let r = rule().unwrap();
        for yes in [
            "https://signin.aws.amazon.com/saml",
            "https://us-west-2.signin.aws.amazon.com/saml",
            "https://signin.amazonaws-us-gov.com/saml",
            "https://signin.amazonaws.cn/saml",
        ] {
            assert!(r.matches(yes), "{yes}");
        }
        for no in [
            "https://signin.aws.amazon.com/federation",
            "https://signin.aws.amazon.com.evil.example/saml",
            "http://signin.aws.amazon.com/saml",
        ] {
            assert!(!r.matches(no), "{no}");
        }
    }
}
