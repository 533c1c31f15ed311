//! The resolved settings the code runs on, built from raw CLI arguments and
//! the environment. Validation errors here are usage errors (exit 2).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::cli::{CommonArgs, CredentialArgs, LoginArgs, OutputFormat};
use crate::env_vars as ev;
use crate::error::{Error, Result};

/// Who logs in where.
#[derive(Debug, Clone)]
pub struct Login {
    pub provider: String,
    pub endpoint: Option<String>,
    pub username: Option<String>,
    pub role_arn: Option<String>,
    pub plugin_options: BTreeMap<String, String>,
    /// The AWS region STS will be called in, when known ([`region`]):
    /// part of the cache key, and passed to plugins as the `aws-region`
    /// option so that partition-specific defaults (the GovCloud/China
    /// sign-in URL) can follow it. Unknown: the partition of the SAML
    /// assertion's destination decides.
    pub region: Option<String>,
}

/// Settings shared by every command that may log in.
#[derive(Debug, Clone)]
pub struct Common {
    pub verbosity: u8,
    pub plugin_dirs: Vec<PathBuf>,
    pub ca_bundle: Option<PathBuf>,
    pub timeout: Duration,
    pub password_command: Option<String>,
    pub use_keyring: bool,
    /// `--no-idp-session`: plugins get an empty session store that keeps nothing.
    pub no_idp_session: bool,
    pub mfa_factor: Option<String>,
    pub mfa_timeout: Duration,
    pub mfa_code_command: Option<String>,
    /// Signing in in a web browser.
    pub browser: Browser,
}

/// How sign-ins in a web browser may happen (`-p browser`, and logins that
/// continue in a browser).
#[derive(Debug, Clone)]
pub struct Browser {
    /// `--no-browser`: never.
    pub off: bool,
    /// `--browser-timeout`: the person's time in a window.
    pub window_timeout: Duration,
    /// How long a headless attempt with a kept session may take before a
    /// window is needed.
    pub headless_timeout: Duration,
    /// `AWSPROCESSCREDS_BROWSER`: the browser to use instead of searching.
    pub path: Option<PathBuf>,
}

/// The provider that signs in in a browser (`plugins/browser`): refused
/// with `--no-browser`.
pub const BROWSER_PROVIDER: &str = "browser";

/// The default of [`Browser::headless_timeout`].
pub const HEADLESS_TIMEOUT: Duration = Duration::from_secs(15);

/// The browser settings from the flags and the environment.
fn browser(args: &CommonArgs) -> Result<Browser> {
    let window_timeout = seconds_flag("--browser-timeout", args.browser_timeout)?;
    let headless_timeout = match env_nonempty(ev::BROWSER_HEADLESS_TIMEOUT) {
        None => HEADLESS_TIMEOUT,
        Some(v) => match v.trim().parse::<u64>() {
            Ok(n) if (1..=600).contains(&n) => Duration::from_secs(n),
            _ => {
                return Err(Error::usage(format!(
                    "{}: {v:?} is not a number of seconds between 1 and 600",
                    ev::BROWSER_HEADLESS_TIMEOUT
                )))
            }
        },
    };
    Ok(Browser {
        off: args.no_browser,
        window_timeout,
        headless_timeout,
        path: env_nonempty(ev::BROWSER).map(PathBuf::from),
    })
}

/// Where awsprocesscreds keeps data that is not a cache (browser
/// profiles, plugins): `$XDG_DATA_HOME/awsprocesscreds`, default
/// `~/.local/share/awsprocesscreds`.
pub fn data_dir() -> Option<PathBuf> {
    env_nonempty(ev::XDG_DATA_HOME)
        .map(PathBuf::from)
        .or_else(|| crate::home::dir().map(|h| h.join(".local").join("share")))
        .map(|d| d.join("awsprocesscreds"))
}

/// What to do with the credentials.
#[derive(Debug, Clone)]
pub struct Creds {
    pub use_cache: bool,
    pub cache_dir: PathBuf,
    pub duration_seconds: Option<u64>,
    /// `--sts-endpoint` only; see [`Creds::effective_sts_endpoint`].
    pub sts_endpoint: Option<String>,
    pub allow_http_sts: bool,
    pub output: OutputFormat,
    pub refresh_before: Duration,
    pub lock_timeout: Duration,
}

impl Creds {
    /// The STS endpoint the SDK will use when one is overridden: the flag,
    /// else `AWS_ENDPOINT_URL_STS`, else `AWS_ENDPOINT_URL`. Part of the
    /// cache key (it changes which STS answers).
    pub fn effective_sts_endpoint(&self) -> Option<String> {
        self.sts_endpoint
            .clone()
            .or_else(|| env_nonempty(ev::AWS_ENDPOINT_URL_STS))
            .or_else(|| env_nonempty(ev::AWS_ENDPOINT_URL))
    }
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Boolean variables without a flag of their own are checked here, so a
/// typo (`=ture`) is a usage error rather than a silent "false".
fn check_env_booleans() -> Result<()> {
    for name in ev::BOOLEANS {
        if let Some(v) = env_nonempty(name) {
            ev::parse_bool(&v).map_err(|e| Error::usage(format!("{name}: {e}")))?;
        }
    }
    Ok(())
}

/// Whether `url` is plain HTTP to somewhere other than this machine.
pub fn plain_http_off_host(url: &url::Url) -> bool {
    matches!(
        protocol::url_policy::check(url),
        Err(protocol::url_policy::Refused::PlainHttp { .. })
    )
}

/// `-v` count, or AWSPROCESSCREDS_VERBOSE when no `-v` was given.
pub fn verbosity(flag: u8) -> u8 {
    if flag > 0 {
        return flag;
    }
    match env_nonempty(ev::VERBOSE) {
        None => 0,
        Some(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| u8::from(ev::parse_bool(&v).unwrap_or(true))),
    }
}

/// A time flag in seconds, which must be between 1 and 3600.
fn seconds_flag(flag: &str, secs: u64) -> Result<Duration> {
    if secs == 0 || secs > 3600 {
        return Err(Error::usage(format!(
            "{flag} must be between 1 and 3600 seconds, not {secs}"
        )));
    }
    Ok(Duration::from_secs(secs))
}

pub fn common(args: &CommonArgs) -> Result<Common> {
    check_env_booleans()?;
    let timeout = seconds_flag("--timeout", args.timeout)?;
    let mfa_timeout = seconds_flag("--mfa-timeout", args.mfa_timeout)?;
    let ca_bundle = args
        .ca_bundle
        .clone()
        .or_else(|| env_nonempty(ev::AWS_CA_BUNDLE).map(PathBuf::from));
    if let Some(p) = &ca_bundle {
        if !p.is_file() {
            return Err(Error::usage(format!(
                "CA bundle {} does not exist or is not a file",
                p.display()
            ))
            .hint("--ca-bundle (or AWS_CA_BUNDLE) must name a PEM file of CA certificates"));
        }
    }
    Ok(Common {
        verbosity: verbosity(args.verbose),
        plugin_dirs: args.plugin_dir.clone(),
        ca_bundle,
        timeout,
        password_command: args
            .password_command
            .clone()
            .filter(|c| !c.trim().is_empty()),
        use_keyring: args.use_keyring,
        no_idp_session: args.no_idp_session,
        mfa_factor: args.mfa_factor.clone().filter(|f| !f.trim().is_empty()),
        mfa_timeout,
        mfa_code_command: args
            .mfa_code_command
            .clone()
            .filter(|c| !c.trim().is_empty()),
        browser: browser(args)?,
    })
}

/// Parse `KEY=VALUE` plugin options from the flags and the environment.
pub fn plugin_options(args: &CommonArgs) -> Result<BTreeMap<String, String>> {
    let mut raw: Vec<String> = Vec::new();
    if let Some(env) = env_nonempty(ev::PLUGIN_OPTION) {
        raw.extend(
            env.split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from),
        );
    }
    raw.extend(args.plugin_option.iter().cloned());
    let mut out = BTreeMap::new();
    for item in raw {
        let Some((k, v)) = item.split_once('=') else {
            return Err(Error::usage(format!(
                "--plugin-option {item:?} is not KEY=VALUE"
            )));
        };
        let k = k.trim();
        if k.is_empty() {
            return Err(Error::usage(format!(
                "--plugin-option {item:?} has an empty key"
            )));
        }
        out.insert(k.to_string(), v.to_string());
    }
    Ok(out)
}

/// The region of a login, resolved here only: `--region` (whose variable
/// is `AWSPROCESSCREDS_REGION`; commands without the flag read the
/// variable), else `AWS_REGION`, else `AWS_DEFAULT_REGION`.
pub fn region(flag: Option<&str>) -> Option<String> {
    flag.map(str::to_string)
        .filter(|r| !r.trim().is_empty())
        .or_else(|| env_nonempty(ev::REGION))
        .or_else(|| env_nonempty(ev::AWS_REGION))
        .or_else(|| env_nonempty(ev::AWS_DEFAULT_REGION))
}

/// Who logs in where; `region_flag` is the command's `--region`, if it has
/// one (see [`region`]).
pub fn login(args: &LoginArgs, common: &CommonArgs, region_flag: Option<&str>) -> Result<Login> {
    let provider = args
        .provider
        .clone()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .ok_or_else(|| {
            Error::usage("no provider given").hint(
                "pass -p/--provider (okta, adfs, forms, ...); `awsprocesscreds plugins` lists them",
            )
        })?;
    if provider == BROWSER_PROVIDER && common.no_browser {
        return Err(Error::usage(format!(
            "-p {BROWSER_PROVIDER} signs in in a web browser, which --no-browser (or {}) forbids",
            ev::NO_BROWSER
        ))
        .hint("drop --no-browser, or use a provider that signs in without a browser"));
    }
    let role_arn = args.role_arn.clone().filter(|r| !r.trim().is_empty());
    if let Some(r) = &role_arn {
        validate_role_arn(r)?;
    }
    Ok(Login {
        provider,
        endpoint: args.endpoint.clone().filter(|e| !e.trim().is_empty()),
        username: args.username.clone().filter(|u| !u.is_empty()),
        role_arn,
        plugin_options: plugin_options(common)?,
        region: region(region_flag),
    })
}

/// An IAM role ARN: `arn:<partition>:iam::<12 digits>:role/<name>`.
pub fn validate_role_arn(arn: &str) -> Result<()> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "iam"
        && parts[4].len() == 12
        && parts[4].bytes().all(|b| b.is_ascii_digit())
        && parts[5].starts_with("role/")
        && parts[5].len() > 5;
    if ok {
        Ok(())
    } else {
        Err(
            Error::usage(format!("-a/--role-arn {arn:?} is not an IAM role ARN"))
                .hint("expected arn:aws:iam::123456789012:role/NAME"),
        )
    }
}

/// The default cache directory: `~/.aws/awsprocesscreds/cache`.
pub fn cache_dir() -> Result<PathBuf> {
    if let Some(d) = env_nonempty(ev::CACHE_DIR) {
        return Ok(PathBuf::from(d));
    }
    let home = crate::home::require("the cache directory", ev::CACHE_DIR)?;
    Ok(home.join(".aws").join("awsprocesscreds").join("cache"))
}

pub fn creds(args: &CredentialArgs) -> Result<Creds> {
    if let Some(d) = args.duration_seconds {
        if !(900..=43200).contains(&d) {
            return Err(Error::usage(format!(
                "--duration-seconds must be between 900 and 43200, not {d}"
            )));
        }
    }
    if let Some(r) = &args.region {
        if r.trim().is_empty()
            || !r
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(
                Error::usage(format!("--region {r:?} is not an AWS region name"))
                    .hint("for example us-east-1"),
            );
        }
    }
    if let Some(e) = &args.sts_endpoint {
        if url::Url::parse(e).is_err() {
            return Err(Error::usage(format!("--sts-endpoint {e:?} is not a URL")));
        }
    }
    if args.refresh_before > 720 {
        return Err(Error::usage("--refresh-before must be at most 720 minutes"));
    }
    // With --no-cache nothing is read or written, so a missing HOME does
    // not matter (the path stays empty and unused).
    let cache_dir = if args.no_cache {
        cache_dir().unwrap_or_default()
    } else {
        cache_dir()?
    };
    let out = Creds {
        use_cache: !args.no_cache,
        cache_dir,
        duration_seconds: args.duration_seconds,
        sts_endpoint: args.sts_endpoint.clone(),
        allow_http_sts: args.allow_http_sts,
        output: args.output,
        refresh_before: Duration::from_secs(args.refresh_before * 60),
        lock_timeout: Duration::from_secs(args.lock_timeout.max(1)),
    };
    check_sts_endpoint(&out)?;
    Ok(out)
}

/// The SAML assertion is a bearer credential: like IdP traffic, STS over
/// plain HTTP is refused unless it stays on this machine, or the user said
/// `--allow-http-sts` (emulators).
fn check_sts_endpoint(creds: &Creds) -> Result<()> {
    let Some(ep) = creds.effective_sts_endpoint() else {
        return Ok(());
    };
    let Ok(url) = url::Url::parse(&ep) else {
        return Err(
            Error::usage(format!("the STS endpoint {ep:?} is not a URL"))
                .hint("check --sts-endpoint, AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL"),
        );
    };
    if plain_http_off_host(&url) && !creds.allow_http_sts {
        return Err(Error::usage(format!(
            "refusing plain HTTP to the STS endpoint {}: the SAML assertion would travel unencrypted",
            url.host_str().unwrap_or("?")
        ))
        .hint(format!(
            "use https://, or for an STS emulator pass --allow-http-sts (or {}=1)",
            ev::ALLOW_HTTP_STS
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_are_checked() {
        assert!(validate_role_arn("arn:aws:iam::123456789012:role/okta-dev").is_ok());
        assert!(validate_role_arn("arn:aws-us-gov:iam::123456789012:role/a/b").is_ok());
        assert!(validate_role_arn("arn:aws:iam::12345:role/x").is_err());
        assert!(validate_role_arn("okta-dev").is_err());
        assert!(validate_role_arn("arn:aws:iam::123456789012:user/x").is_err());
    }

    #[test]
    fn plain_http_sts_is_only_for_loopback() {
        let u = |s: &str| url::Url::parse(s).unwrap();
        assert!(plain_http_off_host(&u("http://sts.example.com/")));
        assert!(plain_http_off_host(&u("http://10.0.0.5:4566/")));
        assert!(!plain_http_off_host(&u("http://127.0.0.1:5000/")));
        assert!(!plain_http_off_host(&u("http://localhost:4566/")));
        assert!(!plain_http_off_host(&u("http://[::1]:4566/")));
        assert!(!plain_http_off_host(&u("https://sts.amazonaws.com/")));
    }

    #[test]
    fn plugin_options_parse() {
        let args = CommonArgs {
            plugin_option: vec!["a=b".into(), "c=d=e".into()],
            ..Default::default()
        };
        let o = plugin_options(&args).unwrap();
        assert_eq!(o["a"], "b");
        assert_eq!(o["c"], "d=e");
        let bad = CommonArgs {
            plugin_option: vec!["novalue".into()],
            ..Default::default()
        };
        assert_eq!(plugin_options(&bad).unwrap_err().exit_code(), 2);
    }
}
