//! `--profile NAME`: the login settings of an AWS CLI profile whose
//! `credential_process` runs awsprocesscreds.
//!
//! The profile's command line is split the way botocore splits it
//! (`shlex.split`, POSIX rules), its awsprocesscreds arguments are taken
//! (`awsprocesscreds-saml ARGS`, `awsprocesscreds saml ARGS`, any path), and
//! every flag the user did not give on the command line is added from it:
//! explicit flags win. Lives in the light crate so `awsprocesscreds-saml
//! --profile NAME` still answers a cache hit without the full binary.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{ArgAction, ArgMatches, CommandFactory};

use crate::cli::SamlCli;
use crate::env_vars as ev;
use crate::error::{Error, Result};
use crate::ini;

/// The profile a command was pointed at.
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    pub file: PathBuf,
    /// The awsprocesscreds `saml` arguments of its credential_process.
    pub args: Vec<String>,
    /// Its `region` setting.
    pub region: Option<String>,
}

/// The AWS config file: `AWS_CONFIG_FILE`, else `~/.aws/config`.
pub fn config_path() -> Result<PathBuf> {
    crate::home::aws_file(ev::AWS_CONFIG_FILE, "config", "the AWS config file")
}

/// The section header of `name` in the config file.
pub fn section_name(name: &str) -> String {
    if name == "default" {
        "default".into()
    } else {
        format!("profile {name}")
    }
}

/// Whether a config-file header names profile `name` (`[profile NAME]`,
/// and `[default]` or `[profile default]` for the default profile).
pub fn header_is(header: &str, name: &str) -> bool {
    if let Some(rest) = header.strip_prefix("profile") {
        if rest.starts_with([' ', '\t']) && rest.trim() == name {
            return true;
        }
    }
    name == "default" && header == "default"
}

/// Read profile `name` from the AWS config file.
pub fn load(name: &str) -> Result<Profile> {
    let file = config_path()?;
    let shown = file.display().to_string();
    let text = read_config(&file)
        .map_err(|e| Error::usage(format!("profile '{name}': cannot read {shown}: {e}")))?
        .ok_or_else(|| {
            Error::usage(format!(
                "profile '{name}' not found: {shown} does not exist"
            ))
            .hint("create it with `awsprocesscreds configure --profile NAME ...`, or set AWS_CONFIG_FILE")
        })?;
    let sections = ini::parse(&text);
    let Some(sec) = sections.iter().rev().find(|s| header_is(&s.name, name)) else {
        return Err(
            Error::usage(format!("profile '{name}' not found in {shown}")).hint(
                "check --profile; `awsprocesscreds configure --profile NAME ...` creates one",
            ),
        );
    };
    let Some(line) = sec
        .get("credential_process")
        .filter(|l| !l.trim().is_empty())
    else {
        return Err(Error::usage(format!(
            "profile '{name}' in {shown} has no credential_process"
        ))
        .hint("add `credential_process = awsprocesscreds-saml ...` to it, or use `awsprocesscreds configure`"));
    };
    let words = shell_split(line).map_err(|e| {
        Error::usage(format!(
            "profile '{name}' in {shown}: its credential_process cannot be split ({e})"
        ))
    })?;
    let args = saml_args(&words).ok_or_else(|| {
        Error::usage(format!(
            "profile '{name}' in {shown} runs another program ({}), not awsprocesscreds",
            words.first().map(String::as_str).unwrap_or("nothing")
        ))
        .hint("--profile needs a profile whose credential_process is awsprocesscreds-saml or `awsprocesscreds saml`")
    })?;
    if args
        .iter()
        .any(|a| a == "--profile" || a.starts_with("--profile="))
    {
        return Err(Error::usage(format!(
            "profile '{name}' in {shown}: its credential_process itself uses --profile"
        ))
        .hint("give the login flags (-p, -e, -u, -a) in the credential_process line"));
    }
    Ok(Profile {
        name: name.to_string(),
        file,
        args,
        region: sec
            .get("region")
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(String::from),
    })
}

/// The file's text, `None` when it does not exist. Symlinks are followed
/// here as the AWS CLI follows them (the user may link ~/.aws/config);
/// the read is bounded.
fn read_config(path: &Path) -> std::io::Result<Option<String>> {
    use std::io::Read;
    let f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut buf = Vec::new();
    f.take(MAX_CONFIG_BYTES + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > MAX_CONFIG_BYTES {
        return Err(std::io::Error::other("file is larger than 4 MiB"));
    }
    String::from_utf8(buf)
        .map(Some)
        .map_err(|_| std::io::Error::other("file is not UTF-8 text"))
}

/// Larger than any real AWS config file.
pub const MAX_CONFIG_BYTES: u64 = 4 * 1024 * 1024;

/// Why a command line cannot be split.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SplitError {
    #[error("no closing quotation")]
    OpenQuote,
    #[error("no escaped character")]
    TrailingBackslash,
}

/// Split like Python's `shlex.split` (POSIX mode, no comments), which is
/// what botocore runs on `credential_process`: whitespace separates words;
/// `'...'` is literal; in `"..."` a backslash escapes only `"` and `\`;
/// outside quotes a backslash escapes any character.
pub fn shell_split(s: &str) -> Result<Vec<String>, SplitError> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => cur.push(c),
                        None => return Err(SplitError::OpenQuote),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\')) => cur.push(c),
                            Some(c) => {
                                cur.push('\\');
                                cur.push(c);
                            }
                            None => return Err(SplitError::OpenQuote),
                        },
                        Some(c) => cur.push(c),
                        None => return Err(SplitError::OpenQuote),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => cur.push(c),
                    None => return Err(SplitError::TrailingBackslash),
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

/// Quote one word so [`shell_split`] (and `shlex.split`) gives it back:
/// bare when it is made of safe characters, else in single quotes (the
/// rules of Python's `shlex.quote`).
pub fn shell_quote(word: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./-_".contains(c);
    if !word.is_empty() && word.chars().all(safe) {
        return word.to_string();
    }
    format!("'{}'", word.replace('\'', "'\"'\"'"))
}

/// The `saml` arguments of an awsprocesscreds command line, or `None` when
/// it runs another program.
pub fn saml_args(words: &[String]) -> Option<Vec<String>> {
    let (first, rest) = words.split_first()?;
    let base = Path::new(first).file_name()?.to_str()?;
    let base = base.strip_suffix(".exe").unwrap_or(base);
    match base {
        "awsprocesscreds-saml" => Some(rest.to_vec()),
        "awsprocesscreds" => match rest.split_first() {
            Some((sub, args)) if sub == "saml" => Some(args.to_vec()),
            _ => None,
        },
        _ => None,
    }
}

/// The arguments to add to a command line that named `--profile`: every
/// flag of the profile's `saml` arguments that `target` knows and that
/// `given` (the parsed command line) did not set explicitly.
pub fn extra_args(
    profile: &Profile,
    target: &clap::Command,
    given: &ArgMatches,
) -> Result<Vec<OsString>> {
    let argv = std::iter::once(OsString::from("awsprocesscreds-saml"))
        .chain(profile.args.iter().map(OsString::from));
    let theirs = SamlCli::command()
        .no_binary_name(false)
        .try_get_matches_from(argv)
        .map_err(|e| {
            let text = e.render().to_string();
            let first = text
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid arguments")
                .trim()
                .trim_start_matches("error: ")
                .to_string();
            Error::usage(format!(
                "profile '{}' in {}: its credential_process arguments are invalid: {first}",
                profile.name,
                profile.file.display()
            ))
        })?;
    let mut out = Vec::new();
    for arg in target.get_arguments() {
        let id = arg.get_id().as_str();
        let Some(long) = arg.get_long() else {
            continue;
        };
        let explicit = |m: &ArgMatches| {
            m.try_contains_id(id).unwrap_or(false)
                && m.value_source(id) == Some(ValueSource::CommandLine)
        };
        if explicit(given) || !explicit(&theirs) {
            continue;
        }
        match arg.get_action() {
            ArgAction::SetTrue | ArgAction::SetFalse => {
                out.push(OsString::from(format!("--{long}")))
            }
            ArgAction::Count => {
                let n = theirs.get_count(id);
                out.extend((0..n).map(|_| OsString::from(format!("--{long}"))));
            }
            _ => {
                if let Ok(Some(values)) = theirs.try_get_raw(id) {
                    for v in values {
                        let mut a = OsString::from(format!("--{long}="));
                        a.push(v);
                        out.push(a);
                    }
                }
            }
        }
    }
    Ok(out)
}

/// The command line `argv` (parsed by `cmd`, with `--profile name` on
/// subcommand `sub` or on `cmd` itself) with the profile's flags added.
pub fn apply(
    cmd: clap::Command,
    argv: &[OsString],
    sub: Option<&str>,
    name: &str,
) -> Result<(Vec<OsString>, Profile)> {
    let profile = load(name)?;
    let matches = cmd
        .clone()
        .try_get_matches_from(argv)
        .map_err(|e| Error::usage(format!("invalid arguments: {}", e.kind())))?;
    let (target, given, at) = match sub {
        Some(sub) => {
            let target = cmd
                .find_subcommand(sub)
                .cloned()
                .ok_or_else(|| Error::other(format!("no subcommand {sub}")))?;
            let given = matches
                .subcommand_matches(sub)
                .cloned()
                .ok_or_else(|| Error::other(format!("no subcommand {sub}")))?;
            let at = argv
                .iter()
                .skip(1)
                .position(|a| a == sub)
                .map(|i| i + 2)
                .unwrap_or(argv.len());
            (target, given, at)
        }
        None => (cmd, matches, 1),
    };
    let extra = extra_args(&profile, &target, &given)?;
    crate::log::debug(&format!(
        "using the login settings of profile '{}' in {}",
        profile.name,
        profile.file.display()
    ));
    Ok((splice_argv(argv, at, extra), profile))
}

/// `argv` with `extra` inserted at `at` (just after the program name, or
/// after the subcommand).
pub fn splice_argv(argv: &[OsString], at: usize, extra: Vec<OsString>) -> Vec<OsString> {
    let at = at.min(argv.len());
    let mut out: Vec<OsString> = argv[..at].to_vec();
    out.extend(extra);
    out.extend_from_slice(&argv[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Vec<String> {
        shell_split(s).unwrap()
    }

    #[test]
    fn splits_like_shlex() {
        // Expected values are what Python's shlex.split returns.
        assert_eq!(split("a  b\tc"), ["a", "b", "c"]);
        assert_eq!(
            split("-e 'https://x/?a=1&b=2'"),
            ["-e", "https://x/?a=1&b=2"]
        );
        assert_eq!(split(r#"-u "monty \"py\" \x""#), ["-u", r#"monty "py" \x"#]);
        assert_eq!(split(r"a\ b c\\d"), ["a b", r"c\d"]);
        assert_eq!(split("x'y'\"z\""), ["xyz"]);
        assert_eq!(split("'' a"), ["", "a"]);
        assert_eq!(split("a # b"), ["a", "#", "b"]);
        assert_eq!(shell_split("'open"), Err(SplitError::OpenQuote));
        assert_eq!(shell_split("a\\"), Err(SplitError::TrailingBackslash));
    }

    #[test]
    fn quote_round_trips() {
        for w in [
            "plain",
            "https://x.example.com/app?a=1&b=2",
            "it's",
            "two words",
            "",
            "\"q\"",
            "a\\b",
            "$HOME",
            "monty@example.com",
        ] {
            assert_eq!(split(&shell_quote(w)), [w], "{w}");
        }
        assert_eq!(shell_quote("monty@example.com"), "monty@example.com");
        assert_eq!(shell_quote("a&b"), "'a&b'");
    }

    #[test]
    fn recognises_both_binaries() {
        let w = |s: &str| split(s);
        assert_eq!(
            saml_args(&w("awsprocesscreds-saml -p okta")).unwrap(),
            ["-p", "okta"]
        );
        assert_eq!(
            saml_args(&w("/opt/bin/awsprocesscreds saml -p okta")).unwrap(),
            ["-p", "okta"]
        );
        assert!(saml_args(&w("awsprocesscreds roles -p okta")).is_none());
        assert!(saml_args(&w("aws-vault exec x")).is_none());
        assert!(saml_args(&[]).is_none());
    }

    #[test]
    fn headers() {
        assert!(header_is("profile dev", "dev"));
        assert!(header_is("profile   dev ", "dev"));
        assert!(header_is("default", "default"));
        assert!(header_is("profile default", "default"));
        assert!(!header_is("dev", "dev"));
        assert!(!header_is("profiledev", "dev"));
    }

    #[test]
    fn command_line_flags_win() {
        let profile = Profile {
            name: "dev".into(),
            file: "/x".into(),
            args: split("-p okta -e https://idp/?a&b -u monty -a arn:aws:iam::123456789012:role/r --no-cache -vv --plugin-option k=v"),
            region: None,
        };
        let target = SamlCli::command();
        let given = SamlCli::command()
            .try_get_matches_from(["x", "-u", "alice"])
            .unwrap();
        let extra = extra_args(&profile, &target, &given).unwrap();
        let extra: Vec<String> = extra
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert!(extra.contains(&"--provider=okta".to_string()), "{extra:?}");
        assert!(extra.contains(&"--endpoint=https://idp/?a&b".to_string()));
        assert!(!extra.iter().any(|a| a.contains("monty")));
        assert!(extra.contains(&"--no-cache".to_string()));
        assert_eq!(extra.iter().filter(|a| *a == "--verbose").count(), 2);
        assert!(extra.contains(&"--plugin-option=k=v".to_string()));
    }
}
