//! End to end: the real `awsprocesscreds-saml` binary with the `ecp`
//! plugin against a real SAML ECP identity provider, SimpleSAMLphp
//! (`ecp_support`), and the sandbox's fake STS. The password comes
//! from the environment or is typed at the terminal prompt (a PTY).
//!
//! Needs php and SimpleSAMLphp from `.ci/ecp-deps.sh`; without them the
//! tests skip with a printed reason, or fail under CI=true.

use crate::common;
use crate::ecp_support;

#[cfg(unix)]
use std::time::Duration;

#[cfg(unix)]
use common::pty::{assert_not_echoed, PtySession};
use common::{assert_credentials, login_args, run, Ctx};
use ecp_support::{SimpleSamlPhp, User};

const ROLE: &str = "arn:aws:iam::123456789012:role/ECP-Dev";
const OTHER_ROLE: &str = "arn:aws:iam::123456789012:role/ECP-Ops";
const PROVIDER: &str = "arn:aws:iam::123456789012:saml-provider/SimpleSAMLphp";
const PASSWORD: &str = "correct horse 7";

struct World {
    ctx: Ctx,
    idp: SimpleSamlPhp,
}

fn world() -> Option<World> {
    let idp = SimpleSamlPhp::start(&[User::new(
        "alice",
        PASSWORD,
        &[
            &format!("{ROLE},{PROVIDER}"),
            &format!("{OTHER_ROLE},{PROVIDER}"),
        ],
    )])?;
    let ctx = Ctx::new();
    ctx.add_plugin("awsprocesscreds_plugin_ecp");
    Some(World { ctx, idp })
}

impl World {
    /// `awsprocesscreds-saml -p ecp -e <SSOService.php> -u alice -a <role>` + `extra`.
    fn saml(&self, role: &str, extra: &[&str]) -> std::process::Command {
        let sso = self.idp.sso_url();
        let mut cmd = self
            .ctx
            .plugin_login(&login_args("ecp", &sso, "alice", role));
        cmd.args(extra);
        cmd
    }

    fn with_password(&self, password: &str, extra: &[&str]) -> std::process::Command {
        let mut cmd = self.saml(ROLE, extra);
        cmd.env("AWSPROCESSCREDS_PASSWORD", password);
        cmd
    }

    /// The assertions the fake STS received, decoded.
    fn assertions(&self) -> Vec<String> {
        use base64::Engine as _;
        self.ctx
            .sts_state
            .lock()
            .unwrap()
            .assertions
            .iter()
            .map(|a| {
                String::from_utf8(
                    base64::engine::general_purpose::STANDARD
                        .decode(a)
                        .expect("base64 assertion"),
                )
                .unwrap()
            })
            .collect()
    }
}

#[test]
fn login_against_simplesamlphp_prints_credentials_and_caches_them() {
    let Some(w) = world() else { return };
    let out = run(w.with_password(PASSWORD, &[]));
    assert_eq!(
        out.code,
        0,
        "stderr:\n{}\nIdP log:\n{}",
        out.stderr,
        w.idp.log()
    );
    assert_credentials(&out.json());
    assert_eq!(w.ctx.sts_calls(), 1);
    // What reached STS is SimpleSAMLphp's signed Response, cut out of the
    // SOAP body with its namespaces declared.
    let xml = &w.assertions()[0];
    assert!(xml.starts_with("<samlp:Response "), "{xml}");
    assert!(xml.contains("<ds:Signature"), "{xml}");
    assert!(xml.contains(r#"Destination="https://signin.aws.amazon.com/saml""#));
    assert!(xml.contains(r#"xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/""#));
    // ...and its signatures still verify with the IdP's certificate, as
    // AWS checks them; a changed role value would not.
    assert!(
        w.idp.verify_signatures(xml).expect("signatures verify") >= 1,
        "{xml}"
    );
    let tampered = xml.replace("role/ECP-Dev", "role/ECP-Admin");
    assert_ne!(&tampered, xml);
    assert!(w.idp.verify_signatures(&tampered).is_err());
    // Cached: the second call needs neither the IdP nor STS.
    run(w.saml(ROLE, &[])).ok();
    assert_eq!(w.ctx.sts_calls(), 1);
    assert!(!out.stderr.contains(PASSWORD));
}

#[cfg(unix)]
#[test]
fn password_typed_at_the_terminal_prompt() {
    let Some(w) = world() else { return };
    let (out, screen) = PtySession::spawn_answering(w.saml(ROLE, &[]), "password", PASSWORD)
        .finish(Duration::from_secs(30));
    out.ok();
    assert_credentials(&out.json());
    assert_not_echoed(&screen, PASSWORD);
}

#[test]
fn wrong_password_is_one_line_exit_1_and_empty_stdout() {
    let Some(w) = world() else { return };
    let out = run(w.with_password("not-the-password", &[]));
    out.fails(1, "WRONGUSERPASS");
    assert!(
        out.stderr
            .contains("the IdP rejected the username or password"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("not-the-password"));
    assert_eq!(w.ctx.sts_calls(), 0);
}

#[test]
fn the_idp_session_serves_another_role_without_a_password() {
    let Some(w) = world() else { return };
    run(w.with_password(PASSWORD, &[])).ok();
    // No password source and no terminal: only the kept IdP session can
    // log in.
    let out = run(w.saml(OTHER_ROLE, &[]));
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    assert_credentials(&out.json());
    assert_eq!(w.ctx.sts_calls(), 2);
    // The session file holds cookies, never the password.
    let sessions = w.ctx.cache_dir().join("sessions");
    for entry in std::fs::read_dir(&sessions).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(!text.contains(PASSWORD));
    }
}

#[test]
fn govcloud_region_asks_for_the_govcloud_consumer() {
    let Some(w) = world() else { return };
    run(w.with_password(PASSWORD, &["--region", "us-gov-west-1"])).ok();
    let xml = &w.assertions()[0];
    assert!(
        xml.contains(r#"Destination="https://signin.amazonaws-us-gov.com/saml""#),
        "{xml}"
    );
}

#[test]
fn an_endpoint_that_is_not_ecp_is_named_as_such() {
    let Some(w) = world() else { return };
    // The IdP's metadata URL answers XML, but not a SOAP envelope.
    let metadata = w.idp.sso_url().replace("SSOService.php", "metadata.php");
    let mut cmd = w
        .ctx
        .plugin_login(&login_args("ecp", &metadata, "alice", ROLE));
    cmd.env("AWSPROCESSCREDS_PASSWORD", PASSWORD);
    let out = run(cmd);
    out.fails(1, "not a SOAP envelope");
    assert_eq!(
        out.stderr.trim().lines().count(),
        2,
        "one line + hint:\n{}",
        out.stderr
    );
}

#[test]
fn a_consumer_the_idp_does_not_know_is_caught_by_the_destination_check() {
    let Some(w) = world() else { return };
    // SimpleSAMLphp ignores an AssertionConsumerServiceURL missing from the
    // SP's metadata and addresses the Response to the registered one: the
    // plugin must notice the answer is not for the consumer it asked for.
    let out = run(w.with_password(
        PASSWORD,
        &[
            "--plugin-option",
            "acs-url=https://sp.example.org/not-registered",
        ],
    ));
    out.fails(1, "not to \"https://sp.example.org/not-registered\"");
    assert_eq!(w.ctx.sts_calls(), 0);
}

#[test]
fn an_sp_the_idp_does_not_know_shows_the_idp_page_title() {
    let Some(w) = world() else { return };
    let out = run(w.with_password(
        PASSWORD,
        &["--plugin-option", "sp-entity-id=urn:example:unknown-sp"],
    ));
    out.fails(1, "HTML page (\"Metadata not found\")");
}

#[test]
fn over_https_with_the_ca_bundle() {
    let Some(w) = world() else { return };
    let front = ecp_support::TlsFront::start(&w.idp);
    let ca = front.pki.write_ca(w.ctx.tmp.path()).unwrap();
    let sso = front.sso_url();
    let mut cmd = w.ctx.plugin_login(&login_args("ecp", &sso, "alice", ROLE));
    cmd.arg("--ca-bundle")
        .arg(&ca)
        .env("AWSPROCESSCREDS_PASSWORD", PASSWORD);
    let out = run(cmd);
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    assert_credentials(&out.json());
}

#[test]
fn an_sp_without_a_paos_consumer_is_a_browser_redirect_and_named_as_such() {
    // SimpleSAMLphp treats an ECP request for an SP it knows no PAOS
    // consumer for as a browser login and redirects to its login form.
    let Some(idp) = SimpleSamlPhp::start_with(
        &[User::new(
            "alice",
            PASSWORD,
            &[&format!("{ROLE},{PROVIDER}")],
        )],
        false,
    ) else {
        return;
    };
    let ctx = Ctx::new();
    ctx.add_plugin("awsprocesscreds_plugin_ecp");
    let sso = idp.sso_url();
    let mut cmd = ctx.plugin_login(&login_args("ecp", &sso, "alice", ROLE));
    cmd.env("AWSPROCESSCREDS_PASSWORD", PASSWORD);
    let out = run(cmd);
    out.fails(1, "not an ECP endpoint");
    assert!(
        out.stderr.contains("redirected (HTTP 303)"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(
            "no PAOS AssertionConsumerService \"https://signin.aws.amazon.com/saml\" for \"urn:amazon:webservices\""
        ),
        "names what was asked for: {}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("AuthState"),
        "state tokens stay out of messages: {}",
        out.stderr
    );
}

/// An IdP set up by someone else (ecp_support::Variant::Other): explicit
/// entity id, response and assertion signed, the SP's consumers as AWS
/// publishes them with PAOS last, Role values written `provider,role`,
/// attributes in another order. The login, the roles and both signatures
/// must come through; a consumer the IdP has only for HTTP-POST (the
/// regional sign-in host) or not at all (GovCloud) is named in the error.
#[test]
fn an_idp_configured_differently_still_logs_in_and_names_a_missing_paos_consumer() {
    let Some(idp) = SimpleSamlPhp::start_variant(
        &[User::new(
            "bob",
            PASSWORD,
            &[
                &format!("{PROVIDER},{ROLE}"),
                "arn:aws:iam::210987654321:saml-provider/Other,arn:aws:iam::210987654321:role/Other",
            ],
        )],
        ecp_support::Variant::Other,
    ) else {
        return;
    };
    let ctx = Ctx::new();
    ctx.add_plugin("awsprocesscreds_plugin_ecp");
    let sso = idp.sso_url();
    let saml = |extra: &[&str]| {
        let mut cmd = ctx.plugin_login(&login_args("ecp", &sso, "bob", ROLE));
        cmd.args(["--no-idp-session", "--no-cache"])
            .args(extra)
            .env("AWSPROCESSCREDS_PASSWORD", PASSWORD);
        cmd
    };
    let out = run(saml(&[]));
    assert_eq!(
        out.code,
        0,
        "stderr:\n{}\nIdP log:\n{}",
        out.stderr,
        idp.log()
    );
    assert_credentials(&out.json());
    let assertion = {
        use base64::Engine as _;
        let state = ctx.sts_state.lock().unwrap();
        let a = state.assertions.last().expect("STS got the assertion");
        String::from_utf8(base64::engine::general_purpose::STANDARD.decode(a).unwrap()).unwrap()
    };
    assert_eq!(
        idp.verify_signatures(&assertion),
        Ok(2),
        "response and assertion signatures survive the SOAP unwrapping"
    );

    for (extra, acs) in [
        (
            &[
                "--plugin-option",
                "acs-url=https://us-east-1.signin.aws.amazon.com/saml",
            ][..],
            "https://us-east-1.signin.aws.amazon.com/saml",
        ),
        (
            &["--region", "us-gov-west-1"][..],
            "https://signin.amazonaws-us-gov.com/saml",
        ),
    ] {
        let out = run(saml(extra));
        out.fails(1, &format!("no PAOS AssertionConsumerService \"{acs}\""));
        assert_eq!(out.stderr.trim().lines().count(), 2, "{}", out.stderr);
        assert!(!out.stderr.contains("AuthState"), "{}", out.stderr);
    }
}

/// A Keycloak that answers ECP with its HTML error page for a disabled
/// account (its accountDisabledMessage), from the sandbox's fake: named as
/// a disabled account, not as a wrong endpoint.
#[test]
fn a_disabled_account_on_an_html_answer_is_named() {
    let ctx = Ctx::new();
    ctx.add_plugin("awsprocesscreds_plugin_ecp");
    let (server, _state) = sandbox::ecp::start(sandbox::ecp::EcpConfig {
        answer: sandbox::ecp::Answer::KeycloakError(
            "Account is disabled, contact your administrator.".into(),
        ),
        ..Default::default()
    });
    let endpoint = sandbox::ecp::endpoint_url(&server);
    let mut cmd = ctx.plugin_login(&login_args(
        "ecp",
        &endpoint,
        "jdoe",
        "arn:aws:iam::123456789012:role/ECP-Dev",
    ));
    cmd.env("AWSPROCESSCREDS_PASSWORD", "hunter2");
    let out = run(cmd);
    out.fails(1, "the account is locked or disabled");
    assert!(out.stderr.contains("Account is disabled"), "{}", out.stderr);
    assert!(
        !out.stderr.contains("not an ECP endpoint"),
        "{}",
        out.stderr
    );
}
