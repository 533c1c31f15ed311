//! A private X server (Xvfb) per test, and xdotool acting as the person.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub struct Xvfb {
    child: Child,
    pub display: String,
}

impl Xvfb {
    /// Start Xvfb on a free display (it picks one and tells us through
    /// `-displayfd`), or `None` after `SKIPPED:` when Xvfb or xdotool is
    /// missing.
    pub fn start() -> Option<Xvfb> {
        for tool in ["/usr/bin/Xvfb", "/usr/bin/xdotool"] {
            if !std::path::Path::new(tool).exists() {
                return super::skip(&format!("{tool} is not installed"));
            }
        }
        let mut child = Command::new("Xvfb")
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
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let n: u32 = line
            .trim()
            .parse()
            .expect("Xvfb did not report its display");
        Some(Xvfb {
            child,
            display: format!(":{n}"),
        })
    }

    /// Run xdotool on this display (bounded), returning its stdout.
    pub fn xdotool(&self, args: &[&str]) -> String {
        match self.try_xdotool(args) {
            Ok(out) => out,
            Err(e) => panic!("xdotool {args:?} failed: {e}"),
        }
    }

    fn try_xdotool(&self, args: &[&str]) -> Result<String, String> {
        let out = Command::new("timeout")
            .arg("30")
            .arg("xdotool")
            .args(args)
            .env("DISPLAY", &self.display)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    /// Wait for a visible window whose title contains `title`; its id.
    pub fn window(&self, title: &str) -> String {
        let args = ["search", "--sync", "--onlyvisible", "--name", title];
        // Chromium creates and destroys helper windows while starting; a
        // search that trips over one ("BadWindow") is simply repeated.
        let mut last = String::new();
        for _ in 0..5 {
            match self.try_xdotool(&args) {
                Ok(out) => return out.lines().next().unwrap_or_default().trim().to_string(),
                Err(e) => last = e,
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        panic!("no window titled {title:?}: {last}");
    }

    /// Give window `id` the keyboard (there is no window manager) and let
    /// it settle.
    pub fn focus(&self, id: &str) {
        self.xdotool(&["windowfocus", "--sync", id]);
        std::thread::sleep(std::time::Duration::from_millis(300));
    }

    /// Type as a person would (into the focused field).
    pub fn type_text(&self, text: &str) {
        self.xdotool(&["type", "--delay", "40", text]);
    }

    pub fn key(&self, key: &str) {
        self.xdotool(&["key", "--clearmodifiers", key]);
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
