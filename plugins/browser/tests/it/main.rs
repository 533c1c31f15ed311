//! The `browser` plugin's integration tests
//! (`cargo test -p awsprocesscreds-plugin-browser --test it`): the
//! plugin against the test host's browser service.

// Test code: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod login;
