//! Shared by the conformance, bad-input, fault and secret suites:
//! a "wild" web server whose every path answers what a test scripts (bad
//! pages, broken JSON, loops, huge or slow bodies), generators of broken
//! SAML responses, and the real AWS tools (AWS CLI, moto) from the test
//! venv made by `.ci/conformance-deps.sh`.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use sandbox::axum::body::Body;
use sandbox::axum::extract::{Request, State};
use sandbox::axum::http::{HeaderName, HeaderValue, StatusCode};
use sandbox::axum::response::Response;
use sandbox::axum::Router;
use sandbox::saml::{AssertionBuilder, Role};
use sandbox::Server;

/// What one path of the wild server answers.
#[derive(Debug, Clone, Default)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Option<Duration>,
}

impl Reply {
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status: 200,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
            delay: None,
        }
    }

    pub fn html(body: impl Into<Vec<u8>>) -> Reply {
        Self::ok("text/html; charset=utf-8", body)
    }

    pub fn status(status: u16, body: &str) -> Reply {
        Reply {
            status,
            body: body.as_bytes().to_vec(),
            ..Reply::default()
        }
    }

    pub fn redirect(to: &str) -> Reply {
        Reply {
            status: 302,
            headers: vec![("location".into(), to.into())],
            ..Reply::default()
        }
    }

    pub fn header(mut self, k: &str, v: &str) -> Reply {
        self.headers.push((k.into(), v.into()));
        self
    }

    pub fn delayed(mut self, d: Duration) -> Reply {
        self.delay = Some(d);
        self
    }
}

/// Scripted answers by path (query ignored) and a hit counter.
#[derive(Debug, Default)]
pub struct WildState {
    pub routes: HashMap<String, Reply>,
    pub hits: usize,
    /// Every request as `METHOD path`.
    pub seen: Vec<String>,
}

/// A server answering whatever the test put in its routes.
pub struct Wild {
    pub server: Server,
    pub state: Arc<Mutex<WildState>>,
}

async fn answer(State(st): State<Arc<Mutex<WildState>>>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let reply = {
        let mut s = st.lock().unwrap();
        s.hits += 1;
        s.seen.push(format!("{} {path}", req.method()));
        s.routes.get(&path).cloned()
    };
    let Some(r) = reply else {
        return Response::builder()
            .status(404)
            .body(Body::from("no such page in the wild server"))
            .unwrap();
    };
    if let Some(d) = r.delay {
        tokio::time::sleep(d).await;
    }
    let mut resp = Response::new(Body::from(r.body));
    *resp.status_mut() = StatusCode::from_u16(r.status).unwrap();
    for (k, v) in r.headers {
        resp.headers_mut().append(
            HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(&v).unwrap(),
        );
    }
    resp
}

impl Wild {
    pub fn start() -> Wild {
        Self::start_with(None, "127.0.0.1")
    }

    /// Over TLS with `pki`'s server certificate, naming itself `host`.
    pub fn start_with(pki: Option<&sandbox::pki::TestPki>, host: &str) -> Wild {
        let state: Arc<Mutex<WildState>> = Arc::default();
        let router = Router::new().fallback(answer).with_state(state.clone());
        let server = Server::start(router, pki, host, 0);
        Wild { server, state }
    }

    pub fn set(&self, path: &str, reply: Reply) {
        self.state
            .lock()
            .unwrap()
            .routes
            .insert(path.to_string(), reply);
    }

    pub fn url(&self, path: &str) -> String {
        self.server.url(path)
    }

    pub fn hits(&self) -> usize {
        self.state.lock().unwrap().hits
    }
}

/// A role in account 123456789012 with provider `fixture` (as the harness).
pub fn fixture_role(name: &str) -> Role {
    Role::new("123456789012", name, "fixture")
}

fn b64(bytes: impl AsRef<[u8]>) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Named SAML responses (base64, as an IdP page carries them), good and bad.
pub fn assertion(name: &str) -> String {
    let good = || AssertionBuilder::default().roles(vec![fixture_role("dev")]);
    match name {
        "good" => good().base64(),
        "two-roles" => AssertionBuilder::default()
            .roles(vec![fixture_role("dev"), fixture_role("admin")])
            .base64(),
        "no-roles" => AssertionBuilder::default().roles(vec![]).base64(),
        "bad-base64" => "PHNhbWxwOlJlc3BvbnNl!!not base64".into(),
        "not-utf8" => b64([0x3c, 0xff, 0xfe, 0x00, 0x3e]),
        "empty" => String::new(),
        "malformed-xml" => b64(
            r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><saml:Assertion>"#,
        ),
        "entity-bomb" => b64(concat!(
            r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">"#,
            r#"<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">"#,
            r#"<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">"#,
            r#"<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>"#,
            r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&lol3;</samlp:Response>"#
        )),
        "external-entity" => b64(concat!(
            r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>"#,
            r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&x;</samlp:Response>"#
        )),
        "html" => b64("<html><body><h1>Sign in</h1></body></html>"),
        "status-failure" => b64(
            r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Requester"/></samlp:Status></samlp:Response>"#,
        ),
        "malformed-roles" => {
            let xml = good().xml().replace(
                "arn:aws:iam::123456789012:role/dev",
                "arn:aws:iam::123456789012:user/dev",
            );
            b64(xml)
        }
        "role-without-principal" => {
            let xml = good()
                .xml()
                .replace(",arn:aws:iam::123456789012:saml-provider/fixture", "");
            b64(xml)
        }
        "non-ascii-role" => AssertionBuilder::default()
            .roles(vec![fixture_role("dév-ü"), fixture_role("ops")])
            .session_name(Some("mönty@exämple.com"))
            .base64(),
        "too-large" => {
            // Bigger than the 4 MiB cap on assertions, smaller than the
            // 10 MiB cap on HTTP bodies: the SAML check must catch it.
            let xml = good().xml();
            let pad = format!("<!--{}-->", "x".repeat(5 * 1024 * 1024));
            b64(format!("{xml}{pad}"))
        }
        "expired" => AssertionBuilder::default()
            .roles(vec![fixture_role("dev")])
            .valid_for(time::Duration::minutes(-10))
            .base64(),
        other => panic!("no assertion preset {other:?}"),
    }
}

/// A big HTML body (11 MiB, over the host's 10 MiB cap).
pub fn huge_body() -> Vec<u8> {
    let mut v = b"<html><body>".to_vec();
    v.resize(11 * 1024 * 1024, b'a');
    v
}

// ---------------------------------------------------------------------------
// Real AWS tools from the test venv.

/// Where `.ci/conformance-deps.sh` puts the venv, or AWSPROCESSCREDS_TEST_VENV.
pub fn venv_dir() -> PathBuf {
    match std::env::var_os("AWSPROCESSCREDS_TEST_VENV") {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap()
            .join("target")
            .join("conformance-venv"),
    }
}

/// The path of a venv tool (`aws`, `moto_server`): the venv first, then PATH.
pub fn tool(name: &str) -> Option<PathBuf> {
    let in_venv = venv_dir().join("bin").join(name);
    if in_venv.is_file() {
        return Some(in_venv);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// The tools a real-client test needs, or `None` (after printing why) when
/// they are missing outside CI. Under CI=true a missing tool fails the test.
pub fn require_tools(names: &[&str]) -> Option<Vec<PathBuf>> {
    let mut found = Vec::new();
    for n in names {
        match tool(n) {
            Some(p) => found.push(p),
            None => {
                let msg = format!(
                    "`{n}` not found in {} or PATH: run .ci/conformance-deps.sh (or set AWSPROCESSCREDS_TEST_VENV to a venv with awscli and moto[server])",
                    venv_dir().display()
                );
                if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
                    panic!("{msg}");
                }
                eprintln!("SKIPPED: {msg}");
                return None;
            }
        }
    }
    Some(found)
}

/// A running `moto_server` (killed on drop).
pub struct Moto {
    child: Child,
    pub url: String,
}

impl Moto {
    /// Start moto on a free loopback port and wait until it answers.
    pub fn start(moto_server: &Path) -> Moto {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut cmd = Command::new(moto_server);
        cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // moto must not outlive the test process, even when a test panics
        // or the process is killed: the kernel kills it with its parent
        // thread (callers keep that thread alive, see `shared_moto`).
        crate::common::dies_with_spawner(&mut cmd);
        let child = cmd.spawn().expect("start moto_server");
        let moto = Moto {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "moto_server did not start within 30s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        moto
    }
}

/// One moto for every suite of this test binary, started on first use
/// and killed when the test process exits. Every AssumeRoleWithSAML
/// there gets fresh keys, so tests sharing it never see each other's. `None` (after printing why) when the tools are
/// missing outside CI.
pub fn shared_moto() -> Option<&'static str> {
    static URL: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    URL.get_or_init(|| {
        let tools = require_tools(&["aws", "moto_server"])?;
        let (tx, rx) = std::sync::mpsc::channel();
        // The parent-death signal follows the thread that spawned moto, so
        // that thread lives as long as the process.
        std::thread::spawn(move || {
            let moto = Moto::start(&tools[1]);
            tx.send(moto.url.clone()).unwrap();
            loop {
                std::thread::park();
            }
        });
        Some(rx.recv().expect("moto thread"))
    })
    .as_deref()
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every file under `dir`, recursively.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() && !p.is_symlink() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The cache's contents (relative path -> bytes), lock files excluded
/// (taking a lock is not a change to the cache).
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    walk(dir)
        .into_iter()
        .filter(|p| p.extension().is_none_or(|x| x != "lock"))
        .map(|p| {
            let rel = p.strip_prefix(dir).unwrap().display().to_string();
            // Never open a FIFO or follow a link planted by a test.
            let special = std::fs::symlink_metadata(&p).map_or(true, |m| !m.is_file());
            let bytes = if special {
                b"<not a regular file>".to_vec()
            } else {
                std::fs::read(&p).unwrap_or_else(|e| format!("<unreadable: {e}>").into_bytes())
            };
            (rel, bytes)
        })
        .collect()
}

/// The cache entry files (`*.json`) under `dir`.
pub fn entries(dir: &Path) -> Vec<PathBuf> {
    walk(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "json") && p.parent() == Some(dir))
        .collect()
}

/// `aws sts get-caller-identity --profile PROFILE --output json` from the
/// venv's AWS CLI, in a clean environment: the test's home and cache, the
/// given config file, no shared credentials file, and moto as STS (for
/// the CLI's own call and, inherited by the credential process, for our
/// AssumeRoleWithSAML).
pub fn aws_get_caller_identity(
    aws: &Path,
    ctx: &crate::common::Ctx,
    config: &Path,
    moto: &str,
    profile: &str,
) -> Command {
    let mut cmd = Command::new(aws);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", ctx.home())
        .env("LC_ALL", "C.UTF-8")
        .env("AWS_CONFIG_FILE", config)
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            ctx.tmp.path().join("no-credentials"),
        )
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL_STS", moto)
        .env("AWSPROCESSCREDS_CACHE_DIR", ctx.cache_dir())
        .args([
            "sts",
            "get-caller-identity",
            "--profile",
            profile,
            "--output",
            "json",
        ])
        .stdin(Stdio::null());
    let _ = std::fs::create_dir_all(ctx.home());
    cmd
}

/// One AWS CLI world: a temp home and cache (from `Ctx`), moto as STS, a
/// config file the tests add profiles to.
pub struct Cli {
    pub ctx: crate::common::Ctx,
    pub moto: &'static str,
    pub aws: PathBuf,
    pub config: PathBuf,
}

/// A [`Cli`] world, or `None` (skip) without the venv's tools.
pub fn cli() -> Option<Cli> {
    let moto = shared_moto()?;
    let aws = tool("aws")?;
    let ctx = crate::common::Ctx::new();
    let config = ctx.tmp.path().join("aws-config");
    Some(Cli {
        ctx,
        moto,
        aws,
        config,
    })
}

impl Cli {
    /// Append `[profile name]` running our binary with `args` (absolute
    /// paths, no spaces or quotes: the line is joined with single spaces).
    pub fn profile(&self, name: &str, args: &[&str]) {
        let exe = crate::common::bin_dir().join("awsprocesscreds-saml");
        let mut line = format!("{}", exe.display());
        for a in args {
            assert!(
                !a.contains(' ') && !a.contains('\''),
                "keep profile args simple: {a}"
            );
            line.push(' ');
            line.push_str(a);
        }
        let mut text = std::fs::read_to_string(&self.config).unwrap_or_default();
        text.push_str(&format!(
            "[profile {name}]\nregion = us-east-1\ncredential_process = {line}\n\n"
        ));
        std::fs::write(&self.config, text).unwrap();
    }

    /// `aws sts get-caller-identity --profile name`, in a clean environment
    /// whose STS is moto.
    pub fn get_caller_identity(&self, profile: &str) -> Command {
        aws_get_caller_identity(&self.aws, &self.ctx, &self.config, self.moto, profile)
    }
}

/// The CLI succeeded and used the role `role` of `account`.
#[track_caller]
pub fn assert_assumed_role(out: &crate::common::Out, account: &str, role: &str) {
    assert_eq!(out.code, 0, "aws failed:\n{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("aws printed no JSON ({e}): {}", out.stdout));
    let arn = v["Arn"].as_str().unwrap_or_default();
    assert!(
        arn.starts_with(&format!("arn:aws:sts::{account}:assumed-role/{role}/")),
        "the CLI is not using the assumed role {role}: {v}"
    );
}
