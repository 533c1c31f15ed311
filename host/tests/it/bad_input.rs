//! The bad-input catalogue. Every row of `bad_input.tsv` (its
//! header documents the format) is a thing that goes wrong in the field:
//! a wrong flag, a broken IdP page, a bad SAML response, an STS error, a TLS
//! problem, a broken plugin, a damaged cache. Each row is run through the
//! real binary without a terminal and must give the exact exit status, a
//! one-line message, an empty stdout, no password in stderr, and leave the
//! cache as the row says.
// The catalogue damages files the Unix way (FIFOs, modes, owners,
// symlinks) and runs the binary without a controlling terminal via setsid.
#![cfg(unix)]

use crate::common;
use crate::conformance_support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;
use conformance_support::*;

const CATALOGUE: &str = include_str!("bad_input.tsv");
const PASSWORD: &str = "hunter2";

/// One row of the catalogue.
#[derive(Debug, Clone)]
struct Case {
    line: usize,
    id: String,
    area: String,
    setup: Vec<String>,
    args: String,
    exit: i32,
    stderr: String,
    cache: String,
    status: String,
}

fn catalogue() -> Vec<Case> {
    let mut header_seen = false;
    let mut cases = Vec::new();
    for (i, line) in CATALOGUE.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            cols.len(),
            8,
            "bad_input.tsv line {}: 8 tab-separated columns expected",
            i + 1
        );
        if !header_seen {
            assert_eq!(cols[0], "id", "the first row is the header");
            header_seen = true;
            continue;
        }
        cases.push(Case {
            line: i + 1,
            id: cols[0].into(),
            area: cols[1].into(),
            setup: if cols[2] == "-" {
                Vec::new()
            } else {
                cols[2].split(' ').map(str::to_owned).collect()
            },
            args: cols[3].into(),
            exit: cols[4]
                .parse()
                .unwrap_or_else(|_| panic!("line {}: exit must be a number", i + 1)),
            stderr: cols[5].into(),
            cache: cols[6].into(),
            status: cols[7].into(),
        });
    }
    cases
}

/// Split on spaces, keeping "quoted strings" whole.
fn split_args(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in s.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

fn expand(args: &str) -> Vec<String> {
    let mut out = Vec::new();
    for a in split_args(args) {
        match a.as_str() {
            "@fixture" => out.extend(split_args(
                "-p fixture-saml -e {idp} --plugin-dir {plugins}",
            )),
            "@okta" => out.extend(split_args(
                "-p okta -u monty@example.com -e {wild}/home/amazon_aws/0oa1/272",
            )),
            "@forms" => out.extend(split_args("-p forms -u Monty -e {wild}/sso")),
            "@adfs" => out.extend(split_args(
                "-p adfs -u Monty -e {wild}/adfs/ls/IdpInitiatedSignOn.aspx",
            )),
            _ => out.push(a),
        }
    }
    out
}

/// A wild-server answer by preset name.
fn route_preset(name: &str) -> Reply {
    match name {
        "500" => Reply::status(500, "<html><body>Internal Server Error</body></html>")
            .header("content-type", "text/html"),
        "429" => Reply::status(429, "")
            .header("x-rate-limit-limit", "600")
            .header("x-rate-limit-remaining", "0")
            .header("x-rate-limit-reset", "4102444800"),
        "loop" => Reply::redirect("?again"),
        "huge" => Reply::html(huge_body()),
        "slow" => Reply::html("late").delayed(Duration::from_secs(5)),
        "html" => Reply::html("<html><head><title>Maintenance</title></head><body>Back soon</body></html>"),
        "html-no-form" => Reply::html(
            "<!DOCTYPE html><html><head><title>Sign in</title></head><body><h1>We are down for maintenance</h1><p>Please come back later.</p></body></html>",
        ),
        "form-no-fields" => Reply::html(
            r#"<!DOCTYPE html><html><head><title>Sign in</title></head><body><form method="post" action="/sso/next"><input type="hidden" name="state" value="abc"><input type="submit" value="Continue"></form></body></html>"#,
        ),
        // What Okta sends when an org's rate limit is hit.
        "okta-429" => Reply {
            status: 429,
            headers: vec![("content-type".into(), "application/json".into())],
            body: br#"{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests.","errorLink":"E0000047","errorId":"oaeXyz","errorCauses":[]}"#.to_vec(),
            delay: None,
        }
        .header("x-rate-limit-limit", "600")
        .header("x-rate-limit-remaining", "0")
        .header("x-rate-limit-reset", &(time::OffsetDateTime::now_utc().unix_timestamp() + 42).to_string()),
        "truncated-json" => Reply::ok(
            "application/json",
            r#"{"expiresAt":"2030-01-01T00:00:00.000Z","status":"SUCC"#,
        ),
        "redirect-plain-http" => Reply::redirect("http://idp.example.com/saml"),
        other => panic!("no route preset {other:?}"),
    }
}

/// Cache damage presets that need the seeded entry or the cache directory.
struct Damage {
    /// Paths to un-immutable on drop (chattr -i).
    immutable: Vec<PathBuf>,
}

impl Drop for Damage {
    fn drop(&mut self) {
        for p in &self.immutable {
            let _ = std::process::Command::new("chattr")
                .arg("-i")
                .arg(p)
                .status();
        }
    }
}

fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

fn chown(p: &Path, uid: u32) {
    std::os::unix::fs::chown(p, Some(uid), Some(uid)).unwrap();
}

fn make_read_only(dir: &Path, damage: &mut Damage) -> Result<(), String> {
    if !is_root() {
        set_mode(dir, 0o500);
        return Ok(());
    }
    // Root ignores modes: make the directory immutable instead.
    let st = std::process::Command::new("chattr")
        .arg("+i")
        .arg(dir)
        .stderr(std::process::Stdio::null())
        .status();
    match st {
        Ok(s) if s.success() => {
            damage.immutable.push(dir.to_path_buf());
            Ok(())
        }
        _ => Err("running as root and `chattr +i` is not supported here".into()),
    }
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.replace_nanosecond(0)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// Make the cache entries stale but intact, so a failed login must leave
/// them alone.
fn age_entry(dir: &Path) {
    for e in entries(dir) {
        let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&e).unwrap()).unwrap();
        // One minute left of an hour: stale for every refresh rule.
        let now = time::OffsetDateTime::now_utc();
        v["credentials"]["Expiration"] = rfc3339(now + time::Duration::minutes(1)).into();
        v["created"] = rfc3339(now - time::Duration::minutes(59)).into();
        std::fs::write(&e, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    }
}

/// Run one case; `Err` describes how it deviated, `Ok(Some(reason))` a skip.
fn run_case(c: &Case) -> Result<Option<String>, String> {
    let ctx = Ctx::new();
    let wild = Wild::start();
    wild.set("/saml", Reply::ok("text/plain", assertion("good")));
    let mut tls: Option<(Wild, PathBuf)> = None;
    let mut env: Vec<(String, String)> = vec![("AWSPROCESSCREDS_PASSWORD".into(), PASSWORD.into())];
    let mut damage = Damage {
        immutable: Vec::new(),
    };
    let cache_dir = ctx.cache_dir();
    let tmp = ctx.tmp.path().to_path_buf();

    let subst = |s: &str, tls: &Option<(Wild, PathBuf)>| -> String {
        let mut s = s
            .replace("{idp}", &wild.url("/saml"))
            .replace("{wild}", &wild.server.base_url())
            .replace("{plugins}", &ctx.plugin_dir.display().to_string())
            .replace("{tmp}", &tmp.display().to_string());
        if let Some((w, ca)) = tls {
            s = s
                .replace("{tls}", &w.server.base_url())
                .replace("{ca}", &ca.display().to_string());
        }
        s
    };

    // Directives that shape the world before any login.
    for d in &c.setup {
        let (k, v) = d.split_once('=').unwrap_or((d.as_str(), ""));
        match k {
            "root" if !is_root() => {
                return Ok(Some(
                    "needs root to create files owned by another user".into(),
                ))
            }
            "plugin" => ctx.add_plugin(v),
            "garbage-plugin" => std::fs::write(
                ctx.plugin_dir
                    .join(lib_file("awsprocesscreds_plugin_garbage")),
                b"\x7fELF not really a library",
            )
            .unwrap(),
            "file" => {
                let (name, preset) = v.split_once(':').unwrap();
                assert_eq!(preset, "not-pem");
                std::fs::write(tmp.join(name), "this is not a certificate\n").unwrap();
            }
            "env" => {
                let (ek, ev) = v.split_once('=').unwrap();
                env.push((ek.into(), ev.into()));
            }
            "nopassword" => env.retain(|(k, _)| k != "AWSPROCESSCREDS_PASSWORD"),
            "tls" => {
                let pki = match v {
                    "ok" => sandbox::pki::TestPki::localhost(),
                    // A certificate from the trusted CA, for another name.
                    "wrong-host" => sandbox::pki::TestPki::new(&["idp.example.com"]),
                    _ => panic!("tls={v}?"),
                };
                let host = if v == "ok" { "localhost" } else { "127.0.0.1" };
                let w = Wild::start_with(Some(&pki), host);
                w.set("/saml", Reply::ok("text/plain", assertion("good")));
                let ca = pki.write_ca(&tmp).unwrap();
                tls = Some((w, ca));
            }
            _ => {}
        }
    }
    let args: Vec<String> = expand(&c.args).iter().map(|a| subst(a, &tls)).collect();
    let env: Vec<(String, String)> = env.into_iter().map(|(k, v)| (k, subst(&v, &tls))).collect();
    let command = |env: &[(String, String)]| {
        let mut cmd = ctx.command("awsprocesscreds-saml");
        cmd.args(&args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd
    };

    // A sentinel: nothing may delete unrelated files in the cache dir.
    cache::ensure_private_dir(&cache_dir).unwrap();
    std::fs::write(cache_dir.join("unrelated.txt"), b"keep me").unwrap();

    if let Some(seed) = c.setup.iter().find(|d| d.starts_with("seed")) {
        let out = run(command(&env));
        if out.code != 0 {
            return Err(format!("seeding login failed:\n{}", out.stderr));
        }
        if seed != "seed=fresh" {
            age_entry(&cache_dir);
        }
    }

    // Directives that break things after the seed.
    let mut env = env;
    for d in &c.setup {
        let (k, v) = d.split_once('=').unwrap_or((d.as_str(), ""));
        match k {
            "assertion" => wild.set("/saml", Reply::ok("text/plain", assertion(v))),
            "route" => {
                let (path, preset) = v.rsplit_once('=').unwrap();
                wild.set(path, route_preset(preset));
            }
            "sts" => {
                let (spec, n) = v.split_once('*').unwrap_or((v, "1"));
                let (status, code) = spec.split_once(':').unwrap();
                for _ in 0..n.parse::<usize>().unwrap() {
                    sandbox::sts::fail_next(
                        &ctx.sts_state,
                        status.parse().unwrap(),
                        code,
                        "injected by the catalogue",
                    );
                }
            }
            "later-env" => {
                let (ek, ev) = v.split_once('=').unwrap();
                env.push((ek.into(), subst(ev, &tls)));
            }
            "sts-endpoint" => {
                let url = match v {
                    "closed" => "http://127.0.0.1:9".to_string(),
                    "wild" => {
                        wild.set("/", route_preset("html"));
                        wild.server.base_url()
                    }
                    _ => panic!("sts-endpoint={v}?"),
                };
                env.push(("AWS_ENDPOINT_URL_STS".into(), url));
            }
            "cache" => match v {
                "corrupt" => {
                    for e in entries(&cache_dir) {
                        std::fs::write(&e, b"{\"format\":1,\"key\":{\"provi").unwrap();
                    }
                }
                "directory" => {
                    for e in entries(&cache_dir) {
                        std::fs::remove_file(&e).unwrap();
                        std::fs::create_dir(&e).unwrap();
                    }
                }
                "fifo" => {
                    for e in entries(&cache_dir) {
                        std::fs::remove_file(&e).unwrap();
                        // `mkfifo(1)`, not mknodat: macOS has no mknodat.
                        assert!(std::process::Command::new("mkfifo")
                            .arg(&e)
                            .status()
                            .unwrap()
                            .success());
                    }
                }
                "symlink" => {
                    for e in entries(&cache_dir) {
                        let copy = tmp.join("entry-copy.json");
                        std::fs::rename(&e, &copy).unwrap();
                        std::os::unix::fs::symlink(&copy, &e).unwrap();
                    }
                }
                "huge" => {
                    for e in entries(&cache_dir) {
                        std::fs::write(&e, vec![b' '; 2 << 20]).unwrap();
                    }
                }
                "foreign-file" => {
                    for e in entries(&cache_dir) {
                        chown(&e, 4242);
                    }
                }
                "foreign-dir" => chown(&cache_dir, 4242),
                "readonly" => {
                    if let Err(why) = make_read_only(&cache_dir, &mut damage) {
                        return Ok(Some(why));
                    }
                }
                "not-a-dir" => {
                    let file = tmp.join("cache-file");
                    std::fs::write(&file, b"not a directory").unwrap();
                    set_mode(&file, 0o600);
                    env.push((
                        "AWSPROCESSCREDS_CACHE_DIR".into(),
                        file.display().to_string(),
                    ));
                }
                _ => panic!("cache={v}?"),
            },
            _ => {}
        }
    }

    let watched = env
        .iter()
        .find(|(k, _)| k == "AWSPROCESSCREDS_CACHE_DIR")
        .map(|(_, v)| PathBuf::from(v))
        .unwrap_or_else(|| cache_dir.clone());
    let before = if watched.is_dir() {
        snapshot(&watched)
    } else {
        vec![(String::new(), std::fs::read(&watched).unwrap_or_default())]
    };
    let out = run(command(&env));
    let after = if watched.is_dir() {
        snapshot(&watched)
    } else {
        vec![(String::new(), std::fs::read(&watched).unwrap_or_default())]
    };
    drop(damage);

    let mut problems = Vec::new();
    if out.code != c.exit {
        problems.push(format!("exit status {} (expected {})", out.code, c.exit));
    }
    if c.stderr != "-" && !out.stderr.contains(&c.stderr) {
        problems.push(format!("stderr lacks {:?}", c.stderr));
    }
    if out.stderr.contains(PASSWORD) {
        problems.push("the password appears in stderr".into());
    }
    if c.exit == 0 {
        match serde_json::from_str::<serde_json::Value>(out.stdout.trim()) {
            Ok(v) if v["Version"] == 1 && v["AccessKeyId"].is_string() => {}
            _ => problems.push(format!("stdout is not credential JSON: {:?}", out.stdout)),
        }
    } else {
        if !out.stdout.is_empty() {
            problems.push(format!("stdout not empty: {:?}", out.stdout));
        }
        // Warnings may come first; the first other line is the error.
        let first = out
            .stderr
            .lines()
            .find(|l| !l.contains(": warning: "))
            .unwrap_or("");
        if !first.starts_with("awsprocesscreds-saml: error: ") {
            problems.push(
                "the first non-warning line of stderr is not 'awsprocesscreds-saml: error: ...'"
                    .into(),
            );
        }
        let extra = out
            .stderr
            .lines()
            .filter(|l| {
                !l.starts_with("awsprocesscreds-saml: error: ")
                    && !l.starts_with("awsprocesscreds-saml: hint: ")
            })
            .filter(|l| !l.contains(": warning: "))
            .count();
        if extra > 0 {
            problems.push("stderr has lines besides the error, hint and warnings".into());
        }
        // Every failure tells the user what to do next: one hint line.
        let hints = out
            .stderr
            .lines()
            .filter(|l| l.starts_with("awsprocesscreds-saml: hint: "))
            .count();
        if hints != 1 {
            problems.push(format!("{hints} hint lines, not exactly one"));
        }
    }
    match c.cache.as_str() {
        "same" if before != after => problems.push(format!(
            "cache changed: before {:?}, after {:?}",
            before.iter().map(|(p, _)| p).collect::<Vec<_>>(),
            after.iter().map(|(p, _)| p).collect::<Vec<_>>()
        )),
        "replaced" => {
            let ok = entries(&watched).iter().any(|e| {
                std::fs::read(e)
                    .ok()
                    .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
                    .is_some_and(|v| v["credentials"]["AccessKeyId"].is_string())
            }) && before != after;
            if !ok {
                problems.push("the cache entry was not replaced by a valid one".into());
            }
        }
        _ => {}
    }
    if problems.is_empty() {
        Ok(None)
    } else {
        Err(format!(
            "{}\n  args: {:?}\n  stderr: {}\n  stdout: {:?}",
            problems.join("; "),
            args,
            out.stderr.trim_end().replace('\n', "\n          "),
            out.stdout
        ))
    }
}

/// Run `cases` on a few threads (most time is spent waiting on processes)
/// and report every deviation at once.
fn run_all(cases: Vec<Case>) {
    let cases = std::sync::Arc::new(std::sync::Mutex::new(cases));
    let results = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let cases = cases.clone();
            let results = results.clone();
            std::thread::spawn(move || loop {
                let Some(c) = cases.lock().unwrap().pop() else {
                    break;
                };
                let r = std::panic::catch_unwind(|| run_case(&c))
                    .unwrap_or_else(|p| Err(format!("panicked: {:?}", p.downcast_ref::<String>())));
                results.lock().unwrap().push((c, r));
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let mut results = std::mem::take(&mut *results.lock().unwrap());
    results.sort_by_key(|(c, _)| c.line);
    let mut failed = Vec::new();
    for (c, r) in &results {
        match r {
            Ok(None) => eprintln!("ok      {}", c.id),
            Ok(Some(why)) => eprintln!("SKIPPED {}: {why}", c.id),
            Err(e) => {
                eprintln!("FAILED  {} (bad_input.tsv line {}): {e}", c.id, c.line);
                failed.push(c.id.clone());
            }
        }
    }
    assert!(
        failed.is_empty(),
        "{} catalogue case(s) failed: {}",
        failed.len(),
        failed.join(", ")
    );
}

use awsprocesscreds::cache;

#[test]
fn catalogue_is_well_formed_and_covers_every_area() {
    let cases = catalogue();
    let mut ids = std::collections::HashSet::new();
    for c in &cases {
        assert!(ids.insert(c.id.clone()), "duplicate id {}", c.id);
        assert!(
            ["cli", "idp", "saml", "sts", "tls", "plugin", "cache"].contains(&c.area.as_str()),
            "{}: unknown area {}",
            c.id,
            c.area
        );
        assert!(
            c.id.starts_with(&c.area),
            "{}: ids start with their area",
            c.id
        );
        assert!(
            ["same", "replaced", "-"].contains(&c.cache.as_str()),
            "{}: cache column",
            c.id
        );
        assert!(
            c.status == "ok" || c.status.starts_with("bug: "),
            "{}: status column",
            c.id
        );
    }
    let ok = cases.iter().filter(|c| c.status == "ok").count();
    assert!(
        ok >= 40,
        "the catalogue must hold at least 40 passing cases, has {ok}"
    );
    for area in ["cli", "idp", "saml", "sts", "tls", "plugin", "cache"] {
        assert!(
            cases.iter().filter(|c| c.area == area).count() >= 3,
            "area {area} has fewer than 3 cases"
        );
    }
}

#[test]
fn every_catalogued_case_behaves_as_written() {
    ensure_plugins_built();
    let only = std::env::var("BAD_INPUT_ONLY").ok();
    let cases: Vec<Case> = catalogue()
        .into_iter()
        .filter(|c| c.status == "ok")
        .filter(|c| only.as_deref().is_none_or(|o| c.id.contains(o)))
        .collect();
    run_all(cases);
}

#[test]
#[ignore = "bug: rows marked 'bug:' in bad_input.tsv (see their status column) fail until the host is fixed"]
fn known_bugs_in_the_catalogue() {
    ensure_plugins_built();
    run_all(
        catalogue()
            .into_iter()
            .filter(|c| c.status != "ok")
            .collect(),
    );
}
