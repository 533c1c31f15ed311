//! `cargo run -p sandbox -- browser` must work for a newcomer: a window
//! opens on the fake IdP (on a private Xvfb here, xdotool typing the demo
//! password the page shows), credentials come out, and the second run
//! refreshes headless. Without a display it says one is needed.
//!
//! Without Chromium, Xvfb or xdotool it prints `SKIPPED:` and passes,
//! except under CI=true.

// Xvfb and xdotool: Linux.
#![cfg(unix)]

use std::process::{Command, Stdio};
use std::time::Duration;

use sandbox::desktop::{on_path, Desktop};

fn skip(why: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but {why}: run .ci/browser-deps.sh");
    }
    println!("SKIPPED: {why}");
}

#[test]
fn browser_demo_signs_in_in_a_window_then_headless() {
    if !on_path("chromium") {
        return skip("chromium is not installed");
    }
    let desktop = match Desktop::start() {
        Ok(d) => d,
        Err(why) => return skip(&why),
    };
    let no_display = Command::new(env!("CARGO_BIN_EXE_sandbox"))
        .arg("browser")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert!(!no_display.status.success());
    assert!(String::from_utf8_lossy(&no_display.stderr).contains("desktop session"));

    let demo = Command::new(env!("CARGO_BIN_EXE_sandbox"))
        .arg("browser")
        .env("DISPLAY", &desktop.display)
        .env_remove("AWS_PROFILE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The demo builds the tool first: give it time, as a newcomer would.
    desktop.fill_in(
        "Enter your username and password",
        &["Monty", "hunter2"],
        Duration::from_secs(600),
    );
    let out = demo.wait_with_output().unwrap();
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
