//! The secret stores we know, and which of them each platform has.

/// One of the platform's secret stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// The freedesktop Secret Service over the D-Bus session bus.
    SecretService,
    /// The Linux kernel key retention service (keyutils).
    KernelKeyring,
    /// The macOS login keychain.
    MacosKeychain,
    /// The Windows Credential Manager.
    WindowsCredentialManager,
}

/// How many [`Backend`]s there are (the size of per-backend tables).
pub(crate) const COUNT: usize = 4;

impl Backend {
    /// A short stable name, e.g. `secret-service`.
    pub fn name(self) -> &'static str {
        match self {
            Backend::SecretService => "secret-service",
            Backend::KernelKeyring => "kernel-keyring",
            Backend::MacosKeychain => "macos-keychain",
            Backend::WindowsCredentialManager => "windows-credential-manager",
        }
    }

    /// A dense index below [`COUNT`], for per-backend tables.
    pub(crate) fn index(self) -> usize {
        match self {
            Backend::SecretService => 0,
            Backend::KernelKeyring => 1,
            Backend::MacosKeychain => 2,
            Backend::WindowsCredentialManager => 3,
        }
    }

    /// The backends of this platform, in the order they are tried.
    pub fn platform() -> &'static [Backend] {
        PLATFORM_BACKENDS
    }
}

#[cfg(target_os = "linux")]
const PLATFORM_BACKENDS: &[Backend] = &[Backend::SecretService, Backend::KernelKeyring];
#[cfg(any(target_os = "freebsd", target_os = "openbsd"))]
const PLATFORM_BACKENDS: &[Backend] = &[Backend::SecretService];
#[cfg(target_os = "macos")]
const PLATFORM_BACKENDS: &[Backend] = &[Backend::MacosKeychain];
#[cfg(target_os = "windows")]
const PLATFORM_BACKENDS: &[Backend] = &[Backend::WindowsCredentialManager];
#[cfg(not(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "macos",
    target_os = "windows"
)))]
const PLATFORM_BACKENDS: &[Backend] = &[];

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
