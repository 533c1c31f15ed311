//! Where each OS keeps Chromium-family browsers, in the order we prefer
//! them (branded Chrome and Edge first: they carry the device-trust
//! integrations IdPs check; then Chromium and Brave).
//!
//! Locations as Playwright (`server/registry/index.ts`) and Puppeteer
//! (`browser-data/chrome.ts`) look for them.

use std::path::{Path, PathBuf};

use crate::os_env::{self, Lookup};

/// The OS whose locations to search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    /// Linux and the BSDs.
    Unix,
    MacOs,
    Windows,
}

impl Os {
    /// What separates the entries of `PATH`.
    pub fn path_separator(self) -> char {
        match self {
            Os::Windows => ';',
            Os::Unix | Os::MacOs => ':',
        }
    }

    pub fn current() -> Os {
        if cfg!(target_os = "macos") {
            Os::MacOs
        } else if cfg!(windows) {
            Os::Windows
        } else {
            Os::Unix
        }
    }
}

/// Names searched on `PATH` (Linux, BSD, and macOS installs that put one
/// there).
const PATH_NAMES: &[&str] = &[
    "google-chrome-stable",
    "google-chrome",
    "microsoft-edge-stable",
    "microsoft-edge",
    "chromium",
    "chromium-browser",
    "brave-browser",
];

/// Fixed Linux locations (vendor packages that may not be on `PATH`).
const UNIX_PATHS: &[&str] = &[
    "/opt/google/chrome/chrome",
    "/opt/microsoft/msedge/msedge",
    "/opt/brave.com/brave/brave",
    "/snap/bin/chromium",
];

/// macOS application bundles, under `/Applications` and `~/Applications`.
const MAC_APPS: &[&str] = &[
    "Google Chrome.app/Contents/MacOS/Google Chrome",
    "Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
    "Chromium.app/Contents/MacOS/Chromium",
    "Brave Browser.app/Contents/MacOS/Brave Browser",
];

/// Windows installs, relative to each of `%LOCALAPPDATA%`,
/// `%PROGRAMFILES%` and `%PROGRAMFILES(X86)%`.
const WINDOWS_DIRS: &[&[&str]] = &[
    &["Google", "Chrome", "Application", "chrome.exe"],
    &["Microsoft", "Edge", "Application", "msedge.exe"],
    &["Chromium", "Application", "chrome.exe"],
    &["BraveSoftware", "Brave-Browser", "Application", "brave.exe"],
];

/// Every path to try, in order (duplicates removed).
pub fn list(os: Os, env: Lookup) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    let mut push = |p: PathBuf| {
        if !out.contains(&p) {
            out.push(p)
        }
    };
    match os {
        Os::Unix | Os::MacOs => {
            if os == Os::MacOs {
                let home = env(os_env::HOME).map(PathBuf::from);
                let roots = std::iter::once(PathBuf::from("/Applications"))
                    .chain(home.map(|h| h.join("Applications")));
                for root in roots {
                    for app in MAC_APPS {
                        push(root.join(app));
                    }
                }
            }
            for p in on_path(env, PATH_NAMES, os.path_separator()) {
                push(p);
            }
            if os == Os::Unix {
                for p in UNIX_PATHS {
                    push(PathBuf::from(p));
                }
            }
        }
        Os::Windows => {
            for var in [
                os_env::LOCALAPPDATA,
                os_env::PROGRAMFILES,
                os_env::PROGRAMFILES_X86,
            ] {
                let Some(base) = env(var).map(PathBuf::from) else {
                    continue;
                };
                if !base.is_absolute() && !looks_like_windows_absolute(&base) {
                    continue;
                }
                for parts in WINDOWS_DIRS {
                    push(parts.iter().fold(base.clone(), |p, part| p.join(part)));
                }
            }
        }
    }
    out
}

/// `names` in each absolute `PATH` entry, name by name (so a preferred
/// browser anywhere on `PATH` beats a less preferred one earlier on it).
pub(super) fn on_path(env: Lookup, names: &[&str], separator: char) -> Vec<PathBuf> {
    let Some(path) = env(os_env::PATH) else {
        return Vec::new();
    };
    let path = path.to_string_lossy().into_owned();
    let dirs: Vec<&Path> = path
        .split(separator)
        .map(Path::new)
        .filter(|d| d.is_absolute())
        .collect();
    names
        .iter()
        .flat_map(|name| dirs.iter().map(move |d| d.join(name)))
        .collect()
}

/// `C:\...` seen from a test on another OS.
pub(super) fn looks_like_windows_absolute(p: &Path) -> bool {
    let s = p.to_string_lossy();
    let b = s.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b[2] == b'\\' || b[2] == b'/')
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<OsString> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn path_search_skips_relative_entries_and_keeps_preference_order() {
        let e = env(&[("PATH", "bin:/usr/local/bin:./x:/usr/bin")]);
        let l = list(Os::Unix, &e);
        assert_eq!(l[0], PathBuf::from("/usr/local/bin/google-chrome-stable"));
        assert_eq!(l[1], PathBuf::from("/usr/bin/google-chrome-stable"));
        assert!(l.iter().all(|p| p.is_absolute()), "{l:?}");
        assert!(l.contains(&PathBuf::from("/opt/google/chrome/chrome")));
    }

    #[test]
    fn windows_locations_come_from_the_three_variables() {
        let e = env(&[
            ("LOCALAPPDATA", "C:\\Users\\p\\AppData\\Local"),
            ("PROGRAMFILES", "C:\\Program Files"),
            ("PROGRAMFILES(X86)", "relative"),
        ]);
        let l = list(Os::Windows, &e);
        assert_eq!(l.len(), 8, "{l:?}");
        let first = l[0].to_string_lossy().replace('\\', "/");
        assert_eq!(
            first,
            "C:/Users/p/AppData/Local/Google/Chrome/Application/chrome.exe"
        );
        assert!(l[5].to_string_lossy().contains("msedge.exe"));
    }

    #[test]
    fn macos_looks_in_both_application_folders() {
        let e = env(&[("HOME", "/Users/p")]);
        let l = list(Os::MacOs, &e);
        assert_eq!(
            l[0],
            PathBuf::from("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome")
        );
        assert!(l.contains(&PathBuf::from(
            "/Users/p/Applications/Brave Browser.app/Contents/MacOS/Brave Browser"
        )));
    }
}
