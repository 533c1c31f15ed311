//! The entry point of `awsprocesscreds`: parse, run, print errors, return
//! the exit status. (`awsprocesscreds-saml` has its own slim `main` in
//! `src/bin/`, which hands over to `awsprocesscreds saml` on a cache miss.)

use std::ffi::OsString;

use clap::{CommandFactory, Parser};

use crate::cli::{Cli, Command};
use crate::report::{parse_error, program_name, report};
use crate::{commands, log, profile};

/// `awsprocesscreds`.
pub fn main_tool() -> i32 {
    let program = program_name("awsprocesscreds");
    log::set_program(&program);
    let argv: Vec<OsString> = std::env::args_os().collect();
    let mut cli = match Cli::try_parse_from(&argv) {
        Ok(c) => c,
        Err(e) => return parse_error(&program, e),
    };
    let mut profile = None;
    if let Some((sub, name)) = profile_of(&cli.command) {
        // The profile's flags join the command line; explicit flags win.
        match profile::apply(Cli::command(), &argv, Some(sub), &name) {
            Ok((argv, p)) => {
                cli = match Cli::try_parse_from(argv) {
                    Ok(c) => c,
                    Err(e) => return parse_error(&program, e),
                };
                profile = Some(p);
            }
            Err(e) => return report(&program, &e),
        }
    }
    let result = match &cli.command {
        Command::Saml(s) => commands::saml(s),
        Command::Roles { login, common, .. } => commands::roles(login, common),
        Command::Exec(a) => crate::exec::run(a, profile.as_ref()),
        Command::Console(a) => crate::console::run(a, profile.as_ref()),
        Command::Configure(a) => crate::configure::run(a, &argv),
        Command::Plugins { common } => commands::plugins(common),
        Command::Cache { action } => commands::cache(action),
        Command::Doctor {
            login,
            creds,
            common,
        } => crate::doctor::run(login, creds, common),
        Command::Completions { shell } => crate::docs_gen::print_completions(shell),
        Command::Man => crate::docs_gen::print_man(),
    };
    match result {
        Ok(()) => 0,
        Err(e) => report(&program, &e),
    }
}

/// The subcommand and profile name when `--profile` names a profile to
/// read login settings from (`configure --profile` names the one to write).
fn profile_of(c: &Command) -> Option<(&'static str, String)> {
    match c {
        Command::Saml(s) => s.profile.clone().map(|p| ("saml", p)),
        Command::Roles { profile, .. } => profile.clone().map(|p| ("roles", p)),
        Command::Exec(a) => a.profile.clone().map(|p| ("exec", p)),
        Command::Console(a) => a.profile.clone().map(|p| ("console", p)),
        _ => None,
    }
}
