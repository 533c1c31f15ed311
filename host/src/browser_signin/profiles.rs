//! Where the dedicated browser profiles live: one per provider under
//! `<data dir>/browser/<provider>` (`~/.local/share/awsprocesscreds/browser/okta`;
//! a snap browser's goes to its snap folder, see the engine's `profile`),
//! a throwaway one per run with `--no-idp-session`, and their removal by
//! `cache clear`.

use std::path::{Path, PathBuf};

use awsprocesscreds_browser::profile::{self, Removal};
use plugin_api::PluginError;

use crate::env_vars as ev;
use crate::{log, settings};

/// `<data dir>/browser`, where every provider's profile lives.
pub fn base() -> Option<PathBuf> {
    settings::data_dir().map(|d| d.join("browser"))
}

/// The provider's profile directory; with `throwaway`, a fresh one for
/// this run only (the caller deletes it).
pub fn dir_for(provider: &str, throwaway: bool) -> Result<PathBuf, PluginError> {
    let base = base().ok_or_else(|| {
        PluginError::config("cannot find a place for the browser profile: HOME is not set")
            .with_hint(format!("set {} or {}", ev::XDG_DATA_HOME, ev::HOME))
    })?;
    let name = dir_name(provider);
    Ok(if throwaway {
        base.join(format!("{name}-once-{}", std::process::id()))
    } else {
        base.join(name)
    })
}

/// A directory name for a provider name (letters, digits, `-`, `_`, `.`
/// already; never `.`/`..` or hidden, which a snap browser could not use).
fn dir_name(provider: &str) -> String {
    let clean: String = provider
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean.is_empty() {
        "_".into()
    } else {
        clean
    }
}

/// Delete a throwaway profile (after its browser is gone).
pub fn discard(dir: &Path) {
    if let Err(e) = profile::remove(dir) {
        log::warn(&format!(
            "could not delete the one-time browser profile: {e}"
        ));
    }
}

/// `cache clear`: delete every profile no sign-in is using (and so the
/// cookies the browser keeps there); warn about the ones in use. The
/// number deleted.
pub fn clear_all() -> usize {
    let Some(base) = base() else {
        return 0;
    };
    let mut removed = 0;
    for dir in profile::all(&base, crate::home::dir().as_deref()) {
        match profile::remove(&dir) {
            Ok(Removal::Removed) => removed += 1,
            Ok(Removal::InUse) => log::warn(&format!(
                "the browser profile {} is in use by a sign-in; left as it is",
                dir.display()
            )),
            Err(e) => log::warn(&e.to_string()),
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_names_make_plain_directory_names() {
        assert_eq!(dir_name("okta"), "okta");
        assert_eq!(dir_name("my-idp_2"), "my-idp_2");
        assert_eq!(dir_name(".."), "__");
        assert_eq!(dir_name(".hidden"), "_hidden");
        assert_eq!(dir_name("a/b"), "a_b");
    }
}
