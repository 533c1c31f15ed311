//! The cache-hit path: answer from a fresh cache entry or report a miss.
//! No plugin, no SDK, no socket.

use time::OffsetDateTime;

use crate::cache::{Cache, Key};
use crate::cli::SamlCli;
use crate::error::Result;
use crate::settings::{self, Creds, Login};
use crate::{log, output};

/// Everything that changes which credentials a login produces.
pub fn cache_key(login: &Login, creds: &Creds) -> Key {
    // Endpoint overrides from the environment change which STS answers, so
    // they are part of the key too.
    let sts_endpoint = creds
        .sts_endpoint
        .clone()
        .or_else(|| std::env::var("AWS_ENDPOINT_URL_STS").ok())
        .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok());
    Key {
        provider: login.provider.clone(),
        endpoint: login.endpoint.clone(),
        username: login.username.clone(),
        role_arn: login.role_arn.clone(),
        region: creds.region.clone(),
        duration_seconds: creds.duration_seconds,
        sts_endpoint,
        plugin_options: login.plugin_options.clone(),
    }
}

/// Print cached credentials if a fresh entry exists. `Ok(true)`: done;
/// `Ok(false)`: a login is needed. Usage errors surface here, before any
/// login starts.
pub fn serve(cli: &SamlCli) -> Result<bool> {
    log::set_verbosity(settings::verbosity(cli.common.verbose));
    let login = settings::login(&cli.login, &cli.common)?;
    let creds = settings::creds(&cli.creds)?;
    if !creds.use_cache {
        return Ok(false);
    }
    let cache = Cache::new(creds.cache_dir.clone());
    let key = cache_key(&login, &creds);
    if let Some(e) = cache.read(&key) {
        if e.is_fresh(OffsetDateTime::now_utc(), creds.refresh_before) {
            log::debug(&format!(
                "using cached credentials from {}",
                cache.path_for(&key).display()
            ));
            output::print(&e.credentials, creds.output)?;
            return Ok(true);
        }
        log::debug("cached credentials are too close to expiry; logging in again");
    }
    Ok(false)
}
