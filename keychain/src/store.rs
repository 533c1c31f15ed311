//! One operation on one backend (run on the worker thread), and the
//! per-OS backends behind it (`mod imp`).

use keyring::Entry;
use protocol::Secret;

use crate::backend::Backend;
use crate::error::{convert, KeychainError};
use crate::worker::Op;

/// One operation on one backend, on the worker thread.
pub(crate) fn run(
    backend: Backend,
    service: &str,
    account: &str,
    op: Op,
) -> Result<Option<Secret<String>>, KeychainError> {
    let entry = imp::entry(backend, service, account)?;
    let name = backend.name();
    match op {
        Op::Get => match entry.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(keyring::Error::Ambiguous(items)) => Err(KeychainError::Other {
                backend: name,
                reason: format!(
                    "{} entries match {account}; storing the password again replaces them",
                    items.len()
                ),
            }),
            Err(e) => Err(convert(name, e)),
        },
        Op::Set(secret) => match entry.set_password(secret.expose()) {
            Ok(()) => Ok(None),
            Err(keyring::Error::Ambiguous(items)) => {
                // Why: duplicates (left by older tools or racing writers)
                // make every later read fail; replace them with one entry.
                delete_all(name, items)?;
                entry
                    .set_password(secret.expose())
                    .map(|()| None)
                    .map_err(|e| convert(name, e))
            }
            Err(e) => Err(convert(name, e)),
        },
        Op::Delete => match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(None),
            Err(keyring::Error::Ambiguous(items)) => {
                delete_all(name, items)?;
                Ok(None)
            }
            Err(e) => Err(convert(name, e)),
        },
    }
}

fn delete_all(
    name: &'static str,
    items: Vec<Box<keyring::credential::Credential>>,
) -> Result<(), KeychainError> {
    for item in items {
        Entry::new_with_credential(item)
            .delete_credential()
            .or_else(ignore_missing)
            .map_err(|e| convert(name, e))?;
    }
    Ok(())
}

fn ignore_missing(e: keyring::Error) -> Result<(), keyring::Error> {
    match e {
        keyring::Error::NoEntry => Ok(()),
        e => Err(e),
    }
}

/// Unix desktops: the Secret Service, and on Linux the kernel keyring.
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
mod imp {
    use keyring::Entry;

    use crate::backend::Backend;
    use crate::error::{convert, KeychainError};

    /// The `keyring` entry for `account` in one specific backend.
    pub fn entry(backend: Backend, service: &str, account: &str) -> Result<Entry, KeychainError> {
        let name = backend.name();
        match backend {
            Backend::SecretService => {
                let credential =
                    keyring::secret_service::SsCredential::new_with_target(None, service, account)
                        .map_err(|e| convert(name, e))?;
                Ok(Entry::new_with_credential(Box::new(credential)))
            }
            #[cfg(target_os = "linux")]
            Backend::KernelKeyring => {
                use crate::probe::kernel;
                kernel::usable()?;
                let credential =
                    keyring::keyutils::KeyutilsCredential::new_with_target(None, service, account)
                        .map_err(|_| kernel::no_session_keyring())?;
                Ok(Entry::new_with_credential(Box::new(credential)))
            }
            _ => Err(super::unsupported(name)),
        }
    }
}

/// macOS and Windows: the one native store, which `keyring` picks itself.
#[cfg(any(target_os = "macos", target_os = "windows"))]
mod imp {
    use keyring::Entry;

    use crate::backend::Backend;
    use crate::error::{convert, KeychainError};

    /// The `keyring` entry for `account` in one specific backend.
    pub fn entry(backend: Backend, service: &str, account: &str) -> Result<Entry, KeychainError> {
        let name = backend.name();
        match backend {
            #[cfg(target_os = "macos")]
            Backend::MacosKeychain => Entry::new(service, account).map_err(|e| convert(name, e)),
            #[cfg(target_os = "windows")]
            Backend::WindowsCredentialManager => {
                Entry::new(service, account).map_err(|e| convert(name, e))
            }
            _ => Err(super::unsupported(name)),
        }
    }
}

/// Anywhere else: no keychain.
#[cfg(not(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "macos",
    target_os = "windows"
)))]
mod imp {
    use keyring::Entry;

    use crate::backend::Backend;
    use crate::error::KeychainError;

    pub fn entry(backend: Backend, _service: &str, _account: &str) -> Result<Entry, KeychainError> {
        Err(super::unsupported(backend.name()))
    }
}

fn unsupported(backend: &'static str) -> KeychainError {
    KeychainError::Unavailable {
        backend,
        reason: "not supported on this platform".into(),
    }
}
