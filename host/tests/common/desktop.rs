//! A private X server (Xvfb) for the browser tests, shared by the tests of
//! one binary, and xdotool as the person at it: find the window by its
//! title, type, press keys, close it. Nothing in the product is told it is
//! being tested: the browser opens its window on this display and a
//! "person" types into it.
//!
//! Without Chromium, Xvfb or xdotool the tests print `SKIPPED:` and pass,
//! except under `CI=true` (`.ci/browser-deps.sh` installs them).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

/// The browser the tests expect the product to find on `PATH`.
pub const CHROMIUM: &str = "chromium";

/// Print `SKIPPED: why`, or fail under `CI=true`.
pub fn skip<T>(why: &str) -> Option<T> {
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("CI=true but {why}: run .ci/browser-deps.sh (chromium, xvfb, xdotool)");
    }
    println!("SKIPPED: {why}");
    None
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// The installed Chromium, or `None` (skipped).
pub fn browser() -> Option<PathBuf> {
    match on_path(CHROMIUM) {
        Some(p) => Some(p),
        None => skip("chromium is not installed"),
    }
}

/// One X server for the whole test binary.
pub struct Desktop {
    _child: Child,
    pub display: String,
}

/// The shared desktop (started on first use, killed with the test
/// process), or `None` (skipped) without Chromium, Xvfb or xdotool.
pub fn shared() -> Option<&'static Desktop> {
    static DESKTOP: OnceLock<Option<Desktop>> = OnceLock::new();
    browser()?;
    DESKTOP.get_or_init(start).as_ref()
}

/// Windowed tests share the keyboard (there is no window manager): one at
/// a time.
pub fn one_window_at_a_time() -> MutexGuard<'static, ()> {
    static ONE: Mutex<()> = Mutex::new(());
    ONE.lock().unwrap_or_else(|p| p.into_inner())
}

fn start() -> Option<Desktop> {
    for tool in ["Xvfb", "xdotool"] {
        if on_path(tool).is_none() {
            return skip(&format!("{tool} is not installed"));
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
    // The X server must not outlive the test process (it is never
    // dropped: it lives in a static).
    // SAFETY: the closure runs in the forked child before exec and only
    // calls prctl(PR_SET_PDEATHSIG), which is async-signal-safe.
    #[allow(unsafe_code)]
    unsafe {
        use std::os::unix::process::CommandExt;
        cmd.pre_exec(|| {
            rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL))
                .map_err(std::io::Error::from)
        });
    }
    // The death signal follows the spawning thread: spawn from a thread
    // that lives as long as the process.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let spawned = cmd.spawn();
        let _ = tx.send(spawned);
        loop {
            std::thread::park();
        }
    });
    let mut child = rx.recv().unwrap().expect("start Xvfb");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let n: u32 = line
        .trim()
        .parse()
        .expect("Xvfb did not report its display");
    Some(Desktop {
        _child: child,
        display: format!(":{n}"),
    })
}

impl Desktop {
    /// Run xdotool on this display (bounded).
    fn xdotool(&self, args: &[&str]) -> Result<String, String> {
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

    /// Wait for the window titled `title`, focus it, type `fields` with a
    /// Tab between them, then Return: a person filling in a login form.
    pub fn fill_in(&self, title: &str, fields: &[&str]) {
        let id = self.window(title, Duration::from_secs(60));
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

/// Processes whose command line mentions `dir` (every process of a browser
/// started on a profile under `dir` does), as "pid cmdline"; zombies are
/// not running and do not count.
pub fn processes_under(dir: &Path) -> Vec<String> {
    let needle = dir.display().to_string();
    let mut found = Vec::new();
    let Ok(rd) = std::fs::read_dir("/proc") else {
        return found;
    };
    for e in rd.flatten() {
        let pid = e.file_name().to_string_lossy().into_owned();
        if !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let cmd = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
        let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
        let env = std::fs::read(e.path().join("environ")).unwrap_or_default();
        let env = String::from_utf8_lossy(&env);
        if !cmd.contains(&needle) && !env.contains(&needle) {
            continue;
        }
        let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
        let zombie = stat
            .rsplit(')')
            .next()
            .is_some_and(|s| s.trim_start().starts_with('Z'));
        if !zombie {
            found.push(format!(
                "{pid} {}",
                cmd.chars().take(120).collect::<String>()
            ));
        }
    }
    found
}

/// Wait (at most `limit`) until no browser process under `dir` runs:
/// Chromium's crash handlers leave a moment after the browser.
pub fn assert_no_browser_left(dir: &Path, limit: Duration) {
    let start = Instant::now();
    loop {
        let left: Vec<String> = processes_under(dir)
            .into_iter()
            .filter(|p| p.contains("chrom"))
            .collect();
        if left.is_empty() {
            return;
        }
        if start.elapsed() > limit {
            panic!("browser processes left running: {left:#?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
