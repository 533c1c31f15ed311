//! Issue 2: plugin discovery and loading through the real loader, the
//! `plugins` listing, broken and misbehaving plugins, and the CLI contract.

mod common;

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
}

#[test]
fn broken_files_are_reported_and_skipped() {
    let ctx = Ctx::new();
    std::fs::write(
        ctx.plugin_dir.join("garbage.so"),
        b"\x7fELF definitely not a library",
    )
    .unwrap();
    ctx.add_plugin("fixture_notplugin");
    ctx.add_plugin("fixture_protocol");
    ctx.add_plugin("fixture_abi");
    let out = run(plugins_cmd(&ctx, &[&ctx.plugin_dir]));
    out.ok();
    let s = &out.stdout;
    assert!(s.contains("fixture-saml"), "{s}");
    assert!(
        s.contains("garbage.so: not a loadable shared library"),
        "{s}"
    );
    assert!(
        s.contains("libfixture_notplugin.so: a shared library, but not an awsprocesscreds plugin"),
        "{s}"
    );
    assert!(s.contains("libfixture_protocol.so: plugin 'fixture-future' speaks plugin protocol [99]; this host speaks 1..=1"), "{s}");
    assert!(
        s.contains("libfixture_abi.so: binary interface mismatch"),
        "{s}"
    );
    // The good plugin still works beside the broken ones.
    run(ctx.saml(&[])).ok();
}

#[test]
fn a_plugin_of_another_protocol_is_a_clear_error_when_used() {
    let ctx = Ctx::new();
    ctx.add_plugin("fixture_protocol");
    let mut cmd = ctx.command("awsprocesscreds-saml");
    cmd.args(["-p", "fixture-future", "--plugin-dir"])
        .arg(&ctx.plugin_dir);
    let out = run(cmd);
    out.fails(1, "could not be loaded");
    assert!(out.stderr.contains("protocol [99]"), "{}", out.stderr);
}

#[test]
fn first_name_wins_and_duplicates_are_shown_shadowed() {
    let ctx = Ctx::new();
    let second = ctx.tmp.path().join("second");
    std::fs::create_dir(&second).unwrap();
    set_mode(&second, 0o700);
    std::fs::copy(
        plugin_lib("fixture_saml"),
        second.join("libfixture_saml_copy.so"),
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
