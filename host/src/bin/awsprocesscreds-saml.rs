//! `awsprocesscreds-saml`: the `credential_process` entry point.
//!
//! AWS clients run this before every call, and almost every run is a cache
//! hit, so this binary links only `awsprocesscreds-core` (CLI, settings,
//! cache): a hit costs about as much as starting any process. On a miss it
//! replaces itself with the full `awsprocesscreds saml` (same arguments,
//! same program name in messages), which logs in.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;

use awsprocesscreds_core::cli::SamlCli;
use awsprocesscreds_core::error::Error;
use awsprocesscreds_core::report::{parse_error, program_name, report};
use awsprocesscreds_core::{env_vars as ev, hit, log, profile};
use clap::{CommandFactory, Parser};

/// The full binary: beside this one, else through an absolute `PATH`
/// entry. An empty or relative entry (`::`, `.`, `bin`) means "the current
/// directory" to a shell; running whatever `awsprocesscreds` sits in the
/// directory the AWS CLI happened to start in would run an attacker's file
/// with the user's IdP password, so those entries are skipped.
fn full_binary() -> Option<PathBuf> {
    let name = format!("awsprocesscreds{}", std::env::consts::EXE_SUFFIX);
    let beside = std::env::current_exe()
        .ok()
        .and_then(|e| e.canonicalize().ok())
        .and_then(|e| e.parent().map(|d| d.join(&name)))
        .filter(|p| p.is_file());
    beside.or_else(|| {
        std::env::var_os(ev::PATH).and_then(|paths| {
            std::env::split_paths(&paths)
                .filter(|d| d.is_absolute())
                .map(|d| d.join(&name))
                .find(|p| p.is_file())
        })
    })
}

fn login(program: &str) -> i32 {
    let Some(full) = full_binary() else {
        return report(
            program,
            &Error::other("cannot find the awsprocesscreds binary to log in with")
                .hint("install awsprocesscreds and awsprocesscreds-saml side by side (scripts/install.sh does)"),
        );
    };
    let mut cmd = Command::new(&full);
    cmd.arg("saml")
        .args(std::env::args_os().skip(1).collect::<Vec<OsString>>());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let argv0 = std::env::args_os()
            .next()
            .unwrap_or_else(|| OsString::from(program));
        let err = cmd.arg0(argv0).exec();
        report(
            program,
            &Error::other(format!("cannot run {}: {err}", full.display())),
        )
    }
    #[cfg(not(unix))]
    {
        match cmd.status() {
            Ok(s) => s.code().unwrap_or(1),
            Err(err) => report(
                program,
                &Error::other(format!("cannot run {}: {err}", full.display())),
            ),
        }
    }
}

fn main() {
    let program = program_name("awsprocesscreds-saml");
    log::set_program(&program);
    // On a miss the full binary reads the cache again and warns about a
    // bad entry; warning here too would say it twice.
    log::defer_warn_once();
    let mut cli = match SamlCli::try_parse() {
        Ok(c) => c,
        Err(e) => std::process::exit(parse_error(&program, e)),
    };
    if let Some(name) = cli.profile.clone() {
        // The profile's flags join the command line; explicit flags win.
        let argv: Vec<OsString> = std::env::args_os().collect();
        let applied = profile::apply(SamlCli::command(), &argv, None, &name);
        cli = match applied.map(|(argv, _)| SamlCli::try_parse_from(argv)) {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => std::process::exit(parse_error(&program, e)),
            Err(e) => std::process::exit(report(&program, &e)),
        };
    }
    let code = match hit::lookup(&cli) {
        Ok(hit::Lookup::Served) => 0,
        Ok(hit::Lookup::Miss(_)) => login(&program),
        Err(e) => report(&program, &e),
    };
    std::process::exit(code);
}
