//! What one Entra ID login knows, shared by the answers to its pages (the
//! walk itself is `plugin_kit::walk`).

use plugin_api::LoginRequest;

use crate::options::Options;
use crate::web::Web;

pub(crate) struct State<'h> {
    pub request: &'h LoginRequest,
    pub options: Options,
    pub username: String,
    /// The JSON calls Entra's page scripts make.
    pub web: Web<'h>,
}
