//! The user's home directory, where `~/.aws` and our cache live.
//!
//! Unix has `HOME`. Windows sets `USERPROFILE` and usually no `HOME`; we
//! take `HOME` first there too (as the AWS SDKs do), so a user who set it
//! finds the same `~/.aws` the SDK uses.

use std::path::PathBuf;

use crate::env_vars as ev;
use crate::error::{Error, Result};

/// The home directory, when the environment names one.
pub fn dir() -> Option<PathBuf> {
    imp::VARS
        .iter()
        .find_map(|name| std::env::var_os(name).filter(|v| !v.is_empty()))
        .map(PathBuf::from)
}

/// The home directory, or a usage error: "cannot find `what`: HOME is not
/// set", with a hint naming `instead`, the variable that avoids the need.
pub fn require(what: &str, instead: &str) -> Result<PathBuf> {
    dir().ok_or_else(|| {
        Error::usage(format!("cannot find {what}: {}", imp::MISSING))
            .hint(format!("set {instead} or {}", ev::HOME))
    })
}

/// An AWS shared file: the path in `var` when set (a leading `~`
/// expanded, see [`expand`]), else `~/.aws/<name>`; `what` names the file
/// in the error when neither can be found.
pub fn aws_file(var: &str, name: &str, what: &str) -> Result<PathBuf> {
    if let Some(p) = std::env::var(var).ok().filter(|p| !p.trim().is_empty()) {
        return Ok(expand(&p));
    }
    Ok(require(what, var)?.join(".aws").join(name))
}

/// `p` with a leading `~/` (and on Windows `~\`) replaced by the home
/// directory, as botocore's `os.path.expanduser` does; unchanged when
/// there is no home directory.
pub fn expand(p: &str) -> PathBuf {
    let rest = imp::TILDE_PREFIXES
        .iter()
        .find_map(|prefix| p.strip_prefix(prefix));
    match (rest, dir()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(p),
    }
}

#[cfg(not(windows))]
mod imp {
    use crate::env_vars as ev;

    pub const VARS: &[&str] = &[ev::HOME];
    pub const MISSING: &str = "HOME is not set";
    pub const TILDE_PREFIXES: &[&str] = &["~/"];
}

#[cfg(windows)]
mod imp {
    use crate::env_vars as ev;

    pub const VARS: &[&str] = &[ev::HOME, ev::USERPROFILE];
    pub const MISSING: &str = "neither HOME nor USERPROFILE is set";
    pub const TILDE_PREFIXES: &[&str] = &["~/", "~\\"];
}
