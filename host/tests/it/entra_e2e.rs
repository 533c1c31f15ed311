//! End to end: the real `awsprocesscreds-saml` binary with the `entra`
//! plugin against the sandbox's fake Entra ID (HTTPS, private CA) and
//! fake STS: My Apps links, SP-initiated sign-in, prompts on a
//! pseudo-terminal, session reuse across processes, one-line errors, and
//! `-v` output free of secrets. Also `-p forms` and `-p adfs` given an
//! Entra page: the error names Entra.

use crate::common;

use std::path::PathBuf;
#[cfg(unix)]
use std::time::Duration;

#[cfg(unix)]
use common::pty::{assert_not_echoed, PtySession};
use common::{assert_credentials, run, Ctx};
use sandbox::entra::{self, At, Entra, EntraConfig, Fault, Mfa, PushOutcome, ServiceError};
use sandbox::pki::TestPki;
use sandbox::saml::Role;
use sandbox::Server;

const ROLE: &str = "arn:aws:iam::123456789012:role/Entra-Dev";
const USER: &str = "monty@contoso.example";
const PASSWORD: &str = "hunter2";

struct World {
    ctx: Ctx,
    server: Server,
    entra: Entra,
    ca: PathBuf,
}

fn world(config: EntraConfig) -> World {
    let ctx = Ctx::new();
    ctx.add_plugin("awsprocesscreds_plugin_entra");
    ctx.add_plugin("awsprocesscreds_plugin_forms");
    ctx.add_plugin("awsprocesscreds_plugin_adfs");
    let pki = TestPki::localhost();
    let ca = pki.write_ca(ctx.tmp.path()).unwrap();
    let (server, entra) = entra::start(config, &pki);
    World {
        ctx,
        server,
        entra,
        ca,
    }
}

impl World {
    /// `awsprocesscreds-saml -p entra -e <My Apps link> -u USER -a ROLE` + `extra`.
    fn saml(&self, extra: &[&str]) -> std::process::Command {
        self.saml_with(
            "entra",
            &entra::myapps_url(&self.server, &self.entra),
            extra,
        )
    }

    fn saml_with(&self, provider: &str, endpoint: &str, extra: &[&str]) -> std::process::Command {
        let mut cmd = self.ctx.command("awsprocesscreds-saml");
        cmd.args(["-p", provider, "-e", endpoint, "-u", USER])
            .arg("--ca-bundle")
            .arg(&self.ca)
            .arg("--plugin-dir")
            .arg(&self.ctx.plugin_dir)
            .args(extra);
        if !extra.contains(&"-a") {
            cmd.args(["-a", ROLE]);
        }
        cmd
    }

    /// SP-initiated: `-p entra -u USER -a ROLE` with the tenant and app id
    /// as plugin options, no `-e` (the login host is the fake's).
    fn sp_initiated(&self, tenant: &str, app_id_uri: &str) -> std::process::Command {
        let mut cmd = self.ctx.command("awsprocesscreds-saml");
        cmd.args(["-p", "entra", "-u", USER, "-a", ROLE])
            .arg("--ca-bundle")
            .arg(&self.ca)
            .arg("--plugin-dir")
            .arg(&self.ctx.plugin_dir)
            .args(["--plugin-option", &format!("tenant={tenant}")])
            .args(["--plugin-option", &format!("app-id-uri={app_id_uri}")])
            .args([
                "--plugin-option",
                &format!("login-host={}", entra::login_host(&self.server)),
            ]);
        cmd
    }

    fn with_password(&self, extra: &[&str]) -> std::process::Command {
        let mut cmd = self.saml(extra);
        cmd.env("AWSPROCESSCREDS_PASSWORD", PASSWORD);
        cmd
    }
}

fn push(entropy: u32) -> Option<Mfa> {
    Some(Mfa::Push {
        polls: 1,
        entropy,
        outcome: PushOutcome::Approve,
    })
}

#[test]
fn my_apps_profile_prints_credentials_and_caches_them() {
    let w = world(EntraConfig::default());
    let out = run(w.with_password(&[]));
    out.ok();
    assert_credentials(&out.json());
    assert_eq!(w.ctx.sts_calls(), 1);
    run(w.saml(&[])).ok();
    assert_eq!(w.entra.lock().unwrap().password_posts, 1);
    assert_eq!(w.ctx.sts_calls(), 1, "second run is a cache hit");
}

#[test]
fn another_role_reuses_the_entra_session_without_prompts() {
    let w = world(EntraConfig {
        roles: vec![
            Role::new("123456789012", "Entra-Dev", "EntraID"),
            Role::new("123456789012", "Entra-Admin", "EntraID"),
        ],
        mfa: push(0),
        ..Default::default()
    });
    run(w.with_password(&[])).ok();
    // No password source, no terminal: only the kept Entra session works.
    let out = run(w.saml(&["-a", "arn:aws:iam::123456789012:role/Entra-Admin"]));
    out.ok();
    assert_credentials(&out.json());
    // --no-cache skips the credential cache only: the Entra session still
    // spares the password and the MFA (a fresh assertion, a new STS call).
    let out = run(w.saml(&["--no-cache"]));
    out.ok();
    assert_credentials(&out.json());
    let st = w.entra.lock().unwrap();
    assert_eq!(st.password_posts, 1);
    assert_eq!(st.begin_auth_calls, 1, "no second MFA");
    // The first run's SAML leg already rides on the session the My Apps
    // sign-in created; the later runs are all session.
    assert_eq!(st.sso_logins, 3);
    assert_eq!(w.ctx.sts_calls(), 3);
}

#[cfg(unix)]
#[test]
fn password_typed_and_push_number_shown_once_on_the_terminal() {
    let w = world(EntraConfig {
        mfa: push(73),
        ..Default::default()
    });
    let s = PtySession::spawn_answering(w.saml(&[]), "password", PASSWORD);
    s.expect("73", Duration::from_secs(30));
    let (out, screen) = s.finish(Duration::from_secs(30));
    out.ok();
    assert_credentials(&out.json());
    assert_not_echoed(&screen, PASSWORD);
    assert_eq!(screen.matches("number 73").count(), 1, "{screen}");
    assert!(!out.stderr.contains("73"), "number went to stderr only");
    assert_eq!(w.entra.lock().unwrap().begin_auth_calls, 1);
}

#[cfg(unix)]
#[test]
fn app_code_typed_on_the_terminal_with_mfa_factor() {
    let w = world(EntraConfig {
        mfa: push(0),
        other_methods: vec!["PhoneAppOTP".into()],
        ..Default::default()
    });
    let mut s =
        PtySession::spawn_answering(w.saml(&["--mfa-factor", "totp"]), "password", PASSWORD);
    s.expect("code", Duration::from_secs(30));
    s.send_line("246810");
    let (out, _) = s.finish(Duration::from_secs(30));
    out.ok();
    assert_eq!(
        w.entra.lock().unwrap().last_method.as_deref(),
        Some("PhoneAppOTP")
    );
}

#[test]
fn sp_initiated_without_a_copied_url() {
    let w = world(EntraConfig::default());
    let (tenant, app) = {
        let st = w.entra.lock().unwrap();
        (st.config.tenant.clone(), st.config.app_id_uri.clone())
    };
    let mut cmd = w.sp_initiated(&tenant, &app);
    cmd.env("AWSPROCESSCREDS_PASSWORD", PASSWORD);
    let out = run(cmd);
    out.ok();
    assert_credentials(&out.json());
    assert!(w.entra.lock().unwrap().last_authn_request.is_some());
}

#[test]
fn wrong_password_is_one_line_from_the_error_code() {
    let w = world(EntraConfig::default());
    let mut cmd = w.saml(&[]);
    cmd.env("AWSPROCESSCREDS_PASSWORD", "not-the-password");
    let out = run(cmd);
    out.fails(1, "AADSTS50126");
    assert!(!out.stderr.contains("not-the-password"), "{}", out.stderr);
    let errors = out.stderr.lines().filter(|l| l.contains("error:")).count();
    assert_eq!(errors, 1, "{}", out.stderr);
    assert!(out.stderr.contains("hint:"), "{}", out.stderr);
    assert_eq!(w.ctx.sts_calls(), 0);
}

/// Entra's `ConvergedError` pages (`iErrorCode` and
/// `strServiceExceptionMessage`, no `sErrorCode`) after the password, after
/// MFA and at the SAML step name the cause, with Entra's words and the
/// trace id, never "a page this client does not handle".
#[test]
fn converged_error_pages_read_as_their_cause() {
    let otp = || {
        Some(Mfa::Otp {
            code: "123456".into(),
        })
    };
    let cases = [
        (
            ServiceError::conditional_access(At::Password),
            None,
            "Entra ID: blocked by Conditional Access (AADSTS53003): Access has been blocked by Conditional Access policies. The access policy does not allow token issuance. (trace id ",
            "ask your administrator",
        ),
        (
            ServiceError::device_not_compliant(At::Mfa),
            otp(),
            "Entra ID: Conditional Access requires a compliant, managed device (AADSTS53000)",
            "device your organisation manages",
        ),
        (
            ServiceError::not_domain_joined(At::Saml),
            None,
            "Entra ID: Conditional Access requires a domain-joined device (AADSTS53001)",
            "domain-joined device",
        ),
        (
            ServiceError::not_assigned(At::Saml),
            None,
            "Entra ID: you are not assigned to this application (AADSTS50105) (trace id ",
            "assign you",
        ),
        (
            ServiceError::disabled(At::Password),
            None,
            "Entra ID: the account is disabled (AADSTS50057) (trace id ",
            "enable it",
        ),
        (
            ServiceError::new(
                At::Mfa,
                135011,
                "Device used during the authentication is disabled.",
            ),
            otp(),
            "Entra ID refused the sign-in (AADSTS135011): Device used during the authentication is disabled. (trace id ",
            "error?code=135011",
        ),
    ];
    for (refusal, mfa, error_start, hint_part) in cases {
        let w = world(EntraConfig {
            fault: Some(Fault::Service(refusal.clone())),
            mfa,
            ..Default::default()
        });
        let mut cmd = w.with_password(&[]);
        cmd.env("AWSPROCESSCREDS_MFA_CODE_COMMAND", "echo 123456");
        let out = run(cmd);
        let (error, hint) = out.error_and_hint();
        assert!(error.starts_with(error_start), "{refusal:?}:\n{error}");
        assert!(hint.contains(hint_part), "{refusal:?}:\n{hint}");
        assert!(!out.stderr.contains(PASSWORD));
        assert_eq!(w.ctx.sts_calls(), 0);
    }
}

/// A refusal that comes after a kept session: the administrator removed
/// the assignment after the first sign-in; the next run (no password, no
/// terminal) reads "not assigned", not a protocol error.
#[test]
fn a_refusal_on_the_kept_session_path_is_named_too() {
    let w = world(EntraConfig::default());
    run(w.with_password(&[])).ok();
    w.entra.lock().unwrap().config.fault =
        Some(Fault::Service(ServiceError::not_assigned(At::Saml)));
    let out = run(w.saml(&["--no-cache"]));
    let (error, _) = out.error_and_hint();
    assert!(
        error.starts_with("Entra ID: you are not assigned to this application (AADSTS50105)"),
        "{error}"
    );
    assert_eq!(w.entra.lock().unwrap().password_posts, 1);
}

#[test]
fn verbose_trace_is_free_of_the_password_and_cookies() {
    let w = world(EntraConfig {
        mfa: push(5),
        ..Default::default()
    });
    let out = run(w.with_password(&["-v", "-v"]));
    out.ok();
    assert!(out.stderr.contains("ConvergedSignIn"), "{}", out.stderr);
    assert!(!out.stderr.contains(PASSWORD), "{}", out.stderr);
    assert!(!out.stderr.contains("SAMLRequest="), "{}", out.stderr);
    let st = w.entra.lock().unwrap();
    assert!(!st.sessions.is_empty());
    for sid in &st.sessions {
        assert!(
            !out.stderr.contains(sid.as_str()),
            "session cookie leaked:\n{}",
            out.stderr
        );
    }
}

#[test]
fn forms_and_adfs_name_entra_on_an_entra_page() {
    let w = world(EntraConfig::default());
    let link = entra::myapps_url(&w.server, &w.entra);
    for provider in ["forms", "adfs"] {
        let mut cmd = w.saml_with(provider, &link, &[]);
        cmd.env("AWSPROCESSCREDS_PASSWORD", PASSWORD);
        let out = run(cmd);
        out.fails(1, "this is Microsoft Entra ID: use -p entra");
    }
    assert_eq!(w.entra.lock().unwrap().password_posts, 0);
}

/// More Entra answers through the binary: "More
/// information required" with and without its skip link, a guest account
/// not in the tenant, a flow token that expired during MFA, a Conditional
/// Access page localized to German.
#[test]
fn more_entra_answers_read_as_their_cause() {
    let w = world(EntraConfig {
        fault: Some(Fault::ProofUp { skippable: true }),
        ..Default::default()
    });
    let out = run(w.with_password(&[]));
    out.ok();
    assert_credentials(&out.json());
    assert_eq!(w.entra.lock().unwrap().proof_up_skips, 1);

    let otp = Some(Mfa::Otp {
        code: "123456".into(),
    });
    let cases = [
        (
            Fault::ProofUp { skippable: false },
            None,
            "Entra ID wants you to register a second factor before signing in",
            "aka.ms/mfasetup",
        ),
        (
            Fault::Service(ServiceError::guest_not_in_tenant(At::Password)),
            None,
            "Entra ID: the account is not a member of this tenant (AADSTS90072)",
            "invited",
        ),
        (
            Fault::Service(ServiceError::flow_token_expired(At::Mfa)),
            otp.clone(),
            "Entra ID: the sign-in took too long and its flow token expired (AADSTS50089)",
            "run again",
        ),
        (
            Fault::Service(ServiceError::conditional_access_german(At::Password)),
            None,
            "Entra ID: blocked by Conditional Access (AADSTS53003): Der Zugriff wurde",
            "Conditional Access",
        ),
    ];
    for (fault, mfa, error_start, hint_part) in cases {
        let w = world(EntraConfig {
            fault: Some(fault.clone()),
            mfa,
            ..Default::default()
        });
        let mut cmd = w.with_password(&[]);
        cmd.env("AWSPROCESSCREDS_MFA_CODE_COMMAND", "echo 123456");
        let (error, hint) = run(cmd).error_and_hint();
        assert!(error.starts_with(error_start), "{fault:?}:\n{error}");
        assert!(hint.contains(hint_part), "{fault:?}:\n{hint}");
        assert_eq!(w.ctx.sts_calls(), 0);
    }
}

/// SP-initiated sign-in with an app id the tenant does
/// not have: Entra's AADSTS700016 page, named as a configuration mistake
/// before any password is asked for.
#[test]
fn an_app_the_tenant_does_not_have_reads_as_a_config_mistake() {
    let w = world(EntraConfig::default());
    let tenant = w.entra.lock().unwrap().config.tenant.clone();
    let (error, hint) =
        run(w.sp_initiated(&tenant, "urn:amazon:webservices:typo")).error_and_hint();
    assert!(
        error.starts_with("Entra ID does not accept this sign-in request (AADSTS700016): Application with identifier 'urn:amazon:webservices:typo' was not found"),
        "{error}"
    );
    assert!(hint.contains("app-id-uri"), "{hint}");
    assert_eq!(w.entra.lock().unwrap().password_posts, 0);
}
