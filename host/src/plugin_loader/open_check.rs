//! Open a plugin file and check it before anything of it runs.
//!
//! A plugin runs with the user's credentials. The checks shared by every
//! platform are here; what differs is in `mod imp`:
//!
//! - **Unix**: the file and every directory up from it (and, for a
//!   symlink, up from its target) must be owned by the user or root and not
//!   group- or world-writable (a root-owned sticky ancestor such as `/tmp`
//!   is fine). The target is opened with `O_NOFOLLOW | O_NONBLOCK` and the
//!   checks are made on the descriptor. A process plugin must have an
//!   execute bit. On Linux the descriptor stays open across `exec` for
//!   `/proc/self/fd/N` (see `plugin_api::load_file`); elsewhere it stays
//!   close-on-exec, since nothing in the child uses it.
//! - **Windows**: no ownership or permission checks (those are ACLs, which
//!   std cannot read; `doctor` says so through `safe_fs::UNCHECKED`). The
//!   target is opened with a share mode that lets others read it but not
//!   write, rename or delete it for as long as the host holds it, which is
//!   from the check until the process ends (a library) or the plugin process
//!   is dropped. The file loaded is the one at the path shown; if that path
//!   is a symbolic link, the link itself is not pinned.

use std::fs::File;
use std::path::Path;

use plugin_api::FileKind;

use crate::env_vars as ev;

fn insecure_allowed() -> bool {
    ev::flag(ev::ALLOW_INSECURE_PLUGIN_DIRS)
}

/// Check every directory from `path`'s parent up to the root.
fn unsafe_ancestors(path: &Path) -> Option<String> {
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d.as_os_str().is_empty() {
            break;
        }
        match std::fs::metadata(d) {
            Ok(meta) => {
                if let Some(why) = imp::unsafe_mode(&meta, true) {
                    return Some(format!("its directory {} is {why}", d.display()));
                }
            }
            Err(e) => return Some(format!("cannot check {}: {e}", d.display())),
        }
        dir = d.parent();
    }
    None
}

/// Why others could tamper with the directory `path`, if they could.
pub(super) fn insecure_dir(path: &Path) -> Option<String> {
    if insecure_allowed() {
        return None;
    }
    let meta = std::fs::metadata(path).ok()?;
    imp::unsafe_mode(&meta, false).or_else(|| unsafe_ancestors(path))
}

/// Open a plugin file for loading: the path and (for a symlink) its target
/// must sit in directories only we (or root) can change, and the checks on
/// the file itself are made on the opened file, which is what gets loaded
/// or run (see `plugin_api::load_file`).
pub(super) fn open_checked(path: &Path, kind: FileKind) -> Result<File, String> {
    let allow = insecure_allowed();
    if !allow {
        if let Some(why) = unsafe_ancestors(path) {
            return Err(why);
        }
    }
    let real = path
        .canonicalize()
        .map_err(|e| format!("cannot resolve it: {e}"))?;
    if !allow && real != path {
        if let Some(why) = unsafe_ancestors(&real) {
            return Err(format!("it links to {}: {why}", real.display()));
        }
    }
    let file = imp::open(&real).map_err(|e| format!("cannot open it: {e}"))?;
    let meta = file
        .metadata()
        .map_err(|e| format!("cannot inspect it: {e}"))?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if !allow {
        if let Some(why) = imp::unsafe_mode(&meta, false) {
            return Err(format!("the file is {why}"));
        }
    }
    imp::prepare(&file, &meta, kind)?;
    Ok(file)
}

#[cfg(unix)]
mod imp {
    use std::fs::{File, Metadata};
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
    use std::path::Path;

    use plugin_api::FileKind;
    use rustix::fs::OFlags;

    /// Why others could tamper with what `meta` describes, if they could.
    /// `ancestor`: a directory above the plugin, where a root-owned sticky
    /// directory (such as `/tmp`) is fine since others cannot rename our
    /// entries in it.
    pub fn unsafe_mode(meta: &Metadata, ancestor: bool) -> Option<String> {
        if !crate::cache::owned_by_current_user(meta) && meta.uid() != 0 {
            return Some(format!("owned by another user (uid {})", meta.uid()));
        }
        let mode = meta.mode();
        let sticky_root = ancestor && meta.uid() == 0 && mode & 0o1000 != 0;
        if mode & 0o002 != 0 && !sticky_root {
            return Some("writable by every user".into());
        }
        if mode & 0o020 != 0 && !sticky_root {
            return Some(format!("writable by group {}", meta.gid()));
        }
        None
    }

    /// Open without following a symlink swapped in after `canonicalize`,
    /// and without blocking on a FIFO.
    pub fn open(path: &Path) -> std::io::Result<File> {
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(OFlags::NOFOLLOW.bits() as i32 | OFlags::NONBLOCK.bits() as i32)
            .open(path)
    }

    /// A process plugin must be executable; on Linux its descriptor must
    /// survive `exec`, because the child runs `/proc/self/fd/N`.
    pub fn prepare(file: &File, meta: &Metadata, kind: FileKind) -> Result<(), String> {
        if kind == FileKind::Executable {
            if meta.permissions().mode() & 0o111 == 0 {
                return Err("a process plugin must be executable (chmod +x)".into());
            }
            #[cfg(target_os = "linux")]
            rustix::io::fcntl_setfd(file, rustix::io::FdFlags::empty())
                .map_err(|e| format!("cannot prepare it: {e}"))?;
        }
        let _ = file;
        Ok(())
    }
}

#[cfg(windows)]
mod imp {
    use std::fs::{File, Metadata};
    use std::os::windows::fs::OpenOptionsExt;
    use std::path::Path;

    use plugin_api::FileKind;
    use windows_sys::Win32::Storage::FileSystem::FILE_SHARE_READ;

    /// Not checked on Windows (ACLs); see the module documentation and
    /// `safe_fs::UNCHECKED`.
    pub fn unsafe_mode(_meta: &Metadata, _ancestor: bool) -> Option<String> {
        None
    }

    /// Open sharing only reads: until this handle is closed nobody can
    /// write to, rename or delete the file, so the path loaded next is the
    /// file checked here.
    pub fn open(path: &Path) -> std::io::Result<File> {
        std::fs::OpenOptions::new()
            .read(true)
            .share_mode(FILE_SHARE_READ)
            .open(path)
    }

    /// Windows runs a file by its name (`.exe`), not by a mode bit.
    pub fn prepare(_file: &File, _meta: &Metadata, _kind: FileKind) -> Result<(), String> {
        Ok(())
    }
}
