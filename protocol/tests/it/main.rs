//! The protocol crate's integration tests
//! (`cargo test -p awsprocesscreds-protocol --test it`): what
//! readers built before an addition make of it.

/// plugin-api 0.1.0's `Secret`, unchanged: its wire types (in
/// `older_readers`) name it `crate::secret`.
#[path = "../../../host/tests/fixture-plugins/protocol1-frozen/plugin-api/src/secret.rs"]
#[allow(dead_code)]
mod secret;

mod older_readers;
