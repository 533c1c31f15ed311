//! The host's integration tests: the real `awsprocesscreds` and
//! `awsprocesscreds-saml` binaries, run the way AWS clients and people run
//! them, against the sandbox's fake IdPs and STS, real tools where they
//! can run here (the AWS CLI and moto, SimpleSAMLphp, Chromium on Xvfb,
//! gnome-keyring, the kernel keyring), and hostile inputs.
//!
//! One test binary (`cargo test -p awsprocesscreds --test it`), so the
//! suite links once; each module below is one suite
//! (`cargo test -p awsprocesscreds --test it bad_input::`). The suites
//! share one process: one plugin build, one moto server and one Xvfb for
//! all of them (see `common` and `conformance_support`), and no test
//! changes the process's environment, current directory, umask or signal
//! handlers; what a test needs goes on the commands it runs.

// Test code: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// Shared helpers.
mod common;
mod conformance_support;
mod ecp_support;

// The suites.
mod adfs_e2e;
mod bad_input;
mod browser_e2e;
mod configure_checks;
mod conformance_aws_cli;
mod conformance_browser;
mod conformance_ecp;
mod conformance_entra_aws_cli;
mod conformance_okta_idx;
mod conformance_rust_sdk;
mod credentials;
mod daily_account_names;
mod daily_console;
mod daily_files;
mod daily_profile_exec;
mod docs_doctor;
mod doctor_browser;
mod ecp_e2e;
mod entra_e2e;
mod faults;
mod forms_e2e;
mod fuzz_regressions;
mod hostile_files;
mod keychain_backends;
mod keyring_e2e;
mod okta_e2e;
mod okta_idx_e2e;
mod pingfed_e2e;
mod plugins;
mod real_pages_e2e;
mod secrets;
mod uninstall;
