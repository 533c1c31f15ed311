//! The host's error type: every failure a user can see, with its exit code
//! and an optional hint line.

use protocol::{ErrorKind, PluginError};

/// A failure shown to the user as one line (plus an optional hint).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    pub kind: Kind,
    pub message: String,
    pub hint: Option<String>,
}

/// What went wrong, which drives control flow and the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Bad command line or settings (exit 2).
    Usage,
    /// The IdP rejected the credentials.
    Auth,
    /// Anything the plugin reported, by kind.
    Plugin(ErrorKind),
    /// Plugin discovery/loading problems.
    PluginLoad,
    /// STS refused or failed.
    Sts,
    /// The SAML assertion is unusable.
    Saml,
    /// Cache or file-system trouble.
    Io,
    /// Another process holds the login lock for too long.
    Busy,
    /// A needed prompt without a terminal.
    NoTerminal,
    /// Anything else.
    Other,
}

impl Error {
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            hint: None,
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Kind::Usage, message)
    }

    pub fn other(message: impl Into<String>) -> Self {
        Self::new(Kind::Other, message)
    }

    pub fn io(message: impl Into<String>) -> Self {
        Self::new(Kind::Io, message)
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Exit status: 2 for usage errors, 1 for everything else.
    pub fn exit_code(&self) -> i32 {
        match self.kind {
            Kind::Usage => 2,
            _ => 1,
        }
    }
}

impl From<PluginError> for Error {
    fn from(e: PluginError) -> Self {
        let kind = match e.kind {
            ErrorKind::NoTerminal => Kind::NoTerminal,
            ErrorKind::AuthenticationFailed => Kind::Auth,
            k => Kind::Plugin(k),
        };
        Error {
            kind,
            message: e.message,
            hint: e.hint,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
