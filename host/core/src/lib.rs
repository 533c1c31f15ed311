//! The light half of awsprocesscreds: the CLI definition, resolved
//! settings, the credential cache, output and logging — everything the
//! cache-hit path needs, and nothing that starts a network stack.
//!
//! `awsprocesscreds-saml` links only this crate: a cache hit (the common
//! case, run before every AWS CLI call) costs little more than starting a
//! process. On a miss it hands over to the full `awsprocesscreds` binary.

pub mod cache;
pub mod cli;
pub mod credentials_file;
pub mod env_vars;
pub mod error;
pub mod hit;
pub mod home;
pub mod ini;
pub mod log;
pub mod output;
pub mod profile;
pub mod report;
pub mod safe_fs;
pub mod settings;
pub mod timefmt;
