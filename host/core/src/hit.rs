//! The cache-hit path: answer from a fresh cache entry or report a miss.
//! No plugin, no SDK, no socket.

use time::OffsetDateTime;

use crate::cache::{Cache, Entry, Key};
use crate::cli::SamlCli;
use crate::error::Result;
use crate::settings::{self, Common, Creds, Login};
use crate::{log, output};

/// Everything that changes which credentials a login produces.
pub fn cache_key(login: &Login, creds: &Creds) -> Key {
    // Endpoint overrides from the environment change which STS answers, so
    // they are part of the key too.
    let sts_endpoint = creds.effective_sts_endpoint();
    Key {
        provider: login.provider.clone(),
        endpoint: login.endpoint.clone(),
        username: login.username.clone(),
        role_arn: login.role_arn.clone(),
        region: login.region.clone(),
        duration_seconds: creds.duration_seconds,
        sts_endpoint,
        plugin_options: login.plugin_options.clone(),
    }
}

/// The settings of a login that the cache could not answer.
pub struct Miss {
    pub login: Login,
    pub common: Common,
    pub creds: Creds,
    pub key: Key,
    pub cache: Cache,
}

/// What the cache said.
pub enum Lookup {
    /// Fresh credentials were printed.
    Served,
    /// A login is needed.
    Miss(Box<Miss>),
}

/// The entry for `key` if it may still be handed out.
pub fn fresh(cache: &Cache, key: &Key, creds: &Creds) -> Option<Entry> {
    let e = cache.read(key)?;
    if e.is_fresh(OffsetDateTime::now_utc(), creds.refresh_before) {
        Some(e)
    } else {
        log::debug("cached credentials are too close to expiry; logging in again");
        None
    }
}

/// Print cached credentials if a fresh entry exists, else hand back the
/// resolved settings for the login. Every setting is resolved and checked
/// here, before the cache is consulted, so a bad flag (`--timeout 0`, a CA
/// bundle that does not exist) gets the same answer on a hit as on a miss.
pub fn lookup(cli: &SamlCli) -> Result<Lookup> {
    if cli.creds.output == crate::cli::OutputFormat::CredentialsFile {
        crate::credentials_file::check_name(cli.creds.credentials_profile.as_deref())?;
    }
    match find(cli)? {
        Found::Hit(e, creds) => {
            output::deliver(
                &e.credentials,
                creds.output,
                cli.creds.credentials_profile.as_deref(),
            )?;
            Ok(Lookup::Served)
        }
        Found::Miss(m) => Ok(Lookup::Miss(m)),
    }
}

/// What the cache holds for a command line.
pub enum Found {
    /// A fresh entry (and the settings it was found with).
    Hit(Box<Entry>, Box<Creds>),
    /// A login is needed.
    Miss(Box<Miss>),
}

/// Like [`lookup`], without printing: for commands (`exec`, `console`)
/// that use the credentials themselves.
pub fn find(cli: &SamlCli) -> Result<Found> {
    log::set_verbosity(settings::verbosity(cli.common.verbose));
    let login = settings::login(&cli.login, &cli.common, cli.creds.region.as_deref())?;
    let common = settings::common(&cli.common)?;
    let creds = settings::creds(&cli.creds)?;
    let cache = Cache::new(creds.cache_dir.clone());
    let key = cache_key(&login, &creds);
    if creds.use_cache {
        if let Some(e) = fresh(&cache, &key, &creds) {
            log::debug(&format!(
                "using cached credentials from {}",
                cache.path_for(&key).display()
            ));
            return Ok(Found::Hit(Box::new(e), Box::new(creds)));
        }
    }
    Ok(Found::Miss(Box::new(Miss {
        login,
        common,
        creds,
        key,
        cache,
    })))
}
