//! The controlling terminal: prompts, secret input, menus and notices.
//!
//! AWS clients capture our stdout and stderr (and show stderr only when we
//! fail), so anything the user must see or answer goes to the terminal
//! itself: `/dev/tty` on Unix, the console (`CONIN$` to read, `CONOUT$` to
//! write) on Windows. When there is none (an IDE, a cron job), `open`
//! returns `None` and callers fail fast with a clear message instead of
//! hanging or reading stdin.
//!
//! What differs per platform is in `mod imp` at the end: how the terminal
//! is opened, and how echo and line editing are switched off for a secret.

use std::fs::File;
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
    input: File,
    output: File,
}

/// Open the controlling terminal, if there is one.
pub fn open() -> Option<Tty> {
    let (input, output) = imp::open().ok()?;
    Some(Tty { input, output })
}

/// Why nothing seems to happen (a wait on another login): on the terminal,
/// else as an info line on stderr. Both channels name the program.
pub fn waiting_notice(msg: &str) {
    match open() {
        Some(mut t) => {
            let _ = t.say(&format!("{}: {msg}", crate::log::program()));
        }
        None => crate::log::info(msg),
    }
}

/// Whether a controlling terminal exists.
pub fn available() -> bool {
    open().is_some()
}

impl Tty {
    /// Write a line (a notice) to the terminal.
    pub fn say(&mut self, line: &str) -> io::Result<()> {
        writeln!(self.output, "{line}")?;
        self.output.flush()
    }

    /// Prompt and read one line with echo.
    pub fn read_line(&mut self, prompt: &str) -> Result<String, TtyError> {
        write!(self.output, "{prompt}")?;
        self.output.flush()?;
        let mut line = String::new();
        let n = BufReader::new(&self.input).read_line(&mut line)?;
        if n == 0 {
            return Err(TtyError::Cancelled);
        }
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }

    /// Prompt and read one line without echo. Ctrl-C and Ctrl-D cancel;
    /// the terminal mode is always restored.
    pub fn read_secret(&mut self, prompt: &str) -> Result<String, TtyError> {
        let result = self.read_raw_secret(prompt);
        let _ = writeln!(self.output);
        let _ = self.output.flush();
        result
    }

    fn read_raw_secret(&mut self, prompt: &str) -> Result<String, TtyError> {
        // Switch modes before showing the prompt, and without flushing input,
        // so a fast typist (or a script) loses nothing and sees no echo. The
        // guard restores the mode however this returns.
        let _raw = imp::RawMode::enter(&self.input)?;
        write!(self.output, "{prompt}")?;
        self.output.flush()?;
        let mut bytes: Vec<u8> = Vec::new();
        let mut buf = [0u8; 1];
        loop {
            let n = (&self.input).read(&mut buf)?;
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

#[cfg(unix)]
mod imp {
    use std::fs::{File, OpenOptions};
    use std::io;

    use rustix::termios::{self, LocalModes, OptionalActions, SpecialCodeIndex, Termios};

    /// `/dev/tty`, once for reading and once (a second handle on the same
    /// open file) for writing.
    pub fn open() -> io::Result<(File, File)> {
        let tty = OpenOptions::new().read(true).write(true).open("/dev/tty")?;
        let output = tty.try_clone()?;
        Ok((tty, output))
    }

    /// No echo, byte at a time, and Ctrl-C as a byte we handle (so the mode
    /// is restored even when the user cancels); the old mode comes back on
    /// drop.
    pub struct RawMode<'a> {
        tty: &'a File,
        original: Termios,
    }

    impl<'a> RawMode<'a> {
        pub fn enter(tty: &'a File) -> io::Result<RawMode<'a>> {
            let original = termios::tcgetattr(tty)?;
            let mut raw = original.clone();
            raw.local_modes
                .remove(LocalModes::ECHO | LocalModes::ICANON | LocalModes::ISIG);
            raw.special_codes[SpecialCodeIndex::VMIN] = 1;
            raw.special_codes[SpecialCodeIndex::VTIME] = 0;
            termios::tcsetattr(tty, OptionalActions::Now, &raw)?;
            Ok(RawMode { tty, original })
        }
    }

    impl Drop for RawMode<'_> {
        fn drop(&mut self) {
            let _ = termios::tcsetattr(self.tty, OptionalActions::Now, &self.original);
        }
    }
}

// Why `unsafe` here: std has no console-mode API, and turning echo off on
// Windows is a `SetConsoleMode` call. Two calls on a handle we own, each
// checked; nothing else in the host needs `unsafe`.
#[cfg(windows)]
#[allow(unsafe_code)]
mod imp {
    use std::fs::{File, OpenOptions};
    use std::io;
    use std::os::windows::io::AsRawHandle;

    use windows_sys::Win32::System::Console::{
        GetConsoleMode, SetConsoleMode, CONSOLE_MODE, ENABLE_ECHO_INPUT, ENABLE_LINE_INPUT,
        ENABLE_PROCESSED_INPUT,
    };

    /// The console: `CONIN$` to read and `CONOUT$` to write (writing to
    /// `CONIN$` shows nothing). `CONIN$` is opened read-write because
    /// changing its mode needs both rights.
    pub fn open() -> io::Result<(File, File)> {
        let input = OpenOptions::new().read(true).write(true).open("CONIN$")?;
        let output = OpenOptions::new().write(true).open("CONOUT$")?;
        Ok((input, output))
    }

    /// No echo, no line editing, and Ctrl-C as a byte we handle (so the
    /// mode is restored even when the user cancels); the old mode comes
    /// back on drop.
    pub struct RawMode<'a> {
        console: &'a File,
        original: CONSOLE_MODE,
    }

    impl<'a> RawMode<'a> {
        pub fn enter(console: &'a File) -> io::Result<RawMode<'a>> {
            let handle = console.as_raw_handle();
            let mut original: CONSOLE_MODE = 0;
            // SAFETY: `handle` is a live console handle owned by `console`,
            // which outlives this call; `original` is a valid out pointer.
            if unsafe { GetConsoleMode(handle, &mut original) } == 0 {
                return Err(io::Error::last_os_error());
            }
            let raw = original & !(ENABLE_ECHO_INPUT | ENABLE_LINE_INPUT | ENABLE_PROCESSED_INPUT);
            // SAFETY: as above; the mode is a plain bit set.
            if unsafe { SetConsoleMode(handle, raw) } == 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(RawMode { console, original })
        }
    }

    impl Drop for RawMode<'_> {
        fn drop(&mut self) {
            // SAFETY: the handle is still owned by the borrowed `File`.
            let _ = unsafe { SetConsoleMode(self.console.as_raw_handle(), self.original) };
        }
    }
}
