//! From a SAML response to AWS credentials, in one call: read the
//! response, choose the role (with account names when a picker is shown),
//! and assume it with STS `AssumeRoleWithSAML`. `roles` and `configure`
//! use the first two steps.

use std::path::Path;

use plugin_api::{Credentials, Secret};

use crate::error::{Error, Kind, Result};
use crate::saml::{self, Assertion, Role};
use crate::settings::{Common, Creds, Login};
use crate::{account_names, log, roles, sts, timefmt};

/// Credentials for the role chosen from those `assertion` offers.
pub struct Assumed {
    pub credentials: Credentials,
    pub role_arn: String,
}

/// Read, choose, assume: what a SAML login ends with.
pub fn credentials(
    assertion: &Secret<String>,
    login: &Login,
    creds: &Creds,
    common: &Common,
    no_account_names: bool,
) -> Result<Assumed> {
    let parsed = parse(&login.provider, assertion)?;
    let role = choose(
        assertion,
        &parsed,
        login.role_arn.as_deref(),
        no_account_names,
        common,
        Some(&creds.cache_dir),
    )?;
    let credentials = assume(assertion, &parsed, &role, login, creds, common)?;
    Ok(Assumed {
        credentials,
        role_arn: role.role_arn,
    })
}

/// Read the SAML response `provider` returned (registered for redaction
/// first).
pub fn parse(provider: &str, assertion: &Secret<String>) -> Result<Assertion> {
    log::add_secret(assertion.expose());
    let parsed = saml::parse(assertion.expose()).map_err(|e| {
        Error::new(
            Kind::Saml,
            format!("provider '{provider}' returned an unusable SAML response: {e}"),
        )
        .hint("run with -v to see the login steps; your IdP may not be configured for AWS")
    })?;
    for bad in &parsed.malformed_roles {
        log::warn(&format!(
            "ignoring a malformed role value in the assertion: {bad:?}"
        ));
    }
    log::debug(&format!(
        "assertion offers {} role(s); session duration {}",
        parsed.roles.len(),
        parsed
            .session_duration
            .map(|d| format!("{d}s"))
            .unwrap_or_else(|| "not set".into())
    ));
    Ok(parsed)
}

/// The role asked for, the only one, or the person's choice from a
/// picker that shows account names (looked up only when it is shown).
pub fn choose(
    assertion: &Secret<String>,
    parsed: &Assertion,
    wanted: Option<&str>,
    no_account_names: bool,
    common: &Common,
    names_cache: Option<&Path>,
) -> Result<Role> {
    roles::choose_named(&parsed.roles, wanted, || {
        account_names::lookup_unless(no_account_names, assertion, parsed, common, names_cache)
    })
}

/// Call STS for `role`, one of those `parsed` offers, in the login's
/// region (else the default region of the assertion's partition).
fn assume(
    assertion: &Secret<String>,
    parsed: &Assertion,
    role: &Role,
    login: &Login,
    creds: &Creds,
    common: &Common,
) -> Result<Credentials> {
    let mut duration = creds.duration_seconds;
    if let (Some(d), Some(max)) = (duration, parsed.session_duration) {
        if d > max {
            log::info(&format!(
                "--duration-seconds {d} exceeds the assertion's SessionDuration {max}; using {max}"
            ));
            duration = Some(max.max(900));
        }
    }
    if let Some(t) = parsed.not_on_or_after {
        if t < time::OffsetDateTime::now_utc() {
            log::warn(&format!(
                "the SAML assertion's NotOnOrAfter ({}) is already past; this machine's clock may be wrong",
                timefmt::format(t)
            ));
        }
    }
    let region = login
        .region
        .clone()
        .unwrap_or_else(|| saml::partition_region(parsed.destination.as_deref()).to_string());
    let c = sts::assume_role_with_saml(&sts::Request {
        role_arn: role.role_arn.clone(),
        principal_arn: role.principal_arn.clone(),
        assertion: assertion.clone(),
        duration_seconds: duration,
        region,
        endpoint: creds.sts_endpoint.clone(),
        timeout: common.timeout,
        ca_bundle: common.ca_bundle.clone(),
        allow_http: creds.allow_http_sts,
    })?;
    // Credentials that are already expired by our clock would be refused
    // by the AWS client, which would then run us again on every call.
    if let Some(exp) = c.expiration.as_deref().and_then(timefmt::parse) {
        let now = time::OffsetDateTime::now_utc();
        if exp <= now {
            return Err(Error::new(
                Kind::Sts,
                format!(
                    "STS returned credentials that expired at {}, before this machine's time {}",
                    timefmt::format(exp),
                    timefmt::format(now)
                ),
            )
            .hint("check this machine's clock (NTP)"));
        }
    }
    Ok(c)
}
