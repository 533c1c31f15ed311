//! Is the browser a snap? Ubuntu's Chromium is one, and so is whatever
//! `/usr/bin/chromium-browser` runs there (a shell script that execs
//! `/snap/bin/chromium`). A snap browser cannot use hidden directories
//! in the home directory nor `/tmp`, so the profile goes elsewhere
//! (see [`crate::profile`]).

use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// Where snapd puts the commands of installed snaps.
const SNAP_BIN: &str = "/snap/bin";
/// Where snapd mounts snaps.
const SNAP_ROOT: &str = "/snap";
/// How much of a script we read to find what it runs.
const SCRIPT_HEAD: u64 = 4096;

#[derive(Debug, PartialEq, Eq)]
pub enum Snap {
    No,
    /// A snap (or a wrapper for one) that is installed.
    Yes(String),
    /// A wrapper for a snap that is not installed (it would only print
    /// "requires the chromium snap to be installed").
    Missing(String),
}

pub fn detect(path: &Path) -> Snap {
    detect_with(path, Path::new(SNAP_BIN))
}

pub(crate) fn detect_with(path: &Path, snap_bin: &Path) -> Snap {
    if let Some(name) = links_of(path).iter().find_map(|p| name_under_snap(p)) {
        return Snap::Yes(name);
    }
    match wrapped_snap(path) {
        None => Snap::No,
        Some(name) if snap_bin.join(&name).symlink_metadata().is_ok() => Snap::Yes(name),
        Some(name) => Snap::Missing(name),
    }
}

/// `path` and each symlink it leads through, hop by hop (not
/// canonicalised: `/snap/bin/NAME` itself links to `/usr/bin/snap`).
fn links_of(path: &Path) -> Vec<PathBuf> {
    let mut chain = vec![path.to_path_buf()];
    while chain.len() < 8 {
        let Some(last) = chain.last() else { break };
        let Ok(target) = std::fs::read_link(last) else {
            break;
        };
        let next = match last.parent() {
            Some(dir) if target.is_relative() => dir.join(target),
            _ => target,
        };
        chain.push(next);
    }
    chain
}

/// `/snap/bin/NAME` or `/snap/NAME/...` -> NAME.
fn name_under_snap(path: &Path) -> Option<String> {
    let rest = path.strip_prefix(SNAP_ROOT).ok()?;
    let mut parts = rest.components().filter_map(|c| match c {
        Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
        _ => None,
    });
    let first = parts.next()?;
    let name = if first == "bin" { parts.next()? } else { first };
    // `/snap/bin/chromium.chromedriver` is an app of the `chromium` snap.
    let name = name.split('.').next().unwrap_or(&name).to_string();
    (!name.is_empty()).then_some(name)
}

/// The snap a shell script runs: `exec /snap/bin/NAME` or `snap run NAME`.
fn wrapped_snap(path: &Path) -> Option<String> {
    let mut head = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(SCRIPT_HEAD)
        .read_to_end(&mut head)
        .ok()?;
    if !head.starts_with(b"#!") {
        return None;
    }
    let text = String::from_utf8_lossy(&head);
    for line in text.lines().map(str::trim).filter(|l| !l.starts_with('#')) {
        let words: Vec<&str> = line
            .split_whitespace()
            .map(|w| w.trim_matches(|c| c == '"' || c == '\''))
            .collect();
        for (i, w) in words.iter().enumerate() {
            if let Some(name) = w.strip_prefix("/snap/bin/") {
                if words.first() == Some(&"exec") || i == 0 {
                    return name_under_snap(Path::new(w)).or(Some(name.to_string()));
                }
            }
            if *w == "snap" && words.get(i + 1) == Some(&"run") {
                if let Some(name) = words.get(i + 2) {
                    return Some(name.split('.').next().unwrap_or(name).to_string());
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    // The wrapper Ubuntu ships as /usr/bin/chromium-browser once Chromium
    // became a snap (its shape as quoted by other projects' fixtures, e.g.
    // the "SNAP_SHIM" constant of a browser finder's tests found through
    // code search; our own text).
    const UBUNTU_SHIM: &str = "#!/bin/sh\n\
        if ! [ -x /snap/bin/chromium ]; then\n\
        \x20   echo \"Command '$0' requires the chromium snap to be installed.\" >&2\n\
        \x20   exit 1\n\
        fi\n\
        exec /snap/bin/chromium \"$@\"\n";

    #[test]
    fn paths_under_snap_are_snaps() {
        let none = Path::new("/nonexistent-snap-bin");
        assert_eq!(
            detect_with(Path::new("/snap/bin/chromium"), none),
            Snap::Yes("chromium".into())
        );
        assert_eq!(
            detect_with(
                Path::new("/snap/chromium/current/usr/lib/chromium-browser/chrome"),
                none
            ),
            Snap::Yes("chromium".into())
        );
    }

    #[test]
    fn the_ubuntu_wrapper_is_a_snap_when_the_snap_is_installed() {
        let dir = tempfile::tempdir().unwrap();
        let shim = dir.path().join("chromium-browser");
        std::fs::write(&shim, UBUNTU_SHIM).unwrap();
        let bin = dir.path().join("snapbin");
        assert_eq!(detect_with(&shim, &bin), Snap::Missing("chromium".into()));
        std::fs::create_dir(&bin).unwrap();
        std::fs::write(bin.join("chromium"), "").unwrap();
        assert_eq!(detect_with(&shim, &bin), Snap::Yes("chromium".into()));
    }

    #[test]
    fn snap_run_wrappers_and_ordinary_programs() {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("snapbin");
        std::fs::create_dir(&bin).unwrap();
        std::fs::write(bin.join("brave"), "").unwrap();
        let run = dir.path().join("brave-browser");
        std::fs::write(&run, "#!/bin/sh\nexec snap run brave \"$@\"\n").unwrap();
        assert_eq!(detect_with(&run, &bin), Snap::Yes("brave".into()));

        let elf = dir.path().join("chrome");
        std::fs::write(&elf, b"\x7fELF\x02\x01\x01\0").unwrap();
        assert_eq!(detect_with(&elf, &bin), Snap::No);
        // Debian's own /usr/bin/chromium is a script too, but runs
        // /usr/lib/chromium/chromium.
        let debian = dir.path().join("chromium");
        std::fs::write(&debian, "#!/bin/sh\n# mentions /snap/bin/x in a comment\nexec /usr/lib/chromium/chromium \"$@\"\n").unwrap();
        assert_eq!(detect_with(&debian, &bin), Snap::No);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_into_snap_is_a_snap() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("chromium");
        std::os::unix::fs::symlink("/snap/bin/chromium", &link).unwrap();
        assert_eq!(
            detect_with(&link, Path::new("/nonexistent")),
            Snap::Yes("chromium".into())
        );
    }
}
