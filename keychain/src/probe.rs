//! Is a backend worth contacting? Cheap checks before every call, and the
//! one-time kernel keyring probe.

use std::path::PathBuf;

use crate::backend::Backend;
use crate::error::KeychainError;

/// Cheap checks that need no I/O beyond a `stat`: is this backend worth
/// contacting at all?
pub(crate) fn precheck(backend: Backend) -> Result<(), KeychainError> {
    match backend {
        Backend::SecretService => {
            let address = std::env::var("DBUS_SESSION_BUS_ADDRESS").unwrap_or_default();
            let runtime_bus = std::env::var_os("XDG_RUNTIME_DIR")
                .map(|d| PathBuf::from(d).join("bus"))
                .is_some_and(|p| p.exists());
            if address.trim().is_empty() && !runtime_bus {
                return Err(KeychainError::Unavailable {
                    backend: backend.name(),
                    reason: "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)".into(),
                });
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The kernel keyring needs a session keyring this process can search.
#[cfg(target_os = "linux")]
pub(crate) mod kernel {
    use std::sync::OnceLock;

    use keyring::keyutils::KeyutilsCredential;
    use keyring::Entry;

    use crate::backend::Backend;
    use crate::error::KeychainError;

    const PROBE: &str = "awsprocesscreds:probe";

    pub fn no_session_keyring() -> KeychainError {
        KeychainError::Unavailable {
            backend: Backend::KernelKeyring.name(),
            reason: "this process has no usable session keyring (run it in a login session, \
                     or under `keyctl session`)"
                .into(),
        }
    }

    /// Checked once per process: write a probe key, read it back, remove it.
    /// Without a session keyring of its own, a process gets the user's
    /// default one, which (e.g. in containers) may accept the key and then
    /// refuse to find it.
    pub fn usable() -> Result<(), KeychainError> {
        static USABLE: OnceLock<bool> = OnceLock::new();
        let ok = *USABLE.get_or_init(|| {
            let Ok(credential) = KeyutilsCredential::new_with_target(Some(PROBE), "", "") else {
                return false;
            };
            let entry = Entry::new_with_credential(Box::new(credential));
            let ok =
                entry.set_password("1").is_ok() && entry.get_password().is_ok_and(|v| v == "1");
            let _ = entry.delete_credential();
            ok
        });
        if ok {
            Ok(())
        } else {
            Err(no_session_keyring())
        }
    }
}
