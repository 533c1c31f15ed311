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
//!   and an exclusive lock on a lock file (`flock` on Unix, `LockFileEx` on
//!   Windows), both per backend (so a hung Secret Service write cannot block
//!   the kernel keyring fallback). The lock files are
//!   `keychain-<backend>.lock` in the directory given to
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

//!
//! # Layout
//!
//! [`Keychain`] (the fallback rules) is in `keychain.rs`; each call runs on
//! the bounded worker in `worker.rs`, writers take the locks in
//! `write_lock.rs`, cheap reachability checks and the kernel keyring probe
//! are in `probe.rs`, and the per-OS backends (`mod imp`) in `store.rs`.

mod account;
mod backend;
mod error;
mod keychain;
mod probe;
mod store;
mod worker;
mod write_lock;

pub use account::{idp_account, SERVICE};
pub use backend::Backend;
pub use error::KeychainError;
pub use keychain::{BackendStatus, Keychain, DEFAULT_TIMEOUT};
