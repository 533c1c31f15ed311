//! The SAML response as the host reads it: the shared reader
//! (`saml-reader`), and the region an assertion's partition implies.

use plugin_api::aws::Partition;

pub use saml_reader::{parse, parse_role_value, parse_xml, Assertion, Role};

/// The default region of the AWS partition the assertion is meant for,
/// from its destination.
pub fn partition_region(destination: Option<&str>) -> &'static str {
    destination
        .and_then(Partition::of_url)
        .unwrap_or(Partition::Aws)
        .default_region()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions() {
        assert_eq!(
            partition_region(Some("https://signin.amazonaws-us-gov.com/saml")),
            "us-gov-west-1"
        );
        assert_eq!(
            partition_region(Some("https://signin.amazonaws.cn/saml")),
            "cn-north-1"
        );
        assert_eq!(partition_region(None), "us-east-1");
    }
}
