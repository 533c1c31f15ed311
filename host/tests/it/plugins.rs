//! Plugin discovery and loading through the real loader, the
//! `plugins` listing, broken and misbehaving plugins, and the CLI contract.

use crate::common;

use common::*;

fn plugins_cmd(ctx: &Ctx, dirs: &[&std::path::Path]) -> std::process::Command {
    let mut cmd = ctx.command("awsprocesscreds");
    cmd.arg("plugins");
    for d in dirs {
        cmd.arg("--plugin-dir").arg(d);
    }
    cmd
}

#[test]
fn plugins_lists_first_party_plugins_found_next_to_the_binary() {
    let ctx = Ctx::new();
    let out = run(plugins_cmd(&ctx, &[]));
    out.ok();
    for name in ["static", "okta", "adfs", "ecp", "forms"] {
        assert!(
            out.stdout
                .lines()
                .any(|l| l.starts_with(&format!("{name} "))),
            "{name} missing:\n{}",
            out.stdout
        );
    }
    assert!(out.stdout.contains("credentials"), "{}", out.stdout);
    // Plugins built from today's plugin-api speak protocol 2.
    let static_line = out
        .stdout
        .lines()
        .find(|l| l.starts_with("static "))
        .unwrap();
    assert_eq!(
        static_line.split_whitespace().nth(2),
        Some("2"),
        "{static_line}"
    );
}

#[test]
fn broken_files_are_reported_and_skipped() {
    let ctx = Ctx::new();
    std::fs::write(
        ctx.plugin_dir
            .join(lib_file("awsprocesscreds_plugin_garbage")),
        b"\x7fELF definitely not a library",
    )
    .unwrap();
    // Not named like a plugin: never looked at.
    std::fs::write(ctx.plugin_dir.join(lib_file("other")), b"junk").unwrap();
    ctx.add_plugin("fixture_notplugin");
    ctx.add_plugin("fixture_future");
    ctx.add_plugin("fixture_abi");
    let out = run(plugins_cmd(&ctx, &[&ctx.plugin_dir]));
    out.ok();
    let s = &out.stdout;
    assert!(s.contains("fixture-saml"), "{s}");
    assert!(
        s.contains(&format!(
            "{}: not a loadable shared library",
            lib_file("awsprocesscreds_plugin_garbage")
        )),
        "{s}"
    );
    assert!(
        s.contains(&format!(
            "{}: a shared library, but not an awsprocesscreds plugin",
            lib_file("awsprocesscreds_plugin_fixture_notplugin")
        )),
        "{s}"
    );
    assert!(
        s.contains(&format!(
            "{}: plugin 'fixture-future' speaks plugin protocol [99]; this host speaks 1..=2",
            lib_file("awsprocesscreds_plugin_fixture_future")
        )),
        "{s}"
    );
    assert!(
        s.contains(&format!(
            "{}: binary interface mismatch",
            lib_file("awsprocesscreds_plugin_fixture_abi")
        )),
        "{s}"
    );
    assert!(!s.contains(&lib_file("other")), "{s}");
    // The good plugin still works beside the broken ones.
    run(ctx.saml(&[])).ok();
}

#[test]
fn a_plugin_of_another_protocol_is_a_clear_error_when_used() {
    let ctx = Ctx::new();
    ctx.add_plugin("fixture_future");
    let mut cmd = ctx.command("awsprocesscreds-saml");
    cmd.args(["-p", "fixture-future", "--plugin-dir"])
        .arg(&ctx.plugin_dir);
    let out = run(cmd);
    out.fails(1, "could not be loaded");
    assert!(out.stderr.contains("protocol [99]"), "{}", out.stderr);
}

#[cfg(unix)]
#[test]
fn first_name_wins_and_duplicates_are_shown_shadowed() {
    let ctx = Ctx::new();
    let second = ctx.tmp.path().join("second");
    std::fs::create_dir(&second).unwrap();
    set_mode(&second, 0o700);
    std::fs::copy(
        plugin_lib("fixture_saml"),
        second.join(lib_file("awsprocesscreds_plugin_fixture_saml")),
    )
    .unwrap();
    let out = run(plugins_cmd(&ctx, &[&ctx.plugin_dir, &second]));
    out.ok();
    let lines: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("fixture-saml"))
        .collect();
    assert_eq!(lines.len(), 2, "{}", out.stdout);
    assert!(!lines[0].contains("shadowed"));
    assert!(lines[1].contains("shadowed by"), "{}", out.stdout);
}

#[cfg(unix)]
#[test]
fn directories_others_can_write_to_are_refused() {
    let ctx = Ctx::new();
    set_mode(&ctx.plugin_dir, 0o777);
    let out = run(ctx.saml(&[]));
    out.fails(2, "unknown provider 'fixture-saml'");
    let list = run(plugins_cmd(&ctx, &[&ctx.plugin_dir]));
    assert!(
        list.stdout.contains("writable by every user"),
        "{}",
        list.stdout
    );
    let mut cmd = ctx.saml(&[]);
    cmd.env("AWSPROCESSCREDS_ALLOW_INSECURE_PLUGIN_DIRS", "1");
    run(cmd).ok();
}

#[test]
fn plugin_path_environment_is_searched() {
    let ctx = Ctx::new();
    let mut cmd = ctx.command("awsprocesscreds-saml");
    cmd.args(["-p", "fixture-saml", "-e", &ctx.idp_url()])
        .env("AWSPROCESSCREDS_PLUGIN_PATH", &ctx.plugin_dir);
    run(cmd).ok();
}

#[test]
fn a_panicking_plugin_is_an_error_not_a_crash() {
    let ctx = Ctx::new();
    ctx.add_plugin("fixture_misbehave");
    let mut cmd = ctx.command("awsprocesscreds-saml");
    cmd.args(["-p", "fixture-misbehave", "-e", "panic", "--plugin-dir"])
        .arg(&ctx.plugin_dir);
    let out = run(cmd);
    out.fails(
        1,
        "the plugin panicked in login: deliberate fixture panic (at ",
    );
    assert!(out.stderr.contains("hint: this is a bug in the plugin"));
    assert_eq!(
        out.stderr.lines().count(),
        2,
        "one error line and a hint: {}",
        out.stderr
    );
}

/// `browser-required` from a plugin whose `-e` is no URL to open: the
/// plugin's error and hint, then why the login did not continue in a
/// browser; one error line and one hint line.
#[test]
fn a_plugin_that_needs_a_browser_says_why_none_was_used() {
    let ctx = Ctx::new();
    ctx.add_plugin("fixture_misbehave");
    let mut cmd = ctx.command("awsprocesscreds-saml");
    cmd.args(["-p", "fixture-misbehave", "-e", "browser", "--plugin-dir"])
        .arg(&ctx.plugin_dir);
    let out = run(cmd);
    out.fails(
        1,
        "the IdP asks for a security key, which needs a web browser",
    );
    assert!(
        out.stderr.contains(
            "hint: choose another factor with --mfa-factor, or sign in once in a browser; it cannot continue in a browser: cannot open <invalid URL> in a browser"
        ),
        "{}",
        out.stderr
    );
    assert_eq!(out.stderr.lines().count(), 2, "{}", out.stderr);
}

#[test]
fn invalid_credentials_from_a_plugin_are_rejected() {
    let ctx = Ctx::new();
    ctx.add_plugin("fixture_misbehave");
    for (mode, needle) in [
        ("bad-creds", "AccessKeyId is empty"),
        ("expired", "they expired at 2001-01-01T00:00:00Z"),
        ("bad-expiry", "is not an RFC 3339 time"),
    ] {
        let mut cmd = ctx.command("awsprocesscreds-saml");
        cmd.args(["-p", "fixture-misbehave", "-e", mode, "--plugin-dir"])
            .arg(&ctx.plugin_dir);
        run(cmd).fails(1, needle);
    }
}

#[test]
fn static_provider_prints_the_file_credentials() {
    let ctx = Ctx::new();
    let file = ctx.tmp.path().join("creds.json");
    std::fs::write(
        &file,
        r#"{"Version":1,"AccessKeyId":"AKIDSTATIC","SecretAccessKey":"s3cret","SessionToken":"tok","Expiration":"2099-01-01T00:00:00+00:00"}"#,
    )
    .unwrap();
    let mut cmd = ctx.command("awsprocesscreds-saml");
    cmd.args(["-p", "static", "-e"]).arg(&file).arg("-v");
    let out = run(cmd);
    out.ok();
    let v = out.json();
    assert_eq!(v["AccessKeyId"], "AKIDSTATIC");
    assert_eq!(v["Expiration"], "2099-01-01T00:00:00Z");
    assert!(!out.stderr.contains("s3cret"));
    let mut cmd = ctx.command("awsprocesscreds-saml");
    cmd.args(["-p", "static", "-e"])
        .arg(ctx.tmp.path().join("missing.json"));
    run(cmd).fails(1, "cannot read credentials file");
}

#[test]
fn usage_errors_exit_2_with_one_line() {
    let ctx = Ctx::new();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--bogus"], "unexpected argument '--bogus'"),
        (vec!["-e", "https://x"], "no provider given"),
        (
            vec!["-p", "fixture-saml", "--plugin-dir", "/nonexistent-dir"],
            "unknown provider",
        ),
        (
            vec!["-p", "x", "-a", "not-an-arn"],
            "is not an IAM role ARN",
        ),
        (
            vec!["-p", "x", "--timeout", "0"],
            "--timeout must be between",
        ),
        (
            vec!["-p", "x", "--region", "US EAST"],
            "is not an AWS region name",
        ),
        (
            vec!["-p", "x", "--plugin-option", "novalue"],
            "is not KEY=VALUE",
        ),
        (vec!["-p", "x", "--output", "yaml"], "invalid value 'yaml'"),
    ];
    for (args, needle) in cases {
        let mut cmd = ctx.command("awsprocesscreds-saml");
        cmd.args(&args);
        let out = run(cmd);
        out.fails(2, needle);
        assert!(
            out.stderr.starts_with("awsprocesscreds-saml: error: "),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn plugin_inputs_and_options_are_checked_against_the_manifest() {
    let ctx = Ctx::new();
    let mut cmd = ctx.command("awsprocesscreds-saml");
    cmd.args(["-p", "fixture-saml", "--plugin-dir"])
        .arg(&ctx.plugin_dir);
    run(cmd).fails(2, "provider 'fixture-saml' needs -e/--endpoint");
    run(ctx.saml(&["--plugin-option", "nope=1"])).fails(
        2,
        "provider 'fixture-saml' has no option 'nope' (it accepts: password, mfa, notice, log)",
    );
}

#[test]
fn every_flag_has_an_environment_variable() {
    let ctx = Ctx::new();
    let mut cmd = ctx.command("awsprocesscreds-saml");
    cmd.env("AWSPROCESSCREDS_PROVIDER", "fixture-saml")
        .env("AWSPROCESSCREDS_ENDPOINT", ctx.idp_url())
        .env("AWSPROCESSCREDS_PLUGIN_PATH", &ctx.plugin_dir)
        .env("AWSPROCESSCREDS_OUTPUT", "env");
    let out = run(cmd);
    out.ok();
    assert!(out.stdout.starts_with("export AWS_ACCESS_KEY_ID="));
    let help = run(ctx
        .command("awsprocesscreds-saml")
        .arg("--help")
        .to_owned_cmd());
    for v in [
        "AWSPROCESSCREDS_ENDPOINT",
        "AWSPROCESSCREDS_PASSWORD_COMMAND",
        "AWSPROCESSCREDS_MFA_FACTOR",
        "AWSPROCESSCREDS_CA_BUNDLE",
        "AWSPROCESSCREDS_TIMEOUT",
        "AWSPROCESSCREDS_PLUGIN_PATH",
    ] {
        assert!(help.stdout.contains(v), "--help lacks {v}");
    }
}

// ---- Protocol 2, process plugins, discovery by file name, permissions ----

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// `examples/static` and `plugin-api` exactly as of commit 93f32ca
/// (protocol 1, plugin-api 0.1.0), built as their own cargo project.
fn protocol1_static() -> PathBuf {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests")
            .join("fixture-plugins")
            .join("protocol1-frozen");
        let target = bin_dir().parent().unwrap().join("protocol1-frozen");
        let status = std::process::Command::new(env!("CARGO"))
            .args(["build", "--offline", "--quiet"])
            .current_dir(&root)
            .env("CARGO_TARGET_DIR", &target)
            .env_remove("RUSTFLAGS")
            .status()
            .expect("run cargo for the frozen protocol-1 plugin");
        assert!(
            status.success(),
            "building the frozen protocol-1 plugin failed"
        );
        let lib = target
            .join("debug")
            .join(lib_file("awsprocesscreds_plugin_static"));
        assert!(lib.exists(), "{} missing", lib.display());
        lib
    })
    .clone()
}

fn creds_file(ctx: &Ctx, name: &str, body: &str) -> PathBuf {
    let p = ctx.tmp.path().join(name);
    std::fs::write(&p, body).unwrap();
    p
}

const CREDS: &str = r#"{"Version":1,"AccessKeyId":"AKIDFILE","SecretAccessKey":"file-secret","SessionToken":"file-token","Expiration":"2099-01-01T00:00:00Z"}"#;

fn login(ctx: &Ctx, provider: &str, endpoint: &Path, extra: &[&str]) -> Out {
    let mut cmd = ctx.command("awsprocesscreds-saml");
    cmd.args(["-p", provider, "-e"])
        .arg(endpoint)
        .arg("--plugin-dir")
        .arg(&ctx.plugin_dir)
        .args(extra);
    run(cmd)
}

#[cfg(unix)]
/// Put an executable (a process plugin or a script) into the plugin dir.
fn add_executable(ctx: &Ctx, file_name: &str, text: &str) -> PathBuf {
    let p = ctx.plugin_dir.join(file_name);
    std::fs::write(&p, text).unwrap();
    set_mode(&p, 0o755);
    p
}

#[cfg(unix)]
fn add_repo_script(ctx: &Ctx, rel: &str) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel);
    let text = std::fs::read_to_string(&src).unwrap();
    add_executable(ctx, src.file_name().unwrap().to_str().unwrap(), &text)
}

#[test]
fn a_protocol_1_plugin_built_from_the_old_plugin_api_loads_and_logs_in() {
    let ctx = Ctx::new();
    std::fs::copy(
        protocol1_static(),
        ctx.plugin_dir
            .join(lib_file("awsprocesscreds_plugin_static")),
    )
    .unwrap();
    let list = run(plugins_cmd(&ctx, &[&ctx.plugin_dir]));
    list.ok();
    let line = list
        .stdout
        .lines()
        .find(|l| l.starts_with("static ") && l.contains(&ctx.plugin_dir.display().to_string()))
        .unwrap_or_else(|| panic!("{}", list.stdout));
    assert_eq!(line.split_whitespace().nth(2), Some("1"), "{line}");
    let file = creds_file(&ctx, "creds.json", CREDS);
    let out = login(&ctx, "static", &file, &["--no-cache", "-vv"]);
    out.ok();
    assert_eq!(out.json()["AccessKeyId"], "AKIDFILE");
    assert!(out.stderr.contains("protocol 1)"), "{}", out.stderr);
    assert!(!out.stderr.contains("file-secret"), "{}", out.stderr);
    // A bad file: the old plugin's own error, one line + hint, exit 1.
    let bad = creds_file(&ctx, "bad.json", "{not json");
    login(&ctx, "static", &bad, &[]).fails(1, "is not valid JSON");
}

#[cfg(unix)]
#[test]
fn python_pystatic_plugin_prints_the_file_credentials_and_is_not_run_on_a_hit() {
    let ctx = Ctx::new();
    add_repo_script(
        &ctx,
        "examples/python-plugin/awsprocesscreds-plugin-pystatic",
    );
    let list = run(plugins_cmd(&ctx, &[&ctx.plugin_dir]));
    assert!(
        list.stdout
            .lines()
            .any(|l| l.starts_with("pystatic ") && l.contains(" 2 ")),
        "{}",
        list.stdout
    );
    let file = creds_file(&ctx, "creds.json", CREDS);
    let out = login(&ctx, "pystatic", &file, &[]);
    out.ok();
    let v = out.json();
    assert_eq!(v["AccessKeyId"], "AKIDFILE");
    assert_eq!(v["SessionToken"], "file-token");
    // Cache hit: the plugin is not started (its file is gone and it would fail).
    std::fs::remove_file(&file).unwrap();
    login(&ctx, "pystatic", &file, &[]).ok();
    let out = login(&ctx, "pystatic", &file, &["--no-cache"]);
    out.fails(1, "cannot read credentials file");
    assert!(
        out.stderr.contains("hint: -e must name a JSON file"),
        "{}",
        out.stderr
    );
    let bad = creds_file(&ctx, "bad.json", "[1, 2");
    let out = login(&ctx, "pystatic", &bad, &["--no-cache"]);
    out.fails(1, "is not valid JSON");
    assert_eq!(out.stderr.lines().count(), 2, "{}", out.stderr);
    let nokey = creds_file(&ctx, "nokey.json", r#"{"AccessKeyId":"A"}"#);
    login(&ctx, "pystatic", &nokey, &["--no-cache"]).fails(1, "has no \"SecretAccessKey\"");
}

fn summary(out: &Out) -> serde_json::Value {
    out.ok();
    let token = out.json()["SessionToken"].as_str().unwrap().to_string();
    serde_json::from_str(&token).unwrap()
}

#[cfg(unix)]
#[test]
fn a_process_plugin_gets_every_host_service_with_newer_and_older_message_shapes() {
    let ctx = Ctx::new();
    add_repo_script(
        &ctx,
        "host/tests/fixture-plugins/process/awsprocesscreds-plugin-fixture-proc",
    );
    let idp = ctx.idp_url();
    let run_it = |shape: &str| {
        let mut cmd = ctx.command("awsprocesscreds-saml");
        cmd.args(["-p", "fixture-proc", "-e", &idp, "-vv"])
            .args(["--plugin-option", &format!("shape={shape}")])
            .args(["--password-command", "echo pw-from-command"])
            .args(["--mfa-code-command", "echo 123456"])
            .arg("--plugin-dir")
            .arg(&ctx.plugin_dir);
        run(cmd)
    };
    let out = run_it("new");
    let s = summary(&out);
    assert_eq!(s["caps"], true, "{s}");
    assert_eq!(s["unknown_service"], "not-supported", "{s}");
    assert_eq!(s["newer_version"], "not-supported", "{s}");
    assert!(s["http"].as_u64().is_some_and(|c| c >= 200), "{s}");
    assert_eq!(s["password"], "pw-from-command", "{s}");
    assert_eq!(s["mfa"], "123456", "{s}");
    assert_eq!(s["prompt"], "no-terminal", "{s}");
    assert_eq!(s["secret_prompt"], "no-terminal", "{s}");
    assert_eq!(s["choose"], "no-terminal", "{s}");
    assert_eq!(s["slept"], true, "{s}");
    assert_eq!(s["session_before"], serde_json::Value::Null, "{s}");
    assert_eq!(s["session_after"], "stored-by-fixture", "{s}");
    assert_eq!(s["deleted"], true, "{s}");
    assert_eq!(s["cookies"], true, "{s}");
    let err = &out.stderr;
    assert!(err.contains("fixture-proc says hello"), "{err}");
    assert!(err.contains("fixture-proc log with unknown level"), "{err}");
    assert!(
        err.contains("plugin stderr: fixture-proc stderr line"),
        "{err}"
    );
    assert!(err.contains("fixture-proc notice"), "{err}");
    assert!(
        !err.contains("s3cr3t-fixture-value"),
        "secret leaked:\n{err}"
    );
    // The IdP session stored by the first login is there for the next one
    // (another option value: another cache key, so a login again).
    let s = summary(&run_it("old"));
    assert_eq!(s["session_before"], "stored-by-fixture", "{s}");
    assert_eq!(s["mfa"], "123456", "{s}");
    assert_eq!(s["caps"], serde_json::Value::Null, "{s}");
}

#[cfg(unix)]
const HELLO: &str = r#"{"type":"hello","protocols":[2],"manifest":{"name":"bad","version":"0","protocols":[2],"kind":"credentials"}}"#;

#[cfg(unix)]
#[test]
fn misbehaving_process_plugins_are_one_line_errors() {
    let ctx = Ctx::new();
    let file = creds_file(&ctx, "x.json", CREDS);
    let cases: &[(&str, String, &str)] = &[
        ("exits", "#!/bin/sh\necho dying >&2\nexit 7\n".into(), "exited without saying hello (exit status 7; its last stderr line: dying)"),
        ("silent", "#!/bin/sh\nexec sleep 30\n".into(), "said nothing within 1 s"),
        ("garbage", "#!/bin/sh\necho 'Hello, world!'\nexec sleep 30\n".into(), "not a protocol message"),
        ("notexec", String::new(), "must be executable"),
        (
            "longline",
            "#!/bin/sh\nhead -c 20000000 /dev/zero | tr '\\0' a\n".into(),
            "longer than the protocol allows",
        ),
        (
            "hangs",
            format!("#!/bin/sh\necho '{HELLO}'\nread line\nexec sleep 30\n"),
            "sent nothing for 2 s; stopped it",
        ),
        (
            "dies",
            format!("#!/bin/sh\necho '{HELLO}'\nread line\necho boom >&2\nexit 4\n"),
            "exited without a result (exit status 4; its last stderr line: boom)",
        ),
        (
            "chatty",
            format!("#!/bin/sh\necho '{HELLO}'\nread line\nwhile :; do echo '{{\"type\":\"progress\"}}'; done\n"),
            "more than 1000 messages this host does not know",
        ),
        (
            "junk-result",
            format!("#!/bin/sh\necho '{HELLO}'\nread line\necho '{{\"type\":\"result\",\"outcome\":7}}'\n"),
            "its result is not a login outcome",
        ),
    ];
    for (name, script, needle) in cases {
        let text = if script.is_empty() {
            "#!/bin/sh\n"
        } else {
            script
        };
        let path = add_executable(&ctx, &format!("awsprocesscreds-plugin-{name}"), text);
        if *name == "notexec" {
            set_mode(&path, 0o644);
        }
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("\"bad\"", &format!("\"{name}\""));
        std::fs::write(&path, text).unwrap();
        let out = login(&ctx, name, &file, &["--timeout", "1", "--mfa-timeout", "1"]);
        out.fails(1, needle);
        assert_eq!(
            out.stderr.lines().count(),
            2,
            "{name}: one error line + hint:\n{}",
            out.stderr
        );
    }
}

#[cfg(unix)]
#[test]
fn a_login_loads_only_the_plugin_asked_for_and_names_come_from_file_names() {
    let ctx = Ctx::new();
    let marker = ctx.tmp.path().join("tattle-ran");
    add_executable(
        &ctx,
        "awsprocesscreds-plugin-tattle",
        &format!(
            "#!/bin/sh\ntouch '{}'\necho '{}'\n",
            marker.display(),
            HELLO.replace("\"bad\"", "\"tattle\"")
        ),
    );
    std::fs::write(
        ctx.plugin_dir
            .join(lib_file("awsprocesscreds_plugin_broken")),
        b"not a library",
    )
    .unwrap();
    // The manifest says fixture-saml, the file name says other.
    std::fs::copy(
        plugin_lib("fixture_saml"),
        ctx.plugin_dir
            .join(lib_file("awsprocesscreds_plugin_other")),
    )
    .unwrap();
    let mut cmd = ctx.saml(&["-vvv"]);
    cmd.arg("--no-cache");
    let out = run(cmd);
    out.ok();
    assert!(!marker.exists(), "a login started another plugin");
    assert!(!out.stderr.contains("broken"), "{}", out.stderr);
    assert!(!out.stderr.contains("plugin_other"), "{}", out.stderr);
    let list = run(plugins_cmd(&ctx, &[&ctx.plugin_dir]));
    list.ok();
    assert!(marker.exists(), "`plugins` loads every candidate");
    let s = &list.stdout;
    assert!(s.lines().any(|l| l.starts_with("tattle ")), "{s}");
    assert!(
        s.contains(&format!(
            "{}: not a loadable shared library",
            lib_file("awsprocesscreds_plugin_broken")
        )),
        "{s}"
    );
    assert!(
        s.contains(&format!(
            "{}: its file name says plugin 'other' but its manifest says 'fixture-saml'",
            lib_file("awsprocesscreds_plugin_other")
        )),
        "{s}"
    );
    let file = creds_file(&ctx, "x.json", CREDS);
    login(&ctx, "other", &file, &[]).fails(1, "its manifest says 'fixture-saml'");
}

#[cfg(unix)]
#[test]
fn plugins_in_paths_others_can_change_are_refused() {
    let ctx = Ctx::new();
    let file = creds_file(&ctx, "x.json", CREDS);
    // A group-writable directory above the plugin directory.
    let outer = ctx.tmp.path().join("outer");
    let inner = outer.join("plugins");
    std::fs::create_dir_all(&inner).unwrap();
    set_mode(&inner, 0o700);
    set_mode(&outer, 0o775);
    let lib = inner.join(lib_file("awsprocesscreds_plugin_fixture_saml"));
    std::fs::copy(plugin_lib("fixture_saml"), &lib).unwrap();
    let idp = ctx.idp_url();
    let saml_in = |dir: &Path| {
        let mut cmd = ctx.command("awsprocesscreds-saml");
        cmd.args([
            "-p",
            "fixture-saml",
            "-e",
            &idp,
            "--no-cache",
            "--plugin-dir",
        ])
        .arg(dir);
        cmd
    };
    std::fs::remove_file(
        ctx.plugin_dir
            .join(lib_file("awsprocesscreds_plugin_fixture_saml")),
    )
    .unwrap();
    let out = run(saml_in(&inner));
    out.fails(2, "unknown provider 'fixture-saml'");
    assert!(
        out.stderr.contains(&format!(
            "its directory {} is writable by group",
            outer.display()
        )),
        "{}",
        out.stderr
    );
    let mut cmd = saml_in(&inner);
    cmd.env("AWSPROCESSCREDS_ALLOW_INSECURE_PLUGIN_DIRS", "yes");
    run(cmd).ok();
    set_mode(&outer, 0o755);
    run(saml_in(&inner)).ok();
    // A world-writable plugin file.
    set_mode(&lib, 0o666);
    run(saml_in(&inner)).fails(1, "the file is writable by every user");
    set_mode(&lib, 0o755);
    // A symlink whose target sits in a directory anyone can write to.
    let public = ctx.tmp.path().join("public");
    std::fs::create_dir(&public).unwrap();
    set_mode(&public, 0o777);
    std::fs::copy(&lib, public.join("real.so")).unwrap();
    let link = ctx
        .plugin_dir
        .join(lib_file("awsprocesscreds_plugin_fixture_saml"));
    std::os::unix::fs::symlink(public.join("real.so"), &link).unwrap();
    run(saml_in(&ctx.plugin_dir)).fails(1, "it links to");
    // The same rules for process plugins.
    std::fs::remove_file(&link).unwrap();
    let script = add_repo_script(
        &ctx,
        "examples/python-plugin/awsprocesscreds-plugin-pystatic",
    );
    set_mode(&script, 0o775);
    login(&ctx, "pystatic", &file, &[]).fails(1, "the file is writable by group");
}

#[cfg(unix)]
#[test]
fn a_rename_race_never_runs_an_unchecked_library() {
    let ctx = Ctx::new();
    let file = creds_file(&ctx, "x.json", CREDS);
    let good = ctx.plugin_dir.join("good.bin");
    let evil = ctx.plugin_dir.join("evil.bin");
    std::fs::copy(plugin_lib("awsprocesscreds_plugin_static"), &good).unwrap();
    std::fs::copy(plugin_lib("fixture_misbehave"), &evil).unwrap();
    set_mode(&good, 0o755);
    // Refused by the checks: writable by everyone.
    set_mode(&evil, 0o666);
    let target = ctx
        .plugin_dir
        .join(lib_file("awsprocesscreds_plugin_static"));
    std::fs::hard_link(&good, &target).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let racer = {
        let (stop, dir, good, evil, target) = (
            stop.clone(),
            ctx.plugin_dir.clone(),
            good.clone(),
            evil.clone(),
            target.clone(),
        );
        std::thread::spawn(move || {
            let tmp = dir.join("swap.tmp");
            let mut flips = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                for src in [&evil, &good] {
                    let _ = std::fs::remove_file(&tmp);
                    std::fs::hard_link(src, &tmp).unwrap();
                    std::fs::rename(&tmp, &target).unwrap();
                    flips += 1;
                }
            }
            flips
        })
    };
    let (mut ok, mut refused) = (0, 0);
    for _ in 0..40 {
        let out = login(&ctx, "static", &file, &["--no-cache"]);
        // The evil library says it is fixture-misbehave: had it ever been
        // loaded, the name check or its own output would show it.
        assert!(
            !out.stderr.contains("fixture-misbehave") && !out.stdout.contains("ASIA"),
            "an unchecked library ran:\n{}",
            out.stderr
        );
        if out.code == 0 {
            assert_eq!(out.json()["AccessKeyId"], "AKIDFILE");
            ok += 1;
        } else {
            assert!(
                out.stderr.contains("refused") || out.stderr.contains("unknown provider"),
                "{}",
                out.stderr
            );
            refused += 1;
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let flips = racer.join().unwrap();
    assert!(flips > 0 && ok + refused == 40);
}

#[test]
fn a_library_plugin_using_newer_message_shapes_gets_clear_answers() {
    let ctx = Ctx::new();
    ctx.add_plugin("fixture_newer");
    let file = creds_file(&ctx, "x.json", CREDS);
    let out = login(&ctx, "fixture-newer", &file, &["-vv", "--no-cache"]);
    let s = summary(&out);
    assert_eq!(s["protocols"], serde_json::json!([1, 2]), "{s}");
    assert_eq!(s["has_http"], true, "{s}");
    assert_eq!(s["log"], "ok", "{s}");
    assert_eq!(s["put"], "ok", "{s}");
    assert_eq!(s["unknown_service"], "not-supported", "{s}");
    assert_eq!(s["newer_version"], "not-supported", "{s}");
    assert!(
        out.stderr.contains("fixture-newer log line"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("protocol 2)"), "{}", out.stderr);
}

#[cfg(unix)]
/// The real Python SDK (botocore, from the conformance venv) resolving a
/// `credential_process` profile that runs the Python process plugin.
#[test]
fn botocore_gets_credentials_from_the_python_process_plugin() {
    let venv = std::env::var_os("AWSPROCESSCREDS_TEST_VENV")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| bin_dir().parent().unwrap().join("conformance-venv"));
    let python = venv.join("bin").join("python");
    if !python.is_file() {
        let msg = format!(
            "{} not found: run .ci/conformance-deps.sh or set AWSPROCESSCREDS_TEST_VENV",
            python.display()
        );
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true" || v == "1"),
            "{msg}"
        );
        eprintln!("SKIPPED: {msg}");
        return;
    }
    let ctx = Ctx::new();
    add_repo_script(
        &ctx,
        "examples/python-plugin/awsprocesscreds-plugin-pystatic",
    );
    let file = creds_file(&ctx, "creds.json", CREDS);
    let config = ctx.tmp.path().join("aws-config");
    std::fs::write(
        &config,
        format!(
            "[profile pys]\ncredential_process = {} -p pystatic -e {} --plugin-dir {}\n",
            bin_dir().join("awsprocesscreds-saml").display(),
            file.display(),
            ctx.plugin_dir.display()
        ),
    )
    .unwrap();
    let mut cmd = ctx.command("awsprocesscreds");
    cmd.env("AWS_CONFIG_FILE", &config)
        .env("AWS_SHARED_CREDENTIALS_FILE", ctx.tmp.path().join("none"));
    let mut py = std::process::Command::new(&python);
    // Same environment as our own commands (HOME, cache dir), then botocore.
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => py.env(k, v),
            None => py.env_remove(k),
        };
    }
    py.arg("-c").arg(
        "import botocore.session\n\
         c = botocore.session.Session(profile='pys').get_credentials().get_frozen_credentials()\n\
         print(c.access_key, c.secret_key, c.token)",
    );
    let out = run(py);
    out.ok();
    assert_eq!(
        out.stdout.trim(),
        "AKIDFILE file-secret file-token",
        "{}",
        out.stderr
    );
}
