//! The `entra` plugin's integration tests
//! (`cargo test -p awsprocesscreds-plugin-entra --test it`): logins
//! in process against the sandbox's fake Entra ID.

// Test code: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod login;
