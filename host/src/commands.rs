//! The commands: `saml` (the credential_process entry point), `roles`,
//! `plugins`, `cache list|clear`; `exec`, `console` and `configure` live in
//! their own modules and get credentials through [`credentials`].

use std::io::Write;

use plugin_api::{Credentials, LoadError};
use time::OffsetDateTime;

use crate::cache::{self, Cache};
use crate::cli::{CacheAction, CommonArgs, LoginArgs, SamlCli};
use crate::error::{Error, Kind, Result};
use crate::login::{self, Outcome};
use crate::plugin_loader::{Found, Registry};
use crate::profile::Profile;
use crate::settings::{self, Common, Creds};
use crate::{account_names, assume, env_vars as ev, hit, lock, log, output, provider, tty};

/// `awsprocesscreds-saml ...` / `awsprocesscreds saml ...`.
pub fn saml(cli: &SamlCli) -> Result<()> {
    // The hot path: a fresh cache entry. No plugin, no SDK, no socket.
    let hit::Lookup::Miss(miss) = hit::lookup(cli)? else {
        return Ok(());
    };
    let got = log_in(*miss, cli)?;
    output::deliver(
        &got.credentials,
        got.creds.output,
        cli.creds.credentials_profile.as_deref(),
    )
}

/// Credentials for a command that uses them itself (`exec`, `console`).
pub struct Got {
    pub credentials: Credentials,
    pub creds: Creds,
    /// The role assumed, when known (partition of the console).
    pub role_arn: Option<String>,
    /// The login's region (`--region`, the environment), when known.
    pub region: Option<String>,
}

impl Got {
    /// The region for what the credentials are used with (the command's
    /// environment, the console): the login's, else the profile's.
    pub fn region_with(&self, profile: Option<&Profile>) -> Option<String> {
        self.region
            .clone()
            .or_else(|| profile.and_then(|p| p.region.clone()))
    }
}

/// Credentials from the cache, else from a login (same cache, same
/// single flight as `saml`).
pub fn credentials(cli: &SamlCli) -> Result<Got> {
    match hit::find(cli)? {
        hit::Found::Hit(e, creds) => Ok(Got {
            role_arn: e.role().map(String::from),
            region: e.key.region.clone(),
            credentials: e.credentials,
            creds: *creds,
        }),
        hit::Found::Miss(miss) => log_in(*miss, cli),
    }
}

/// A cache miss: take the per-key lock, re-check the cache, log in, cache.
fn log_in(miss: hit::Miss, cli: &SamlCli) -> Result<Got> {
    let hit::Miss {
        login,
        common,
        creds,
        key,
        cache,
    } = miss;
    let mut write_cache = creds.use_cache;
    let _lock = if creds.use_cache {
        // A cache directory that is not ours or not a directory is a
        // configuration problem to report; one we merely cannot create (a
        // read-only HOME) should not stop the login.
        let existed = std::fs::symlink_metadata(cache.dir()).is_ok();
        match cache.ensure_dir() {
            Ok(()) => {}
            Err(e) if !existed => {
                log::warn(&format!(
                    "could not cache the credentials: {}; logging in without the cache",
                    e.message
                ));
                write_cache = false;
            }
            Err(e) => return Err(e),
        }
        if write_cache {
            match take_lock(&cache, &key, &creds)? {
                Locked::Held(l) => Some(l),
                // Another process logged in while we waited.
                Locked::Served(e) => {
                    return Ok(Got {
                        role_arn: e.role().map(String::from),
                        region: login.region,
                        credentials: e.credentials,
                        creds,
                    })
                }
                Locked::Unusable => {
                    write_cache = false;
                    None
                }
            }
        } else {
            None
        }
    } else {
        None
    };

    let plugin = provider::find(&common, &login.provider)?;
    // --no-cache skips only the credential cache: IdP sessions still live
    // in the cache dir (unless it proved unwritable, or --no-idp-session).
    let session_dir = (write_cache || !creds.use_cache).then(|| creds.cache_dir.clone());
    let (credentials, assumed, cacheable) = match login::run(&plugin, &login, &common, session_dir)?
    {
        Outcome::Saml(assertion) => {
            let a = assume::credentials(
                &assertion,
                &login,
                &creds,
                &common,
                cli.login.no_account_names,
            )?;
            (a.credentials, Some(a.role_arn), true)
        }
        Outcome::Credentials(c) => {
            // Credentials without an expiry are static: never cache them.
            let cacheable = c.expiration.is_some();
            (c, None, cacheable)
        }
    };
    if write_cache && cacheable {
        let entry = cache::Entry::new(key, assumed.clone(), credentials.clone());
        if let Err(e) = cache.write(&entry) {
            log::warn(&format!("could not cache the credentials: {}", e.message));
        }
    }
    if write_cache {
        remove_stale_locks(&cache);
    }
    Ok(Got {
        credentials,
        creds,
        role_arn: assumed,
        region: login.region,
    })
}

/// What taking the per-key lock led to.
enum Locked {
    /// We hold it: log in.
    Held(lock::KeyLock),
    /// Another process refreshed the cache while we waited.
    Served(Box<cache::Entry>),
    /// The cache cannot be used (warned): log in without it.
    Unusable,
}

fn take_lock(cache: &Cache, key: &cache::Key, creds: &settings::Creds) -> Result<Locked> {
    let held = lock::acquire(&cache.lock_path_for(key), creds.lock_timeout, |pid| {
        let who = pid.map(|p| format!(" (pid {p})")).unwrap_or_default();
        tty::waiting_notice(&format!(
            "waiting for another login with the same settings to finish{who}..."
        ));
    });
    match held {
        Ok(held) => {
            // Another process may have logged in while we waited.
            if let Some(e) = hit::fresh(cache, key, creds) {
                log::debug("another process refreshed the cache while we waited");
                return Ok(Locked::Served(Box::new(e)));
            }
            Ok(Locked::Held(held))
        }
        Err(e) if e.kind == Kind::Io => {
            // A cache we cannot write (read-only disk, bad permissions)
            // must not stop the login: go on without it.
            log::warn(&format!(
                "could not cache the credentials: {}; logging in without the cache",
                e.message
            ));
            Ok(Locked::Unusable)
        }
        Err(e) => Err(e),
    }
}

/// Lock files of keys whose entry is gone (cleared, never written).
fn remove_stale_locks(cache: &Cache) {
    for lock_path in cache.orphan_locks() {
        lock::remove_stale(&lock_path, &lock_path.with_extension("json"));
    }
}

/// `awsprocesscreds roles`: log in and list the roles offered, with the
/// account name as a third column (empty when unknown).
pub fn roles(login_args: &LoginArgs, common_args: &CommonArgs) -> Result<()> {
    log::set_verbosity(settings::verbosity(common_args.verbose));
    let login = settings::login(login_args, common_args, None)?;
    let common = settings::common(common_args)?;
    let plugin = provider::find(&common, &login.provider)?;
    let session_dir = settings::cache_dir().ok();
    match login::run(&plugin, &login, &common, session_dir.clone())? {
        Outcome::Saml(assertion) => {
            let parsed = assume::parse(&login.provider, &assertion)?;
            if parsed.roles.is_empty() {
                return Err(crate::roles::none_offered());
            }
            // Names cost a request; they matter when there is a choice.
            let names = account_names::lookup_unless(
                login_args.no_account_names || parsed.roles.len() < 2,
                &assertion,
                &parsed,
                &common,
                session_dir.as_deref(),
            );
            let mut out = std::io::stdout().lock();
            for r in &parsed.roles {
                let name = names.get(r.account()).map(String::as_str).unwrap_or("");
                let _ = writeln!(out, "{}\t{}\t{name}", r.role_arn, r.principal_arn);
            }
            Ok(())
        }
        Outcome::Credentials(_) => Err(Error::usage(format!(
            "provider '{}' returns credentials directly; it has no roles to list",
            login.provider
        ))),
    }
}

/// `awsprocesscreds plugins`.
pub fn plugins(common_args: &CommonArgs) -> Result<()> {
    log::set_verbosity(settings::verbosity(common_args.verbose));
    let common: Common = settings::common(common_args)?;
    let reg = Registry::discover(&common.plugin_dirs);
    let mut out = String::new();
    if reg.names().is_empty() {
        out.push_str("No plugins found.\n");
    } else {
        out.push_str(&format!(
            "{:<12} {:<10} {:<9} {:<12} {}\n",
            "NAME", "VERSION", "PROTOCOL", "KIND", "PATH"
        ));
        for f in &reg.found {
            let (p, shadow) = match f {
                Found::Loaded(p) => (p, None),
                Found::Shadowed { plugin, by } => (plugin, Some(by)),
                Found::Failed { .. } => continue,
            };
            let m = p.manifest();
            out.push_str(&format!(
                "{:<12} {:<10} {:<9} {:<12} {}{}\n",
                m.name,
                m.version,
                p.protocol(),
                m.kind.to_string(),
                p.path().display(),
                shadow
                    .map(|b| format!("  (shadowed by {})", b.display()))
                    .unwrap_or_default()
            ));
            if shadow.is_none() {
                if !m.description.is_empty() {
                    out.push_str(&format!("    {}\n", m.description));
                }
                for o in &m.options {
                    out.push_str(&format!("    --plugin-option {}=...  {}\n", o.key, o.help));
                }
            }
        }
    }
    let failed: Vec<(&std::path::PathBuf, &LoadError)> = reg
        .found
        .iter()
        .filter_map(|f| match f {
            Found::Failed { path, error } => Some((path, error)),
            _ => None,
        })
        .collect();
    if !failed.is_empty() {
        out.push_str("\nFiles that failed to load:\n");
        for (path, error) in failed {
            out.push_str(&format!("  {}: {error}\n", path.display()));
        }
    }
    if !reg.refused.is_empty() {
        out.push_str("\nDirectories skipped:\n");
        for r in &reg.refused {
            out.push_str(&format!("  {}: {}\n", r.path.display(), r.reason));
        }
        out.push_str(&format!(
            "  (plugins run with your credentials; set {}=1 to accept directories others can write to)\n",
            ev::ALLOW_INSECURE_PLUGIN_DIRS
        ));
    }
    if log::verbosity() > 0 {
        out.push_str("\nSearch path:\n");
        for d in &reg.searched {
            out.push_str(&format!("  {} ({:?})\n", d.path.display(), d.origin));
        }
    }
    std::io::stdout()
        .lock()
        .write_all(out.as_bytes())
        .map_err(|e| Error::io(format!("cannot write to stdout: {e}")))
}

/// `awsprocesscreds cache list|clear`.
pub fn cache(action: &CacheAction) -> Result<()> {
    let cache = Cache::new(settings::cache_dir()?);
    match action {
        CacheAction::List => {
            let entries = cache.list();
            let mut out = std::io::stdout().lock();
            if entries.is_empty() {
                let _ = writeln!(out, "No cached credentials in {}.", cache.dir().display());
                return Ok(());
            }
            let now = OffsetDateTime::now_utc();
            let _ = writeln!(
                out,
                "{:<10} {:<28} {:<50} {:<22} STATE",
                "PROVIDER", "USER", "ROLE", "EXPIRES"
            );
            for (_, e) in &entries {
                let state = match e.expiration() {
                    Some(t) if t <= now => "expired".to_string(),
                    Some(t) => format!("{} min left", (t - now).whole_minutes()),
                    None => "-".into(),
                };
                let _ = writeln!(
                    out,
                    "{:<10} {:<28} {:<50} {:<22} {state}",
                    e.key.provider,
                    e.key.username.as_deref().unwrap_or("-"),
                    e.role().unwrap_or("-"),
                    e.credentials.expiration.as_deref().unwrap_or("-"),
                );
            }
            Ok(())
        }
        CacheAction::Clear {
            provider,
            username,
            role_arn,
        } => {
            let all = provider.is_none() && username.is_none() && role_arn.is_none();
            let removed = if all {
                // Everything, readable or not: a corrupt or older-format
                // entry can still hold a secret key.
                cache.clear_all()?
            } else {
                let mut removed = 0;
                for (path, e) in &cache.list() {
                    let role = e.role();
                    if provider.as_deref().is_some_and(|p| p != e.key.provider)
                        || username
                            .as_deref()
                            .is_some_and(|u| Some(u) != e.key.username.as_deref())
                        || role_arn.as_deref().is_some_and(|r| Some(r) != role)
                    {
                        continue;
                    }
                    cache.remove(path)?;
                    removed += 1;
                }
                remove_stale_locks(&cache);
                removed
            };
            // Everything also means the IdP sessions the browser profiles
            // hold (the session store went with the cache above).
            let profiles = if all {
                crate::browser_signin::profiles::clear_all()
            } else {
                0
            };
            let plural = |n: usize| if n == 1 { "" } else { "s" };
            let profiles = if profiles > 0 {
                format!(" and {profiles} browser profile{}", plural(profiles))
            } else {
                String::new()
            };
            eprintln!(
                "{}: removed {removed} cached credential{}{profiles}",
                log::program(),
                plural(removed)
            );
            Ok(())
        }
    }
}
