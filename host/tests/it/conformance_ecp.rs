//! SAML ECP with real parts end to end: the AWS CLI (botocore) runs our binary
//! from a `credential_process` profile with the `ecp` plugin, which logs in
//! to a real SimpleSAMLphp IdP over SAML ECP; the assertion goes to moto's
//! STS and the CLI calls `sts get-caller-identity` with the credentials.
//! The password is typed at the prompt on the terminal (a PTY), as when a
//! user runs `aws ...` in a shell.
//!
//! Needs `aws` and `moto_server` (`.ci/conformance-deps.sh`) and php +
//! SimpleSAMLphp (`.ci/ecp-deps.sh`); without them the tests skip with a
//! printed reason, or fail under CI=true. moto accepts one Role value and
//! wants at least two attributes: the user has a single role plus
//! RoleSessionName and SessionDuration.
// The conformance venv and SimpleSAMLphp are set up for Unix, and the
// terminal cases drive a pseudo-terminal.
#![cfg(unix)]

use crate::common;
use crate::conformance_support;
use crate::ecp_support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::pty::{assert_not_echoed, PtySession};
use common::*;
use conformance_support::*;
use ecp_support::{SimpleSamlPhp, User};

const ACCOUNT: &str = "123456789012";
const ROLE: &str = "arn:aws:iam::123456789012:role/ECP-Researcher";
const PROVIDER: &str = "arn:aws:iam::123456789012:saml-provider/SimpleSAMLphp";
const PASSWORD: &str = "typed-at-the-prompt-5";

struct World {
    ctx: Ctx,
    idp: SimpleSamlPhp,
    moto: &'static str,
    aws: PathBuf,
    config: PathBuf,
}

fn world() -> Option<World> {
    let moto = shared_moto()?;
    let aws = tool("aws")?;
    let idp =
        SimpleSamlPhp::start(&[User::new("bob", PASSWORD, &[&format!("{ROLE},{PROVIDER}")])])?;
    let ctx = Ctx::new();
    ctx.add_plugin("awsprocesscreds_plugin_ecp");
    let config = ctx.tmp.path().join("aws-config");
    let w = World {
        ctx,
        idp,
        moto,
        aws,
        config,
    };
    w.profile();
    Some(w)
}

impl World {
    /// `[profile ecp]` as a user writes it.
    fn profile(&self) {
        let exe = bin_dir().join("awsprocesscreds-saml");
        let text = format!(
            "[profile ecp]\nregion = us-east-1\ncredential_process = {} -p ecp -e {} -u bob -a {ROLE} --plugin-dir {}\n",
            exe.display(),
            self.idp.sso_url(),
            self.ctx.plugin_dir.display()
        );
        std::fs::write(&self.config, text).unwrap();
    }

    /// `aws sts get-caller-identity --profile ecp` in a clean environment
    /// whose STS is moto.
    fn get_caller_identity(&self) -> Command {
        aws_get_caller_identity(&self.aws, &self.ctx, &self.config, self.moto, "ecp")
    }
}

#[track_caller]
fn assert_assumed(out: &Out, idp_log: &str) {
    assert_eq!(
        out.code, 0,
        "aws failed:\n{}\nIdP log:\n{idp_log}",
        out.stderr
    );
    let v: serde_json::Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("aws printed no JSON ({e}): {}", out.stdout));
    let arn = v["Arn"].as_str().unwrap_or_default();
    assert!(
        arn.starts_with(&format!(
            "arn:aws:sts::{ACCOUNT}:assumed-role/ECP-Researcher/"
        )),
        "the CLI is not using the assumed role: {v}"
    );
    assert_eq!(v["Account"], ACCOUNT, "{v}");
}

fn cache_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn aws_cli_logs_in_over_ecp_with_the_password_typed_at_the_prompt() {
    let Some(w) = world() else { return };
    let (out, screen) = PtySession::spawn_answering(w.get_caller_identity(), "password", PASSWORD)
        .finish(Duration::from_secs(60));
    assert_assumed(&out, &w.idp.log());
    assert_not_echoed(&screen, PASSWORD);
    assert!(cache_files(&w.ctx.cache_dir()) >= 1, "credentials cached");
    // The second call is served from our cache: no terminal, no password.
    let out = run(w.get_caller_identity());
    assert_assumed(&out, &w.idp.log());
}

#[test]
fn aws_cli_shows_our_one_line_error_for_a_wrong_password() {
    let Some(w) = world() else { return };
    let mut cmd = w.get_caller_identity();
    cmd.env("AWSPROCESSCREDS_PASSWORD", "wrong-password-3");
    let out = run(cmd);
    assert_eq!(out.code, 255, "aws exit status; stderr:\n{}", out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(
        out.stderr
            .contains("the IdP rejected the username or password"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("wrong-password-3"), "{}", out.stderr);
}
