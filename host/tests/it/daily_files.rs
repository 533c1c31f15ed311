//! The files daily use writes: `--output credentials-file` into
//! the shared credentials file (other sections kept byte for byte, 0600,
//! concurrent writers), and `awsprocesscreds configure` checked with the
//! real AWS CLI: `aws configure get credential_process` gives our line,
//! botocore's own `shlex.split` gives back exactly the arguments, and
//! `aws sts get-caller-identity --profile NAME` logs in through it (moto as
//! STS).

use crate::common;
use crate::conformance_support;

#[cfg(unix)]
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use common::*;
use conformance_support::*;

#[cfg(unix)]
fn mode(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
const EXISTING: &str = "# my credentials; keep this comment\n[default]\naws_access_key_id = AKIAEXAMPLEDEFAULT\naws_secret_access_key = keep/me\n\n; a note about dev\n[dev]\naws_access_key_id = OLD\naws_secret_access_key = OLD\n# trailing comment of dev\n\n[prod]\naws_access_key_id=AKIAPROD\naws_secret_access_key=prod+secret";

/// The shared credentials file the context's commands use, holding
/// [`EXISTING`].
#[cfg(unix)]
fn existing_credentials_file(ctx: &Ctx) -> std::path::PathBuf {
    let file = ctx.tmp.path().join("no-aws-credentials");
    std::fs::write(&file, EXISTING).unwrap();
    file
}

/// A fixture login writing section `[profile]` of the shared credentials
/// file.
#[cfg(unix)]
fn to_credentials_file(ctx: &Ctx, profile: &str) -> Command {
    ctx.saml(&[
        "--output",
        "credentials-file",
        "--credentials-profile",
        profile,
    ])
}

#[cfg(unix)]
#[test]
fn credentials_file_replaces_one_section_and_keeps_the_rest() {
    let ctx = Ctx::new();
    let file = existing_credentials_file(&ctx);
    let out = run(to_credentials_file(&ctx, "dev"));
    out.ok();
    assert!(
        out.stdout.is_empty(),
        "stdout must stay empty: {:?}",
        out.stdout
    );
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("wrote credentials for [dev]"),
        "{}",
        out.stderr
    );
    let issued = ctx.sts_state.lock().unwrap().issued[0].clone();
    let text = std::fs::read_to_string(&file).unwrap();
    let (before, _) = EXISTING.split_once("[dev]").unwrap();
    let (_, after) = EXISTING.split_once("# trailing comment of dev").unwrap();
    assert!(text.starts_with(before), "{text}");
    assert!(
        text.ends_with(&format!("# trailing comment of dev{after}")),
        "{text}"
    );
    let section = &text[before.len()..text.len() - after.len() - "# trailing comment of dev".len()];
    assert!(section.starts_with(&format!(
        "[dev]\naws_access_key_id = {}\naws_secret_access_key = {}\naws_session_token = {}\nx_security_token_expires = ",
        issued.access_key_id, issued.secret_access_key, issued.session_token
    )), "{section}");
    assert_eq!(mode(&file), 0o600);
    // A second run is a cache hit and rewrites the same section.
    let out = run(to_credentials_file(&ctx, "dev"));
    out.ok();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
    assert_eq!(ctx.sts_calls(), 1);
    // Without a name: a usage error before any login.
    run(ctx.saml(&["--output", "credentials-file", "--no-cache"]))
        .fails(2, "--credentials-profile");
    assert_eq!(ctx.idp_hits(), 1);
}

#[cfg(unix)]
#[test]
fn concurrent_writers_keep_each_others_sections() {
    let ctx = Ctx::new();
    let file = existing_credentials_file(&ctx);
    let children: Vec<_> = (0..8)
        .map(|i| {
            let mut c = to_credentials_file(&ctx, &format!("p{i}"));
            c.stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            c.spawn().unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with(EXISTING), "{text}");
    for i in 0..8 {
        assert_eq!(
            text.matches(&format!("[p{i}]\n")).count(),
            1,
            "p{i} lost:\n{text}"
        );
    }
    // One login served all eight (single flight through the cache).
    assert_eq!(ctx.sts_calls(), 1);
    assert_eq!(mode(&file), 0o600);
}

#[cfg(unix)]
#[test]
fn a_symlinked_credentials_file_is_refused() {
    let ctx = Ctx::new();
    let real = ctx.tmp.path().join("real");
    std::fs::write(&real, EXISTING).unwrap();
    std::os::unix::fs::symlink(&real, ctx.tmp.path().join("no-aws-credentials")).unwrap();
    run(to_credentials_file(&ctx, "dev")).fails(1, "symbolic link");
    assert_eq!(std::fs::read_to_string(&real).unwrap(), EXISTING);
}

const CONFIG: &str = "# hand-written\n[default]\nregion = eu-central-1\n\n[profile keep]\nregion = us-west-2\noutput = json\n";

fn configure(ctx: &Ctx, config: &std::path::Path, args: &[&str]) -> Command {
    let mut c = ctx.command("awsprocesscreds");
    c.arg("configure").args(args).env("AWS_CONFIG_FILE", config);
    c
}

#[test]
fn configure_round_trips_through_the_real_aws_cli() {
    let Some(tools) = require_tools(&["aws", "python3"]) else {
        return;
    };
    let Some(moto) = shared_moto() else {
        return;
    };
    let aws = &tools[0];
    let python = venv_dir().join("bin").join("python3");
    let ctx = Ctx::new();
    let config = ctx.tmp.path().join("aws-config");
    std::fs::write(&config, CONFIG).unwrap();
    let endpoint = format!("{}?app=aws&x=1", ctx.idp_url());
    let role = "arn:aws:iam::123456789012:role/dev";
    let plugin_dir = ctx.plugin_dir.display().to_string();
    let login_args = [
        "-p",
        "fixture-saml",
        "-e",
        endpoint.as_str(),
        "-u",
        "Monty \"the\" O'Python & co",
        "-a",
        role,
        "--plugin-dir",
        plugin_dir.as_str(),
        "--plugin-option",
        "log=a b;c",
    ];
    let mut args = vec!["--profile", "daily", "--region", "eu-west-1"];
    args.extend(login_args);
    // --dry-run prints the section and writes nothing.
    let mut dry = args.clone();
    dry.push("--dry-run");
    let out = run(configure(&ctx, &config, &dry));
    out.ok();
    assert!(
        out.stdout
            .starts_with("[profile daily]\ncredential_process = "),
        "{}",
        out.stdout
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), CONFIG);

    run(configure(&ctx, &config, &args)).ok();
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.starts_with(CONFIG),
        "the rest is kept byte for byte:\n{text}"
    );
    assert!(
        text.contains("\n[profile daily]\ncredential_process = "),
        "{text}"
    );
    assert!(text.ends_with("region = eu-west-1\n"), "{text}");
    assert_eq!(
        std::fs::read_to_string(ctx.tmp.path().join("aws-config.bak")).unwrap(),
        CONFIG
    );

    let get = |key: &str| {
        let out = Command::new(aws)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", ctx.home())
            .env("AWS_CONFIG_FILE", &config)
            .args(["configure", "get", key, "--profile", "daily"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .trim_end()
            .to_string()
    };
    assert_eq!(get("region"), "eu-west-1");
    let line = get("credential_process");
    // botocore's splitter, in botocore's own Python.
    let split = Command::new(&python)
        .args([
            "-c",
            "import sys, json; from botocore.compat import compat_shell_split; print(json.dumps(compat_shell_split(sys.argv[1])))",
            &line,
        ])
        .output()
        .unwrap();
    assert!(
        split.status.success(),
        "{}",
        String::from_utf8_lossy(&split.stderr)
    );
    let words: Vec<String> = serde_json::from_slice(&split.stdout).unwrap();
    assert!(words[0].ends_with("awsprocesscreds-saml"), "{words:?}");
    assert_eq!(&words[1..], &login_args.map(String::from)[..], "{line}");

    // The real CLI logs in through the profile (moto as STS).
    let out = aws_get_caller_identity(aws, &ctx, &config, moto, "daily")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["Arn"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:sts::123456789012:assumed-role/dev/"),
        "{v}"
    );

    // Configuring again replaces the section, keeping its other keys.
    let mut again = vec!["--profile", "keep"];
    again.extend(&login_args[..4]);
    run(configure(&ctx, &config, &again)).ok();
    let text2 = std::fs::read_to_string(&config).unwrap();
    assert!(
        text2.contains("[profile keep]\ncredential_process = "),
        "{text2}"
    );
    assert!(
        text2.contains("region = us-west-2\noutput = json\n"),
        "{text2}"
    );
    assert_eq!(text2.matches("[profile keep]").count(), 1);
    assert!(text2.contains(&text[text.find("[profile daily]").unwrap()..]));
}

#[cfg(unix)]
#[test]
fn configure_creates_a_private_file_and_needs_a_provider_without_terminal() {
    let ctx = Ctx::new();
    let config = ctx.home().join(".aws").join("config");
    std::fs::create_dir_all(ctx.home()).unwrap();
    let mut c = configure(
        &ctx,
        &config,
        &[
            "--profile",
            "default",
            "-p",
            "okta",
            "-e",
            "https://example.okta.com/home/amazon_aws/0oa/272",
            "-u",
            "monty",
        ],
    );
    c.env_remove("AWS_CONFIG_FILE");
    run(c).ok();
    assert_eq!(mode(&config), 0o600);
    assert_eq!(mode(config.parent().unwrap()), 0o700);
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.starts_with("[default]\ncredential_process = "),
        "{text}"
    );
    assert!(
        text.contains(" -p okta -e https://example.okta.com/home/amazon_aws/0oa/272"),
        "{text}"
    );
    run(configure(&ctx, &config, &["--profile", "x"])).fails(1, "-p/--provider");
    // Without a terminal, a profile missing what its provider requires
    // would only fail at first use: refused, the file untouched.
    let before = std::fs::read(&config).unwrap();
    for (args, missing) in [
        (&["-p", "okta"][..], "needs -e/--endpoint and -u/--username"),
        (
            &[
                "-p",
                "okta",
                "-e",
                "https://example.okta.com/home/amazon_aws/0oa/272",
            ][..],
            "needs -u/--username and no terminal",
        ),
    ] {
        let mut a = vec!["--profile", "half"];
        a.extend_from_slice(args);
        let out = run(configure(&ctx, &config, &a));
        out.fails(1, &format!("provider 'okta' {missing}"));
        assert_eq!(out.stderr.lines().count(), 2, "{}", out.stderr);
    }
    assert_eq!(std::fs::read(&config).unwrap(), before);
    run(configure(&ctx, &config, &["-p", "okta"])).fails(2, "configure needs --profile NAME");
}

#[cfg(unix)]
#[test]
fn configure_in_a_terminal_asks_logs_in_once_and_offers_the_roles() {
    use common::pty::PtySession;
    use std::time::Duration;
    let ctx = Ctx::new();
    ctx.set_roles(vec![role("dev"), role("ops")]);
    let config = ctx.tmp.path().join("aws-config");
    let plugin_dir = ctx.plugin_dir.display().to_string();
    let mut s = PtySession::spawn(configure(
        &ctx,
        &config,
        &[
            "--profile",
            "picked",
            "--plugin-dir",
            &plugin_dir,
            "--no-account-names",
        ],
    ));
    s.expect("Provider", Duration::from_secs(20));
    s.send_line("fixture-saml");
    s.expect("IdP endpoint URL", Duration::from_secs(5));
    s.send_line(&ctx.idp_url());
    s.expect("Username", Duration::from_secs(5));
    s.send_line("monty");
    s.expect("Choose 1-2", Duration::from_secs(20));
    s.send_line("2");
    let (out, _) = s.finish(Duration::from_secs(20));
    out.ok();
    assert_eq!(ctx.idp_hits(), 1, "one login");
    assert_eq!(ctx.sts_calls(), 0, "configure needs no credentials");
    let text = std::fs::read_to_string(&config).unwrap();
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("credential_process = "))
        .unwrap();
    assert!(
        line.ends_with(&format!(
            "-p fixture-saml -e {} -u monty -a arn:aws:iam::123456789012:role/ops --no-account-names --plugin-dir {plugin_dir}",
            ctx.idp_url()
        )),
        "{line}"
    );
}
