//! The browser tests' desktop: one private X server (`sandbox::desktop`:
//! Xvfb, and xdotool as the person at it) shared by every suite of this
//! test binary, the browser it expects to be found, runs of the real
//! binary without a terminal, and the "nothing left running" check.
//!
//! Without Chromium, Xvfb or xdotool the tests print `SKIPPED:` and pass,
//! except under `CI=true` (`.ci/browser-deps.sh` installs them).

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

pub use sandbox::desktop::Desktop;

use super::Out;

/// The browser the tests expect the product to find on `PATH`.
pub const CHROMIUM: &str = "chromium";

/// How long a window may take to appear (Chromium starting under load).
pub const APPEARS_WITHIN: Duration = Duration::from_secs(60);

/// Print `SKIPPED: why`, or fail under `CI=true`.
pub fn skip<T>(why: &str) -> Option<T> {
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("CI=true but {why}: run .ci/browser-deps.sh (chromium, xvfb, xdotool)");
    }
    println!("SKIPPED: {why}");
    None
}

/// Whether Chromium is installed (else `SKIPPED:`).
pub fn browser() -> Option<()> {
    if sandbox::desktop::on_path(CHROMIUM) {
        Some(())
    } else {
        skip("chromium is not installed")
    }
}

/// The shared desktop (started on first use, killed with the test
/// process), or `None` (skipped) without Chromium, Xvfb or xdotool.
pub fn shared() -> Option<&'static Desktop> {
    static DESKTOP: OnceLock<Result<Desktop, String>> = OnceLock::new();
    browser()?;
    match DESKTOP.get_or_init(start) {
        Ok(d) => Some(d),
        Err(why) => skip(why),
    }
}

/// Windowed tests share the keyboard (there is no window manager): one at
/// a time, whichever suite they belong to.
pub fn one_window_at_a_time() -> MutexGuard<'static, ()> {
    static ONE: Mutex<()> = Mutex::new(());
    ONE.lock().unwrap_or_else(|p| p.into_inner())
}

/// Xvfb that dies with the test process (the desktop lives in a static
/// and is never dropped): the parent-death signal follows the spawning
/// thread, so it is spawned from a thread that lives as long as the
/// process.
fn start() -> Result<Desktop, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let started = Desktop::start_with(super::dies_with_spawner);
        let _ = tx.send(started);
        loop {
            std::thread::park();
        }
    });
    rx.recv().map_err(|e| e.to_string())?
}

/// Start `cmd` without a terminal (a new session), as an AWS client does,
/// with stdout and stderr captured.
pub fn spawn(mut cmd: Command) -> Child {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure runs in the forked child before exec and only
    // calls setsid, which is async-signal-safe.
    #[allow(unsafe_code)]
    unsafe {
        cmd.pre_exec(|| {
            rustix::process::setsid().map_err(std::io::Error::from)?;
            Ok(())
        });
    }
    cmd.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn")
}

/// Wait at most `limit` for `child` (killing it and failing beyond);
/// death by a signal is exit status 128 + the signal, as shells say.
pub fn finish(mut child: Child, limit: Duration) -> Out {
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "still running after {limit:?}; stderr:\n{}",
                err_t.join().unwrap()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    use std::os::unix::process::ExitStatusExt;
    Out {
        code: status
            .code()
            .unwrap_or_else(|| 128 + status.signal().unwrap_or(0)),
        stdout: out_t.join().unwrap(),
        stderr: err_t.join().unwrap(),
    }
}

/// Processes whose command line or environment mention `dir` (every
/// process of a browser started on a profile under `dir` does), as "pid
/// cmdline"; zombies are not running and do not count.
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
