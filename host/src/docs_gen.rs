//! Shell completions and the man page, generated from the clap definition
//! in [`crate::cli::Cli`], so they can never drift from the real flags.
//!
//! `awsprocesscreds completions SHELL` and `awsprocesscreds man` print to
//! stdout; the install script and release archive store their output.

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::{Cli, SamlCli};
use crate::error::{Error, Result};

/// The shells completions can be generated for, as named on the command line.
pub const SHELLS: &[&str] = &["bash", "zsh", "fish", "elvish", "powershell"];

/// Parse a shell name (case-insensitive; `pwsh` is accepted for PowerShell).
pub fn parse_shell(name: &str) -> Result<Shell> {
    match name.trim().to_ascii_lowercase().as_str() {
        "bash" => Ok(Shell::Bash),
        "zsh" => Ok(Shell::Zsh),
        "fish" => Ok(Shell::Fish),
        "elvish" => Ok(Shell::Elvish),
        "powershell" | "pwsh" => Ok(Shell::PowerShell),
        other => Err(Error::usage(format!("unknown shell {other:?}"))
            .hint(format!("choose one of: {}", SHELLS.join(", ")))),
    }
}

/// The completion script for `shell`: completions for `awsprocesscreds`
/// followed by those for `awsprocesscreds-saml`, so one file covers both
/// commands.
pub fn completions(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    let mut tool = Cli::command();
    clap_complete::generate(shell, &mut tool, "awsprocesscreds", &mut out);
    let mut saml = SamlCli::command();
    out.push(b'\n');
    clap_complete::generate(shell, &mut saml, "awsprocesscreds-saml", &mut out);
    out
}

/// The man page of `awsprocesscreds` (section 1, roff), with a section per
/// subcommand.
pub fn man_page() -> Result<Vec<u8>> {
    let mut cmd = Cli::command();
    cmd.build();
    let mut out = Vec::new();
    let render = |e: std::io::Error| Error::other(format!("cannot render the man page: {e}"));
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(&mut out).map_err(render)?;
    man.render_name_section(&mut out).map_err(render)?;
    man.render_synopsis_section(&mut out).map_err(render)?;
    man.render_description_section(&mut out).map_err(render)?;
    man.render_options_section(&mut out).map_err(render)?;
    man.render_subcommands_section(&mut out).map_err(render)?;
    // One section per subcommand with its own options: the top-level page
    // alone would list only their names.
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = sub.get_name().to_string();
        let _ = writeln!(
            out,
            ".SH \"{}\"",
            format!("AWSPROCESSCREDS {name}").to_uppercase()
        );
        // After `build()` the subcommand knows its full bin name
        // (`awsprocesscreds doctor`), which the synopsis uses.
        let sub_man = clap_mangen::Man::new(sub.clone());
        sub_man.render_synopsis_section(&mut out).map_err(render)?;
        sub_man.render_options_section(&mut out).map_err(render)?;
    }
    render_environment(&mut out);
    man.render_version_section(&mut out).map_err(render)?;
    Ok(out)
}

/// The ENVIRONMENT section: variables read outside the per-flag `env`
/// attributes (those are listed next to their flags).
fn render_environment(out: &mut Vec<u8>) {
    use crate::env_vars as ev;
    let vars: &[(&str, &str)] = &[
        (
            ev::CACHE_DIR,
            "The credential cache directory (default ~/.aws/awsprocesscreds/cache).",
        ),
        (
            ev::PASSWORD,
            "The IdP password, used when no --password-command or keychain entry gives one.",
        ),
        (
            ev::PLUGIN_PATH,
            "Extra plugin directories, searched after --plugin-dir.",
        ),
        (
            ev::ALLOW_INSECURE_PLUGIN_DIRS,
            "Set to 1 to accept plugin directories and files other users can write to.",
        ),
        (ev::VERBOSE, "1 or 2: like -v or -vv."),
        (
            ev::BROWSER,
            "The Chromium-family browser for sign-ins in a browser (-p browser, steps only a browser can do); default: Chrome, Chromium, Edge or Brave found on PATH and in the usual places.",
        ),
        (
            ev::BROWSER_HEADLESS_TIMEOUT,
            "Seconds a headless sign-in with the kept session may take before a window is opened instead (default 15).",
        ),
        (
            ev::AWS_CA_BUNDLE,
            "PEM file of extra CA certificates (also for the IdP).",
        ),
        (
            "AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL",
            "The STS endpoint to use.",
        ),
        (
            ev::NO_COLOR,
            "Set (to anything) to disable colour in `awsprocesscreds doctor`.",
        ),
    ];
    let _ = writeln!(out, ".SH ENVIRONMENT");
    for (name, what) in vars {
        let _ = writeln!(out, ".TP\n\\fB{}\\fR\n{}", name, what.replace('-', "\\-"));
    }
    let _ = writeln!(out, ".SH FILES");
    let _ = writeln!(
        out,
        ".TP\n\\fI~/.aws/awsprocesscreds/cache\\fR\nCached credentials (0600 files in a 0700 directory).\n.TP\n\\fI<exe dir>/../lib/awsprocesscreds/plugins\\fR, \\fI~/.local/share/awsprocesscreds/plugins\\fR\nProvider plugins.\n.TP\n\\fI~/.local/share/awsprocesscreds/browser/<provider>\\fR\nThe dedicated browser profile of each provider (0700; removed by cache clear)."
    );
}

/// `awsprocesscreds completions SHELL`.
pub fn print_completions(shell: &str) -> Result<()> {
    let shell = parse_shell(shell)?;
    write_stdout(&completions(shell))
}

/// `awsprocesscreds man`.
pub fn print_man() -> Result<()> {
    write_stdout(&man_page()?)
}

fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        // `awsprocesscreds man | head` is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::io(format!("cannot write to stdout: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_name_parses() {
        for s in SHELLS {
            assert!(parse_shell(s).is_ok(), "{s}");
        }
        assert!(parse_shell("PWSH").is_ok());
        let e = parse_shell("tcsh").unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.hint.unwrap().contains("bash"));
    }

    #[test]
    fn bash_completion_covers_both_commands() {
        let text = String::from_utf8(completions(Shell::Bash)).unwrap();
        assert!(text.contains("awsprocesscreds-saml"));
        assert!(text.contains("doctor"));
        assert!(text.contains("--role-arn"));
    }

    #[test]
    fn man_page_documents_subcommand_options() {
        let text = String::from_utf8(man_page().unwrap()).unwrap();
        assert!(text.starts_with(".ie") || text.contains(".TH"));
        assert!(text.contains("AWSPROCESSCREDS DOCTOR"));
        assert!(text.contains("ENVIRONMENT"));
        assert!(text.contains("role\\-arn"));
    }
}
