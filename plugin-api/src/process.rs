//! The out-of-process transport: a plugin executable speaking protocol 2 as
//! JSON lines on its stdin/stdout (see `PROTOCOL.md`, "Process plugins").
//!
//! The child is treated as hostile: every line is length-bounded, every
//! wait has a deadline, anything that is not a protocol message ends the
//! login with one line, and the child is killed whenever the host stops
//! talking to it. Its stderr goes to the host log (which redacts secrets).

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::load_error::LoadError;
use crate::Services;
use protocol::ServiceRequest;
use protocol::{LogLevel, LoginOutcome, LoginRequest, Manifest, PluginError};

/// Longest line accepted from a plugin's stdout (an HTTP request body
/// travels base64-encoded in one line).
const MAX_LINE: usize = 16 << 20;
/// Longer stderr lines are cut (not an error).
const MAX_STDERR_LINE: usize = 8 << 10;
/// Messages of unknown types accepted in one login.
const MAX_IGNORED: u32 = 1000;
/// Stderr lines remembered to explain a plugin that died.
const TAIL: usize = 3;

/// Bounds on a process plugin: how long it may take to say hello, and how
/// long it may stay silent during a login while the host waits for it (time
/// the host spends serving its requests, e.g. at a prompt, does not count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    pub startup: Duration,
    pub idle: Duration,
}

impl Limits {
    pub fn new(startup: Duration, idle: Duration) -> Self {
        Limits { startup, idle }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            startup: Duration::from_secs(10),
            idle: Duration::from_secs(150),
        }
    }
}

enum Line {
    Text(String),
    TooLong,
    Eof,
    Failed,
}

/// Where the plugin's stderr goes: the login's log once a login runs, a
/// short tail before that (and for error messages).
#[derive(Default)]
struct Stderr {
    services: Option<Arc<dyn Services>>,
    tail: VecDeque<String>,
}

struct Session {
    child: Child,
    /// Lines to write to the child's stdin, written by a thread so that a
    /// child that stops reading cannot block the host (see [`Session::send`]).
    stdin: Option<mpsc::Sender<Vec<u8>>>,
    written: Receiver<Result<(), String>>,
    lines: Receiver<Line>,
    stderr: Arc<Mutex<Stderr>>,
}

impl Drop for Session {
    fn drop(&mut self) {
        drop(self.stdin.take());
        // Killing the child also unblocks the writer thread (broken pipe).
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn writer(mut stdin: ChildStdin, lines: Receiver<Vec<u8>>, done: mpsc::Sender<Result<(), String>>) {
    for line in lines {
        let r = stdin
            .write_all(&line)
            .and_then(|_| stdin.flush())
            .map_err(|e| e.to_string());
        let failed = r.is_err();
        if done.send(r).is_err() || failed {
            break;
        }
    }
}

/// A started process plugin (its hello read) ready for one login.
pub(crate) struct Process {
    exec: PathBuf,
    display: PathBuf,
    limits: Limits,
    /// Keeps `exec` leading to the checked file (see `pinned.rs`).
    _pinned: crate::pinned::Pinned,
    session: Mutex<Option<Session>>,
}

#[derive(Deserialize)]
struct Hello {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    protocols: Vec<u32>,
    manifest: Option<Manifest>,
}

fn read_bounded(r: &mut impl BufRead, max: usize) -> Line {
    let mut buf = Vec::new();
    loop {
        let chunk = match r.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return Line::Failed,
        };
        if chunk.is_empty() {
            return if buf.is_empty() {
                Line::Eof
            } else {
                Line::Text(String::from_utf8_lossy(&buf).into_owned())
            };
        }
        let (take, done) = match chunk.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        if buf.len() + take > max + 1 {
            return Line::TooLong;
        }
        buf.extend_from_slice(&chunk[..take]);
        r.consume(take);
        if done {
            buf.pop();
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            return Line::Text(String::from_utf8_lossy(&buf).into_owned());
        }
    }
}

fn spawn(exec: &Path) -> Result<Session, String> {
    let mut child = Command::new(exec)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start it: {e}"))?;
    let (tx, lines) = mpsc::sync_channel(4);
    let stdout = child.stdout.take();
    let stderr_pipe = child.stderr.take();
    let (stdin, written) = match child.stdin.take() {
        Some(pipe) => {
            let (tx, rx) = mpsc::channel::<Vec<u8>>();
            let (done_tx, done_rx) = mpsc::channel();
            std::thread::spawn(move || writer(pipe, rx, done_tx));
            (Some(tx), done_rx)
        }
        None => (None, mpsc::channel().1),
    };
    if let Some(out) = stdout {
        std::thread::spawn(move || {
            let mut r = BufReader::new(out);
            loop {
                let line = read_bounded(&mut r, MAX_LINE);
                let last = !matches!(line, Line::Text(_));
                if tx.send(line).is_err() || last {
                    break;
                }
            }
        });
    }
    let stderr = Arc::new(Mutex::new(Stderr::default()));
    if let Some(err) = stderr_pipe {
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut r = BufReader::new(err);
            loop {
                let text = match read_bounded(&mut r, MAX_STDERR_LINE) {
                    Line::Text(t) => t,
                    // The rest of an overlong line reads as the next line.
                    Line::TooLong => "(a stderr line longer than 8 KiB was cut)".to_string(),
                    Line::Eof | Line::Failed => break,
                };
                let Ok(mut s) = sink.lock() else { break };
                if let Some(services) = &s.services {
                    log(
                        &**services,
                        LogLevel::Info,
                        format!("plugin stderr: {text}"),
                    );
                }
                s.tail.push_back(text);
                if s.tail.len() > TAIL {
                    s.tail.pop_front();
                }
            }
        });
    }
    Ok(Session {
        child,
        stdin,
        written,
        lines,
        stderr,
    })
}

impl Session {
    fn recv(&self, within: Duration) -> Result<Line, RecvTimeoutError> {
        self.lines.recv_timeout(within)
    }

    /// Write one line, waiting at most `within` for the child to take it.
    fn send(&mut self, value: &Value, within: Duration) -> Result<(), String> {
        let stdin = self
            .stdin
            .as_ref()
            .ok_or_else(|| "its input is closed".to_string())?;
        let mut line = serde_json::to_vec(value).map_err(|e| e.to_string())?;
        line.push(b'\n');
        stdin
            .send(line)
            .map_err(|_| "it stopped reading its input".to_string())?;
        match self.written.recv_timeout(within) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(format!("it stopped reading its input ({e})")),
            Err(RecvTimeoutError::Timeout) => Err(format!(
                "it did not read its input for {} s; stopped it",
                within.as_secs()
            )),
            Err(RecvTimeoutError::Disconnected) => Err("it stopped reading its input".into()),
        }
    }

    /// How it ended, for an error message: exit status and last stderr.
    fn ending(&mut self) -> String {
        drop(self.stdin.take());
        let mut status = None;
        for _ in 0..20 {
            if let Ok(Some(s)) = self.child.try_wait() {
                status = Some(s);
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let code = match status {
            Some(s) => match s.code() {
                Some(c) => format!("exit status {c}"),
                None => "killed by a signal".to_string(),
            },
            None => "still running; stopped".to_string(),
        };
        // Give the stderr reader a moment to catch the last words.
        std::thread::sleep(Duration::from_millis(20));
        let tail = self
            .stderr
            .lock()
            .ok()
            .and_then(|s| s.tail.back().cloned())
            .filter(|t| !t.trim().is_empty())
            .map(|t| format!("; its last stderr line: {}", t.trim()))
            .unwrap_or_default();
        format!("{code}{tail}")
    }
}

/// A line in the host's log, through the same door as a plugin's `log`.
fn log(services: &dyn Services, level: LogLevel, message: String) {
    let _ = protocol::serve(
        services,
        ServiceRequest::Log {
            level: level.into(),
            message,
        },
    );
}

fn not_json(what: &str, e: &serde_json::Error) -> String {
    format!("it printed {what} that is not a protocol message (not JSON: {e})")
}

impl Process {
    /// Start the executable and read its hello.
    pub(crate) fn start(
        file: std::fs::File,
        display: &Path,
        limits: Limits,
    ) -> Result<(Process, Manifest), LoadError> {
        let pinned = crate::pinned::pin(file, display, crate::FileKind::Executable)?;
        let exec = pinned.path().to_path_buf();
        let mut session = spawn(&exec).map_err(LoadError::Process)?;
        let hello = match session.recv(limits.startup) {
            Ok(Line::Text(t)) => t,
            Ok(Line::TooLong) => {
                return Err(LoadError::Process(
                    "its hello line is longer than the protocol allows".into(),
                ))
            }
            Ok(Line::Eof) | Ok(Line::Failed) | Err(RecvTimeoutError::Disconnected) => {
                let how = session.ending();
                return Err(LoadError::Process(format!(
                    "it exited without saying hello ({how})"
                )));
            }
            Err(RecvTimeoutError::Timeout) => {
                return Err(LoadError::Process(format!(
                "it said nothing within {} s (a process plugin must print its hello line first)",
                limits.startup.as_secs_f32()
            )))
            }
        };
        let hello: Hello = serde_json::from_str(&hello)
            .map_err(|e| LoadError::Process(not_json("a first line", &e)))?;
        if hello.kind != "hello" {
            return Err(LoadError::Process(format!(
                "its first line is a '{}' message, not the hello",
                hello.kind
            )));
        }
        let mut manifest = hello
            .manifest
            .ok_or_else(|| LoadError::BadManifest("its hello has no manifest".into()))?;
        // The hello's own list is authoritative for the transport.
        if !hello.protocols.is_empty() {
            manifest.protocols = hello.protocols;
        }
        Ok((
            Process {
                exec,
                display: display.to_path_buf(),
                limits,
                _pinned: pinned,
                session: Mutex::new(Some(session)),
            },
            manifest,
        ))
    }

    /// Run one login over the session started by the hello (or a fresh
    /// one, if that was used already).
    pub(crate) fn login(
        &self,
        name: &str,
        request: &LoginRequest,
        services: Arc<dyn Services>,
    ) -> Result<LoginOutcome, PluginError> {
        let fail = |what: String| {
            PluginError::protocol(format!("plugin '{name}' failed: {what}")).with_hint(format!(
                "this is a bug in the plugin {}; run with -v to see its stderr",
                self.display.display()
            ))
        };
        let taken = self.session.lock().ok().and_then(|mut s| s.take());
        let mut session = match taken {
            Some(s) => s,
            None => {
                let mut s = spawn(&self.exec).map_err(fail)?;
                match s.recv(self.limits.startup) {
                    Ok(Line::Text(_)) => s,
                    _ => return Err(fail(format!("it did not say hello again ({})", s.ending()))),
                }
            }
        };
        if let Ok(mut s) = session.stderr.lock() {
            for line in s.tail.iter() {
                log(&*services, LogLevel::Info, format!("plugin stderr: {line}"));
            }
            s.services = Some(services.clone());
        }
        let start = json!({"type": "login", "protocol": request.protocol, "request": request});
        session.send(&start, self.limits.idle).map_err(fail)?;
        let mut lines = 0u64;
        let mut ignored = 0u32;
        loop {
            let line = match session.recv(self.limits.idle) {
                Ok(Line::Text(t)) => t,
                Ok(Line::TooLong) => {
                    return Err(fail(format!(
                        "it printed a line longer than {} MiB",
                        MAX_LINE >> 20
                    )))
                }
                Ok(Line::Eof) | Ok(Line::Failed) | Err(RecvTimeoutError::Disconnected) => {
                    return Err(fail(format!(
                        "it exited without a result ({})",
                        session.ending()
                    )))
                }
                Err(RecvTimeoutError::Timeout) => {
                    return Err(fail(format!(
                        "it sent nothing for {} s; stopped it",
                        self.limits.idle.as_secs()
                    )))
                }
            };
            lines += 1;
            if line.trim().is_empty() {
                continue;
            }
            let msg: Value = serde_json::from_str(&line)
                .map_err(|e| fail(not_json(&format!("line {lines}"), &e)))?;
            match msg.get("type").and_then(Value::as_str).unwrap_or("") {
                "call" => {
                    let id = msg.get("id").cloned().unwrap_or(Value::Null);
                    let call = msg.get("call").cloned().unwrap_or(Value::Null);
                    let reply = protocol::serve_value(&*services, call);
                    session
                        .send(
                            &json!({"type": "reply", "id": id, "reply": reply}),
                            self.limits.idle,
                        )
                        .map_err(fail)?;
                }
                "result" => {
                    let outcome = msg.get("outcome").cloned().unwrap_or(Value::Null);
                    drop(session);
                    return serde_json::from_value(outcome)
                        .map_err(|e| fail(format!("its result is not a login outcome ({e})")));
                }
                "error" => {
                    let error = msg.get("error").cloned().unwrap_or(Value::Null);
                    drop(session);
                    return Err(serde_json::from_value(error).unwrap_or_else(|e| {
                        fail(format!("its error message is malformed ({e})"))
                    }));
                }
                // Message types from a newer protocol are ignored, but an
                // endless stream of them must not keep the login going.
                other => {
                    ignored += 1;
                    if ignored > MAX_IGNORED {
                        return Err(fail(format!(
                            "it sent more than {MAX_IGNORED} messages this host does not know"
                        )));
                    }
                    log(
                        &*services,
                        LogLevel::Debug,
                        format!("ignoring a '{other}' message from plugin '{name}'"),
                    )
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_bounded() {
        let data = b"short\nthis line is too long\nx";
        let mut r = BufReader::new(&data[..]);
        assert!(matches!(read_bounded(&mut r, 10), Line::Text(t) if t == "short"));
        assert!(matches!(read_bounded(&mut r, 10), Line::TooLong));
        let mut r = BufReader::new(&b"a\r\nb"[..]);
        assert!(matches!(read_bounded(&mut r, 10), Line::Text(t) if t == "a"));
        assert!(matches!(read_bounded(&mut r, 10), Line::Text(t) if t == "b"));
        assert!(matches!(read_bounded(&mut r, 10), Line::Eof));
    }
}
