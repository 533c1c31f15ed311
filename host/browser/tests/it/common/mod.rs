//! Shared pieces of the browser engine's tests: the browser (or a
//! `SKIPPED:` line), a tiny IdP-like HTTP server on 127.0.0.1, SAML
//! fixtures, log capture, and the "nothing left running" check.
#![allow(dead_code)]

pub mod attempt;
pub mod env;
pub mod fake_browser;
pub mod http;
pub mod idp_pages;
pub mod xvfb;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use awsprocesscreds_browser::{find, CaptureRule, Installed, Level, Profile, Sinks};

/// Debian's Chromium (a wrapper script that execs the binary).
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// The browser to test with, or `None` after printing `SKIPPED:` (a
/// failure under `CI=true`).
pub fn browser() -> Option<Installed> {
    match find::find(Some(Path::new(CHROMIUM))) {
        Ok(b) => Some(b),
        Err(e) => skip(&format!("no Chromium at {CHROMIUM} ({e})")),
    }
}

/// Print `SKIPPED: why`, or fail under `CI=true`.
pub fn skip<T>(why: &str) -> Option<T> {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but {why}: install it (apt-get install chromium xvfb xdotool)");
    }
    println!("SKIPPED: {why}");
    None
}

/// A private temp dir with a locked profile for `browser`.
pub struct TestProfile {
    pub tmp: tempfile::TempDir,
    pub profile: Profile,
}

impl TestProfile {
    /// [`assert_nothing_left`] for this profile's browser.
    pub fn assert_nothing_left(&self) {
        assert_nothing_left(&config_home(self));
    }
}

pub fn profile(browser: &Installed) -> TestProfile {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("browser/test-idp");
    let profile = Profile::open(&dir, browser, None, Duration::from_secs(5)).unwrap();
    TestProfile { tmp, profile }
}

/// Log lines and secrets the engine reported.
#[derive(Clone, Default)]
pub struct Logged {
    pub lines: Arc<Mutex<Vec<(Level, String)>>>,
    pub secrets: Arc<Mutex<Vec<String>>>,
}

impl Logged {
    pub fn sinks(&self) -> Sinks {
        let lines = self.lines.clone();
        let secrets = self.secrets.clone();
        let echo = std::env::var("ENGINE_TEST_LOG").is_ok();
        Sinks::new(
            move |level, msg| {
                if echo {
                    eprintln!("{level:?}: {msg}");
                }
                lines.lock().unwrap().push((level, msg.to_string()))
            },
            move |s| secrets.lock().unwrap().push(s.to_string()),
        )
    }

    pub fn text(&self) -> String {
        self.lines
            .lock()
            .unwrap()
            .iter()
            .map(|(_, l)| l.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The capture rule the host builds: the sign-in host of every partition
/// (regional subdomains of the commercial one), plus an override.
pub fn aws_rule(override_url: Option<&str>) -> CaptureRule {
    let mut r = CaptureRule::new()
        .endpoint(idp_pages::AWS_SIGNIN, true)
        .unwrap()
        .endpoint("https://signin.amazonaws-us-gov.com/saml", false)
        .unwrap()
        .endpoint("https://signin.amazonaws.cn/saml", false)
        .unwrap();
    if let Some(u) = override_url {
        r = r.endpoint(u, false).unwrap();
    }
    r
}

/// Processes whose environment names `config_home` (every process of a
/// browser we started inherits `CHROME_CONFIG_HOME`), as "pid cmdline".
pub fn processes_of(config_home: &Path) -> Vec<String> {
    let needle = format!("CHROME_CONFIG_HOME={}", config_home.display());
    let mut found = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return found;
    };
    for e in dir.flatten() {
        let pid = e.file_name().to_string_lossy().into_owned();
        if !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Ok(env) = std::fs::read(e.path().join("environ")) else {
            continue;
        };
        if env.split(|&b| b == 0).any(|v| v == needle.as_bytes()) {
            // A zombie has an empty cmdline and is not running.
            let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
            if stat
                .rsplit(')')
                .next()
                .is_some_and(|s| s.trim_start().starts_with('Z'))
            {
                continue;
            }
            let cmd = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
            let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
            found.push(format!(
                "{pid} {}",
                cmd.chars().take(100).collect::<String>()
            ));
        }
    }
    found
}

/// Assert that no process of the browser on `config_home` runs. The
/// browser's own process group is gone when the engine returns; Chromium's
/// crash handlers (started with their own session, outside the group)
/// notice the browser's end and exit by themselves a moment later, so
/// they get a few seconds.
pub fn assert_nothing_left(config_home: &Path) {
    let start = Instant::now();
    loop {
        let left = processes_of(config_home);
        let only_crashpad = left.iter().all(|p| p.contains("crashpad"));
        if left.is_empty() {
            return;
        }
        if !only_crashpad || start.elapsed() > Duration::from_secs(5) {
            panic!("browser processes left running: {left:#?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Wait until no process of the browser on `config_home` runs (for a
/// browser that ends by itself: its pipe closed), failing after `limit`.
pub fn wait_nothing_left(config_home: &Path, limit: Duration) {
    let start = Instant::now();
    loop {
        let left = processes_of(config_home);
        if left.is_empty() {
            return;
        }
        if start.elapsed() > limit {
            panic!("browser processes still running after {limit:?}: {left:#?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Write an executable script (a fake browser).
#[cfg(unix)]
pub fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// The profile's config dir (for [`processes_of`]).
pub fn config_home(p: &TestProfile) -> PathBuf {
    p.profile.config_home().to_path_buf()
}

/// Every file under `dir`, recursively (symlinks not followed).
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let Ok(t) = e.file_type() else { continue };
            if t.is_dir() {
                out.extend(files(&e.path()));
            } else if t.is_file() {
                out.push(e.path());
            }
        }
    }
    out
}
