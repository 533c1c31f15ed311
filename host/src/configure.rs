//! `awsprocesscreds configure --profile NAME ...`: write an AWS CLI
//! profile whose `credential_process` runs awsprocesscreds, quoted so that
//! botocore (`shlex.split`) gives back exactly the arguments given.
//!
//! The rest of the config file is kept byte for byte (the one section is
//! replaced or appended), the previous file is kept as `config.bak`, and
//! the write is atomic under a lock.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{ArgAction, ArgMatches, CommandFactory};

use crate::cli::{Cli, ConfigureArgs, CredentialArgs, LoginArgs};
use crate::error::{Error, Kind, Result};
use crate::login::{self, Outcome};
use crate::profile::{self, shell_quote};
use crate::{assume, cache, credentials_file, ini, log, provider, settings, tty};

/// Arguments of `configure` that are about the profile, not the login.
const NOT_FORWARDED: &[&str] = &[
    "profile", "dry_run", "program", "region", "endpoint", "username", "provider", "role_arn",
];

/// `awsprocesscreds configure`.
pub fn run(args: &ConfigureArgs, argv: &[OsString]) -> Result<()> {
    log::set_verbosity(settings::verbosity(args.common.verbose));
    let Some(name) = args.profile.as_deref().map(str::trim) else {
        return Err(
            Error::usage("configure needs --profile NAME (the profile to write)").hint(
                "for example: awsprocesscreds configure --profile okta -p okta -e URL -u USER",
            ),
        );
    };
    if name.is_empty()
        || name.contains(['[', ']', '\n', '\r'])
        || name.starts_with(char::is_whitespace)
    {
        return Err(Error::usage(format!(
            "--profile {name:?} is not a usable profile name"
        )));
    }
    let matches = Cli::command()
        .try_get_matches_from(argv)
        .map_err(|e| Error::usage(format!("invalid arguments: {}", e.kind())))?;
    let given = matches
        .subcommand_matches("configure")
        .cloned()
        .ok_or_else(|| Error::other("configure: no arguments"))?;
    if let Some(r) = &args.creds.region {
        settings::creds(&args.creds).map_err(|e| {
            Error::usage(e.message).hint(format!("for example us-east-1 ({r:?} given)"))
        })?;
    }
    check_settings(args)?;
    let login = complete(args)?;
    // A line every use of the profile would refuse is not written.
    settings::login(&login, &args.common, args.creds.region.as_deref())?;
    let mut words = program_words(args.program.as_deref());
    let mut push = |flag: &str, v: &Option<String>| {
        if let Some(v) = v {
            words.push(flag.to_string());
            words.push(v.clone());
        }
    };
    push("-p", &login.provider);
    push("-e", &login.endpoint);
    push("-u", &login.username);
    push("-a", &login.role_arn);
    words.extend(forwarded(&given)?);
    let line = words
        .iter()
        .map(|w| shell_quote(w))
        .collect::<Vec<_>>()
        .join(" ");
    let region = args.creds.region.clone();
    if args.dry_run {
        use std::io::Write;
        let text = section_text(name, &line, region.as_deref(), None);
        let mut out = std::io::stdout().lock();
        return out
            .write_all(text.as_bytes())
            .and_then(|_| out.flush())
            .map_err(|e| Error::io(format!("cannot write to stdout: {e}")));
    }
    let path = profile::config_path()?;
    let backup = backup_path(&path);
    let mut backed_up = false;
    credentials_file::update_locked(&path, |text| {
        let sections = ini::parse(text);
        let old = sections
            .iter()
            .rev()
            .find(|s| profile::header_is(&s.name, name));
        if !text.is_empty() {
            cache::write_atomic(&backup, text.as_bytes())?;
            backed_up = true;
        }
        let new = section_text(name, &line, region.as_deref(), old);
        Ok(ini::splice(text, old, &new))
    })?;
    let note = if backed_up {
        format!(" (previous file kept as {})", backup.display())
    } else {
        String::new()
    };
    eprintln!(
        "{}: wrote [{}] to {}{note}",
        log::program(),
        profile::section_name(name),
        path.display()
    );
    Ok(())
}

/// The flags the line will carry, checked as every login checks them
/// (a bad one would fail every use of the profile), before anything is
/// asked. Writing a profile needs no cache directory.
fn check_settings(args: &ConfigureArgs) -> Result<()> {
    settings::common(&args.common)?;
    settings::creds(&CredentialArgs {
        no_cache: true,
        ..args.creds.clone()
    })?;
    Ok(())
}

/// `config` -> `config.bak`.
fn backup_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| OsString::from("config"));
    name.push(".bak");
    path.with_file_name(name)
}

/// The section: header, credential_process, region, then the other keys
/// the old section had (so `output = json` and friends survive).
fn section_text(
    name: &str,
    line: &str,
    region: Option<&str>,
    old: Option<&ini::Section>,
) -> String {
    let mut s = format!(
        "[{}]\ncredential_process = {line}\n",
        profile::section_name(name)
    );
    let old_region = old.and_then(|o| o.get("region"));
    if let Some(r) = region.or(old_region) {
        s.push_str(&format!("region = {r}\n"));
    }
    if let Some(o) = old {
        for (k, v) in &o.entries {
            if k == "credential_process" || k == "region" {
                continue;
            }
            s.push_str(&format!("{k} = {}\n", v.replace('\n', "\n    ")));
        }
    }
    s
}

/// The program words of the credential_process line.
fn program_words(program: Option<&str>) -> Vec<String> {
    if let Some(p) = program {
        let base = Path::new(p)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(p)
            .trim_end_matches(".exe");
        return if base == "awsprocesscreds" {
            vec![p.to_string(), "saml".into()]
        } else {
            vec![p.to_string()]
        };
    }
    vec![saml_binary()]
}

/// `awsprocesscreds-saml`: bare when PATH finds this very installation,
/// else the absolute path of the one beside this binary.
fn saml_binary() -> String {
    let name = format!("awsprocesscreds-saml{}", std::env::consts::EXE_SUFFIX);
    let beside = std::env::current_exe()
        .ok()
        .and_then(|e| e.canonicalize().ok())
        .and_then(|e| e.parent().map(|d| d.join(&name)))
        .filter(|p| p.is_file());
    let Some(beside) = beside else {
        return "awsprocesscreds-saml".into();
    };
    // Only absolute PATH entries, as the slim front end searches them: an
    // empty or relative entry means "wherever the AWS CLI was started".
    let on_path = std::env::var_os(crate::env_vars::PATH).and_then(|paths| {
        std::env::split_paths(&paths)
            .filter(|d| d.is_absolute())
            .map(|d| d.join(&name))
            .find(|p| p.is_file())
            .and_then(|p| p.canonicalize().ok())
    });
    if on_path.as_deref() == Some(beside.as_path()) {
        "awsprocesscreds-saml".into()
    } else {
        beside.display().to_string()
    }
}

/// The other flags given on the command line, for the line.
fn forwarded(given: &ArgMatches) -> Result<Vec<String>> {
    let cmd = Cli::command();
    let target = cmd
        .find_subcommand("configure")
        .ok_or_else(|| Error::other("configure: no definition"))?;
    let mut out = Vec::new();
    for arg in target.get_arguments() {
        let id = arg.get_id().as_str();
        if NOT_FORWARDED.contains(&id) || given.value_source(id) != Some(ValueSource::CommandLine) {
            continue;
        }
        let Some(long) = arg.get_long() else {
            continue;
        };
        let flag = format!("--{long}");
        match arg.get_action() {
            ArgAction::SetTrue | ArgAction::SetFalse => out.push(flag),
            ArgAction::Count => out.extend((0..given.get_count(id)).map(|_| flag.clone())),
            _ => {
                if let Ok(Some(values)) = given.try_get_raw(id) {
                    for v in values {
                        out.push(flag.clone());
                        out.push(
                            v.to_str()
                                .ok_or_else(|| Error::usage(format!("{flag} is not UTF-8")))?
                                .to_string(),
                        );
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Without a terminal nothing can be asked: a profile lacking an input
/// its provider requires would only fail at its first use, so refuse to
/// write it (a missing role is fine: the login picks the only one). A
/// provider that cannot be found here is not checked.
fn required_inputs_given(l: &LoginArgs, args: &ConfigureArgs) -> Result<()> {
    let Some(provider) = l.provider.as_deref() else {
        return Ok(());
    };
    let common = settings::common(&args.common)?;
    // A plugin not installed here yet (or found only through flags the
    // profile's users will pass) cannot be asked: write what was given.
    let plugin = match provider::find(&common, provider) {
        Ok(p) => p,
        Err(e) => {
            log::debug(&format!(
                "not checking the inputs of provider '{provider}': {}",
                e.message
            ));
            return Ok(());
        }
    };
    let inputs = &plugin.manifest().inputs;
    let missing: Vec<&str> = [
        (inputs.endpoint, l.endpoint.is_none(), "-e/--endpoint"),
        (inputs.username, l.username.is_none(), "-u/--username"),
    ]
    .into_iter()
    .filter(|(need, absent, _)| *need == plugin_api::Need::Required && *absent)
    .map(|(_, _, flag)| flag)
    .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::new(
        Kind::NoTerminal,
        format!(
            "configure: provider '{provider}' needs {} and no terminal is available to ask for it",
            missing.join(" and ")
        ),
    )
    .hint("pass -p, -e, -u and -a, or run it in a terminal"))
}

/// The login flags, asking on the terminal for what is missing (and
/// logging in once to offer the roles) when there is one.
fn complete(args: &ConfigureArgs) -> Result<LoginArgs> {
    let mut l = args.login.clone();
    let missing = l.provider.is_none() || l.endpoint.is_none() || l.role_arn.is_none();
    if !missing {
        return Ok(l);
    }
    let Some(mut t) = tty::open() else {
        if l.provider.is_none() {
            return Err(Error::new(
                Kind::NoTerminal,
                "configure needs -p/--provider and no terminal is available to ask for it",
            )
            .hint("pass -p, -e, -u and -a, or run it in a terminal"));
        }
        required_inputs_given(&l, args)?;
        return Ok(l);
    };
    let ask = |t: &mut tty::Tty, prompt: &str| -> Result<Option<String>> {
        let v = t.read_line(prompt).map_err(|e| match e {
            tty::TtyError::Cancelled => Error::new(Kind::Other, "configure cancelled"),
            tty::TtyError::Io(e) => Error::other(format!("terminal I/O failed: {e}")),
        })?;
        Ok(Some(v.trim().to_string()).filter(|v| !v.is_empty()))
    };
    if l.provider.is_none() {
        l.provider = ask(&mut t, "Provider (okta, adfs, forms, ...): ")?;
        if l.provider.is_none() {
            return Err(Error::usage("no provider given"));
        }
    }
    if l.endpoint.is_none() {
        l.endpoint = ask(&mut t, "IdP endpoint URL: ")?;
    }
    if l.username.is_none() {
        l.username = ask(&mut t, "Username (empty for none): ")?;
    }
    drop(t);
    if l.role_arn.is_none() {
        let login = settings::login(&l, &args.common, args.creds.region.as_deref())?;
        let common = settings::common(&args.common)?;
        let plugin = provider::find(&common, &login.provider)?;
        let dir = settings::cache_dir().ok();
        if let Outcome::Saml(assertion) = login::run(&plugin, &login, &common, dir.clone())? {
            let parsed = assume::parse(&login.provider, &assertion)?;
            let role = assume::choose(
                &assertion,
                &parsed,
                None,
                l.no_account_names,
                &common,
                dir.as_deref(),
            )?;
            l.role_arn = Some(role.role_arn);
        }
    }
    Ok(l)
}
