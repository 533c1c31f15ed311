//! The `keychain` provider's integration tests
//! (`cargo test -p awsprocesscreds-plugin-keychain --test it`):
//! the provider against real Linux keychains.

// Test code: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod backends;
