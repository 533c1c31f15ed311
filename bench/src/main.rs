//! `apc-bench`: drives the release binaries of awsprocesscreds against the
//! sandbox fakes (Okta, ADFS, a SimpleSAMLphp-style forms IdP, STS) on
//! loopback and reports what BENCHMARKS.md shows. `bench/run.sh` builds and
//! calls it; run it by hand with `--help`.
//!
//! Every fake is wrapped in a meter that counts requests and adds up the
//! time spent inside its handlers, so a login's wall time can be split into
//! "the fakes' own" and "everything else" (process start, plugin loading,
//! HTML/JSON/XML work, TLS-free HTTP client work, STS SDK, cache write).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sandbox::axum::extract::Request;
use sandbox::axum::middleware::{self, Next};
use sandbox::axum::Router;
use sandbox::Server;

mod browser;

const PASSWORD: &str = "hunter2";
const USAGE: &str =
    "usage: apc-bench seed|logins|concurrent|browser|trace|serve --bin-dir DIR --work DIR [--runs N] [--clients N]

  seed        one Okta login into DIR/home/cache; prints `export APC_...` lines
              for a cache-hit benchmark with the same command line
  logins      N cold logins per provider: wall time, the fakes' own time,
              HTTP round trips, CPU time and peak RSS (wait4)
  concurrent  N processes at once with the same settings and an empty cache:
              total time, logins made at the IdP and STS
  browser     -p browser: one window sign-in typed on a private Xvfb, then N
              headless refreshes from the kept session next to N runs of the
              floor (a bare headless Chromium, same flags, same page)
  trace       one verbose (-vv) login per provider, with its log
  serve       run the fakes and print a login command per provider until
              stdin closes (for profiling by hand)";

/// Requests and handler time seen by one fake.
#[derive(Default)]
struct Meter {
    requests: AtomicUsize,
    busy_ns: AtomicU64,
}

impl Meter {
    fn take(&self) -> (usize, Duration) {
        let n = self.requests.swap(0, Ordering::SeqCst);
        let ns = self.busy_ns.swap(0, Ordering::SeqCst);
        (n, Duration::from_nanos(ns))
    }
}

fn metered(router: Router, meter: Arc<Meter>) -> Router {
    router.layer(middleware::from_fn(move |req: Request, next: Next| {
        let meter = meter.clone();
        async move {
            let t = Instant::now();
            let resp = next.run(req).await;
            meter
                .busy_ns
                .fetch_add(t.elapsed().as_nanos() as u64, Ordering::SeqCst);
            meter.requests.fetch_add(1, Ordering::SeqCst);
            resp
        }
    }))
}

/// One provider set up against its fake.
struct Provider {
    label: &'static str,
    plugin: &'static str,
    endpoint: String,
    username: &'static str,
    role_arn: &'static str,
    meter: Arc<Meter>,
    /// HTTP requests to the IdP the protocol cannot do without.
    min_idp: usize,
    /// What the minimum consists of.
    min_why: &'static str,
}

/// The running fakes; dropping them stops the servers.
struct Fakes {
    _servers: Vec<Server>,
    sts_url: String,
    sts_meter: Arc<Meter>,
    sts: sandbox::sts::Sts,
    okta: sandbox::okta::Okta,
    providers: Vec<Provider>,
}

fn start_fakes(with_push: bool) -> Fakes {
    use sandbox::okta::{FactorSpec, OktaConfig, User};
    let mut servers = Vec::new();
    let sts_meter = Arc::new(Meter::default());
    let (r, sts) = sandbox::sts::router();
    let s = Server::http(metered(r, sts_meter.clone()));
    let sts_url = s.base_url();
    servers.push(s);

    let mut providers = Vec::new();
    let okta_meter = Arc::new(Meter::default());
    let mut users = vec![User::new("monty@example.com", PASSWORD)];
    if with_push {
        users.push(User::new("push@example.com", PASSWORD).factors(vec![FactorSpec::push(1)]));
    }
    let config = OktaConfig {
        users,
        ..OktaConfig::default()
    };
    let app = config.app_path();
    let (r, okta) = sandbox::okta::router(config);
    let s = Server::http(metered(r, okta_meter.clone()));
    okta.lock().unwrap().base_url = s.base_url();
    let okta_url = s.url(&app);
    servers.push(s);
    providers.push(Provider {
        label: "okta",
        plugin: "okta",
        endpoint: okta_url.clone(),
        username: "monty@example.com",
        role_arn: "arn:aws:iam::123456789012:role/okta-dev",
        meter: okta_meter.clone(),
        min_idp: 2,
        min_why: "POST /api/v1/authn, GET app link with sessionToken",
    });
    if with_push {
        providers.push(Provider {
            label: "okta + push MFA",
            plugin: "okta",
            endpoint: okta_url,
            username: "push@example.com",
            role_arn: "arn:aws:iam::123456789012:role/okta-dev",
            meter: okta_meter,
            min_idp: 5,
            min_why: "authn, verify (sends the push), poll (WAITING: the fake phone answers late), poll (SUCCESS), app link",
        });
    }

    let adfs_meter = Arc::new(Meter::default());
    let (r, _adfs) = sandbox::adfs::router(sandbox::adfs::AdfsConfig::default());
    let s = Server::http(metered(r, adfs_meter.clone()));
    providers.push(Provider {
        label: "adfs (3.0+ form)",
        plugin: "adfs",
        endpoint: sandbox::adfs::entry_url(&s),
        username: "Monty",
        role_arn: "arn:aws:iam::123456789012:role/ADFS-Dev",
        meter: adfs_meter,
        min_idp: 3,
        min_why: "GET IdpInitiatedSignOn (302), GET sign-in page, POST credentials",
    });
    servers.push(s);

    let forms_meter = Arc::new(Meter::default());
    let (r, forms) = sandbox::forms::router(sandbox::forms::FormsConfig::default());
    let s = Server::http(metered(r, forms_meter.clone()));
    providers.push(Provider {
        label: "forms (SimpleSAMLphp)",
        plugin: "forms",
        endpoint: sandbox::forms::entry_url(&s, &forms),
        username: "Monty",
        role_arn: "arn:aws:iam::123456789012:role/ADFS-Dev",
        meter: forms_meter,
        min_idp: 3,
        min_why: "GET SSO URL (302), GET login page, POST credentials",
    });
    servers.push(s);

    Fakes {
        _servers: servers,
        sts_url,
        sts_meter,
        sts,
        okta,
        providers,
    }
}

struct Opts {
    bin_dir: PathBuf,
    work: PathBuf,
    runs: usize,
    clients: usize,
}

fn parse_opts(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts {
        bin_dir: PathBuf::from("target/release"),
        work: std::env::temp_dir().join("apc-bench"),
        runs: 20,
        clients: 32,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut val = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{a} needs a value"))
        };
        match a.as_str() {
            "--bin-dir" => o.bin_dir = PathBuf::from(val()?),
            "--work" => o.work = PathBuf::from(val()?),
            "--runs" => {
                o.runs = val()?
                    .parse()
                    .map_err(|_| "--runs needs a number".to_string())?
            }
            "--clients" => {
                o.clients = val()?
                    .parse()
                    .map_err(|_| "--clients needs a number".to_string())?
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if !o.bin_dir.join("awsprocesscreds-saml").is_file() {
        return Err(format!(
            "{} has no awsprocesscreds-saml (build with `cargo build --release` first)",
            o.bin_dir.display()
        ));
    }
    Ok(o)
}

/// The login command, with a private environment: no AWS settings or
/// proxies from the caller, plugins only from next to the binary.
fn login_cmd(o: &Opts, p: &Provider, sts_url: &str, cache_dir: &Path) -> Command {
    let mut cmd = Command::new(o.bin_dir.join("awsprocesscreds-saml"));
    cmd.args([
        "-p",
        p.plugin,
        "-e",
        &p.endpoint,
        "-u",
        p.username,
        "-a",
        p.role_arn,
    ]);
    login_env(&mut cmd, o, sts_url, cache_dir);
    cmd
}

fn login_env(cmd: &mut Command, o: &Opts, sts_url: &str, cache_dir: &Path) {
    let home = o.work.join("home");
    let _ = std::fs::create_dir_all(&home);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("XDG_DATA_HOME", o.work.join("xdg"))
        .env("AWSPROCESSCREDS_CACHE_DIR", cache_dir)
        .env("AWSPROCESSCREDS_PASSWORD", PASSWORD)
        .env("AWS_ENDPOINT_URL_STS", sts_url)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", o.work.join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            o.work.join("no-aws-credentials"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
}

fn fresh_dir(base: &Path, name: &str) -> PathBuf {
    let d = base.join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create work directory");
    d
}

/// What one measured child process cost.
struct Run {
    wall: Duration,
    /// User + system CPU time.
    cpu: Duration,
    /// Peak resident set size, KiB.
    max_rss_kb: u64,
}

/// Run a login, measuring wall time, CPU time and peak RSS of the child
/// (via wait4), and fail loudly on an error.
// The child is reaped by wait4 (which std's `wait` cannot report rusage for).
#[allow(clippy::zombie_processes)]
fn measured_login(mut cmd: Command, what: &str) -> Run {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    let t = Instant::now();
    let mut child = cmd.spawn().expect("spawn awsprocesscreds-saml");
    let mut stdout = String::new();
    let mut stderr = String::new();
    // The outputs are a few hundred bytes: reading them in turn cannot
    // deadlock on a full pipe.
    let _ = child.stdout.take().unwrap().read_to_string(&mut stdout);
    let _ = child.stderr.take().unwrap().read_to_string(&mut stderr);
    let mut status = 0;
    // SAFETY: plain wait4(2) on our own child, with valid out-pointers; the
    // Child is not waited on again afterwards.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = t.elapsed();
    assert_eq!(rc, pid, "wait4 failed");
    let status = std::process::ExitStatus::from_raw(status);
    if !status.success() || !stdout.contains("\"AccessKeyId\"") {
        eprintln!("apc-bench: {what} failed ({status}):\n{stderr}");
        std::process::exit(1);
    }
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Run {
        wall,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        max_rss_kb: usage.ru_maxrss as u64,
    }
}

/// Run a login and return its wall time, failing loudly on an error.
fn timed_login(cmd: Command, what: &str) -> Duration {
    measured_login(cmd, what).wall
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn seed(o: &Opts) {
    let fakes = start_fakes(false);
    let p = &fakes.providers[0];
    let cache = o.work.join("home").join("cache");
    let _ = std::fs::remove_dir_all(&cache);
    timed_login(login_cmd(o, p, &fakes.sts_url, &cache), "seeding login");
    // The cache key includes the STS endpoint from the environment, so the
    // cache-hit runs must keep the same (now closed) URL.
    println!("export APC_ENDPOINT='{}'", p.endpoint);
    println!("export APC_USERNAME='{}'", p.username);
    println!("export APC_ROLE='{}'", p.role_arn);
    println!("export APC_STS='{}'", fakes.sts_url);
    println!("export APC_CACHE='{}'", cache.display());
}

fn logins(o: &Opts) {
    let fakes = start_fakes(true);
    let base = fresh_dir(&o.work, "logins");
    println!("### Full login against the local fakes (cold: empty cache, no IdP session)\n");
    println!(
        "{} runs per provider; password from AWSPROCESSCREDS_PASSWORD, role given with -a. \
         \"Fakes\" is the time spent inside the fake servers' handlers; \"beyond\" is wall minus fakes \
         (process start, plugin load, TLS roots, parsing, HTTP client, STS SDK, cache write). \
         CPU and peak RSS are the login process's own (wait4).\n",
        o.runs
    );
    println!("| provider | wall median (ms) | wall min (ms) | CPU median (ms) | fakes (ms) | beyond the fakes (ms) | IdP requests | protocol minimum | STS requests | peak RSS (MiB) |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut notes = Vec::new();
    for (pi, p) in fakes.providers.iter().enumerate() {
        let mut walls = Vec::new();
        let mut fake_times = Vec::new();
        let mut beyond = Vec::new();
        let mut idp_counts = Vec::new();
        let mut sts_counts = Vec::new();
        let mut cpus = Vec::new();
        let mut rss = Vec::new();
        // The push provider waits for the fake phone between polls: a few
        // runs suffice to count its round trips.
        let runs = if p.label.contains("push") {
            o.runs.min(3)
        } else {
            o.runs
        };
        for i in 0..runs {
            let cache = fresh_dir(&base, &format!("p{pi}-{i}"));
            p.meter.take();
            fakes.sts_meter.take();
            let run = measured_login(login_cmd(o, p, &fakes.sts_url, &cache), p.label);
            let wall = run.wall;
            cpus.push(run.cpu);
            rss.push(run.max_rss_kb);
            let (idp_n, idp_t) = p.meter.take();
            let (sts_n, sts_t) = fakes.sts_meter.take();
            walls.push(wall);
            fake_times.push(idp_t + sts_t);
            beyond.push(wall.saturating_sub(idp_t + sts_t));
            idp_counts.push(idp_n);
            sts_counts.push(sts_n);
        }
        rss.sort();
        let rss = format!("{:.1}", rss[rss.len() / 2] as f64 / 1024.0);
        idp_counts.sort();
        sts_counts.sort();
        let idp = idp_counts[idp_counts.len() / 2];
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            p.label,
            ms(median(&mut walls.clone())),
            ms(*walls.iter().min().unwrap()),
            ms(median(&mut cpus)),
            ms(median(&mut fake_times)),
            ms(median(&mut beyond)),
            idp,
            p.min_idp,
            sts_counts[sts_counts.len() / 2],
            rss
        );
        notes.push(format!(
            "- {}: minimum {} = {}",
            p.label, p.min_idp, p.min_why
        ));
    }
    println!("\nProtocol minimums (IdP requests, STS adds 1):\n");
    for n in notes {
        println!("{n}");
    }

    // IdP session reuse: the credentials are gone but the Okta session the
    // first login saved is still in the cache directory.
    let p = &fakes.providers[0];
    let cache = fresh_dir(&base, "session-reuse");
    timed_login(login_cmd(o, p, &fakes.sts_url, &cache), "session seed");
    p.meter.take();
    fakes.sts_meter.take();
    let mut walls = Vec::new();
    let mut idp_n = 0;
    for _ in 0..o.runs.min(10) {
        for e in std::fs::read_dir(&cache).unwrap().flatten() {
            if e.path().extension().is_some_and(|x| x == "json") {
                let _ = std::fs::remove_file(e.path());
            }
        }
        walls.push(timed_login(
            login_cmd(o, p, &fakes.sts_url, &cache),
            "session reuse",
        ));
        idp_n = p.meter.take().0;
        fakes.sts_meter.take();
    }
    println!(
        "\nOkta with a saved IdP session (credentials expired, session still valid): median {} ms, {} IdP request(s) + 1 STS.",
        ms(median(&mut walls)),
        idp_n
    );
}

fn concurrent(o: &Opts) {
    let fakes = start_fakes(false);
    let p = &fakes.providers[0];
    let cache = fresh_dir(&o.work, "concurrent-cache");
    let authn0 = fakes.okta.lock().unwrap().authn_calls;
    let sts0 = fakes.sts.lock().unwrap().assume_calls;
    let t = Instant::now();
    let children: Vec<_> = (0..o.clients)
        .map(|_| {
            login_cmd(o, p, &fakes.sts_url, &cache)
                .spawn()
                .expect("spawn")
        })
        .collect();
    let mut keys = std::collections::BTreeSet::new();
    let mut failures = 0;
    let mut slowest = Duration::ZERO;
    for c in children {
        let out = c.wait_with_output().expect("wait");
        slowest = slowest.max(t.elapsed());
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        if out.status.success() {
            let key = text
                .split("\"AccessKeyId\"")
                .nth(1)
                .and_then(|r| r.split('"').nth(1))
                .unwrap_or("")
                .to_string();
            keys.insert(key);
        } else {
            failures += 1;
            eprintln!(
                "apc-bench: a concurrent login failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    let total = t.elapsed();
    let authn = fakes.okta.lock().unwrap().authn_calls - authn0;
    let sts = fakes.sts.lock().unwrap().assume_calls - sts0;
    println!(
        "### {} concurrent cold requests (same profile, empty cache, Okta)\n",
        o.clients
    );
    println!("| total time (ms) | succeeded | distinct credentials | IdP logins (POST /api/v1/authn) | STS AssumeRoleWithSAML calls |");
    println!("|---:|---:|---:|---:|---:|");
    println!(
        "| {} | {}/{} | {} | {} | {} |",
        ms(total),
        o.clients - failures,
        o.clients,
        keys.len(),
        authn,
        sts
    );
    if failures > 0 {
        std::process::exit(1);
    }
}

/// Keep the fakes running and print one login command per provider, for
/// profiling by hand (`strace`, `perf`). Stops when stdin closes.
fn serve() {
    let fakes = start_fakes(false);
    println!("export AWS_ENDPOINT_URL_STS='{}' AWS_REGION=us-east-1 AWSPROCESSCREDS_PASSWORD='{PASSWORD}'", fakes.sts_url);
    for p in &fakes.providers {
        println!(
            "awsprocesscreds-saml --no-cache --no-idp-session -p {} -e '{}' -u '{}' -a '{}'",
            p.plugin, p.endpoint, p.username, p.role_arn
        );
    }
    let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut Vec::new());
}

/// One verbose login per provider, with its log, to see where time goes.
fn trace(o: &Opts) {
    let fakes = start_fakes(false);
    let base = fresh_dir(&o.work, "trace");
    for (i, p) in fakes.providers.iter().enumerate() {
        let cache = fresh_dir(&base, &format!("p{i}"));
        let mut cmd = login_cmd(o, p, &fakes.sts_url, &cache);
        cmd.arg("-vv");
        let t = Instant::now();
        let out = cmd.output().expect("spawn");
        println!(
            "== {} ({} ms, {})\n{}",
            p.label,
            ms(t.elapsed()),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn main() {
    sandbox::install_crypto_provider();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first() else {
        eprintln!("{USAGE}");
        std::process::exit(2);
    };
    if cmd == "--help" || cmd == "-h" {
        println!("{USAGE}");
        return;
    }
    let o = match parse_opts(&args[1..]) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("apc-bench: {e}\n{USAGE}");
            std::process::exit(2);
        }
    };
    let _ = std::fs::create_dir_all(&o.work);
    match cmd.as_str() {
        "seed" => seed(&o),
        "logins" => logins(&o),
        "concurrent" => concurrent(&o),
        "browser" => browser::run(&o),
        "trace" => trace(&o),
        "serve" => serve(),
        other => {
            eprintln!("apc-bench: unknown command {other:?}\n{USAGE}");
            std::process::exit(2);
        }
    }
}
