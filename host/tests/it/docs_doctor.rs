//! `awsprocesscreds completions`, `man` and `doctor` through the
//! real binary.

use crate::common;

use common::*;

#[test]
fn bash_completions_cover_every_subcommand_and_both_binaries() {
    let ctx = Ctx::new();
    let mut cmd = ctx.command("awsprocesscreds");
    cmd.args(["completions", "bash"]);
    let out = run(cmd);
    out.ok();
    for word in [
        "saml",
        "roles",
        "plugins",
        "cache",
        "doctor",
        "completions",
        "man",
        "--role-arn",
        "--plugin-dir",
    ] {
        assert!(
            out.stdout.contains(word),
            "bash completions should mention {word}"
        );
    }
    assert!(
        out.stdout.contains("complete -F"),
        "a bash completion script registers itself"
    );
    assert!(
        out.stdout.contains("awsprocesscreds-saml"),
        "one script also completes awsprocesscreds-saml"
    );
}

#[test]
fn completions_for_other_shells_and_unknown_shell() {
    let ctx = Ctx::new();
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let mut cmd = ctx.command("awsprocesscreds");
        cmd.args(["completions", shell]);
        let out = run(cmd);
        out.ok();
        assert!(
            out.stdout.contains("doctor"),
            "{shell} completions should list doctor"
        );
    }
    let mut cmd = ctx.command("awsprocesscreds");
    cmd.args(["completions", "tcsh"]);
    run(cmd).fails(2, "unknown shell \"tcsh\"");
}

#[test]
fn man_page_is_roff_with_every_subcommand() {
    let ctx = Ctx::new();
    let mut cmd = ctx.command("awsprocesscreds");
    cmd.arg("man");
    let out = run(cmd);
    out.ok();
    assert!(
        out.stdout.contains(".TH awsprocesscreds 1"),
        "man page header"
    );
    for section in [
        "SYNOPSIS",
        "AWSPROCESSCREDS SAML",
        "AWSPROCESSCREDS DOCTOR",
        "ENVIRONMENT",
    ] {
        assert!(
            out.stdout.contains(section),
            "man page should have {section}"
        );
    }
    assert!(
        out.stdout.contains("\\-\\-sts\\-endpoint"),
        "subcommand options are documented"
    );
}

fn doctor(ctx: &Ctx, args: &[&str]) -> Out {
    let mut cmd = ctx.command("awsprocesscreds");
    cmd.arg("doctor")
        .arg("--plugin-dir")
        .arg(&ctx.plugin_dir)
        .args(args);
    run(cmd)
}

#[test]
fn doctor_reports_plugins_cache_idp_and_sts_and_passes() {
    let ctx = Ctx::new();
    let idp = ctx.idp_url();
    let out = doctor(&ctx, &["-p", "fixture-saml", "-e", &idp]);
    out.ok();
    let text = &out.stdout;
    let plugin_path = ctx
        .plugin_dir
        .join(lib_file("awsprocesscreds_plugin_fixture_saml"));
    assert!(text.contains("fixture-saml"), "{text}");
    assert!(
        text.contains(&plugin_path.display().to_string()),
        "plugin path shown:\n{text}"
    );
    assert!(text.contains("[ok  ] provider"), "{text}");
    assert!(
        text.contains(&format!("{} does not exist yet", ctx.cache_dir().display())),
        "{text}"
    );
    assert!(
        text.contains("[ok  ] idp") && text.contains("answered HTTP"),
        "{text}"
    );
    // The STS endpoint in use is the one from AWS_ENDPOINT_URL_STS.
    assert!(text.contains("from AWS_ENDPOINT_URL_STS"), "{text}");
    assert!(text.contains("[ok  ] sts"), "{text}");
    // No terminal in this run: a warning, not a failure.
    assert!(text.contains("[warn] terminal"), "{text}");
    assert!(text.contains("All essential checks passed"), "{text}");
    assert!(
        !text.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
}

#[cfg(unix)]
#[test]
fn doctor_warns_about_a_cache_directory_others_can_read() {
    let ctx = Ctx::new();
    std::fs::create_dir_all(ctx.cache_dir()).unwrap();
    set_mode(&ctx.cache_dir(), 0o755);
    let out = doctor(&ctx, &[]);
    out.ok();
    assert!(
        out.stdout.contains("[warn] cache") && out.stdout.contains("mode 0755"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("[skip] idp"),
        "no -e: the IdP check is skipped\n{}",
        out.stdout
    );
}

#[test]
fn doctor_fails_on_unusable_cache_and_unknown_provider() {
    let ctx = Ctx::new();
    std::fs::write(ctx.cache_dir(), b"not a directory").unwrap();
    let out = doctor(&ctx, &["-p", "no-such-idp"]);
    assert_eq!(
        out.code, 1,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    assert!(
        out.stdout.contains("[FAIL] cache") && out.stdout.contains("is not a directory"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("[FAIL] provider")
            && out.stdout.contains("unknown provider 'no-such-idp'"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("2 essential checks failed"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains("2 essential checks failed"),
        "{}",
        out.stderr
    );
}

#[test]
fn doctor_fails_when_the_idp_is_unreachable() {
    let ctx = Ctx::new();
    // A port nothing listens on: bind, note the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/sso?token=do-not-print");
    let out = doctor(&ctx, &["-e", &url, "--timeout", "5"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout.contains("[FAIL] idp") && out.stdout.contains("cannot connect"),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("do-not-print"),
        "the query string (tokens) is never shown"
    );
}
