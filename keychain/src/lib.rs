//! The OS keychain, as a password store that can never hang or crash a login.
//!
//! `credential_process` often runs where no terminal exists (IDEs, scripts),
//! so `--use-keyring` keeps the IdP password in the platform's secret store.
//! The `keyring` crate talks to the stores; this module adds what users of
//! other tools complained about:
//!
//! - **Every call is bounded.** Each backend call runs on a worker thread and
//!   is abandoned after the [`Keychain`]'s timeout ([`DEFAULT_TIMEOUT`] unless
//!   told otherwise): a missing D-Bus, a KWallet that never answers or a
//!   locked collection that wants to show an unlock dialog give
//!   [`KeychainError::TimedOut`], never a hang. A backend that timed out once
//!   is skipped for the rest of the process, so a login waits at most one
//!   timeout per backend, not one per call.
//! - **Broken backends degrade.** Errors are values; callers fall back to the
//!   next password source. Warnings about a skipped backend go to the
//!   callback given with [`Keychain::on_warning`] (the host shows them
//!   under `-v`).
//! - **Writers are serialized.** `set` and `delete` hold a process-wide mutex
//!   and an exclusive `flock` on a lock file, both per backend (so a hung
//!   Secret Service write cannot block the kernel keyring fallback). The lock
//!   files are `keychain-<backend>.lock` in the directory given to
//!   [`Keychain::with_lock_dir`] (the host's cache directory), by default
//!   `$XDG_RUNTIME_DIR/awsprocesscreds-keychain-<backend>.lock` on Unix, and
//!   only the mutex when neither exists. Concurrent `credential_process` runs
//!   therefore do not create duplicate Secret Service items (which the store
//!   would later report as ambiguous). Readers take no lock.
//!
//! # Backends and fallback
//!
//! | platform | backends, in order |
//! |---|---|
//! | macOS | Keychain (generic password: service, account) |
//! | Windows | Credential Manager (generic credential `<account>.<service>`) |
//! | Linux | Secret Service (gnome-keyring, KeePassXC, KWallet ≥ 5.97), then the kernel keyring (keyutils) |
//! | FreeBSD, OpenBSD | Secret Service |
//!
//! On Linux the Secret Service is tried only when a session bus is
//! advertised (`DBUS_SESSION_BUS_ADDRESS` is set, or `$XDG_RUNTIME_DIR/bus`
//! exists). The kernel keyring is used only when this process has a session
//! keyring the kernel lets it search (checked once per process with a probe
//! key): without one the kernel accepts writes it then refuses to read back,
//! which the `keyring` crate would report as a missing entry. Kernel keyring
//! entries live in the login session (and the user's persistent keyring, a
//! few days by default) and never survive a reboot.
//!
//! - **get**: the backends are asked in order; the first that holds the
//!   entry wins. Unreachable backends are skipped with a warning.
//! - **set**: the entry goes to the first backend that accepts it; copies in
//!   the backends after it are then deleted (best effort), so a stale
//!   password cannot come back when that backend is not reachable.
//! - **delete**: removes the entry from every reachable backend.
//!
//! Each result is `Err` only when no backend could do the job.
//!
//! # Names
//!
//! IdP passwords use the service [`SERVICE`] and the account from
//! [`idp_account`]. On Linux's Secret Service that is an item with the
//! attributes `service` and `username`; on the kernel keyring a `user` key
//! described `keyring-rs:<account>@<service>`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use keyring::Entry;
use protocol::Secret;

/// The keychain service name under which IdP passwords are kept.
pub const SERVICE: &str = "awsprocesscreds";

/// How long one keychain call may take before it is abandoned.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The keychain account for an IdP password:
/// `<provider>:<username>@<endpoint host>` (with `:port` when the endpoint
/// names a non-default port).
///
/// Only the host is used, so changing the login path of the same IdP keeps
/// the stored password. An endpoint that is not a URL is used up to its
/// first `/`.
pub fn idp_account(provider: &str, username: &str, endpoint_url: &str) -> String {
    let host = match url::Url::parse(endpoint_url) {
        Ok(url) if url.host_str().is_some() => {
            let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
            match url.port() {
                Some(port) => format!("{host}:{port}"),
                None => host,
            }
        }
        _ => endpoint_url
            .trim()
            .split('/')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase(),
    };
    format!("{provider}:{username}@{host}")
}

/// One of the platform's secret stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// The freedesktop Secret Service over the D-Bus session bus.
    SecretService,
    /// The Linux kernel key retention service (keyutils).
    KernelKeyring,
    /// The macOS login keychain.
    MacosKeychain,
    /// The Windows Credential Manager.
    WindowsCredentialManager,
}

impl Backend {
    /// A short stable name, e.g. `secret-service`.
    pub fn name(self) -> &'static str {
        match self {
            Backend::SecretService => "secret-service",
            Backend::KernelKeyring => "kernel-keyring",
            Backend::MacosKeychain => "macos-keychain",
            Backend::WindowsCredentialManager => "windows-credential-manager",
        }
    }

    fn index(self) -> usize {
        match self {
            Backend::SecretService => 0,
            Backend::KernelKeyring => 1,
            Backend::MacosKeychain => 2,
            Backend::WindowsCredentialManager => 3,
        }
    }

    /// The backends of this platform, in the order they are tried.
    pub fn platform() -> &'static [Backend] {
        PLATFORM_BACKENDS
    }
}

#[cfg(target_os = "linux")]
const PLATFORM_BACKENDS: &[Backend] = &[Backend::SecretService, Backend::KernelKeyring];
#[cfg(any(target_os = "freebsd", target_os = "openbsd"))]
const PLATFORM_BACKENDS: &[Backend] = &[Backend::SecretService];
#[cfg(target_os = "macos")]
const PLATFORM_BACKENDS: &[Backend] = &[Backend::MacosKeychain];
#[cfg(target_os = "windows")]
const PLATFORM_BACKENDS: &[Backend] = &[Backend::WindowsCredentialManager];
#[cfg(not(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "macos",
    target_os = "windows"
)))]
const PLATFORM_BACKENDS: &[Backend] = &[];

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

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

/// Serialize writers within the process, one per [`Backend`] (indexed by
/// [`Backend::index`]); the lock files serialize them across processes.
static WRITE_LOCKS: [Mutex<()>; 4] = [
    Mutex::new(()),
    Mutex::new(()),
    Mutex::new(()),
    Mutex::new(()),
];

/// Backends that timed out earlier in this process, with the reason: they
/// are not waited for again, whichever [`Keychain`] asks.
static SKIPPED: Mutex<Option<HashMap<Backend, String>>> = Mutex::new(None);

enum Op {
    Get,
    Set(Secret<String>),
    Delete,
}

impl Keychain {
    /// A keychain for `service` whose calls each give up after `timeout`.
    pub fn new(service: &str, timeout: Duration) -> Keychain {
        Keychain {
            service: service.to_string(),
            timeout,
            backends: Backend::platform().to_vec(),
            lock_prefix: default_lock_prefix(),
            warn: None,
        }
    }

    /// Use only these backends, in this order (tests, or a future option).
    pub fn with_backends(mut self, backends: &[Backend]) -> Keychain {
        self.backends = backends.to_vec();
        self
    }

    /// Serialize writers across processes with an `flock` on
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

    /// Run one operation against one backend on a worker thread, giving up
    /// after the timeout.
    fn call(
        &self,
        backend: Backend,
        account: &str,
        op: Op,
    ) -> Result<Option<Secret<String>>, KeychainError> {
        if let Some(reason) = lock(&SKIPPED).as_ref().and_then(|s| s.get(&backend)) {
            return Err(KeychainError::Unavailable {
                backend: backend.name(),
                reason: reason.clone(),
            });
        }
        precheck(backend)?;

        let deadline = Instant::now() + self.timeout;
        let (tx, rx) = mpsc::channel();
        let service = self.service.clone();
        let account = account.to_string();
        let lock_file = self
            .lock_prefix
            .as_ref()
            .map(|p| PathBuf::from(format!("{}{}.lock", p.display(), backend.name())));
        let spawned = std::thread::Builder::new()
            .name(format!("keychain-{}", backend.name()))
            .spawn(move || {
                let result = match op {
                    Op::Get => run(backend, &service, &account, Op::Get),
                    // Why: the locks are taken on the worker so that a write
                    // abandoned by the caller still releases them when it ends,
                    // and a write that waited past the deadline is not done late.
                    write => with_write_lock(backend, lock_file, deadline, || {
                        run(backend, &service, &account, write)
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
                    format!(
                        "it did not answer within {}s earlier",
                        self.timeout.as_secs()
                    ),
                );
                Err(KeychainError::TimedOut {
                    backend: backend.name(),
                    after: self.timeout,
                })
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn no_backend() -> KeychainError {
    KeychainError::Unavailable {
        backend: "none",
        reason: "this platform has no supported keychain".to_string(),
    }
}

#[cfg(unix)]
fn default_lock_prefix() -> Option<PathBuf> {
    // Why not /tmp: another user could create or hold the file there.
    std::env::var_os("XDG_RUNTIME_DIR")
        .filter(|d| !d.is_empty())
        .map(|d| PathBuf::from(d).join("awsprocesscreds-keychain-"))
}

#[cfg(not(unix))]
fn default_lock_prefix() -> Option<PathBuf> {
    None
}

/// Cheap checks that need no I/O beyond a `stat`: is this backend worth
/// contacting at all?
fn precheck(backend: Backend) -> Result<(), KeychainError> {
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

/// Hold this backend's writer mutex and lock file (when set) while `f`
/// runs; give up at `deadline`.
fn with_write_lock<T>(
    backend: Backend,
    lock_file: Option<PathBuf>,
    deadline: Instant,
    f: impl FnOnce() -> Result<T, KeychainError>,
) -> Result<T, KeychainError> {
    let _guard = lock(&WRITE_LOCKS[backend.index()]);
    let _file = match lock_file {
        Some(path) => {
            file_lock::acquire(&path, deadline).map_err(|reason| KeychainError::Other {
                backend: backend.name(),
                reason,
            })?
        }
        None => None,
    };
    if Instant::now() >= deadline {
        return Err(KeychainError::TimedOut {
            backend: backend.name(),
            after: Duration::ZERO,
        });
    }
    f()
}

#[cfg(unix)]
mod file_lock {
    use std::fs::{DirBuilder, File, OpenOptions};
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    use std::path::Path;
    use std::time::{Duration, Instant};

    use rustix::fs::{flock, FlockOperation};

    /// An exclusive `flock`, released when the file is closed. `Ok(None)`
    /// when the lock file cannot be used at all (unwritable directory, a
    /// file system without locks): writing unlocked beats not storing.
    /// `Err` only when another process holds the lock past `deadline`.
    pub fn acquire(path: &Path, deadline: Instant) -> Result<Option<File>, String> {
        let open = || {
            OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .mode(0o600)
                .open(path)
        };
        let file = match open() {
            Ok(file) => file,
            Err(_) => {
                if let Some(dir) = path.parent() {
                    let _ = DirBuilder::new().recursive(true).mode(0o700).create(dir);
                }
                match open() {
                    Ok(file) => file,
                    Err(_) => return Ok(None),
                }
            }
        };
        loop {
            match flock(&file, FlockOperation::NonBlockingLockExclusive) {
                Ok(()) => return Ok(Some(file)),
                Err(rustix::io::Errno::WOULDBLOCK) | Err(rustix::io::Errno::INTR) => {
                    if Instant::now() >= deadline {
                        return Err(format!(
                            "another process kept {} locked until the timeout",
                            path.display()
                        ));
                    }
                    std::thread::sleep(Duration::from_millis(10))
                }
                Err(_) => return Ok(None),
            }
        }
    }
}

#[cfg(not(unix))]
mod file_lock {
    use std::path::Path;
    use std::time::Instant;

    /// No cross-process lock here: the Credential Manager writes one
    /// credential atomically, and the process-wide mutex still applies.
    pub fn acquire(_path: &Path, _deadline: Instant) -> Result<Option<()>, String> {
        Ok(None)
    }
}

/// One operation on one backend, on the worker thread.
fn run(
    backend: Backend,
    service: &str,
    account: &str,
    op: Op,
) -> Result<Option<Secret<String>>, KeychainError> {
    let entry = entry(backend, service, account)?;
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
                for item in items {
                    Entry::new_with_credential(item)
                        .delete_credential()
                        .or_else(ignore_missing)
                        .map_err(|e| convert(name, e))?;
                }
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
                for item in items {
                    Entry::new_with_credential(item)
                        .delete_credential()
                        .or_else(ignore_missing)
                        .map_err(|e| convert(name, e))?;
                }
                Ok(None)
            }
            Err(e) => Err(convert(name, e)),
        },
    }
}

fn ignore_missing(e: keyring::Error) -> Result<(), keyring::Error> {
    match e {
        keyring::Error::NoEntry => Ok(()),
        e => Err(e),
    }
}

/// The `keyring` entry for `account` in one specific backend.
fn entry(backend: Backend, service: &str, account: &str) -> Result<Entry, KeychainError> {
    let name = backend.name();
    match backend {
        #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
        Backend::SecretService => {
            let credential =
                keyring::secret_service::SsCredential::new_with_target(None, service, account)
                    .map_err(|e| convert(name, e))?;
            Ok(Entry::new_with_credential(Box::new(credential)))
        }
        #[cfg(target_os = "linux")]
        Backend::KernelKeyring => {
            kernel::usable()?;
            let credential =
                keyring::keyutils::KeyutilsCredential::new_with_target(None, service, account)
                    .map_err(|_| kernel::no_session_keyring())?;
            Ok(Entry::new_with_credential(Box::new(credential)))
        }
        #[cfg(any(target_os = "macos", target_os = "windows"))]
        Backend::MacosKeychain | Backend::WindowsCredentialManager => {
            Entry::new(service, account).map_err(|e| convert(name, e))
        }
        #[allow(unreachable_patterns)]
        _ => Err(KeychainError::Unavailable {
            backend: name,
            reason: "not supported on this platform".into(),
        }),
    }
}

/// The kernel keyring needs a session keyring this process can search.
#[cfg(target_os = "linux")]
mod kernel {
    use std::sync::OnceLock;

    use keyring::keyutils::KeyutilsCredential;
    use keyring::Entry;

    use super::{Backend, KeychainError};

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

/// Map a `keyring` error to one of ours. Never includes stored bytes.
fn convert(backend: &'static str, error: keyring::Error) -> KeychainError {
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
    #[cfg(unix)]
    use std::path::Path;

    #[test]
    fn idp_account_uses_provider_user_and_host() {
        assert_eq!(
            idp_account(
                "okta",
                "alice",
                "https://Example.okta.com/home/amazon_aws/0oa/272"
            ),
            "okta:alice@example.okta.com"
        );
        assert_eq!(
            idp_account(
                "adfs",
                "CORP\\bob",
                "https://sts.corp.example:8443/adfs/ls/"
            ),
            "adfs:CORP\\bob@sts.corp.example:8443"
        );
        assert_eq!(
            idp_account("forms", "c", "idp.example.com/login"),
            "forms:c@idp.example.com"
        );
    }

    #[test]
    fn errors_name_the_backend_and_never_the_secret() {
        let e = convert(
            "kernel-keyring",
            keyring::Error::BadEncoding(b"hunter2\xff".to_vec()),
        );
        assert_eq!(e.backend(), "kernel-keyring");
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn lock_file_is_created_held_and_never_blocks_past_the_deadline() {
        let dir = std::env::temp_dir().join(format!("apc-keychain-lock-{}", std::process::id()));
        let path = dir.join("nested").join("keychain-x.lock");
        let soon = || Instant::now() + Duration::from_millis(200);
        let held = file_lock::acquire(&path, soon()).unwrap();
        assert!(held.is_some(), "missing directories are created");
        let started = Instant::now();
        let second = file_lock::acquire(&path, soon());
        assert!(second.unwrap_err().contains("locked"));
        assert!(started.elapsed() < Duration::from_secs(2));
        drop(held);
        assert!(file_lock::acquire(&path, soon()).unwrap().is_some());
        // An unusable location means "no cross-process lock", not "no keychain".
        let unusable = Path::new("/dev/null/keychain-x.lock");
        assert!(file_lock::acquire(unusable, soon()).unwrap().is_none());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn no_backends_is_an_error_not_a_panic() {
        let k = Keychain::new(SERVICE, DEFAULT_TIMEOUT).with_backends(&[]);
        assert_eq!(k.backend(), "none");
        assert_eq!(k.get("x").unwrap_err().backend(), "none");
        assert!(k.set("x", &Secret::new("p".into())).is_err());
        assert!(k.delete("x").is_err());
    }
}
