//! Windows: Chromium takes the pipe as two inherited handles named on its
//! command line (`--remote-debugging-io-pipes=<read>,<write>`, decimal
//! handle values). Marking a handle inheritable takes one Win32 call, the
//! only `unsafe` of this crate.
#![allow(unsafe_code)]

use std::ffi::OsString;
use std::io::{PipeReader, PipeWriter};
use std::os::windows::io::{AsRawHandle, OwnedHandle};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use windows_sys::Win32::Foundation::{SetHandleInformation, HANDLE_FLAG_INHERIT};

pub struct Ours {
    pub from_browser: PipeReader,
    pub to_browser: PipeWriter,
}

/// The browser's ends, kept open until the browser has started.
pub struct Theirs {
    _reads: OwnedHandle,
    _writes: OwnedHandle,
}

pub fn pass_pipes(cmd: &mut Command) -> std::io::Result<(Ours, Theirs)> {
    let (browser_reads, to_browser) = std::io::pipe()?;
    let (from_browser, browser_writes) = std::io::pipe()?;
    let reads = OwnedHandle::from(browser_reads);
    let writes = OwnedHandle::from(browser_writes);
    inheritable(&reads)?;
    inheritable(&writes)?;
    let mut arg = OsString::from("--remote-debugging-io-pipes=");
    arg.push(format!(
        "{},{}",
        reads.as_raw_handle() as usize,
        writes.as_raw_handle() as usize
    ));
    cmd.arg(arg);
    Ok((
        Ours {
            from_browser,
            to_browser,
        },
        Theirs {
            _reads: reads,
            _writes: writes,
        },
    ))
}

fn inheritable(h: &OwnedHandle) -> std::io::Result<()> {
    // SAFETY: `h` is a valid, open handle owned for the duration of the
    // call; SetHandleInformation only changes its inheritance flag.
    let ok = unsafe {
        SetHandleInformation(h.as_raw_handle(), HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT)
    };
    if ok == 0 {
        Err(std::io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// The browser has started (or failed to): close our copies of its ends,
/// so the pipe ends when the browser does.
pub fn spawned(theirs: Theirs) {
    drop(theirs);
}

pub fn own_group(_cmd: &mut Command) {}

pub fn wait_exited(child: &mut Child, grace: Duration) -> bool {
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) | Err(_) => return true,
            Ok(None) if start.elapsed() >= grace => return false,
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// Chromium's helper processes end with the main one.
pub fn kill_tree(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// Not available on Windows without the process handle; closing our end
/// of the pipe (which happens when this process exits) ends the browser.
pub fn kill_group(_pid: u32) {}

pub fn wait_group_gone(_pid: u32) {}

pub fn is_root() -> bool {
    false
}
