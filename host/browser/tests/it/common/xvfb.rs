//! A private X server per test, and xdotool acting as the person:
//! `sandbox::desktop`, with this suite's rules on top (missing tools are
//! `SKIPPED:`, a failure to start is a test failure).

use std::time::Duration;

pub use sandbox::desktop::Desktop;

/// How long a window may take to appear (Chromium starting under load).
pub const APPEARS_WITHIN: Duration = Duration::from_secs(60);

/// Start Xvfb on a free display, or `None` after `SKIPPED:` when Xvfb or
/// xdotool is missing.
pub fn start() -> Option<Desktop> {
    for tool in ["Xvfb", "xdotool"] {
        if !sandbox::desktop::on_path(tool) {
            return super::skip(&format!("{tool} is not installed"));
        }
    }
    match Desktop::start() {
        Ok(x) => Some(x),
        Err(why) => panic!("cannot start Xvfb: {why}"),
    }
}
