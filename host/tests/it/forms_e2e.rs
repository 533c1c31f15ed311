//! End to end: the real `awsprocesscreds-saml` binary with the `forms`
//! plugin against the sandbox's fake forms IdPs and fake STS, run without
//! a terminal.

use crate::common;

use common::{assert_credentials, login_args, run, Ctx};
use sandbox::forms::{self, Flavor, FormsConfig, FormsIdp};
use sandbox::Server;

const ROLE: &str = "arn:aws:iam::123456789012:role/ADFS-Dev";
const PASSWORD: &str = "hunter2";

struct World {
    ctx: Ctx,
    server: Server,
    idp: FormsIdp,
}

fn world(config: FormsConfig) -> World {
    let ctx = Ctx::new();
    ctx.add_plugin("awsprocesscreds_plugin_forms");
    let (server, idp) = forms::start(config);
    World { ctx, server, idp }
}

impl World {
    fn saml_at(&self, endpoint: &str, password: &str, extra: &[&str]) -> std::process::Command {
        let mut cmd = self
            .ctx
            .plugin_login(&login_args("forms", endpoint, "Monty", ROLE));
        cmd.args(extra).env("AWSPROCESSCREDS_PASSWORD", password);
        cmd
    }

    fn saml(&self, password: &str, extra: &[&str]) -> std::process::Command {
        self.saml_at(&forms::entry_url(&self.server, &self.idp), password, extra)
    }
}

#[test]
fn each_flavor_prints_credentials() {
    for config in [
        FormsConfig::flavor(Flavor::SimpleSamlPhp),
        FormsConfig::flavor(Flavor::Keycloak),
        FormsConfig {
            continue_page: true,
            sp_hop: true,
            ..FormsConfig::flavor(Flavor::TwoStep)
        },
    ] {
        let w = world(config.clone());
        let out = run(w.saml(PASSWORD, &[]));
        out.ok();
        assert_credentials(&out.json());
        assert_eq!(w.ctx.sts_calls(), 1, "{config:?}");
    }
}

#[test]
fn wrong_password_shows_the_idp_text() {
    let w = world(FormsConfig::flavor(Flavor::Keycloak));
    let out = run(w.saml("not-the-password", &[]));
    assert_ne!(out.code, 0);
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr.contains("Invalid username or password."),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("not-the-password"));
}

#[test]
fn plugin_options_name_the_form_and_fields() {
    let w = world(FormsConfig::flavor(Flavor::Obscure));
    let out = run(w.saml(
        PASSWORD,
        &[
            "--plugin-option",
            "form=#main",
            "--plugin-option",
            "username-field=f_ident",
            "--plugin-option",
            "password-field=f_secret",
        ],
    ));
    out.ok();
    assert_credentials(&out.json());
}

#[test]
fn undeclared_plugin_option_is_refused() {
    let w = world(FormsConfig::default());
    let out = run(w.saml(PASSWORD, &["--plugin-option", "colour=blue"]));
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("colour"), "{}", out.stderr);
    assert_eq!(w.idp.lock().unwrap().entry_visits, 0);
}

#[test]
fn page_without_a_form_is_named() {
    let w = world(FormsConfig::default());
    let out = run(w.saml_at(&w.server.url(forms::NO_FORM_PATH), PASSWORD, &[]));
    assert_ne!(out.code, 0);
    assert!(
        out.stderr.contains("Scheduled maintenance"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("127.0.0.1"), "{}", out.stderr);
}

#[test]
fn verbose_trace_has_no_secrets() {
    let w = world(FormsConfig::flavor(Flavor::SimpleSamlPhp));
    let out = run(w.saml(PASSWORD, &["-v", "-v"]));
    out.ok();
    assert!(out.stderr.contains("login form found"), "{}", out.stderr);
    assert!(!out.stderr.contains(PASSWORD));
    assert!(!out.stderr.contains("AuthState="), "{}", out.stderr);
}

#[test]
fn one_time_code_from_a_code_command() {
    let w = world(FormsConfig {
        otp: Some("135790".into()),
        ..FormsConfig::flavor(Flavor::Keycloak)
    });
    let out = run(w.saml(PASSWORD, &["--mfa-code-command", "echo 135790"]));
    out.ok();
    assert_credentials(&out.json());
    assert_eq!(w.idp.lock().unwrap().otp_posts, 1);
    assert!(!out.stderr.contains("135790"), "{}", out.stderr);
}

#[test]
fn shibboleth_consent_is_accepted_only_when_asked_to() {
    let w = world(FormsConfig {
        attribute_release: true,
        ..FormsConfig::flavor(Flavor::TwoStep)
    });
    let out = run(w.saml(PASSWORD, &[]));
    out.fails(
        1,
        "consent to release your information to Amazon Web Services",
    );
    assert!(out.stderr.contains("accept-consent=true"), "{}", out.stderr);
    assert!(w.idp.lock().unwrap().consent_answers.is_empty());
    let out = run(w.saml(PASSWORD, &["--plugin-option", "accept-consent=true"]));
    out.ok();
    assert_credentials(&out.json());
    assert_eq!(w.idp.lock().unwrap().consent_answers, ["_eventId_proceed"]);
}

#[test]
fn locked_account_in_german_is_named() {
    let w = world(FormsConfig {
        refusal: Some("Ihr Benutzerkonto ist gesperrt.".into()),
        ..FormsConfig::flavor(Flavor::TwoStep)
    });
    let out = run(w.saml(PASSWORD, &[]));
    out.fails(1, "the account is locked or disabled");
    assert!(
        out.stderr.contains("Ihr Benutzerkonto ist gesperrt."),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains(PASSWORD));
}
