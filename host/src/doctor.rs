//! `awsprocesscreds doctor`: a checklist of what a login depends on, for
//! users setting the tool up and for bug reports.
//!
//! Each check is `ok`, `warn`, `FAIL` or `skip`. Only essential checks can
//! fail (exit status 1): no plugin at all, the provider asked for missing
//! or unloadable, a cache directory that cannot be used, an IdP endpoint
//! given with `-e` that cannot be reached over valid TLS, or settings that a
//! login would reject. Everything that depends on the machine's situation
//! rather than on the installation (no terminal, no keychain, a public STS
//! endpoint unreachable from an offline machine) is a warning.
//!
//! Colour is used only when stdout is a terminal, `NO_COLOR` is unset or
//! empty, and `TERM` is not `dumb`.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::path::Path;
use std::time::Duration;

use plugin_api::aws::Partition;
use plugin_api::HttpRequest;

use crate::cache::{Cache, DirState};
use crate::cli::{CommonArgs, CredentialArgs, LoginArgs};
use crate::env_vars as ev;
use crate::error::{Error, Kind, Result};
use crate::http::{display_url, HttpClient};
use crate::plugin_loader::{Found, Registry};
use crate::settings::{self, Common};
use crate::{log, provider, tty};

/// How long the optional STS reachability probe may take: an offline
/// machine should not make `doctor` hang for the full `--timeout`.
const STS_PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// The result of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    Warn,
    Fail,
    Skip,
}

impl Status {
    fn label(self) -> &'static str {
        match self {
            Status::Ok => "ok  ",
            Status::Warn => "warn",
            Status::Fail => "FAIL",
            Status::Skip => "skip",
        }
    }

    /// ANSI colour: green, yellow, red, dim.
    fn colour(self) -> &'static str {
        match self {
            Status::Ok => "\x1b[32m",
            Status::Warn => "\x1b[33m",
            Status::Fail => "\x1b[1;31m",
            Status::Skip => "\x1b[2m",
        }
    }
}

/// One line of the checklist, with optional detail lines under it.
#[derive(Debug, Clone)]
pub struct Check {
    pub area: &'static str,
    pub status: Status,
    pub summary: String,
    pub details: Vec<String>,
    /// Hint shown under a failure or warning.
    pub hint: Option<String>,
}

impl Check {
    fn new(area: &'static str, status: Status, summary: impl Into<String>) -> Check {
        Check {
            area,
            status,
            summary: summary.into(),
            details: Vec::new(),
            hint: None,
        }
    }

    fn detail(mut self, line: impl Into<String>) -> Check {
        self.details.push(line.into());
        self
    }

    fn hint(mut self, hint: impl Into<String>) -> Check {
        self.hint = Some(hint.into());
        self
    }
}

/// `awsprocesscreds doctor`: print the checklist; an error (exit 1) when an
/// essential check failed.
pub fn run(
    login_args: &LoginArgs,
    creds_args: &CredentialArgs,
    common_args: &CommonArgs,
) -> Result<()> {
    log::set_verbosity(settings::verbosity(common_args.verbose));
    let checks = checks(login_args, creds_args, common_args);
    let text = render(&checks, use_colour());
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    let failed = checks.iter().filter(|c| c.status == Status::Fail).count();
    if failed == 0 {
        Ok(())
    } else {
        Err(Error::new(
            Kind::Other,
            format!(
                "{failed} essential check{} failed",
                if failed == 1 { "" } else { "s" }
            ),
        )
        .hint("fix the lines marked FAIL above and run `awsprocesscreds doctor` again"))
    }
}

/// Whether to colour the output.
pub fn use_colour() -> bool {
    colour_allowed(
        std::io::stdout().is_terminal(),
        std::env::var_os(ev::NO_COLOR).as_deref(),
        std::env::var_os(ev::TERM).as_deref(),
    )
}

/// The colour rule (<https://no-color.org>): a terminal, `NO_COLOR` unset
/// or empty, and not a dumb terminal.
pub fn colour_allowed(
    is_terminal: bool,
    no_color: Option<&std::ffi::OsStr>,
    term: Option<&std::ffi::OsStr>,
) -> bool {
    is_terminal && no_color.is_none_or(|v| v.is_empty()) && term.is_none_or(|t| t != "dumb")
}

/// Run every check, in the order shown.
pub fn checks(
    login_args: &LoginArgs,
    creds_args: &CredentialArgs,
    common_args: &CommonArgs,
) -> Vec<Check> {
    let mut out = Vec::new();
    // Settings a login would reject are reported, and the remaining checks
    // run with what could be resolved.
    let common = match settings::common(common_args) {
        Ok(c) => c,
        Err(e) => {
            out.push(error_check("settings", &e));
            fallback_common(common_args)
        }
    };
    let creds = match settings::creds(creds_args) {
        Ok(c) => Some(c),
        Err(e) => {
            out.push(error_check("settings", &e));
            None
        }
    };
    out.extend(plugin_checks(&common, login_args, common_args));
    out.push(cache_check(creds.as_ref().map(|c| c.cache_dir.clone())));
    out.extend(unchecked_permissions());
    out.push(terminal_check());
    out.push(keychain_check(&common));
    out.extend(browser_checks(&common, login_args, common_args));
    out.push(idp_check(login_args, &common));
    out.push(sts_check(
        creds.as_ref().and_then(|c| c.sts_endpoint.clone()),
        settings::region(creds_args.region.as_deref()),
        &common,
    ));
    out
}

fn error_check(area: &'static str, e: &Error) -> Check {
    let c = Check::new(area, Status::Fail, log::redact(&e.message));
    match &e.hint {
        Some(h) => c.hint(h.clone()),
        None => c,
    }
}

/// `Common` without the validation that failed, so later checks still run.
fn fallback_common(args: &CommonArgs) -> Common {
    Common {
        verbosity: settings::verbosity(args.verbose),
        plugin_dirs: args.plugin_dir.clone(),
        ca_bundle: None,
        timeout: Duration::from_secs(args.timeout.clamp(1, 3600)),
        password_command: None,
        use_keyring: args.use_keyring,
        no_idp_session: args.no_idp_session,
        mfa_factor: None,
        mfa_timeout: Duration::from_secs(120),
        mfa_code_command: None,
        browser: settings::Browser {
            off: args.no_browser,
            window_timeout: Duration::from_secs(args.browser_timeout.clamp(1, 3600)),
            headless_timeout: settings::HEADLESS_TIMEOUT,
            path: None,
        },
    }
}

/// Plugins found, files that failed to load, refused directories, and the
/// provider asked for with `-p`.
fn plugin_checks(common: &Common, login_args: &LoginArgs, common_args: &CommonArgs) -> Vec<Check> {
    let reg = Registry::discover(&common.plugin_dirs);
    let mut out = Vec::new();
    let mut loaded = Check::new("plugins", Status::Ok, "");
    let mut names = Vec::new();
    for f in &reg.found {
        match f {
            Found::Loaded(p) => {
                let m = p.manifest();
                names.push(m.name.clone());
                loaded = loaded.detail(format!(
                    "{} {} (protocol {}, {}) {}",
                    m.name,
                    m.version,
                    p.protocol(),
                    m.kind,
                    p.path().display()
                ));
            }
            Found::Shadowed { plugin, by } => {
                loaded = loaded.detail(format!(
                    "{} {} {} is shadowed by {}",
                    plugin.manifest().name,
                    plugin.manifest().version,
                    plugin.path().display(),
                    by.display()
                ));
            }
            Found::Failed { .. } => {}
        }
    }
    if names.is_empty() {
        loaded.status = Status::Fail;
        loaded.summary = "no plugins found".into();
        loaded = loaded
            .hint("install the first-party plugins (scripts/install.sh) or pass --plugin-dir DIR");
        for d in &reg.searched {
            loaded = loaded.detail(format!("searched {}", d.path.display()));
        }
    } else {
        loaded.summary = format!("{} loaded: {}", names.len(), names.join(", "));
    }
    out.push(loaded);

    let failed: Vec<String> = reg
        .found
        .iter()
        .filter_map(|f| match f {
            Found::Failed { path, error } => Some(format!("{}: {error}", path.display())),
            _ => None,
        })
        .collect();
    if !failed.is_empty() {
        let mut c = Check::new(
            "plugins",
            Status::Warn,
            format!(
                "{} file{} failed to load",
                failed.len(),
                if failed.len() == 1 { "" } else { "s" }
            ),
        )
        .hint("rebuild or reinstall these plugins for this version of awsprocesscreds, or remove them");
        c.details = failed;
        out.push(c);
    }
    if !reg.refused.is_empty() {
        let mut c = Check::new(
            "plugins",
            Status::Warn,
            format!("{} plugin director{} skipped", reg.refused.len(), if reg.refused.len() == 1 { "y" } else { "ies" }),
        )
        .hint(format!(
            "plugins run with your credentials; fix the permissions, or set {}=1 to accept such directories",
            ev::ALLOW_INSECURE_PLUGIN_DIRS
        ));
        c.details = reg
            .refused
            .iter()
            .map(|r| format!("{}: {}", r.path.display(), r.reason))
            .collect();
        out.push(c);
    }

    if let Some(provider) = login_args
        .provider
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        out.push(provider_check(common, provider, login_args, common_args));
    }
    out
}

/// The provider given with `-p`: found, loadable, and given the inputs it
/// declares as required.
fn provider_check(
    common: &Common,
    provider: &str,
    login_args: &LoginArgs,
    common_args: &CommonArgs,
) -> Check {
    let plugin = match provider::find(common, provider) {
        Ok(p) => p,
        Err(e) => return error_check("provider", &e),
    };
    let m = plugin.manifest();
    let found = format!("{} {} from {}", m.name, m.version, plugin.path().display());
    let inputs = settings::login(login_args, common_args, None)
        .and_then(|l| provider::check_inputs(&plugin, &l));
    match inputs {
        Ok(()) => Check::new("provider", Status::Ok, found),
        Err(e) => {
            let c = Check::new("provider", Status::Fail, format!("{found}: {}", e.message));
            match e.hint {
                Some(h) => c.hint(h),
                None => c,
            }
        }
    }
}

/// The cache directory: exists (or can be created), ours, private. Uses
/// the same inspection as every cache write (`cache::inspect_dir`) and the
/// same safe listing as `cache list` (a FIFO or symlink planted in the
/// directory is counted as unreadable, never opened in a blocking way).
fn cache_check(dir: Option<std::path::PathBuf>) -> Check {
    let dir = match dir.map(Ok).unwrap_or_else(settings::cache_dir) {
        Ok(d) => d,
        Err(e) => return error_check("cache", &e),
    };
    let shown = dir.display().to_string();
    let state = match crate::cache::inspect_dir(&dir) {
        Ok(s) => s,
        Err(p) => {
            let hint = match p {
                crate::cache::DirProblem::NotADirectory(_) => {
                    format!("remove it or set {} to another directory", ev::CACHE_DIR)
                }
                _ => format!(
                    "set {} to a directory of your own, or use --no-cache",
                    ev::CACHE_DIR
                ),
            };
            return Check::new("cache", Status::Fail, p.to_string()).hint(hint);
        }
    };
    if state == DirState::Missing {
        // The first login creates it; check that it could.
        return match nearest_existing_ancestor(&dir) {
            Some(parent) if writable(&parent) => Check::new(
                "cache",
                Status::Ok,
                format!("{shown} does not exist yet; the first login creates it (0700)"),
            ),
            Some(parent) => Check::new(
                "cache",
                Status::Warn,
                format!(
                    "{shown} does not exist and {} is not writable; logins work but nothing is cached",
                    parent.display()
                ),
            )
            .hint(format!(
                "set {} to a writable directory, or use --no-cache",
                ev::CACHE_DIR
            )),
            None => Check::new("cache", Status::Fail, format!("{shown} cannot be created"))
                .hint(format!("set {} to a writable directory", ev::CACHE_DIR)),
        };
    }
    let cache = Cache::new(dir.clone());
    let (entries, unreadable) = cache.scan();
    let now = time::OffsetDateTime::now_utc();
    let valid = entries
        .iter()
        .filter(|(_, e)| e.expiration().is_some_and(|t| t > now))
        .count();
    let mut counts = format!("{} entries, {valid} unexpired", entries.len());
    if unreadable > 0 {
        counts.push_str(&format!(
            ", {unreadable} unreadable (`awsprocesscreds cache clear` removes them)"
        ));
    }
    if !writable(&dir) {
        return Check::new("cache", Status::Fail, format!("{shown} is not writable"))
            .hint("fix its permissions (chmod 700), or use --no-cache");
    }
    match state {
        DirState::TooOpen { mode, .. } => Check::new(
            "cache",
            Status::Warn,
            format!("{shown} has mode {mode:04o}; the next login tightens it to 0700 ({counts})"),
        )
        .hint(format!("or run: chmod 700 {shown}")),
        _ if cfg!(unix) => Check::new(
            "cache",
            Status::Ok,
            format!("{shown} (0700, yours; {counts})"),
        ),
        _ => Check::new("cache", Status::Ok, format!("{shown} ({counts})")),
    }
}

fn nearest_existing_ancestor(p: &Path) -> Option<std::path::PathBuf> {
    p.ancestors()
        .skip(1)
        .find(|a| a.is_dir())
        .map(Path::to_path_buf)
}

/// Whether this process may create files in `dir` (the kernel's answer, so
/// ACLs and read-only mounts count).
fn writable(dir: &Path) -> bool {
    #[cfg(unix)]
    {
        use rustix::fs::{access, Access};
        access(dir, Access::WRITE_OK | Access::EXEC_OK).is_ok()
    }
    // Windows ignores the read-only attribute on directories and decides
    // by ACL, which std cannot ask: create (and remove) a file to find out.
    #[cfg(not(unix))]
    {
        let probe = dir.join(format!(".awsprocesscreds-doctor-{}", std::process::id()));
        let created = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&probe)
            .is_ok();
        if created {
            let _ = std::fs::remove_file(&probe);
        }
        created
    }
}

/// What this platform's file checks cannot see (see `safe_fs::UNCHECKED`),
/// said once so the gap is never silent.
fn unchecked_permissions() -> Option<Check> {
    crate::safe_fs::UNCHECKED.map(|gap| {
        Check::new("permissions", Status::Skip, gap)
            .hint("keep the cache directory and plugin directories writable only by you")
    })
}

/// A controlling terminal for prompts, pickers and MFA notices.
fn terminal_check() -> Check {
    if tty::available() {
        Check::new(
            "terminal",
            Status::Ok,
            "controlling terminal available (prompts, role picker, MFA notices)",
        )
    } else {
        Check::new("terminal", Status::Warn, "no controlling terminal: password prompts and the role picker will fail fast")
            .hint("use --password-command, AWSPROCESSCREDS_PASSWORD or --use-keyring, and give -a/--role-arn")
    }
}

/// The OS keychain backends (for `--use-keyring`): a harmless read on each.
fn keychain_check(common: &Common) -> Check {
    use crate::keychain::{Keychain, DEFAULT_TIMEOUT, SERVICE};
    let statuses = Keychain::new(SERVICE, DEFAULT_TIMEOUT).probe();
    if statuses.is_empty() {
        return Check::new(
            "keychain",
            Status::Skip,
            "this platform has no supported keychain",
        );
    }
    let usable: Vec<String> = statuses
        .iter()
        .filter(|s| s.result.is_ok())
        .map(|s| s.backend.name().to_string())
        .collect();
    let mut c = if usable.is_empty() {
        // Only a problem for users who asked for the keychain.
        let status = if common.use_keyring {
            Status::Fail
        } else {
            Status::Warn
        };
        Check::new("keychain", status, "no keychain backend answered; --use-keyring cannot store passwords")
            .hint("start a Secret Service provider (gnome-keyring, KeePassXC) in your session, or use --password-command")
    } else {
        Check::new(
            "keychain",
            Status::Ok,
            format!("reachable: {}", usable.join(", ")),
        )
    };
    for s in &statuses {
        c = c.detail(match &s.result {
            Ok(()) => format!("{}: answered", s.backend.name()),
            Err(e) => format!("{}: {e}", s.backend.name()),
        });
    }
    c
}

/// How long `--version` of the browser may take.
const BROWSER_VERSION_TIMEOUT: Duration = Duration::from_secs(5);

/// The browser for sign-ins in a browser (`-p browser`, continuations):
/// which one, its version, where the profiles live; and whether a window
/// can be shown. Essential only for `-p browser`.
fn browser_checks(common: &Common, login_args: &LoginArgs, common_args: &CommonArgs) -> Vec<Check> {
    use awsprocesscreds_browser as engine;
    if common.browser.off {
        return vec![Check::new(
            "browser",
            Status::Skip,
            "sign-in in a browser is turned off (--no-browser)",
        )];
    }
    let needed = login_args.provider.as_deref().map(str::trim) == Some(settings::BROWSER_PROVIDER);
    // The plugin option counts only for `-p browser`, which declares it.
    let options = settings::plugin_options(common_args)
        .ok()
        .filter(|_| needed)
        .unwrap_or_default();
    let explicit = crate::browser_signin::named_browser(&options, common);
    let browser = match engine::find(explicit.as_deref()) {
        Ok(b) => {
            // Every Chromium-family browser tells its version: one that
            // cannot is probably not such a browser (or a broken install).
            let (status, version) = match engine::version(&b, BROWSER_VERSION_TIMEOUT) {
                Ok(v) => (Status::Ok, v),
                Err(e) => (Status::Warn, format!("version unknown: {e}")),
            };
            let mut c = Check::new(
                "browser",
                status,
                format!("{} ({version})", b.path.display()),
            );
            if status == Status::Warn {
                c = c.hint(format!(
                    "it may not be a Chromium-family browser; {}",
                    engine::error::POINT_AT_A_BROWSER
                ));
            }
            if let Some(snap) = &b.snap {
                c = c.detail(format!(
                    "a snap ({snap}): its profiles go to ~/snap/{snap}/common/awsprocesscreds"
                ));
            }
            c
        }
        Err(e) => {
            let status = if needed { Status::Fail } else { Status::Warn };
            Check::new("browser", status, e.to_string())
                .hint(e.hint().unwrap_or_default())
                .detail("sign-ins in a browser (-p browser, security keys, FastPass, device checks) cannot run")
        }
    };
    let browser = match crate::browser_signin::profiles::base() {
        Some(base) => browser.detail(format!("profiles: {}", base.display())),
        None => browser,
    };
    let window = match engine::window::can_show() {
        Ok(()) => Check::new("window", Status::Ok, "a browser window can be shown"),
        Err(why) => Check::new(
            "window",
            Status::Warn,
            format!("no browser window can be shown here ({why})"),
        )
        .hint("a sign-in that needs a person in the browser must run in a desktop session; kept sessions still refresh headless"),
    };
    vec![browser, window]
}

/// The IdP endpoint from `-e`: an HTTPS answer with a valid certificate.
fn idp_check(login_args: &LoginArgs, common: &Common) -> Check {
    let Some(endpoint) = login_args
        .endpoint
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    else {
        return Check::new(
            "idp",
            Status::Skip,
            "no endpoint given (pass -e URL to check reachability and TLS)",
        );
    };
    let Ok(url) = url::Url::parse(endpoint) else {
        // The static and keychain plugins take a file or an item name.
        return Check::new(
            "idp",
            Status::Skip,
            "the endpoint is not a URL; nothing to contact",
        );
    };
    if !matches!(url.scheme(), "http" | "https") {
        return Check::new(
            "idp",
            Status::Skip,
            "the endpoint is not an http(s) URL; nothing to contact",
        );
    }
    let shown = display_url(endpoint);
    match probe(endpoint, common.timeout, common.ca_bundle.as_deref()) {
        Ok(status) => Check::new(
            "idp",
            Status::Ok,
            format!("{shown} answered HTTP {status}{}", tls_note(&url, common)),
        ),
        Err((msg, hint)) => {
            let c = Check::new("idp", Status::Fail, format!("{shown}: {msg}"));
            match hint {
                Some(h) => c.hint(h),
                None => c,
            }
        }
    }
}

fn tls_note(url: &url::Url, common: &Common) -> String {
    if url.scheme() != "https" {
        return " (plain HTTP: loopback only)".into();
    }
    match &common.ca_bundle {
        Some(p) => format!(" (TLS certificate valid; trusting {} too)", p.display()),
        None => " (TLS certificate valid)".into(),
    }
}

/// One GET without redirects; any HTTP status means the server is there and
/// (for HTTPS) its certificate verified.
fn probe(
    url: &str,
    timeout: Duration,
    ca_bundle: Option<&Path>,
) -> std::result::Result<u16, (String, Option<String>)> {
    let client = HttpClient::new(timeout, ca_bundle).map_err(|e| (e.message, e.hint))?;
    client
        .send(HttpRequest::get(url).no_redirects())
        .map(|r| r.status)
        .map_err(|e| (log::redact(&e.message), e.hint))
}

/// Where STS calls go, and why.
pub fn sts_endpoint(flag: Option<&str>, region: Option<&str>) -> (String, String) {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    if let Some(e) = flag {
        return (
            e.to_string(),
            format!("from --sts-endpoint / {}", ev::STS_ENDPOINT),
        );
    }
    if let Some(e) = env(ev::AWS_ENDPOINT_URL_STS) {
        return (e, "from AWS_ENDPOINT_URL_STS".into());
    }
    if let Some(e) = env(ev::AWS_ENDPOINT_URL) {
        return (e, "from AWS_ENDPOINT_URL".into());
    }
    match region {
        Some(r) => (Partition::sts_endpoint(r), format!("regional endpoint of {r}")),
        None => (
            Partition::sts_endpoint(Partition::Aws.default_region()),
            "no region set: at login the region follows the SAML assertion's partition (aws: us-east-1)".into(),
        ),
    }
}

/// The STS endpoint in use; reachability is informative only.
fn sts_check(flag: Option<String>, region: Option<String>, common: &Common) -> Check {
    let (endpoint, why) = sts_endpoint(flag.as_deref(), region.as_deref());
    let shown = display_url(&endpoint);
    let timeout = common.timeout.min(STS_PROBE_TIMEOUT);
    match probe(&endpoint, timeout, common.ca_bundle.as_deref()) {
        Ok(status) => Check::new("sts", Status::Ok, format!("{shown} ({why}); answered HTTP {status}")),
        Err((msg, _)) => Check::new("sts", Status::Warn, format!("{shown} ({why}); not reachable now: {msg}"))
            .hint("logins need STS; cached credentials keep working offline. Check your network, proxy or AWS_ENDPOINT_URL_STS"),
    }
}

/// The checklist as text.
pub fn render(checks: &[Check], colour: bool) -> String {
    let mut s = String::from("awsprocesscreds doctor\n");
    let paint = |st: Status| {
        if colour {
            format!("{}{}\x1b[0m", st.colour(), st.label())
        } else {
            st.label().to_string()
        }
    };
    for c in checks {
        let _ = writeln!(s, "  [{}] {:<9} {}", paint(c.status), c.area, c.summary);
        for d in &c.details {
            let _ = writeln!(s, "         {:<9}   {d}", "");
        }
        if let Some(h) = &c.hint {
            if matches!(c.status, Status::Fail | Status::Warn) {
                let _ = writeln!(s, "         {:<9}   hint: {h}", "");
            }
        }
    }
    let failed = checks.iter().filter(|c| c.status == Status::Fail).count();
    let warned = checks.iter().filter(|c| c.status == Status::Warn).count();
    if failed == 0 {
        let _ = writeln!(
            s,
            "\nAll essential checks passed{}.",
            if warned > 0 {
                format!(" ({warned} warning{})", if warned == 1 { "" } else { "s" })
            } else {
                String::new()
            }
        );
    } else {
        let _ = writeln!(
            s,
            "\n{failed} essential check{} failed.",
            if failed == 1 { "" } else { "s" }
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        assert!(colour_allowed(true, None, Some(OsStr::new("xterm"))));
        assert!(!colour_allowed(false, None, None));
        assert!(!colour_allowed(true, Some(OsStr::new("1")), None));
        // An empty NO_COLOR does not count (no-color.org).
        assert!(colour_allowed(true, Some(OsStr::new("")), None));
        assert!(!colour_allowed(true, None, Some(OsStr::new("dumb"))));
    }

    #[test]
    fn render_marks_failures_and_counts_them() {
        let checks = vec![
            Check::new("plugins", Status::Ok, "2 loaded: okta, adfs"),
            Check::new("cache", Status::Fail, "/x is not writable").hint("chmod 700 /x"),
            Check::new("sts", Status::Warn, "unreachable"),
        ];
        let plain = render(&checks, false);
        assert!(plain.contains("[FAIL] cache"));
        assert!(plain.contains("hint: chmod 700 /x"));
        assert!(plain.contains("1 essential check failed."));
        assert!(!plain.contains('\x1b'));
        assert!(render(&checks, true).contains("\x1b[1;31mFAIL"));
    }

    #[test]
    fn sts_endpoint_defaults_to_the_region() {
        // Only meaningful when the environment sets no override.
        if std::env::var_os(ev::AWS_ENDPOINT_URL_STS).is_some()
            || std::env::var_os(ev::AWS_ENDPOINT_URL).is_some()
        {
            return;
        }
        assert_eq!(
            sts_endpoint(None, Some("eu-west-1")).0,
            "https://sts.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            sts_endpoint(None, Some("cn-north-1")).0,
            "https://sts.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(
            sts_endpoint(Some("http://127.0.0.1:9"), None).0,
            "http://127.0.0.1:9"
        );
    }
}
