//! STS `AssumeRoleWithSAML` through `aws-sdk-sts`.
//!
//! The SDK configuration comes from `aws_config` (so `AWS_ENDPOINT_URL_STS`,
//! `AWS_ENDPOINT_URL` and the config file's endpoint settings apply) with
//! `.no_credentials()`: the call is unsigned, and resolving credentials
//! could recurse into a profile whose credential_process is this tool.
//! This module is only reached on a cache miss.

use std::time::Duration;

use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use plugin_api::{Credentials, Secret};

use crate::error::{Error, Kind, Result};
use crate::{log, timefmt};

/// One `AssumeRoleWithSAML` call.
#[derive(Debug)]
pub struct Request {
    pub role_arn: String,
    pub principal_arn: String,
    pub assertion: Secret<String>,
    pub duration_seconds: Option<u64>,
    pub region: String,
    pub endpoint: Option<String>,
    pub timeout: Duration,
    /// Extra CA certificates (PEM) to trust, from `--ca-bundle` /
    /// `AWS_CA_BUNDLE`, as for the IdP.
    pub ca_bundle: Option<std::path::PathBuf>,
    /// `--allow-http-sts`: plain HTTP to a non-loopback STS is allowed.
    pub allow_http: bool,
}

/// Refuses to send the assertion over plain HTTP off this machine, whatever
/// chose the endpoint (the settings check covers the flag and variables;
/// this covers the AWS config file's `endpoint_url` too).
#[derive(Debug)]
struct PlainHttpGuard {
    allow: bool,
}

/// The message of a refusal, found again in the SDK's error chain.
const PLAIN_HTTP_REFUSED: &str = "refusing plain HTTP to the STS endpoint";

impl aws_sdk_sts::config::Intercept for PlainHttpGuard {
    fn name(&self) -> &'static str {
        "PlainHttpGuard"
    }

    fn read_before_transmit(
        &self,
        context: &aws_sdk_sts::config::interceptors::BeforeTransmitInterceptorContextRef<'_>,
        _rc: &aws_sdk_sts::config::RuntimeComponents,
        _cfg: &mut aws_sdk_sts::config::ConfigBag,
    ) -> std::result::Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let uri = context.request().uri();
        let off_host = url::Url::parse(uri)
            .map(|u| crate::settings::plain_http_off_host(&u))
            .unwrap_or(false);
        if off_host && !self.allow {
            let host = url::Url::parse(uri)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_default();
            return Err(format!("{PLAIN_HTTP_REFUSED} {host}").into());
        }
        Ok(())
    }
}

/// Call STS and return the credentials.
pub fn assume_role_with_saml(req: &Request) -> Result<Credentials> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::other(format!("cannot start the async runtime: {e}")))?;
    rt.block_on(call(req))
}

async fn call(req: &Request) -> Result<Credentials> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .no_credentials()
        .region(Region::new(req.region.clone()))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(req.timeout.min(Duration::from_secs(15)))
                // --timeout bounds the whole call, retries and the
                // answer's body included (a trickling STS must not hold us).
                .operation_attempt_timeout(req.timeout)
                .operation_timeout(req.timeout)
                .build(),
        );
    if let Some(ep) = &req.endpoint {
        loader = loader.endpoint_url(ep);
    }
    if let Some(path) = &req.ca_bundle {
        loader = loader.http_client(http_client_with_ca(path)?);
    }
    let shared = loader.load().await;
    let config = aws_sdk_sts::config::Builder::from(&shared)
        .interceptor(PlainHttpGuard {
            allow: req.allow_http,
        })
        .build();
    log::debug(&format!(
        "STS AssumeRoleWithSAML for {} in {}{}",
        req.role_arn,
        req.region,
        req.endpoint
            .as_deref()
            .map(|e| format!(" at {e}"))
            .unwrap_or_default()
    ));
    let client = aws_sdk_sts::Client::from_conf(config);
    let out = client
        .assume_role_with_saml()
        .role_arn(&req.role_arn)
        .principal_arn(&req.principal_arn)
        .saml_assertion(req.assertion.expose())
        .set_duration_seconds(req.duration_seconds.map(|d| d as i32))
        .send()
        .await
        .map_err(|e| map_error(e, req))?;
    let c = out
        .credentials
        .ok_or_else(|| Error::new(Kind::Sts, "STS answered without credentials"))?;
    let expiration = c
        .expiration
        .fmt(aws_sdk_sts::primitives::DateTimeFormat::DateTime)
        .ok()
        .and_then(|s| timefmt::normalize(&s));
    log::add_secret(&c.secret_access_key);
    log::add_secret(&c.session_token);
    Ok(
        Credentials::new(c.access_key_id, Secret::new(c.secret_access_key))
            .session_token(Some(Secret::new(c.session_token)))
            .expiration(expiration),
    )
}

/// An HTTPS client trusting the system roots plus the PEM bundle at `path`.
fn http_client_with_ca(path: &std::path::Path) -> Result<aws_sdk_sts::config::SharedHttpClient> {
    use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
    let pem = std::fs::read(path)
        .map_err(|e| Error::usage(format!("cannot read CA bundle {}: {e}", path.display())))?;
    let context = TlsContext::builder()
        .with_trust_store(TrustStore::default().with_pem_certificate(pem))
        .build()
        .map_err(|e| Error::usage(format!("CA bundle {} is unusable: {e}", path.display())))?;
    Ok(aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(context)
        .build_https())
}

fn map_error<E, R>(e: SdkError<E, R>, req: &Request) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let chain = source_chain(&e);
    if let Some(i) = chain.find(PLAIN_HTTP_REFUSED) {
        return Error::usage(chain[i..].to_string()).hint(
            "use https://, or for an STS emulator pass --allow-http-sts (or AWSPROCESSCREDS_ALLOW_HTTP_STS=1)",
        );
    }
    match &e {
        SdkError::ServiceError(se) => {
            let err = se.err();
            let code = err.code().unwrap_or("Unknown").to_string();
            let msg = err.message().unwrap_or("").to_string();
            sts_error(&code, &msg, req)
        }
        SdkError::TimeoutError(_) => Error::new(
            Kind::Sts,
            format!("timed out after {}s waiting for STS", req.timeout.as_secs()),
        )
        .hint("check your network or proxy, or raise --timeout"),
        SdkError::DispatchFailure(d) => {
            let detail = source_chain(&e);
            let what = if d.is_timeout() {
                "timed out connecting to STS".to_string()
            } else {
                format!("cannot reach STS: {detail}")
            };
            Error::new(Kind::Sts, what).hint(
                "check your network, proxy and AWS_ENDPOINT_URL_STS / --sts-endpoint settings",
            )
        }
        SdkError::ResponseError(_) => Error::new(
            Kind::Sts,
            format!(
                "STS sent a response that could not be read: {}",
                source_chain(&e)
            ),
        )
        .hint("check that AWS_ENDPOINT_URL_STS / --sts-endpoint point at STS"),
        _ => Error::new(Kind::Sts, format!("STS call failed: {}", source_chain(&e))),
    }
}

/// A clear message and hint for each STS error code.
pub fn sts_error(code: &str, msg: &str, req: &Request) -> Error {
    let detail = if msg.is_empty() {
        String::new()
    } else {
        format!(": {msg}")
    };
    let (text, hint) = match code {
        "AccessDenied" | "AccessDeniedException" => (
            format!("STS denied AssumeRoleWithSAML for {}{detail}", req.role_arn),
            "check the role's trust policy allows the SAML provider and that the provider ARN matches",
        ),
        "ExpiredToken" | "ExpiredTokenException" => (
            format!("STS rejected the SAML assertion as expired{detail}"),
            "the assertion is valid for a few minutes only; check this machine's clock and retry",
        ),
        "InvalidIdentityToken" | "InvalidIdentityTokenException" => (
            format!("STS rejected the SAML assertion as invalid{detail}"),
            "check the SAML provider's metadata in IAM matches your IdP's current signing certificate",
        ),
        "IDPRejectedClaim" | "IDPRejectedClaimException" => (
            format!("STS rejected a claim in the SAML assertion{detail}"),
            "ask your IdP administrator to check the AWS role attributes",
        ),
        "MalformedPolicyDocument" | "MalformedPolicyDocumentException" => (
            format!("STS rejected the session policy{detail}"),
            "ask your IdP administrator to check the session policy attributes",
        ),
        "RegionDisabledException" => (
            format!("STS is not activated in region {}{detail}", req.region),
            "use --region with an enabled region",
        ),
        "Throttling" | "ThrottlingException" | "RequestLimitExceeded" => (
            format!("STS is throttling requests{detail}"),
            "wait a little and retry",
        ),
        "ValidationError" => (
            format!("STS refused the request{detail}"),
            "check --duration-seconds against the role's maximum session duration",
        ),
        other => (
            format!("STS error {other}{detail}"),
            "run with -v for details",
        ),
    };
    Error::new(Kind::Sts, text).hint(hint)
}

fn source_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = Vec::new();
    let mut cur = e.source();
    while let Some(err) = cur {
        let s = err.to_string();
        if !parts.contains(&s) {
            parts.push(s);
        }
        cur = err.source();
    }
    if parts.is_empty() {
        e.to_string()
    } else {
        parts.join(": ")
    }
}
