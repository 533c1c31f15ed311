//! The browser engine of awsprocesscreds: signs a person in to any SAML
//! IdP in their own installed Chromium-family browser (Chrome, Chromium,
//! Edge, Brave), captures the SAML POST to AWS, and keeps the IdP session
//! so later sign-ins run headless.
//!
//! The caller (the host) passes in everything: the browser override, the
//! profile directory, the sign-in URLs to capture, the kept cookies, a log
//! sink and a redaction sink. Nothing is downloaded; no async runtime.
//!
//! A typical run:
//!
//! 1. [`find::find`] the browser (or use the person's override);
//! 2. [`profile::Profile::open`] its dedicated profile (locked);
//! 3. [`signin::sign_in`] headless with the kept cookies; on
//!    [`signin::Outcome::NeedsPerson`], again with [`signin::Mode::Window`]
//!    (after checking [`window::can_show`]);
//! 4. store [`signin::Captured::cookies`] for next time, use the
//!    [`signin::Captured::saml_response`] with STS.
//!
//! Call [`live::install_signal_cleanup`] once before starting a browser,
//! so Ctrl-C, SIGTERM and SIGHUP never leave one running.
//!
//! Modules, one idea each: [`find`] (where browsers are), [`version`]
//! (for doctor), [`window`] (can one be shown), [`profile`] (the
//! dedicated, locked profile), [`launch`] (start and always end the
//! browser), [`live`] (the registry the signal handler empties), [`cdp`]
//! (the DevTools pipe client), [`capture`] (which request is the SAML
//! POST), [`saml_form`] (its body), [`cookies`] (the kept session),
//! [`person`] (does a headless page need a person), [`signin`] (the
//! flow), [`secret`], [`sinks`], [`error`]; with the `floor` feature,
//! `floor` (the bare browser that refresh times are judged against).

pub mod capture;
pub mod cdp;
pub mod cookies;
pub mod error;
pub mod find;
#[cfg(feature = "floor")]
pub mod floor;
pub mod launch;
pub mod live;
pub mod os_env;
pub mod person;
pub mod profile;
pub mod saml_form;
pub mod secret;
pub mod signin;
pub mod sinks;
pub mod version;
pub mod window;

pub use capture::CaptureRule;
pub use cookies::Cookie;
pub use error::Error;
pub use find::{find, Family, Installed};
pub use profile::Profile;
pub use secret::SamlResponse;
pub use signin::{sign_in, Captured, Mode, Outcome, SignIn};
pub use sinks::{Level, Sinks};
pub use version::version;
