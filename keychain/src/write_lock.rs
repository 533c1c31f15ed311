//! Writers are serialized, per backend: a process-wide mutex, and across
//! processes an exclusive lock on a lock file (`flock` on Unix,
//! `LockFileEx` on Windows, both through `std::fs::File::try_lock`), so
//! racing `credential_process` runs do not create duplicate entries.

use std::fs::{DirBuilder, File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::backend::{self, Backend};
use crate::error::KeychainError;

/// Serialize writers within the process, one per [`Backend`] (indexed by
/// [`Backend::index`]); the lock files serialize them across processes.
static WRITE_LOCKS: [Mutex<()>; backend::COUNT] = [const { Mutex::new(()) }; backend::COUNT];

/// Lock a mutex; a panic on another thread while holding it leaves nothing
/// half-done that matters here.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The lock file of `backend` for a prefix such as `<dir>/keychain-`.
pub(crate) fn file_for(prefix: &Path, backend: Backend) -> PathBuf {
    PathBuf::from(format!("{}{}.lock", prefix.display(), backend.name()))
}

/// Where lock files go when the caller names no directory.
#[cfg(unix)]
pub(crate) fn default_prefix() -> Option<PathBuf> {
    // Why not /tmp: another user could create or hold the file there.
    std::env::var_os("XDG_RUNTIME_DIR")
        .filter(|d| !d.is_empty())
        .map(|d| PathBuf::from(d).join("awsprocesscreds-keychain-"))
}

/// Where lock files go when the caller names no directory: Windows has no
/// per-session private directory we could rely on; the host passes its
/// cache directory, and without one only the mutex applies.
#[cfg(not(unix))]
pub(crate) fn default_prefix() -> Option<PathBuf> {
    None
}

/// Hold this backend's writer mutex and lock file (when set) while `f`
/// runs; give up at `deadline`.
pub(crate) fn with_write_lock<T>(
    backend: Backend,
    lock_file: Option<PathBuf>,
    deadline: Instant,
    f: impl FnOnce() -> Result<T, KeychainError>,
) -> Result<T, KeychainError> {
    let _guard = lock(&WRITE_LOCKS[backend.index()]);
    let _file = match lock_file {
        Some(path) => acquire(&path, deadline).map_err(|reason| KeychainError::Other {
            backend: backend.name(),
            reason,
        })?,
        None => None,
    };
    if Instant::now() >= deadline {
        return Err(KeychainError::TimedOut {
            backend: backend.name(),
            after: Duration::ZERO,
        });
    }
    f()
}

/// An exclusive lock on `path`, released when the file is closed.
/// `Ok(None)` when the lock file cannot be used at all (unwritable
/// directory, a file system without locks): writing unlocked beats not
/// storing. `Err` only when another process holds the lock past `deadline`.
fn acquire(path: &Path, deadline: Instant) -> Result<Option<File>, String> {
    let file = match open(path) {
        Ok(file) => file,
        Err(_) => {
            if let Some(dir) = path.parent() {
                let _ = private_dir_builder().create(dir);
            }
            match open(path) {
                Ok(file) => file,
                Err(_) => return Ok(None),
            }
        }
    };
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Some(file)),
            Err(std::fs::TryLockError::WouldBlock) => {
                if Instant::now() >= deadline {
                    return Err(format!(
                        "another process kept {} locked until the timeout",
                        path.display()
                    ));
                }
                std::thread::sleep(Duration::from_millis(10))
            }
            Err(std::fs::TryLockError::Error(_)) => return Ok(None),
        }
    }
}

fn open(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

fn private_dir_builder() -> DirBuilder {
    let mut builder = DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn lock_file_is_created_held_and_never_blocks_past_the_deadline() {
        let dir = std::env::temp_dir().join(format!("apc-keychain-lock-{}", std::process::id()));
        let path = dir.join("nested").join("keychain-x.lock");
        let soon = || Instant::now() + Duration::from_millis(200);
        let held = acquire(&path, soon()).unwrap();
        assert!(held.is_some(), "missing directories are created");
        let started = Instant::now();
        let second = acquire(&path, soon());
        assert!(second.unwrap_err().contains("locked"));
        assert!(started.elapsed() < Duration::from_secs(2));
        drop(held);
        assert!(acquire(&path, soon()).unwrap().is_some());
        // An unusable location means "no cross-process lock", not "no keychain".
        let unusable = Path::new("/dev/null/keychain-x.lock");
        assert!(acquire(unusable, soon()).unwrap().is_none());
        let _ = std::fs::remove_dir_all(dir);
    }
}
