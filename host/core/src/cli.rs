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

    /// The provider plugin: okta, entra, adfs, ecp, forms, browser (any IdP
    /// in your own browser), static, keychain, or any plugin found in the
    /// plugin directories (see `awsprocesscreds plugins`).
    #[arg(short = 'p', long, env = ev::PROVIDER)]
    pub provider: Option<String>,

    /// The role to assume. Without it: the only role offered, or a picker on
    /// the terminal.
    #[arg(short = 'a', long = "role-arn", env = ev::ROLE_ARN, value_name = "ARN")]
    pub role_arn: Option<String>,

    /// Do not look up account names on the AWS sign-in page (the role
    /// picker and `roles` then show account ids only).
    #[arg(long = "no-account-names", env = ev::NO_ACCOUNT_NAMES, value_parser = ev::parse_bool)]
    pub no_account_names: bool,
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

    /// Timeout in seconds for each whole network exchange with the IdP or
    /// STS (connecting, sending and reading the whole answer).
    #[arg(long, env = ev::TIMEOUT, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,

    /// Run CMD (through the shell) and use the first line of its output as
    /// the IdP password.
    #[arg(long = "password-command", env = ev::PASSWORD_COMMAND, value_name = "CMD")]
    pub password_command: Option<String>,

    /// Read the IdP password from the OS keychain before prompting, and
    /// store it there after a successful login with a typed password.
    #[arg(long = "use-keyring", env = ev::USE_KEYRING, value_parser = ev::parse_bool)]
    pub use_keyring: bool,

    /// Neither reuse nor keep IdP sessions (Okta session cookies, ADFS SSO
    /// cookies, the browser's): every login signs in from scratch and
    /// stores nothing.
    #[arg(long = "no-idp-session", env = ev::NO_IDP_SESSION, value_parser = ev::parse_bool)]
    pub no_idp_session: bool,

    /// Never open a web browser: a step only a browser can do (a security
    /// key or passkey, Okta FastPass, Duo, a device check) ends the login
    /// with its error instead of continuing in a browser window, and `-p
    /// browser` is refused.
    #[arg(long = "no-browser", env = ev::NO_BROWSER, value_parser = ev::parse_bool)]
    pub no_browser: bool,

    /// Seconds a person has to sign in in a browser window (`-p browser`,
    /// or a login that continues in the browser); closing the window ends
    /// the wait at once. A kept session is tried headless first, without a
    /// window.
    #[arg(long = "browser-timeout", env = ev::BROWSER_TIMEOUT, value_name = "SECS", default_value_t = 300)]
    pub browser_timeout: u64,

    /// Preferred MFA factor: push, totp, sms, call, email, yubikey, token,
    /// optionally with a provider (e.g. totp:google).
    #[arg(long = "mfa-factor", env = ev::MFA_FACTOR, value_name = "FACTOR")]
    pub mfa_factor: Option<String>,

    /// Seconds to wait for an MFA approval (push) before giving up; also
    /// the bound on --password-command and --mfa-code-command.
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
    #[arg(long = "no-cache", env = ev::NO_CACHE, value_parser = ev::parse_bool)]
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

    /// Allow a plain http:// STS endpoint that is not on this machine (for
    /// STS emulators only: the SAML assertion is a bearer credential).
    #[arg(long = "allow-http-sts", env = ev::ALLOW_HTTP_STS, value_parser = ev::parse_bool)]
    pub allow_http_sts: bool,

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

    /// With `--output credentials-file`: the section of the shared
    /// credentials file (AWS_SHARED_CREDENTIALS_FILE, default
    /// ~/.aws/credentials) to write.
    #[arg(long = "credentials-profile", env = ev::CREDENTIALS_PROFILE, value_name = "NAME")]
    pub credentials_profile: Option<String>,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum OutputFormat {
    /// The credential_process JSON object.
    #[default]
    Json,
    /// `export AWS_...=` lines for POSIX shells.
    Env,
    /// Write `[NAME]` (see --credentials-profile) into the shared
    /// credentials file for tools that only read it; stdout stays empty.
    CredentialsFile,
}

const SAML_AFTER_HELP: &str = "\
Environment (besides the variables shown for each flag):
  AWSPROCESSCREDS_PASSWORD                    the IdP password (after --password-command and the keychain, before the prompt)
  AWSPROCESSCREDS_CACHE_DIR                   cache directory (default ~/.aws/awsprocesscreds/cache)
  AWSPROCESSCREDS_PLUGIN_PATH                 extra plugin directories, `:`-separated
  AWSPROCESSCREDS_ALLOW_INSECURE_PLUGIN_DIRS  1: accept plugin directories other users can write to
  AWSPROCESSCREDS_VERBOSE                     1 or 2: like -v / -vv
  AWSPROCESSCREDS_BROWSER                     the Chromium-family browser for sign-ins in a browser (default: Chrome, Chromium, Edge or Brave, found on PATH and in the usual places)
  AWS_CA_BUNDLE                               default for --ca-bundle
  AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL      STS endpoint (unless --sts-endpoint)
  AWS_REGION, AWS_DEFAULT_REGION              default for --region
  HTTPS_PROXY, NO_PROXY                       proxy for the IdP
  AWSPROCESSCREDS_SIGNIN_URL                  AWS sign-in base URL for account names (default: the assertion's)
  AWS_CONFIG_FILE                             where --profile reads profiles (default ~/.aws/config)
  AWS_SHARED_CREDENTIALS_FILE                 what --output credentials-file writes (default ~/.aws/credentials)

Example ~/.aws/config profiles:
  [profile okta]
  credential_process = awsprocesscreds-saml -e https://example.okta.com/home/amazon_aws/blob/123 -u 'monty@example.com' -p okta -a arn:aws:iam::123456789012:role/okta-dev
  [profile any-idp]
  credential_process = awsprocesscreds-saml -p browser -e 'https://idp.example.com/idp/profile/SAML2/Unsolicited/SSO?providerId=urn:amazon:webservices' -a arn:aws:iam::123456789012:role/dev

Sign-in in a browser (-p browser, and steps other providers cannot do
headless): your installed Chrome, Chromium, Edge or Brave with a profile of
its own; the kept IdP session is tried headless first, else a window opens
(at most --browser-timeout seconds). --no-browser turns this off.

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
    /// Use the login settings of this AWS CLI profile's credential_process
    /// (from AWS_CONFIG_FILE, default ~/.aws/config); flags given here win.
    #[arg(long = "profile", value_name = "NAME")]
    pub profile: Option<String>,
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
    /// Log in and list the roles the IdP offers (no STS call): one line per
    /// role, `role_arn<TAB>principal_arn<TAB>account name` (the name is
    /// empty when unknown).
    Roles {
        #[command(flatten)]
        login: LoginArgs,
        #[command(flatten)]
        common: CommonArgs,
        /// Use the login settings of this AWS CLI profile's
        /// credential_process; flags given here win.
        #[arg(long = "profile", value_name = "NAME")]
        profile: Option<String>,
    },
    /// Run CMD with credentials in its environment: `awsprocesscreds exec
    /// --profile NAME -- aws s3 ls`. CMD replaces this process, so its exit
    /// status is ours.
    #[command(after_help = EXEC_AFTER_HELP)]
    Exec(Box<ExecArgs>),
    /// Open the AWS console signed in with the credentials (federation
    /// sign-in), or print the sign-in URL with --print.
    #[command(after_help = CONSOLE_AFTER_HELP)]
    Console(Box<ConsoleArgs>),
    /// Write an AWS CLI profile whose credential_process runs
    /// awsprocesscreds; asks on the terminal for what is missing.
    #[command(after_help = CONFIGURE_AFTER_HELP)]
    Configure(Box<ConfigureArgs>),
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

const EXEC_AFTER_HELP: &str = "\
CMD gets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
AWS_CREDENTIAL_EXPIRATION and, when known (--region, AWS_REGION, the
profile's region), AWS_REGION and AWS_DEFAULT_REGION. AWS_PROFILE,
AWS_DEFAULT_PROFILE and inherited credential variables are removed.

Examples:
  awsprocesscreds exec --profile okta -- aws s3 ls
  awsprocesscreds exec -p okta -e https://example.okta.com/home/amazon_aws/x/123 -u monty -- terraform plan";

const CONSOLE_AFTER_HELP: &str = "\
The sign-in host follows the partition (signin.aws.amazon.com,
signin.amazonaws-us-gov.com, signin.amazonaws.cn); the default destination is
the console home of the region. AWSPROCESSCREDS_SIGNIN_URL overrides the
sign-in base URL (private endpoints, tests). The sign-in URL works once and
for 15 minutes; it is a secret while it lasts.

Examples:
  awsprocesscreds console --profile okta
  awsprocesscreds console --profile okta --print --destination https://console.aws.amazon.com/s3/";

const CONFIGURE_AFTER_HELP: &str = "\
The section is written to AWS_CONFIG_FILE (default ~/.aws/config); the rest
of the file is kept byte for byte and the previous file is kept as
config.bak. With a terminal, a missing provider, endpoint or username is
asked for, and a missing role is chosen after one login.

Example:
  awsprocesscreds configure --profile okta -p okta -e https://example.okta.com/home/amazon_aws/x/123 -u monty@example.com -a arn:aws:iam::123456789012:role/dev --region eu-west-1";

/// `awsprocesscreds exec`.
#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Use the login settings of this AWS CLI profile's credential_process
    /// (and its region); flags given here win.
    #[arg(long = "profile", value_name = "NAME")]
    pub profile: Option<String>,
    #[command(flatten)]
    pub login: LoginArgs,
    #[command(flatten)]
    pub creds: CredentialArgs,
    #[command(flatten)]
    pub common: CommonArgs,
    /// The command to run, after `--`.
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<std::ffi::OsString>,
}

/// `awsprocesscreds console`.
#[derive(Debug, Args)]
pub struct ConsoleArgs {
    /// Use the login settings of this AWS CLI profile's credential_process
    /// (and its region); flags given here win.
    #[arg(long = "profile", value_name = "NAME")]
    pub profile: Option<String>,
    /// Print the sign-in URL as one line on stdout instead of opening a browser.
    #[arg(long)]
    pub print: bool,
    /// The console page to land on (default: the console home of the region).
    #[arg(long, value_name = "URL")]
    pub destination: Option<String>,
    #[command(flatten)]
    pub login: LoginArgs,
    #[command(flatten)]
    pub creds: CredentialArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// `awsprocesscreds configure`.
#[derive(Debug, Args)]
pub struct ConfigureArgs {
    /// The AWS CLI profile to write (`default` writes [default]); required.
    #[arg(long = "profile", value_name = "NAME")]
    pub profile: Option<String>,
    /// Print the section on stdout instead of writing the file.
    #[arg(long = "dry-run")]
    pub dry_run: bool,
    /// Use the awsprocesscreds binary (`awsprocesscreds saml`) instead of
    /// awsprocesscreds-saml in the credential_process line.
    #[arg(long = "program", value_name = "PATH")]
    pub program: Option<String>,
    #[command(flatten)]
    pub login: LoginArgs,
    #[command(flatten)]
    pub creds: CredentialArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}
