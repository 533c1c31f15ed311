//! A `#!/bin/sh` script standing in for the browser: programs that are
//! not a cooperative browser, and the one error each attempt ends with.
#![cfg(unix)]

use std::path::PathBuf;

use awsprocesscreds_browser::{find, Error, Installed};

use super::attempt::{Attempt, NOWHERE};

/// The script found as the browser; it lives as long as this.
pub struct FakeBrowser {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
    pub browser: Installed,
}

/// Write `body` as the script `name` and find it as a browser.
pub fn fake_browser(name: &str, body: &str) -> FakeBrowser {
    let dir = tempfile::tempdir().unwrap();
    let path = super::script(dir.path(), name, body);
    let browser = find::find(Some(&path)).unwrap();
    FakeBrowser {
        _dir: dir,
        path,
        browser,
    }
}

/// Run a headless attempt with `body` as the "browser" and a deadline
/// `deadline_secs` away: the error it ends with, which has a hint, with
/// nothing of it left running.
pub fn failed_attempt(body: &str, deadline_secs: u64) -> Error {
    let fake = fake_browser("fake-chrome", body);
    let p = super::profile(&fake.browser);
    let err = Attempt::new(&fake.browser, &p, format!("{NOWHERE}start"))
        .headless(30)
        .deadline(deadline_secs)
        .error();
    // The fake and its children inherited CHROME_CONFIG_HOME.
    p.assert_nothing_left();
    assert!(err.hint().is_some(), "{err}: no hint");
    err
}
