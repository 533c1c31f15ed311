//! The OS keychain: the shared `awsprocesscreds-keychain` crate (also used
//! by the `keychain` example plugin), re-exported under its old path.

pub use awsprocesscreds_keychain::*;
