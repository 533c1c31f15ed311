//! Account names from the AWS SAML sign-in page (the sandbox's
//! fake, in the long-standing and the 2023 format, and down), in
//! `awsprocesscreds roles` and in the role picker; cached per account.

use crate::common;

#[cfg(unix)]
use std::time::Duration;

#[cfg(unix)]
use common::pty::PtySession;
use common::*;
use sandbox::saml::Role;
use sandbox::signin::{self, PageFormat, Signin};
use sandbox::Server;

const PROD: &str = "111122223333";
const SANDBOX: &str = "444455556666";
const BARE: &str = "777788889999";

fn setup(format: PageFormat) -> (Ctx, Server, Signin) {
    let ctx = Ctx::new();
    ctx.set_roles(vec![
        Role::new(PROD, "admin", "fixture"),
        Role::new(PROD, "read", "fixture"),
        Role::new(SANDBOX, "dev", "fixture"),
        Role::new(BARE, "dev", "fixture"),
    ]);
    let (router, state) = signin::router();
    {
        let mut s = state.lock().unwrap();
        s.format = format;
        s.aliases.insert(PROD.into(), "team-prod".into());
        s.aliases.insert(SANDBOX.into(), "sandbox & co".into());
    }
    (ctx, Server::http(router), state)
}

fn roles_cmd(ctx: &Ctx, server: &Server, extra: &[&str]) -> std::process::Command {
    let mut c = ctx.command("awsprocesscreds");
    c.arg("roles").args(ctx.fixture_args(extra));
    c.env("AWSPROCESSCREDS_SIGNIN_URL", server.base_url())
        .env_remove("AWSPROCESSCREDS_NO_ACCOUNT_NAMES");
    c
}

fn lines(out: &Out) -> Vec<Vec<String>> {
    out.stdout
        .lines()
        .map(|l| l.split('\t').map(String::from).collect())
        .collect()
}

#[track_caller]
fn assert_named(out: &Out) {
    out.ok();
    let rows = lines(out);
    assert_eq!(rows.len(), 4, "{}", out.stdout);
    assert_eq!(rows[0][0], format!("arn:aws:iam::{PROD}:role/admin"));
    assert_eq!(
        rows[0][1],
        format!("arn:aws:iam::{PROD}:saml-provider/fixture")
    );
    assert_eq!(rows[0][2], "team-prod");
    assert_eq!(rows[1][2], "team-prod");
    assert_eq!(rows[2][2], "sandbox & co");
    assert_eq!(rows[3][2], "", "an account without alias has an empty name");
}

#[cfg(unix)]
#[test]
fn names_from_the_classic_page_then_from_the_cache() {
    let (ctx, server, state) = setup(PageFormat::Classic);
    assert_named(&run(roles_cmd(&ctx, &server, &[])));
    assert_eq!(state.lock().unwrap().saml_posts, 1);
    let cache = ctx.cache_dir().join("account-names.json");
    let text = std::fs::read_to_string(&cache).unwrap();
    assert!(
        text.contains("team-prod") && !text.contains("SAMLResponse"),
        "{text}"
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&cache).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // Known accounts: no second request, even with the page down.
    state.lock().unwrap().format = PageFormat::Down;
    assert_named(&run(roles_cmd(&ctx, &server, &[])));
    assert_eq!(state.lock().unwrap().saml_posts, 1);
}

#[test]
fn names_from_the_current_page() {
    let (ctx, server, state) = setup(PageFormat::Current);
    assert_named(&run(roles_cmd(&ctx, &server, &[])));
    assert_eq!(state.lock().unwrap().saml_posts, 1);
}

#[test]
fn a_page_that_is_down_only_costs_the_names() {
    let (ctx, server, state) = setup(PageFormat::Down);
    let out = run(roles_cmd(&ctx, &server, &[]));
    out.ok();
    let rows = lines(&out);
    assert_eq!(rows.len(), 4);
    assert!(
        rows.iter().all(|r| r.len() == 3 && r[2].is_empty()),
        "{}",
        out.stdout
    );
    assert_eq!(state.lock().unwrap().saml_posts, 1);
    // Nothing listening at all: still fine.
    let mut c = roles_cmd(&ctx, &server, &[]);
    c.env("AWSPROCESSCREDS_SIGNIN_URL", "http://127.0.0.1:9");
    run(c).ok();
    // --no-account-names: no request.
    let out = run(roles_cmd(&ctx, &server, &["--no-account-names"]));
    out.ok();
    assert_eq!(state.lock().unwrap().saml_posts, 1);
    assert_eq!(lines(&out)[0].len(), 3);
}

#[test]
fn assertions_for_other_destinations_are_not_posted() {
    let (ctx, server, state) = setup(PageFormat::Classic);
    // Without the override the assertion's Destination decides: an IdP
    // page that is not an AWS sign-in host never gets the assertion.
    ctx.set_assertion(
        sandbox::saml::AssertionBuilder::default()
            .roles(vec![
                Role::new(PROD, "a", "fixture"),
                Role::new(SANDBOX, "b", "fixture"),
            ])
            .destination("https://idp.example.com/saml"),
    );
    let mut c = ctx.command("awsprocesscreds");
    c.arg("roles")
        .args(ctx.fixture_args(&[]))
        .env_remove("AWSPROCESSCREDS_NO_ACCOUNT_NAMES");
    let out = run(c);
    out.ok();
    assert!(lines(&out).iter().all(|r| r[2].is_empty()));
    assert_eq!(state.lock().unwrap().saml_posts, 0);
    drop(server);
}

#[cfg(unix)]
#[test]
fn the_picker_shows_account_names() {
    let (ctx, server, _state) = setup(PageFormat::Current);
    let mut cmd = ctx.saml(&[]);
    cmd.env("AWSPROCESSCREDS_SIGNIN_URL", server.base_url())
        .env_remove("AWSPROCESSCREDS_NO_ACCOUNT_NAMES");
    let mut s = PtySession::spawn(cmd);
    s.expect("Choose 1-4", Duration::from_secs(20));
    let screen = s.screen();
    assert!(
        screen.contains(&format!("team-prod ({PROD})  admin")),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("sandbox & co ({SANDBOX})  dev")),
        "{screen}"
    );
    assert!(screen.contains(&format!("] {BARE}  dev")), "{screen}");
    s.send_line("3");
    let (out, _) = s.finish(Duration::from_secs(20));
    out.ok();
    assert_credentials(&out.json());
    assert_eq!(
        ctx.sts_state.lock().unwrap().issued[0].role_arn,
        format!("arn:aws:iam::{SANDBOX}:role/dev")
    );
}
