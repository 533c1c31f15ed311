//! The `forms` plugin's integration tests, one binary
//! (`cargo test -p awsprocesscreds-plugin-forms --test it`): its reading of
//! real IdPs' pages, and whole logins in process against the sandbox's
//! fake forms IdPs and PingFederate + PingID.

// Test code: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod answers;
mod common;
mod fixtures;
mod login;
mod pages;
mod pingid;
