//! The OS keychain as a password source (`--use-keyring`).

use crate::password::PasswordStore;
use crate::settings::{Common, Login};

/// The keychain entry for this login's IdP password, if usable.
pub fn store_for(_login: &Login, _common: &Common) -> Option<Box<dyn PasswordStore>> {
    None
}
