//! Credentials a plugin of kind `credentials` returned directly: checked
//! before anything prints or caches them, and registered for redaction.

use plugin_api::{Credentials, ErrorKind};

use crate::error::{Error, Kind, Result};
use crate::{log, timefmt};

/// Check credentials a plugin returned directly.
pub fn validate(name: &str, mut c: Credentials) -> Result<Credentials> {
    let bad = |what: &str| {
        Error::new(
            Kind::Plugin(ErrorKind::Protocol),
            format!("provider '{name}' returned invalid credentials: {what}"),
        )
    };
    if c.access_key_id.trim().is_empty() {
        return Err(bad("AccessKeyId is empty"));
    }
    if c.secret_access_key.expose().trim().is_empty() {
        return Err(bad("SecretAccessKey is empty"));
    }
    log::add_secret(c.secret_access_key.expose());
    if let Some(t) = &c.session_token {
        log::add_secret(t.expose());
    }
    if let Some(e) = &c.expiration {
        let t = timefmt::parse(e)
            .ok_or_else(|| bad(&format!("Expiration {e:?} is not an RFC 3339 time")))?;
        if t <= time::OffsetDateTime::now_utc() {
            return Err(bad(&format!("they expired at {}", timefmt::format(t))));
        }
        c.expiration = Some(timefmt::format(t));
    }
    Ok(c)
}
