//! Run a command the way an AWS client runs credential_process from a
//! shell: stdout and stderr captured through pipes, the controlling
//! terminal a pseudo-terminal the test reads prompts from and types into.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Out;

/// How long a login may take to show its first prompt (a plugin build, a
/// PHP or Python server warming up on a loaded machine).
pub const PROMPT_WITHIN: Duration = Duration::from_secs(60);

/// The terminal never showed `secret` (a typed password is not echoed).
#[track_caller]
pub fn assert_not_echoed(screen: &str, secret: &str) {
    assert!(!screen.contains(secret), "{secret:?} echoed:\n{screen}");
}

pub struct PtySession {
    master: File,
    screen: Arc<Mutex<String>>,
    child: Child,
    stdout: Option<std::thread::JoinHandle<String>>,
    stderr: Option<std::thread::JoinHandle<String>>,
}

fn reader<R: Read + Send + 'static>(mut r: R) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = r.read_to_end(&mut s);
        String::from_utf8_lossy(&s).into_owned()
    })
}

impl PtySession {
    /// Spawn `cmd` with a new session whose controlling terminal is a pty.
    pub fn spawn(mut cmd: Command) -> PtySession {
        use rustix::pty::{grantpt, openpt, ptsname, unlockpt, OpenptFlags};
        use std::os::unix::process::CommandExt;
        let master: OwnedFd = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).expect("openpt");
        grantpt(&master).expect("grantpt");
        unlockpt(&master).expect("unlockpt");
        let name = ptsname(&master, Vec::new()).expect("ptsname");
        let slave = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(name.to_str().unwrap())
            .expect("open pty slave");
        cmd.stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // SAFETY: the closure runs in the forked child before exec and only
        // makes async-signal-safe syscalls (setsid, ioctl); it allocates nothing.
        #[allow(unsafe_code)]
        unsafe {
            cmd.pre_exec(|| {
                rustix::process::setsid().map_err(std::io::Error::from)?;
                // stdin (fd 0) is the pty slave: make it our controlling tty.
                rustix::process::ioctl_tiocsctty(std::io::stdin().as_fd())
                    .map_err(std::io::Error::from)?;
                Ok(())
            });
        }
        let mut child = cmd.spawn().expect("spawn in pty");
        drop(slave);
        let master = File::from(master);
        let screen = Arc::new(Mutex::new(String::new()));
        {
            let mut m = master.try_clone().unwrap();
            let screen = screen.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 1024];
                loop {
                    match m.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => screen
                            .lock()
                            .unwrap()
                            .push_str(&String::from_utf8_lossy(&buf[..n])),
                    }
                }
            });
        }
        let stdout = reader(child.stdout.take().unwrap());
        let stderr = reader(child.stderr.take().unwrap());
        PtySession {
            master,
            screen,
            child,
            stdout: Some(stdout),
            stderr: Some(stderr),
        }
    }

    /// Spawn `cmd` in a terminal, wait for `prompt` and type `answer`
    /// (a password, mostly): how a terminal login starts.
    pub fn spawn_answering(cmd: Command, prompt: &str, answer: &str) -> PtySession {
        let mut s = PtySession::spawn(cmd);
        s.expect(prompt, PROMPT_WITHIN);
        s.send_line(answer);
        s
    }

    /// Wait until the terminal shows `needle` (panics after `timeout`).
    #[track_caller]
    pub fn expect(&self, needle: &str, timeout: Duration) {
        let start = Instant::now();
        loop {
            if self.screen.lock().unwrap().contains(needle) {
                return;
            }
            if start.elapsed() > timeout {
                panic!(
                    "terminal never showed {needle:?}; screen so far:\n{}",
                    self.screen.lock().unwrap()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Type `text` followed by Enter.
    pub fn send_line(&mut self, text: &str) {
        self.master.write_all(text.as_bytes()).unwrap();
        self.master.write_all(b"\r").unwrap();
        self.master.flush().unwrap();
    }

    /// Type raw bytes.
    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.master.write_all(bytes).unwrap();
        self.master.flush().unwrap();
    }

    /// Everything the terminal showed so far.
    pub fn screen(&self) -> String {
        self.screen.lock().unwrap().clone()
    }

    /// Wait for the process and collect its output.
    pub fn finish(mut self, timeout: Duration) -> (Out, String) {
        let start = Instant::now();
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            if start.elapsed() > timeout {
                let _ = self.child.kill();
                panic!("process did not finish; screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let stdout = self.stdout.take().unwrap().join().unwrap();
        let stderr = self.stderr.take().unwrap().join().unwrap();
        std::thread::sleep(Duration::from_millis(50));
        (
            Out {
                code: status.code().unwrap_or(-1),
                stdout,
                stderr,
            },
            self.screen(),
        )
    }
}
