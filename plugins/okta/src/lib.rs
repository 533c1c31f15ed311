//! `okta`: the first-party Okta plugin of awsprocesscreds.
//!
//! Signs in to an Okta org and returns the SAML assertion the AWS app page
//! posts. Classic Engine orgs use the authn API (`authn`, `verify`:
//! Okta Verify push with number matching, TOTP, SMS, voice call, email,
//! YubiKey OTP, RSA/Symantec tokens, app-level step-up); Identity Engine
//! orgs use the IDX remediations the sign-in widget follows (`idx`), or the
//! device authorization flow when a policy needs a browser (`device`). The
//! engine is asked of the org (`org`), and IdP sessions are kept for reuse
//! across roles and refreshes (`session`). Drop-in for the
//! Python original's profiles:
//!
//! ```ini
//! credential_process = awsprocesscreds-saml -e https://example.okta.com/home/amazon_aws/blob/123 -u 'monty@example.com' -p okta -a arn:aws:iam::123456789012:role/okta-dev
//! ```
//!
//! See `README.md` for `--mfa-factor` names and the no-terminal rules.

mod api;
mod app;
mod authn;
mod browser_only;
mod device;
mod errors;
mod factors;
mod idx;
mod org;
mod session;
mod verify;

use plugin_api::{
    declare_plugin, ErrorKind, Host, Inputs, LoginOutcome, LoginRequest, Manifest, Need,
    OptionSpec, Plugin, PluginError, PluginKind, Secret, PROTOCOL_VERSION,
};
use url::Url;

use crate::app::AppPage;
use crate::org::Org;

/// How often one app visit may ask for step-up MFA before we give up.
const MAX_STEP_UPS: usize = 2;

/// What every step of one login needs.
pub(crate) struct Ctx<'a> {
    pub host: &'a Host,
    pub req: &'a LoginRequest,
    pub org: &'a Org,
    pub username: &'a str,
    /// The password once asked for: one login never prompts twice (an IDX
    /// attempt falling back to the classic API, step-up asking again).
    pub password: std::cell::OnceCell<Secret<String>>,
}

impl Ctx<'_> {
    /// The IdP password from the host's sources, asked for at most once.
    pub fn password(&self) -> Result<Secret<String>, PluginError> {
        if let Some(p) = self.password.get() {
            return Ok(p.clone());
        }
        let p = self.host.password(&plugin_kit::prompt::password(
            "Okta",
            self.username,
            &self.org.host(),
        ))?;
        let _ = self.password.set(p.clone());
        Ok(p)
    }
}

/// The Okta plugin.
#[derive(Default)]
pub struct OktaPlugin;

impl Plugin for OktaPlugin {
    fn manifest(&self) -> Manifest {
        Manifest::new("okta", env!("CARGO_PKG_VERSION"), PluginKind::SamlIdp)
            .protocols(vec![PROTOCOL_VERSION])
            .description(
                "Okta Classic (authn API) and Identity Engine (IDX, device authorization): MFA push/TOTP/SMS/call/email, step-up, session reuse",
            )
            .inputs(
                Inputs::new()
                    .endpoint(Need::Required)
                    .username(Need::Required)
                    .role(Need::Optional),
            )
            .option(
                OptionSpec::new(
                    "flow",
                    "auto (default: ask the org which engine it runs), classic, idx or device",
                )
                .affects_credentials(false),
            )
            .option(
                OptionSpec::new(
                    "client-id",
                    "OIDC native app id for the device authorization flow (selects it)",
                )
                .affects_credentials(false),
            )
            .option(
                OptionSpec::new(
                    "open-browser",
                    "device flow: also open the verification URL in a browser (true/false)",
                )
                .affects_credentials(false),
            )
    }

    fn login(&self, request: &LoginRequest, host: &Host) -> Result<LoginOutcome, PluginError> {
        let endpoint = request.endpoint.as_deref().ok_or_else(|| {
            PluginError::config("the okta provider needs -e with the AWS app's embed link")
        })?;
        let username = request
            .username
            .as_deref()
            .filter(|u| !u.trim().is_empty())
            .ok_or_else(|| {
                PluginError::config("the okta provider needs -u with your Okta username")
            })?;
        let (org, link) = Org::from_endpoint(endpoint)?;
        let ctx = Ctx {
            host,
            req: request,
            org: &org,
            username,
            password: std::cell::OnceCell::new(),
        };
        host.debug(&format!(
            "Okta org {}, app link {}",
            org.base(),
            api::path_of(link.as_str())
        ));
        let flow = Flow::of(request)?;
        host.debug(&format!("Okta flow: {flow:?}"));
        let assertion = match flow {
            Flow::Classic => login(&ctx, &link)?,
            Flow::Idx => match idx::login(&ctx, link.as_str())? {
                idx::Outcome::Assertion(a) => a,
                idx::Outcome::NoIdx(e) => return Err(e),
            },
            Flow::Device {
                client_id,
                open_browser,
            } => device::login(&ctx, &link, &client_id, open_browser)?,
            Flow::Auto => {
                if session::stored(host).is_some() {
                    login(&ctx, &link)?
                } else {
                    let remembered = org::remembered_engine(&ctx);
                    // `None`: the org does not say which engine it runs
                    // (no `/.well-known/okta-organization`): try IDX
                    // first, as the app link shows whether it starts an
                    // IDX transaction, and fall back to the classic API
                    // while nothing was asked of the user.
                    let known = match remembered {
                        Some(r) => Some(r),
                        None if session::has_cookies(host) => Some(true),
                        None => org::engine(&ctx),
                    };
                    let (assertion, oie) = if known != Some(false) {
                        match idx::login(&ctx, link.as_str()) {
                            Ok(idx::Outcome::Assertion(a)) => (a, true),
                            // OIE org whose app still answers like Classic:
                            // the authn API (with step-up through IDX) may work.
                            Ok(idx::Outcome::NoIdx(e)) => {
                                host.debug(&format!(
                                    "no Identity Engine transaction ({}); trying the classic API",
                                    e.message
                                ));
                                (login(&ctx, &link)?, false)
                            }
                            Err(e)
                                if known.is_none()
                                    && ctx.password.get().is_none()
                                    && e.kind == ErrorKind::Protocol =>
                            {
                                host.debug(&format!(
                                    "the app link led to no Identity Engine sign-in ({}); trying the classic API",
                                    e.message
                                ));
                                (login(&ctx, &link)?, false)
                            }
                            Err(e) => return Err(e),
                        }
                    } else {
                        (login(&ctx, &link)?, false)
                    };
                    if remembered.is_none() {
                        // The org's engine (as it says, else as it
                        // behaved), which step-up also goes by.
                        org::remember_engine(&ctx, known.unwrap_or(oie));
                    }
                    assertion
                }
            }
        };
        Ok(LoginOutcome::Saml { assertion })
    }
}

declare_plugin!(OktaPlugin);

/// Which sign-in flow to use (`--plugin-option flow=...`, `client-id=...`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Flow {
    Auto,
    Classic,
    Idx,
    Device {
        client_id: String,
        open_browser: bool,
    },
}

impl Flow {
    fn of(req: &LoginRequest) -> Result<Flow, PluginError> {
        let opt = |k: &str| plugin_kit::request::option(req, k);
        let client_id = opt("client-id");
        let open_browser = plugin_kit::request::flag(req, "open-browser", false)?;
        let flow = opt("flow")
            .unwrap_or_else(|| "auto".into())
            .to_ascii_lowercase();
        match (flow.as_str(), client_id) {
            ("auto" | "device", Some(client_id)) => Ok(Flow::Device {
                client_id,
                open_browser,
            }),
            ("device", None) => Err(PluginError::config(
                "--plugin-option flow=device needs --plugin-option client-id=<OIDC native app id>",
            )
            .with_hint("ask your Okta administrator for the Client ID of a native app with the Device Authorization grant")),
            ("auto", None) => Ok(Flow::Auto),
            ("classic", _) => Ok(Flow::Classic),
            ("idx", _) => Ok(Flow::Idx),
            (other, _) => Err(PluginError::config(format!(
                "--plugin-option flow={other} is not a flow the okta provider knows"
            ))
            .with_hint("use flow=auto, classic, idx or device")),
        }
    }
}

/// The whole flow: stored session first, then a full sign-in.
fn login(ctx: &Ctx, link: &Url) -> Result<Secret<String>, PluginError> {
    if let Some(sid) = session::stored(ctx.host) {
        ctx.host.debug("trying the stored Okta session");
        match open_app(ctx, link, Access::Session(sid.clone()))? {
            Some(assertion) => {
                session::refresh(ctx, &sid);
                return Ok(assertion);
            }
            None => {
                ctx.host
                    .debug("the stored Okta session has expired or was revoked; signing in again");
                session::forget(ctx.host);
            }
        }
    }
    let done = authn::sign_in(ctx)?;
    let access = match session::create(ctx, &done.session_token)? {
        Some(sid) => Access::Session(sid),
        None => Access::Token(done.session_token),
    };
    open_app(ctx, link, access)?.ok_or_else(|| {
        app::no_assertion("Okta's sign-in page: Okta did not accept the new session")
    })
}

/// How the app link is opened.
enum Access {
    /// With the `sid` cookie of a session.
    Session(Secret<String>),
    /// With a one-time `sessionToken` query parameter.
    Token(Secret<String>),
}

/// Open the app link, doing step-up MFA when the app asks. `None` when
/// Okta shows its sign-in page (no valid session).
fn open_app(ctx: &Ctx, link: &Url, access: Access) -> Result<Option<Secret<String>>, PluginError> {
    let (url, sid) = match access {
        Access::Session(sid) => (link.to_string(), Some(sid)),
        Access::Token(token) => (org::with_session_token(link, token.expose()), None),
    };
    ctx.host
        .debug(&format!("opening the AWS app {}", api::path_of(&url)));
    let mut resp = ctx.host.http(session::get(&url, sid.as_ref()))?;
    let mut step_ups = 0;
    loop {
        match app::classify(&resp) {
            AppPage::Saml(assertion) => {
                ctx.host.add_secret(assertion.expose());
                ctx.host.debug("the AWS app page holds a SAML assertion");
                return Ok(Some(assertion));
            }
            AppPage::SignIn => return Ok(None),
            AppPage::Other(what) => return Err(app::no_assertion(&what)),
            AppPage::StepUp { state_token } => {
                if step_ups >= MAX_STEP_UPS {
                    return Err(PluginError::protocol(
                        "the AWS app keeps asking for extra verification after it succeeded",
                    )
                    .with_hint("sign in to the app once in a browser; the app's sign-on policy may need a factor this plugin cannot use"));
                }
                step_ups += 1;
                ctx.host
                    .debug("the AWS app asks for extra verification (step-up MFA)");
                if org::remembered_engine(ctx).unwrap_or_else(|| org::is_identity_engine(ctx)) {
                    // OIE answers step-up with its sign-in page: continue
                    // through IDX in the same cookie jar.
                    let next = idx::sign_in(ctx, &state_token)?;
                    ctx.host.debug(&format!("back to {}", api::path_of(&next)));
                    resp = ctx.host.http(session::get(&next, sid.as_ref()))?;
                    if let AppPage::Saml(_) = app::classify(&resp) {
                        session::keep_cookies(ctx.host);
                    }
                    continue;
                }
                let done = authn::resume(ctx, &state_token)?;
                let next = match done.next {
                    Some(href) => href,
                    None => org::with_session_token(link, done.session_token.expose()),
                };
                ctx.host.debug(&format!("back to {}", api::path_of(&next)));
                resp = ctx.host.http(session::get(&next, sid.as_ref()))?;
            }
        }
    }
}
