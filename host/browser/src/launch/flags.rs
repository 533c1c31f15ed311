//! The browser's command line, in one place.
//!
//! Never a TCP debugging port (any local process could drive the browser
//! and read its cookies), and no flag that weakens the browser or breaks
//! the kept profile: no `--disable-web-security`,
//! `--ignore-certificate-errors`, `--use-mock-keychain`,
//! `--password-store=...` (cookies saved under the real keystore would
//! not load), `--enable-automation`. `--no-sandbox` only as root, where
//! Chromium does not start without it.

use std::ffi::OsString;
use std::path::Path;

use crate::find::Family;

/// Control over a private pipe (fds 3 and 4; Windows adds the handles).
pub const PIPE: &str = "--remote-debugging-pipe";
/// Needed as root only.
pub const NO_SANDBOX: &str = "--no-sandbox";

/// Everything but the pipe handles (Windows) for one launch.
pub fn args(
    family: Family,
    user_data_dir: &Path,
    cache_dir: &Path,
    headless: bool,
    as_root: bool,
) -> Vec<OsString> {
    let mut dir = OsString::from("--user-data-dir=");
    dir.push(user_data_dir);
    // The HTTP cache outside the kept profile, deleted after each run: it
    // would keep the IdP's page that posts the SAML response.
    let mut cache = OsString::from("--disk-cache-dir=");
    cache.push(cache_dir);
    let mut out: Vec<OsString> = vec![PIPE.into(), dir, cache];
    out.extend(
        [
            "--no-first-run",
            "--no-default-browser-check",
            // The dedicated profile does not phone home at every start
            // (and on a closed network would wait for it).
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            // No window until we open the IdP page: its window then has
            // the keyboard focus in the page, not the address bar.
            "--no-startup-window",
        ]
        .map(OsString::from),
    );
    if headless {
        out.push("--headless".into());
    }
    if as_root {
        out.push(NO_SANDBOX.into());
    }
    if family == Family::Edge {
        // Edge on Windows may relaunch itself and lose the pipe
        // (Playwright passes the same).
        out.push("--edge-skip-compat-layer-relaunch".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_port_and_nothing_that_weakens_the_browser() {
        let a = args(
            Family::Chrome,
            Path::new("/p"),
            Path::new("/c"),
            true,
            false,
        );
        let joined: Vec<String> = a.iter().map(|s| s.to_string_lossy().into_owned()).collect();
        assert!(joined.contains(&"--user-data-dir=/p".to_string()));
        assert!(joined.contains(&"--headless".to_string()));
        assert!(joined.contains(&"--disk-cache-dir=/c".to_string()));
        for bad in [
            "--remote-debugging-port",
            "--no-sandbox",
            "--disable-web-security",
            "--ignore-certificate-errors",
            "--use-mock-keychain",
            "--password-store",
            "--enable-automation",
        ] {
            assert!(!joined.iter().any(|j| j.starts_with(bad)), "{bad}");
        }
        let root = args(Family::Edge, Path::new("/p"), Path::new("/c"), false, true);
        assert!(root.contains(&OsString::from("--no-sandbox")));
        assert!(root.contains(&OsString::from("--edge-skip-compat-layer-relaunch")));
        assert!(!root.contains(&OsString::from("--headless")));
    }
}
