//! Why a keychain call failed, and the mapping from the `keyring` crate's
//! errors (which must never carry stored bytes into a message).

use std::time::Duration;

/// Why a keychain call failed. Every kind means "use the next password
/// source"; the kinds differ in what to tell the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeychainError {
    /// The backend is not there or not reachable (no D-Bus session bus, no
    /// Secret Service provider, no usable session keyring, ...).
    #[error("the {backend} keychain is not available: {reason}")]
    Unavailable {
        backend: &'static str,
        reason: String,
    },
    /// The backend did not answer in time (a hung daemon, or an unlock
    /// dialog nobody can answer).
    #[error("the {backend} keychain did not answer within {}s; it is skipped for this run", .after.as_secs())]
    TimedOut {
        backend: &'static str,
        after: Duration,
    },
    /// The store is locked or access was refused (a dismissed unlock prompt).
    #[error("access to the {backend} keychain was denied ({reason}); unlock it and try again")]
    Denied {
        backend: &'static str,
        reason: String,
    },
    /// Anything else the store reported.
    #[error("the {backend} keychain failed: {reason}")]
    Other {
        backend: &'static str,
        reason: String,
    },
}

impl KeychainError {
    /// The name of the backend that failed (`none` when there is none).
    pub fn backend(&self) -> &'static str {
        match self {
            KeychainError::Unavailable { backend, .. }
            | KeychainError::TimedOut { backend, .. }
            | KeychainError::Denied { backend, .. }
            | KeychainError::Other { backend, .. } => backend,
        }
    }
}

/// The error when no backend was there to ask.
pub(crate) fn no_backend() -> KeychainError {
    KeychainError::Unavailable {
        backend: "none",
        reason: "this platform has no supported keychain".to_string(),
    }
}

/// Map a `keyring` error to one of ours. Never includes stored bytes.
pub(crate) fn convert(backend: &'static str, error: keyring::Error) -> KeychainError {
    match error {
        keyring::Error::PlatformFailure(e) => KeychainError::Unavailable {
            backend,
            reason: one_line(&e.to_string()),
        },
        keyring::Error::NoStorageAccess(e) => KeychainError::Denied {
            backend,
            reason: one_line(&e.to_string()),
        },
        keyring::Error::BadEncoding(_) => KeychainError::Other {
            backend,
            reason: "the stored entry is not UTF-8 text".into(),
        },
        keyring::Error::TooLong(what, max) => KeychainError::Other {
            backend,
            reason: format!("the {what} is longer than the {max} bytes this store allows"),
        },
        keyring::Error::Invalid(what, why) => KeychainError::Other {
            backend,
            reason: format!("invalid {what}: {why}"),
        },
        keyring::Error::NoEntry => KeychainError::Other {
            backend,
            reason: "no such entry".into(),
        },
        keyring::Error::Ambiguous(items) => KeychainError::Other {
            backend,
            reason: format!("{} entries match", items.len()),
        },
        other => KeychainError::Other {
            backend,
            reason: one_line(&other.to_string()),
        },
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_backend_and_never_the_secret() {
        let e = convert(
            "kernel-keyring",
            keyring::Error::BadEncoding(b"hunter2\xff".to_vec()),
        );
        assert_eq!(e.backend(), "kernel-keyring");
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }
}
