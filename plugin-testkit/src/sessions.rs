//! The test host's session store: in memory, or one JSON file in a
//! directory when a test wants values to survive between "runs".
//!
//! The file is laid out and protected like the host's store
//! (`DIR/sessions/*.json`, 0600 in a 0700 directory, written atomically),
//! so a plugin test can check what would land on a user's disk.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use protocol::{PluginError, Secret};
use serde_json::{json, Value};

pub struct Sessions {
    file: Option<PathBuf>,
    values: Mutex<BTreeMap<String, (String, i64)>>,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl Sessions {
    pub fn new(dir: Option<PathBuf>) -> Self {
        let file = dir.map(|d| d.join("sessions").join("test.json"));
        let values = file
            .as_ref()
            .and_then(|f| std::fs::read(f).ok())
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .and_then(|v| v.as_object().cloned())
            .map(|m| {
                m.into_iter()
                    .filter_map(|(k, v)| {
                        Some((
                            k,
                            (
                                v.get("value")?.as_str()?.to_string(),
                                v.get("expires_unix")?.as_i64()?,
                            ),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Sessions {
            file,
            values: Mutex::new(values),
        }
    }

    fn save(&self, values: &BTreeMap<String, (String, i64)>) -> Result<(), PluginError> {
        let Some(file) = &self.file else {
            return Ok(());
        };
        let doc: serde_json::Map<String, Value> = values
            .iter()
            .map(|(k, (v, e))| (k.clone(), json!({"value": v, "expires_unix": e})))
            .collect();
        let fail = |e: std::io::Error| PluginError::other(format!("test session store: {e}"));
        if let Some(dir) = file.parent() {
            create_private_dir(dir).map_err(fail)?;
        }
        let tmp = file.with_extension("tmp");
        write_private(&tmp, Value::Object(doc).to_string().as_bytes()).map_err(fail)?;
        std::fs::rename(&tmp, file).map_err(fail)
    }

    pub fn get(&self, name: &str) -> Option<Secret<String>> {
        let values = self.values.lock().unwrap_or_else(|p| p.into_inner());
        values
            .get(name)
            .filter(|(_, exp)| *exp > now())
            .map(|(v, _)| Secret::new(v.clone()))
    }

    pub fn put(
        &self,
        name: &str,
        value: Secret<String>,
        expires_unix: i64,
    ) -> Result<(), PluginError> {
        let mut values = self.values.lock().unwrap_or_else(|p| p.into_inner());
        values.insert(name.to_string(), (value.into_inner(), expires_unix));
        self.save(&values)
    }

    pub fn delete(&self, name: &str) {
        let mut values = self.values.lock().unwrap_or_else(|p| p.into_inner());
        if values.remove(name).is_some() {
            let _ = self.save(&values);
        }
    }
}

/// A 0700 directory (and its parents), like the host's cache directory.
fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
}

/// A fresh 0600 file with these bytes.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let _ = std::fs::remove_file(path);
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let mut f = o.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}
