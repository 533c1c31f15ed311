//! Entry points for both binaries: parse, run, print errors, return the
//! exit status. `main` stays a one-liner.

use clap::Parser;

use crate::cli::{Cli, Command, SamlCli};
use crate::error::{Error, Kind};
use crate::{commands, log};

fn program_name(default: &str) -> String {
    std::env::args_os()
        .next()
        .and_then(|a| {
            std::path::Path::new(&a)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| default.to_string())
}

/// Print an error as one line (plus a hint line) and return its status.
fn report(program: &str, e: &Error) -> i32 {
    let msg = log::redact(&e.message);
    let msg = msg.replace(['\n', '\r'], " ");
    eprintln!("{program}: error: {msg}");
    if let Some(h) = &e.hint {
        eprintln!("{program}: hint: {}", log::redact(h));
    }
    e.exit_code()
}

/// clap errors as one line; `--help` and `--version` print normally.
fn parse_error(program: &str, e: clap::Error) -> i32 {
    use clap::error::ErrorKind as K;
    match e.kind() {
        K::DisplayHelp | K::DisplayVersion | K::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            if e.kind() == K::DisplayHelpOnMissingArgumentOrSubcommand {
                2
            } else {
                0
            }
        }
        _ => {
            let text = e.render().to_string();
            let first = text
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid arguments")
                .trim()
                .trim_start_matches("error: ")
                .to_string();
            report(
                program,
                &Error::new(Kind::Usage, first).hint(format!("run '{program} --help' for usage")),
            )
        }
    }
}

/// `awsprocesscreds-saml`.
pub fn main_saml() -> i32 {
    let program = program_name("awsprocesscreds-saml");
    log::set_program(&program);
    let cli = match SamlCli::try_parse() {
        Ok(c) => c,
        Err(e) => return parse_error(&program, e),
    };
    match commands::saml(&cli) {
        Ok(()) => 0,
        Err(e) => report(&program, &e),
    }
}

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
