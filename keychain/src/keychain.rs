//! [`Keychain`]: the backends of a platform behind one store, with the
//! fallback rules for reads, writes and deletes.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use protocol::Secret;

use crate::backend::Backend;
use crate::error::{no_backend, KeychainError};
use crate::probe::precheck;
use crate::worker::{self, Op};
use crate::write_lock;

/// How long one keychain call may take before it is abandoned.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// What [`Keychain::probe`] found out about one backend.
#[derive(Debug, Clone)]
pub struct BackendStatus {
    pub backend: Backend,
    /// `Ok` when a read went through (the test entry need not exist).
    pub result: Result<(), KeychainError>,
}

type WarnFn = dyn Fn(&str) + Send + Sync;

/// The OS keychain for one service name. Cheap to create: nothing is
/// contacted until the first call.
pub struct Keychain {
    service: String,
    timeout: Duration,
    backends: Vec<Backend>,
    /// Lock files are `<this><backend>.lock`.
    lock_prefix: Option<PathBuf>,
    warn: Option<Arc<WarnFn>>,
}

impl Keychain {
    /// A keychain for `service` whose calls each give up after `timeout`.
    pub fn new(service: &str, timeout: Duration) -> Keychain {
        Keychain {
            service: service.to_string(),
            timeout,
            backends: Backend::platform().to_vec(),
            lock_prefix: write_lock::default_prefix(),
            warn: None,
        }
    }

    /// Use only these backends, in this order (tests, or a future option).
    pub fn with_backends(mut self, backends: &[Backend]) -> Keychain {
        self.backends = backends.to_vec();
        self
    }

    /// Serialize writers across processes with an exclusive lock on
    /// `<dir>/keychain-<backend>.lock` (created 0600 when missing); pass the
    /// host's cache directory.
    pub fn with_lock_dir(mut self, dir: impl Into<PathBuf>) -> Keychain {
        self.lock_prefix = Some(dir.into().join("keychain-"));
        self
    }

    /// Receive one-line warnings about backends that were skipped.
    pub fn on_warning(mut self, warn: impl Fn(&str) + Send + Sync + 'static) -> Keychain {
        self.warn = Some(Arc::new(warn));
        self
    }

    /// The service name.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The backend that would be tried first, judged without contacting
    /// anything (`none` when the platform has no keychain). Use
    /// [`Keychain::probe`] to know whether it really answers.
    pub fn backend(&self) -> &str {
        self.backends
            .iter()
            .find(|b| precheck(**b).is_ok())
            .map_or("none", |b| b.name())
    }

    /// Try a harmless read on every backend of the platform (for a
    /// `doctor` command). Nothing is written and no unlock dialog is
    /// triggered, because the test entry does not exist.
    pub fn probe(&self) -> Vec<BackendStatus> {
        self.backends
            .iter()
            .map(|&backend| BackendStatus {
                backend,
                result: self
                    .call(backend, "awsprocesscreds-probe", Op::Get)
                    .map(|_| ()),
            })
            .collect()
    }

    /// The secret stored for `account`, from the first backend that has it.
    /// `Ok(None)` when a backend answered and none has it.
    pub fn get(&self, account: &str) -> Result<Option<Secret<String>>, KeychainError> {
        let mut first_error = None;
        let mut answered = false;
        for &backend in &self.backends {
            match self.call(backend, account, Op::Get) {
                Ok(Some(value)) => return Ok(Some(value)),
                Ok(None) => answered = true,
                Err(e) => {
                    self.warning(&e);
                    first_error.get_or_insert(e);
                }
            }
        }
        if answered {
            Ok(None)
        } else {
            Err(first_error.unwrap_or_else(no_backend))
        }
    }

    /// Store `secret` for `account` in the first backend that accepts it,
    /// replacing any earlier value.
    pub fn set(&self, account: &str, secret: &Secret<String>) -> Result<(), KeychainError> {
        let mut first_error = None;
        for (i, &backend) in self.backends.iter().enumerate() {
            match self.call(backend, account, Op::Set(secret.clone())) {
                Ok(_) => {
                    // Why: a copy left in a later backend would be read
                    // whenever this one is unreachable, long after it went stale.
                    for &later in &self.backends[i + 1..] {
                        match self.call(later, account, Op::Delete) {
                            Ok(_) | Err(KeychainError::Unavailable { .. }) => {}
                            Err(e) => self.warning(&e),
                        }
                    }
                    return Ok(());
                }
                Err(e) => {
                    self.warning(&e);
                    first_error.get_or_insert(e);
                }
            }
        }
        Err(first_error.unwrap_or_else(no_backend))
    }

    /// Remove `account` from every reachable backend. Deleting a missing
    /// entry is not an error.
    pub fn delete(&self, account: &str) -> Result<(), KeychainError> {
        let mut first_error = None;
        let mut done = false;
        for &backend in &self.backends {
            match self.call(backend, account, Op::Delete) {
                Ok(_) => done = true,
                Err(e) => {
                    self.warning(&e);
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) if !done => Err(e),
            None if !done => Err(no_backend()),
            _ => Ok(()),
        }
    }

    fn warning(&self, error: &KeychainError) {
        if let Some(warn) = &self.warn {
            warn(&error.to_string());
        }
    }

    fn call(
        &self,
        backend: Backend,
        account: &str,
        op: Op,
    ) -> Result<Option<Secret<String>>, KeychainError> {
        let lock_file = self
            .lock_prefix
            .as_deref()
            .map(|prefix| write_lock::file_for(prefix, backend));
        worker::call(backend, &self.service, account, op, self.timeout, lock_file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::SERVICE;

    #[test]
    fn no_backends_is_an_error_not_a_panic() {
        let k = Keychain::new(SERVICE, DEFAULT_TIMEOUT).with_backends(&[]);
        assert_eq!(k.backend(), "none");
        assert_eq!(k.get("x").unwrap_err().backend(), "none");
        assert!(k.set("x", &Secret::new("p".into())).is_err());
        assert!(k.delete("x").is_err());
    }
}
