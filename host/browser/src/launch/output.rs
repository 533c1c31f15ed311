//! The browser's stdout and stderr: never our stdout (which carries the
//! credential JSON alone), only the caller's log at trace level, line by
//! line, bounded. The last stderr lines are kept for error messages, and
//! a refusal line ends the connection at once.

use std::collections::VecDeque;
use std::io::Read;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::cdp::{Closed, Closer};
use crate::sinks::Sinks;

/// Longer lines are cut (the rest is dropped).
const MAX_LINE: usize = 4096;
/// Stderr lines kept for error messages.
const TAIL_LINES: usize = 20;

/// The last lines of the browser's stderr.
#[derive(Clone, Default)]
pub struct Tail(Arc<Mutex<VecDeque<String>>>);

impl Tail {
    fn push(&self, line: String) {
        if let Ok(mut t) = self.0.lock() {
            if t.len() == TAIL_LINES {
                t.pop_front();
            }
            t.push_back(line);
        }
    }

    pub fn lines(&self) -> Vec<String> {
        self.0
            .lock()
            .map(|t| t.iter().cloned().collect())
            .unwrap_or_default()
    }
}

/// What a pump does with each line besides logging it.
pub struct Watch {
    pub tail: Tail,
    pub closer: Closer,
    pub profile: PathBuf,
}

/// Log `stream`'s lines as `browser <name>: ...` until it ends.
pub fn pump(
    stream: impl Read + Send + 'static,
    name: &'static str,
    sinks: Sinks,
    watch: Option<Watch>,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name(format!("browser-{name}"))
        .spawn(move || {
            for_each_line(stream, |line| {
                sinks.trace(&format!("browser {name}: {line}"));
                if let Some(w) = &watch {
                    if super::refusal::classify(line, &w.profile).is_some() {
                        w.closer.close(Closed::Refused(line.to_string()));
                    }
                    w.tail.push(line.to_string());
                }
            })
        })
}

fn for_each_line(mut stream: impl Read, mut f: impl FnMut(&str)) {
    let mut buf = [0u8; 8192];
    let mut line: Vec<u8> = Vec::new();
    let mut cut = false;
    let mut emit = |line: &mut Vec<u8>| {
        let text = String::from_utf8_lossy(line);
        let text = text.trim_end_matches('\r');
        if !text.trim().is_empty() {
            f(text);
        }
        line.clear();
    };
    loop {
        let n = match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        for &b in &buf[..n] {
            if b == b'\n' {
                if !cut {
                    emit(&mut line);
                }
                cut = false;
            } else if cut {
                // The rest of a line already cut.
            } else if line.len() < MAX_LINE {
                line.push(b);
            } else {
                line.extend_from_slice(" [...]".as_bytes());
                emit(&mut line);
                cut = true;
            }
        }
    }
    if !cut && !line.is_empty() {
        emit(&mut line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_split_and_long_ones_cut() {
        let mut input = b"one\r\n\ntwo\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_LINE * 3));
        input.extend_from_slice(b"\nlast");
        let mut got = Vec::new();
        for_each_line(&input[..], |l| got.push(l.to_string()));
        assert_eq!(got[0], "one");
        assert_eq!(got[1], "two");
        assert!(got[2].len() < MAX_LINE + 10 && got[2].ends_with("[...]"));
        assert_eq!(got[3], "last");
        assert_eq!(got.len(), 4);
    }
}
