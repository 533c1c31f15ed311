//! Where the engine's log lines and secrets go: the caller's log (stderr,
//! with its own verbosity and redaction) and its redaction list.
//!
//! The engine never prints anything itself. Every secret it learns (a
//! captured SAML response, each cookie value it restores or exports) is
//! handed to [`Sinks::secret`] before any line that could contain it is
//! logged, so the caller's redaction catches it even in the browser's own
//! output.

use std::sync::Arc;

/// How chatty a line is (the host maps these to `-v` / `-vv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Something the person should know about even without `-v`.
    Warn,
    /// Progress shown with `-v`.
    Info,
    /// Details shown with `-v`.
    Debug,
    /// The browser's own output and protocol traffic (method names only),
    /// shown with `-vv`.
    Trace,
}

type LogFn = dyn Fn(Level, &str) + Send + Sync;
type SecretFn = dyn Fn(&str) + Send + Sync;

/// The caller's log and redaction sinks. Cheap to clone; shared with the
/// threads that read the browser's output.
#[derive(Clone)]
pub struct Sinks {
    log: Arc<LogFn>,
    secret: Arc<SecretFn>,
}

impl Sinks {
    /// `log` receives every line; `secret` every value that must be
    /// redacted from what is logged afterwards.
    pub fn new(
        log: impl Fn(Level, &str) + Send + Sync + 'static,
        secret: impl Fn(&str) + Send + Sync + 'static,
    ) -> Self {
        Sinks {
            log: Arc::new(log),
            secret: Arc::new(secret),
        }
    }

    /// Sinks that drop everything (for callers that do not log).
    pub fn discard() -> Self {
        Sinks::new(|_, _| {}, |_| {})
    }

    pub fn log(&self, level: Level, message: &str) {
        (self.log)(level, message)
    }

    pub fn debug(&self, message: &str) {
        self.log(Level::Debug, message)
    }

    pub fn trace(&self, message: &str) {
        self.log(Level::Trace, message)
    }

    /// Register a secret for redaction.
    pub fn secret(&self, value: &str) {
        (self.secret)(value)
    }
}

impl std::fmt::Debug for Sinks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sinks")
    }
}
