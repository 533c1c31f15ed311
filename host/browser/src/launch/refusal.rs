//! What Chromium prints on stderr when it will not be controlled. A line
//! like these ends the start at once instead of waiting for a timeout.
//!
//! Messages as Chromium prints them (quoted by users who hit them; seen
//! through code search): the enterprise policy `RemoteDebuggingAllowed`
//! ("DevTools remote debugging is disallowed by the system admin."),
//! Chrome 136+ on the default profile ("DevTools remote debugging
//! requires a non-default data directory. Specify this using
//! --user-data-dir."), a second instance handing over to a running one
//! ("Opening in existing browser session."), and the pipe missing
//! ("Remote debugging pipe file descriptors are not open.", seen here).

use std::path::Path;

use crate::error::Error;

const POLICY: &str = "remote debugging is disallowed";
const DEFAULT_PROFILE: &str = "requires a non-default data directory";
const EXISTING_SESSION: &str = "opening in existing browser session";
const NO_PIPE: &str = "remote debugging pipe file descriptors are not open";

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
    } else {
        None
    }
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
    }
}
