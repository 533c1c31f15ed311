//! Roles, STS, the cache with single-flight locking, output formats —
//! through the real binary, the fixture SAML plugin and the fake STS.

use crate::common;

use std::time::Duration;

#[cfg(unix)]
use common::pty::{assert_not_echoed, PtySession};
use common::*;
use sandbox::saml::AssertionBuilder;

#[test]
fn login_prints_credentials_then_serves_them_from_cache() {
    let ctx = Ctx::new();
    let first = run(ctx.saml(&[]));
    first.ok();
    assert_credentials(&first.json());
    assert_eq!((ctx.idp_hits(), ctx.sts_calls()), (1, 1));
    let second = run(ctx.saml(&[]));
    second.ok();
    assert_eq!(
        first.stdout, second.stdout,
        "cache hit returns the same credentials"
    );
    assert_eq!(
        (ctx.idp_hits(), ctx.sts_calls()),
        (1, 1),
        "no login on a cache hit"
    );
}

#[test]
fn cache_hit_needs_no_plugin_and_no_network() {
    let ctx = Ctx::new();
    let first = run(ctx.saml(&[]));
    first.ok();
    // Remove the plugin and point STS at a closed port: a hit must not care.
    std::fs::remove_dir_all(&ctx.plugin_dir).unwrap();
    let mut cmd = ctx.saml(&[]);
    cmd.env("AWS_ENDPOINT_URL_STS", ctx.sts.base_url());
    let second = run(cmd);
    second.ok();
    assert_eq!(first.stdout, second.stdout);
}

#[cfg(unix)]
#[test]
fn cache_files_are_private_and_hold_no_assertion_or_password() {
    let ctx = Ctx::new();
    ctx.set_password("hunter2-secret");
    let mut cmd = ctx.password_login(&[]);
    cmd.env("AWSPROCESSCREDS_PASSWORD", "hunter2-secret");
    run(cmd).ok();
    use std::os::unix::fs::PermissionsExt;
    let dir = ctx.cache_dir();
    assert_eq!(
        std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
        0o700
    );
    let assertion = ctx.idp_state.assertion.lock().unwrap().clone();
    let mut files = 0;
    for e in walk(&dir) {
        let text = std::fs::read_to_string(&e).unwrap_or_default();
        if e.extension().is_some_and(|x| x == "json") {
            files += 1;
            assert_eq!(
                std::fs::metadata(&e).unwrap().permissions().mode() & 0o777,
                0o600,
                "{}",
                e.display()
            );
        }
        assert!(
            !text.contains("hunter2-secret"),
            "password in {}",
            e.display()
        );
        assert!(
            !text.contains(&assertion[..40]),
            "assertion in {}",
            e.display()
        );
    }
    assert!(files >= 1);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// The credential cache's entry file (the first `.json` under the cache).
fn cache_entry(ctx: &Ctx) -> std::path::PathBuf {
    walk(&ctx.cache_dir())
        .into_iter()
        .find(|p| p.extension().is_some_and(|x| x == "json"))
        .unwrap()
}

#[test]
fn verbose_logs_go_to_stderr_and_redact_secrets() {
    let ctx = Ctx::new();
    ctx.set_password("pw-very-secret");
    let mut cmd = ctx.password_login(&["-v", "-v", "--plugin-option", "log=pw-very-secret"]);
    cmd.env("AWSPROCESSCREDS_PASSWORD", "pw-very-secret");
    let out = run(cmd);
    out.ok();
    let v = out.json();
    assert_credentials(&v);
    assert!(
        out.stdout.trim().lines().count() == 1,
        "stdout is one JSON line"
    );
    assert!(
        out.stderr.contains("debug:"),
        "-v logs to stderr: {}",
        out.stderr
    );
    for secret in [
        "pw-very-secret".to_string(),
        v["SecretAccessKey"].as_str().unwrap().to_string(),
        v["SessionToken"].as_str().unwrap().to_string(),
    ] {
        assert!(!out.stderr.contains(&secret), "secret leaked to stderr");
    }
    assert!(out.stderr.contains("[REDACTED]"));
}

#[test]
fn no_cache_neither_reads_nor_writes() {
    let ctx = Ctx::new();
    run(ctx.saml(&["--no-cache"])).ok();
    run(ctx.saml(&["--no-cache"])).ok();
    assert_eq!(ctx.sts_calls(), 2);
    assert!(
        !ctx.cache_dir().exists()
            || walk(&ctx.cache_dir())
                .iter()
                .all(|p| p.extension().is_none_or(|x| x != "json"))
    );
}

#[test]
fn role_arn_must_be_offered_and_failures_list_the_offered_roles() {
    let ctx = Ctx::new();
    ctx.set_roles(vec![role("dev"), role("admin")]);
    let out = run(ctx.saml(&["-a", "arn:aws:iam::123456789012:role/admin"]));
    out.ok();
    assert_eq!(
        ctx.sts_state.lock().unwrap().issued[0].role_arn,
        "arn:aws:iam::123456789012:role/admin"
    );
    let out = run(ctx.saml(&["-a", "arn:aws:iam::123456789012:role/nope"]));
    out.fails(1, "role arn:aws:iam::123456789012:role/nope is not offered");
    assert!(out.stderr.contains("role/dev") && out.stderr.contains("role/admin"));
}

#[test]
fn several_roles_without_terminal_fail_with_the_list() {
    let ctx = Ctx::new();
    ctx.set_roles(vec![role("dev"), role("admin")]);
    let out = run(ctx.saml(&[]));
    out.fails(1, "2 roles are offered and no terminal");
    assert!(out.stderr.contains("-a/--role-arn"));
    assert_eq!(ctx.sts_calls(), 0);
}

#[cfg(unix)]
#[test]
fn several_roles_with_terminal_show_a_numbered_picker() {
    let ctx = Ctx::new();
    ctx.set_roles(vec![role("dev"), role("admin")]);
    let mut s = PtySession::spawn(ctx.saml(&[]));
    s.expect("Select the AWS role", Duration::from_secs(20));
    s.expect("Choose 1-2", Duration::from_secs(5));
    let screen = s.screen();
    assert!(screen.contains("[1] 123456789012  dev"), "{screen}");
    assert!(screen.contains("[2] 123456789012  admin"), "{screen}");
    s.send_line("2");
    let (out, _) = s.finish(Duration::from_secs(20));
    out.ok();
    assert_credentials(&out.json());
    assert_eq!(
        ctx.sts_state.lock().unwrap().issued[0].role_arn,
        "arn:aws:iam::123456789012:role/admin"
    );
}

#[cfg(unix)]
#[test]
fn password_prompt_goes_to_the_terminal_without_echo() {
    let ctx = Ctx::new();
    ctx.set_password("typed-secret");
    let (out, screen) =
        PtySession::spawn_answering(ctx.password_login(&[]), "Password: ", "typed-secret")
            .finish(Duration::from_secs(20));
    out.ok();
    assert_credentials(&out.json());
    assert_not_echoed(&screen, "typed-secret");
    assert!(
        !out.stderr.contains("Password"),
        "prompt must not go to stderr"
    );
}

#[test]
fn password_prompt_without_terminal_fails_fast() {
    let ctx = Ctx::new();
    ctx.set_password("x");
    let start = std::time::Instant::now();
    let out = run(ctx.password_login(&[]));
    out.fails(1, "a password is needed but there is no terminal");
    assert!(out.stderr.contains("--password-command"));
    assert!(start.elapsed() < Duration::from_secs(20));
    assert_eq!(ctx.idp_hits(), 0);
}

#[test]
fn password_command_then_environment() {
    let ctx = Ctx::new();
    ctx.set_password("from-cmd");
    let mut cmd = ctx.password_login(&[
        "--no-cache",
        "--password-command",
        "printf 'from-cmd\\nignored\\n'",
    ]);
    cmd.env("AWSPROCESSCREDS_PASSWORD", "from-env");
    run(cmd).ok();
    ctx.set_password("from-env");
    let mut cmd = ctx.password_login(&["--no-cache"]);
    cmd.env("AWSPROCESSCREDS_PASSWORD", "from-env");
    run(cmd).ok();
    let out = run(ctx.password_login(&["--no-cache", "--password-command", "exit 4"]));
    out.fails(1, "--password-command exited with status 4");
}

#[test]
fn wrong_password_is_a_clean_error() {
    let ctx = Ctx::new();
    ctx.set_password("right");
    let mut cmd = ctx.password_login(&[]);
    cmd.env("AWSPROCESSCREDS_PASSWORD", "not-the-right-one");
    run(cmd).fails(1, "wrong password");
}

#[test]
fn duration_is_capped_by_the_assertion_session_duration() {
    let ctx = Ctx::new();
    ctx.set_assertion(
        AssertionBuilder::default()
            .roles(vec![role("dev")])
            .session_duration(Some(1800)),
    );
    let out = run(ctx.saml(&["--duration-seconds", "7200", "-v"]));
    out.ok();
    assert!(
        out.stderr
            .contains("exceeds the assertion's SessionDuration 1800"),
        "{}",
        out.stderr
    );
    assert_eq!(ctx.sts_state.lock().unwrap().durations, vec![Some(1800)]);
    let out = run(ctx.saml(&["--duration-seconds", "100"]));
    out.fails(2, "--duration-seconds must be between 900 and 43200");
}

#[test]
fn sts_errors_are_one_line_with_a_hint() {
    let ctx = Ctx::new();
    for (status, code, needle) in [
        (403, "AccessDenied", "STS denied AssumeRoleWithSAML"),
        (400, "ExpiredTokenException", "expired"),
        (400, "InvalidIdentityToken", "invalid"),
        (400, "IDPRejectedClaim", "rejected a claim"),
        (400, "ValidationError", "refused the request"),
    ] {
        sandbox::sts::fail_next(&ctx.sts_state, status, code, "fake message");
        let out = run(ctx.saml(&["--no-cache"]));
        out.fails(1, needle);
        assert!(out.stderr.contains("hint:"), "{}", out.stderr);
        assert_eq!(out.stderr.lines().count(), 2, "{}", out.stderr);
    }
}

#[test]
fn unreachable_sts_is_a_clear_error() {
    let ctx = Ctx::new();
    let mut cmd = ctx.saml(&["--no-cache", "--timeout", "3"]);
    cmd.env("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9");
    let out = run(cmd);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.is_empty());
    assert!(out.stderr.contains("STS"), "{}", out.stderr);
}

#[test]
fn corrupt_cache_is_a_miss_and_gets_replaced() {
    let ctx = Ctx::new();
    run(ctx.saml(&[])).ok();
    let file = cache_entry(&ctx);
    std::fs::write(&file, b"{\"format\":1,\"key\":").unwrap();
    let out = run(ctx.saml(&["-v"]));
    out.ok();
    assert!(out.stderr.contains("corrupt"), "{}", out.stderr);
    assert_eq!(ctx.sts_calls(), 2);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok());
}

#[test]
fn failed_login_keeps_the_previous_entry() {
    let ctx = Ctx::new();
    // Credentials that live 10 minutes: cached, but too old to hand out.
    ctx.sts_state.lock().unwrap().lifetime_override = Some(600);
    run(ctx.saml(&["--refresh-before", "15"])).ok();
    let file = cache_entry(&ctx);
    let before = std::fs::read(&file).unwrap();
    *ctx.idp_state.status.lock().unwrap() = Some(500);
    // Half the lifetime (5 min) is the margin for short credentials, so
    // ask for more to force a refresh.
    let out = run(ctx.saml(&["--refresh-before", "15"]));
    assert_eq!(
        out.code, 0,
        "short-lived creds are still fresh for half their life: {}",
        out.stderr
    );
    std::thread::sleep(Duration::from_millis(10));
    let out = run(ctx.saml(&["--refresh-before", "15", "--no-cache"]));
    out.fails(1, "HTTP 500");
    assert_eq!(
        std::fs::read(&file).unwrap(),
        before,
        "failed login must not touch the cache"
    );
}

#[test]
fn thirty_two_concurrent_cold_requests_log_in_once() {
    let ctx = Ctx::new();
    *ctx.idp_state.delay.lock().unwrap() = Some(Duration::from_millis(500));
    let children: Vec<_> = (0..32)
        .map(|_| {
            let mut cmd = ctx.saml(&[]);
            cmd.stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            cmd.spawn().unwrap()
        })
        .collect();
    let outs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let first = String::from_utf8_lossy(&outs[0].stdout).into_owned();
    for o in &outs {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(String::from_utf8_lossy(&o.stdout), first);
    }
    assert_credentials(&serde_json::from_str(first.trim()).unwrap());
    assert_eq!(ctx.idp_hits(), 1, "exactly one login");
    assert_eq!(ctx.sts_calls(), 1, "exactly one STS call");
}

#[test]
fn a_killed_login_releases_the_lock_and_leaves_no_entry() {
    let ctx = Ctx::new();
    *ctx.idp_state.delay.lock().unwrap() = Some(Duration::from_secs(30));
    let mut child = ctx
        .saml(&[])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait for it to reach the IdP (it holds the lock by then).
    let start = std::time::Instant::now();
    while ctx.idp_hits() == 0 && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(walk(&ctx.cache_dir())
        .iter()
        .all(|p| p.extension().is_none_or(|x| x != "json")));
    *ctx.idp_state.delay.lock().unwrap() = None;
    let out = run(ctx.saml(&["--lock-timeout", "5"]));
    out.ok();
}

#[test]
fn leftover_temp_files_are_never_read_as_entries() {
    let ctx = Ctx::new();
    run(ctx.saml(&[])).ok();
    let file = cache_entry(&ctx);
    // A writer that died between write and rename leaves only a temp file.
    let tmp = file.with_file_name(format!(
        ".{}.tmp.99999.1",
        file.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(&tmp, b"{\"partial").unwrap();
    let out = run(ctx.saml(&[]));
    out.ok();
    assert_eq!(ctx.sts_calls(), 1);
    let list = run(ctx
        .command("awsprocesscreds")
        .args(["cache", "list"])
        .to_owned_cmd());
    list.ok();
    assert_eq!(list.stdout.lines().count(), 2, "{}", list.stdout);
}

#[test]
fn cache_list_shows_no_secrets_and_clear_filters() {
    let ctx = Ctx::new();
    let out = run(ctx.saml(&[]));
    out.ok();
    let secret = out.json()["SecretAccessKey"].as_str().unwrap().to_string();
    let list = run(ctx
        .command("awsprocesscreds")
        .args(["cache", "list"])
        .to_owned_cmd());
    list.ok();
    assert!(
        list.stdout.contains("fixture-saml") && list.stdout.contains("role/dev"),
        "{}",
        list.stdout
    );
    assert!(!list.stdout.contains(&secret));
    let clear = run(ctx
        .command("awsprocesscreds")
        .args(["cache", "clear", "-p", "other"])
        .to_owned_cmd());
    clear.ok();
    assert!(clear.stderr.contains("removed 0"));
    let clear = run(ctx
        .command("awsprocesscreds")
        .args(["cache", "clear"])
        .to_owned_cmd());
    clear.ok();
    assert!(clear.stderr.contains("removed 1"));
    run(ctx.saml(&[])).ok();
    assert_eq!(ctx.sts_calls(), 2);
}

#[test]
fn env_output_format() {
    let ctx = Ctx::new();
    let out = run(ctx.saml(&["--output", "env"]));
    out.ok();
    assert!(out.stdout.contains("export AWS_ACCESS_KEY_ID='ASIA"));
    assert!(out.stdout.contains("export AWS_SECRET_ACCESS_KEY="));
    assert!(out.stdout.contains("export AWS_SESSION_TOKEN="));
    assert!(out.stdout.contains("export AWS_CREDENTIAL_EXPIRATION="));
}

#[test]
fn roles_command_lists_roles_without_calling_sts() {
    let ctx = Ctx::new();
    ctx.set_roles(vec![role("dev"), role("admin")]);
    let out = run(ctx
        .command("awsprocesscreds")
        .args([
            "roles",
            "-p",
            "fixture-saml",
            "-e",
            &ctx.idp_url(),
            "--plugin-dir",
        ])
        .arg(&ctx.plugin_dir)
        .to_owned_cmd());
    out.ok();
    assert_eq!(
        out.stdout,
        // Third column: the account name, empty when unknown.
        "arn:aws:iam::123456789012:role/dev\tarn:aws:iam::123456789012:saml-provider/fixture\t\n\
         arn:aws:iam::123456789012:role/admin\tarn:aws:iam::123456789012:saml-provider/fixture\t\n"
    );
    assert_eq!(ctx.sts_calls(), 0);
}

#[test]
fn assertion_without_roles_is_explained() {
    let ctx = Ctx::new();
    ctx.set_roles(vec![]);
    run(ctx.saml(&[])).fails(1, "offers no AWS roles");
    *ctx.idp_state.assertion.lock().unwrap() = "not base64 !!".into();
    run(ctx.saml(&[])).fails(1, "not valid base64");
}

#[test]
fn ca_bundle_applies_to_an_https_sts_endpoint() {
    let ctx = Ctx::new();
    let pki = sandbox::pki::TestPki::localhost();
    let ca = pki.write_ca(ctx.tmp.path()).unwrap();
    let (router, state) = sandbox::sts::router();
    let sts = sandbox::Server::https(router, &pki);
    let mut cmd = ctx.saml(&["--no-cache", "--timeout", "5"]);
    cmd.env("AWS_ENDPOINT_URL_STS", sts.base_url());
    let out = run(cmd);
    assert_eq!(out.code, 1, "an unknown CA must fail: {}", out.stderr);
    assert!(out.stdout.is_empty());
    let mut cmd = ctx.saml(&["--no-cache", "--ca-bundle"]);
    cmd.arg(&ca).env("AWS_ENDPOINT_URL_STS", sts.base_url());
    let out = run(cmd);
    out.ok();
    assert_credentials(&out.json());
    assert_eq!(state.lock().unwrap().assume_calls, 1);
}
