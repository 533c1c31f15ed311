//! Secrets: with `-v -v`, neither stdout, stderr, the cache nor any
//! other file the tool writes holds the password, the MFA code or the SAML
//! assertion; the AWS secret key and session token appear only in the
//! credential JSON on stdout and in the credential cache entry (which must
//! hold them to serve cache hits; it is 0600). The test greps every output
//! and every file under the test's home for each secret, raw and
//! URL-encoded, for every first-party IdP plugin and the fixture plugin.
//!
//! STS here is a recording fake, so the test knows the exact assertion the
//! tool sent and the exact keys it received.

use crate::common;
use crate::conformance_support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use common::okta::start_okta;
use common::*;
use conformance_support::{entries, walk};
use sandbox::axum::extract::State;
use sandbox::axum::routing::post;
use sandbox::axum::{Form, Router};
use sandbox::Server;

/// A password with characters that change under URL and HTML encoding.
const PASSWORD: &str = "Pa55+w/rd=&<s3cr3t>";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYzEXAMPLEKEY";
const SESSION_TOKEN: &str = "FwoGZXIvYXdzEXAMPLE+TOKEN/zZ9nOtA1sRfWk0mTfXVq2sjBc4yRq8LdFmUuZs=";

#[derive(Default)]
struct Recorded {
    assertions: Vec<String>,
}

async fn sts(
    State(rec): State<Arc<Mutex<Recorded>>>,
    Form(form): Form<HashMap<String, String>>,
) -> (
    sandbox::axum::http::StatusCode,
    [(&'static str, &'static str); 1],
    String,
) {
    if let Some(a) = form.get("SAMLAssertion") {
        rec.lock().unwrap().assertions.push(a.clone());
    }
    let exp = (time::OffsetDateTime::now_utc() + time::Duration::hours(1))
        .replace_nanosecond(0)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let role = form.get("RoleArn").cloned().unwrap_or_default();
    let body = format!(
        r#"<AssumeRoleWithSAMLResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithSAMLResult><Credentials><AccessKeyId>ASIASECRETSTEST00001</AccessKeyId><SecretAccessKey>{SECRET_KEY}</SecretAccessKey><SessionToken>{SESSION_TOKEN}</SessionToken><Expiration>{exp}</Expiration></Credentials><AssumedRoleUser><Arn>{role}/monty</Arn><AssumedRoleId>AROAEXAMPLE:monty</AssumedRoleId></AssumedRoleUser><Audience>https://signin.aws.amazon.com/saml</Audience><Issuer>https://idp.example.com</Issuer><Subject>monty</Subject><SubjectType>persistent</SubjectType><NameQualifier>x</NameQualifier></AssumeRoleWithSAMLResult><ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata></AssumeRoleWithSAMLResponse>"#
    );
    (
        sandbox::axum::http::StatusCode::OK,
        [("content-type", "text/xml")],
        body,
    )
}

fn recording_sts() -> (Server, Arc<Mutex<Recorded>>) {
    let rec: Arc<Mutex<Recorded>> = Arc::default();
    let r = Router::new().route("/", post(sts)).with_state(rec.clone());
    (Server::http(r), rec)
}

fn url_encoded(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Every form a secret may leak in: raw, URL-encoded, HTML-escaped.
fn forms_of(s: &str) -> Vec<String> {
    let mut v = vec![s.to_string(), url_encoded(s)];
    let html = s
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('+', "&#x2b;")
        .replace('/', "&#x2f;")
        .replace('=', "&#x3d;");
    v.push(html);
    // A slice from the middle catches truncated leaks of long secrets.
    if s.len() > 120 {
        let mid = &s[s.len() / 2..s.len() / 2 + 48];
        v.push(mid.to_string());
        v.push(url_encoded(mid));
    }
    v.sort();
    v.dedup();
    v
}

/// What one run may and may not reveal.
struct Findings {
    leaks: Vec<String>,
}

impl Findings {
    fn check(&mut self, place: &str, text: &str, name: &str, secret: &str) {
        for f in forms_of(secret) {
            if text.contains(&f) {
                self.leaks.push(format!("{name} found in {place}"));
                return;
            }
        }
    }
}

/// Grep stdout, stderr and every file under `root` (the test's home,
/// cache and data dirs; not the copied plugins) for the secrets.
fn grep_everything(
    root: &Path,
    plugin_dir: &Path,
    out: &Out,
    never: &[(&str, String)],
    creds_ok_in: &[PathBuf],
) -> Vec<String> {
    let mut f = Findings { leaks: Vec::new() };
    let aws_secrets = [
        ("the secret access key", SECRET_KEY.to_string()),
        ("the session token", SESSION_TOKEN.to_string()),
    ];
    for (name, s) in never {
        f.check("stdout", &out.stdout, name, s);
        f.check("stderr", &out.stderr, name, s);
    }
    for (name, s) in &aws_secrets {
        f.check("stderr", &out.stderr, name, s);
    }
    for file in walk(root) {
        if file.starts_with(plugin_dir) {
            continue;
        }
        let bytes = std::fs::read(&file).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        let place = file.display().to_string();
        for (name, s) in never {
            f.check(&place, &text, name, s);
        }
        if !creds_ok_in.contains(&file) {
            for (name, s) in &aws_secrets {
                f.check(&place, &text, name, s);
            }
        }
    }
    f.leaks
}

struct Run {
    out: Out,
    leaks: Vec<String>,
    assertions: Vec<String>,
}

/// Run `args` with -v -v against the recording STS, then grep.
fn run_and_grep(
    ctx: &Ctx,
    args: &[&str],
    extra_env: &[(&str, &str)],
    extra_secrets: &[(&str, &str)],
) -> Run {
    let (sts_server, rec) = recording_sts();
    let mut cmd = ctx.command("awsprocesscreds-saml");
    cmd.args(args)
        .args(["-v", "-v"])
        .env("AWS_ENDPOINT_URL_STS", sts_server.base_url())
        .env("AWSPROCESSCREDS_PASSWORD", PASSWORD);
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let out = run(cmd);
    let assertions = rec.lock().unwrap().assertions.clone();
    let mut never: Vec<(&str, String)> = vec![("the password", PASSWORD.to_string())];
    for a in &assertions {
        never.push(("the SAML assertion", a.clone()));
        // The decoded XML must not show up either.
        if let Ok(xml) = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, a) {
            let xml = String::from_utf8_lossy(&xml).into_owned();
            never.push((
                "the decoded SAML assertion",
                xml[..xml.len().min(400)].to_string(),
            ));
        }
    }
    for (n, s) in extra_secrets {
        never.push((n, s.to_string()));
    }
    let creds_ok_in = entries(&ctx.cache_dir());
    let leaks = grep_everything(ctx.tmp.path(), &ctx.plugin_dir, &out, &never, &creds_ok_in);
    Run {
        out,
        leaks,
        assertions,
    }
}

#[track_caller]
fn assert_clean_success(r: &Run) {
    r.out.ok();
    let v = r.out.json();
    assert_eq!(
        v["SecretAccessKey"], SECRET_KEY,
        "stdout carries the credentials"
    );
    assert_eq!(v["SessionToken"], SESSION_TOKEN);
    assert_eq!(r.out.stdout.lines().count(), 1, "stdout is the JSON only");
    assert!(!r.assertions.is_empty(), "STS got an assertion");
    assert!(
        r.out.stderr.contains("debug:"),
        "-v -v must log something to grep: {}",
        r.out.stderr
    );
    assert!(
        r.leaks.is_empty(),
        "secrets leaked: {:?}\nstderr:\n{}",
        r.leaks,
        r.out.stderr
    );
}

#[cfg(unix)]
#[test]
fn fixture_login_with_password_and_mfa_code_leaks_nothing() {
    let ctx = Ctx::new();
    ctx.set_password(PASSWORD);
    *ctx.idp_state.mfa.lock().unwrap() = Some("917364".into());
    let args = ctx.fixture_args(&[
        "--plugin-option",
        "password=yes",
        "--plugin-option",
        "mfa=yes",
        "--mfa-code-command",
        "echo 917364",
    ]);
    let args = strs(&args);
    let r = run_and_grep(&ctx, &args, &[], &[("the MFA code", "917364")]);
    assert_clean_success(&r);
    // The cache hit path logs too; it must be as clean.
    let r = run_and_grep(&ctx, &args, &[], &[("the MFA code", "917364")]);
    r.out.ok();
    assert!(r.leaks.is_empty(), "cache hit leaked: {:?}", r.leaks);
    // The credential cache is private.
    use std::os::unix::fs::PermissionsExt;
    for e in entries(&ctx.cache_dir()) {
        assert_eq!(
            std::fs::metadata(&e).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

#[test]
fn okta_login_leaks_no_password_assertion_or_okta_tokens() {
    let ctx = Ctx::new();
    let mut config = sandbox::okta::OktaConfig::demo();
    config.users = vec![sandbox::okta::User::new("monty@example.com", PASSWORD)
        .factors(vec![sandbox::okta::FactorSpec::push(1)])];
    let (_server, okta, link) = start_okta(config);
    let r = run_and_grep(
        &ctx,
        &login_args(
            "okta",
            &link,
            "monty@example.com",
            "arn:aws:iam::123456789012:role/okta-dev",
        ),
        &[],
        &[],
    );
    assert_clean_success(&r);
    // Okta session ids may be kept in the session store, never in logs.
    for sid in okta.lock().unwrap().sessions.keys() {
        assert!(
            !r.out.stderr.contains(sid.as_str()),
            "Okta session id in stderr"
        );
    }
}

#[test]
fn adfs_and_forms_logins_leak_nothing() {
    let ctx = Ctx::new();
    let adfs_config = sandbox::adfs::AdfsConfig {
        password: PASSWORD.into(),
        ..Default::default()
    };
    let (adfs_server, _adfs) = sandbox::adfs::start(adfs_config);
    let forms_config = sandbox::forms::FormsConfig {
        password: PASSWORD.into(),
        ..Default::default()
    };
    let (forms_server, forms) = sandbox::forms::start(forms_config);
    let adfs_entry = sandbox::adfs::entry_url(&adfs_server);
    let forms_entry = sandbox::forms::entry_url(&forms_server, &forms);
    for (p, e) in [("adfs", adfs_entry), ("forms", forms_entry)] {
        let mut args =
            login_args(p, &e, "Monty", "arn:aws:iam::123456789012:role/ADFS-Dev").to_vec();
        args.push("--no-cache");
        let r = run_and_grep(&ctx, &args, &[], &[]);
        assert_clean_success(&r);
    }
}

#[test]
fn failed_logins_leak_nothing_either() {
    let ctx = Ctx::new();
    // Wrong password at the IdP.
    ctx.set_password("the-right-one");
    let base = ctx.fixture_args(&[]);
    let args = ctx.fixture_args(&["--plugin-option", "password=yes"]);
    let args = strs(&args);
    let r = run_and_grep(&ctx, &args, &[], &[]);
    r.out.fails(1, "wrong password");
    assert!(r.leaks.is_empty(), "{:?}", r.leaks);
    // STS refuses the assertion: the error must not quote it.
    *ctx.idp_state.password.lock().unwrap() = None;
    let assertion = ctx.idp_state.assertion.lock().unwrap().clone();
    let (router, st) = sandbox::sts::router();
    let failing = Server::http(router);
    sandbox::sts::fail_next(&st, 400, "InvalidIdentityToken", "bad assertion");
    let mut cmd = ctx.command("awsprocesscreds-saml");
    cmd.args(&base)
        .args(["-v", "-v"])
        .env("AWS_ENDPOINT_URL_STS", failing.base_url());
    let out = run(cmd);
    out.fails(1, "STS rejected the SAML assertion as invalid");
    let leaks = grep_everything(
        ctx.tmp.path(),
        &ctx.plugin_dir,
        &out,
        &[("the SAML assertion", assertion)],
        &[],
    );
    assert!(leaks.is_empty(), "{leaks:?}");
}

#[test]
fn cache_list_and_env_output_show_secrets_only_where_asked() {
    let ctx = Ctx::new();
    let r = run_and_grep(
        &ctx,
        &strs(&ctx.fixture_args(&["--output", "env"])),
        &[],
        &[],
    );
    r.out.ok();
    assert!(
        r.out.stdout.contains(SECRET_KEY),
        "--output env prints the key"
    );
    assert!(r.leaks.is_empty(), "{:?}", r.leaks);
    let mut cmd = ctx.command("awsprocesscreds");
    cmd.args(["cache", "list"]);
    let list = run(cmd);
    list.ok();
    for s in [SECRET_KEY, SESSION_TOKEN] {
        assert!(
            !list.stdout.contains(s) && !list.stderr.contains(s),
            "cache list shows a secret"
        );
    }
}

#[test]
fn the_grep_finds_planted_leaks() {
    // Guards the guard: each kind of leak the suite looks for is caught.
    let ctx = Ctx::new();
    std::fs::create_dir_all(ctx.home()).unwrap();
    let assertion = "PHNhbWwycDpSZXNwb25zZSB4bWxuczpzYW1sMnA9InVybjpvYXNpczpuYW1lczp0YzpTQU1MOjIuMDpwcm90b2NvbCIgSUQ9Il9yMSIgVmVyc2lvbj0iMi4wIiBJc3N1ZUluc3RhbnQ9IjIwMzAtMDEtMDFUMDA6MDA6MDBaIj4=";
    std::fs::write(
        ctx.home().join("debug.log"),
        format!("posted SAMLResponse={}", url_encoded(&assertion[40..])),
    )
    .unwrap();
    std::fs::write(ctx.home().join("creds.txt"), SESSION_TOKEN).unwrap();
    let out = Out {
        code: 0,
        stdout: String::new(),
        stderr: format!("debug: password {}", url_encoded(PASSWORD)),
    };
    let leaks = grep_everything(
        ctx.tmp.path(),
        &ctx.plugin_dir,
        &out,
        &[
            ("the password", PASSWORD.into()),
            ("the SAML assertion", assertion.into()),
        ],
        &[],
    );
    assert!(
        leaks
            .iter()
            .any(|l| l.starts_with("the password found in stderr")),
        "{leaks:?}"
    );
    assert!(
        leaks
            .iter()
            .any(|l| l.starts_with("the SAML assertion found in") && l.ends_with("debug.log")),
        "{leaks:?}"
    );
    assert!(
        leaks
            .iter()
            .any(|l| l.starts_with("the session token found in") && l.ends_with("creds.txt")),
        "{leaks:?}"
    );
}
