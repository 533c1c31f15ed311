//! `--profile NAME` against real AWS config files, and
//! `awsprocesscreds exec` (environment, exit status, cache reuse) —
//! through the real binaries, the fixture SAML plugin and the fake STS.

use crate::common;

use common::*;

fn config_path(ctx: &Ctx) -> std::path::PathBuf {
    ctx.tmp.path().join("no-aws-config")
}

fn write_config(ctx: &Ctx, text: &str) {
    std::fs::write(config_path(ctx), text).unwrap();
}

/// A credential_process line for the fixture login, with `extra` appended
/// as written (already quoted).
fn process_line(ctx: &Ctx, bin: &str, extra: &str) -> String {
    format!(
        "{} -p fixture-saml -e '{}' --plugin-dir {} {extra}",
        bin_dir().join(bin).display(),
        ctx.idp_url(),
        ctx.plugin_dir.display()
    )
}

/// `[profile dev]`: `keys` (whole lines), then the fixture login's
/// credential_process with `extra`.
fn write_dev_profile(ctx: &Ctx, keys: &str, extra: &str) {
    write_config(
        ctx,
        &format!(
            "[profile dev]\n{keys}credential_process = {}\n",
            process_line(ctx, "awsprocesscreds-saml", extra)
        ),
    );
}

/// A context whose fixture IdP offers the roles `dev` and `ops`.
fn dev_and_ops() -> Ctx {
    let ctx = Ctx::new();
    ctx.set_roles(vec![role("dev"), role("ops")]);
    ctx
}

/// `awsprocesscreds-saml --profile dev`: the slim front end.
fn slim_with_profile_dev(ctx: &Ctx) -> std::process::Command {
    let mut slim = ctx.command("awsprocesscreds-saml");
    slim.args(["--profile", "dev"]);
    slim
}

fn awsprocesscreds(ctx: &Ctx, args: &[&str]) -> std::process::Command {
    let mut c = ctx.command("awsprocesscreds");
    c.args(args);
    c
}

#[test]
fn saml_profile_works_on_both_binaries_and_hits_the_cache() {
    let ctx = Ctx::new();
    write_dev_profile(&ctx, "region = eu-west-1\n", "");
    let first = run(awsprocesscreds(&ctx, &["saml", "--profile", "dev"]));
    first.ok();
    assert_credentials(&first.json());
    let slim = slim_with_profile_dev(&ctx);
    let second = run(slim);
    second.ok();
    assert_eq!(
        first.json(),
        second.json(),
        "the slim front end answers from the same cache entry"
    );
    // The profile's own credential_process shares the entry too.
    let third = run(ctx.saml(&[]));
    assert_eq!(third.json(), first.json());
    assert_eq!((ctx.idp_hits(), ctx.sts_calls()), (1, 1));
}

#[test]
fn profile_quoting_default_section_and_the_other_binary_name() {
    let ctx = Ctx::new();
    // `awsprocesscreds saml` form, a double-quoted username with a space
    // and escaped quotes, a URL with ?&= in single quotes, `[default]`.
    let line = format!(
        "{} saml -p fixture-saml -e '{}?a=1&b=2' -u \"Monty \\\"P\\\" Python\" --plugin-dir {}",
        bin_dir().join("awsprocesscreds").display(),
        ctx.idp_url(),
        ctx.plugin_dir.display()
    );
    write_config(
        &ctx,
        &format!("# mine\n[default]\ncredential_process={line}\n"),
    );
    let out = run(awsprocesscreds(
        &ctx,
        &["saml", "--profile", "default", "-vv"],
    ));
    out.ok();
    assert_credentials(&out.json());
    assert_eq!(ctx.sts_state.lock().unwrap().issued.len(), 1);
    // The username reached the plugin (the cache key) exactly.
    let list = run(awsprocesscreds(&ctx, &["cache", "list"]));
    assert!(
        list.stdout.contains("Monty \"P\" Python"),
        "{}",
        list.stdout
    );
}

#[test]
fn command_line_flags_win_over_the_profile() {
    let ctx = dev_and_ops();
    write_dev_profile(&ctx, "", "-a arn:aws:iam::123456789012:role/dev");
    let out = run(awsprocesscreds(
        &ctx,
        &[
            "saml",
            "--profile",
            "dev",
            "-a",
            "arn:aws:iam::123456789012:role/ops",
        ],
    ));
    out.ok();
    assert_eq!(
        ctx.sts_state.lock().unwrap().issued[0].role_arn,
        "arn:aws:iam::123456789012:role/ops"
    );
    let out = run(awsprocesscreds(&ctx, &["saml", "--profile", "dev"]));
    out.ok();
    assert_eq!(
        ctx.sts_state.lock().unwrap().issued[1].role_arn,
        "arn:aws:iam::123456789012:role/dev"
    );
}

#[test]
fn bad_profiles_are_one_line_errors_naming_profile_and_file() {
    let ctx = Ctx::new();
    let file = config_path(&ctx).display().to_string();
    let out = run(awsprocesscreds(&ctx, &["saml", "--profile", "nope"]));
    out.fails(2, "profile 'nope' not found");
    assert!(out.stderr.contains(&file), "{}", out.stderr);
    write_config(
        &ctx,
        "[profile other]\ncredential_process = aws-vault export --format=json other\n[profile plain]\nregion = us-east-1\n[profile broken]\ncredential_process = awsprocesscreds-saml -e 'open\n",
    );
    for (bin, args) in [
        (
            "awsprocesscreds",
            vec!["exec", "--profile", "nope", "--", "true"],
        ),
        ("awsprocesscreds-saml", vec!["--profile", "nope"]),
    ] {
        let mut c = ctx.command(bin);
        c.args(&args);
        let out = run(c);
        out.fails(2, &format!("profile 'nope' not found in {file}"));
        assert_eq!(out.stderr.lines().count(), 2, "{}", out.stderr);
    }
    run(awsprocesscreds(&ctx, &["roles", "--profile", "other"]))
        .fails(2, "profile 'other' in")
        .fails(2, "runs another program (aws-vault)");
    run(awsprocesscreds(
        &ctx,
        &["console", "--profile", "plain", "--print"],
    ))
    .fails(2, "profile 'plain' in")
    .fails(2, "has no credential_process");
    run(awsprocesscreds(&ctx, &["saml", "--profile", "broken"])).fails(2, "no closing quotation");
    assert_eq!(ctx.idp_hits(), 0);
}

#[test]
fn exec_sets_credentials_removes_others_and_returns_the_exit_status() {
    let ctx = Ctx::new();
    write_dev_profile(&ctx, "region = eu-west-1\n", "");
    let envfile = ctx.tmp.path().join("env.txt");
    let script = format!("env > '{}'; exit 7", envfile.display());
    let mut c = awsprocesscreds(
        &ctx,
        &["exec", "--profile", "dev", "--", "sh", "-c", &script],
    );
    c.env("AWS_PROFILE", "dev")
        .env("AWS_DEFAULT_PROFILE", "dev")
        .env("AWS_SECURITY_TOKEN", "old-token")
        .env("AWS_ACCESS_KEY_ID", "AKIAOLD")
        .env_remove("AWS_REGION");
    let out = run(c);
    assert_eq!(out.code, 7, "{}", out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    let env = std::fs::read_to_string(&envfile).unwrap();
    let var = |k: &str| {
        env.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .map(String::from)
    };
    let issued = ctx.sts_state.lock().unwrap().issued[0].clone();
    assert_eq!(
        var("AWS_ACCESS_KEY_ID").as_deref(),
        Some(issued.access_key_id.as_str())
    );
    assert_eq!(
        var("AWS_SECRET_ACCESS_KEY").as_deref(),
        Some(issued.secret_access_key.as_str())
    );
    assert_eq!(
        var("AWS_SESSION_TOKEN").as_deref(),
        Some(issued.session_token.as_str())
    );
    assert!(var("AWS_CREDENTIAL_EXPIRATION").is_some_and(|e| e.ends_with('Z')));
    assert_eq!(var("AWS_REGION").as_deref(), Some("eu-west-1"));
    assert_eq!(var("AWS_DEFAULT_REGION").as_deref(), Some("eu-west-1"));
    for gone in ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"] {
        assert!(var(gone).is_none(), "{gone} must be removed:\n{env}");
    }
    // Second run (same settings): a cache hit, no login.
    let mut c = awsprocesscreds(&ctx, &["exec", "--profile", "dev", "--", "true"]);
    c.env_remove("AWS_REGION");
    let out = run(c);
    out.ok();
    assert_eq!((ctx.idp_hits(), ctx.sts_calls()), (1, 1));
}

#[test]
fn exec_with_login_flags_and_usage_errors() {
    let ctx = Ctx::new();
    let mut args = vec!["exec".to_string()];
    args.extend(ctx.fixture_args(&[]));
    args.extend([
        "--".to_string(),
        "sh".into(),
        "-c".into(),
        "test -n \"$AWS_SESSION_TOKEN\" && echo \"$AWS_REGION\"".into(),
    ]);
    let out = run(awsprocesscreds(&ctx, &strs(&args)));
    out.ok();
    assert_eq!(out.stdout, "us-east-1\n", "the child's stdout is its own");
    // No command: a usage error before any login.
    let mut args = vec!["exec".to_string()];
    args.extend(ctx.fixture_args(&[]));
    run(awsprocesscreds(&ctx, &strs(&args))).fails(2, "exec needs a command");
    args.push("--".into());
    run(awsprocesscreds(&ctx, &strs(&args))).fails(2, "exec needs a command");
    // A command that does not exist: exit 1, one line.
    args.push("/nonexistent/cmd".into());
    run(awsprocesscreds(&ctx, &strs(&args))).fails(1, "cannot run /nonexistent/cmd");
    assert_eq!(ctx.idp_hits(), 1);
}

#[test]
fn roles_and_a_slim_binary_miss_use_the_profile() {
    let ctx = dev_and_ops();
    // --duration-seconds is not a `roles` flag: ignored there.
    write_dev_profile(
        &ctx,
        "",
        "-a arn:aws:iam::123456789012:role/ops --duration-seconds 3600 --no-account-names",
    );
    let out = run(awsprocesscreds(&ctx, &["roles", "--profile", "dev"]));
    out.ok();
    assert_eq!(out.stdout.lines().count(), 2, "{}", out.stdout);
    assert!(out
        .stdout
        .starts_with("arn:aws:iam::123456789012:role/dev\t"));
    // The slim front end misses, hands over to the full binary, which
    // reads the profile again.
    let slim = slim_with_profile_dev(&ctx);
    let out = run(slim);
    out.ok();
    assert_credentials(&out.json());
    let issued = ctx.sts_state.lock().unwrap().issued[0].clone();
    assert_eq!(issued.role_arn, "arn:aws:iam::123456789012:role/ops");
    assert_eq!(issued.duration, 3600);
}
