//! Every environment variable the tool reads, in one place.

/// Extra plugin directories (`:`-separated, `;` on Windows), searched after
/// `--plugin-dir`.
pub const PLUGIN_PATH: &str = "AWSPROCESSCREDS_PLUGIN_PATH";
/// Accept plugin directories other users can write to (`1`).
pub const ALLOW_INSECURE_PLUGIN_DIRS: &str = "AWSPROCESSCREDS_ALLOW_INSECURE_PLUGIN_DIRS";
/// The cache directory (default `~/.aws/awsprocesscreds/cache`).
pub const CACHE_DIR: &str = "AWSPROCESSCREDS_CACHE_DIR";
/// The IdP password: the last non-interactive source before the prompt.
pub const PASSWORD: &str = "AWSPROCESSCREDS_PASSWORD";

pub const ENDPOINT: &str = "AWSPROCESSCREDS_ENDPOINT";
pub const USERNAME: &str = "AWSPROCESSCREDS_USERNAME";
pub const PROVIDER: &str = "AWSPROCESSCREDS_PROVIDER";
pub const ROLE_ARN: &str = "AWSPROCESSCREDS_ROLE_ARN";
pub const NO_CACHE: &str = "AWSPROCESSCREDS_NO_CACHE";
/// Neither reuse nor keep IdP sessions (`1`), for every provider.
pub const NO_IDP_SESSION: &str = "AWSPROCESSCREDS_NO_IDP_SESSION";
pub const VERBOSE: &str = "AWSPROCESSCREDS_VERBOSE";
pub const PLUGIN_DIR: &str = "AWSPROCESSCREDS_PLUGIN_DIR";
pub const PLUGIN_OPTION: &str = "AWSPROCESSCREDS_PLUGIN_OPTION";
pub const CA_BUNDLE: &str = "AWSPROCESSCREDS_CA_BUNDLE";
pub const TIMEOUT: &str = "AWSPROCESSCREDS_TIMEOUT";
pub const PASSWORD_COMMAND: &str = "AWSPROCESSCREDS_PASSWORD_COMMAND";
pub const USE_KEYRING: &str = "AWSPROCESSCREDS_USE_KEYRING";
pub const MFA_FACTOR: &str = "AWSPROCESSCREDS_MFA_FACTOR";
pub const MFA_TIMEOUT: &str = "AWSPROCESSCREDS_MFA_TIMEOUT";
pub const MFA_CODE_COMMAND: &str = "AWSPROCESSCREDS_MFA_CODE_COMMAND";
pub const REGION: &str = "AWSPROCESSCREDS_REGION";
pub const DURATION_SECONDS: &str = "AWSPROCESSCREDS_DURATION_SECONDS";
pub const STS_ENDPOINT: &str = "AWSPROCESSCREDS_STS_ENDPOINT";
pub const OUTPUT: &str = "AWSPROCESSCREDS_OUTPUT";
pub const REFRESH_BEFORE: &str = "AWSPROCESSCREDS_REFRESH_BEFORE";
pub const LOCK_TIMEOUT: &str = "AWSPROCESSCREDS_LOCK_TIMEOUT";

/// The AWS CA bundle variable, honoured for the IdP client too.
pub const AWS_CA_BUNDLE: &str = "AWS_CA_BUNDLE";
pub const AWS_REGION: &str = "AWS_REGION";
pub const AWS_DEFAULT_REGION: &str = "AWS_DEFAULT_REGION";
pub const XDG_DATA_HOME: &str = "XDG_DATA_HOME";
pub const HOME: &str = "HOME";
pub const NO_COLOR: &str = "NO_COLOR";
