//! Starting the browser under our control, and making sure it ends.
//!
//! The browser runs with the dedicated profile, its output going to the
//! caller's log (never our stdout), and is controlled over the DevTools
//! pipe only. [`Running`] always ends the browser: [`Running::close`]
//! asks it to close (so it saves the profile), waits a moment, then kills
//! its whole process group and reaps it; dropping a `Running` does the
//! same. Every running browser is in the process-wide registry of
//! [`crate::live`] for the signal handler.

mod flags;
#[cfg(unix)]
#[path = "launch/unix.rs"]
mod imp;
#[cfg(windows)]
#[path = "launch/windows.rs"]
mod imp;
mod output;
mod refusal;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::json;

use crate::cdp::{Cdp, CdpError, Closed};
use crate::error::Error;
use crate::find::Installed;
use crate::os_env;
use crate::profile::Profile;
use crate::sinks::Sinks;

pub use flags::NO_SANDBOX;
pub(crate) use imp::{kill_group, kill_tree, own_group, wait_group_gone};

/// How long `Browser.close` may take before the browser is killed.
const CLOSE_GRACE: Duration = Duration::from_secs(3);

/// What to start.
pub struct Launch<'a> {
    pub browser: &'a Installed,
    pub profile: &'a Profile,
    pub headless: bool,
    pub sinks: &'a Sinks,
    /// How long the browser may take to answer its first command.
    pub start_timeout: Duration,
}

/// A browser under our control.
pub struct Running {
    child: Option<Child>,
    live_id: u64,
    cdp: Cdp,
    sinks: Sinks,
    /// Deleted once the browser is gone.
    run_data: crate::profile::RunData,
}

/// Start the browser and wait for it to answer over the pipe.
pub fn launch(l: &Launch) -> Result<Running, Error> {
    let as_root = imp::is_root();
    let mut cmd = Command::new(&l.browser.path);
    cmd.args(flags::args(
        l.browser.family,
        l.profile.user_data_dir(),
        l.profile.cache_dir(),
        l.headless,
        as_root,
    ))
    .env(os_env::CHROME_CONFIG_HOME, l.profile.config_home())
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let (ours, theirs) = imp::pass_pipes(&mut cmd)
        .map_err(|e| Error::io("cannot create the browser's control pipe", e))?;
    if as_root {
        l.sinks.debug(&format!(
            "running as root: passing {} (Chromium does not start as root without it)",
            flags::NO_SANDBOX
        ));
    }
    l.sinks.debug(&format!(
        "starting {} {} ({})",
        l.browser.path.display(),
        if l.headless {
            "headless"
        } else {
            "with a window"
        },
        l.profile.user_data_dir().display()
    ));
    let spawned = crate::live::spawn(&mut cmd);
    // The browser's pipe ends are in `cmd` (Unix) or `theirs` (Windows):
    // close our copies now, so the pipe ends when the browser does.
    drop(cmd);
    imp::spawned(theirs);
    let (mut child, live_id) = spawned.map_err(|source| Error::Spawn {
        path: l.browser.path.clone(),
        source,
    })?;
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let cdp = match Cdp::start(ours.from_browser, ours.to_browser, l.sinks.clone()) {
        Ok(c) => c,
        Err(e) => {
            imp::kill_tree(&mut child);
            crate::live::forget(live_id);
            return Err(Error::io("cannot start the browser's control threads", e));
        }
    };
    let tail = output::Tail::default();
    let mut pumps = Vec::new();
    if let Some(out) = stdout {
        pumps.push(output::pump(out, "stdout", l.sinks.clone(), None));
    }
    if let Some(err) = stderr {
        let watch = output::Watch {
            tail: tail.clone(),
            closer: cdp.closer(),
            profile: l.profile.user_data_dir().to_path_buf(),
        };
        pumps.push(output::pump(err, "stderr", l.sinks.clone(), Some(watch)));
    }
    let mut running = Running {
        child: Some(child),
        live_id,
        cdp,
        sinks: l.sinks.clone(),
        run_data: l.profile.run_data(),
    };
    if let Some(Err(e)) = pumps.into_iter().find(Result::is_err) {
        return Err(Error::io("cannot start the browser's output threads", e));
    }
    match running
        .cdp
        .call("Browser.getVersion", json!({}), None, l.start_timeout)
    {
        Ok(v) => {
            l.sinks.debug(&format!(
                "browser under control: {}",
                v["product"].as_str().unwrap_or("?")
            ));
            Ok(running)
        }
        Err(e) => {
            let err = running.start_failure(e, &tail, l.profile.user_data_dir().into());
            Err(err)
        }
    }
}

impl Running {
    pub fn cdp(&self) -> &Cdp {
        &self.cdp
    }

    /// Ask the browser to close, give it a moment, then make sure every
    /// process of it is gone.
    pub fn close(mut self) {
        self.shut(CLOSE_GRACE);
    }

    /// Kill the browser at once (nothing to save).
    pub fn kill(mut self) {
        self.shut(Duration::ZERO);
    }

    fn shut(&mut self, grace: Duration) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if !grace.is_zero() && self.cdp.closed().is_none() {
            let _ = self.cdp.call(
                "Browser.close",
                json!({}),
                None,
                grace.min(Duration::from_secs(2)),
            );
        }
        self.cdp.disconnect();
        if !imp::wait_exited(&mut child, grace) {
            self.sinks
                .debug("the browser did not exit when asked; killing it");
        }
        imp::kill_tree(&mut child);
        crate::live::forget(self.live_id);
        crate::profile::forget(&self.run_data);
    }

    /// Turn a failed first command into the error the person sees.
    fn start_failure(&mut self, e: CdpError, tail: &output::Tail, profile: PathBuf) -> Error {
        let exited = match &e {
            CdpError::Closed(Closed::Gone) => self
                .child
                .as_mut()
                .map(|c| imp::wait_exited(c, Duration::from_secs(1))),
            _ => None,
        };
        // Let the stderr reader catch up with a browser that just exited.
        if exited == Some(true) {
            std::thread::sleep(Duration::from_millis(100));
        }
        self.shut(Duration::ZERO);
        let lines = tail.lines();
        let announced = lines
            .iter()
            .find_map(|line| refusal::classify(line, &profile));
        match e {
            CdpError::Closed(Closed::Refused(line)) => refusal::classify(&line, &profile)
                .unwrap_or(Error::Refused {
                    detail: refusal::clean(&line),
                }),
            // Not a refusal we know: say what happened, with its words.
            CdpError::Closed(Closed::Gone) => announced.unwrap_or_else(|| {
                let what = if exited == Some(true) {
                    "it exited at once"
                } else {
                    "it closed its control pipe at once"
                };
                Error::StoppedAtStart {
                    detail: match refusal::telling(&lines) {
                        Some(line) => format!("{what} ({})", refusal::clean(line)),
                        None => what.into(),
                    },
                }
            }),
            CdpError::Timeout { after, .. } => announced.unwrap_or(Error::NoAnswer {
                what: "its first command".into(),
                after,
            }),
            // The pipe's other faults read as in a sign-in (`Gone` is above).
            other => Error::from_cdp(other, Error::BrowserExited),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shut(Duration::from_secs(1));
    }
}
