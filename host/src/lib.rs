//! awsprocesscreds: the host library behind the `awsprocesscreds` and
//! `awsprocesscreds-saml` binaries.
//!
//! `awsprocesscreds` calls [`app::main_tool`]; `awsprocesscreds-saml`
//! answers cache hits with `awsprocesscreds-core` alone and execs
//! `awsprocesscreds saml` on a miss. Modules are named for what they do;
//! `commands` ties them together.

pub mod account_names;
pub mod app;
pub mod assume;
pub mod browser_signin;
// The light modules live in `awsprocesscreds-core` (all the cache-hit
// binary links); re-exported so the rest of the host names them as before.
pub use awsprocesscreds_core::{
    cache, cli, credentials_file, env_vars, error, hit, home, ini, log, output, profile, report,
    safe_fs, settings, timefmt,
};
pub mod command;
pub mod commands;
pub mod configure;
pub mod console;
pub mod docs_gen;
pub mod doctor;
pub mod exec;
pub mod http;
pub mod keychain;
pub mod keyring_passwords;
pub mod lock;
pub mod login;
pub mod password;
pub mod plugin_credentials;
pub mod plugin_loader;
pub mod provider;
pub mod roles;
pub mod saml;
pub mod services;
pub mod session_store;
pub mod sts;
pub mod tty;
