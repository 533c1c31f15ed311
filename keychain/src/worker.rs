//! The bounded call: every backend operation runs on a worker thread that
//! is abandoned at the deadline, so a hung daemon or an unlock dialog
//! nobody can answer never hangs a login.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

use protocol::Secret;

use crate::backend::Backend;
use crate::error::KeychainError;
use crate::probe::precheck;
use crate::store;
use crate::write_lock::{self, lock};

/// One operation on one entry.
pub(crate) enum Op {
    Get,
    Set(Secret<String>),
    Delete,
}

/// Backends that timed out earlier in this process, with the reason: they
/// are not waited for again, whichever [`crate::Keychain`] asks.
static SKIPPED: Mutex<Option<HashMap<Backend, String>>> = Mutex::new(None);

/// Run `op` against one backend on a worker thread, giving up after
/// `timeout`. Writes hold the backend's writer locks (`lock_file` too,
/// when given) for as long as they run.
pub(crate) fn call(
    backend: Backend,
    service: &str,
    account: &str,
    op: Op,
    timeout: Duration,
    lock_file: Option<PathBuf>,
) -> Result<Option<Secret<String>>, KeychainError> {
    if let Some(reason) = lock(&SKIPPED).as_ref().and_then(|s| s.get(&backend)) {
        return Err(KeychainError::Unavailable {
            backend: backend.name(),
            reason: reason.clone(),
        });
    }
    precheck(backend)?;

    let deadline = Instant::now() + timeout;
    let (tx, rx) = mpsc::channel();
    let service = service.to_string();
    let account = account.to_string();
    let spawned = std::thread::Builder::new()
        .name(format!("keychain-{}", backend.name()))
        .spawn(move || {
            let result = match op {
                Op::Get => store::run(backend, &service, &account, Op::Get),
                // Why: the locks are taken on the worker so that a write
                // abandoned by the caller still releases them when it ends,
                // and a write that waited past the deadline is not done late.
                write => write_lock::with_write_lock(backend, lock_file, deadline, || {
                    store::run(backend, &service, &account, write)
                }),
            };
            let _ = tx.send(result);
        });
    if let Err(e) = spawned {
        return Err(KeychainError::Other {
            backend: backend.name(),
            reason: format!("cannot start a worker thread: {e}"),
        });
    }
    let wait = deadline.saturating_duration_since(Instant::now());
    match rx.recv_timeout(wait) {
        Ok(result) => result,
        Err(_) => {
            // The worker is left to finish (or hang) on its own; it
            // holds nothing the rest of the process needs.
            lock(&SKIPPED).get_or_insert_with(HashMap::new).insert(
                backend,
                format!("it did not answer within {}s earlier", timeout.as_secs()),
            );
            Err(KeychainError::TimedOut {
                backend: backend.name(),
                after: timeout,
            })
        }
    }
}
