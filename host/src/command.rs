//! Run a user-configured command (`--password-command`,
//! `--mfa-code-command`) and take the first line of its output.

use std::io::Read;
use std::process::{Command, Stdio};
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

/// How long `--password-command` and `--mfa-code-command` may run (they may
/// wait for a GPG agent or a hardware token).
pub const TIMEOUT: Duration = Duration::from_secs(120);

/// Run `cmd` through the shell with stdin closed and stderr passed through;
/// return the first line of stdout. `what` names the flag in errors.
pub fn first_line(
    what: &'static str,
    cmd: &str,
    timeout: Duration,
) -> Result<Secret<String>, CommandError> {
    #[cfg(unix)]
    let mut command = {
        let mut c = Command::new("/bin/sh");
        c.arg("-c").arg(cmd);
        c
    };
    #[cfg(windows)]
    let mut command = {
        let mut c = Command::new("cmd");
        c.arg("/C").arg(cmd);
        c
    };
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|err| CommandError::Spawn { what, err })?;
    let mut stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = (&mut stdout).take(1 << 16).read_to_end(&mut buf);
        buf
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if start.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(CommandError::TimedOut {
                    what,
                    secs: timeout.as_secs(),
                });
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(err) => return Err(CommandError::Spawn { what, err }),
        }
    };
    let out = reader.join().unwrap_or_default();
    if !status.success() {
        return Err(CommandError::Failed {
            what,
            status: status
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
}
