//! The one way to open files in our own directories (cache entries, lock
//! files, IdP session files).
//!
//! Anyone who can write to one of those directories (or who could before
//! we tightened it) may have planted a symlink, a FIFO, a socket, a device
//! or a huge file where we expect a small JSON file. Opening such a thing
//! naively follows the link (and overwrites its target), blocks forever
//! (a FIFO with no writer) or reads a gigabyte into memory. So every open
//! here refuses to follow a link and then checks the opened file (not the
//! path, which could be swapped in between): a regular file, owned by us,
//! no larger than the caller's cap. Callers treat every refusal as "no such
//! file" plus one warning.
//!
//! - Unix: `O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC`, then `fstat` on the
//!   descriptor (type, owner, size); only then is `O_NONBLOCK` cleared.
//! - Windows: `FILE_FLAG_OPEN_REPARSE_POINT` opens a symbolic link or
//!   junction itself, which the check on the handle then refuses; type and
//!   size are checked on the handle. There are no FIFOs to block on. The
//!   owner is **not** checked (that is an ACL question std cannot ask):
//!   see [`UNCHECKED`], which `doctor` shows.

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
            _ if imp::is_link_refusal(&e) => Refused::NotRegular("symbolic link"),
            _ => Refused::Io(e),
        }
    }
}

/// What the checks here cannot see on this platform, if anything; `doctor`
/// shows it, so the gap is never silent.
pub const UNCHECKED: Option<&str> = imp::UNCHECKED;

/// Open `path` read-only, without following a symlink or blocking, and
/// check the opened file: a regular file of ours of at most `max` bytes.
pub fn open_read(path: &Path, max: u64) -> Result<File, Refused> {
    imp::open_read(path, max)
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
    imp::open_lock(path)
}

/// Lock files hold a pid; anything bigger was not written by us.
pub const LOCK_MAX: u64 = 64;

/// Whether `path` still names the open `file` (the same file, not a link
/// to it): a lock file removed or replaced since it was opened does not.
pub fn still_at(file: &File, path: &Path) -> bool {
    imp::still_at(file, path)
}

#[cfg(unix)]
mod imp {
    use std::fs::File;
    use std::os::fd::OwnedFd;
    use std::path::Path;

    use rustix::fs::{FileType, Mode, OFlags};

    use super::{Refused, LOCK_MAX};

    pub const UNCHECKED: Option<&str> = None;

    /// `O_NOFOLLOW` on a symlink fails with `ELOOP`.
    pub fn is_link_refusal(e: &std::io::Error) -> bool {
        e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error())
    }

    pub fn open_read(path: &Path, max: u64) -> Result<File, Refused> {
        let fd = rustix::fs::open(
            path,
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| Refused::from_io(e.into()))?;
        check(fd, max)
    }

    pub fn open_lock(path: &Path) -> Result<File, Refused> {
        let fd = rustix::fs::open(
            path,
            OFlags::RDWR | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o600),
        )
        .map_err(|e| Refused::from_io(e.into()))?;
        check(fd, LOCK_MAX)
    }

    /// Same device and inode, and `path` itself is not a link.
    pub fn still_at(file: &File, path: &Path) -> bool {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::symlink_metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }

    /// The checks on an opened descriptor; clears `O_NONBLOCK` on success.
    fn check(fd: OwnedFd, max: u64) -> Result<File, Refused> {
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
        rustix::fs::fcntl_setfl(&fd, flags - OFlags::NONBLOCK)
            .map_err(|e| Refused::Io(e.into()))?;
        Ok(File::from(fd))
    }
}

#[cfg(windows)]
mod imp {
    use std::fs::{File, OpenOptions};
    use std::os::windows::fs::{MetadataExt, OpenOptionsExt};
    use std::path::Path;

    use super::{Refused, LOCK_MAX};

    // Win32 values (winbase.h / winnt.h), fixed since Windows 2000.
    /// Open a symbolic link or junction itself instead of its target.
    const FILE_FLAG_OPEN_REPARSE_POINT: u32 = 0x0020_0000;
    /// The attribute of a symbolic link or junction.
    const FILE_ATTRIBUTE_REPARSE_POINT: u32 = 0x0000_0400;

    pub const UNCHECKED: Option<&str> = Some(
        "file owners and permissions (ACLs) are not checked on Windows: cache, session and \
         lock files are refused only when they are links, directories or too large, and \
         plugin files only when they are not regular files",
    );

    /// Links are opened, not followed, and refused by [`check`].
    pub fn is_link_refusal(_e: &std::io::Error) -> bool {
        false
    }

    pub fn open_read(path: &Path, max: u64) -> Result<File, Refused> {
        let file = OpenOptions::new()
            .read(true)
            .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT)
            .open(path)
            .map_err(Refused::from_io)?;
        check(file, max)
    }

    pub fn open_lock(path: &Path) -> Result<File, Refused> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT)
            .open(path)
            .map_err(Refused::from_io)?;
        check(file, LOCK_MAX)
    }

    /// The same volume and file index, and `path` itself is not a link.
    pub fn still_at(file: &File, path: &Path) -> bool {
        let Ok(at_path) = OpenOptions::new()
            .read(true)
            .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT)
            .open(path)
        else {
            return false;
        };
        match (
            winapi_util::file::information(file),
            winapi_util::file::information(&at_path),
        ) {
            (Ok(a), Ok(b)) => {
                b.file_attributes() & u64::from(FILE_ATTRIBUTE_REPARSE_POINT) == 0
                    && a.volume_serial_number() == b.volume_serial_number()
                    && a.file_index() == b.file_index()
            }
            _ => false,
        }
    }

    /// The checks on an opened handle: not a link, a regular file, small.
    fn check(file: File, max: u64) -> Result<File, Refused> {
        let meta = file.metadata().map_err(Refused::Io)?;
        if meta.file_attributes() & FILE_ATTRIBUTE_REPARSE_POINT != 0 {
            return Err(Refused::NotRegular("symbolic link"));
        }
        if meta.is_dir() {
            return Err(Refused::NotRegular("directory"));
        }
        if !meta.is_file() {
            return Err(Refused::NotRegular("special file"));
        }
        if meta.len() > max {
            return Err(Refused::TooLarge {
                size: meta.len(),
                max,
            });
        }
        Ok(file)
    }
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
        // `mkfifo(1)`, not mknodat: macOS has no mknodat.
        assert!(std::process::Command::new("mkfifo")
            .arg(d.join("fifo"))
            .status()
            .unwrap()
            .success());
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
