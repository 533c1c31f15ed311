//! The browser's version, for `doctor`: `PATH --version` in a bounded
//! child process (on Windows, where Chrome prints nothing, the version
//! directory next to the executable).

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::find::Installed;

/// At most this much of the output is read.
const MAX_OUTPUT: u64 = 4096;

/// One line such as `Chromium 156.0.8078.114 built on Debian GNU/Linux
/// 12 (bookworm)` or `Google Chrome 131.0.6778.85`.
pub fn version(browser: &Installed, timeout: Duration) -> Result<String, Error> {
    if cfg!(windows) {
        if let Some(v) = version_dir(browser) {
            return Ok(v);
        }
    }
    let mut cmd = Command::new(&browser.path);
    cmd.arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    crate::launch::own_group(&mut cmd);
    let mut child = cmd.spawn().map_err(|source| Error::Spawn {
        path: browser.path.clone(),
        source,
    })?;
    let (tx, rx) = std::sync::mpsc::channel();
    if let Some(out) = child.stdout.take() {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = out.take(MAX_OUTPUT).read_to_end(&mut buf);
            let _ = tx.send(buf);
        });
    }
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if start.elapsed() < timeout => std::thread::sleep(Duration::from_millis(20)),
            _ => break None,
        }
    };
    let Some(status) = status else {
        crate::launch::kill_tree(&mut child);
        return Err(Error::NoAnswer {
            what: "--version".into(),
            after: timeout,
        });
    };
    let out = rx.recv_timeout(Duration::from_secs(1)).unwrap_or_default();
    let text = String::from_utf8_lossy(&out);
    let line = text.lines().map(str::trim).find(|l| !l.is_empty());
    match line {
        Some(line) if status.success() => Ok(line.to_string()),
        _ => Err(Error::Unusable {
            path: browser.path.clone(),
            why: format!("`--version` failed ({status})"),
        }),
    }
}

/// Chrome, Edge and Brave on Windows install into
/// `Application\<version>\` next to the executable.
fn version_dir(browser: &Installed) -> Option<String> {
    let dir = browser.path.parent()?;
    let mut versions: Vec<Vec<u32>> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let parts: Option<Vec<u32>> = name.split('.').map(|p| p.parse().ok()).collect();
            parts.filter(|p| p.len() == 4)
        })
        .collect();
    versions.sort();
    let newest = versions.pop()?;
    let v: Vec<String> = newest.iter().map(u32::to_string).collect();
    Some(format!("{} {}", browser.family.name(), v.join(".")))
}
