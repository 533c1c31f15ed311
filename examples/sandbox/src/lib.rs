//! Local fakes of the services awsprocesscreds talks to: Okta (classic
//! authn API), ADFS, Microsoft Entra ID, a SAML ECP IdP, generic forms-based
//! IdPs, PingFederate with PingID, AWS STS and the AWS sign-in host
//! (federation endpoint, SAML role page), on loopback.
//!
//! The host's integration tests use this library; `cargo run -p sandbox`
//! uses it to demonstrate a whole login with no network.

// Test-only fakes: a panic on a broken fixture is the right failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod adfs;
pub mod desktop;
pub mod ecp;
pub mod entra;
pub mod forms;
pub mod okta;
pub mod okta_idx;
pub mod pingfed;
pub mod pki;
pub mod saml;
pub mod server;
pub mod signin;
pub mod sts;
mod web;

/// The web framework the fakes use, for tests that add routes of their own.
pub use axum;
pub use server::Server;

/// rustls needs one process-wide crypto provider when several are linked.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}
