//! Run a user-configured command (`--password-command`,
//! `--mfa-code-command`) and take the first line of its output.

use std::io::Read;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use plugin_api::Secret;

/// Why a command produced no value.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error("could not run {what} ({err})")]
    Spawn {
        what: &'static str,
        err: std::io::Error,
    },
    #[error("{what} exited with status {status}")]
    Failed { what: &'static str, status: String },
    #[error("{what} printed nothing")]
    Empty { what: &'static str },
    #[error("{what} did not finish within {secs}s")]
    TimedOut { what: &'static str, secs: u64 },
}

/// Most output we read from a command (a password is one short line).
const MAX_OUTPUT: usize = 1 << 16;

/// Run `cmd` through the shell (`/bin/sh -c`, on Windows `cmd /C`; see
/// `mod imp`) with stdin closed and stderr passed through;
/// return the first line of stdout. `what` names the flag in errors.
///
/// We stop reading at the first newline or when the command exits: a
/// background process it started that keeps stdout open (`cmd &`) does not
/// keep us waiting. The whole run is bounded by `timeout` (callers pass
/// `--mfa-timeout`, default 120 s: the time a person has to answer a
/// pinentry or touch a token).
pub fn first_line(
    what: &'static str,
    cmd: &str,
    timeout: Duration,
) -> Result<Secret<String>, CommandError> {
    let mut child = imp::shell(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|err| CommandError::Spawn { what, err })?;
    let Some(stdout) = child.stdout.take() else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(CommandError::Empty { what });
    };
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    // The reader may block forever on a pipe a grandchild holds open; it
    // is detached and dies with the process.
    std::thread::spawn(move || {
        let mut stdout = stdout;
        let mut buf = [0u8; 4096];
        let mut total = 0;
        loop {
            match stdout.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    total += n;
                    let done = buf[..n].contains(&b'\n') || total >= MAX_OUTPUT;
                    if tx.send(buf[..n].to_vec()).is_err() || done {
                        return;
                    }
                }
            }
        }
    });
    let start = Instant::now();
    let mut out: Vec<u8> = Vec::new();
    let mut status = None;
    let have_line = |out: &[u8]| out.contains(&b'\n') || out.len() >= MAX_OUTPUT;
    loop {
        while let Ok(chunk) = rx.try_recv() {
            out.extend_from_slice(&chunk);
        }
        if status.is_none() {
            status = child
                .try_wait()
                .map_err(|err| CommandError::Spawn { what, err })?;
        }
        if have_line(&out) {
            break;
        }
        if let Some(s) = status {
            // Exited: what it wrote is already in the pipe; wait only
            // briefly for the reader to hand it over (a background process
            // may hold the pipe open forever).
            while let Ok(chunk) = rx.recv_timeout(Duration::from_millis(100)) {
                out.extend_from_slice(&chunk);
                if have_line(&out) {
                    break;
                }
            }
            status = Some(s);
            break;
        }
        if start.elapsed() >= timeout {
            let _ = child.kill();
            let _ = child.wait();
            return Err(CommandError::TimedOut {
                what,
                secs: timeout.as_secs(),
            });
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    if status.is_none() {
        // We have our line; give the command a moment to report failure,
        // then stop waiting for it.
        let grace = Instant::now() + Duration::from_secs(1);
        while status.is_none() && Instant::now() < grace {
            status = child.try_wait().ok().flatten();
            if status.is_none() {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        if status.is_none() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
    if let Some(s) = status.filter(|s| !s.success()) {
        return Err(CommandError::Failed {
            what,
            status: s
                .code()
                .map(|c| c.to_string())
                .unwrap_or_else(|| "killed".into()),
        });
    }
    let text = String::from_utf8_lossy(&out);
    let line = text.lines().next().unwrap_or("").trim_end_matches('\r');
    if line.is_empty() {
        return Err(CommandError::Empty { what });
    }
    Ok(Secret::new(line.to_string()))
}

/// The system shell, given the user's command line verbatim.
#[cfg(unix)]
mod imp {
    use std::process::Command;

    /// `/bin/sh -c CMD`: the command line is one argument, as the user
    /// typed it in their config.
    pub fn shell(cmd: &str) -> Command {
        let mut c = Command::new("/bin/sh");
        c.arg("-c").arg(cmd);
        c
    }
}

/// The system shell, given the user's command line verbatim.
#[cfg(windows)]
mod imp {
    use std::os::windows::process::CommandExt;
    use std::process::Command;

    use crate::env_vars as ev;

    /// `cmd /D /S /C "CMD"`. `cmd` does its own parsing of the whole line,
    /// so the command must reach it unquoted by std (which would escape
    /// its quotes the C-runtime way and mangle `"C:\Program Files\..."`):
    /// `raw_arg` passes it as written, and `/S` makes cmd strip exactly the
    /// outer pair of quotes we add. `/D` skips AutoRun commands from the
    /// registry, which could print to stdout before the password.
    pub fn shell(cmd: &str) -> Command {
        let comspec = std::env::var_os(ev::COMSPEC).unwrap_or_else(|| "cmd.exe".into());
        let mut c = Command::new(comspec);
        c.args(["/D", "/S", "/C"]).raw_arg(format!("\"{cmd}\""));
        c
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn takes_first_line_and_reports_failures() {
        let t = Duration::from_secs(5);
        assert_eq!(
            first_line("--password-command", "printf 'pw\\nsecond\\n'", t)
                .unwrap()
                .expose(),
            "pw"
        );
        assert!(matches!(
            first_line("--password-command", "exit 3", t),
            Err(CommandError::Failed { .. })
        ));
        assert!(matches!(
            first_line("--password-command", "true", t),
            Err(CommandError::Empty { .. })
        ));
        assert!(matches!(
            first_line("--password-command", "sleep 5", Duration::from_millis(200)),
            Err(CommandError::TimedOut { .. })
        ));
    }

    #[test]
    fn a_background_child_holding_the_pipe_does_not_keep_us() {
        let t = Duration::from_secs(30);
        let start = Instant::now();
        // The shell exits at once; `sleep` keeps stdout open for 20 s.
        assert_eq!(
            first_line("--password-command", "printf 'pw\\n'; sleep 20 &", t)
                .unwrap()
                .expose(),
            "pw"
        );
        // No newline, and the pipe stays open after the exit.
        assert_eq!(
            first_line("--password-command", "printf 'pw2'; sleep 20 &", t)
                .unwrap()
                .expose(),
            "pw2"
        );
        // A line, then the command goes on running in the foreground.
        assert_eq!(
            first_line("--password-command", "printf 'pw3\\n'; sleep 20", t)
                .unwrap()
                .expose(),
            "pw3"
        );
        // Not a speed check: without the fix each case waits 20 s.
        assert!(start.elapsed() < Duration::from_secs(15));
    }
}
