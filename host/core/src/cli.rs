//! Raw command-line arguments (clap derive). Doc comments are the help
//! text. Nothing here is interpreted: see `settings` for the resolved form.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::env_vars as ev;

/// Which IdP to log in to, as whom, and for which role.
#[derive(Debug, Clone, Args, Default)]
pub struct LoginArgs {
    /// Your IdP endpoint: the Okta AWS app link, the ADFS IdpInitiatedSignOn
    /// URL, the IdP-initiated SSO URL of a forms IdP, or what the provider
    /// plugin expects (a file for `static`, an item name for `keychain`).
    #[arg(short = 'e', long, env = ev::ENDPOINT, value_name = "URL")]
    pub endpoint: Option<String>,

    /// Your IdP username (never prompted for).
    #[arg(short = 'u', long, env = ev::USERNAME)]
    pub username: Option<String>,

    /// The provider plugin: okta, adfs, forms, static, keychain, or any
    /// plugin found in the plugin directories (see `awsprocesscreds plugins`).
    #[arg(short = 'p', long, env = ev::PROVIDER)]
    pub provider: Option<String>,

    /// The role to assume. Without it: the only role offered, or a picker on
    /// the terminal.
    #[arg(short = 'a', long = "role-arn", env = ev::ROLE_ARN, value_name = "ARN")]
    pub role_arn: Option<String>,
}

/// Options every login shares.
#[derive(Debug, Clone, Args, Default)]
pub struct CommonArgs {
    /// Log what happens to stderr (repeat for more; secrets are redacted).
    /// Also AWSPROCESSCREDS_VERBOSE=1 or 2.
    #[arg(short = 'v', long, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Look for plugins in DIR first (repeatable). Also
    /// AWSPROCESSCREDS_PLUGIN_PATH (a `:`-separated list).
    #[arg(long = "plugin-dir", value_name = "DIR")]
    pub plugin_dir: Vec<PathBuf>,

    /// Pass KEY=VALUE to the provider plugin (repeatable; see
    /// `awsprocesscreds plugins` for the keys each plugin accepts). Also
    /// AWSPROCESSCREDS_PLUGIN_OPTION (`;`-separated).
    #[arg(long = "plugin-option", value_name = "KEY=VALUE")]
    pub plugin_option: Vec<String>,

    /// PEM file of CA certificates to trust for the IdP (default:
    /// AWS_CA_BUNDLE, else the system trust store).
    #[arg(long = "ca-bundle", env = ev::CA_BUNDLE, value_name = "PATH")]
    pub ca_bundle: Option<PathBuf>,

    /// Timeout in seconds for every network call.
    #[arg(long, env = ev::TIMEOUT, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,

    /// Run CMD (through the shell) and use the first line of its output as
    /// the IdP password.
    #[arg(long = "password-command", env = ev::PASSWORD_COMMAND, value_name = "CMD")]
    pub password_command: Option<String>,

    /// Read the IdP password from the OS keychain before prompting, and
    /// store it there after a successful login with a typed password.
    #[arg(long = "use-keyring", env = ev::USE_KEYRING)]
    pub use_keyring: bool,

    /// Neither reuse nor keep IdP sessions (Okta session cookies, ADFS SSO
    /// cookies): every login signs in from scratch and stores nothing.
    #[arg(long = "no-idp-session", env = ev::NO_IDP_SESSION)]
    pub no_idp_session: bool,

    /// Preferred MFA factor: push, totp, sms, call, email, yubikey, token,
    /// optionally with a provider (e.g. totp:google).
    #[arg(long = "mfa-factor", env = ev::MFA_FACTOR, value_name = "FACTOR")]
    pub mfa_factor: Option<String>,

    /// Seconds to wait for an MFA approval (push) before giving up.
    #[arg(long = "mfa-timeout", env = ev::MFA_TIMEOUT, value_name = "SECS", default_value_t = 120)]
    pub mfa_timeout: u64,

    /// Run CMD (through the shell) for a one-time MFA code: the first line
    /// of its output.
    #[arg(long = "mfa-code-command", env = ev::MFA_CODE_COMMAND, value_name = "CMD")]
    pub mfa_code_command: Option<String>,
}

/// What to do with credentials once the IdP answered.
#[derive(Debug, Clone, Args, Default)]
pub struct CredentialArgs {
    /// Neither read nor write the credential cache (a live IdP session is
    /// still reused; see --no-idp-session).
    #[arg(long = "no-cache", env = ev::NO_CACHE)]
    pub no_cache: bool,

    /// AWS region for STS (default: AWS_REGION, AWS_DEFAULT_REGION, else
    /// the partition of the SAML assertion's destination).
    #[arg(long, env = ev::REGION)]
    pub region: Option<String>,

    /// Lifetime of the credentials in seconds (900-43200; capped by the
    /// assertion's SessionDuration).
    #[arg(long = "duration-seconds", env = ev::DURATION_SECONDS, value_name = "N")]
    pub duration_seconds: Option<u64>,

    /// STS endpoint URL (default: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL,
    /// the AWS config file, else the regional endpoint).
    #[arg(long = "sts-endpoint", env = ev::STS_ENDPOINT, value_name = "URL")]
    pub sts_endpoint: Option<String>,

    /// Output format.
    #[arg(long, env = ev::OUTPUT, value_enum, default_value_t = OutputFormat::Json)]
    pub output: OutputFormat,

    /// Reuse cached credentials only while at least this many minutes remain
    /// (AWS clients refresh 15 minutes before expiry).
    #[arg(long = "refresh-before", env = ev::REFRESH_BEFORE, value_name = "MINUTES", default_value_t = 15)]
    pub refresh_before: u64,

    /// Seconds to wait for another awsprocesscreds process that is already
    /// logging in with the same settings.
    #[arg(long = "lock-timeout", env = ev::LOCK_TIMEOUT, value_name = "SECS", default_value_t = 300)]
    pub lock_timeout: u64,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum OutputFormat {
    /// The credential_process JSON object.
    #[default]
    Json,
    /// `export AWS_...=` lines for POSIX shells.
    Env,
}

const SAML_AFTER_HELP: &str = "\
Environment (besides the variables shown for each flag):
  AWSPROCESSCREDS_PASSWORD                    the IdP password (after --password-command and the keychain, before the prompt)
  AWSPROCESSCREDS_CACHE_DIR                   cache directory (default ~/.aws/awsprocesscreds/cache)
  AWSPROCESSCREDS_PLUGIN_PATH                 extra plugin directories, `:`-separated
  AWSPROCESSCREDS_ALLOW_INSECURE_PLUGIN_DIRS  1: accept plugin directories other users can write to
  AWSPROCESSCREDS_VERBOSE                     1 or 2: like -v / -vv
  AWS_CA_BUNDLE                               default for --ca-bundle
  AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL      STS endpoint (unless --sts-endpoint)
  AWS_REGION, AWS_DEFAULT_REGION              default for --region
  HTTPS_PROXY, NO_PROXY                       proxy for the IdP

Example ~/.aws/config profile:
  [profile okta]
  credential_process = awsprocesscreds-saml -e https://example.okta.com/home/amazon_aws/blob/123 -u 'monty@example.com' -p okta -a arn:aws:iam::123456789012:role/okta-dev

Exit status: 0 success, 1 failure, 2 usage error.";

/// `awsprocesscreds-saml`: a drop-in for the Python command.
#[derive(Debug, Parser)]
#[command(
    name = "awsprocesscreds-saml",
    version,
    about = "Log in to a SAML identity provider and print AWS credentials for credential_process",
    after_help = SAML_AFTER_HELP
)]
pub struct SamlCli {
    #[command(flatten)]
    pub login: LoginArgs,
    #[command(flatten)]
    pub creds: CredentialArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// `awsprocesscreds`: the full tool.
#[derive(Debug, Parser)]
#[command(
    name = "awsprocesscreds",
    version,
    about = "AWS credential_process helper: SAML login (Okta, ADFS, forms IdPs, plugins), STS, cache",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Log in and print credentials (what `awsprocesscreds-saml` does).
    #[command(after_help = SAML_AFTER_HELP)]
    Saml(Box<SamlCli>),
    /// Log in and list the roles the IdP offers (no STS call).
    Roles {
        #[command(flatten)]
        login: LoginArgs,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// List the plugins found, and the files that failed to load.
    Plugins {
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Inspect or clear the credential cache.
    Cache {
        #[command(subcommand)]
        action: CacheAction,
    },
    /// Check the installation: plugins, cache, terminal, keychain, IdP and STS reachability.
    Doctor {
        #[command(flatten)]
        login: LoginArgs,
        #[command(flatten)]
        creds: CredentialArgs,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Print a shell completion script.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: String,
    },
    /// Print the man page (roff).
    Man,
}

#[derive(Debug, Subcommand)]
pub enum CacheAction {
    /// List cached credentials (no secrets).
    List,
    /// Delete cached credentials (all, or those matching every filter given).
    Clear {
        /// Only this provider.
        #[arg(short = 'p', long)]
        provider: Option<String>,
        /// Only this username.
        #[arg(short = 'u', long)]
        username: Option<String>,
        /// Only this role.
        #[arg(short = 'a', long = "role-arn")]
        role_arn: Option<String>,
    },
}
