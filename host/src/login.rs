//! One login: find the plugin, check its inputs, run its conversation
//! with the host's services, and turn the outcome into credentials (through
//! role selection and STS for SAML plugins).

use std::sync::Arc;

use plugin_api::{
    Credentials, ErrorKind, LoadedPlugin, LoginOutcome, LoginRequest, MfaSettings, Need,
};

use crate::error::{Error, Kind, Result};
use crate::http::HttpClient;
use crate::password::{Passwords, Source};
use crate::plugin_loader::{Found, Registry};
use crate::saml::{self, Assertion};
use crate::services::HostServices;
use crate::session_store::SessionStore;
use crate::settings::{Common, Creds, Login};
use crate::{keyring_passwords, log, sts, timefmt, tty};

/// Find the plugin named by `-p`, or explain what exists.
pub fn find_plugin(common: &Common, provider: &str) -> Result<LoadedPlugin> {
    let (hit, reg) = Registry::find_with(&common.plugin_dirs, provider, process_limits(common));
    if let Some(p) = hit {
        log::debug(&format!(
            "provider '{}' from {} (plugin {} protocol {})",
            provider,
            p.path().display(),
            p.manifest().version,
            p.protocol()
        ));
        return Ok(p);
    }
    // Only files named for this provider were opened: a failure is it.
    let failed = reg.found.iter().find_map(|f| match f {
        Found::Failed { path, error } => Some(format!("{}: {error}", path.display())),
        _ => None,
    });
    if let Some(f) = failed {
        return Err(Error::new(
            Kind::PluginLoad,
            format!("provider '{provider}' could not be loaded: {f}"),
        )
        .hint("rebuild or reinstall the plugin for this version of awsprocesscreds; `awsprocesscreds plugins` shows details"));
    }
    // The search opened only files named for this provider: name the
    // others from their file names.
    let mut names = reg.names();
    if names.is_empty() {
        names = reg.names_on_disk();
    }
    let known = if names.is_empty() {
        "no plugins were found".to_string()
    } else {
        format!("available: {}", names.join(", "))
    };
    Err(Error::usage(format!("unknown provider '{provider}' ({known})"))
        .hint("check -p/--provider; `awsprocesscreds plugins` lists plugins and where they were searched"))
}

/// How long a process plugin may take to say hello (`--timeout`) and stay
/// silent during a login (`--timeout` plus `--mfa-timeout`, since it may be
/// waiting for the IdP on its own between host calls).
pub fn process_limits(common: &Common) -> plugin_api::Limits {
    plugin_api::Limits::new(common.timeout, common.timeout + common.mfa_timeout)
}

/// Check the standard inputs and `--plugin-option` keys against what the
/// plugin declares.
pub fn check_inputs(plugin: &LoadedPlugin, login: &Login) -> Result<()> {
    let m = plugin.manifest();
    let name = &m.name;
    if m.kind == plugin_api::PluginKind::Unknown {
        return Err(Error::new(
            Kind::PluginLoad,
            format!("provider '{name}' is a kind of plugin this version of awsprocesscreds does not know"),
        )
        .hint("the plugin is newer than awsprocesscreds: update awsprocesscreds"));
    }
    if m.inputs.endpoint == Need::Required && login.endpoint.is_none() {
        return Err(
            Error::usage(format!("provider '{name}' needs -e/--endpoint"))
                .hint("pass -e URL (your IdP's sign-in endpoint), or --profile NAME"),
        );
    }
    if m.inputs.username == Need::Required && login.username.is_none() {
        return Err(
            Error::usage(format!("provider '{name}' needs -u/--username"))
                .hint("pass -u USER (or AWSPROCESSCREDS_USERNAME)"),
        );
    }
    for key in login.plugin_options.keys() {
        if !m.options.iter().any(|o| &o.key == key) {
            let accepted = if m.options.is_empty() {
                "it accepts none".to_string()
            } else {
                format!(
                    "it accepts: {}",
                    m.options
                        .iter()
                        .map(|o| o.key.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            return Err(Error::usage(format!(
                "provider '{name}' has no option '{key}' ({accepted})"
            ))
            .hint(format!(
                "`awsprocesscreds plugins` lists the options of each plugin; check the spelling of --plugin-option {key}=..."
            )));
        }
    }
    Ok(())
}

/// The option key under which plugins receive the AWS region (see
/// `PROTOCOL.md`); plugins must not declare it themselves.
pub const REGION_OPTION: &str = "aws-region";

/// The `--plugin-option` values plus what the host adds: the region, when
/// one is known, for plugins whose defaults depend on the AWS partition.
fn plugin_options(login: &Login) -> std::collections::BTreeMap<String, String> {
    let mut options = login.plugin_options.clone();
    if let Some(r) = &login.region {
        options
            .entry(REGION_OPTION.to_string())
            .or_insert_with(|| r.clone());
    }
    options
}

/// What a plugin login produced, before STS.
pub enum Outcome {
    Saml(plugin_api::Secret<String>, Assertion),
    Credentials(Credentials),
}

/// Run the plugin's login, with the keychain retry rules.
pub fn run_plugin(
    plugin: &LoadedPlugin,
    login: &Login,
    common: &Common,
    session_dir: Option<std::path::PathBuf>,
) -> Result<Outcome> {
    check_inputs(plugin, login)?;
    // --no-idp-session: a store without a directory returns nothing and keeps nothing.
    let session_dir = session_dir.filter(|_| !common.no_idp_session);
    let interactive = tty::available();
    let mut mfa = MfaSettings::new()
        .with_timeout_secs(common.mfa_timeout.as_secs())
        .with_code_source(common.mfa_code_command.is_some());
    if let Some(factor) = &common.mfa_factor {
        mfa = mfa.with_factor(factor.clone());
    }
    let mut request = LoginRequest::new()
        .with_protocol(plugin.protocol())
        .with_options(plugin_options(login))
        .with_verbosity(common.verbosity)
        .with_interactive(interactive)
        .with_mfa(mfa);
    if let Some(endpoint) = &login.endpoint {
        request = request.with_endpoint(endpoint.clone());
    }
    if let Some(username) = &login.username {
        request = request.with_username(username.clone());
    }
    if let Some(role_arn) = &login.role_arn {
        request = request.with_role_arn(role_arn.clone());
    }
    let mut force_prompt = false;
    loop {
        let store = if common.use_keyring {
            keyring_passwords::store_for(login, common)
        } else {
            None
        };
        let mut passwords =
            Passwords::new(common.password_command.clone(), common.mfa_timeout, store);
        passwords.force_prompt = force_prompt;
        let passwords = Arc::new(passwords);
        let services = Arc::new(HostServices {
            http: HttpClient::new(common.timeout, common.ca_bundle.as_deref())?,
            passwords: passwords.clone(),
            sessions: SessionStore::new(
                session_dir.clone(),
                &login.provider,
                login.endpoint.as_deref().unwrap_or(""),
                login.username.as_deref().unwrap_or(""),
            ),
            mfa_code_command: common.mfa_code_command.clone(),
            command_timeout: common.mfa_timeout,
        });
        let result = plugin.login(&request, services);
        let used = passwords.used();
        match result {
            Ok(outcome) => {
                if let (Some((Source::Prompt, pw)), true) = (&used, common.use_keyring) {
                    if let Some(store) = &passwords.store {
                        match store.set(pw) {
                            Ok(()) => log::info("stored the password in the OS keychain"),
                            Err(e) => log::warn(&format!(
                                "could not store the password in the keychain: {e}"
                            )),
                        }
                    }
                }
                return into_outcome(plugin, outcome);
            }
            Err(e) if e.kind == ErrorKind::AuthenticationFailed => {
                if let Some((Source::Keyring, _)) = &used {
                    if let Some(store) = &passwords.store {
                        let _ = store.delete();
                    }
                    log::warn("the identity provider rejected the password stored in the keychain; it was removed");
                    if interactive && !force_prompt {
                        force_prompt = true;
                        continue;
                    }
                }
                return Err(e.into());
            }
            Err(e) => return Err(e.into()),
        }
    }
}

fn into_outcome(plugin: &LoadedPlugin, outcome: LoginOutcome) -> Result<Outcome> {
    let name = &plugin.manifest().name;
    match outcome {
        LoginOutcome::Saml { assertion } => {
            log::add_secret(assertion.expose());
            let parsed = saml::parse(assertion.expose()).map_err(|e| {
                Error::new(
                    Kind::Saml,
                    format!("provider '{name}' returned an unusable SAML response: {e}"),
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
            Ok(Outcome::Saml(assertion, parsed))
        }
        LoginOutcome::Credentials { credentials } => Ok(Outcome::Credentials(
            validate_credentials(name, credentials)?,
        )),
        // `Unknown`, and any outcome a later plugin-api adds.
        _ => Err(Error::new(
            Kind::Plugin(ErrorKind::Protocol),
            format!("provider '{name}' returned a kind of result this version of awsprocesscreds does not know"),
        )
        .hint("the plugin is newer than awsprocesscreds: update awsprocesscreds")),
    }
}

/// Check credentials a plugin returned directly.
pub fn validate_credentials(name: &str, mut c: Credentials) -> Result<Credentials> {
    let bad = |what: &str| {
        Error::new(
            Kind::Plugin(ErrorKind::Protocol),
            format!("provider '{name}' returned invalid credentials: {what}"),
        )
    };
    if c.access_key_id.trim().is_empty() {
        return Err(bad("AccessKeyId is empty"));
    }
    if c.secret_access_key.expose().trim().is_empty() {
        return Err(bad("SecretAccessKey is empty"));
    }
    log::add_secret(c.secret_access_key.expose());
    if let Some(t) = &c.session_token {
        log::add_secret(t.expose());
    }
    if let Some(e) = &c.expiration {
        let t = timefmt::parse(e)
            .ok_or_else(|| bad(&format!("Expiration {e:?} is not an RFC 3339 time")))?;
        if t <= time::OffsetDateTime::now_utc() {
            return Err(bad(&format!("they expired at {}", timefmt::format(t))));
        }
        c.expiration = Some(timefmt::format(t));
    }
    Ok(c)
}

/// Call STS for `role`, chosen from those `parsed` offers.
pub fn assume_role(
    assertion: &plugin_api::Secret<String>,
    parsed: &Assertion,
    role: saml::Role,
    creds: &Creds,
    common: &Common,
) -> Result<(Credentials, String)> {
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
    let region = creds
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
    Ok((c, role.role_arn))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_reaches_plugins_as_an_option_without_overriding_the_user() {
        let mut login = Login {
            provider: "ecp".into(),
            endpoint: None,
            username: None,
            role_arn: None,
            plugin_options: Default::default(),
            region: None,
        };
        assert!(plugin_options(&login).is_empty());
        login.region = Some("us-gov-west-1".into());
        assert_eq!(
            plugin_options(&login)
                .get(REGION_OPTION)
                .map(String::as_str),
            Some("us-gov-west-1")
        );
        login
            .plugin_options
            .insert(REGION_OPTION.into(), "cn-north-1".into());
        assert_eq!(
            plugin_options(&login)
                .get(REGION_OPTION)
                .map(String::as_str),
            Some("cn-north-1")
        );
    }
}
