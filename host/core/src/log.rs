//! Logging to stderr, with every known secret redacted.
//!
//! Log lines never go to stdout (which carries only the credential JSON).
//! Secrets are registered as soon as the host learns them (the password it
//! read, the assertion and tokens a plugin returns or reports through
//! `add_secret`, the credentials from STS) and replaced by `[REDACTED]` in
//! every line and error message printed afterwards.

use std::io::Write;
use std::sync::{Mutex, OnceLock};

use protocol::LogLevel;

struct State {
    verbosity: u8,
    secrets: Vec<String>,
    program: String,
    /// Warnings already printed by [`warn_once`].
    warned: Vec<String>,
    /// [`warn_once`] prints nothing (see [`defer_warn_once`]).
    defer: bool,
}

fn state() -> &'static Mutex<State> {
    static S: OnceLock<Mutex<State>> = OnceLock::new();
    S.get_or_init(|| {
        Mutex::new(State {
            verbosity: 0,
            secrets: Vec::new(),
            program: "awsprocesscreds".into(),
            warned: Vec::new(),
            defer: false,
        })
    })
}

/// Set how chatty logging is: 0 = warnings and errors only, 1 = `-v`
/// (info and debug), 2+ = trace.
pub fn set_verbosity(v: u8) {
    if let Ok(mut s) = state().lock() {
        s.verbosity = v;
    }
}

/// The program name that starts every line (the binary's own name).
pub fn set_program(name: &str) {
    if let Ok(mut s) = state().lock() {
        s.program = name.to_string();
    }
}

/// The program name set with [`set_program`].
pub fn program() -> String {
    state()
        .lock()
        .map(|s| s.program.clone())
        .unwrap_or_else(|_| "awsprocesscreds".into())
}

pub fn verbosity() -> u8 {
    state().lock().map(|s| s.verbosity).unwrap_or(0)
}

/// Remember a secret so it is redacted from everything printed later.
/// Very short values are ignored (they would redact ordinary words).
pub fn add_secret(value: &str) {
    let value = value.trim();
    if value.len() < 4 {
        return;
    }
    if let Ok(mut s) = state().lock() {
        if !s.secrets.iter().any(|x| x == value) {
            s.secrets.push(value.to_string());
            // Longest first, so a secret containing another is replaced whole.
            s.secrets.sort_by_key(|x| std::cmp::Reverse(x.len()));
        }
    }
}

/// `text` with every registered secret replaced.
pub fn redact(text: &str) -> String {
    let Ok(s) = state().lock() else {
        return text.to_string();
    };
    let mut out = text.to_string();
    for secret in &s.secrets {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), "[REDACTED]");
        }
    }
    out
}

fn enabled(level: LogLevel) -> bool {
    let v = verbosity();
    match level {
        LogLevel::Error | LogLevel::Warn => true,
        LogLevel::Info | LogLevel::Debug => v >= 1,
        LogLevel::Trace => v >= 2,
    }
}

/// Write one log line to stderr if the level is enabled.
pub fn log(level: LogLevel, message: &str) {
    if !enabled(level) {
        return;
    }
    let tag = match level {
        LogLevel::Error => "error",
        LogLevel::Warn => "warning",
        LogLevel::Info => "info",
        LogLevel::Debug => "debug",
        LogLevel::Trace => "trace",
    };
    let line = redact(message);
    let program = program();
    let mut err = std::io::stderr().lock();
    for l in line.lines() {
        let _ = writeln!(err, "{program}: {tag}: {l}");
    }
}

pub fn debug(message: &str) {
    log(LogLevel::Debug, message)
}

pub fn info(message: &str) {
    log(LogLevel::Info, message)
}

pub fn warn(message: &str) {
    log(LogLevel::Warn, message)
}

/// A warning about one thing (a corrupt cache file, say) that several
/// steps of a run may trip over: printed the first time only.
pub fn warn_once(message: &str) {
    let first = state()
        .lock()
        .map(|mut s| {
            if s.defer || s.warned.iter().any(|m| m == message) {
                false
            } else {
                s.warned.push(message.to_string());
                true
            }
        })
        .unwrap_or(true);
    if first {
        warn(message)
    }
}

/// Leave [`warn_once`] warnings to a later process of the same run: the
/// slim front end reads the cache quietly, and on a miss the full binary
/// it hands over to reads it again and warns, so a corrupt entry is
/// reported once per run, not once per process.
pub fn defer_warn_once() {
    if let Ok(mut s) = state().lock() {
        s.defer = true;
    }
}

pub fn trace(message: &str) {
    log(LogLevel::Trace, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_registered_secrets_longest_first() {
        add_secret("abcdefgh");
        add_secret("abcdefghijkl");
        assert_eq!(
            redact("x abcdefghijkl y abcdefgh"),
            "x [REDACTED] y [REDACTED]"
        );
        add_secret("ab"); // too short to redact safely
        assert_eq!(redact("ab"), "ab");
    }
}
