//! Turns at the process environment. The engine reads `DISPLAY` and
//! `WAYLAND_DISPLAY` from it, as it does in the host's process, and every
//! browser it starts inherits it; the only way a test gives the engine a
//! display is to set them. All tests of this binary share one process, so
//! the window tests set them under [`change`] (alone, and put back when
//! the turn ends), and the tests that start a browser run under
//! [`unchanged`]: no browser of theirs inherits a display it was not
//! meant to have, and no read of the environment meets a write.

use std::ffi::OsString;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use awsprocesscreds_browser::os_env;

static ENV: RwLock<()> = RwLock::new(());

/// A turn in which the environment stays as it is (many at once).
pub fn unchanged() -> RwLockReadGuard<'static, ()> {
    ENV.read().unwrap_or_else(|p| p.into_inner())
}

/// The one turn in which a test may set the display variables; they get
/// their values back when it ends.
pub struct Change {
    saved: Vec<(&'static str, Option<OsString>)>,
    _turn: RwLockWriteGuard<'static, ()>,
}

/// Wait for the turn to change the display variables.
pub fn change() -> Change {
    let turn = ENV.write().unwrap_or_else(|p| p.into_inner());
    let saved = [os_env::DISPLAY, os_env::WAYLAND_DISPLAY]
        .into_iter()
        .map(|k| (k, std::env::var_os(k)))
        .collect();
    Change { saved, _turn: turn }
}

impl Drop for Change {
    fn drop(&mut self) {
        // Edition 2021: safe; no other test runs the engine or a browser
        // during this turn.
        #[allow(deprecated)]
        for (k, v) in &self.saved {
            match v {
                Some(v) => std::env::set_var(k, v),
                None => std::env::remove_var(k),
            }
        }
    }
}
