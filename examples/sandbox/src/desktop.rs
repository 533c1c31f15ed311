//! A private X display (Xvfb) and a person at it (xdotool): for tests and
//! benchmarks of sign-ins in a browser window. The person finds the
//! window by its title, types into it and presses keys, as a person
//! would; nothing in the product is told.
//!
//! Xvfb picks a free display itself (`-displayfd`), listens on no TCP
//! port and is killed when the [`Desktop`] is dropped. There is no window
//! manager: [`Desktop::focus`] gives a window the keyboard.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running Xvfb.
pub struct Desktop {
    child: Child,
    /// `:N`, for `DISPLAY`.
    pub display: String,
}

/// Whether `name` is an executable on `PATH`.
pub fn on_path(name: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
}

impl Desktop {
    /// Start Xvfb, or say why not (Xvfb or xdotool missing, no display).
    pub fn start() -> Result<Desktop, String> {
        Self::start_with(|_| {})
    }

    /// [`Desktop::start`], letting the caller adjust the Xvfb command
    /// first (a parent-death signal for a desktop kept in a static).
    pub fn start_with(adjust: impl FnOnce(&mut Command)) -> Result<Desktop, String> {
        for tool in ["Xvfb", "xdotool"] {
            if !on_path(tool) {
                return Err(format!("{tool} is not installed"));
            }
        }
        let mut cmd = Command::new("Xvfb");
        cmd.args([
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
        .stderr(Stdio::null());
        adjust(&mut cmd);
        let mut child = cmd.spawn().map_err(|e| format!("cannot start Xvfb: {e}"))?;
        let mut line = String::new();
        let read = child
            .stdout
            .take()
            .map(|out| BufReader::new(out).read_line(&mut line));
        match (read, line.trim().parse::<u32>()) {
            (Some(Ok(_)), Ok(n)) => Ok(Desktop {
                child,
                display: format!(":{n}"),
            }),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                Err("Xvfb did not report its display".into())
            }
        }
    }

    /// Run xdotool on this display (bounded by `timeout 30`).
    pub fn xdotool(&self, args: &[&str]) -> Result<String, String> {
        let out = Command::new("timeout")
            .arg("30")
            .arg("xdotool")
            .args(args)
            .env("DISPLAY", &self.display)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run xdotool: {e}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    /// Wait (at most `limit`) for a visible window whose title contains
    /// `title`, as a person waits for it to appear; its id.
    pub fn window(&self, title: &str, limit: Duration) -> String {
        let start = Instant::now();
        let mut last = String::new();
        while start.elapsed() < limit {
            match self.xdotool(&["search", "--onlyvisible", "--name", title]) {
                Ok(out) => {
                    if let Some(id) = out.lines().next().filter(|l| !l.trim().is_empty()) {
                        return id.trim().to_string();
                    }
                }
                Err(e) => last = e,
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!(
            "no window titled {title:?} within {limit:?} (visible: {:?}) {last}",
            self.titles()
        );
    }

    /// The titles of the visible windows now.
    pub fn titles(&self) -> Vec<String> {
        let ids = self
            .xdotool(&["search", "--onlyvisible", "--name", ""])
            .unwrap_or_default();
        ids.lines()
            .filter_map(|id| self.xdotool(&["getwindowname", id.trim()]).ok())
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect()
    }

    /// Give window `id` the keyboard and let it settle.
    pub fn focus(&self, id: &str) {
        self.xdotool(&["windowfocus", "--sync", id])
            .unwrap_or_else(|e| panic!("focus {id}: {e}"));
        std::thread::sleep(Duration::from_millis(300));
    }

    /// Type as a person would (into the focused field).
    pub fn type_text(&self, text: &str) {
        self.xdotool(&["type", "--delay", "30", text])
            .unwrap_or_else(|e| panic!("type: {e}"));
    }

    /// Press a key (`Return`, `Tab`, `ctrl+w`).
    pub fn key(&self, key: &str) {
        self.xdotool(&["key", "--clearmodifiers", key])
            .unwrap_or_else(|e| panic!("key {key}: {e}"));
    }

    /// Wait (at most `limit`) for the window titled `title`, focus it,
    /// type `fields` with a Tab between them, then Return: a person
    /// filling in a login form.
    pub fn fill_in(&self, title: &str, fields: &[&str], limit: Duration) {
        let id = self.window(title, limit);
        self.focus(&id);
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                self.key("Tab");
            }
            self.type_text(f);
        }
        self.key("Return");
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
