//! Finding the person's installed Chromium-family browser (Chrome,
//! Chromium, Edge, Brave). Nothing is ever downloaded.
//!
//! An explicit path (the host's `AWSPROCESSCREDS_BROWSER` or
//! `--plugin-option browser=PATH`) is used alone: a full path, or a bare
//! command name (`google-chrome`) looked up in the absolute `PATH`
//! entries; any other relative path is refused (it would depend on the
//! directory the AWS client happens to run in). Otherwise the names and
//! standard locations of [`candidates`] are tried in order; `PATH` entries
//! that are not absolute are skipped (a relative entry would make the
//! result depend on the current directory, which a hostile checkout could
//! control).

mod candidates;
mod snap;

use std::path::{Path, PathBuf};

pub use candidates::Os;

use crate::error::Error;
use crate::os_env::{self, Lookup};

/// Which browser a path is, as far as its name tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Chrome,
    Chromium,
    Edge,
    Brave,
    /// Named by the caller and not recognised: treated like Chromium.
    Other,
}

impl Family {
    /// Guess the family from the executable's file name.
    pub fn of(path: &Path) -> Family {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if name.contains("edge") || name.starts_with("msedge") {
            Family::Edge
        } else if name.contains("brave") {
            Family::Brave
        } else if name.contains("chromium") {
            Family::Chromium
        } else if name.contains("chrome") {
            Family::Chrome
        } else {
            Family::Other
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Family::Chrome => "Chrome",
            Family::Chromium => "Chromium",
            Family::Edge => "Edge",
            Family::Brave => "Brave",
            Family::Other => "browser",
        }
    }
}

/// A browser found on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    /// What to execute.
    pub path: PathBuf,
    pub family: Family,
    /// The snap's name when the browser is a snap (Ubuntu's Chromium), or
    /// a wrapper script that runs one: it cannot use hidden directories
    /// (see [`crate::profile`]).
    pub snap: Option<String>,
}

/// Find the browser: `explicit` alone when given, else the standard
/// places of this OS, using the process environment.
pub fn find(explicit: Option<&Path>) -> Result<Installed, Error> {
    find_in(explicit, &os_env::process, Os::current())
}

/// [`find`] with the environment and OS given (for tests and doctor).
pub fn find_in(explicit: Option<&Path>, env: Lookup, os: Os) -> Result<Installed, Error> {
    if let Some(path) = explicit {
        let unusable = |why: String| Error::Unusable {
            path: path.to_path_buf(),
            why,
        };
        return check(&explicit_path(path, env, os).map_err(unusable)?).map_err(unusable);
    }
    let mut tried = Vec::new();
    for path in candidates::list(os, env) {
        match check(&path) {
            Ok(found) => return Ok(found),
            Err(why) if why == MISSING => tried.push(path.display().to_string()),
            Err(why) => tried.push(format!("{} ({why})", path.display())),
        }
    }
    Err(Error::NotFound { tried })
}

const MISSING: &str = "does not exist";

/// The file an explicit browser names: itself when absolute; a bare
/// command name's first match in the absolute `PATH` entries.
fn explicit_path(path: &Path, env: Lookup, os: Os) -> Result<PathBuf, String> {
    if path.is_absolute() || candidates::looks_like_windows_absolute(path) {
        return Ok(path.to_path_buf());
    }
    let mut parts = path.components();
    let name = match (parts.next(), parts.next()) {
        (Some(std::path::Component::Normal(name)), None) => name.to_string_lossy(),
        _ => return Err("is a relative path; give its full path".into()),
    };
    candidates::on_path(env, &[&name], os.path_separator())
        .into_iter()
        .find(|p| p.is_file())
        .ok_or_else(|| "is not a full path and was not found on PATH".into())
}

/// Whether `path` is a browser we can run: an executable file (after
/// following links), and for a snap wrapper, its snap installed.
fn check(path: &Path) -> Result<Installed, String> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => MISSING.to_string(),
        _ => e.to_string(),
    })?;
    if !meta.is_file() {
        return Err("is not a file".into());
    }
    if !is_executable(&meta) {
        return Err("is not executable".into());
    }
    let snap = match snap::detect(path) {
        snap::Snap::No => None,
        snap::Snap::Yes(name) => Some(name),
        snap::Snap::Missing(name) => {
            return Err(format!("runs the {name} snap, which is not installed"))
        }
    };
    Ok(Installed {
        path: path.to_path_buf(),
        family: Family::of(path),
        snap,
    })
}

#[cfg(unix)]
fn is_executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_meta: &std::fs::Metadata) -> bool {
    true
}
