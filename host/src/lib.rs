//! awsprocesscreds: the host library behind the `awsprocesscreds` and
//! `awsprocesscreds-saml` binaries.
//!
//! The binaries call [`app::main_saml`] / [`app::main_tool`]. Modules are
//! named for what they do; `commands` ties them together.

pub mod app;
pub mod cache;
pub mod cli;
pub mod command;
pub mod commands;
pub mod docs_gen;
pub mod doctor;
pub mod env_vars;
pub mod error;
pub mod http;
pub mod keychain;
pub mod keyring_passwords;
pub mod lock;
pub mod log;
pub mod login;
pub mod output;
pub mod password;
pub mod plugin_loader;
pub mod roles;
pub mod saml;
pub mod services;
pub mod session_store;
pub mod settings;
pub mod sts;
pub mod testing;
pub mod timefmt;
pub mod tty;
