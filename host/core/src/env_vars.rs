//! Every environment variable the tool reads, in one place, and the one
//! parser for boolean variables.
//!
//! Boolean variables accept `1`/`0`, `true`/`false`, `yes`/`no` and
//! `on`/`off`, in any case; an empty value is "not set". Anything else is
//! a usage error naming the variable, never silently "true".

/// Extra plugin directories (`:`-separated, `;` on Windows), searched after
/// `--plugin-dir`.
pub const PLUGIN_PATH: &str = "AWSPROCESSCREDS_PLUGIN_PATH";
/// Accept plugin directories other users can write to (boolean).
pub const ALLOW_INSECURE_PLUGIN_DIRS: &str = "AWSPROCESSCREDS_ALLOW_INSECURE_PLUGIN_DIRS";
/// The cache directory (default `~/.aws/awsprocesscreds/cache`).
pub const CACHE_DIR: &str = "AWSPROCESSCREDS_CACHE_DIR";
/// The IdP password: the last non-interactive source before the prompt.
pub const PASSWORD: &str = "AWSPROCESSCREDS_PASSWORD";

pub const ENDPOINT: &str = "AWSPROCESSCREDS_ENDPOINT";
pub const USERNAME: &str = "AWSPROCESSCREDS_USERNAME";
pub const PROVIDER: &str = "AWSPROCESSCREDS_PROVIDER";
pub const ROLE_ARN: &str = "AWSPROCESSCREDS_ROLE_ARN";
/// Boolean.
pub const NO_CACHE: &str = "AWSPROCESSCREDS_NO_CACHE";
/// Neither reuse nor keep IdP sessions (`1`), for every provider.
pub const NO_IDP_SESSION: &str = "AWSPROCESSCREDS_NO_IDP_SESSION";
/// A count (`2` = `-vv`) or a boolean.
pub const VERBOSE: &str = "AWSPROCESSCREDS_VERBOSE";
pub const PLUGIN_DIR: &str = "AWSPROCESSCREDS_PLUGIN_DIR";
pub const PLUGIN_OPTION: &str = "AWSPROCESSCREDS_PLUGIN_OPTION";
pub const CA_BUNDLE: &str = "AWSPROCESSCREDS_CA_BUNDLE";
pub const TIMEOUT: &str = "AWSPROCESSCREDS_TIMEOUT";
pub const PASSWORD_COMMAND: &str = "AWSPROCESSCREDS_PASSWORD_COMMAND";
/// Boolean.
pub const USE_KEYRING: &str = "AWSPROCESSCREDS_USE_KEYRING";
pub const MFA_FACTOR: &str = "AWSPROCESSCREDS_MFA_FACTOR";
pub const MFA_TIMEOUT: &str = "AWSPROCESSCREDS_MFA_TIMEOUT";
pub const MFA_CODE_COMMAND: &str = "AWSPROCESSCREDS_MFA_CODE_COMMAND";
pub const REGION: &str = "AWSPROCESSCREDS_REGION";
pub const DURATION_SECONDS: &str = "AWSPROCESSCREDS_DURATION_SECONDS";
pub const STS_ENDPOINT: &str = "AWSPROCESSCREDS_STS_ENDPOINT";
/// Boolean: allow a plain `http://` STS endpoint that is not loopback
/// (emulators only: the SAML assertion is a bearer credential).
pub const ALLOW_HTTP_STS: &str = "AWSPROCESSCREDS_ALLOW_HTTP_STS";
pub const OUTPUT: &str = "AWSPROCESSCREDS_OUTPUT";
pub const REFRESH_BEFORE: &str = "AWSPROCESSCREDS_REFRESH_BEFORE";
pub const LOCK_TIMEOUT: &str = "AWSPROCESSCREDS_LOCK_TIMEOUT";
pub const NO_ACCOUNT_NAMES: &str = "AWSPROCESSCREDS_NO_ACCOUNT_NAMES";
pub const CREDENTIALS_PROFILE: &str = "AWSPROCESSCREDS_CREDENTIALS_PROFILE";
/// The sign-in base URL for `console` and account names (default: the
/// AWS sign-in host of the partition).
pub const SIGNIN_URL: &str = "AWSPROCESSCREDS_SIGNIN_URL";
/// Boolean: never open a web browser (`--no-browser`).
pub const NO_BROWSER: &str = "AWSPROCESSCREDS_NO_BROWSER";
/// Seconds a person has in a browser window (`--browser-timeout`).
pub const BROWSER_TIMEOUT: &str = "AWSPROCESSCREDS_BROWSER_TIMEOUT";
/// The browser to sign in with (a path); `--plugin-option browser=PATH`
/// wins for plugins that declare that option (`-p browser`).
pub const BROWSER: &str = "AWSPROCESSCREDS_BROWSER";
/// Seconds a headless sign-in with a kept session may take before a
/// window is opened instead (default 15; for slow IdPs and tests).
pub const BROWSER_HEADLESS_TIMEOUT: &str = "AWSPROCESSCREDS_BROWSER_HEADLESS_TIMEOUT";
/// The AWS config file `--profile` and `configure` use (default
/// `~/.aws/config`).
pub const AWS_CONFIG_FILE: &str = "AWS_CONFIG_FILE";
/// The shared credentials file (`--output credentials-file`).
pub const AWS_SHARED_CREDENTIALS_FILE: &str = "AWS_SHARED_CREDENTIALS_FILE";

/// The AWS CA bundle variable, honoured for the IdP client too.
pub const AWS_CA_BUNDLE: &str = "AWS_CA_BUNDLE";
pub const AWS_REGION: &str = "AWS_REGION";
pub const AWS_DEFAULT_REGION: &str = "AWS_DEFAULT_REGION";
/// STS endpoint overrides the AWS SDK honours (part of the cache key).
pub const AWS_ENDPOINT_URL_STS: &str = "AWS_ENDPOINT_URL_STS";
pub const AWS_ENDPOINT_URL: &str = "AWS_ENDPOINT_URL";
pub const XDG_DATA_HOME: &str = "XDG_DATA_HOME";
pub const HOME: &str = "HOME";
/// Windows' home directory, used when `HOME` is not set.
pub const USERPROFILE: &str = "USERPROFILE";
pub const PATH: &str = "PATH";
/// Windows' command interpreter (`cmd.exe`), for `--password-command`.
pub const COMSPEC: &str = "COMSPEC";
pub const NO_COLOR: &str = "NO_COLOR";
pub const TERM: &str = "TERM";

/// Parse a boolean value: `1/0`, `true/false`, `yes/no`, `on/off`, any
/// case. Used as the clap value parser of every boolean flag with a
/// variable, and by [`flag`].
pub fn parse_bool(value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" | "" => Ok(false),
        _ => Err(format!(
            "{value:?} is not a boolean (use 1/0, true/false, yes/no or on/off)"
        )),
    }
}

/// A boolean variable that has no flag: unset, empty or unparsable is
/// `false` (an unparsable value is warned about by the caller's settings
/// check, see `settings::check_env_flags`).
pub fn flag(name: &str) -> bool {
    std::env::var(name)
        .ok()
        .and_then(|v| parse_bool(&v).ok())
        .unwrap_or(false)
}

/// The variables that hold booleans, for validation.
pub const BOOLEANS: &[&str] = &[
    ALLOW_INSECURE_PLUGIN_DIRS,
    NO_CACHE,
    USE_KEYRING,
    ALLOW_HTTP_STS,
    NO_IDP_SESSION,
    NO_ACCOUNT_NAMES,
    NO_BROWSER,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_accept_the_usual_spellings() {
        for t in ["1", "true", "TRUE", "Yes", "on", " ON "] {
            assert_eq!(parse_bool(t), Ok(true), "{t}");
        }
        for f in ["0", "false", "False", "NO", "off", ""] {
            assert_eq!(parse_bool(f), Ok(false), "{f}");
        }
        assert!(parse_bool("maybe").is_err());
        assert!(parse_bool("2").is_err());
    }
}
