//! The `adfs` plugin's integration tests, one binary
//! (`cargo test -p awsprocesscreds-plugin-adfs --test it`): logins in
//! process against the sandbox's fake AD FS, and the answers beyond a
//! plain sign-in.

// Test code: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod answers;
mod common;
mod login;
