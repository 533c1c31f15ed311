//! What one ADFS login knows and has done so far, shared by the answers
//! to its pages (the walk itself is `plugin_kit::walk`).

use plugin_api::LoginRequest;

use crate::options::Options;

pub(crate) struct State<'h> {
    pub request: &'h LoginRequest,
    pub options: Options,
    pub username: String,
    /// A code was posted once; the MFA form coming back with an error means
    /// it was rejected.
    pub code_sent: bool,
    /// A method was picked on the MFA selection page.
    pub method_chosen: bool,
}
