//! The sandbox's Okta orgs (Classic and Identity Engine) for the Okta
//! suites: started from a config, with the AWS app's embed link, and a
//! world holding one next to a context with the okta plugin.

use std::process::Command;

use sandbox::okta::{Okta, OktaConfig};
use sandbox::okta_idx::{Idx, IdxConfig};
use sandbox::saml::Role;
use sandbox::Server;

use super::{login_args, Ctx};

/// The username the Okta suites sign in as.
pub const USER: &str = "monty@example.com";

/// The two roles the sandbox's Okta apps offer in the Okta tests
/// (`okta-dev`, `okta-admin`, provider `okta`).
pub fn okta_roles() -> Vec<Role> {
    vec![
        Role::new("123456789012", "okta-dev", "okta"),
        Role::new("123456789012", "okta-admin", "okta"),
    ]
}

/// The sandbox's Okta Classic org for `config`: its server, its state,
/// and the AWS app's embed link (what `-e` takes).
pub fn start_okta(config: OktaConfig) -> (Server, Okta, String) {
    let path = config.app_path();
    let (server, okta) = sandbox::okta::start(config);
    let link = server.url(&path);
    (server, okta, link)
}

/// The sandbox's Okta Identity Engine org for `config`: its server, its
/// state, and the AWS app's embed link.
pub fn start_okta_idx(config: IdxConfig) -> (Server, Idx, String) {
    let path = config.app_path();
    let (server, idx) = sandbox::okta_idx::start(config);
    let link = server.url(&path);
    (server, idx, link)
}

/// A context with the okta plugin, and a running org whose state is `org`.
pub struct OktaWorld<S> {
    pub ctx: Ctx,
    _server: Server,
    pub org: S,
    pub link: String,
}

impl<S> OktaWorld<S> {
    fn new(start: impl FnOnce() -> (Server, S, String)) -> OktaWorld<S> {
        let ctx = Ctx::new();
        ctx.add_plugin("awsprocesscreds_plugin_okta");
        let (server, org, link) = start();
        OktaWorld {
            ctx,
            _server: server,
            org,
            link,
        }
    }

    /// The seed profile's command line against the org: `-p okta -e
    /// <link> -u USER -a <role>` plus `extra`.
    pub fn saml(&self, role: &str, extra: &[&str]) -> Command {
        let mut cmd = self
            .ctx
            .plugin_login(&login_args("okta", &self.link, USER, role));
        cmd.args(extra);
        cmd
    }
}

/// A world around the Okta Classic org `config` describes.
pub fn classic_world(config: OktaConfig) -> OktaWorld<Okta> {
    OktaWorld::new(|| start_okta(config))
}

/// A world around the Okta Identity Engine org `config` describes.
pub fn idx_world(config: IdxConfig) -> OktaWorld<Idx> {
    OktaWorld::new(|| start_okta_idx(config))
}
