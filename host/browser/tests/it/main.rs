//! The browser engine's integration tests, one binary
//! (`cargo test -p awsprocesscreds-browser --test it`): sign-ins in a real
//! Chromium, headless and in a window on a private Xvfb, the browser
//! search, programs that are not a cooperative browser, and signals that
//! must never leave a browser running.

// Test code: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod fake_browser;
mod find;
mod find_by_name;
mod headless;
mod not_a_sign_in;
mod signals;
mod start_failures;
mod window;
