//! The AWS partitions and what the host and plugins need to know about
//! each: where its sign-in (and SAML consumer), console and STS live, and
//! which region it defaults to. Every other place asks this module.
//!
//! Sources: the partitions' endpoints as the AWS SDKs list them
//! (`partitions.json` of the SDKs' endpoint resolvers) and the SAML
//! metadata AWS publishes at `https://signin.aws.amazon.com/static/saml-metadata.xml`
//! (entity id `urn:amazon:webservices`, consumer `/saml`).

use url::Url;

/// An AWS partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Partition {
    /// `aws`: the commercial regions.
    Aws,
    /// `aws-us-gov`: AWS GovCloud (US).
    UsGov,
    /// `aws-cn`: the China regions.
    China,
}

/// The facts of one partition, written once.
struct Facts {
    /// The partition name in ARNs (`arn:aws-us-gov:...`).
    id: &'static str,
    /// The domain of its sign-in and console hosts.
    web_domain: &'static str,
    /// The domain of its service endpoints (`sts.REGION.<api_domain>`).
    api_domain: &'static str,
    /// What its region names start with (`""`: every other region).
    region_prefix: &'static str,
    default_region: &'static str,
}

const AWS: Facts = Facts {
    id: "aws",
    web_domain: "aws.amazon.com",
    api_domain: "amazonaws.com",
    region_prefix: "",
    default_region: "us-east-1",
};

const US_GOV: Facts = Facts {
    id: "aws-us-gov",
    web_domain: "amazonaws-us-gov.com",
    api_domain: "amazonaws.com",
    region_prefix: "us-gov-",
    default_region: "us-gov-west-1",
};

const CHINA: Facts = Facts {
    id: "aws-cn",
    web_domain: "amazonaws.cn",
    api_domain: "amazonaws.com.cn",
    region_prefix: "cn-",
    default_region: "cn-north-1",
};

/// The path of the SAML assertion consumer on a sign-in host.
pub const SAML_CONSUMER_PATH: &str = "/saml";
/// The path of the console federation endpoint on a sign-in host.
pub const FEDERATION_PATH: &str = "/federation";
/// AWS's SAML service-provider entity id (the `Issuer` of an AuthnRequest
/// for AWS, the relying party an IdP knows AWS by).
pub const SP_ENTITY_ID: &str = "urn:amazon:webservices";
/// The SAML attribute that lists the roles (`role_arn,principal_arn`).
pub const ROLE_ATTRIBUTE: &str = "https://aws.amazon.com/SAML/Attributes/Role";
/// The SAML attribute that names the role session.
pub const ROLE_SESSION_NAME_ATTRIBUTE: &str =
    "https://aws.amazon.com/SAML/Attributes/RoleSessionName";
/// The SAML attribute with the longest session the IdP allows, in seconds.
pub const SESSION_DURATION_ATTRIBUTE: &str =
    "https://aws.amazon.com/SAML/Attributes/SessionDuration";

impl Partition {
    /// Every partition, the default (`aws`) first.
    pub const ALL: [Partition; 3] = [Partition::Aws, Partition::UsGov, Partition::China];

    fn facts(self) -> &'static Facts {
        match self {
            Partition::Aws => &AWS,
            Partition::UsGov => &US_GOV,
            Partition::China => &CHINA,
        }
    }

    /// The name in ARNs: `aws`, `aws-us-gov`, `aws-cn`.
    pub fn id(self) -> &'static str {
        self.facts().id
    }

    /// The partition a region belongs to (`us-gov-*`, `cn-*`, else `aws`).
    pub fn of_region(region: &str) -> Partition {
        let r = region.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|p| !p.facts().region_prefix.is_empty() && r.starts_with(p.facts().region_prefix))
            .unwrap_or(Partition::Aws)
    }

    /// The partition an ARN names (`arn:aws-cn:...`), if it is one of these.
    pub fn of_arn(arn: &str) -> Option<Partition> {
        let id = arn.split(':').nth(1)?;
        Self::ALL.into_iter().find(|p| p.id() == id)
    }

    /// From a role ARN when it names a partition other than `aws` (test
    /// and sandbox roles are often `arn:aws:` whatever the region), else
    /// from the region name, else `aws`.
    pub fn of(role_arn: Option<&str>, region: Option<&str>) -> Partition {
        role_arn
            .and_then(Partition::of_arn)
            .filter(|p| *p != Partition::Aws)
            .unwrap_or_else(|| region.map(Partition::of_region).unwrap_or(Partition::Aws))
    }

    /// The partition whose sign-in or console host `url` is on (a SAML
    /// response's `Destination`, say), if any.
    pub fn of_url(url: &str) -> Option<Partition> {
        let u = Url::parse(url.trim()).ok()?;
        let host = u.host_str()?.to_ascii_lowercase();
        Self::ALL.into_iter().find(|p| {
            let d = p.facts().web_domain;
            host == d || host.strip_suffix(d).is_some_and(|s| s.ends_with('.'))
        })
    }

    /// The region used when none is configured.
    pub fn default_region(self) -> &'static str {
        self.facts().default_region
    }

    /// The global sign-in host, e.g. `signin.aws.amazon.com`.
    pub fn signin_host(self) -> String {
        format!("signin.{}", self.facts().web_domain)
    }

    /// `https://` and the sign-in host: the base of [`consumer_url`] and
    /// [`federation_url`].
    pub fn signin_base(self) -> String {
        format!("https://{}", self.signin_host())
    }

    /// Where an IdP posts the SAML response for this partition, e.g.
    /// `https://signin.aws.amazon.com/saml`.
    pub fn saml_consumer_url(self) -> String {
        consumer_url(&self.signin_base())
    }

    /// The console, e.g. `https://console.aws.amazon.com`.
    pub fn console_base(self) -> String {
        format!("https://console.{}", self.facts().web_domain)
    }

    /// The console home page of `region`.
    pub fn console_home(self, region: &str) -> String {
        format!("{}/console/home?region={region}", self.console_base())
    }

    /// The regional STS endpoint of `region`, in the region's partition.
    pub fn sts_endpoint(region: &str) -> String {
        let domain = Partition::of_region(region).facts().api_domain;
        format!("https://sts.{region}.{domain}")
    }
}

/// The SAML consumer URL on a sign-in base URL (a partition's, or a
/// stand-in's such as `AWSPROCESSCREDS_SIGNIN_URL`), without a trailing `/`.
pub fn consumer_url(signin_base: &str) -> String {
    format!("{signin_base}{SAML_CONSUMER_PATH}")
}

/// The console federation endpoint on a sign-in base URL.
pub fn federation_url(signin_base: &str) -> String {
    format!("{signin_base}{FEDERATION_PATH}")
}

/// Whether `url` is where AWS consumes SAML responses: `https`, on a
/// partition's sign-in host, global or regional
/// (`<region>.signin.aws.amazon.com`), path `/saml`, no port of its own; or
/// the consumer on `signin_override`, the sign-in base URL that stands in
/// for AWS's (tests, private endpoints; the caller reads it).
pub fn is_saml_consumer(url: &Url, signin_override: Option<&str>) -> bool {
    if let Some(base) = signin_override {
        let base = base.trim().trim_end_matches('/');
        if Url::parse(&consumer_url(base)).is_ok_and(|c| c == *url) {
            return true;
        }
    }
    if url.scheme() != "https" || url.port().is_some() || url.path() != SAML_CONSUMER_PATH {
        return false;
    }
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.to_ascii_lowercase();
    Partition::ALL.into_iter().any(|p| {
        let signin = p.signin_host();
        host == signin
            || host
                .strip_suffix(&signin)
                .and_then(|p| p.strip_suffix('.'))
                .is_some_and(|region| {
                    !region.is_empty()
                        && region
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_partition_knows_its_hosts_and_default_region() {
        assert_eq!(
            Partition::Aws.saml_consumer_url(),
            "https://signin.aws.amazon.com/saml"
        );
        assert_eq!(
            Partition::UsGov.saml_consumer_url(),
            "https://signin.amazonaws-us-gov.com/saml"
        );
        assert_eq!(
            Partition::China.saml_consumer_url(),
            "https://signin.amazonaws.cn/saml"
        );
        assert_eq!(
            Partition::China.console_home("cn-north-1"),
            "https://console.amazonaws.cn/console/home?region=cn-north-1"
        );
        assert_eq!(
            federation_url(&Partition::UsGov.signin_base()),
            "https://signin.amazonaws-us-gov.com/federation"
        );
        assert_eq!(
            Partition::ALL.map(Partition::default_region),
            ["us-east-1", "us-gov-west-1", "cn-north-1"]
        );
        assert_eq!(
            Partition::sts_endpoint("cn-north-1"),
            "https://sts.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(
            Partition::sts_endpoint("us-gov-east-1"),
            "https://sts.us-gov-east-1.amazonaws.com"
        );
    }

    #[test]
    fn partitions_are_found_from_regions_arns_and_urls() {
        assert_eq!(Partition::of_region("us-gov-east-1"), Partition::UsGov);
        assert_eq!(Partition::of_region(" CN-NORTHWEST-1 "), Partition::China);
        assert_eq!(Partition::of_region("eu-west-1"), Partition::Aws);
        assert_eq!(
            Partition::of_arn("arn:aws-cn:iam::123456789012:role/x"),
            Some(Partition::China)
        );
        assert_eq!(Partition::of_arn("not an arn"), None);
        assert_eq!(
            Partition::of(Some("arn:aws-cn:iam::1:role/x"), Some("us-gov-west-1")),
            Partition::China
        );
        assert_eq!(
            Partition::of(Some("arn:aws:iam::1:role/x"), Some("us-gov-west-1")),
            Partition::UsGov
        );
        assert_eq!(Partition::of(None, Some("cn-north-1")), Partition::China);
        assert_eq!(Partition::of(None, None), Partition::Aws);
        assert_eq!(
            Partition::of_url("https://us-gov-west-1.signin.amazonaws-us-gov.com/saml"),
            Some(Partition::UsGov)
        );
        assert_eq!(Partition::of_url("https://evilamazonaws.cn/saml"), None);
        assert_eq!(Partition::of_url("https://idp.example.com/acs"), None);
    }

    #[test]
    fn saml_consumers_are_the_sign_in_hosts_saml_endpoint() {
        let ok = |s: &str| is_saml_consumer(&Url::parse(s).unwrap(), None);
        assert!(ok("https://signin.aws.amazon.com/saml"));
        assert!(ok("https://signin.aws.amazon.com:443/saml"));
        assert!(ok("https://eu-west-1.signin.aws.amazon.com/saml"));
        assert!(ok("https://SIGNIN.amazonaws-us-gov.com/saml"));
        assert!(ok("https://us-gov-west-1.signin.amazonaws-us-gov.com/saml"));
        assert!(ok("https://signin.amazonaws.cn/saml"));
        assert!(!ok("http://signin.aws.amazon.com/saml"));
        assert!(!ok("https://signin.aws.amazon.com:8443/saml"));
        assert!(!ok("https://signin.aws.amazon.com.evil.example/saml"));
        assert!(!ok("https://evil.example/saml"));
        assert!(!ok("https://a.b.signin.aws.amazon.com/saml"));
        assert!(!ok("https://signin.aws.amazon.com/other"));
        assert!(!ok("https://xsignin.aws.amazon.com/saml"));
        let local = Url::parse("http://127.0.0.1:8080/saml").unwrap();
        assert!(!is_saml_consumer(&local, None));
        assert!(is_saml_consumer(&local, Some("http://127.0.0.1:8080/")));
        assert!(!is_saml_consumer(&local, Some("http://127.0.0.1:9090")));
    }
}
