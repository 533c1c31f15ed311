//! The pipe's framing: each DevTools message is one JSON text followed
//! by a single NUL byte (Chromium's `devtools_pipe_handler.cc`). Reading
//! is bounded: a message larger than the cap is an error, not an
//! ever-growing buffer.

use std::io::{self, BufRead};

/// Why the incoming stream of messages ended.
#[derive(Debug)]
pub enum ReadError {
    /// More than the cap without a NUL.
    TooLarge,
    Io(io::Error),
}

/// The next message without its NUL, or `None` at a clean end of the
/// stream (nothing pending).
pub fn read_frame(r: &mut impl BufRead, max: usize) -> Result<Option<Vec<u8>>, ReadError> {
    let mut frame = Vec::new();
    loop {
        let buf = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ReadError::Io(e)),
        };
        if buf.is_empty() {
            return if frame.is_empty() {
                Ok(None)
            } else {
                Err(ReadError::Io(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the stream ended in the middle of a message",
                )))
            };
        }
        let (chunk, done) = match buf.iter().position(|&b| b == 0) {
            Some(i) => (&buf[..i], Some(i + 1)),
            None => (buf, None),
        };
        if frame.len() + chunk.len() > max {
            return Err(ReadError::TooLarge);
        }
        frame.extend_from_slice(chunk);
        let used = done.unwrap_or(chunk.len());
        r.consume(used);
        if done.is_some() {
            return Ok(Some(frame));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufReader;

    #[test]
    fn splits_on_nul_across_reads() {
        let data = b"{\"a\":1}\0{\"b\":2}\0".to_vec();
        // A tiny buffer makes every message span several reads.
        let mut r = BufReader::with_capacity(3, &data[..]);
        assert_eq!(read_frame(&mut r, 100).unwrap().unwrap(), b"{\"a\":1}");
        assert_eq!(read_frame(&mut r, 100).unwrap().unwrap(), b"{\"b\":2}");
        assert!(read_frame(&mut r, 100).unwrap().is_none());
    }

    #[test]
    fn an_oversized_or_truncated_message_is_an_error() {
        let big = [b'x'; 50];
        let mut r = BufReader::with_capacity(8, &big[..]);
        assert!(matches!(read_frame(&mut r, 20), Err(ReadError::TooLarge)));
        let cut = b"{\"a\":".to_vec();
        let mut r = BufReader::new(&cut[..]);
        assert!(matches!(read_frame(&mut r, 20), Err(ReadError::Io(_))));
    }
}
