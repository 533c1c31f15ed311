//! `awsprocesscreds exec -- CMD`: run a command with credentials in its
//! environment, for tools that do not speak credential_process.

use std::process::Command;

use crate::cli::{ExecArgs, SamlCli};
use crate::commands;
use crate::error::{Error, Result};
use crate::profile::Profile;

/// Variables that would make CMD use other credentials than ours.
pub const REMOVED: &[&str] = &[
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_SESSION_EXPIRATION",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
];

/// `awsprocesscreds exec`. On Unix CMD replaces this process (its exit
/// status is ours), so this returns only on failure.
pub fn run(args: &ExecArgs, profile: Option<&Profile>) -> Result<()> {
    let Some((program, rest)) = args.command.split_first() else {
        return Err(Error::usage("exec needs a command to run after `--`").hint(
            "for example: awsprocesscreds exec --profile dev -- aws sts get-caller-identity",
        ));
    };
    let cli = SamlCli {
        profile: args.profile.clone(),
        login: args.login.clone(),
        creds: args.creds.clone(),
        common: args.common.clone(),
    };
    let got = commands::credentials(&cli)?;
    let region = got.region_with(profile);
    let mut cmd = Command::new(program);
    cmd.args(rest);
    for v in REMOVED {
        cmd.env_remove(v);
    }
    let c = &got.credentials;
    cmd.env("AWS_ACCESS_KEY_ID", &c.access_key_id)
        .env("AWS_SECRET_ACCESS_KEY", c.secret_access_key.expose());
    if let Some(t) = &c.session_token {
        cmd.env("AWS_SESSION_TOKEN", t.expose());
    }
    if let Some(e) = &c.expiration {
        cmd.env("AWS_CREDENTIAL_EXPIRATION", e);
    }
    if let Some(r) = &region {
        cmd.env("AWS_REGION", r).env("AWS_DEFAULT_REGION", r);
    }
    let shown = program.to_string_lossy().into_owned();
    let fail = |e: std::io::Error| {
        let hint = if e.kind() == std::io::ErrorKind::NotFound {
            "check the command name and PATH"
        } else {
            "check that the command is executable"
        };
        Error::other(format!("cannot run {shown}: {e}")).hint(hint)
    };
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        Err(fail(cmd.exec()))
    }
    #[cfg(not(unix))]
    {
        let status = cmd.status().map_err(fail)?;
        std::process::exit(status.code().unwrap_or(1));
    }
}
