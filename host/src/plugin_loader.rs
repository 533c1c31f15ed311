//! Finding and loading provider plugins.
//!
//! Search order, first name wins: each `--plugin-dir`, the entries of
//! `AWSPROCESSCREDS_PLUGIN_PATH`, the directory of the running executable
//! and `<exe dir>/../lib/awsprocesscreds/plugins`, then
//! `$XDG_DATA_HOME/awsprocesscreds/plugins` (default
//! `~/.local/share/awsprocesscreds/plugins`).
//!
//! A plugin's name comes from its file name (see [`name_from_file`]):
//! `libawsprocesscreds_plugin_NAME.so` is a library plugin,
//! `awsprocesscreds-plugin-NAME` an executable speaking protocol 2 over
//! stdin/stdout. Other files are not looked at. A login opens only the
//! files named for the provider asked for; `plugins` and `doctor` load every
//! candidate to report manifests and failures (including a manifest whose
//! name disagrees with the file name).
//!
//! A plugin runs with your credentials, so a file is loaded only when it and
//! every directory from it up to the root (and, for a symlink, up from its
//! target) cannot be changed by other users: owned by you or root, not
//! group- or world-writable, except that a root-owned sticky directory such
//! as `/tmp` is fine as an ancestor. The file checks are made on the opened
//! descriptor, and what gets loaded or executed is that same file (on
//! Linux through `/proc/self/fd/N`, on macOS from a private copy of its
//! bytes), so renaming another file into place after the check cannot swap
//! what runs. `AWSPROCESSCREDS_ALLOW_INSECURE_PLUGIN_DIRS=1` lifts the
//! permission rules (not the file-type rules). What each platform checks
//! and guarantees is in `plugin_loader/open_check.rs`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use plugin_api::{FileKind, Limits, LoadError, LoadedPlugin};

use crate::env_vars as ev;
use crate::log;

mod open_check;
use open_check::{insecure_dir, open_checked};

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
    if let Some(d) = crate::settings::data_dir() {
        out.push(SearchDir {
            path: d.join("plugins"),
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

/// The plugin name a file name stands for, and how to run it:
/// `libawsprocesscreds_plugin_NAME.so|.dylib` / `awsprocesscreds_plugin_NAME.dll`
/// (a library) or `awsprocesscreds-plugin-NAME[.exe]` (an executable).
/// Library names cannot contain `-` (cargo turns it into `_`), so names are
/// compared with `-` and `_` as the same character (see [`same_name`]).
pub fn name_from_file(file_name: &str) -> Option<(String, FileKind)> {
    for ext in [".so", ".dylib", ".dll"] {
        if let Some(stem) = file_name.strip_suffix(ext) {
            let stem = stem.strip_prefix("lib").unwrap_or(stem);
            return stem
                .strip_prefix("awsprocesscreds_plugin_")
                .filter(|n| !n.is_empty())
                .map(|n| (n.to_string(), FileKind::Library));
        }
    }
    let stem = file_name.strip_suffix(".exe").unwrap_or(file_name);
    stem.strip_prefix("awsprocesscreds-plugin-")
        .filter(|n| !n.is_empty() && !n.contains('.'))
        .map(|n| (n.to_string(), FileKind::Executable))
}

/// Whether two plugin names are the same (`-` and `_` are equivalent).
pub fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .all(|(x, y)| x == y || (matches!(x, b'-' | b'_') && matches!(y, b'-' | b'_')))
}

/// Every plugin file found, in search order.
pub struct Registry {
    pub found: Vec<Found>,
    pub refused: Vec<RefusedDir>,
    pub searched: Vec<SearchDir>,
}

/// Plugin files in `dir`, by file name, in name order.
fn candidates(dir: &SearchDir) -> Vec<(PathBuf, String, FileKind)> {
    let Ok(rd) = std::fs::read_dir(&dir.path) else {
        return Vec::new();
    };
    let mut files: Vec<(PathBuf, String, FileKind)> = rd
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name();
            let (plugin, kind) = name_from_file(name.to_str()?)?;
            Some((e.path(), plugin, kind))
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

impl Registry {
    /// Load every plugin in the search path (for `plugins` and `doctor`).
    pub fn discover(flag_dirs: &[PathBuf]) -> Registry {
        Self::scan(flag_dirs, None, Limits::default())
    }

    /// Find the plugin named `name`, loading only files whose name says
    /// they are that plugin (first in search order wins), with `limits`
    /// bounding process plugins.
    pub fn find_with(
        flag_dirs: &[PathBuf],
        name: &str,
        limits: Limits,
    ) -> (Option<LoadedPlugin>, Registry) {
        let reg = Self::scan(flag_dirs, Some(name), limits);
        let hit = reg.found.iter().find_map(|f| match f {
            Found::Loaded(p) if same_name(&p.manifest().name, name) => Some(p.clone()),
            _ => None,
        });
        (hit, reg)
    }

    fn scan(flag_dirs: &[PathBuf], only: Option<&str>, limits: Limits) -> Registry {
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
            let files: Vec<_> = candidates(dir)
                .into_iter()
                .filter(|(_, n, _)| only.is_none_or(|want| same_name(n, want)))
                .collect();
            if only.is_some() && files.is_empty() {
                continue;
            }
            if let Some(reason) = insecure_dir(&dir.path) {
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
            for (path, file_name, kind) in files {
                let canonical = path.canonicalize().unwrap_or_else(|_| path.clone());
                if !seen_paths.insert(canonical.clone()) {
                    continue;
                }
                let file = match open_checked(&path, kind) {
                    Ok(f) => f,
                    Err(reason) => {
                        found.push(Found::Failed {
                            path: path.clone(),
                            error: LoadError::Refused(format!(
                                "{reason} (a plugin runs with your credentials; set {}=1 to allow)",
                                ev::ALLOW_INSECURE_PLUGIN_DIRS
                            )),
                        });
                        if only.is_some() {
                            return Registry {
                                found,
                                refused,
                                searched,
                            };
                        }
                        continue;
                    }
                };
                log::trace(&format!("loading plugin {}", path.display()));
                match plugin_api::load_file(file, &path, kind, limits) {
                    Ok(p) => {
                        let name = p.manifest().name.clone();
                        if !same_name(&name, &file_name) {
                            found.push(Found::Failed {
                                path,
                                error: LoadError::NameMismatch {
                                    file: file_name,
                                    manifest: name,
                                },
                            });
                            continue;
                        }
                        if let Some((_, by)) = names.iter().find(|(n, _)| same_name(n, &name)) {
                            found.push(Found::Shadowed {
                                plugin: p,
                                by: by.clone(),
                            });
                            continue;
                        }
                        names.push((name.clone(), path.clone()));
                        found.push(Found::Loaded(p));
                        if only.is_some() {
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
                        if only.is_some() {
                            // The file named for this plugin is broken: say so
                            // rather than fall through to another directory.
                            return Registry {
                                found,
                                refused,
                                searched,
                            };
                        }
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

    /// Names of the plugins whose files are in the searched directories
    /// that were not refused, by file name only (nothing is loaded): what
    /// an "unknown provider" error offers after a targeted search.
    pub fn names_on_disk(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .searched
            .iter()
            .filter(|d| !self.refused.iter().any(|r| r.path == d.path))
            .flat_map(|d| candidates(d).into_iter().map(|(_, name, _)| name))
            .collect();
        names.sort();
        names.dedup();
        names
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
