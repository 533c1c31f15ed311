//! The credential cache: one JSON file per key, `0600` in a `0700`
//! directory, written atomically (temp file, fsync, rename, fsync dir).
//!
//! A file that cannot be read, parsed or trusted (corrupt, truncated,
//! foreign owner, another format) is a miss, never an error: the next
//! successful login replaces it. A failed login never touches the cache.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use protocol::Credentials;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::error::{Error, Result};
use crate::safe_fs::{self, Refused};
use crate::{log, timefmt};

/// Version of the cache file format.
pub const FORMAT: u32 = 1;

/// Everything that changes which credentials a login produces. Hashed into
/// the file name; stored in the file (it holds no secrets) for
/// `cache list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Key {
    pub provider: String,
    pub endpoint: Option<String>,
    pub username: Option<String>,
    pub role_arn: Option<String>,
    pub region: Option<String>,
    pub duration_seconds: Option<u64>,
    pub sts_endpoint: Option<String>,
    pub plugin_options: BTreeMap<String, String>,
}

impl Key {
    /// SHA-256 of the canonical JSON of the key. (serde_json cannot fail on
    /// this struct of strings and numbers; were it ever to, the `Debug` form
    /// still tells keys apart, so entries never collide.)
    pub fn digest(&self) -> String {
        let canonical =
            serde_json::to_vec(self).unwrap_or_else(|_| format!("{self:?}").into_bytes());
        let hash = Sha256::digest(&canonical);
        hash.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// One cache file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub format: u32,
    pub key: Key,
    /// The role actually assumed (when none was asked for, the one picked).
    #[serde(default)]
    pub assumed_role: Option<String>,
    /// When the credentials were obtained (RFC 3339).
    pub created: String,
    pub credentials: Credentials,
}

impl Entry {
    pub fn new(key: Key, assumed_role: Option<String>, credentials: Credentials) -> Entry {
        Entry {
            format: FORMAT,
            key,
            assumed_role,
            created: timefmt::format(OffsetDateTime::now_utc()),
            credentials,
        }
    }

    /// The role these credentials are for: the one assumed, else the one
    /// asked for.
    pub fn role(&self) -> Option<&str> {
        self.assumed_role
            .as_deref()
            .or(self.key.role_arn.as_deref())
    }

    /// Expiration, if it parses.
    pub fn expiration(&self) -> Option<OffsetDateTime> {
        self.credentials
            .expiration
            .as_deref()
            .and_then(timefmt::parse)
    }

    /// Whether these credentials may still be handed out at `now`: at least
    /// `refresh_before` left, or half their lifetime for short-lived ones.
    pub fn is_fresh(&self, now: OffsetDateTime, refresh_before: std::time::Duration) -> bool {
        let Some(exp) = self.expiration() else {
            return false;
        };
        let mut margin = time::Duration::try_from(refresh_before).unwrap_or(time::Duration::ZERO);
        if let Some(created) = timefmt::parse(&self.created) {
            let half = (exp - created) / 2;
            if half > time::Duration::ZERO && half < margin {
                margin = half;
            }
        }
        exp - now >= margin
    }
}

/// The cache directory.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    pub fn new(dir: PathBuf) -> Cache {
        Cache { dir }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path_for(&self, key: &Key) -> PathBuf {
        self.dir.join(format!("{}.json", key.digest()))
    }

    pub fn lock_path_for(&self, key: &Key) -> PathBuf {
        self.dir.join(format!("{}.lock", key.digest()))
    }

    /// Read the entry for `key`. Problems are logged (with `-v`) and read as
    /// a miss.
    pub fn read(&self, key: &Key) -> Option<Entry> {
        let path = self.path_for(key);
        let entry = read_entry(&path)?;
        if entry.key != *key {
            log::warn(&format!(
                "cache file {} belongs to other settings; ignoring it",
                path.display()
            ));
            return None;
        }
        Some(entry)
    }

    /// Create the directory (`0700`) if needed, tightening a directory we
    /// own that others can read, and refusing one owned by someone else.
    pub fn ensure_dir(&self) -> Result<()> {
        ensure_private_dir(&self.dir)
    }

    /// Write `entry` atomically.
    pub fn write(&self, entry: &Entry) -> Result<()> {
        self.ensure_dir()?;
        let json = serde_json::to_vec_pretty(entry)
            .map_err(|e| Error::io(format!("encoding the cache entry: {e}")))?;
        write_atomic(&self.path_for(&entry.key), &json)
    }

    /// Every readable entry with its path.
    pub fn list(&self) -> Vec<(PathBuf, Entry)> {
        self.scan().0
    }

    /// Every readable entry with its path, and how many `*.json` files
    /// could not be used (corrupt, older format, not a regular file...).
    pub fn scan(&self) -> (Vec<(PathBuf, Entry)>, usize) {
        let Ok(rd) = fs::read_dir(&self.dir) else {
            return (Vec::new(), 0);
        };
        let mut bad = 0;
        let mut out: Vec<(PathBuf, Entry)> = rd
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .filter_map(|p| match read_entry(&p) {
                Some(e) => Some((p, e)),
                None => {
                    bad += 1;
                    None
                }
            })
            .collect();
        out.sort_by(|a, b| a.1.key.provider.cmp(&b.1.key.provider).then(a.0.cmp(&b.0)));
        (out, bad)
    }

    /// Remove one entry file.
    pub fn remove(&self, path: &Path) -> Result<()> {
        fs::remove_file(path)
            .map_err(|e| Error::io(format!("cannot delete {}: {e}", path.display())))
    }

    /// The session store directory (IdP sessions of plugins).
    pub fn sessions_dir(&self) -> PathBuf {
        self.dir.join("sessions")
    }

    /// `cache clear` without filters: remove every file in the cache and
    /// session directories, whatever it is (corrupt or older-format
    /// entries, temp files, locks, planted FIFOs or symlinks; a symlink is
    /// removed, never followed). Returns how many credential entries
    /// (`*.json` files) were removed. Files we did not write with our
    /// names (`unrelated.txt`) are also ours to remove: the directory is
    /// private to this tool.
    pub fn clear_all(&self) -> Result<usize> {
        let mut removed = 0;
        for dir in [self.sessions_dir(), self.dir.clone()] {
            let Ok(rd) = fs::read_dir(&dir) else {
                continue;
            };
            for e in rd.flatten() {
                let path = e.path();
                // DirEntry::file_type does not follow symlinks.
                let Ok(ft) = e.file_type() else { continue };
                if ft.is_dir() {
                    continue;
                }
                fs::remove_file(&path)
                    .map_err(|err| Error::io(format!("cannot delete {}: {err}", path.display())))?;
                if dir == self.dir && path.extension().is_some_and(|x| x == "json") {
                    removed += 1;
                }
            }
        }
        let _ = fs::remove_dir(self.sessions_dir());
        Ok(removed)
    }

    /// Remove leftover temp files from crashed writers.
    pub fn sweep_temp_files(&self) {
        if let Ok(rd) = fs::read_dir(&self.dir) {
            for e in rd.flatten() {
                let name = e.file_name();
                if name.to_string_lossy().contains(".tmp.") {
                    let _ = fs::remove_file(e.path());
                }
            }
        }
    }

    /// Lock files (`<digest>.lock`) whose entry no longer exists. The
    /// caller removes them only while holding or after taking each lock
    /// (see the host's `lock::remove_stale`).
    pub fn orphan_locks(&self) -> Vec<PathBuf> {
        let Ok(rd) = fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        rd.flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "lock"))
            .filter(|p| fs::symlink_metadata(p.with_extension("json")).is_err())
            .collect()
    }
}

/// Largest cache entry we read (ours are about 2 KiB).
pub const MAX_ENTRY: u64 = 1 << 20;

fn read_entry(path: &Path) -> Option<Entry> {
    let bytes = match safe_fs::read(path, MAX_ENTRY) {
        Ok(b) => b,
        Err(Refused::Missing) => return None,
        Err(Refused::Foreign) => {
            log::warn_once(&format!(
                "cache file {} is owned by another user; ignoring it",
                path.display()
            ));
            return None;
        }
        Err(e) => {
            log::warn_once(&format!(
                "cannot read cache file {}: {}; logging in again",
                path.display(),
                e.reason()
            ));
            return None;
        }
    };
    match serde_json::from_slice::<Entry>(&bytes) {
        Ok(e) if e.format == FORMAT => Some(e),
        Ok(e) => {
            log::debug(&format!(
                "cache file {} has format {}; ignoring it",
                path.display(),
                e.format
            ));
            None
        }
        Err(e) => {
            log::warn_once(&format!(
                "cache file {} is corrupt ({e}); logging in again",
                path.display()
            ));
            None
        }
    }
}

/// Whether the file or directory belongs to the effective user.
#[cfg(unix)]
pub fn owned_by_current_user(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    meta.uid() == rustix::process::geteuid().as_raw()
}

/// What [`inspect_dir`] found at a directory we keep private files in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirState {
    /// Nothing there yet: the first write creates it (`0700`).
    Missing,
    /// Ours, and only we can use it.
    Private,
    /// Ours, but others may read (or, with `writable_by_others`, write)
    /// it: the next write tightens it to `0700`.
    TooOpen { mode: u32, writable_by_others: bool },
}

/// Why a directory cannot hold our files.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirProblem {
    #[error("{0} is not a directory")]
    NotADirectory(String),
    #[error("{0} is owned by another user (uid {1})")]
    Foreign(String, u32),
    #[error("cannot use {0}: {1}")]
    Unusable(String, String),
}

/// The one check of a private directory (cache, session store), used by
/// every write and by `doctor`. A symlink to a directory of ours is
/// accepted (people link `~/.aws` to a dotfiles checkout); what matters is
/// the directory it names.
pub fn inspect_dir(dir: &Path) -> std::result::Result<DirState, DirProblem> {
    let shown = dir.display().to_string();
    let meta = match fs::metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(DirState::Missing),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
            return Err(DirProblem::NotADirectory(format!("{shown} (or a parent)")))
        }
        Err(e) => return Err(DirProblem::Unusable(shown, e.to_string())),
    };
    if !meta.is_dir() {
        return Err(DirProblem::NotADirectory(shown));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if !owned_by_current_user(&meta) {
            return Err(DirProblem::Foreign(shown, meta.uid()));
        }
        let mode = meta.mode() & 0o777;
        if mode & 0o077 != 0 {
            return Ok(DirState::TooOpen {
                mode,
                writable_by_others: mode & 0o022 != 0,
            });
        }
    }
    Ok(DirState::Private)
}

/// Create `dir` (and parents) with mode `0700` and check ownership; a
/// directory of ours that others can use is tightened, and anything they
/// may have planted in it while they could write is removed.
pub fn ensure_private_dir(dir: &Path) -> Result<()> {
    let problem = |p: DirProblem| {
        let hint = match p {
            DirProblem::Foreign(..) => {
                "set AWSPROCESSCREDS_CACHE_DIR to a directory of your own, or use --no-cache"
            }
            _ => "set AWSPROCESSCREDS_CACHE_DIR to a directory, or use --no-cache",
        };
        Error::io(format!("cache directory {p}")).hint(hint)
    };
    let mut state = inspect_dir(dir).map_err(problem)?;
    if state == DirState::Missing {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(dir).map_err(|e| {
            Error::io(format!(
                "cannot create cache directory {}: {e}",
                dir.display()
            ))
            .hint("set AWSPROCESSCREDS_CACHE_DIR to a writable directory, or use --no-cache")
        })?;
        state = inspect_dir(dir).map_err(problem)?;
    }
    #[cfg(unix)]
    if let DirState::TooOpen {
        writable_by_others, ..
    } = state
    {
        use std::os::unix::fs::PermissionsExt;
        log::debug(&format!(
            "tightening permissions of {} to 0700",
            dir.display()
        ));
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(|e| {
            Error::io(format!(
                "cannot restrict permissions of {}: {e}",
                dir.display()
            ))
        })?;
        if writable_by_others {
            remove_planted(dir);
        }
    }
    #[cfg(not(unix))]
    let _ = state;
    Ok(())
}

/// Others could write to `dir` until we tightened it: remove whatever they
/// may have planted there (anything that is not a regular file of ours:
/// symlinks, FIFOs, sockets, devices, files of other users). Our own
/// regular files stay; every later read checks them again anyway.
#[cfg(unix)]
fn remove_planted(dir: &Path) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let Ok(meta) = fs::symlink_metadata(e.path()) else {
            continue;
        };
        if meta.is_dir() || (meta.is_file() && owned_by_current_user(&meta)) {
            continue;
        }
        log::warn(&format!(
            "removed {} from {}: others could write to that directory",
            e.file_name().to_string_lossy(),
            dir.display()
        ));
        let _ = fs::remove_file(e.path());
    }
}

/// Write `bytes` to `path` atomically with mode `0600`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.tmp.{}.{}",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default(),
        std::process::id(),
        OffsetDateTime::now_utc().unix_timestamp_nanos() % 1_000_000_000
    ));
    let fail = |e: std::io::Error| {
        let _ = fs::remove_file(&tmp);
        Error::io(format!("cannot write {}: {e}", path.display()))
            .hint("check free space and permissions of the cache directory, or use --no-cache")
    };
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(&tmp).map_err(fail)?;
    f.write_all(bytes).map_err(fail)?;
    f.sync_all().map_err(fail)?;
    drop(f);
    fs::rename(&tmp, path).map_err(fail)?;
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::Secret;

    fn creds(exp: &str) -> Credentials {
        Credentials::new("ASIAX", Secret::new("s".into()))
            .session_token(Some(Secret::new("t".into())))
            .expiration(Some(exp.into()))
    }

    #[test]
    fn key_digest_is_stable() {
        let k = Key {
            provider: "okta".into(),
            endpoint: Some("https://e".into()),
            ..Default::default()
        };
        // Pinned: changing the key layout invalidates every user's cache.
        assert_eq!(k.digest().len(), 64);
        assert_eq!(k.digest(), k.clone().digest());
        let mut k2 = k.clone();
        k2.duration_seconds = Some(900);
        assert_ne!(k.digest(), k2.digest());
    }

    #[test]
    fn freshness_uses_refresh_window() {
        let now = OffsetDateTime::now_utc();
        let mut e = Entry::new(
            Key::default(),
            None,
            creds(&timefmt::format(now + time::Duration::minutes(60))),
        );
        e.created = timefmt::format(now);
        assert!(e.is_fresh(now, std::time::Duration::from_secs(900)));
        assert!(!e.is_fresh(
            now + time::Duration::minutes(46),
            std::time::Duration::from_secs(900)
        ));
        // Short-lived (15 min) credentials stay usable for half their life.
        let mut s = Entry::new(
            Key::default(),
            None,
            creds(&timefmt::format(now + time::Duration::minutes(15))),
        );
        s.created = timefmt::format(now);
        assert!(s.is_fresh(
            now + time::Duration::minutes(5),
            std::time::Duration::from_secs(900)
        ));
        assert!(!s.is_fresh(
            now + time::Duration::minutes(8),
            std::time::Duration::from_secs(900)
        ));
    }

    #[test]
    fn write_is_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().join("c"));
        let key = Key {
            provider: "p".into(),
            ..Default::default()
        };
        let e = Entry::new(key.clone(), None, creds("2099-01-01T00:00:00Z"));
        cache.write(&e).unwrap();
        let back = cache.read(&key).unwrap();
        assert_eq!(back.credentials.access_key_id, "ASIAX");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let m = fs::metadata(cache.path_for(&key))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(m & 0o777, 0o600);
            let d = fs::metadata(cache.dir()).unwrap().permissions().mode();
            assert_eq!(d & 0o777, 0o700);
        }
        fs::write(cache.path_for(&key), b"{ truncated").unwrap();
        assert!(cache.read(&key).is_none());
    }
}
