//! Single flight across processes: a per-key lock file held with `flock`.
//!
//! When several processes need the same credentials at once (Terraform,
//! parallel `aws` calls, an IDE), the first takes the lock and logs in; the
//! others wait, then find the fresh cache entry. The kernel releases the
//! lock when its holder exits or dies, so a crashed login never blocks the
//! next one.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::error::{Error, Kind, Result};

/// A held lock; released on drop.
pub struct KeyLock {
    file: File,
}

impl Drop for KeyLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

/// Take the lock at `path`, waiting up to `timeout`. `on_wait` is called
/// once, after a short grace period, with the holder's pid when known, so
/// the caller can tell the user why nothing happens.
pub fn acquire(
    path: &Path,
    timeout: Duration,
    mut on_wait: impl FnMut(Option<u32>),
) -> Result<KeyLock> {
    let mut opts = OpenOptions::new();
    opts.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let file = opts.open(path).map_err(|e| {
        Error::io(format!("cannot open lock file {}: {e}", path.display()))
            .hint("check the permissions of the cache directory, or use --no-cache")
    })?;
    let start = Instant::now();
    let mut told = false;
    loop {
        match file.try_lock() {
            Ok(()) => {
                let mut file = file;
                let _ = file.set_len(0);
                let _ = file.seek(SeekFrom::Start(0));
                let _ = write!(file, "{}", std::process::id());
                let _ = file.flush();
                return Ok(KeyLock { file });
            }
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(Error::io(format!("cannot lock {}: {e}", path.display()))
                    .hint("the cache directory must be on a file system that supports locks, or use --no-cache"));
            }
        }
        let waited = start.elapsed();
        if !told && waited >= Duration::from_millis(750) {
            told = true;
            on_wait(holder_pid(&file));
        }
        if waited >= timeout {
            let who = holder_pid(&file)
                .map(|p| format!(" (pid {p})"))
                .unwrap_or_default();
            return Err(Error::new(Kind::Busy, format!(
                "gave up after {}s waiting for another awsprocesscreds login with the same settings{who}",
                timeout.as_secs()
            ))
            .hint("finish or cancel that login (it may be waiting for a password or MFA), or raise --lock-timeout"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn holder_pid(file: &File) -> Option<u32> {
    let mut s = String::new();
    let mut f = file;
    f.seek(SeekFrom::Start(0)).ok()?;
    f.take(32).read_to_string(&mut s).ok()?;
    s.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_taker_waits_and_times_out() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.lock");
        let held = acquire(&p, Duration::from_secs(1), |_| {}).unwrap();
        let mut saw = None;
        let err = acquire(&p, Duration::from_millis(900), |pid| saw = pid)
            .err()
            .expect("must time out");
        assert!(err
            .message
            .contains("waiting for another awsprocesscreds login"));
        assert_eq!(saw, Some(std::process::id()));
        drop(held);
        assert!(acquire(&p, Duration::from_secs(1), |_| {}).is_ok());
    }
}
