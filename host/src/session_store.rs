//! Storage for plugins' IdP sessions (an Okta session id, ADFS SSO
//! cookies): never passwords. One `0600` JSON file per provider, endpoint
//! and user under `<cache dir>/sessions/`, written atomically; expired
//! values are dropped on read.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use plugin_api::{PluginError, Secret};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::cache;
use crate::log;
use crate::safe_fs::{self, Refused};

/// Largest session file read (cookies of a few IdPs; ours are a few KiB).
pub const MAX_FILE: u64 = 1 << 20;

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    values: BTreeMap<String, Stored>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    value: Secret<String>,
    expires_unix: i64,
}

/// A plugin's session values for one provider + endpoint + user.
pub struct SessionStore {
    path: Option<PathBuf>,
    lock: Mutex<()>,
}

impl SessionStore {
    /// `dir` is the cache directory; `None` disables storage (`--no-idp-session`).
    pub fn new(dir: Option<PathBuf>, provider: &str, endpoint: &str, username: &str) -> Self {
        let path = dir.map(|d| {
            let id = Sha256::digest(format!("{provider}\n{endpoint}\n{username}").as_bytes());
            let hex: String = id.iter().map(|b| format!("{b:02x}")).collect();
            d.join("sessions").join(format!("{hex}.json"))
        });
        SessionStore {
            path,
            lock: Mutex::new(()),
        }
    }

    fn load(&self) -> File {
        let Some(path) = &self.path else {
            return File::default();
        };
        // Same rules as cache entries: no symlink, FIFO or foreign file is
        // ever read (and so never replayed to the IdP), and no huge one.
        match safe_fs::read(path, MAX_FILE) {
            Ok(b) => serde_json::from_slice(&b).unwrap_or_else(|e| {
                log::warn_once(&format!(
                    "session file {} is corrupt ({e}); ignoring it",
                    path.display()
                ));
                File::default()
            }),
            Err(Refused::Missing) => File::default(),
            Err(why) => {
                log::warn_once(&format!(
                    "ignoring session file {}: {}",
                    path.display(),
                    why.reason()
                ));
                File::default()
            }
        }
    }

    fn save(&self, file: &File) -> Result<(), PluginError> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let Some(dir) = path.parent() else {
            return Ok(());
        };
        if let Some(cache_dir) = dir.parent() {
            cache::ensure_private_dir(cache_dir).map_err(|e| PluginError::other(e.message))?;
        }
        cache::ensure_private_dir(dir).map_err(|e| PluginError::other(e.message))?;
        if file.values.is_empty() {
            let _ = std::fs::remove_file(path);
            return Ok(());
        }
        let json = serde_json::to_vec(file).map_err(|e| PluginError::other(e.to_string()))?;
        cache::write_atomic(path, &json).map_err(|e| PluginError::other(e.message))
    }

    fn now() -> i64 {
        time::OffsetDateTime::now_utc().unix_timestamp()
    }

    pub fn get(&self, name: &str) -> Option<Secret<String>> {
        let _g = self.lock.lock().ok()?;
        let file = self.load();
        let v = file.values.get(name)?;
        if v.expires_unix <= Self::now() {
            return None;
        }
        Some(v.value.clone())
    }

    pub fn put(
        &self,
        name: &str,
        value: Secret<String>,
        expires_unix: i64,
    ) -> Result<(), PluginError> {
        let _g = self
            .lock
            .lock()
            .map_err(|_| PluginError::other("session store poisoned"))?;
        let mut file = self.load();
        let now = Self::now();
        file.values.retain(|_, v| v.expires_unix > now);
        if expires_unix > now {
            file.values.insert(
                name.to_string(),
                Stored {
                    value,
                    expires_unix,
                },
            );
        } else {
            file.values.remove(name);
        }
        self.save(&file)
    }

    pub fn delete(&self, name: &str) {
        if let Ok(_g) = self.lock.lock() {
            let mut file = self.load();
            if file.values.remove(name).is_some() {
                let _ = self.save(&file);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_expiry() {
        let dir = tempfile::tempdir().unwrap();
        let s = SessionStore::new(Some(dir.path().join("cache")), "okta", "https://e", "u");
        let later = SessionStore::now() + 600;
        s.put("sid", Secret::new("abc".into()), later).unwrap();
        assert_eq!(s.get("sid").unwrap().expose(), "abc");
        s.put("old", Secret::new("x".into()), SessionStore::now() - 1)
            .unwrap();
        assert!(s.get("old").is_none());
        s.delete("sid");
        assert!(s.get("sid").is_none());
        let off = SessionStore::new(None, "okta", "e", "u");
        off.put("sid", Secret::new("abc".into()), later).unwrap();
        assert!(off.get("sid").is_none());
    }

    #[cfg(unix)]
    #[test]
    fn fifos_symlinks_and_huge_files_are_ignored_without_hanging() {
        let dir = tempfile::tempdir().unwrap();
        let s = SessionStore::new(Some(dir.path().join("cache")), "okta", "https://e", "u");
        let later = SessionStore::now() + 600;
        s.put("sid", Secret::new("abc".into()), later).unwrap();
        let path = s.path.clone().unwrap();
        let real = dir.path().join("real.json");
        std::fs::rename(&path, &real).unwrap();
        std::os::unix::fs::symlink(&real, &path).unwrap();
        assert!(s.get("sid").is_none(), "a symlink is never followed");
        std::fs::remove_file(&path).unwrap();
        // `mkfifo(1)`, not mknodat: macOS has no mknodat.
        assert!(std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .unwrap()
            .success());
        assert!(s.get("sid").is_none(), "a FIFO is a miss, not a hang");
        std::fs::remove_file(&path).unwrap();
        let f = std::fs::File::create(&path).unwrap();
        f.set_len(2 * MAX_FILE).unwrap();
        assert!(s.get("sid").is_none(), "an oversized file is not read");
        // A file of another user (root can plant one) is never replayed.
        if rustix::process::geteuid().is_root() {
            std::fs::remove_file(&path).unwrap();
            s.put("sid", Secret::new("mine".into()), later).unwrap();
            std::os::unix::fs::chown(&path, Some(4242), Some(4242)).unwrap();
            assert!(s.get("sid").is_none(), "a foreign session file was used");
        }
        // A put replaces whatever was there with a good file.
        s.put("sid", Secret::new("new".into()), later).unwrap();
        assert_eq!(s.get("sid").unwrap().expose(), "new");
    }
}
