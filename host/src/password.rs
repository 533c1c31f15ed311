//! Where the IdP password comes from, in order: `--password-command`, the
//! OS keychain (`--use-keyring`), `AWSPROCESSCREDS_PASSWORD`, then a prompt
//! on the terminal; and the keychain policy: the host remembers which
//! source answered so it can store a typed password in the keychain after
//! a successful login ([`Passwords::accepted`]), and forget a stored one
//! the IdP rejected, asking again on the terminal
//! ([`Passwords::rejected`]).

use std::sync::Mutex;
use std::time::Duration;

use plugin_api::{ErrorKind, PluginError, Secret};

use crate::settings::{Common, Login};
use crate::{command, env_vars, keyring_passwords, log, tty};

/// Which source produced the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Command,
    Keyring,
    Environment,
    Prompt,
}

/// A keychain as the password chain needs it.
pub trait PasswordStore: Send + Sync {
    fn get(&self) -> Result<Option<Secret<String>>, String>;
    fn set(&self, value: &Secret<String>) -> Result<(), String>;
    fn delete(&self) -> Result<(), String>;
}

/// The password sources for one login.
pub struct Passwords {
    pub command: Option<String>,
    /// How long `command` may run (`--mfa-timeout`).
    pub command_timeout: Duration,
    pub store: Option<Box<dyn PasswordStore>>,
    /// Skip non-interactive sources (after the IdP rejected a stored one).
    pub force_prompt: bool,
    used: Mutex<Option<(Source, Secret<String>)>>,
}

impl Passwords {
    pub fn new(
        command: Option<String>,
        command_timeout: Duration,
        store: Option<Box<dyn PasswordStore>>,
    ) -> Self {
        Passwords {
            command,
            command_timeout,
            store,
            force_prompt: false,
            used: Mutex::new(None),
        }
    }

    /// The sources of one attempt of `login`: the keychain entry only
    /// with `--use-keyring`; `force_prompt` after the IdP rejected the
    /// stored password.
    pub fn for_login(login: &Login, common: &Common, force_prompt: bool) -> Self {
        let store = if common.use_keyring {
            keyring_passwords::store_for(login, common)
        } else {
            None
        };
        let mut p = Passwords::new(common.password_command.clone(), common.mfa_timeout, store);
        p.force_prompt = force_prompt;
        p
    }

    /// The IdP accepted the login: a password typed at the prompt goes to
    /// the keychain (with `--use-keyring`).
    pub fn accepted(&self) {
        let (Some((Source::Prompt, pw)), Some(store)) = (self.used(), &self.store) else {
            return;
        };
        match store.set(&pw) {
            Ok(()) => log::info("stored the password in the OS keychain"),
            Err(e) => log::warn(&format!(
                "could not store the password in the keychain: {e}"
            )),
        }
    }

    /// The IdP rejected the password. One that came from the keychain is
    /// removed there; `true` when the login should be tried once more
    /// with a prompt (a terminal is there and this was not that retry).
    pub fn rejected(&self, interactive: bool) -> bool {
        let (Some((Source::Keyring, _)), Some(store)) = (self.used(), &self.store) else {
            return false;
        };
        let _ = store.delete();
        log::warn(
            "the identity provider rejected the password stored in the keychain; it was removed",
        );
        interactive && !self.force_prompt
    }

    /// The source and value handed out last.
    pub fn used(&self) -> Option<(Source, Secret<String>)> {
        self.used.lock().ok().and_then(|g| g.clone())
    }

    fn remember(&self, source: Source, value: Secret<String>) -> Secret<String> {
        log::add_secret(value.expose());
        log::debug(&format!("password from {source:?}"));
        if let Ok(mut g) = self.used.lock() {
            *g = Some((source, value.clone()));
        }
        value
    }

    /// Get the password, asking the terminal with `prompt` as a last resort.
    pub fn get(&self, prompt: &str) -> Result<Secret<String>, PluginError> {
        if !self.force_prompt {
            if let Some(cmd) = &self.command {
                let v = command::first_line("--password-command", cmd, self.command_timeout)
                    .map_err(|e| {
                        PluginError::config(e.to_string())
                            .with_hint("fix --password-command (its first output line is used as the password)")
                    })?;
                return Ok(self.remember(Source::Command, v));
            }
            if let Some(store) = &self.store {
                match store.get() {
                    Ok(Some(v)) => return Ok(self.remember(Source::Keyring, v)),
                    Ok(None) => log::debug("no password stored in the keychain yet"),
                    Err(e) => log::warn(&format!(
                        "keychain unavailable ({e}); trying other password sources"
                    )),
                }
            }
            if let Ok(v) = std::env::var(env_vars::PASSWORD) {
                if !v.is_empty() {
                    return Ok(self.remember(Source::Environment, Secret::new(v)));
                }
            }
        }
        let Some(mut t) = tty::open() else {
            return Err(PluginError::new(
                ErrorKind::NoTerminal,
                "a password is needed but there is no terminal to ask for it",
            )
            .with_hint(
                "use --password-command, --use-keyring or AWSPROCESSCREDS_PASSWORD, or run once in a terminal",
            ));
        };
        let v = t.read_secret(prompt).map_err(|e| match e {
            tty::TtyError::Cancelled => {
                PluginError::new(ErrorKind::Cancelled, "password entry cancelled")
            }
            tty::TtyError::Io(e) => PluginError::other(format!("reading the password failed: {e}")),
        })?;
        if v.is_empty() {
            return Err(PluginError::new(
                ErrorKind::Cancelled,
                "no password entered",
            ));
        }
        Ok(self.remember(Source::Prompt, Secret::new(v)))
    }
}
