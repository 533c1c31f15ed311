//! Finding and loading provider plugins.
//!
//! Search order, first name wins: each `--plugin-dir`, the entries of
//! `AWSPROCESSCREDS_PLUGIN_PATH`, the directory of the running executable
//! and `<exe dir>/../lib/awsprocesscreds/plugins`, then
//! `$XDG_DATA_HOME/awsprocesscreds/plugins` (default
//! `~/.local/share/awsprocesscreds/plugins`).
//!
//! In the executable's own directory only files named like plugins
//! (`*awsprocesscreds_plugin_*`) are considered, since that directory holds
//! other software (e.g. `~/.local/bin`); elsewhere every shared library is
//! tried, and one that is not a plugin is reported and skipped. A directory
//! or file other users can write to is refused: a plugin runs with your
//! credentials. `AWSPROCESSCREDS_ALLOW_INSECURE_PLUGIN_DIRS=1` lifts that.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use plugin_api::{LoadError, LoadedPlugin};

use crate::env_vars as ev;
use crate::log;

/// Where a directory in the search path came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Flag,
    EnvPath,
    ExeDir,
    ExeLib,
    DataHome,
}

/// A directory to search.
#[derive(Debug, Clone)]
pub struct SearchDir {
    pub path: PathBuf,
    pub origin: Origin,
}

/// The outcome of looking at one file.
#[derive(Debug)]
pub enum Found {
    Loaded(LoadedPlugin),
    /// A plugin whose name an earlier one already took.
    Shadowed {
        plugin: LoadedPlugin,
        by: PathBuf,
    },
    Failed {
        path: PathBuf,
        error: LoadError,
    },
}

/// A directory that was skipped entirely.
#[derive(Debug)]
pub struct RefusedDir {
    pub path: PathBuf,
    pub reason: String,
}

/// The search path, in order.
pub fn search_dirs(flag_dirs: &[PathBuf]) -> Vec<SearchDir> {
    let mut out: Vec<SearchDir> = flag_dirs
        .iter()
        .map(|p| SearchDir {
            path: absolute(p),
            origin: Origin::Flag,
        })
        .collect();
    if let Some(list) = std::env::var_os(ev::PLUGIN_PATH) {
        for p in std::env::split_paths(&list) {
            if !p.as_os_str().is_empty() {
                out.push(SearchDir {
                    path: absolute(&p),
                    origin: Origin::EnvPath,
                });
            }
        }
    }
    if let Some(exe_dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.canonicalize().ok())
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        out.push(SearchDir {
            path: exe_dir
                .join("..")
                .join("lib")
                .join("awsprocesscreds")
                .join("plugins"),
            origin: Origin::ExeLib,
        });
        out.insert(
            out.len() - 1,
            SearchDir {
                path: exe_dir,
                origin: Origin::ExeDir,
            },
        );
    }
    let data_home = std::env::var_os(ev::XDG_DATA_HOME)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os(ev::HOME).map(|h| PathBuf::from(h).join(".local").join("share"))
        });
    if let Some(d) = data_home {
        out.push(SearchDir {
            path: d.join("awsprocesscreds").join("plugins"),
            origin: Origin::DataHome,
        });
    }
    out
}

fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    }
}

fn is_shared_library(p: &Path) -> bool {
    let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
    matches!(ext, "so" | "dylib" | "dll")
}

fn looks_like_plugin(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.contains("awsprocesscreds_plugin_"))
}

/// Why others could tamper with `path`, if they could.
fn insecure(path: &Path) -> Option<String> {
    if std::env::var(ev::ALLOW_INSECURE_PLUGIN_DIRS).is_ok_and(|v| v == "1" || v == "true") {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path).ok()?;
        if !crate::cache::owned_by_current_user(&meta) && meta.uid() != 0 {
            return Some(format!("owned by another user (uid {})", meta.uid()));
        }
        let mode = meta.mode();
        if mode & 0o002 != 0 {
            return Some("writable by every user".into());
        }
        if mode & 0o020 != 0 && meta.gid() != rustix::process::getegid().as_raw() {
            return Some(format!("writable by group {}", meta.gid()));
        }
    }
    None
}

/// Every plugin file found, in search order.
pub struct Registry {
    pub found: Vec<Found>,
    pub refused: Vec<RefusedDir>,
    pub searched: Vec<SearchDir>,
}

fn candidates(dir: &SearchDir) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(&dir.path) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file() && is_shared_library(p))
        .filter(|p| dir.origin != Origin::ExeDir || looks_like_plugin(p))
        .collect();
    files.sort();
    files
}

impl Registry {
    /// Load every plugin in the search path (for `plugins` and `doctor`).
    pub fn discover(flag_dirs: &[PathBuf]) -> Registry {
        Self::scan(flag_dirs, None)
    }

    /// Load plugins in search order until one named `name` is found.
    pub fn find(flag_dirs: &[PathBuf], name: &str) -> (Option<LoadedPlugin>, Registry) {
        let reg = Self::scan(flag_dirs, Some(name));
        let hit = reg.found.iter().find_map(|f| match f {
            Found::Loaded(p) if p.manifest().name == name => Some(p.clone()),
            _ => None,
        });
        (hit, reg)
    }

    fn scan(flag_dirs: &[PathBuf], stop_at: Option<&str>) -> Registry {
        let searched = search_dirs(flag_dirs);
        let mut found = Vec::new();
        let mut refused = Vec::new();
        let mut seen_paths: HashSet<PathBuf> = HashSet::new();
        let mut names: Vec<(String, PathBuf)> = Vec::new();
        for dir in &searched {
            if !dir.path.is_dir() {
                if dir.origin == Origin::Flag {
                    refused.push(RefusedDir {
                        path: dir.path.clone(),
                        reason: "not a directory".into(),
                    });
                }
                continue;
            }
            if let Some(reason) = insecure(&dir.path) {
                log::warn(&format!(
                    "ignoring plugin directory {}: {reason} (set {}=1 to allow)",
                    dir.path.display(),
                    ev::ALLOW_INSECURE_PLUGIN_DIRS
                ));
                refused.push(RefusedDir {
                    path: dir.path.clone(),
                    reason,
                });
                continue;
            }
            let mut files = candidates(dir);
            // Try the likely file first when looking for one name.
            if let Some(name) = stop_at {
                files.sort_by_key(|p| {
                    !p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.contains(name))
                });
            }
            for path in files {
                let canonical = path.canonicalize().unwrap_or_else(|_| path.clone());
                if !seen_paths.insert(canonical.clone()) {
                    continue;
                }
                if let Some(reason) = insecure(&canonical) {
                    found.push(Found::Failed {
                        path: path.clone(),
                        error: LoadError::InitFailed(format!(
                            "refused: the file is {reason} (set {}=1 to allow)",
                            ev::ALLOW_INSECURE_PLUGIN_DIRS
                        )),
                    });
                    continue;
                }
                log::trace(&format!("loading plugin {}", path.display()));
                match plugin_api::load(&canonical) {
                    Ok(p) => {
                        let name = p.manifest().name.clone();
                        if let Some((_, by)) = names.iter().find(|(n, _)| *n == name) {
                            found.push(Found::Shadowed {
                                plugin: p,
                                by: by.clone(),
                            });
                            continue;
                        }
                        names.push((name.clone(), canonical.clone()));
                        found.push(Found::Loaded(p));
                        if stop_at == Some(name.as_str()) {
                            return Registry {
                                found,
                                refused,
                                searched,
                            };
                        }
                    }
                    Err(error) => {
                        log::debug(&format!("skipping {}: {error}", path.display()));
                        if let LoadError::AbiMismatch { detail, .. } = &error {
                            log::trace(detail);
                        }
                        found.push(Found::Failed { path, error });
                    }
                }
            }
        }
        Registry {
            found,
            refused,
            searched,
        }
    }

    /// Names of the plugins that loaded.
    pub fn names(&self) -> Vec<String> {
        self.found
            .iter()
            .filter_map(|f| match f {
                Found::Loaded(p) => Some(p.manifest().name.clone()),
                _ => None,
            })
            .collect()
    }
}
