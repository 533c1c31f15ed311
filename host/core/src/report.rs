//! How both binaries end: one error line (plus a hint line) on stderr,
//! redacted, and the exit status (1, or 2 for usage errors).

use crate::error::{Error, Kind};
use crate::log;

/// The name the program was started as (for message prefixes).
pub fn program_name(default: &str) -> String {
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
pub fn report(program: &str, e: &Error) -> i32 {
    let msg = log::redact(&e.message);
    let msg = msg.replace(['\n', '\r'], " ");
    eprintln!("{program}: error: {msg}");
    if let Some(h) = &e.hint {
        eprintln!("{program}: hint: {}", log::redact(h));
    }
    e.exit_code()
}

/// clap errors as one line; `--help` and `--version` print normally.
pub fn parse_error(program: &str, e: clap::Error) -> i32 {
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
