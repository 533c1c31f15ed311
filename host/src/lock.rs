//! Single flight across processes: a per-key lock file held with
//! `File::try_lock` (`flock` on Unix, `LockFileEx` on Windows).
//!
//! When several processes need the same credentials at once (Terraform,
//! parallel `aws` calls, an IDE), the first takes the lock and logs in; the
//! others wait, then find the fresh cache entry. The kernel releases the
//! lock when its holder exits or dies, so a crashed login never blocks the
//! next one.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::error::{Error, Kind, Result};
use crate::log;
use crate::safe_fs::{self, Refused};

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
///
/// The lock file is opened through `safe_fs` (a planted symlink is never
/// followed, so its target is never truncated; a FIFO never blocks). Once
/// locked, the path must still name the file we hold: a lock file removed
/// (stale-lock cleanup, `cache clear`) or replaced meanwhile is opened
/// again, so two processes never both believe they hold the lock.
pub fn acquire(
    path: &Path,
    timeout: Duration,
    mut on_wait: impl FnMut(Option<u32>),
) -> Result<KeyLock> {
    let start = Instant::now();
    let mut told = false;
    'reopen: loop {
        let file = open(path)?;
        loop {
            match file.try_lock() {
                Ok(()) => {
                    if !safe_fs::still_at(&file, path) {
                        continue 'reopen;
                    }
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
}

fn open(path: &Path) -> Result<File> {
    match safe_fs::open_lock(path) {
        Ok(f) => Ok(f),
        Err(Refused::Io(e)) => Err(Error::io(format!(
            "cannot open lock file {}: {e}",
            path.display()
        ))
        .hint("check the permissions of the cache directory, or use --no-cache")),
        Err(why) => {
            // Something planted where our lock file goes: it is not ours,
            // so remove it (unlinking never follows a symlink) and use a
            // fresh file.
            log::warn_once(&format!("lock file {} {why}; replacing it", path.display()));
            std::fs::remove_file(path)
                .map_err(|e| Error::io(format!("cannot remove {}: {e}", path.display())))?;
            safe_fs::open_lock(path).map_err(|e| {
                Error::io(format!(
                    "cannot open lock file {}: {}",
                    path.display(),
                    e.reason()
                ))
                .hint("check the permissions of the cache directory, or use --no-cache")
            })
        }
    }
}

/// Remove a lock file whose cache entry is gone, only if nobody holds it:
/// we take it without waiting, check the entry is still missing, and
/// unlink it while holding it (a process that opened it meanwhile notices
/// the unlink in [`acquire`] and opens a fresh one).
pub fn remove_stale(path: &Path, entry: &Path) {
    let Ok(file) = safe_fs::open_lock(path) else {
        // Not a lock file of ours at all: nobody can hold it.
        let _ = std::fs::remove_file(path);
        return;
    };
    if file.try_lock().is_ok() {
        if std::fs::symlink_metadata(entry).is_err() && safe_fs::still_at(&file, path) {
            let _ = std::fs::remove_file(path);
        }
        let _ = file.unlock();
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

    #[cfg(unix)]
    #[test]
    fn a_planted_symlink_is_replaced_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        let p = dir.path().join("k.lock");
        std::os::unix::fs::symlink(&victim, &p).unwrap();
        let held = acquire(&p, Duration::from_secs(1), |_| {}).unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert!(!std::fs::symlink_metadata(&p)
            .unwrap()
            .file_type()
            .is_symlink());
        drop(held);
    }

    #[test]
    fn stale_locks_go_only_when_unheld() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.lock");
        let entry = dir.path().join("k.json");
        let held = acquire(&p, Duration::from_secs(1), |_| {}).unwrap();
        remove_stale(&p, &entry);
        assert!(p.exists(), "a held lock must stay");
        drop(held);
        remove_stale(&p, &entry);
        assert!(!p.exists());
    }
}
