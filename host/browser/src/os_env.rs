//! The operating system's environment variables this crate reads or sets,
//! written once. (The tool's own `AWSPROCESSCREDS_*` variables are the
//! host's business: the caller passes their values in.)

/// Where executables are searched.
pub const PATH: &str = "PATH";
/// The user's home directory (Unix).
pub const HOME: &str = "HOME";
/// An X11 display: a window can be shown.
pub const DISPLAY: &str = "DISPLAY";
/// A Wayland compositor: a window can be shown.
pub const WAYLAND_DISPLAY: &str = "WAYLAND_DISPLAY";
/// Per-user programs on Windows (Chrome's default install location).
pub const LOCALAPPDATA: &str = "LOCALAPPDATA";
/// Machine-wide programs on Windows.
pub const PROGRAMFILES: &str = "PROGRAMFILES";
/// 32-bit programs on 64-bit Windows.
pub const PROGRAMFILES_X86: &str = "PROGRAMFILES(X86)";
/// Set on the browser: where Chromium's crash handler (crashpad) keeps its
/// reports. Without it a windowed Chromium writes to
/// `~/.config/chromium/Crash Reports` whatever `--user-data-dir` says.
pub const CHROME_CONFIG_HOME: &str = "CHROME_CONFIG_HOME";

/// How the crate looks up a variable: the process environment in
/// production, a fixed table in tests.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<std::ffi::OsString>;

/// The process environment, as a [`Lookup`].
pub fn process(name: &str) -> Option<std::ffi::OsString> {
    std::env::var_os(name)
}
