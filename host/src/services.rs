//! The services a plugin gets for one login: the host's HTTP client,
//! password sources, terminal, logger, session storage.

use std::sync::Arc;
use std::time::Duration;

use plugin_api::{ErrorKind, HttpRequest, HttpResponse, LogLevel, PluginError, Secret, Services};

use crate::http::HttpClient;
use crate::password::Passwords;
use crate::session_store::SessionStore;
use crate::{command, log, tty};

/// The host side of one login.
pub struct HostServices {
    pub http: HttpClient,
    pub passwords: Arc<Passwords>,
    pub sessions: SessionStore,
    pub mfa_code_command: Option<String>,
    /// How long the MFA code command may run (`--mfa-timeout`).
    pub command_timeout: std::time::Duration,
}

fn no_terminal(what: &str) -> PluginError {
    PluginError::new(
        ErrorKind::NoTerminal,
        format!("{what} is needed but there is no terminal to ask"),
    )
    .with_hint(
        "run the command once in a terminal, or configure a non-interactive source (see --help)",
    )
}

fn tty_err(e: tty::TtyError) -> PluginError {
    match e {
        tty::TtyError::Cancelled => {
            PluginError::new(ErrorKind::Cancelled, "cancelled at the terminal")
        }
        tty::TtyError::Io(e) => PluginError::other(format!("terminal I/O failed: {e}")),
    }
}

impl Services for HostServices {
    fn http(&self, request: HttpRequest) -> Result<HttpResponse, PluginError> {
        self.http.send(request)
    }

    fn password(&self, prompt: &str) -> Result<Secret<String>, PluginError> {
        self.passwords.get(prompt)
    }

    fn prompt(&self, message: &str, secret: bool) -> Result<Secret<String>, PluginError> {
        let mut t = tty::open().ok_or_else(|| no_terminal("an answer"))?;
        let v = if secret {
            t.read_secret(message)
        } else {
            t.read_line(message)
        }
        .map_err(tty_err)?;
        if secret {
            log::add_secret(&v);
        }
        Ok(Secret::new(v))
    }

    fn choose(&self, title: &str, choices: &[String]) -> Result<usize, PluginError> {
        if choices.is_empty() {
            return Err(PluginError::other("nothing to choose from"));
        }
        let mut t = tty::open().ok_or_else(|| no_terminal("a choice"))?;
        t.choose(title, choices).map_err(tty_err)
    }

    fn mfa_code(&self, prompt: &str) -> Result<Secret<String>, PluginError> {
        if let Some(cmd) = &self.mfa_code_command {
            let v = command::first_line("--mfa-code-command", cmd, self.command_timeout).map_err(
                |e| {
                    PluginError::config(e.to_string()).with_hint(
                        "fix --mfa-code-command (its first output line is used as the code)",
                    )
                },
            )?;
            log::add_secret(v.expose());
            return Ok(v);
        }
        let mut t = tty::open().ok_or_else(|| {
            PluginError::new(
                ErrorKind::NoTerminal,
                "an MFA code is needed but there is no terminal to ask for it",
            )
            .with_hint("use --mfa-code-command, choose a push factor with --mfa-factor push, or run once in a terminal")
        })?;
        let v = t.read_line(prompt).map_err(tty_err)?;
        Ok(Secret::new(v.trim().to_string()))
    }

    fn notify(&self, message: &str) {
        let message = log::redact(message);
        match tty::open() {
            Some(mut t) => {
                let _ = t.say(&message);
            }
            None => eprintln!("{}: {message}", log::program()),
        }
    }

    fn log(&self, level: LogLevel, message: &str) {
        log::log(level, message)
    }

    fn add_secret(&self, value: &str) {
        log::add_secret(value)
    }

    fn sleep(&self, duration: Duration) -> Result<(), PluginError> {
        std::thread::sleep(duration.min(Duration::from_secs(60)));
        Ok(())
    }

    fn session_get(&self, name: &str) -> Option<Secret<String>> {
        let v = self.sessions.get(name);
        if let Some(v) = &v {
            log::add_secret(v.expose());
        }
        v
    }

    fn session_put(
        &self,
        name: &str,
        value: Secret<String>,
        expires_unix: i64,
    ) -> Result<(), PluginError> {
        self.sessions.put(name, value, expires_unix)
    }

    fn session_delete(&self, name: &str) {
        self.sessions.delete(name)
    }

    fn cookies_export(&self) -> Secret<String> {
        Secret::new(self.http.jar().export())
    }

    fn cookies_import(&self, data: &str) -> Result<(), PluginError> {
        self.http.jar().import(data)
    }
}
