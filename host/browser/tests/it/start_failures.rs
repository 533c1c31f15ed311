//! Browsers that stop as they start for reasons other than a policy: no
//! X server at `DISPLAY` (a stale SSH `DISPLAY`), or a program that
//! closes its control pipe and keeps running. Each is named for what it
//! is, and nothing is left running.
// Every case runs a `#!/bin/sh` script as the browser.
#![cfg(unix)]

use crate::common;

use awsprocesscreds_browser::Error;
use common::fake_browser::failed_attempt;

/// What Debian's Chromium printed here with `DISPLAY=:77` (no X server),
/// the wrapper's noise and a broken pipe after the telling line.
#[test]
fn no_x_server_at_display_is_no_window_not_a_policy() {
    let _env = common::env::unchanged();
    let err = failed_attempt(
        "echo '/usr/bin/chromium: 9: [: 25276194816: unexpected operator' >&2
echo '[28691:28691:1204/230826.647124:ERROR:ui/ozone/platform/x11/ozone_platform_x11.cc:257] Missing X server or $DISPLAY' >&2
echo '[28691:28691:1204/230826.647170:ERROR:ui/aura/env.cc:253] The platform failed to initialize.  Exiting.' >&2
echo 'write: Broken pipe (32)' >&2
exit 1", 30);
    assert!(matches!(err, Error::NoWindow { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("Missing X server or $DISPLAY"), "{msg}");
    assert!(!msg.contains("RemoteDebuggingAllowed"), "{msg}");
}

/// Chromium's error line is the one shown, not the noise after it.
#[test]
fn an_unknown_early_exit_shows_the_browser_error_line() {
    let _env = common::env::unchanged();
    let err = failed_attempt(
        "echo '[1:1:1204/1.2:ERROR:chrome/app/x.cc(1)] Something we do not know' >&2
echo 'write: Broken pipe (32)' >&2
exit 1",
        30,
    );
    assert!(matches!(err, Error::StoppedAtStart { .. }), "{err:?}");
    assert!(
        err.to_string()
            .ends_with("it exited at once (Something we do not know)"),
        "{err}"
    );
}

/// A program that closes the pipe but goes on running did not exit.
#[test]
fn closing_the_pipe_without_exiting_is_said_so() {
    let _env = common::env::unchanged();
    let err = failed_attempt("exec 3<&- 4>&-\nexec sleep 60", 30);
    assert!(matches!(err, Error::StoppedAtStart { .. }), "{err:?}");
    assert!(
        err.to_string().contains("closed its control pipe at once"),
        "{err}"
    );
}
