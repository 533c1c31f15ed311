//! Helpers shared by awsprocesscreds IdP plugins (and useful to third-party
//! plugin authors): reading HTML pages the way a browser without
//! JavaScript would ([`html`]), driving the host's HTTP service like such a
//! browser ([`browser`]), recognising SAML POST pages meant for AWS
//! ([`saml_post`], [`saml`]), and walking a page-based login from its first
//! page to that SAML POST ([`walk`]).

pub mod browser;
pub mod deadline;
pub mod entra;
pub mod html;
pub mod prompt;
pub mod refusal;
pub mod request;
pub mod saml;
pub mod saml_post;
pub mod script;
pub mod session;
pub mod walk;
