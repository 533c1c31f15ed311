//! What one forms login knows and has done so far, shared by the answers
//! to its pages (the walk itself is `plugin_kit::walk`; whether the
//! password went out is the walk's `Tab::password_sent`).

use plugin_api::LoginRequest;

use crate::options::Options;

pub(crate) struct State<'h> {
    pub(crate) request: &'h LoginRequest,
    pub(crate) options: Options,
    pub(crate) username: String,
    pub(crate) username_sent: bool,
    /// One-time codes posted so far.
    pub(crate) codes_sent: usize,
    /// A push was started (a PingID error after it is about the push).
    pub(crate) mfa_started: bool,
    /// PingID's device list was opened for `--mfa-factor` already.
    pub(crate) device_switched: bool,
}
