//! Run exactly the file the host checked.
//!
//! The host opens a plugin file and checks the open file (owner, mode,
//! type). Loading it again by path would let someone rename another file
//! into place between the check and the load, so the path handed to the
//! dynamic loader or to `exec` must lead to that same open file:
//!
//! - **Linux**: `/proc/self/fd/N`, the open descriptor itself (for an
//!   executable the host leaves it open across `exec`, and the child, or a
//!   `#!` interpreter, opens it there). Where `/proc` is not mounted, the
//!   path shown is used.
//! - **macOS and other Unix** (no `/proc/self/fd`): a private copy. The
//!   bytes are read from the checked descriptor into a new file created
//!   with `O_EXCL` in a fresh `0700` directory under the user's temporary
//!   directory, and that copy is what is loaded or run. The copy is removed
//!   once a library is loaded, or when a process plugin is dropped.
//! - **Windows**: the host opened the file sharing only reads, so while
//!   that handle is open nobody can write, rename or delete it; the handle
//!   is kept for as long as the plugin is in use and the path shown is
//!   loaded. (A symbolic link on that path is not pinned by this.)

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::load_error::LoadError;
use crate::loader::FileKind;

/// A path that leads to the checked file, and what keeps it valid.
pub(crate) struct Pinned {
    path: PathBuf,
    _keep: imp::Keep,
}

impl Pinned {
    /// The path to hand to the dynamic loader or to `exec`.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The library at [`Pinned::path`] was loaded (libraries are never
    /// unloaded): keep what the loader may still need for the life of the
    /// process, and free what it does not.
    pub(crate) fn library_loaded(self) {
        imp::library_loaded(self._keep)
    }
}

/// Pin the opened, checked `file` (shown to the user as `display`).
pub(crate) fn pin(file: File, display: &Path, kind: FileKind) -> Result<Pinned, LoadError> {
    let (path, keep) = imp::pin(file, display, kind)
        .map_err(|e| LoadError::Refused(format!("cannot prepare it for loading: {e}")))?;
    Ok(Pinned { path, _keep: keep })
}

#[cfg(target_os = "linux")]
mod imp {
    use std::fs::File;
    use std::os::fd::{AsRawFd, IntoRawFd};
    use std::path::{Path, PathBuf};

    use crate::loader::FileKind;

    /// The descriptor `/proc/self/fd/N` names.
    pub type Keep = File;

    pub fn pin(file: File, display: &Path, _kind: FileKind) -> std::io::Result<(PathBuf, Keep)> {
        let p = PathBuf::from(format!("/proc/self/fd/{}", file.as_raw_fd()));
        let path = if p.exists() { p } else { display.to_path_buf() };
        Ok((path, file))
    }

    /// Keep the descriptor open for the life of the process: the dynamic
    /// loader knows the library by the name `/proc/self/fd/N`, and a closed
    /// N reused for another plugin would make it hand back this one.
    pub fn library_loaded(file: Keep) {
        let _ = file.into_raw_fd();
    }
}

#[cfg(all(unix, not(target_os = "linux")))]
use private_copy as imp;

/// macOS and other Unix without `/proc/self/fd` (also built for tests on
/// Linux, so the copy is exercised where CI runs).
#[cfg(all(unix, any(test, not(target_os = "linux"))))]
mod private_copy {
    use std::fs::{DirBuilder, File, OpenOptions};
    use std::io::{Read, Seek, SeekFrom};
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicU32, Ordering};

    use crate::loader::FileKind;

    /// Larger plugin files are refused rather than copied (a first-party
    /// plugin is a few MB).
    const MAX_BYTES: u64 = 256 * 1024 * 1024;

    /// The private copy; removed with its directory on drop.
    pub struct Keep {
        dir: PathBuf,
    }

    impl Drop for Keep {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    pub fn pin(mut file: File, display: &Path, kind: FileKind) -> std::io::Result<(PathBuf, Keep)> {
        let dir = private_dir()?;
        let keep = Keep { dir: dir.clone() };
        let name = display
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_else(|| "plugin".into());
        let path = dir.join(name);
        let mode = match kind {
            FileKind::Executable => 0o700,
            FileKind::Library => 0o600,
        };
        let mut copy = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&path)?;
        file.seek(SeekFrom::Start(0))?;
        let copied = std::io::copy(&mut (&mut file).take(MAX_BYTES + 1), &mut copy)?;
        if copied > MAX_BYTES {
            return Err(std::io::Error::other(format!(
                "it is larger than {} MB",
                MAX_BYTES / (1024 * 1024)
            )));
        }
        copy.sync_all()?;
        Ok((path, keep))
    }

    /// The library is mapped: the copy can go.
    #[cfg_attr(target_os = "linux", allow(dead_code))]
    pub fn library_loaded(keep: Keep) {
        drop(keep);
    }

    /// A new `0700` directory under the user's temporary directory; an
    /// existing name (someone else's, or a stale one) is never reused.
    fn private_dir() -> std::io::Result<PathBuf> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let base = std::env::temp_dir();
        let mut last = None;
        for _ in 0..16 {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0);
            let dir = base.join(format!(
                "awsprocesscreds-plugin-{}-{}-{nanos}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            ));
            match DirBuilder::new().mode(0o700).create(&dir) {
                Ok(()) => return Ok(dir),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| std::io::Error::other("no free directory name")))
    }
}

#[cfg(windows)]
mod imp {
    use std::fs::File;
    use std::path::{Path, PathBuf};

    use crate::loader::FileKind;

    /// The handle that keeps the file from being changed (see the module
    /// documentation).
    pub type Keep = File;

    pub fn pin(file: File, display: &Path, _kind: FileKind) -> std::io::Result<(PathBuf, Keep)> {
        Ok((display.to_path_buf(), file))
    }

    /// Keep the handle (and so the share-mode lock) for the life of the
    /// process, like the library itself.
    pub fn library_loaded(file: Keep) {
        std::mem::forget(file);
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn the_pinned_path_reads_the_checked_file_even_after_a_swap() {
        let dir = std::env::temp_dir().join(format!("apc-pinned-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("awsprocesscreds-plugin-x");
        std::fs::File::create(&path)
            .unwrap()
            .write_all(b"checked")
            .unwrap();
        let file = File::open(&path).unwrap();
        // Someone renames another file into place after the check.
        let other = dir.join("other");
        std::fs::write(&other, b"swapped").unwrap();
        std::fs::rename(&other, &path).unwrap();
        let pinned = pin(file, &path, FileKind::Executable).unwrap();
        assert_eq!(std::fs::read(pinned.path()).unwrap(), b"checked");
        drop(pinned);
        let _ = std::fs::remove_dir_all(dir);
    }

    /// The macOS way, run here too: a private copy that runs, is private,
    /// and goes away with the plugin.
    #[test]
    fn a_private_copy_runs_is_private_and_is_removed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("apc-copy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("awsprocesscreds-plugin-x");
        std::fs::write(&path, b"#!/bin/sh\necho checked\n").unwrap();
        let file = File::open(&path).unwrap();
        // Someone renames another file into place after the check.
        let other = dir.join("other");
        std::fs::write(&other, b"#!/bin/sh\necho swapped\n").unwrap();
        std::fs::rename(&other, &path).unwrap();
        let (copy, keep) = private_copy::pin(file, &path, FileKind::Executable).unwrap();
        assert_ne!(copy, path);
        assert_eq!(copy.file_name(), path.file_name());
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(copy.parent().unwrap()), 0o700);
        assert_eq!(mode(&copy), 0o700);
        let out = std::process::Command::new(&copy).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "checked\n");
        drop(keep);
        assert!(!copy.exists() && !copy.parent().unwrap().exists());
        let _ = std::fs::remove_dir_all(dir);
    }
}
