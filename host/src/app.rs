//! The entry point of `awsprocesscreds`: parse, run, print errors, return
//! the exit status. (`awsprocesscreds-saml` has its own slim `main` in
//! `src/bin/`, which hands over to `awsprocesscreds saml` on a cache miss.)

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::report::{parse_error, program_name, report};
use crate::{commands, log};

/// `awsprocesscreds`.
pub fn main_tool() -> i32 {
    let program = program_name("awsprocesscreds");
    log::set_program(&program);
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => return parse_error(&program, e),
    };
    let result = match &cli.command {
        Command::Saml(s) => commands::saml(s),
        Command::Roles { login, common } => commands::roles(login, common),
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
