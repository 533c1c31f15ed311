//! Unix: the pipe ends become the child's fds 3 (it reads) and 4 (it
//! writes), with close-on-exec cleared (`command-fds` does the `dup2` /
//! `fcntl` between fork and exec, so this crate needs no `unsafe`). The
//! browser leads its own process group, so all of its processes can be
//! killed at once.

use std::io::{PipeReader, PipeWriter};
use std::os::fd::OwnedFd;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use command_fds::{CommandFdExt, FdMapping};
use rustix::process::{Pid, Signal, WaitId, WaitIdOptions};

/// Chromium's fixed descriptors (`components/devtools/devtools_pipe`).
const BROWSER_READS: i32 = 3;
const BROWSER_WRITES: i32 = 4;

/// Our ends of the two pipes.
pub struct Ours {
    pub from_browser: PipeReader,
    pub to_browser: PipeWriter,
}

/// Nothing to keep: the browser's ends live in the `Command`.
pub struct Theirs;

/// Make the pipes and hand the browser's ends to `cmd`. The browser's
/// ends live in `cmd` until it is dropped: drop it right after spawning,
/// or our copy of the browser's write end keeps the pipe open after the
/// browser is gone.
pub fn pass_pipes(cmd: &mut Command) -> std::io::Result<(Ours, Theirs)> {
    let (browser_reads, to_browser) = std::io::pipe()?;
    let (from_browser, browser_writes) = std::io::pipe()?;
    cmd.fd_mappings(vec![
        FdMapping {
            parent_fd: OwnedFd::from(browser_reads),
            child_fd: BROWSER_READS,
        },
        FdMapping {
            parent_fd: OwnedFd::from(browser_writes),
            child_fd: BROWSER_WRITES,
        },
    ])
    .map_err(std::io::Error::other)?;
    own_group(cmd);
    Ok((
        Ours {
            from_browser,
            to_browser,
        },
        Theirs,
    ))
}

/// The browser has started (its ends are closed with the `Command`).
pub fn spawned(_theirs: Theirs) {}

pub fn own_group(cmd: &mut Command) {
    cmd.process_group(0);
}

fn pid(child: &Child) -> Option<Pid> {
    i32::try_from(child.id()).ok().and_then(Pid::from_raw)
}

/// Wait up to `grace` for the browser's main process to exit, without
/// reaping it: while it is a zombie its pid (our process group id) cannot
/// be reused, so killing the group afterwards cannot hit a stranger.
pub fn wait_exited(child: &mut Child, grace: Duration) -> bool {
    let Some(pid) = pid(child) else {
        return true;
    };
    let start = Instant::now();
    loop {
        let opts = WaitIdOptions::EXITED | WaitIdOptions::NOHANG | WaitIdOptions::NOWAIT;
        match rustix::process::waitid(WaitId::Pid(pid), opts) {
            Ok(Some(_)) | Err(_) => return true,
            Ok(None) if start.elapsed() >= grace => return false,
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// How long the group's other members may take to die after SIGKILL
/// (they need a moment to be scheduled; under load, milliseconds).
const GROUP_GONE: Duration = Duration::from_secs(2);

/// Kill the whole group (helpers the main process left behind too), reap
/// the main process, and wait (bounded) until no member still runs, so
/// the caller may start another browser on the same profile.
pub fn kill_tree(child: &mut Child) {
    kill_group(child.id());
    let _ = child.wait();
    wait_group_gone(child.id());
}

/// Wait (at most [`GROUP_GONE`]) until no process of group `pgid` runs.
pub fn wait_group_gone(pgid: u32) {
    let Some(pgid) = i32::try_from(pgid).ok().and_then(Pid::from_raw) else {
        return;
    };
    let start = Instant::now();
    while group_runs(pgid) && start.elapsed() < GROUP_GONE {
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Does a process of group `pgid` still run? Zombies do not count: the
/// dead helpers were reparented to init, which reaps them when it will.
fn group_runs(pgid: Pid) -> bool {
    if rustix::process::test_kill_process_group(pgid).is_err() {
        return false;
    }
    members_alive(pgid)
}

#[cfg(target_os = "linux")]
fn members_alive(pgid: Pid) -> bool {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return true;
    };
    let want = pgid.as_raw_nonzero().get().to_string();
    dir.flatten().any(|e| {
        let name = e.file_name();
        if !name.as_encoded_bytes().iter().all(u8::is_ascii_digit) {
            return false;
        }
        // "pid (comm) state ppid pgrp ...": the fields after the last ')'.
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            return false;
        };
        let Some((_, rest)) = stat.rsplit_once(')') else {
            return false;
        };
        let mut f = rest.split_whitespace();
        let state = f.next().unwrap_or("Z");
        let pgrp = f.nth(1).unwrap_or("");
        pgrp == want && state != "Z" && state != "X"
    })
}

/// Elsewhere the group test alone decides (init reaps promptly there).
#[cfg(not(target_os = "linux"))]
fn members_alive(_pgid: Pid) -> bool {
    true
}

/// SIGKILL the process group `pgid` (best effort).
pub fn kill_group(pgid: u32) {
    if let Some(pid) = i32::try_from(pgid).ok().and_then(Pid::from_raw) {
        let _ = rustix::process::kill_process_group(pid, Signal::KILL);
    }
}

/// Whether we run as root (Chromium then needs `--no-sandbox`).
pub fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}
