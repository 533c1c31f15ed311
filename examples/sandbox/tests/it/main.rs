//! The sandbox's integration tests, one binary
//! (`cargo test -p sandbox --test it`): the README's demo commands work
//! for a newcomer.

// Test code: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod browser_demo;
mod demo;
