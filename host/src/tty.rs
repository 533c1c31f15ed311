//! The controlling terminal: prompts, secret input, menus and notices.
//!
//! AWS clients capture our stdout and stderr (and show stderr only when we
//! fail), so anything the user must see or answer goes to `/dev/tty`. When
//! there is no controlling terminal (an IDE, a cron job), `open` returns
//! `None` and callers fail fast with a clear message instead of hanging or
//! reading stdin.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Write};

/// Why a terminal interaction failed.
#[derive(Debug, thiserror::Error)]
pub enum TtyError {
    #[error("cancelled at the terminal")]
    Cancelled,
    #[error("terminal I/O failed: {0}")]
    Io(#[from] io::Error),
}

/// An open controlling terminal.
pub struct Tty {
    file: File,
}

/// Open the controlling terminal, if there is one.
pub fn open() -> Option<Tty> {
    #[cfg(unix)]
    let path = "/dev/tty";
    #[cfg(windows)]
    let path = "CONIN$";
    let file = OpenOptions::new().read(true).write(true).open(path).ok()?;
    Some(Tty { file })
}

/// Whether a controlling terminal exists.
pub fn available() -> bool {
    open().is_some()
}

impl Tty {
    /// Write a line (a notice) to the terminal.
    pub fn say(&mut self, line: &str) -> io::Result<()> {
        writeln!(self.file, "{line}")?;
        self.file.flush()
    }

    /// Prompt and read one line with echo.
    pub fn read_line(&mut self, prompt: &str) -> Result<String, TtyError> {
        write!(self.file, "{prompt}")?;
        self.file.flush()?;
        let mut line = String::new();
        let n = BufReader::new(&self.file).read_line(&mut line)?;
        if n == 0 {
            return Err(TtyError::Cancelled);
        }
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }

    /// Prompt and read one line without echo. Ctrl-C and Ctrl-D cancel;
    /// the terminal mode is always restored.
    pub fn read_secret(&mut self, prompt: &str) -> Result<String, TtyError> {
        let result = self.read_raw_secret(prompt);
        let _ = writeln!(self.file);
        let _ = self.file.flush();
        result
    }

    #[cfg(unix)]
    fn read_raw_secret(&mut self, prompt: &str) -> Result<String, TtyError> {
        use rustix::termios::{self, LocalModes, OptionalActions, SpecialCodeIndex};
        let original = termios::tcgetattr(&self.file).map_err(io::Error::from)?;
        let mut raw = original.clone();
        // No echo, byte-at-a-time, and Ctrl-C as a byte we handle, so the
        // mode is restored even when the user cancels.
        raw.local_modes
            .remove(LocalModes::ECHO | LocalModes::ICANON | LocalModes::ISIG);
        raw.special_codes[SpecialCodeIndex::VMIN] = 1;
        raw.special_codes[SpecialCodeIndex::VTIME] = 0;
        // Switch modes before showing the prompt, and without flushing input,
        // so a fast typist (or a script) loses nothing and sees no echo.
        termios::tcsetattr(&self.file, OptionalActions::Now, &raw).map_err(io::Error::from)?;
        struct Restore<'a>(&'a File, termios::Termios);
        impl Drop for Restore<'_> {
            fn drop(&mut self) {
                let _ = rustix::termios::tcsetattr(
                    self.0,
                    rustix::termios::OptionalActions::Now,
                    &self.1,
                );
            }
        }
        let _restore = Restore(&self.file, original);
        let mut out = &self.file;
        write!(out, "{prompt}")?;
        out.flush()?;
        let mut bytes: Vec<u8> = Vec::new();
        let mut buf = [0u8; 1];
        loop {
            let n = (&self.file).read(&mut buf)?;
            if n == 0 {
                return Err(TtyError::Cancelled);
            }
            match buf[0] {
                b'\r' | b'\n' => break,
                0x03 => return Err(TtyError::Cancelled),
                0x04 if bytes.is_empty() => return Err(TtyError::Cancelled),
                0x04 => break,
                0x15 => bytes.clear(),
                0x7f | 0x08 => {
                    // Remove one UTF-8 character.
                    while let Some(b) = bytes.pop() {
                        if b & 0xC0 != 0x80 {
                            break;
                        }
                    }
                }
                b => bytes.push(b),
            }
        }
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    #[cfg(not(unix))]
    fn read_raw_secret(&mut self, prompt: &str) -> Result<String, TtyError> {
        write!(self.file, "{prompt}")?;
        self.file.flush()?;
        let mut line = String::new();
        BufReader::new(&self.file).read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }

    /// A numbered menu; returns the index chosen. Empty input or `q`
    /// cancels; invalid input asks again.
    pub fn choose(&mut self, title: &str, choices: &[String]) -> Result<usize, TtyError> {
        self.say(title)?;
        let width = choices.len().to_string().len();
        for (i, c) in choices.iter().enumerate() {
            self.say(&format!("  [{:>width$}] {c}", i + 1))?;
        }
        loop {
            let answer = self.read_line(&format!("Choose 1-{}: ", choices.len()))?;
            let answer = answer.trim();
            if answer.is_empty() || answer.eq_ignore_ascii_case("q") {
                return Err(TtyError::Cancelled);
            }
            match answer.parse::<usize>() {
                Ok(n) if (1..=choices.len()).contains(&n) => return Ok(n - 1),
                _ => self.say(&format!(
                    "Please enter a number from 1 to {}.",
                    choices.len()
                ))?,
            }
        }
    }
}
