//! The OS keychain as a password source (`--use-keyring`): the entry is
//! named after the provider, username and IdP host, so each IdP account has
//! its own.

use std::time::Duration;

use plugin_api::Secret;

use crate::keychain::{idp_account, Keychain, DEFAULT_TIMEOUT, SERVICE};
use crate::log;
use crate::password::PasswordStore;
use crate::settings::{Common, Login};

struct KeychainStore {
    keychain: Keychain,
    account: String,
}

impl PasswordStore for KeychainStore {
    fn get(&self) -> Result<Option<Secret<String>>, String> {
        self.keychain.get(&self.account).map_err(|e| e.to_string())
    }

    fn set(&self, value: &Secret<String>) -> Result<(), String> {
        self.keychain
            .set(&self.account, value)
            .map_err(|e| e.to_string())
    }

    fn delete(&self) -> Result<(), String> {
        self.keychain
            .delete(&self.account)
            .map_err(|e| e.to_string())
    }
}

/// The keychain entry for this login's IdP password, if one can be named.
pub fn store_for(login: &Login, _common: &Common) -> Option<Box<dyn PasswordStore>> {
    let (Some(user), Some(endpoint)) = (&login.username, &login.endpoint) else {
        log::debug("--use-keyring needs -u and -e to name the keychain entry; not using it");
        return None;
    };
    // On macOS the first access may raise an "allow access" dialog the user
    // is about to answer: give it time when someone is at the terminal.
    let timeout = if cfg!(target_os = "macos") && crate::tty::available() {
        Duration::from_secs(60)
    } else {
        DEFAULT_TIMEOUT
    };
    let mut keychain = Keychain::new(SERVICE, timeout).on_warning(log::debug);
    if let Ok(dir) = crate::settings::cache_dir() {
        if dir.is_dir() {
            keychain = keychain.with_lock_dir(dir);
        }
    }
    Some(Box::new(KeychainStore {
        keychain,
        account: idp_account(&login.provider, user, endpoint),
    }))
}
