//! `-p browser` with real parts end to end: a real SimpleSAMLphp IdP (its
//! IdP-initiated SSO URL for AWS), a real Chromium in a window on a
//! private Xvfb display with xdotool typing as the person, and the real
//! AWS CLI running our binary from `credential_process` profiles with
//! moto as STS.
//!
//! SimpleSAMLphp keeps its sign-in session in session cookies only
//! (`SimpleSAMLAuthToken` and the PHP session id, no expiry), which
//! Chromium drops at exit: the headless refreshes here prove the kept
//! session works.
//!
//! Needs chromium, Xvfb, xdotool (`.ci/browser-deps.sh`), php +
//! SimpleSAMLphp (`.ci/ecp-deps.sh`), `aws` and `moto_server`
//! (`.ci/conformance-deps.sh`); without them the tests print `SKIPPED:`,
//! or fail under CI=true.

// Xvfb, xdotool, process groups and /proc: Linux (the browser engine's
// Windows and macOS paths are type-checked, see README "Platforms").
#![cfg(unix)]

use crate::common;
use crate::conformance_support;
use crate::ecp_support;

use std::process::{Child, Command};
use std::time::Duration;

use common::desktop::{self, finish, spawn, Desktop, APPEARS_WITHIN};
use common::{assert_credentials, Ctx};
use conformance_support::{assert_assumed_role, shared_moto, tool};
use ecp_support::{SimpleSamlPhp, User};

const ACCOUNT: &str = "123456789012";
const ROLE: &str = "arn:aws:iam::123456789012:role/Browser-Dev";
const PROVIDER: &str = "arn:aws:iam::123456789012:saml-provider/SimpleSAMLphp";
const USER: &str = "alice";
const PASSWORD: &str = "typed-in-the-window-7";
/// SimpleSAMLphp's login page (`core:loginuserpass`).
const LOGIN_TITLE: &str = "Enter your username and password";

/// The IdP-initiated sign-in URL for AWS, as an administrator hands it out.
fn start_url(idp: &SimpleSamlPhp) -> String {
    format!("{}?spentityid=urn:amazon:webservices", idp.sso_url())
}

/// The AWS service provider as AWS publishes it (HTTP-POST consumers
/// only: without ECP's PAOS one first, an IdP-initiated sign-in posts the
/// response from a browser page).
fn idp() -> Option<SimpleSamlPhp> {
    SimpleSamlPhp::start_with(
        &[User::new(USER, PASSWORD, &[&format!("{ROLE},{PROVIDER}")])],
        false,
    )
}

/// Password sign-ins the IdP saw (SimpleSAMLphp's stats log line).
fn password_logins(idp: &SimpleSamlPhp) -> usize {
    idp.log()
        .matches(&format!("User '{USER}' successfully authenticated"))
        .count()
}

/// Our binary, `-p browser` at the IdP-initiated URL.
fn browser_login(
    ctx: &Ctx,
    idp: &SimpleSamlPhp,
    display: Option<&Desktop>,
    extra: &[&str],
) -> Command {
    let mut cmd = ctx.command("awsprocesscreds-saml");
    cmd.args(["-p", "browser", "-e", &start_url(idp), "-a", ROLE])
        .args(extra);
    if let Some(d) = display {
        cmd.env("DISPLAY", &d.display);
    }
    cmd
}

/// A window sign-in typed by the person, then a headless refresh with no
/// display at all: the kept session cookies (session cookies) carry it,
/// and the IdP sees one password login.
#[test]
fn simplesamlphp_window_sign_in_then_headless_refresh() {
    let Some(d) = desktop::shared() else { return };
    let Some(idp) = idp() else { return };
    let _one = desktop::one_window_at_a_time();
    let ctx = Ctx::new();

    let child = spawn(browser_login(&ctx, &idp, Some(d), &[]));
    d.fill_in(LOGIN_TITLE, &[USER, PASSWORD], APPEARS_WITHIN);
    let out = finish(child, Duration::from_secs(120));
    out.ok();
    assert_credentials(&out.json());
    assert_eq!(password_logins(&idp), 1, "{}", idp.log());

    let kept = kept_cookies(&ctx);
    assert!(
        kept.iter().any(|(name, _)| name == "SimpleSAMLAuthToken")
            && kept.iter().all(|(_, expires)| expires.is_none()),
        "SimpleSAMLphp's session cookies (no expiry) are kept: {kept:?}"
    );

    let out = finish(
        spawn(browser_login(&ctx, &idp, None, &["--no-cache", "-v"])),
        Duration::from_secs(60),
    );
    out.ok();
    assert_credentials(&out.json());
    assert!(
        !out.stderr.contains("Opening a browser window"),
        "{}",
        out.stderr
    );
    assert_eq!(password_logins(&idp), 1, "the refresh signed in again");
    desktop::assert_no_browser_left(&ctx.tmp.path().join("xdg"), Duration::from_secs(10));
}

/// (name, expiry) of the cookies in the kept browser session.
fn kept_cookies(ctx: &Ctx) -> Vec<(String, Option<f64>)> {
    let mut out = Vec::new();
    for f in conformance_support::walk(&ctx.cache_dir().join("sessions")) {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
        if let Some(raw) = v["values"]["browser.cookies"]["value"].as_str() {
            let kept: serde_json::Value = serde_json::from_str(raw).unwrap();
            for c in kept["cookies"].as_array().unwrap() {
                out.push((
                    c["name"].as_str().unwrap().to_string(),
                    c["expires"].as_f64(),
                ));
            }
        }
    }
    out
}

/// Four `aws sts get-caller-identity` calls at once, each through its own
/// `credential_process` profile (moto takes one role per assertion, so the
/// profiles differ in `--duration-seconds`: four cache keys, four logins),
/// with no session kept yet: one window opens, the person signs in once,
/// the other three wait for the profile and refresh headless from the
/// session the first kept. All four succeed; the IdP saw one password.
#[test]
fn aws_cli_parallel_calls_need_one_window_sign_in() {
    let Some(d) = desktop::shared() else { return };
    let Some(moto) = shared_moto() else { return };
    let Some(aws) = tool("aws") else { return };
    let Some(idp) = idp() else { return };
    let _one = desktop::one_window_at_a_time();
    let ctx = Ctx::new();
    let config = ctx.tmp.path().join("aws-config");
    let exe = common::bin_dir().join("awsprocesscreds-saml");
    let durations = ["900", "1800", "2700", "3600"];
    let mut text = String::new();
    for (i, secs) in durations.iter().enumerate() {
        // A stray window nobody types into would fail the call, not hang it.
        text.push_str(&format!(
            "[profile p{i}]\nregion = us-east-1\ncredential_process = {} -p browser -e {} -a {ROLE} --duration-seconds {secs} --browser-timeout 90\n\n",
            exe.display(),
            start_url(&idp)
        ));
    }
    std::fs::write(&config, text).unwrap();
    let call = |profile: &str| {
        let mut cmd =
            conformance_support::aws_get_caller_identity(&aws, &ctx, &config, moto, profile);
        cmd.env("DISPLAY", &d.display)
            .env("AWSPROCESSCREDS_NO_ACCOUNT_NAMES", "1");
        spawn(cmd)
    };
    let children: Vec<Child> = (0..durations.len())
        .map(|i| call(&format!("p{i}")))
        .collect();
    d.fill_in(LOGIN_TITLE, &[USER, PASSWORD], APPEARS_WITHIN);
    for child in children {
        let out = finish(child, Duration::from_secs(180));
        assert_assumed_role(&out, ACCOUNT, "Browser-Dev");
    }
    assert_eq!(password_logins(&idp), 1, "one sign-in for four calls");
    assert!(
        !d.titles().iter().any(|t| t.contains(LOGIN_TITLE)),
        "a second login window is open: {:?}",
        d.titles()
    );

    // The credentials are cached: the next call is served without the IdP.
    let out = finish(call("p0"), Duration::from_secs(60));
    assert_assumed_role(&out, ACCOUNT, "Browser-Dev");
    assert_eq!(password_logins(&idp), 1);
}
