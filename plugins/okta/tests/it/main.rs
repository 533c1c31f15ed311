//! The `okta` plugin's integration tests, one binary
//! (`cargo test -p awsprocesscreds-plugin-okta --test it`): Classic and
//! Identity Engine logins in process against the sandbox's fake Okta orgs.

// Test code: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod idx;
mod login;
