//! Can a browser window be shown to the person? On Linux and the BSDs
//! only inside a graphical session (an X11 `DISPLAY` or a Wayland
//! compositor); macOS and Windows always have a desktop for a logged-in
//! user.

use crate::find::Os;
use crate::os_env::{self, Lookup};

/// `Ok` when a window can be shown, else why not (for the error line and
/// doctor).
pub fn can_show() -> Result<(), String> {
    can_show_in(&os_env::process, Os::current())
}

/// [`can_show`] with the environment and OS given.
pub fn can_show_in(env: Lookup, os: Os) -> Result<(), String> {
    if os != Os::Unix {
        return Ok(());
    }
    let set = |name: &str| env(name).is_some_and(|v| !v.is_empty());
    if set(os_env::DISPLAY) || set(os_env::WAYLAND_DISPLAY) {
        Ok(())
    } else {
        Err(format!(
            "neither {} nor {} is set",
            os_env::DISPLAY,
            os_env::WAYLAND_DISPLAY
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    #[test]
    fn unix_needs_a_display_or_wayland() {
        let none = |_: &str| None;
        let x11 = |k: &str| (k == "DISPLAY").then(|| OsString::from(":0"));
        let wayland = |k: &str| (k == "WAYLAND_DISPLAY").then(|| OsString::from("wayland-0"));
        let empty = |k: &str| (k == "DISPLAY").then(OsString::new);
        assert!(can_show_in(&none, Os::Unix)
            .unwrap_err()
            .contains("DISPLAY"));
        assert!(can_show_in(&empty, Os::Unix).is_err());
        assert!(can_show_in(&x11, Os::Unix).is_ok());
        assert!(can_show_in(&wayland, Os::Unix).is_ok());
        assert!(can_show_in(&none, Os::MacOs).is_ok());
        assert!(can_show_in(&none, Os::Windows).is_ok());
    }
}
