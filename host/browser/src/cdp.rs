//! A small, synchronous DevTools protocol client over the browser's pipe.
//!
//! One thread writes (a write can block while the browser is busy; it
//! must never block a caller past its timeout), one thread reads and
//! splits the NUL-framed messages: replies go to the waiting call by id,
//! events to a queue. Every call has a timeout; a closed pipe, garbage or
//! an oversized message ends the connection with a distinct [`Closed`]
//! reason that every pending and later call sees at once. Page-level
//! commands use flattened sessions (`sessionId` on the message).

mod frames;

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{BufReader, Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::sinks::Sinks;

/// The largest message accepted (a page's cookies or a large form post
/// fit many times over).
pub const MAX_MESSAGE: usize = 32 << 20;
/// More queued events than this means the browser floods us.
const MAX_QUEUED_EVENTS: usize = 100_000;

/// Why the connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Closed {
    /// The browser closed the pipe (it exited, or was killed).
    Gone,
    /// A message larger than [`MAX_MESSAGE`].
    TooLarge,
    /// Something that is not a DevTools JSON message (the start of it,
    /// sanitised).
    Garbage(String),
    /// The browser said on stderr that it refuses remote control.
    Refused(String),
    /// A local read or write error.
    Io(String),
}

/// A failed call.
#[derive(Debug, Clone)]
pub enum CdpError {
    Closed(Closed),
    Timeout {
        method: String,
        after: Duration,
    },
    /// The browser answered with a protocol error.
    Remote {
        method: String,
        message: String,
    },
}

/// An event: a message with a method and no id.
#[derive(Debug, Clone)]
pub struct Event {
    pub method: String,
    pub params: Value,
    /// The flattened session it belongs to (`None`: the browser).
    pub session_id: Option<String>,
}

#[derive(Default)]
struct State {
    waiting: HashSet<u64>,
    replies: HashMap<u64, Result<Value, String>>,
    events: VecDeque<Event>,
    closed: Option<Closed>,
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A poisoned lock only means another thread panicked while
        // holding it; the state itself stays consistent.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn close(&self, why: Closed) {
        let mut s = self.lock();
        if s.closed.is_none() {
            s.closed = Some(why);
        }
        drop(s);
        self.changed.notify_all();
    }
}

/// A handle that ends the connection from outside (the stderr watcher
/// uses it when the browser announces a refusal).
#[derive(Clone)]
pub struct Closer(Arc<Shared>);

impl Closer {
    pub fn close(&self, why: Closed) {
        self.0.close(why)
    }
}

/// The client.
pub struct Cdp {
    outgoing: Mutex<Option<mpsc::Sender<Vec<u8>>>>,
    shared: Arc<Shared>,
    next_id: AtomicU64,
    sinks: Sinks,
}

impl Cdp {
    /// Start the reader and writer threads on the two pipe ends.
    pub fn start(
        from_browser: impl Read + Send + 'static,
        to_browser: impl Write + Send + 'static,
        sinks: Sinks,
    ) -> Result<Cdp, std::io::Error> {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
        });
        let (tx, rx) = mpsc::channel::<Vec<u8>>();
        let w = shared.clone();
        std::thread::Builder::new()
            .name("cdp-writer".into())
            .spawn(move || write_loop(to_browser, rx, &w))?;
        let r = shared.clone();
        std::thread::Builder::new()
            .name("cdp-reader".into())
            .spawn(move || read_loop(from_browser, &r))?;
        Ok(Cdp {
            outgoing: Mutex::new(Some(tx)),
            shared,
            next_id: AtomicU64::new(1),
            sinks,
        })
    }

    pub fn closer(&self) -> Closer {
        Closer(self.shared.clone())
    }

    /// Why the connection ended, if it did.
    pub fn closed(&self) -> Option<Closed> {
        self.shared.lock().closed.clone()
    }

    /// Send `method` without waiting for its result (which is dropped):
    /// for commands whose answer can take as long as a web server does,
    /// like `Page.navigate`.
    pub fn send(&self, method: &str, params: Value, session: Option<&str>) -> Result<(), CdpError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        if let Some(c) = self.closed() {
            return Err(CdpError::Closed(c));
        }
        self.write(id, method, params, session);
        Ok(())
    }

    fn write(&self, id: u64, method: &str, params: Value, session: Option<&str>) {
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = Value::String(s.to_string());
        }
        self.sinks.trace(&format!("devtools: -> {method}"));
        let sent = self
            .outgoing
            .lock()
            .ok()
            .and_then(|tx| tx.as_ref().map(|tx| tx.send(msg.to_string().into_bytes())))
            .is_some_and(|r| r.is_ok());
        if !sent {
            self.shared
                .close(Closed::Io("the control pipe is closed".into()));
        }
    }

    /// Call `method` (on the browser, or on a page's flattened session)
    /// and wait at most `timeout` for its result.
    pub fn call(
        &self,
        method: &str,
        params: Value,
        session: Option<&str>,
        timeout: Duration,
    ) -> Result<Value, CdpError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        {
            let mut s = self.shared.lock();
            if let Some(c) = &s.closed {
                return Err(CdpError::Closed(c.clone()));
            }
            s.waiting.insert(id);
        }
        self.write(id, method, params, session);
        let deadline = Instant::now() + timeout;
        let mut s = self.shared.lock();
        let result = loop {
            if let Some(r) = s.replies.remove(&id) {
                break r.map_err(|message| CdpError::Remote {
                    method: method.to_string(),
                    message,
                });
            }
            if let Some(c) = &s.closed {
                break Err(CdpError::Closed(c.clone()));
            }
            let now = Instant::now();
            if now >= deadline {
                break Err(CdpError::Timeout {
                    method: method.to_string(),
                    after: timeout,
                });
            }
            s = self
                .shared
                .changed
                .wait_timeout(s, deadline - now)
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        };
        s.waiting.remove(&id);
        result
    }

    /// The next event, waiting until `until`; `Ok(None)` when none came.
    /// Once the connection is closed and the queue drained, the reason.
    pub fn next_event(&self, until: Instant) -> Result<Option<Event>, CdpError> {
        let mut s = self.shared.lock();
        loop {
            if let Some(e) = s.events.pop_front() {
                return Ok(Some(e));
            }
            if let Some(c) = &s.closed {
                return Err(CdpError::Closed(c.clone()));
            }
            let now = Instant::now();
            if now >= until {
                return Ok(None);
            }
            s = self
                .shared
                .changed
                .wait_timeout(s, until - now)
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
    }

    /// Close our end of the pipe: the browser sees the end of its input
    /// (Chromium then exits).
    pub fn disconnect(&self) {
        if let Ok(mut tx) = self.outgoing.lock() {
            tx.take();
        }
    }
}

fn write_loop(mut pipe: impl Write, rx: mpsc::Receiver<Vec<u8>>, shared: &Shared) {
    for mut msg in rx {
        msg.push(0);
        if let Err(e) = pipe.write_all(&msg).and_then(|()| pipe.flush()) {
            shared.close(if e.kind() == std::io::ErrorKind::BrokenPipe {
                Closed::Gone
            } else {
                Closed::Io(e.to_string())
            });
            return;
        }
    }
}

fn read_loop(pipe: impl Read, shared: &Shared) {
    let mut r = BufReader::with_capacity(64 << 10, pipe);
    let why = loop {
        let frame = match frames::read_frame(&mut r, MAX_MESSAGE) {
            Ok(Some(f)) => f,
            Ok(None) => break Closed::Gone,
            Err(frames::ReadError::TooLarge) => break Closed::TooLarge,
            Err(frames::ReadError::Io(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                break Closed::Gone
            }
            Err(frames::ReadError::Io(e)) => break Closed::Io(e.to_string()),
        };
        match dispatch(&frame, shared) {
            Ok(()) => {}
            Err(why) => break why,
        }
    };
    shared.close(why);
}

/// Route one message: a reply to its caller, an event to the queue.
fn dispatch(frame: &[u8], shared: &Shared) -> Result<(), Closed> {
    let garbage = || Closed::Garbage(sample(frame));
    let Ok(Value::Object(mut msg)) = serde_json::from_slice::<Value>(frame) else {
        return Err(garbage());
    };
    let mut s = shared.lock();
    if let Some(id) = msg.get("id") {
        let id = id.as_u64().ok_or_else(garbage)?;
        if s.waiting.contains(&id) {
            let reply = match msg.remove("error") {
                Some(err) => Err(err
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("unknown error")
                    .to_string()),
                None => Ok(msg.remove("result").unwrap_or(Value::Null)),
            };
            s.replies.insert(id, reply);
        }
    } else if let Some(Value::String(method)) = msg.remove("method") {
        if s.events.len() >= MAX_QUEUED_EVENTS {
            return Err(Closed::Garbage("a flood of events".into()));
        }
        let session_id = match msg.remove("sessionId") {
            Some(Value::String(sid)) => Some(sid),
            _ => None,
        };
        s.events.push_back(Event {
            method,
            params: msg.remove("params").unwrap_or(Value::Null),
            session_id,
        });
    } else {
        return Err(garbage());
    }
    drop(s);
    shared.changed.notify_all();
    Ok(())
}

/// The start of an unexpected message, printable and short.
fn sample(frame: &[u8]) -> String {
    let text: String = String::from_utf8_lossy(&frame[..frame.len().min(40)])
        .chars()
        .map(|c| if c.is_control() { '.' } else { c })
        .collect();
    format!("{text:?}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{PipeReader, PipeWriter};

    /// A fake browser on the other end of two pipes.
    fn pair() -> (Cdp, PipeReader, PipeWriter) {
        let (from_us, to_browser) = std::io::pipe().unwrap();
        let (from_browser, to_us) = std::io::pipe().unwrap();
        let cdp = Cdp::start(from_browser, to_browser, Sinks::discard()).unwrap();
        (cdp, from_us, to_us)
    }

    fn read_msg(r: &mut BufReader<PipeReader>) -> Value {
        let f = frames::read_frame(r, 1 << 20).unwrap().unwrap();
        serde_json::from_slice(&f).unwrap()
    }

    #[test]
    fn replies_events_and_sessions() {
        let (cdp, from_us, mut to_us) = pair();
        let browser = std::thread::spawn(move || {
            let mut r = BufReader::new(from_us);
            let m = read_msg(&mut r);
            assert_eq!(m["method"], "Runtime.evaluate");
            assert_eq!(m["sessionId"], "S1");
            let id = m["id"].as_u64().unwrap();
            // An event first, then the reply, then an error reply.
            write!(
                to_us,
                "{{\"method\":\"Target.targetCreated\",\"params\":{{\"x\":1}}}}\0"
            )
            .unwrap();
            write!(
                to_us,
                "{{\"id\":{id},\"result\":{{\"v\":2}},\"sessionId\":\"S1\"}}\0"
            )
            .unwrap();
            let m = read_msg(&mut r);
            let id = m["id"].as_u64().unwrap();
            write!(
                to_us,
                "{{\"id\":{id},\"error\":{{\"code\":-32000,\"message\":\"nope\"}}}}\0"
            )
            .unwrap();
            to_us
        });
        let v = cdp
            .call(
                "Runtime.evaluate",
                json!({}),
                Some("S1"),
                Duration::from_secs(5),
            )
            .unwrap();
        assert_eq!(v["v"], 2);
        let e = cdp.next_event(Instant::now()).unwrap().unwrap();
        assert_eq!(e.method, "Target.targetCreated");
        assert_eq!(e.params["x"], 1);
        let err = cdp
            .call("Bad.method", json!({}), None, Duration::from_secs(5))
            .unwrap_err();
        assert!(
            matches!(err, CdpError::Remote { ref message, .. } if message == "nope"),
            "{err:?}"
        );
        let to_us = browser.join().unwrap();
        drop(to_us);
        // The browser went away: a distinct error, at once.
        let err = cdp
            .next_event(Instant::now() + Duration::from_secs(5))
            .unwrap_err();
        assert!(matches!(err, CdpError::Closed(Closed::Gone)), "{err:?}");
        let err = cdp
            .call("X.y", json!({}), None, Duration::from_secs(5))
            .unwrap_err();
        assert!(matches!(err, CdpError::Closed(Closed::Gone)), "{err:?}");
    }

    #[test]
    fn garbage_ends_the_connection_and_silence_times_out() {
        let (cdp, _from_us, mut to_us) = pair();
        let err = cdp
            .call(
                "Browser.getVersion",
                json!({}),
                None,
                Duration::from_millis(200),
            )
            .unwrap_err();
        assert!(matches!(err, CdpError::Timeout { .. }), "{err:?}");
        to_us.write_all(b"hello\0").unwrap();
        let err = cdp
            .call(
                "Browser.getVersion",
                json!({}),
                None,
                Duration::from_secs(5),
            )
            .unwrap_err();
        assert!(
            matches!(err, CdpError::Closed(Closed::Garbage(ref s)) if s.contains("hello")),
            "{err:?}"
        );
    }
}
