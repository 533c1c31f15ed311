//! Ctrl-C, SIGTERM, SIGHUP and even SIGKILL of our process never leave a
//! browser running. The test binary runs itself as the "host" (the
//! `host_process` helper below), which starts a real headless Chromium
//! and waits; the test then signals it.
// Unix signals.
#![cfg(unix)]

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use awsprocesscreds_browser::launch::{launch, Launch};
use awsprocesscreds_browser::{live, Profile};

const HELPER: &str = "ENGINE_SIGNAL_HELPER_DIR";

/// Not a test of its own: does its work only when run by the tests below.
#[test]
fn host_process() {
    let Ok(dir) = std::env::var(HELPER) else {
        return;
    };
    live::install_signal_cleanup().unwrap();
    let browser = common::browser().unwrap();
    let profile = Profile::open(
        std::path::Path::new(&dir),
        &browser,
        None,
        Duration::from_secs(5),
    )
    .unwrap();
    let sinks = common::Logged::default().sinks();
    let running = launch(&Launch {
        browser: &browser,
        profile: &profile,
        headless: true,
        sinks: &sinks,
        start_timeout: Duration::from_secs(20),
    })
    .unwrap();
    println!("ready {}", profile.config_home().display());
    std::thread::sleep(Duration::from_secs(60));
    drop(running);
}

/// Start the helper and return it with the browser's config dir.
fn start_host() -> Option<(std::process::Child, std::path::PathBuf, tempfile::TempDir)> {
    common::browser()?;
    let tmp = tempfile::tempdir().unwrap();
    // libtest names a test by its module path below the test crate.
    let (_crate, module) = module_path!().split_once("::").unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            &format!("{module}::host_process"),
            "--nocapture",
            "--test-threads=1",
        ])
        .env(HELPER, tmp.path().join("browser/signals"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let mut lines = BufReader::new(out).lines();
    let config = loop {
        let line = lines.next().expect("the helper ended early").unwrap();
        // libtest prints "test host_process ... " before it.
        if let Some((_, dir)) = line.split_once("ready ") {
            break std::path::PathBuf::from(dir.trim());
        }
    };
    assert!(
        !common::processes_of(&config).is_empty(),
        "no browser started"
    );
    Some((child, config, tmp))
}

fn signal(pid: u32, sig: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{sig}"), &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

fn ends_by(sig: &str, signo: i32) {
    let Some((mut child, config, _tmp)) = start_host() else {
        return;
    };
    signal(child.id(), sig);
    let status = child.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(signo), "{status:?}");
    // Killed by the handler before the process ended.
    common::assert_nothing_left(&config);
}

#[test]
fn sigterm_kills_the_browser_then_the_process() {
    let _env = common::env::unchanged();
    ends_by("TERM", 15);
}

#[test]
fn sigint_kills_the_browser_then_the_process() {
    let _env = common::env::unchanged();
    ends_by("INT", 2);
}

#[test]
fn sighup_kills_the_browser_then_the_process() {
    let _env = common::env::unchanged();
    ends_by("HUP", 1);
}

/// SIGKILL cannot be handled: Chromium ends by itself when its control
/// pipe closes with our process.
#[test]
fn sigkill_of_the_host_ends_the_browser_through_the_closed_pipe() {
    let _env = common::env::unchanged();
    let Some((mut child, config, _tmp)) = start_host() else {
        return;
    };
    signal(child.id(), "KILL");
    let _ = child.wait();
    common::wait_nothing_left(&config, Duration::from_secs(10));
}
