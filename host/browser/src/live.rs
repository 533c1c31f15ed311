//! Every browser this process started and has not yet reaped, so that
//! Ctrl-C, SIGTERM or SIGHUP never leave one running.
//!
//! Chromium also exits by itself when its control pipe closes (checked
//! here: our process SIGKILLed, headless and windowed, every Chromium
//! process gone within 0.2 s), so even a `kill -9` of this process leaves
//! nothing behind. The signal handler makes the ordinary cases immediate
//! and exact: it kills each browser's whole process group, then lets the
//! signal take its default course (the process ends as it would have).

use std::process::{Child, Command};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};

use crate::launch;

/// (our id, the browser's pid = its process group on Unix).
static LIVE: Mutex<Vec<(u64, u32)>> = Mutex::new(Vec::new());
static NEXT: AtomicU64 = AtomicU64::new(1);

fn live() -> MutexGuard<'static, Vec<(u64, u32)>> {
    LIVE.lock().unwrap_or_else(|p| p.into_inner())
}

/// Spawn `cmd` and register it, under the registry's lock so a signal
/// arriving meanwhile waits for the registration and kills it too.
pub(crate) fn spawn(cmd: &mut Command) -> std::io::Result<(Child, u64)> {
    let mut l = live();
    let child = cmd.spawn()?;
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    l.push((id, child.id()));
    Ok((child, id))
}

/// The browser `id` was reaped.
pub(crate) fn forget(id: u64) {
    live().retain(|(i, _)| *i != id);
}

/// How many browsers are running (for tests and diagnostics).
pub fn count() -> usize {
    live().len()
}

/// Kill every browser this process started (best effort; on Windows the
/// browsers end when this process exits and their pipes close).
pub fn kill_all() {
    let l = live();
    for (_, pid) in l.iter() {
        launch::kill_group(*pid);
    }
    // Killed processes need a moment to be scheduled and die: wait
    // (bounded) so none outlives the caller's exit.
    for (_, pid) in l.iter() {
        launch::wait_group_gone(*pid);
    }
}

/// Install, once per process, the handling of SIGINT, SIGTERM and SIGHUP
/// that kills every live browser and then ends the process the way the
/// signal would have. The host calls this before it starts a browser.
/// Later calls do nothing. A no-op on Windows (see [`kill_all`]).
pub fn install_signal_cleanup() -> std::io::Result<()> {
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| imp::install().map_err(|e| e.to_string()))
        .clone()
        .map_err(std::io::Error::other)
}

#[cfg(unix)]
mod imp {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    use signal_hook::iterator::Signals;

    pub fn install() -> std::io::Result<()> {
        let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP])?;
        std::thread::Builder::new()
            .name("browser-signals".into())
            .spawn(move || {
                if let Some(sig) = signals.forever().next() {
                    super::kill_all();
                    let _ = signal_hook::low_level::emulate_default_handler(sig);
                    // Not reached for these signals (their default ends
                    // the process), but never return to normal work.
                    std::process::exit(128 + sig);
                }
            })?;
        Ok(())
    }
}

#[cfg(not(unix))]
mod imp {
    pub fn install() -> std::io::Result<()> {
        Ok(())
    }
}
