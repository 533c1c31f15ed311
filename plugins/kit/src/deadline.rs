//! A bound on waiting for a person (a push approval, a number to tap):
//! `--mfa-timeout` seconds, counted as the larger of the time slept through
//! the host's `sleep` service and the wall clock, because a host may make
//! sleeping instant (tests) or slower than asked (a loaded machine).

use std::time::{Duration, Instant};

use plugin_api::{Host, PluginError};

/// Time left to wait.
#[derive(Debug)]
pub struct Deadline {
    limit: Duration,
    started: Instant,
    slept: Duration,
}

impl Deadline {
    /// A deadline `limit` from now.
    pub fn after(limit: Duration) -> Self {
        Deadline {
            limit,
            started: Instant::now(),
            slept: Duration::ZERO,
        }
    }

    /// Whether the time is up.
    pub fn passed(&self) -> bool {
        self.slept.max(self.started.elapsed()) >= self.limit
    }

    /// The bound, for messages.
    pub fn limit(&self) -> Duration {
        self.limit
    }

    /// Sleep `interval` through the host (Ctrl-C ends it as `Cancelled`).
    pub fn sleep(&mut self, host: &Host, interval: Duration) -> Result<(), PluginError> {
        host.sleep(interval)?;
        self.slept += interval;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zero_deadline_has_passed() {
        assert!(Deadline::after(Duration::ZERO).passed());
        let d = Deadline::after(Duration::from_secs(3600));
        assert!(!d.passed());
        assert_eq!(d.limit(), Duration::from_secs(3600));
    }
}
