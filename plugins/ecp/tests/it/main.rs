//! The `ecp` plugin's integration tests
//! (`cargo test -p awsprocesscreds-plugin-ecp --test it`): logins
//! in process against the sandbox's fake Shibboleth ECP endpoint.

// Test code: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod login;
