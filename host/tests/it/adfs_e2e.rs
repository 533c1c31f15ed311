//! End to end: the real `awsprocesscreds-saml` binary with the `adfs`
//! plugin against the sandbox's fake ADFS and fake STS, run without a
//! terminal, with the seed README's command line.

use crate::common;

#[cfg(unix)]
use std::time::Duration;

#[cfg(unix)]
use common::pty::{assert_not_echoed, PtySession};
use common::{assert_credentials, login_args, run, Ctx};
use sandbox::adfs::{self, Adfs, AdfsConfig, AdfsVersion, Mfa};
use sandbox::saml::Role;
use sandbox::Server;

const ROLE: &str = "arn:aws:iam::123456789012:role/ADFS-Dev";
const PASSWORD: &str = "hunter2";

struct World {
    ctx: Ctx,
    server: Server,
    adfs: Adfs,
}

fn world(config: AdfsConfig) -> World {
    let ctx = Ctx::new();
    ctx.add_plugin("awsprocesscreds_plugin_adfs");
    let (server, adfs) = adfs::start(config);
    World { ctx, server, adfs }
}

impl World {
    /// `awsprocesscreds-saml -e <entry> -u Monty -p adfs -a <role>` + `extra`.
    fn saml(&self, extra: &[&str]) -> std::process::Command {
        let entry = adfs::entry_url(&self.server);
        let mut cmd = self
            .ctx
            .plugin_login(&login_args("adfs", &entry, "Monty", ROLE));
        cmd.args(extra);
        cmd
    }

    fn with_password(&self, password: &str, extra: &[&str]) -> std::process::Command {
        let mut cmd = self.saml(extra);
        cmd.env("AWSPROCESSCREDS_PASSWORD", password);
        cmd
    }
}

#[test]
fn seed_profile_prints_credentials_and_caches_them() {
    let w = world(AdfsConfig::default());
    let out = run(w.with_password(PASSWORD, &[]));
    out.ok();
    assert_credentials(&out.json());
    assert_eq!(w.ctx.sts_calls(), 1);
    // Cached: no second sign-in.
    run(w.saml(&[])).ok();
    assert_eq!(w.adfs.lock().unwrap().password_posts, 1);
    assert_eq!(w.ctx.sts_calls(), 1);
}

#[test]
fn adfs2_seed_profile_works_too() {
    let w = world(AdfsConfig {
        version: AdfsVersion::V2,
        ..Default::default()
    });
    let out = run(w.with_password(PASSWORD, &[]));
    out.ok();
    assert_credentials(&out.json());
}

#[test]
fn wrong_password_shows_the_adfs_text_not_the_password() {
    let w = world(AdfsConfig::default());
    let out = run(w.with_password("not-the-password", &[]));
    assert_ne!(out.code, 0);
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr.contains("Incorrect user ID or password"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("not-the-password"), "{}", out.stderr);
    assert_eq!(w.ctx.sts_calls(), 0);
}

#[test]
fn another_role_within_the_adfs_session_needs_no_password() {
    let w = world(AdfsConfig {
        roles: vec![
            Role::new("123456789012", "ADFS-Dev", "ADFS"),
            Role::new("123456789012", "ADFS-Admin", "ADFS"),
        ],
        ..Default::default()
    });
    run(w.with_password(PASSWORD, &[])).ok();
    // Another role (not cached) and no password source at all now: only
    // the kept ADFS session can work.
    let entry = adfs::entry_url(&w.server);
    let out = run(w.ctx.plugin_login(&login_args(
        "adfs",
        &entry,
        "Monty",
        "arn:aws:iam::123456789012:role/ADFS-Admin",
    )));
    out.ok();
    assert_credentials(&out.json());
    let st = w.adfs.lock().unwrap();
    assert_eq!(st.password_posts, 1);
    assert_eq!(st.sso_logins, 1);
    assert_eq!(w.ctx.sts_calls(), 2);
}

#[test]
fn otp_adapter_with_a_code_command() {
    let w = world(AdfsConfig {
        mfa: Some(Mfa::Otp {
            adapter: "SecurIDAuthentication".into(),
            field: "Passcode".into(),
            code: "424242".into(),
        }),
        ..Default::default()
    });
    let out = run(w.with_password(PASSWORD, &["--mfa-code-command", "echo 424242"]));
    out.ok();
    assert_credentials(&out.json());
    assert!(!out.stderr.contains("424242"), "{}", out.stderr);
}

#[test]
fn azure_push_shows_the_number_on_stderr() {
    let w = world(AdfsConfig {
        mfa: Some(Mfa::AzurePush {
            polls: 1,
            entropy: Some(42),
            deny: false,
        }),
        ..Default::default()
    });
    let out = run(w.with_password(PASSWORD, &[]));
    out.ok();
    assert_credentials(&out.json());
    assert!(out.stderr.contains("42"), "{}", out.stderr);
    assert_eq!(w.adfs.lock().unwrap().polls, 1);
}

#[test]
fn browser_only_adapter_is_named() {
    let w = world(AdfsConfig {
        mfa: Some(Mfa::BrowserOnly {
            adapter: "DuoAdfsAdapter".into(),
        }),
        ..Default::default()
    });
    let out = run(w.with_password(PASSWORD, &[]));
    assert_ne!(out.code, 0);
    assert!(out.stdout.is_empty());
    assert!(out.stderr.contains("DuoAdfsAdapter"), "{}", out.stderr);
}

#[test]
fn verbose_trace_shows_pages_but_no_secrets() {
    let w = world(AdfsConfig::default());
    let out = run(w.with_password(PASSWORD, &["-v", "-v"]));
    out.ok();
    assert!(
        out.stderr.contains("/adfs/ls/IdpInitiatedSignOn.aspx"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("ADFS sign-in form found"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains(PASSWORD), "{}", out.stderr);
    let st = w.adfs.lock().unwrap();
    for sid in &st.sessions {
        assert!(
            !out.stderr.contains(sid.as_str()),
            "session cookie leaked:\n{}",
            out.stderr
        );
    }
}

#[cfg(unix)]
#[test]
fn password_and_code_typed_on_the_terminal() {
    let w = world(AdfsConfig {
        mfa: Some(Mfa::AzureCode {
            code: "777111".into(),
        }),
        ..Default::default()
    });
    let mut s = PtySession::spawn_answering(w.saml(&[]), "Password: ", PASSWORD);
    s.expect("Verification code", Duration::from_secs(20));
    s.send_line("777111");
    let (out, screen) = s.finish(Duration::from_secs(20));
    out.ok();
    assert_credentials(&out.json());
    assert_not_echoed(&screen, PASSWORD);
}

#[test]
fn home_realm_discovery_then_sign_in() {
    let w = world(AdfsConfig {
        home_realm_discovery: true,
        ..Default::default()
    });
    let out = run(w.with_password(PASSWORD, &[]));
    out.ok();
    assert_credentials(&out.json());
    assert_eq!(w.adfs.lock().unwrap().home_realms, ["AD AUTHORITY"]);
}

#[test]
fn expired_password_is_named_with_where_to_change_it() {
    let w = world(AdfsConfig {
        refusal: Some(
            "Your password has expired. Type your updated password and try again.".into(),
        ),
        ..Default::default()
    });
    let out = run(w.with_password(PASSWORD, &[]));
    out.fails(1, "the password has expired and must be changed");
    assert!(
        out.stderr.contains("change your password in a web browser"),
        "{}",
        out.stderr
    );
    assert_eq!(w.adfs.lock().unwrap().password_posts, 1);
}
