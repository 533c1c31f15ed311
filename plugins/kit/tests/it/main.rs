//! `plugin_kit`'s integration tests
//! (`cargo test -p awsprocesscreds-plugin-kit --test it`): its HTML
//! reading against realistic login pages of real IdPs.

// Test code: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fixtures;
