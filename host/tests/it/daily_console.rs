//! `awsprocesscreds console` against the sandbox's fake AWS
//! federation endpoint (AWSPROCESSCREDS_SIGNIN_URL), all three partitions,
//! `--print` and the browser path.

use crate::common;

use std::collections::BTreeMap;

use common::*;
use sandbox::signin::{self, Signin};
use sandbox::Server;

fn signin_server() -> (Server, Signin) {
    let (router, state) = signin::router();
    (Server::http(router), state)
}

fn console(ctx: &Ctx, base: &str, extra: &[&str]) -> std::process::Command {
    let mut c = ctx.command("awsprocesscreds");
    c.arg("console");
    c.args(ctx.fixture_args(extra));
    c.env("AWSPROCESSCREDS_SIGNIN_URL", base);
    c
}

fn query(url: &str) -> BTreeMap<String, String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

#[test]
fn print_gives_the_login_url_for_each_partition() {
    for (region, console_home) in [
        (
            "us-east-1",
            "https://console.aws.amazon.com/console/home?region=us-east-1",
        ),
        (
            "us-gov-west-1",
            "https://console.amazonaws-us-gov.com/console/home?region=us-gov-west-1",
        ),
        (
            "cn-north-1",
            "https://console.amazonaws.cn/console/home?region=cn-north-1",
        ),
    ] {
        let ctx = Ctx::new();
        let (server, state) = signin_server();
        let out = run(console(
            &ctx,
            &server.base_url(),
            &["--print", "--region", region],
        ));
        out.ok();
        assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
        let url = out.stdout.trim();
        assert!(
            url.starts_with(&format!("{}/federation?", server.base_url())),
            "{url}"
        );
        let q = query(url);
        assert_eq!(q["Action"], "login");
        assert_eq!(q["Issuer"], "awsprocesscreds");
        assert_eq!(q["Destination"], console_home);
        let st = state.lock().unwrap();
        assert_eq!(st.tokens, vec![q["SigninToken"].clone()]);
        let issued = ctx.sts_state.lock().unwrap().issued[0].clone();
        let session = st.last_session.clone().unwrap();
        assert_eq!(session["sessionId"], issued.access_key_id.as_str());
        assert_eq!(session["sessionKey"], issued.secret_access_key.as_str());
        assert_eq!(session["sessionToken"], issued.session_token.as_str());
        assert!(!out.stderr.contains(&q["SigninToken"]), "token logged");
    }
}

#[cfg(unix)]
#[test]
fn destination_cache_reuse_and_the_browser() {
    let ctx = Ctx::new();
    let (server, state) = signin_server();
    let out = run(console(
        &ctx,
        &server.base_url(),
        &[
            "--print",
            "--destination",
            "https://console.aws.amazon.com/s3/home",
        ],
    ));
    out.ok();
    assert_eq!(
        query(out.stdout.trim())["Destination"],
        "https://console.aws.amazon.com/s3/home"
    );
    // The browser: a fake xdg-open first on PATH records its argument.
    let bin = ctx.tmp.path().join("fakebin");
    std::fs::create_dir(&bin).unwrap();
    let seen = ctx.tmp.path().join("opened.txt");
    let script = bin.join("xdg-open");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s' \"$1\" > '{}.tmp' && mv '{0}.tmp' '{0}'\n",
            seen.display()
        ),
    )
    .unwrap();
    set_mode(&script, 0o755);
    let mut c = console(&ctx, &server.base_url(), &["-vv"]);
    c.env(
        "PATH",
        format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
    );
    let out = run(c);
    out.ok();
    assert!(out.stdout.is_empty(), "nothing on stdout: {:?}", out.stdout);
    let mut opened = String::new();
    for _ in 0..100 {
        if let Ok(s) = std::fs::read_to_string(&seen) {
            opened = s;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let q = query(&opened);
    assert_eq!(q["Action"], "login");
    assert!(state.lock().unwrap().tokens.contains(&q["SigninToken"]));
    assert!(
        !out.stderr.contains(&q["SigninToken"]),
        "token logged with -vv"
    );
    // Both console runs used the cached credentials.
    assert_eq!((ctx.idp_hits(), ctx.sts_calls()), (1, 1));
}

#[test]
fn federation_failures_and_bad_destinations_are_one_line_errors() {
    let ctx = Ctx::new();
    // Nothing listens there.
    let dead = {
        let (s, _) = signin_server();
        s.base_url()
    };
    run(console(&ctx, &dead, &["--print", "--timeout", "5"])).fails(1, "error:");
    run(console(
        &ctx,
        &dead,
        &["--print", "--destination", "ftp://x"],
    ))
    .fails(2, "--destination");
    // A federation endpoint that answers 400 (e.g. a wrong path).
    let (server, _) = signin_server();
    run(console(&ctx, &server.url("/nope"), &["--print"]))
        .fails(1, "refused the sign-in token request");
}
