//! The services a plugin gets for one login: the host's HTTP client,
//! password sources, terminal, logger, session storage.

use std::sync::Arc;
use std::time::Duration;

use plugin_api::{
    ErrorKind, HttpRequest, PluginError, Reply, Secret, ServiceRequest, Services, WireHttpResponse,
};

use crate::browser_signin::{kept, BrowserSignin};
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
    /// Sign-ins in the person's browser (the `browser` service).
    pub browser: Arc<BrowserSignin>,
}

/// The session names a plugin may use: not the host's own (its browser
/// session, see [`kept`]).
fn plugin_name(name: &str) -> Result<&str, PluginError> {
    if name.starts_with(kept::PREFIX) {
        return Err(PluginError::new(
            ErrorKind::NotSupported,
            format!(
                "session names starting with '{}' are the host's; choose another name than '{name}'",
                kept::PREFIX
            ),
        ));
    }
    Ok(name)
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

/// The one door every plugin request comes through: one arm per service.
impl Services for HostServices {
    fn serve(&self, request: ServiceRequest) -> Reply {
        match request {
            ServiceRequest::Http { request } => HttpRequest::try_from(request)
                .and_then(|r| self.http.send(r))
                .map(WireHttpResponse::from)
                .into(),
            ServiceRequest::Password { prompt } => self.passwords.get(&prompt).into(),
            ServiceRequest::Prompt { message, secret } => self.prompt(&message, secret).into(),
            ServiceRequest::Choose { title, choices } => self.choose(&title, &choices).into(),
            ServiceRequest::MfaCode { prompt } => self.mfa_code(&prompt).into(),
            ServiceRequest::Notify { message } => {
                notify(&message);
                Reply::done()
            }
            ServiceRequest::Log { level, message } => {
                log::log(level.into(), &message);
                Reply::done()
            }
            ServiceRequest::AddSecret { value } => {
                log::add_secret(&value);
                Reply::done()
            }
            ServiceRequest::Sleep { millis } => {
                std::thread::sleep(Duration::from_millis(millis).min(MAX_SLEEP));
                Reply::done()
            }
            ServiceRequest::SessionGet { name } => plugin_name(&name)
                .map(|name| {
                    let v = self.sessions.get(name);
                    if let Some(v) = &v {
                        log::add_secret(v.expose());
                    }
                    v
                })
                .into(),
            ServiceRequest::SessionPut {
                name,
                value,
                expires_unix,
            } => plugin_name(&name)
                .and_then(|name| self.sessions.put(name, Secret::new(value), expires_unix))
                .into(),
            ServiceRequest::SessionDelete { name } => plugin_name(&name)
                .map(|name| self.sessions.delete(name))
                .into(),
            ServiceRequest::Browser { url, reason } => self
                .browser
                .sign_in(&url, reason.as_deref())
                .map(Secret::into_inner)
                .into(),
            ServiceRequest::CookiesExport => Reply::ok(self.http.jar().export()),
            ServiceRequest::CookiesImport { data } => self.http.jar().import(&data).into(),
            other => Reply::not_supported(&other),
        }
    }
}

/// The longest single sleep a plugin gets (it polls again after).
const MAX_SLEEP: Duration = Duration::from_secs(60);

impl HostServices {
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
}

/// A notice on the terminal, or on stderr without one.
fn notify(message: &str) {
    let message = log::redact(message);
    match tty::open() {
        Some(mut t) => {
            let _ = t.say(&message);
        }
        None => eprintln!("{}: {message}", log::program()),
    }
}
