//! What Chromium prints on stderr when it will not be controlled. A line
//! like these ends the start at once instead of waiting for a timeout.
//!
//! Messages as Chromium prints them (quoted by users who hit them; seen
//! through code search): the enterprise policy `RemoteDebuggingAllowed`
//! ("DevTools remote debugging is disallowed by the system admin."),
//! Chrome 136+ on the default profile ("DevTools remote debugging
//! requires a non-default data directory. Specify this using
//! --user-data-dir."), a second instance handing over to a running one
//! ("Opening in existing browser session."), the pipe missing
//! ("Remote debugging pipe file descriptors are not open.", seen here),
//! and no display to open a window on ("Missing X server or $DISPLAY",
//! seen here with `DISPLAY` naming no X server; "Failed to connect to
//! Wayland display", Chromium's `ui/ozone/platform/wayland`).

use std::path::Path;

use crate::error::Error;

const POLICY: &str = "remote debugging is disallowed";
const DEFAULT_PROFILE: &str = "requires a non-default data directory";
const EXISTING_SESSION: &str = "opening in existing browser session";
const NO_PIPE: &str = "remote debugging pipe file descriptors are not open";
const NO_X_SERVER: &str = "missing x server or $display";
const NO_WAYLAND: &str = "failed to connect to wayland display";

/// The error a stderr line announces, if any.
pub fn classify(line: &str, profile: &Path) -> Option<Error> {
    let lower = line.to_ascii_lowercase();
    let detail = || clean(line);
    if lower.contains(POLICY) || lower.contains(DEFAULT_PROFILE) {
        Some(Error::Refused { detail: detail() })
    } else if lower.contains(EXISTING_SESSION) {
        Some(Error::ProfileInUse {
            path: profile.to_path_buf(),
        })
    } else if lower.contains(NO_PIPE) {
        Some(Error::PipeNotPassed { detail: detail() })
    } else if lower.contains(NO_X_SERVER) || lower.contains(NO_WAYLAND) {
        Some(Error::NoWindow {
            why: format!("the browser cannot open its display: {}", detail()),
        })
    } else {
        None
    }
}

/// The line that best says why a browser stopped as it started: the
/// last one Chromium logged as an error, else the last one.
pub fn telling(lines: &[String]) -> Option<&str> {
    lines
        .iter()
        .rev()
        .find(|l| l.contains(":ERROR:") || l.contains(":FATAL:"))
        .or_else(|| lines.last())
        .map(String::as_str)
}

/// The message without Chromium's `[pid:tid:date:LEVEL:file.cc(123)]`
/// prefix.
pub fn clean(line: &str) -> String {
    let line = line.trim();
    match line
        .strip_prefix('[')
        .and_then(|rest| rest.split_once("] "))
    {
        Some((_, msg)) => msg.trim().to_string(),
        None => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_refusals() {
        let p = Path::new("/p");
        let e = classify("[1204/202937.742924:ERROR:chrome/app/chrome_main_delegate.cc:1226] Remote debugging pipe file descriptors are not open.", p).unwrap();
        assert!(
            matches!(e, Error::PipeNotPassed { ref detail } if detail == "Remote debugging pipe file descriptors are not open."),
            "{e:?}"
        );
        let e = classify(
            "DevTools remote debugging is disallowed by the system admin.",
            p,
        )
        .unwrap();
        assert!(e.to_string().contains("RemoteDebuggingAllowed"), "{e}");
        assert!(matches!(
            classify("DevTools remote debugging requires a non-default data directory. Specify this using --user-data-dir.", p),
            Some(Error::Refused { .. })
        ));
        assert!(matches!(
            classify("Opening in existing browser session.", p),
            Some(Error::ProfileInUse { .. })
        ));
        assert!(classify("[ERROR:bus.cc(408)] Failed to connect to the bus", p).is_none());
        for no_display in [
            "[28691:28691:1204/230826.647124:ERROR:ui/ozone/platform/x11/ozone_platform_x11.cc:257] Missing X server or $DISPLAY",
            "[1:1:ERROR:ui/ozone/platform/wayland/host/wayland_connection.cc(209)] Failed to connect to Wayland display: No such file or directory (2)",
        ] {
            let e = classify(no_display, p).unwrap();
            assert!(
                matches!(e, Error::NoWindow { ref why } if why.starts_with("the browser cannot open its display: ")),
                "{e:?}"
            );
        }
    }

    #[test]
    fn the_telling_line_is_the_last_error() {
        let lines: Vec<String> = [
            "/usr/bin/chromium: 9: [: 25276194816: unexpected operator",
            "[1:1:1204/1.2:ERROR:ui/aura/env.cc:253] The platform failed to initialize.  Exiting.",
            "write: Broken pipe (32)",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            telling(&lines).map(clean).as_deref(),
            Some("The platform failed to initialize.  Exiting.")
        );
        assert_eq!(telling(&lines[2..]), Some("write: Broken pipe (32)"));
        assert_eq!(telling(&[]), None);
    }
}
