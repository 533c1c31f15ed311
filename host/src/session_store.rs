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
        std::fs::read(path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    fn save(&self, file: &File) -> Result<(), PluginError> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let dir = path.parent().expect("sessions dir");
        cache::ensure_private_dir(dir.parent().expect("cache dir"))
            .and_then(|_| cache::ensure_private_dir(dir))
            .map_err(|e| PluginError::other(e.message))?;
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
}
