//! The one way to open files in our own directories (cache entries, lock
//! files, IdP session files).
//!
//! Anyone who can write to one of those directories (or who could before
//! we tightened it) may have planted a symlink, a FIFO, a socket, a device
//! or a huge file where we expect a small JSON file. Opening such a thing
//! naively follows the link (and overwrites its target), blocks forever
//! (a FIFO with no writer) or reads a gigabyte into memory. So every open
//! here uses `O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC` and then checks the
//! opened descriptor (not the path, which could be swapped in between):
//! a regular file, owned by us, no larger than the caller's cap. Only then
//! is `O_NONBLOCK` cleared. Callers treat every refusal as "no such file"
//! plus one warning.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Why a file in our directories was not used.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// Nothing there.
    #[error("does not exist")]
    Missing,
    /// A symlink, FIFO, socket, device or directory.
    #[error("is a {0}, not a regular file")]
    NotRegular(&'static str),
    /// Owned by another user (it could have been planted).
    #[error("is owned by another user")]
    Foreign,
    /// Larger than we ever write.
    #[error("is {size} bytes, more than the {max} allowed")]
    TooLarge { size: u64, max: u64 },
    /// Any other failure.
    #[error("{0}")]
    Io(std::io::Error),
}

impl Refused {
    /// The refusal as the end of a sentence about the file: "it is a
    /// FIFO, not a regular file", or the system's error.
    pub fn reason(&self) -> String {
        match self {
            Refused::Io(e) => e.to_string(),
            other => format!("it {other}"),
        }
    }

    fn from_io(e: std::io::Error) -> Refused {
        match e.kind() {
            std::io::ErrorKind::NotFound => Refused::Missing,
            _ => {
                // O_NOFOLLOW on a symlink fails with ELOOP.
                #[cfg(unix)]
                if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) {
                    return Refused::NotRegular("symbolic link");
                }
                Refused::Io(e)
            }
        }
    }
}

/// Open `path` read-only, without following a symlink or blocking, and
/// check the descriptor: a regular file of ours of at most `max` bytes.
pub fn open_read(path: &Path, max: u64) -> Result<File, Refused> {
    #[cfg(unix)]
    {
        use rustix::fs::{Mode, OFlags};
        let fd = rustix::fs::open(
            path,
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| Refused::from_io(e.into()))?;
        check(fd, max)
    }
    #[cfg(not(unix))]
    {
        let f = File::open(path).map_err(Refused::from_io)?;
        let meta = f.metadata().map_err(Refused::Io)?;
        if !meta.is_file() {
            return Err(Refused::NotRegular("special file"));
        }
        if meta.len() > max {
            return Err(Refused::TooLarge {
                size: meta.len(),
                max,
            });
        }
        Ok(f)
    }
}

/// Read all of `path` (at most `max` bytes) with the rules of [`open_read`].
pub fn read(path: &Path, max: u64) -> Result<Vec<u8>, Refused> {
    let f = open_read(path, max)?;
    let mut buf = Vec::new();
    // The size was checked on the descriptor, but a file can grow after
    // the check: never read more than the cap.
    f.take(max + 1).read_to_end(&mut buf).map_err(Refused::Io)?;
    if buf.len() as u64 > max {
        return Err(Refused::TooLarge {
            size: buf.len() as u64,
            max,
        });
    }
    Ok(buf)
}

/// Open (creating with `0600` if needed) a lock file read-write, with the
/// same rules: a planted symlink is never followed (so its target is never
/// truncated), a FIFO never blocks us.
pub fn open_lock(path: &Path) -> Result<File, Refused> {
    #[cfg(unix)]
    {
        use rustix::fs::{Mode, OFlags};
        let fd = rustix::fs::open(
            path,
            OFlags::RDWR | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o600),
        )
        .map_err(|e| Refused::from_io(e.into()))?;
        check(fd, LOCK_MAX)
    }
    #[cfg(not(unix))]
    {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(Refused::from_io)
    }
}

/// Lock files hold a pid; anything bigger was not written by us.
pub const LOCK_MAX: u64 = 64;

/// The checks on an opened descriptor; clears `O_NONBLOCK` on success.
#[cfg(unix)]
fn check(fd: std::os::fd::OwnedFd, max: u64) -> Result<File, Refused> {
    use rustix::fs::{FileType, OFlags};
    let st = rustix::fs::fstat(&fd).map_err(|e| Refused::Io(e.into()))?;
    let kind = FileType::from_raw_mode(st.st_mode as _);
    let what = match kind {
        FileType::RegularFile => None,
        FileType::Directory => Some("directory"),
        FileType::Fifo => Some("FIFO"),
        FileType::Socket => Some("socket"),
        FileType::CharacterDevice | FileType::BlockDevice => Some("device"),
        FileType::Symlink => Some("symbolic link"),
        FileType::Unknown => Some("special file"),
    };
    if let Some(what) = what {
        return Err(Refused::NotRegular(what));
    }
    if st.st_uid != rustix::process::geteuid().as_raw() {
        return Err(Refused::Foreign);
    }
    let size = u64::try_from(st.st_size).unwrap_or(0);
    if size > max {
        return Err(Refused::TooLarge { size, max });
    }
    let flags = rustix::fs::fcntl_getfl(&fd).map_err(|e| Refused::Io(e.into()))?;
    rustix::fs::fcntl_setfl(&fd, flags - OFlags::NONBLOCK).map_err(|e| Refused::Io(e.into()))?;
    Ok(File::from(fd))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_a_small_regular_file_of_ours() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("ok"), b"{}").unwrap();
        assert_eq!(read(&d.join("ok"), 10).unwrap(), b"{}");
        assert!(matches!(read(&d.join("none"), 10), Err(Refused::Missing)));
        std::os::unix::fs::symlink(d.join("ok"), d.join("link")).unwrap();
        assert!(matches!(
            read(&d.join("link"), 10),
            Err(Refused::NotRegular("symbolic link"))
        ));
        rustix::fs::mknodat(
            rustix::fs::CWD,
            d.join("fifo"),
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        // Must not block although nobody writes to it.
        assert!(matches!(
            read(&d.join("fifo"), 10),
            Err(Refused::NotRegular("FIFO"))
        ));
        assert!(matches!(
            open_lock(&d.join("fifo")),
            Err(Refused::NotRegular("FIFO"))
        ));
        std::fs::write(d.join("big"), vec![b'x'; 100]).unwrap();
        assert!(matches!(
            read(&d.join("big"), 10),
            Err(Refused::TooLarge { size: 100, .. })
        ));
        assert!(matches!(read(d, 10), Err(Refused::NotRegular("directory"))));
        // A planted lock symlink: refused, its target untouched.
        std::fs::write(d.join("victim"), b"precious").unwrap();
        std::os::unix::fs::symlink(d.join("victim"), d.join("k.lock")).unwrap();
        assert!(open_lock(&d.join("k.lock")).is_err());
        assert_eq!(std::fs::read(d.join("victim")).unwrap(), b"precious");
    }
}
