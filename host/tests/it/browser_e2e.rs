//! End to end with a real Chromium: `-p browser` and the
//! continuation of a login in the browser, through the real
//! `awsprocesscreds-saml` binary against the sandbox's forms IdP (served
//! over plain HTTP on loopback, the one thing a browser accepts without
//! trusting a test CA) and its STS. The person is xdotool typing into the
//! window on a private Xvfb display (common::desktop); nothing in the
//! product knows it is tested.
//!
//! Without Chromium, Xvfb or xdotool every test prints `SKIPPED:` and
//! passes, except under CI=true.

// Xvfb, xdotool, process groups and /proc: Linux (the browser engine's
// Windows and macOS paths are type-checked, see README "Platforms").
#![cfg(unix)]

use crate::common;
use crate::conformance_support;

use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

use common::desktop::{self, finish, spawn, Desktop, APPEARS_WITHIN};
use common::{assert_credentials, Ctx, Out};
use sandbox::forms::{self, Flavor, FormsConfig, FormsIdp, RequiredAction};
use sandbox::saml::Role;
use sandbox::Server;

const USER: &str = "Monty";
const PASSWORD: &str = "hunter2";
/// The code the "person" reads from their new authenticator app.
const SETUP_CODE: &str = "424242";
/// The login page title of the SimpleSAMLphp-style fake.
const LOGIN_TITLE: &str = "Enter your username and password";

fn role_arn(name: &str) -> String {
    format!("arn:aws:iam::123456789012:role/{name}")
}

/// The test's home, cache, data directory, STS; and a forms IdP.
struct World {
    ctx: Ctx,
    _idp: Server,
    state: FormsIdp,
    entry: String,
}

fn world(config: FormsConfig) -> World {
    let ctx = Ctx::new();
    let (idp, state) = forms::start(config);
    let entry = forms::entry_url(&idp, &state);
    World {
        ctx,
        _idp: idp,
        state,
        entry,
    }
}

fn two_roles() -> FormsConfig {
    FormsConfig {
        roles: vec![
            Role::new("123456789012", "Dev", "IdP"),
            Role::new("123456789012", "Ops", "IdP"),
        ],
        ..Default::default()
    }
}

impl World {
    /// `awsprocesscreds-saml -p browser -e <entry> -a <role>` plus `extra`,
    /// with `display` (else none).
    fn browser(&self, role: &str, display: Option<&Desktop>, extra: &[&str]) -> Command {
        let mut cmd = self.ctx.command("awsprocesscreds-saml");
        cmd.args(["-p", "browser", "-e", &self.entry, "-a", &role_arn(role)])
            .args(extra);
        if let Some(d) = display {
            cmd.env("DISPLAY", &d.display);
        }
        cmd
    }

    /// Where the browser profiles and every browser process live.
    fn data_dir(&self) -> std::path::PathBuf {
        self.ctx.tmp.path().join("xdg")
    }

    fn logins(&self) -> usize {
        self.state.lock().unwrap().logins_ok
    }

    fn reuses(&self) -> usize {
        self.state.lock().unwrap().sessions_reused
    }
}

fn run(cmd: Command) -> Out {
    finish(spawn(cmd), Duration::from_secs(120))
}

/// The person signs in in the window that `child` opens.
fn sign_in_in_window(d: &Desktop, child: Child) -> Out {
    d.fill_in(LOGIN_TITLE, &[USER, PASSWORD], APPEARS_WITHIN);
    finish(child, Duration::from_secs(120))
}

#[track_caller]
fn assert_json_only(out: &Out) {
    out.ok();
    assert_credentials(&out.json());
    assert_eq!(out.stdout.lines().count(), 1, "stdout: {:?}", out.stdout);
}

const WINDOW_NOTICE: &str = "Opening a browser window to sign in at 127.0.0.1";

/// The first sign-in opens a window and the person types; another role
/// later is served headless from the kept session (a session cookie),
/// with no window and no typing. `-v` says why `--no-sandbox` is passed
/// when running as root; no browser process outlives a run.
#[test]
fn window_once_then_headless_for_another_role() {
    let Some(d) = desktop::shared() else { return };
    let _one = desktop::one_window_at_a_time();
    let w = world(two_roles());

    let first = sign_in_in_window(d, spawn(w.browser("Dev", Some(d), &[])));
    assert_json_only(&first);
    assert!(first.stderr.contains(WINDOW_NOTICE), "{}", first.stderr);
    assert!(
        first.stderr.contains("waiting up to 300 s"),
        "{}",
        first.stderr
    );
    assert_eq!((w.logins(), w.reuses()), (1, 0));
    desktop::assert_no_browser_left(&w.data_dir(), Duration::from_secs(10));

    let second = run(w.browser("Ops", Some(d), &["-v"]));
    assert_json_only(&second);
    assert!(!second.stderr.contains(WINDOW_NOTICE), "{}", second.stderr);
    assert!(second.stderr.contains("headless"), "{}", second.stderr);
    assert_eq!((w.logins(), w.reuses()), (1, 1), "no second password login");
    if rustix::process::geteuid().is_root() {
        assert!(
            second
                .stderr
                .contains("running as root: passing --no-sandbox"),
            "{}",
            second.stderr
        );
    } else {
        assert!(!second.stderr.contains("--no-sandbox"), "{}", second.stderr);
    }
    desktop::assert_no_browser_left(&w.data_dir(), Duration::from_secs(10));
    assert_eq!(w.ctx.sts_calls(), 2);

    // `roles` works like for every provider: from the kept session too.
    let mut roles = w.ctx.command("awsprocesscreds");
    roles.args(["roles", "-p", "browser", "-e", &w.entry]);
    let out = run(roles);
    out.ok();
    for r in ["Dev", "Ops"] {
        assert!(out.stdout.contains(&role_arn(r)), "{}", out.stdout);
    }
    assert_eq!(w.logins(), 1);
}

/// No display and no kept session: one error line naming the missing
/// window, at once (not after --browser-timeout).
#[test]
fn no_display_and_no_session_fails_at_once() {
    if desktop::browser().is_none() {
        return;
    }
    let w = world(FormsConfig::default());
    let out = finish(
        spawn(w.browser("ADFS-Dev", None, &["--browser-timeout", "3600"])),
        Duration::from_secs(60),
    );
    let (error, hint) = out.error_and_hint();
    assert!(
        error.contains("signing in needs a browser window and none can be shown here")
            && error.contains("DISPLAY"),
        "{error}"
    );
    assert!(hint.contains("desktop session"), "{hint}");
    assert_eq!(w.state.lock().unwrap().entry_visits, 0);
}

/// The kept session has ended at the IdP and there is no display: the
/// error says the kept session no longer signs the person in (not just
/// "no display", which would puzzle someone whose refreshes worked
/// headless yesterday) and where to sign in again.
#[test]
fn an_ended_session_without_a_display_says_so() {
    let Some(d) = desktop::shared() else { return };
    let _one = desktop::one_window_at_a_time();
    let w = world(FormsConfig::default());
    assert_json_only(&sign_in_in_window(
        d,
        spawn(w.browser("ADFS-Dev", Some(d), &[])),
    ));
    w.state.lock().unwrap().revoke_sessions();

    let out = run(w.browser("ADFS-Dev", None, &["--no-cache"]));
    let (error, hint) = out.error_and_hint();
    assert!(
        error.contains("the kept browser session no longer signs you in")
            && error.contains("none can be shown here"),
        "{error}"
    );
    assert!(hint.contains("desktop session"), "{hint}");
    assert_eq!(w.logins(), 1);
    desktop::assert_no_browser_left(&w.data_dir(), Duration::from_secs(10));
}

/// `-p browser` with browsers turned off is a usage error (exit 2), from
/// the flag and from the variable.
#[test]
fn p_browser_with_no_browser_is_a_usage_error() {
    let w = world(FormsConfig::default());
    let out = common::run(w.browser("ADFS-Dev", None, &["--no-browser"]));
    out.fails(2, "--no-browser");
    let mut cmd = w.browser("ADFS-Dev", None, &[]);
    cmd.env("AWSPROCESSCREDS_NO_BROWSER", "1");
    common::run(cmd).fails(2, "-p browser signs in in a web browser");
}

/// The person closes the window: exit 1 within seconds (the timeout is
/// ten minutes), "the browser window was closed", no browser left.
#[test]
fn closing_the_window_ends_the_run() {
    let Some(d) = desktop::shared() else { return };
    let _one = desktop::one_window_at_a_time();
    let w = world(FormsConfig::default());
    let child = spawn(w.browser("ADFS-Dev", Some(d), &["--browser-timeout", "600"]));
    let id = d.window(LOGIN_TITLE, APPEARS_WITHIN);
    d.focus(&id);
    d.key("ctrl+w");
    let out = finish(child, Duration::from_secs(60));
    let (error, hint) = out.error_and_hint();
    assert!(error.contains("the browser window was closed"), "{error}");
    assert!(hint.contains("run the command again"), "{hint}");
    desktop::assert_no_browser_left(&w.data_dir(), Duration::from_secs(10));
}

/// SIGTERM and SIGINT to our process while the window waits for the
/// person: no browser process is left (found by the profile directory).
#[test]
fn signals_leave_no_browser_running() {
    let Some(d) = desktop::shared() else { return };
    let _one = desktop::one_window_at_a_time();
    for signal in [rustix::process::Signal::TERM, rustix::process::Signal::INT] {
        let w = world(FormsConfig::default());
        let child = spawn(w.browser("ADFS-Dev", Some(d), &[]));
        d.window(LOGIN_TITLE, APPEARS_WITHIN);
        assert!(
            desktop::processes_under(&w.data_dir())
                .iter()
                .any(|p| p.contains("chrom")),
            "the browser runs on the profile under the data dir"
        );
        let pid = rustix::process::Pid::from_child(&child);
        rustix::process::kill_process(pid, signal).unwrap();
        let out = finish(child, Duration::from_secs(30));
        assert_ne!(out.code, 0, "{signal:?}: {}", out.stderr);
        assert!(out.stdout.is_empty());
        desktop::assert_no_browser_left(&w.data_dir(), Duration::from_secs(10));
    }
}

/// A Keycloak whose password is followed by a step only a browser can do
/// (setting up an authenticator app from a QR code). With `--no-browser`
/// the forms plugin's own error stands, and nothing was posted to that
/// page. With a display the login continues in the browser at the same
/// `-e` URL: the person signs in and types the code from their new app.
/// The next run goes straight to the browser (the marker) and is served
/// headless from the kept session: no password is asked for at all.
#[test]
fn a_browser_only_step_continues_in_the_browser_and_is_remembered() {
    let Some(d) = desktop::shared() else { return };
    let _one = desktop::one_window_at_a_time();
    let w = world(FormsConfig {
        required_action: Some(RequiredAction::ConfigureTotp),
        totp_setup_code: Some(SETUP_CODE.into()),
        ..FormsConfig::flavor(Flavor::Keycloak)
    });
    let forms_login = |extra: &[&str], display: bool| {
        let mut cmd = w.ctx.command("awsprocesscreds-saml");
        cmd.args(["-p", "forms", "-e", &w.entry, "-u", USER])
            .args(["-a", &role_arn("ADFS-Dev")])
            .args(extra);
        if display {
            cmd.env("DISPLAY", &d.display);
        }
        cmd
    };

    let mut refused = forms_login(&["--no-browser"], true);
    refused.env("AWSPROCESSCREDS_PASSWORD", PASSWORD);
    let out = run(refused);
    let (error, hint) = out.error_and_hint();
    assert!(error.contains("set up an authenticator app"), "{error}");
    assert!(hint.contains("--no-browser"), "{hint}");
    assert_eq!(w.state.lock().unwrap().required_action_posts, 0);

    let mut cmd = forms_login(&[], true);
    cmd.env("AWSPROCESSCREDS_PASSWORD", PASSWORD);
    let child = spawn(cmd);
    d.fill_in("Sign in to demo", &[USER, PASSWORD], APPEARS_WITHIN);
    let id = d.window("Mobile Authenticator Setup", APPEARS_WITHIN);
    d.focus(&id);
    // The "Unable to scan?" link first, then the code field.
    d.key("Tab");
    d.key("Tab");
    d.type_text(SETUP_CODE);
    d.key("Return");
    let out = finish(child, Duration::from_secs(120));
    assert_json_only(&out);
    assert!(
        out.stderr
            .contains("Opening a browser window to sign in at 127.0.0.1 (the IdP asks you to set up an authenticator app"),
        "{}",
        out.stderr
    );
    assert_eq!(w.state.lock().unwrap().required_action_posts, 1);

    // Remembered: no password source at all, no display, no window.
    let before = w.state.lock().unwrap().last_fields.clone();
    let out = run(forms_login(&["--no-cache", "-v"], false));
    assert_json_only(&out);
    assert!(
        out.stderr.contains("continued in the browser before"),
        "{}",
        out.stderr
    );
    assert_eq!(w.reuses(), 1);
    assert_eq!(w.state.lock().unwrap().last_fields, before);

    // --no-browser ignores the marker: the plugin runs (and stops at the step).
    let mut again = forms_login(&["--no-cache", "--no-browser"], false);
    again.env("AWSPROCESSCREDS_PASSWORD", PASSWORD);
    run(again).fails(1, "set up an authenticator app");
}

/// WebAuthn on a Keycloak page, no display and no kept session: the named
/// error, with the reason the browser was not used; the empty WebAuthn
/// form is never posted.
#[test]
fn webauthn_without_a_display_is_the_named_error() {
    if desktop::browser().is_none() {
        return;
    }
    let w = world(FormsConfig {
        webauthn: true,
        ..FormsConfig::flavor(Flavor::Keycloak)
    });
    let mut cmd = w.ctx.command("awsprocesscreds-saml");
    cmd.args(["-p", "forms", "-e", &w.entry, "-u", USER])
        .env("AWSPROCESSCREDS_PASSWORD", PASSWORD);
    let out = run(cmd);
    let (error, hint) = out.error_and_hint();
    assert!(error.contains("WebAuthn security key"), "{error}");
    assert!(
        hint.contains("none can be shown here") && hint.contains("desktop session"),
        "{hint}"
    );
    assert_eq!(w.state.lock().unwrap().webauthn_posts, 0);
}

/// `-vv` and every file under the test's home, data and cache: no
/// password, no SAML response, no cookie value (the session store, 0600,
/// holds the cookies by design); stdout the JSON only.
#[test]
fn nothing_secret_is_logged_or_left_in_files() {
    let Some(d) = desktop::shared() else { return };
    let _one = desktop::one_window_at_a_time();
    let w = world(FormsConfig {
        password: "Pa55+w/rd=&s3cr3t".into(),
        ..two_roles()
    });
    let child = spawn(w.browser("Dev", Some(d), &["-vv"]));
    d.fill_in(LOGIN_TITLE, &[USER, "Pa55+w/rd=&s3cr3t"], APPEARS_WITHIN);
    let first = finish(child, Duration::from_secs(120));
    assert_json_only(&first);
    let second = run(w.browser("Ops", None, &["-vv"]));
    assert_json_only(&second);
    assert!(second.stderr.contains("trace: "), "-vv logs the browser");

    let sessions = w.ctx.cache_dir().join("sessions");
    let kept: Vec<String> = conformance_support::walk(&sessions)
        .iter()
        .flat_map(|f| cookie_values(f))
        .collect();
    assert!(!kept.is_empty(), "the session cookie is kept");
    let mut secrets: Vec<(String, String)> =
        vec![("the password".into(), "Pa55+w/rd=&s3cr3t".into())];
    for a in &w.ctx.sts_state.lock().unwrap().assertions {
        secrets.push(("the SAML response".into(), a.clone()));
        secrets.push((
            "the SAML response (middle)".into(),
            a[a.len() / 2..a.len() / 2 + 40].into(),
        ));
    }
    for c in &kept {
        secrets.push(("a cookie value".into(), c.clone()));
    }
    let mut leaks = Vec::new();
    for (place, text) in [
        ("stderr 1", &first.stderr),
        ("stderr 2", &second.stderr),
        ("stdout 1", &first.stdout),
        ("stdout 2", &second.stdout),
    ] {
        for (name, s) in &secrets {
            if text.contains(s.as_str()) {
                leaks.push(format!("{name} in {place}"));
            }
        }
    }
    for file in conformance_support::walk(w.ctx.tmp.path()) {
        if file.starts_with(&w.ctx.plugin_dir) {
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap_or_default()).into_owned();
        for (name, s) in &secrets {
            let kept_here = name == "a cookie value" && file.starts_with(&sessions);
            if !kept_here && text.contains(s.as_str()) {
                leaks.push(format!("{name} in {}", file.display()));
            }
        }
    }
    assert!(leaks.is_empty(), "leaks: {leaks:#?}");
    // The kept session is private.
    use std::os::unix::fs::PermissionsExt;
    for f in conformance_support::walk(&sessions) {
        let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", f.display());
    }
}

/// The cookie values in a session store file.
fn cookie_values(file: &Path) -> Vec<String> {
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(file).unwrap_or_default()).unwrap_or_default();
    let Some(raw) = v["values"]["browser.cookies"]["value"].as_str() else {
        return Vec::new();
    };
    let kept: serde_json::Value = serde_json::from_str(raw).unwrap();
    kept["cookies"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["value"].as_str().map(String::from))
        .collect()
}

/// `doctor` names the browser and its version, whether a window can be
/// shown, and where profiles live; `cache clear` removes the kept session
/// and the profile.
#[test]
fn doctor_and_cache_clear() {
    let Some(d) = desktop::shared() else { return };
    let _one = desktop::one_window_at_a_time();
    let w = world(FormsConfig::default());
    let mut doctor = w.ctx.command("awsprocesscreds");
    doctor.args(["doctor", "-p", "browser"]);
    let out = run(doctor);
    assert!(
        out.stdout.contains("browser") && out.stdout.contains("Chromium 1"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("no browser window can be shown here"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("awsprocesscreds/browser"),
        "{}",
        out.stdout
    );
    let mut doctor = w.ctx.command("awsprocesscreds");
    doctor.args(["doctor"]).env("DISPLAY", &d.display);
    let out = run(doctor);
    assert!(
        out.stdout.contains("a browser window can be shown"),
        "{}",
        out.stdout
    );

    let out = sign_in_in_window(d, spawn(w.browser("ADFS-Dev", Some(d), &[])));
    assert_json_only(&out);
    let profile = w.data_dir().join("awsprocesscreds/browser/browser");
    assert!(profile.join("profile").is_dir());
    assert!(w.ctx.cache_dir().join("sessions").is_dir());
    let mut clear = w.ctx.command("awsprocesscreds");
    clear.args(["cache", "clear"]);
    let out = run(clear);
    out.ok();
    assert!(
        out.stderr.contains("and 1 browser profile"),
        "{}",
        out.stderr
    );
    assert!(!profile.exists());
    assert!(!w.ctx.cache_dir().join("sessions").exists());
    // Nothing kept: the next run needs the window again.
    let out = run(w.browser("ADFS-Dev", None, &[]));
    out.fails(1, "none can be shown here");
}

/// The cache-hit binary has no browser code (the hit path stays what it
/// was); the full binary, which logs in, has it.
#[test]
fn only_the_full_binary_carries_the_browser_engine() {
    let read = |name: &str| std::fs::read(common::bin_dir().join(name)).unwrap();
    let has =
        |bytes: &[u8], needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    let full = read("awsprocesscreds");
    let slim = read("awsprocesscreds-saml");
    for marker in ["--remote-debugging-pipe", "Storage.setCookies"] {
        assert!(has(&full, marker), "{marker} missing from awsprocesscreds");
        assert!(!has(&slim, marker), "{marker} in awsprocesscreds-saml");
    }
}
