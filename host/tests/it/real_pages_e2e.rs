//! Real captured pages we used to fail, end to end: the real
//! `awsprocesscreds-saml` binary without a terminal against the sandbox's
//! fakes serving the AD FS 2016+ "Authentication Options" page and
//! Keycloak's WebAuthn step (both shaped like the fixtures in
//! examples/sandbox/fixtures/).

use crate::common;

use common::{assert_credentials, run, Ctx};
use sandbox::adfs::{self, AdfsConfig};
use sandbox::forms::{self, Flavor, FormsConfig};

#[test]
fn adfs_authentication_options_page_signs_in_with_forms_once() {
    let ctx = Ctx::new();
    ctx.add_plugin("awsprocesscreds_plugin_adfs");
    let (server, state) = adfs::start(AdfsConfig {
        auth_options: true,
        ..Default::default()
    });
    let mut cmd = ctx.command("awsprocesscreds-saml");
    cmd.args(["-e", &adfs::entry_url(&server), "-u", "Monty", "-p", "adfs"])
        .arg("--plugin-dir")
        .arg(&ctx.plugin_dir)
        .env("AWSPROCESSCREDS_PASSWORD", "hunter2");
    let out = run(cmd);
    out.ok();
    assert_credentials(&out.json());
    let st = state.lock().unwrap();
    assert_eq!(st.primary_choices, ["FormsAuthentication"]);
    assert_eq!(st.password_posts, 1);
}

#[test]
fn keycloak_webauthn_step_is_a_clear_error_without_posting() {
    let ctx = Ctx::new();
    ctx.add_plugin("awsprocesscreds_plugin_forms");
    let (server, state) = forms::start(FormsConfig {
        webauthn: true,
        ..FormsConfig::flavor(Flavor::Keycloak)
    });
    let mut cmd = ctx.command("awsprocesscreds-saml");
    cmd.args([
        "-e",
        &forms::entry_url(&server, &state),
        "-u",
        "Monty",
        "-p",
        "forms",
    ])
    .arg("--plugin-dir")
    .arg(&ctx.plugin_dir)
    .env("AWSPROCESSCREDS_PASSWORD", "hunter2");
    let out = run(cmd);
    out.fails(1, "WebAuthn security key");
    assert_eq!(state.lock().unwrap().webauthn_posts, 0);
}
