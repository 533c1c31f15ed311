//! Faults: processes killed mid-login and at every moment of a
//! login (including the cache write), concurrent logins for the same and
//! for different keys, a lock holder that dies, Ctrl-C at the prompt, and
//! clock skew around the refresh window.

use crate::common;
use crate::conformance_support;

use std::process::{Child, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

#[cfg(unix)]
use common::pty::PtySession;
use common::*;
use conformance_support::{entries, walk};

fn spawn(mut cmd: std::process::Command) -> Child {
    cmd.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn wait_for(what: &str, timeout: Duration, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[cfg(unix)]
fn kill(child: &mut Child, sig: rustix::process::Signal) {
    let pid = rustix::process::Pid::from_raw(child.id() as i32).unwrap();
    rustix::process::kill_process(pid, sig).unwrap();
}

fn output(child: Child) -> Out {
    let o = child.wait_with_output().unwrap();
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// Every cache entry parses and holds credentials.
#[track_caller]
fn assert_entries_valid(ctx: &Ctx) {
    for e in entries(&ctx.cache_dir()) {
        let text = std::fs::read_to_string(&e).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|err| panic!("torn cache entry {} ({err}): {text:?}", e.display()));
        assert!(v["credentials"]["AccessKeyId"].is_string(), "{text}");
    }
}

#[test]
fn killed_at_any_moment_of_a_login_the_cache_stays_consistent() {
    let ctx = Ctx::new();
    // A login here takes tens of milliseconds; kill at staggered moments so
    // some land in plugin loading, the IdP call, STS and the cache write.
    let mut killed_before_exit = 0;
    for delay_ms in (0..=120).step_by(8) {
        let _ = std::fs::remove_dir_all(ctx.cache_dir());
        let mut child = spawn(ctx.saml(&[]));
        std::thread::sleep(Duration::from_millis(delay_ms));
        if child.try_wait().unwrap().is_none() {
            killed_before_exit += 1;
        }
        let _ = child.kill();
        let _ = child.wait();
        assert_entries_valid(&ctx);
        // Whatever was left, the next login works and is consistent.
        let out = run(ctx.saml(&["--lock-timeout", "5"]));
        out.ok();
        assert_credentials(&out.json());
        assert_entries_valid(&ctx);
        assert_eq!(entries(&ctx.cache_dir()).len(), 1);
    }
    assert!(
        killed_before_exit >= 3,
        "the kills should interrupt some logins"
    );
}

#[test]
fn a_crashed_writer_leaves_only_temp_files_that_are_ignored_and_swept() {
    let ctx = Ctx::new();
    run(ctx.saml(&[])).ok();
    let entry = entries(&ctx.cache_dir()).remove(0);
    // A writer killed between write and rename leaves a temp file; one
    // killed by a non-atomic writer (the Python original) a torn file.
    let tmp = entry.with_file_name(format!(
        ".{}.tmp.4242.17",
        entry.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(&tmp, b"{\"format\":1,\"key\":{\"prov").unwrap();
    std::fs::write(&entry, &std::fs::read(&entry).unwrap()[..40]).unwrap();
    let out = run(ctx.saml(&[]));
    out.ok();
    assert_eq!(ctx.sts_calls(), 2, "a torn entry is a miss");
    assert_entries_valid(&ctx);
    let mut cmd = ctx.command("awsprocesscreds");
    cmd.args(["cache", "clear"]);
    run(cmd).ok();
    assert!(!tmp.exists(), "cache clear sweeps temp files");
}

/// `cmd` run with SIGINT's default action, as a terminal gives it. A
/// test run started as a background job of a script (`cargo test &`, a CI
/// runner without job control) inherits SIGINT *ignored*, and so would
/// every login it spawns: Ctrl-C could not reach such a process anyway,
/// and the product rightly keeps an inherited ignore. `env` resets it and
/// then execs the command (same pid).
#[cfg(unix)]
fn with_default_sigint(cmd: std::process::Command) -> std::process::Command {
    let mut wrapped = std::process::Command::new("env");
    wrapped
        .arg("--default-signal=INT")
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .stdin(Stdio::null());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => wrapped.env(k, v),
            None => wrapped.env_remove(k),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        wrapped.current_dir(dir);
    }
    wrapped
}

#[cfg(unix)]
#[test]
fn sigterm_and_sigint_mid_login_leave_no_entry_and_release_the_lock() {
    for sig in [rustix::process::Signal::TERM, rustix::process::Signal::INT] {
        let ctx = Ctx::new();
        *ctx.idp_state.delay.lock().unwrap() = Some(Duration::from_secs(30));
        let mut child = spawn(with_default_sigint(ctx.saml(&[])));
        wait_for("the IdP call", Duration::from_secs(20), || {
            ctx.idp_hits() == 1
        });
        let t = Instant::now();
        kill(&mut child, sig);
        let out = output(child);
        // Not a speed target: the IdP answers only after 30 s, so ending
        // well before that shows the signal did not wait for it (the
        // margin is for a loaded CI machine).
        assert!(
            t.elapsed() < Duration::from_secs(15),
            "{sig:?} must stop the login without waiting for the IdP"
        );
        assert_ne!(out.code, 0);
        assert!(out.stdout.is_empty(), "{:?}", out.stdout);
        assert!(entries(&ctx.cache_dir()).is_empty());
        *ctx.idp_state.delay.lock().unwrap() = None;
        // A lock still held would fail this login after 5 s.
        run(ctx.saml(&["--lock-timeout", "5"])).ok();
    }
}

#[test]
fn a_waiter_takes_over_when_the_lock_holder_dies() {
    let ctx = Ctx::new();
    *ctx.idp_state.delay.lock().unwrap() = Some(Duration::from_secs(30));
    let mut holder = spawn(ctx.saml(&[]));
    wait_for("the holder's IdP call", Duration::from_secs(20), || {
        ctx.idp_hits() == 1
    });
    // The waiter blocks on the lock (it never reaches the IdP).
    let waiter = spawn(ctx.saml(&["-v"]));
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(ctx.idp_hits(), 1, "the waiter must wait for the holder");
    *ctx.idp_state.delay.lock().unwrap() = None;
    let t = Instant::now();
    holder.kill().unwrap();
    holder.wait().unwrap();
    let out = output(waiter);
    out.ok();
    assert_credentials(&out.json());
    assert!(
        t.elapsed() < Duration::from_secs(10),
        "the waiter should proceed at once"
    );
    assert!(
        out.stderr.contains("waiting for another login"),
        "{}",
        out.stderr
    );
    assert_eq!(ctx.idp_hits(), 2, "the waiter logged in itself");
}

#[test]
fn a_lock_holder_that_fails_lets_each_waiter_try_and_fail_cleanly() {
    let ctx = Ctx::new();
    *ctx.idp_state.delay.lock().unwrap() = Some(Duration::from_millis(400));
    *ctx.idp_state.status.lock().unwrap() = Some(500);
    let children: Vec<Child> = (0..4).map(|_| spawn(ctx.saml(&[]))).collect();
    for c in children {
        output(c).fails(1, "HTTP 500");
    }
    assert!(entries(&ctx.cache_dir()).is_empty());
}

#[test]
fn concurrent_logins_for_different_keys_do_not_wait_for_each_other() {
    let ctx = Ctx::new();
    let roles = ["r0", "r1", "r2", "r3", "r4", "r5"];
    ctx.set_roles(roles.iter().map(|r| role(r)).collect());
    *ctx.idp_state.delay.lock().unwrap() = Some(Duration::from_millis(800));
    let children: Vec<(String, Child)> = roles
        .iter()
        .map(|r| {
            let arn = format!("arn:aws:iam::123456789012:role/{r}");
            (arn.clone(), spawn(ctx.saml(&["-a", &arn])))
        })
        .collect();
    for (arn, c) in children {
        let out = output(c);
        out.ok();
        assert_credentials(&out.json());
        let key = out.json()["AccessKeyId"].as_str().unwrap().to_string();
        let st = ctx.sts_state.lock().unwrap();
        assert_eq!(
            st.issued
                .iter()
                .find(|i| i.access_key_id == key)
                .unwrap()
                .role_arn,
            arn
        );
    }
    // Serialised by a lock, no two logins would be at the IdP at once
    // (each waits 0.8 s there); measured by the IdP, not by a clock.
    let at_once = ctx.idp_state.most_at_once.load(Ordering::SeqCst);
    assert!(
        at_once >= 2,
        "different keys must not serialise: {at_once} at once"
    );
    assert_eq!(ctx.sts_calls(), roles.len());
    assert_eq!(entries(&ctx.cache_dir()).len(), roles.len());
}

#[test]
fn same_key_logins_wait_and_share_one_login_with_lock_timeout_reported() {
    let ctx = Ctx::new();
    *ctx.idp_state.delay.lock().unwrap() = Some(Duration::from_secs(4));
    let holder = spawn(ctx.saml(&[]));
    wait_for("the holder's IdP call", Duration::from_secs(20), || {
        ctx.idp_hits() == 1
    });
    let out = run(ctx.saml(&["--lock-timeout", "1"]));
    out.fails(
        1,
        "gave up after 1s waiting for another awsprocesscreds login with the same settings",
    );
    assert!(out.stderr.contains("--lock-timeout"), "{}", out.stderr);
    output(holder).ok();
}

#[cfg(unix)]
#[test]
fn ctrl_c_at_the_password_prompt_cancels_cleanly() {
    let ctx = Ctx::new();
    ctx.set_password("pw");
    let mut s = PtySession::spawn(ctx.password_login(&[]));
    s.expect("Password: ", Duration::from_secs(20));
    s.send_raw(b"\x03");
    let (out, _) = s.finish(Duration::from_secs(10));
    out.fails(1, "cancelled");
    assert_eq!(ctx.idp_hits(), 0);
    assert!(entries(&ctx.cache_dir()).is_empty());
}

// --- Clock skew around the refresh window.

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.replace_nanosecond(0)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// Rewrite the entry's times relative to now (minutes).
fn set_times(ctx: &Ctx, created_min: i64, expires_min: i64) {
    let now = time::OffsetDateTime::now_utc();
    for e in entries(&ctx.cache_dir()) {
        let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&e).unwrap()).unwrap();
        v["created"] = rfc3339(now + time::Duration::minutes(created_min)).into();
        v["credentials"]["Expiration"] = rfc3339(now + time::Duration::minutes(expires_min)).into();
        std::fs::write(&e, serde_json::to_vec(&v).unwrap()).unwrap();
    }
}

#[test]
fn refresh_window_boundaries_and_skewed_cache_times() {
    let ctx = Ctx::new();
    run(ctx.saml(&[])).ok();
    let logins = || ctx.sts_calls();
    // (created, expires) in minutes from now, and whether it is a hit.
    let cases: &[(i64, i64, bool, &str)] = &[
        (-44, 16, true, "16 min left of an hour: still handed out"),
        (
            -46,
            14,
            false,
            "14 min left: inside the 15-min window, refresh",
        ),
        (-60, 0, false, "expiring now"),
        (-120, -60, false, "expired an hour ago"),
        // The clock jumped back: created in the future. The credentials
        // still have hours left, so they are used.
        (60, 120, true, "created in the future (clock moved back)"),
        // Short-lived credentials (15 min) are usable for half their life.
        (-5, 10, true, "15-min credentials, 10 min left"),
        (-10, 5, false, "15-min credentials, 5 min left"),
        // Nonsense: created after it expires. Treated by the 15-min rule.
        (30, 20, true, "created after expiry, 20 min left"),
        (30, 10, false, "created after expiry, 10 min left"),
    ];
    for &(created, expires, hit, why) in cases {
        set_times(&ctx, created, expires);
        let before = logins();
        let out = run(ctx.saml(&[]));
        out.ok();
        assert_credentials(&out.json());
        assert_eq!(logins() == before, hit, "{why}");
        if !hit {
            // The refreshed entry has a full, fresh lifetime again.
            let exp = out.json()["Expiration"].as_str().unwrap().to_string();
            let t =
                time::OffsetDateTime::parse(&exp, &time::format_description::well_known::Rfc3339)
                    .unwrap();
            assert!(
                t > time::OffsetDateTime::now_utc() + time::Duration::minutes(30),
                "{why}: {exp}"
            );
        }
    }
    // A wider window from the command line.
    set_times(&ctx, -30, 30);
    let before = logins();
    run(ctx.saml(&["--refresh-before", "45"])).ok();
    assert_eq!(
        logins(),
        before + 1,
        "--refresh-before 45 refreshes at 30 min left"
    );
}

#[test]
fn sts_credentials_already_expired_by_our_clock_are_not_cached() {
    let ctx = Ctx::new();
    // STS's clock is an hour behind ours (or ours ahead): what it issues
    // looks expired here.
    ctx.sts_state.lock().unwrap().lifetime_override = Some(-60);
    let out = run(ctx.saml(&[]));
    // Printing them would make botocore call us again and again.
    out.fails(1, "expired");
    assert!(
        entries(&ctx.cache_dir()).is_empty(),
        "expired credentials must not be cached"
    );
}

#[test]
fn an_expired_assertion_warns_about_the_clock() {
    let ctx = Ctx::new();
    ctx.set_assertion(
        sandbox::saml::AssertionBuilder::default()
            .roles(vec![role("dev")])
            .valid_for(time::Duration::minutes(-10)),
    );
    let out = run(ctx.saml(&[]));
    out.fails(1, "STS rejected the SAML assertion as expired");
    assert!(
        out.stderr.contains("this machine's clock may be wrong"),
        "{}",
        out.stderr
    );
    assert!(walk(&ctx.cache_dir())
        .iter()
        .all(|p| p.extension().is_none_or(|x| x != "json")));
}

/// A server that answers every request with headers at once and then one
/// body byte every 200 ms for a minute: a hostile or broken IdP or STS.
fn trickling_server() -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for sock in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut sock = sock;
                let mut buf = [0u8; 8192];
                let _ = sock.read(&mut buf);
                let _ = sock.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 100000\r\n\r\n<",
                );
                for _ in 0..300 {
                    std::thread::sleep(Duration::from_millis(200));
                    if sock.write_all(b" ").is_err() {
                        return;
                    }
                }
            });
        }
    });
    base
}

#[test]
fn timeout_bounds_a_trickling_idp_body() {
    let ctx = Ctx::new();
    let idp = format!("{}/saml", trickling_server());
    let mut cmd = ctx.command("awsprocesscreds-saml");
    cmd.args(["-p", "fixture-saml", "-e", &idp, "--plugin-dir"])
        .arg(&ctx.plugin_dir)
        .args(["--timeout", "2"]);
    let start = Instant::now();
    let out = run(cmd);
    // Not a speed check: without a whole-exchange deadline this takes 60 s.
    assert!(start.elapsed() < Duration::from_secs(30));
    out.fails(1, "timed out after 2s");
    assert!(entries(&ctx.cache_dir()).is_empty());
}

#[test]
fn timeout_bounds_a_trickling_sts_answer() {
    let ctx = Ctx::new();
    let mut cmd = ctx.saml(&["--timeout", "2"]);
    cmd.env("AWS_ENDPOINT_URL_STS", trickling_server());
    let start = Instant::now();
    let out = run(cmd);
    assert!(start.elapsed() < Duration::from_secs(30));
    out.fails(1, "timed out");
    assert!(entries(&ctx.cache_dir()).is_empty());
}

#[test]
fn sts_over_plain_http_from_the_aws_config_file_is_refused() {
    // The settings check sees the flag and the variables; the config
    // file's endpoint_url is only known to the SDK: the request guard
    // refuses it before the assertion is sent.
    let ctx = Ctx::new();
    let config = ctx.tmp.path().join("aws-config");
    std::fs::write(
        &config,
        "[default]\nendpoint_url = http://sts.example.com/\n",
    )
    .unwrap();
    let mut cmd = ctx.saml(&["--no-cache"]);
    cmd.env_remove("AWS_ENDPOINT_URL_STS")
        .env("AWS_CONFIG_FILE", &config);
    let out = run(cmd);
    out.fails(2, "refusing plain HTTP to the STS endpoint sts.example.com");
    assert_eq!(ctx.sts_calls(), 0);
}
