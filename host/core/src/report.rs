//! How both binaries end: one error line (plus a hint line) on stderr,
//! redacted, and the exit status (1, or 2 for usage errors).

use protocol::ErrorKind;

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
    let hint = match &e.hint {
        Some(h) => log::redact(h),
        None => fallback_hint(program, e.kind),
    };
    eprintln!("{program}: hint: {}", hint.replace(['\n', '\r'], " "));
    e.exit_code()
}

/// Every error ends with a hint line (users and scripts rely on the
/// two-line shape); errors raised without a specific hint get one for
/// their kind.
fn fallback_hint(program: &str, kind: Kind) -> String {
    match kind {
        Kind::Usage => format!("run '{program} --help' for usage"),
        Kind::Auth => "check -u and your password (and the MFA factor or code)".into(),
        Kind::Sts => "check the role ARN, the SAML provider in IAM and --sts-endpoint; -v shows the exchange".into(),
        Kind::Busy => "another awsprocesscreds is logging in with the same settings; wait, or raise --lock-timeout".into(),
        Kind::NoTerminal => "run once in a terminal, or use --password-command / AWSPROCESSCREDS_PASSWORD".into(),
        Kind::Plugin(ErrorKind::AccessDenied) => "the identity provider refuses this sign-in although it knows you; ask its administrator (give them the error above)".into(),
        Kind::Plugin(ErrorKind::BrowserRequired) => "this step needs a person in a web browser: run it where a browser window can open (without --no-browser), or choose another factor with --mfa-factor".into(),
        _ => "run again with -v for details (secrets stay redacted); `awsprocesscreds doctor` checks the setup".into(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browser_step_without_a_hint_of_its_own_gets_one() {
        let hint = fallback_hint("p", Kind::Plugin(ErrorKind::BrowserRequired));
        assert!(
            hint.contains("web browser") && hint.contains("--mfa-factor"),
            "{hint}"
        );
    }
}
