//! One login's plugin conversation: the request built from the settings,
//! the host's services for it, the plugin's `login`, and what it returned.
//! A password the IdP rejected from the keychain is asked for once more
//! (the policy is [`crate::password`]'s). What comes out is a SAML
//! response for [`crate::assume`], or credentials checked by
//! [`crate::plugin_credentials`].
//!
//! A plugin that meets a step only a browser can do (kind
//! `browser-required`) hands the login over: it continues in the
//! person's browser at the same `-e` URL, in the same run and under the
//! same cache lock, when browsers are allowed, one is installed, and a
//! window can be shown or a browser session is kept
//! ([`crate::browser_signin`]). Otherwise the plugin's error stands, its
//! hint followed by why the browser was not used. After such a continuation
//! the login is remembered: the next ones of that provider, endpoint and
//! user go to the browser at once (headless while the IdP session lives)
//! instead of asking for a password first.

use std::sync::Arc;

use plugin_api::{
    Credentials, ErrorKind, LoadedPlugin, LoginOutcome, LoginRequest, MfaSettings, Secret,
};

use crate::browser_signin::BrowserSignin;
use crate::error::{Error, Kind, Result};
use crate::http::HttpClient;
use crate::password::Passwords;
use crate::services::HostServices;
use crate::session_store::SessionStore;
use crate::settings::{Common, Login};
use crate::{log, plugin_credentials, provider, tty};

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

/// What a plugin login produced.
pub enum Outcome {
    /// A SAML response (base64, as posted), already registered for
    /// redaction.
    Saml(Secret<String>),
    /// Credentials, checked.
    Credentials(Credentials),
}

/// Run `plugin`'s login. `session_dir` is the cache directory the IdP
/// session store lives in (`None`, or `--no-idp-session`: nothing kept).
pub fn run(
    plugin: &LoadedPlugin,
    login: &Login,
    common: &Common,
    session_dir: Option<std::path::PathBuf>,
) -> Result<Outcome> {
    provider::check_inputs(plugin, login)?;
    // --no-idp-session: a store without a directory returns nothing and keeps nothing.
    let session_dir = session_dir.filter(|_| !common.no_idp_session);
    let browser = Arc::new(BrowserSignin::new(login, common, session_dir.clone()));
    if let Some(url) = &login.endpoint {
        if browser.remembered() && browser.why_not_at(url).is_none() {
            log::info("this login continued in the browser before; signing in there");
            return in_browser(&browser, url, None);
        }
    }
    match converse(plugin, login, common, &browser, session_dir) {
        Err(e) if e.kind == Kind::Plugin(ErrorKind::BrowserRequired) => {
            continue_in_browser(&browser, login, e)
        }
        other => other,
    }
}

/// The plugin said a browser is needed: continue there, or say why not
/// (after the plugin's own hint, which says what else can be done).
fn continue_in_browser(browser: &BrowserSignin, login: &Login, e: Error) -> Result<Outcome> {
    let why = match login.endpoint.as_deref() {
        None => "it cannot continue in a browser without an -e URL to open".to_string(),
        Some(url) => match browser.why_not_at(url) {
            None => return in_browser(browser, url, Some(&log::redact(&e.message))),
            Some(why) => why,
        },
    };
    let hint = match &e.hint {
        Some(h) => format!("{h}; {why}"),
        None => why,
    };
    Err(e.hint(hint))
}

/// Sign in in the browser and remember (again) that this login goes there.
fn in_browser(browser: &BrowserSignin, url: &str, reason: Option<&str>) -> Result<Outcome> {
    let assertion = browser.sign_in(url, reason)?;
    browser.remember();
    Ok(Outcome::Saml(assertion))
}

/// The plugin's own login, asking for the password once more after the
/// IdP rejected the one from the keychain.
fn converse(
    plugin: &LoadedPlugin,
    login: &Login,
    common: &Common,
    browser: &Arc<BrowserSignin>,
    session_dir: Option<std::path::PathBuf>,
) -> Result<Outcome> {
    let interactive = tty::available();
    let request = request(plugin, login, common, interactive);
    let mut force_prompt = false;
    loop {
        let passwords = Arc::new(Passwords::for_login(login, common, force_prompt));
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
            browser: browser.clone(),
        });
        match plugin.login(&request, services) {
            Ok(outcome) => {
                passwords.accepted();
                return into_outcome(plugin, outcome);
            }
            Err(e) if e.kind == ErrorKind::AuthenticationFailed => {
                if passwords.rejected(interactive) {
                    force_prompt = true;
                    continue;
                }
                return Err(e.into());
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// The login request for `plugin`.
fn request(
    plugin: &LoadedPlugin,
    login: &Login,
    common: &Common,
    interactive: bool,
) -> LoginRequest {
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
    request
}

fn into_outcome(plugin: &LoadedPlugin, outcome: LoginOutcome) -> Result<Outcome> {
    let name = &plugin.manifest().name;
    match outcome {
        LoginOutcome::Saml { assertion } => {
            log::add_secret(assertion.expose());
            Ok(Outcome::Saml(assertion))
        }
        LoginOutcome::Credentials { credentials } => Ok(Outcome::Credentials(
            plugin_credentials::validate(name, credentials)?,
        )),
        // `Unknown`, and any outcome a later plugin-api adds.
        _ => Err(Error::new(
            Kind::Plugin(ErrorKind::Protocol),
            format!("provider '{name}' returned a kind of result this version of awsprocesscreds does not know"),
        )
        .hint("the plugin is newer than awsprocesscreds: update awsprocesscreds")),
    }
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
