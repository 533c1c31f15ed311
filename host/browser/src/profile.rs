//! The dedicated browser profile of one provider: never the person's
//! everyday profile (Chrome 136+ refuses remote control of the default
//! profile, and we must not touch its cookies), kept between runs so the
//! IdP remembers the device.
//!
//! Layout under the directory the caller gives (for example
//! `~/.local/share/awsprocesscreds/browser/<provider>`), every directory
//! `0700`, never followed through a symlink:
//!
//! ```text
//! <dir>/lock      flock()ed while a sign-in uses the profile
//! <dir>/profile/  the browser's --user-data-dir
//! <dir>/config/   CHROME_CONFIG_HOME (crash reports stay in here)
//! <dir>/cache/    the browser's HTTP cache (--disk-cache-dir)
//! ```
//!
//! What a run leaves that would hold the SAML response (the IdP's page
//! that posts it, in the HTTP cache; the POST itself, which session
//! restore keeps in `Default/Sessions` or `Default/Sessions_Encrypted`
//! for a reload) is deleted once the
//! browser is gone, and again before the next start (after a crash).
//!
//! A snap browser (Ubuntu's Chromium) cannot open hidden directories in
//! the home directory nor `/tmp`; its profile goes to the snap's own
//! folder instead: `~/snap/<snap>/common/awsprocesscreds/<provider>`.

use std::fs::File;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::find::Installed;

/// A profile held for one sign-in; the lock is released on drop.
#[derive(Debug)]
pub struct Profile {
    dir: PathBuf,
    user_data_dir: PathBuf,
    config_home: PathBuf,
    cache_dir: PathBuf,
    _lock: File,
}

impl Profile {
    /// Create (if needed) and lock the profile for `browser` under `dir`,
    /// waiting at most `wait` for another sign-in that holds it. `home`
    /// is where a snap browser's relocated profile goes.
    pub fn open(
        dir: &Path,
        browser: &Installed,
        home: Option<&Path>,
        wait: Duration,
    ) -> Result<Profile, Error> {
        let dir = place(dir, browser, home)?;
        private_dir(&dir)?;
        let user_data_dir = dir.join("profile");
        let config_home = dir.join("config");
        private_dir(&user_data_dir)?;
        private_dir(&config_home)?;
        let lock = lock(&dir.join("lock"), wait)?;
        let profile = Profile {
            cache_dir: dir.join("cache"),
            dir,
            user_data_dir,
            config_home,
            _lock: lock,
        };
        // Left by a browser that was killed with us: ours now, under the lock.
        forget(&profile.run_data());
        Ok(profile)
    }

    /// The provider's directory (after any snap relocation).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The browser's `--user-data-dir`.
    pub fn user_data_dir(&self) -> &Path {
        &self.user_data_dir
    }

    /// The browser's `CHROME_CONFIG_HOME`.
    pub fn config_home(&self) -> &Path {
        &self.config_home
    }

    /// The browser's HTTP cache (`--disk-cache-dir`).
    pub fn cache_dir(&self) -> &Path {
        &self.cache_dir
    }

    /// What to [`forget`] once the browser is gone.
    pub fn run_data(&self) -> RunData {
        let default = self.user_data_dir.join("Default");
        let mut v = vec![self.cache_dir.clone()];
        v.extend(SESSION_RESTORE.iter().map(|n| default.join(n)));
        RunData(v)
    }
}

/// Delete what a run leaves that would hold the SAML response: the HTTP
/// cache and session-restore data (never following a symlink).
pub fn forget(run: &RunData) {
    for d in &run.0 {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// The paths [`forget`] deletes for one profile.
#[derive(Debug, Clone)]
pub struct RunData(Vec<PathBuf>);

/// Session restore: a directory in current Chromium, files in older ones.
/// Chromium 156 writes `Sessions_Encrypted` instead of `Sessions`; on
/// Linux without a keyring its encryption uses Chromium's fixed fallback
/// key, so it protects nothing (the SAML POST was readable in it).
const SESSION_RESTORE: &[&str] = &[
    "Sessions",
    "Sessions_Encrypted",
    "Current Session",
    "Current Tabs",
    "Last Session",
    "Last Tabs",
];

/// What [`remove`] did with one provider's directory.
#[derive(Debug, PartialEq, Eq)]
pub enum Removal {
    /// Deleted (profile, cookies, crash reports, lock).
    Removed,
    /// A sign-in holds it now: left alone.
    InUse,
}

/// Delete the provider directory `dir` (its browser profile, and so the
/// cookies the browser keeps there) unless a sign-in holds its lock; the
/// lock is held while deleting, so no sign-in starts on a half-deleted
/// profile. Nothing is followed through a symlink.
pub fn remove(dir: &Path) -> Result<Removal, Error> {
    let fail = |why: String| Error::Profile {
        path: dir.to_path_buf(),
        why,
    };
    imp::check_private_dir(dir).map_err(fail)?;
    let lock_path = dir.join("lock");
    let held = match lock(&lock_path, Duration::ZERO) {
        Ok(file) => file,
        Err(Error::ProfileBusy { .. }) => return Ok(Removal::InUse),
        Err(Error::Profile { why, .. }) => return Err(fail(why)),
        Err(e) => return Err(e),
    };
    for sub in ["profile", "config", "cache"] {
        match std::fs::remove_dir_all(dir.join(sub)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(fail(format!("cannot delete {sub}: {e}"))),
        }
    }
    let _ = std::fs::remove_file(&lock_path);
    drop(held);
    let _ = std::fs::remove_dir(dir);
    Ok(Removal::Removed)
}

/// Every provider directory under `base` (the caller's browser directory)
/// and, for snap browsers, under `home`'s snap folders (see [`place`]).
pub fn all(base: &Path, home: Option<&Path>) -> Vec<PathBuf> {
    let mut parents = vec![base.to_path_buf()];
    if let Some(snaps) = home.map(|h| h.join("snap")) {
        if let Ok(rd) = std::fs::read_dir(&snaps) {
            for e in rd.flatten() {
                parents.push(e.path().join("common").join("awsprocesscreds"));
            }
        }
    }
    let mut out = Vec::new();
    for parent in parents {
        let Ok(rd) = std::fs::read_dir(&parent) else {
            continue;
        };
        for e in rd.flatten() {
            // DirEntry::file_type does not follow symlinks.
            if e.file_type().is_ok_and(|t| t.is_dir()) && e.path().join("lock").exists() {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

/// Where the profile of `browser` lives: `dir` itself, or for a snap
/// browser that cannot reach `dir`, the snap's own folder in `home`.
pub fn place(dir: &Path, browser: &Installed, home: Option<&Path>) -> Result<PathBuf, Error> {
    let Some(snap) = &browser.snap else {
        return Ok(dir.to_path_buf());
    };
    if let Some(home) = home {
        if snap_can_use(dir, home) {
            return Ok(dir.to_path_buf());
        }
        let provider = dir.file_name().unwrap_or_else(|| "default".as_ref());
        return Ok(home
            .join("snap")
            .join(snap)
            .join("common")
            .join("awsprocesscreds")
            .join(provider));
    }
    Err(Error::Profile {
        path: dir.to_path_buf(),
        why: format!(
            "the {snap} snap cannot use it (hidden or outside the home directory) and no home directory is known to put it elsewhere"
        ),
    })
}

/// A snap's home interface reaches non-hidden paths inside `home` only.
fn snap_can_use(dir: &Path, home: &Path) -> bool {
    match dir.strip_prefix(home) {
        Ok(rest) => rest.components().all(|c| match c {
            Component::Normal(s) => !s.to_string_lossy().starts_with('.'),
            _ => false,
        }),
        Err(_) => false,
    }
}

/// Create `path` (and missing parents) `0700`; then check the directory
/// itself through a descriptor that did not follow a symlink: ours, and
/// no access for anyone else.
fn private_dir(path: &Path) -> Result<(), Error> {
    let refuse = |why: String| Error::Profile {
        path: path.to_path_buf(),
        why,
    };
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path).map_err(|e| refuse(e.to_string()))?;
    imp::check_private_dir(path).map_err(refuse)
}

/// Take the profile's lock, waiting up to `wait`.
fn lock(path: &Path, wait: Duration) -> Result<File, Error> {
    let file = imp::open_lock(path).map_err(|why| Error::Profile {
        path: path.to_path_buf(),
        why,
    })?;
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < wait => {
                std::thread::sleep(Duration::from_millis(50))
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::ProfileBusy {
                    path: path.parent().unwrap_or(path).to_path_buf(),
                    waited: wait,
                })
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(Error::Profile {
                    path: path.to_path_buf(),
                    why: format!("cannot lock it: {e}"),
                })
            }
        }
    }
}

#[cfg(unix)]
mod imp {
    use std::fs::File;
    use std::path::Path;

    use rustix::fs::{FileType, Mode, OFlags};

    pub fn check_private_dir(path: &Path) -> Result<(), String> {
        let fd = rustix::fs::open(
            path,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| match e {
            rustix::io::Errno::LOOP | rustix::io::Errno::NOTDIR => {
                "it is a symbolic link or not a directory".to_string()
            }
            e => e.to_string(),
        })?;
        let st = rustix::fs::fstat(&fd).map_err(|e| e.to_string())?;
        if st.st_uid != rustix::process::geteuid().as_raw() {
            return Err("it is owned by another user".into());
        }
        if st.st_mode & 0o077 != 0 {
            rustix::fs::fchmod(&fd, Mode::from_raw_mode(0o700)).map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    pub fn open_lock(path: &Path) -> Result<File, String> {
        let fd = rustix::fs::open(
            path,
            OFlags::RDWR | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o600),
        )
        .map_err(|e| match e {
            rustix::io::Errno::LOOP => "it is a symbolic link".to_string(),
            e => e.to_string(),
        })?;
        let st = rustix::fs::fstat(&fd).map_err(|e| e.to_string())?;
        if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile {
            return Err("it is not a regular file".into());
        }
        if st.st_uid != rustix::process::geteuid().as_raw() {
            return Err("it is owned by another user".into());
        }
        Ok(File::from(fd))
    }
}

#[cfg(not(unix))]
mod imp {
    use std::fs::File;
    use std::path::Path;

    pub fn check_private_dir(path: &Path) -> Result<(), String> {
        let meta = std::fs::symlink_metadata(path).map_err(|e| e.to_string())?;
        if meta.file_type().is_symlink() || !meta.is_dir() {
            return Err("it is a symbolic link or not a directory".into());
        }
        Ok(())
    }

    pub fn open_lock(path: &Path) -> Result<File, String> {
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err("it is a symbolic link".into());
        }
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::find::Family;

    fn browser(snap: Option<&str>) -> Installed {
        Installed {
            path: "/usr/bin/chromium".into(),
            family: Family::Chromium,
            snap: snap.map(String::from),
        }
    }

    #[test]
    fn a_snap_browser_gets_a_folder_it_can_reach() {
        let home = Path::new("/home/p");
        let hidden = Path::new("/home/p/.local/share/awsprocesscreds/browser/okta");
        assert_eq!(place(hidden, &browser(None), Some(home)).unwrap(), hidden);
        assert_eq!(
            place(hidden, &browser(Some("chromium")), Some(home)).unwrap(),
            Path::new("/home/p/snap/chromium/common/awsprocesscreds/okta")
        );
        let visible = Path::new("/home/p/awsprocesscreds/okta");
        assert_eq!(
            place(visible, &browser(Some("chromium")), Some(home)).unwrap(),
            visible
        );
        let tmp = Path::new("/tmp/x/okta");
        assert_eq!(
            place(tmp, &browser(Some("chromium")), Some(home)).unwrap(),
            Path::new("/home/p/snap/chromium/common/awsprocesscreds/okta")
        );
        let err = place(hidden, &browser(Some("chromium")), None).unwrap_err();
        assert!(err.to_string().contains("snap"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn directories_are_private_and_symlinks_refused() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("browser/okta");
        let p = Profile::open(&dir, &browser(None), None, Duration::ZERO).unwrap();
        for d in [p.dir(), p.user_data_dir(), p.config_home()] {
            let mode = std::fs::metadata(d).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "{}", d.display());
        }
        // Held: a second open gives up after the wait.
        let busy =
            Profile::open(&dir, &browser(None), None, Duration::from_millis(100)).unwrap_err();
        assert!(matches!(busy, Error::ProfileBusy { .. }), "{busy}");
        drop(p);
        Profile::open(&dir, &browser(None), None, Duration::ZERO).unwrap();

        // Removal: not while held; then everything goes.
        let held = Profile::open(&dir, &browser(None), None, Duration::ZERO).unwrap();
        std::fs::write(held.user_data_dir().join("Cookies"), "x").unwrap();
        assert_eq!(all(&tmp.path().join("browser"), None), vec![dir.clone()]);
        assert_eq!(remove(&dir).unwrap(), Removal::InUse);
        assert!(held.user_data_dir().join("Cookies").exists());
        drop(held);
        assert_eq!(remove(&dir).unwrap(), Removal::Removed);
        assert!(!dir.exists());
        assert!(all(&tmp.path().join("browser"), None).is_empty());
        Profile::open(&dir, &browser(None), None, Duration::ZERO).unwrap();

        // Loosened permissions are tightened again.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        Profile::open(&dir, &browser(None), None, Duration::ZERO).unwrap();
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);

        // A symlink planted where the profile goes is refused, not followed.
        let elsewhere = tmp.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        let linked = tmp.path().join("browser/linked");
        std::os::unix::fs::symlink(&elsewhere, &linked).unwrap();
        let err = Profile::open(&linked, &browser(None), None, Duration::ZERO).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        let lock_link = tmp.path().join("browser/lockdir");
        std::fs::create_dir_all(lock_link.join("profile")).unwrap();
        std::os::unix::fs::symlink(elsewhere.join("target"), lock_link.join("lock")).unwrap();
        let err = Profile::open(&lock_link, &browser(None), None, Duration::ZERO).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert!(!elsewhere.join("target").exists());
    }
}
