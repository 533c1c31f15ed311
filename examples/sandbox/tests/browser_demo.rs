//! `cargo run -p sandbox -- browser` must work for a newcomer: a window
//! opens on the fake IdP (on a private Xvfb here, xdotool typing the demo
//! password the page shows), credentials come out, and the second run
//! refreshes headless. Without a display it says one is needed.
//!
//! Without Chromium, Xvfb or xdotool it prints `SKIPPED:` and passes,
//! except under CI=true.

// Test code: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Xvfb and xdotool: Linux.
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn on_path(name: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
}

fn xdotool(display: &str, args: &[&str]) -> String {
    let out = Command::new("timeout")
        .arg("30")
        .arg("xdotool")
        .args(args)
        .env("DISPLAY", display)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn browser_demo_signs_in_in_a_window_then_headless() {
    for tool in ["chromium", "Xvfb", "xdotool"] {
        if !on_path(tool) {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true but {tool} is missing: run .ci/browser-deps.sh");
            }
            println!("SKIPPED: {tool} is not installed");
            return;
        }
    }
    let no_display = Command::new(env!("CARGO_BIN_EXE_sandbox"))
        .arg("browser")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert!(!no_display.status.success());
    assert!(String::from_utf8_lossy(&no_display.stderr).contains("desktop session"));

    let mut xvfb = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "1280x900x24",
            "-nolisten",
            "tcp",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(xvfb.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let display = format!(":{}", line.trim());
    let demo = Command::new(env!("CARGO_BIN_EXE_sandbox"))
        .arg("browser")
        .env("DISPLAY", &display)
        .env_remove("AWS_PROFILE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The demo builds the tool first: give it time, as a newcomer would.
    let start = Instant::now();
    let id = loop {
        let out = xdotool(
            &display,
            &[
                "search",
                "--onlyvisible",
                "--name",
                "Enter your username and password",
            ],
        );
        if let Some(id) = out.lines().next().filter(|l| !l.trim().is_empty()) {
            break id.trim().to_string();
        }
        assert!(
            start.elapsed() < Duration::from_secs(600),
            "no login window"
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    xdotool(&display, &["windowfocus", "--sync", &id]);
    std::thread::sleep(Duration::from_millis(300));
    xdotool(&display, &["type", "--delay", "30", "Monty"]);
    xdotool(&display, &["key", "Tab"]);
    xdotool(&display, &["type", "--delay", "30", "hunter2"]);
    xdotool(&display, &["key", "Return"]);
    let out = demo.wait_with_output().unwrap();
    let _ = xvfb.kill();
    let _ = xvfb.wait();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "sandbox browser failed:\n{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert!(v["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
    assert!(stderr.contains("the headless refresh"), "{stderr}");
    assert!(
        stderr.contains("1 password login(s) and 1 session reuse(s)"),
        "{stderr}"
    );
}
