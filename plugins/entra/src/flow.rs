//! The sign-in conversation: the kit's page walk (`plugin_kit::walk`)
//! from the entry URL, with each Entra page answered here by its id
//! (`pgid`) the way its JavaScript would, and its script hops followed,
//! until a page posts the SAML response to AWS.
//!
//! Page sequence (as in saml2aws's captured pages): My Apps redirect ->
//! `ConvergedSignIn` -> GetCredentialType (JSON) -> password post to
//! `urlPost` -> `ConvergedTFA` (BeginAuth/EndAuth/ProcessAuth) ->
//! `KmsiInterrupt` -> "Working..." auto-post forms -> SAML response.

use plugin_api::{ErrorKind, Host, LoginOutcome, LoginRequest, PluginError};
use plugin_kit::browser::{redacted, Loaded};
use plugin_kit::html::Page;
use plugin_kit::walk::{Hook, Sends, Tab, Walk};
use serde_json::{json, Value};
use url::Url;

use crate::browser_only::needs_browser;
use crate::config::{page_config, Config};
use crate::errors;
use crate::federated;
use crate::mfa;
use crate::options::Options;
use crate::refusal;
use crate::session;
use crate::state::State;
use crate::web::{self, headers, Web};

/// More pages than any Entra flow needs (My Apps sign-in, its own OIDC
/// hop, MFA, KMSI, SAML, a federated IdP's pages).
const MAX_STEPS: usize = 24;

pub(crate) fn login(request: &LoginRequest, host: &Host) -> Result<LoginOutcome, PluginError> {
    let options = Options::from_request(request)?;
    let username = plugin_kit::request::username(request, "entra").map_err(|e| {
        e.with_hint("Entra ID expects the full sign-in name, e.g. monty@contoso.com")
    })?;
    let start = entry_url(request, &options)?;
    let mut walk = Walk::new(host, "Entra ID", MAX_STEPS);
    if options.reuse_session {
        walk = walk.keep_session(session::SESSION, session::lifetime_secs(options.kmsi));
    }
    let mut state = State {
        request,
        options,
        username,
        web: Web::new(host),
    };
    let result = walk.run(&start, &mut state);
    host.debug(&format!(
        "Entra sign-in made {} request(s)",
        walk.tab().requests() + state.web.calls()
    ));
    result
}

/// `-e` as given, or the SP-initiated `saml2` URL from the options.
fn entry_url(request: &LoginRequest, options: &Options) -> Result<Url, PluginError> {
    let given = request
        .endpoint
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    if given.is_some() {
        return plugin_kit::request::endpoint_url(request, "entra", "");
    }
    match (&options.tenant, &options.app_id_uri) {
        (Some(tenant), Some(app)) => {
            let url = crate::authn::saml2_url(&options.login_host, tenant, app)
                .map_err(|e| PluginError::config(format!("--plugin-option: {e}")))?;
            plugin_kit::browser::require_secure(
                &url,
                "sign in to",
                "login-host must be an https:// host",
            )?;
            Ok(url)
        }
        (None, None) => Err(PluginError::config("the entra provider needs -e/--endpoint, or --plugin-option tenant= and app-id-uri=")
            .with_hint("copy the AWS app's link from https://myapps.microsoft.com (right-click the tile, copy link) into -e")),
        (Some(_), None) => Err(PluginError::config("--plugin-option tenant= needs app-id-uri= too (the Identifier of the AWS app in Entra ID)")
            .with_hint("find it under Enterprise applications > AWS > Single sign-on > Basic SAML Configuration")),
        (None, Some(_)) => Err(PluginError::config("--plugin-option app-id-uri= needs tenant= too (your tenant id or domain)")
            .with_hint("the tenant id is shown on the Entra ID overview page")),
    }
}

/// Entra's pages: those carrying `$Config` by their page id, and script
/// redirects (auto-posting "Working..." pages and meta refreshes are the
/// walk's).
impl Hook for State<'_> {
    fn answer(
        &mut self,
        tab: &mut Tab<'_>,
        loaded: &Loaded,
    ) -> Result<Option<Loaded>, PluginError> {
        let page = &loaded.page;
        if let Some(config) = page_config(page) {
            if let Some(next) = self.answer_config(tab, page, config)? {
                return Ok(Some(next));
            }
        }
        // Before any form: the My Apps redirect page also carries an
        // ASP.NET postback form that must not be submitted.
        if let Some(next) = web::script_redirect(page) {
            tab.once_step(&format!("the script redirect to {}", redacted(&next)))?;
            tab.host().debug(&format!(
                "following the page's script redirect to {}",
                redacted(&next)
            ));
            return tab.open(&next).map(Some);
        }
        Ok(None)
    }

    fn dead_end(&self, _tab: &Tab<'_>, loaded: &Loaded) -> PluginError {
        let page = &loaded.page;
        if let Some(refusal) = page.error_message().as_deref().and_then(refusal::of_text) {
            return errors::from_refusal(&refusal);
        }
        PluginError::protocol(format!(
            "Entra ID answered with {} which is neither a sign-in page nor a SAML response",
            page.describe()
        ))
        .with_hint(
            "check -e (copy the AWS app's link from My Apps); run with -v for the page trace",
        )
    }
}

impl State<'_> {
    /// A page carrying `$Config`: act on its page id (`None` for a page
    /// without one, which is followed like any other).
    fn answer_config(
        &mut self,
        tab: &mut Tab<'_>,
        page: &Page,
        config: Config,
    ) -> Result<Option<Loaded>, PluginError> {
        let host = tab.host();
        host.debug(&format!("Entra page {:?}", config.pgid));
        for c in [
            &config.flow_token,
            &config.canary,
            &config.api_canary,
            &config.ctx,
        ] {
            host.add_secret(c);
        }
        if let Some(refusal) = refusal::of_config(&config) {
            host.debug(&format!(
                "Entra page {:?} carries error code {}",
                config.pgid,
                refusal.code.as_deref().unwrap_or("(none)")
            ));
            return Err(errors::from_refusal(&refusal));
        }
        let next = match config.pgid.as_str() {
            "" => return Ok(None),
            "ConvergedSignIn" => self.sign_in(tab, page, &config),
            "KmsiInterrupt" => self.kmsi(tab, page, &config),
            "ConvergedTFA" => {
                tab.once_step("the ConvergedTFA page")?;
                mfa::answer(self, tab, page, &config)
            }
            "ConvergedProofUpRedirect" | "ConvergedProofUp" => {
                if !config.url_skip_mfa_registration.is_empty() {
                    tab.once_step("the ConvergedProofUpRedirect page")?;
                    host.info("skipping the optional MFA registration prompt");
                    let url = web::resolve(page, &config.url_skip_mfa_registration, "urlSkipMfaRegistration")?;
                    return tab.open(&url).map(Some);
                }
                Err(needs_browser(
                    "Entra ID wants you to register a second factor before signing in (ConvergedProofUpRedirect)",
                    "register Microsoft Authenticator or a phone once in a browser (https://aka.ms/mfasetup)",
                ))
            }
            "ConvergedChangePassword" | "ConvergedChangePasswordInterrupt" => Err(PluginError::access_denied(
                "Entra ID: your password has expired and must be changed (ConvergedChangePassword)",
            )
            .with_hint("sign in once in a browser to change it, then update the stored password")),
            other => Err(unknown_page(page, other, &config)),
        };
        next.map(Some)
    }

    /// `ConvergedSignIn`: ask GetCredentialType, then post the password.
    fn sign_in(
        &mut self,
        tab: &mut Tab<'_>,
        page: &Page,
        config: &Config,
    ) -> Result<Loaded, PluginError> {
        if tab.password_sent() {
            return Err(PluginError::auth(
                "Entra ID showed the sign-in page again: wrong username or password",
            )
            .with_hint("check -u (user@tenant domain) and your password"));
        }
        let mut config = config.clone();
        if !config.url_get_credential_type.is_empty() {
            if let Some(next) = self.credential_type(tab, page, &mut config)? {
                return Ok(next);
            }
        }
        let url = web::resolve(page, &config.url_post, "urlPost")?;
        let host = tab.host();
        let password = host.password(&plugin_kit::prompt::password(
            "Entra ID",
            &self.username,
            url.host_str().unwrap_or("login.microsoftonline.com"),
        ))?;
        host.add_secret(password.expose());
        let mut fields: Vec<(String, String)> = vec![
            ("i13".into(), "0".into()),
            ("login".into(), self.username.clone()),
            ("loginfmt".into(), self.username.clone()),
            ("type".into(), "11".into()),
            ("LoginOptions".into(), "3".into()),
            ("passwd".into(), password.expose().clone()),
            ("ps".into(), "2".into()),
            ("canary".into(), config.canary.clone()),
            ("ctx".into(), config.ctx.clone()),
            ("hpgrequestid".into(), config.session_id.clone()),
            (
                config.flow_token_field().to_string(),
                config.flow_token.clone(),
            ),
            ("NewUser".into(), "1".into()),
            ("fspost".into(), "0".into()),
            ("i21".into(), "0".into()),
            ("CookieDisclosure".into(), "0".into()),
            ("IsFidoSupported".into(), "0".into()),
        ];
        fields.retain(|(k, _)| !k.is_empty());
        tab.post(&url, &fields, Sends::Password)
    }

    /// GetCredentialType: learn whether the user exists, signs in with a
    /// password here, or is federated to another IdP. Returns the next page
    /// when the sign-in continues elsewhere (federation).
    fn credential_type(
        &mut self,
        tab: &mut Tab<'_>,
        page: &Page,
        config: &mut Config,
    ) -> Result<Option<Loaded>, PluginError> {
        let host = tab.host();
        let url = web::resolve(
            page,
            &config.url_get_credential_type,
            "urlGetCredentialType",
        )?;
        let body = json!({
            "username": self.username,
            "isOtherIdpSupported": true,
            "checkPhones": false,
            "isRemoteNGCSupported": false,
            "isCookieBannerShown": false,
            "isFidoSupported": false,
            "originalRequest": config.ctx,
            "country": "",
            "forceotclogin": false,
            "isExternalFederationDisallowed": false,
            "isRemoteConnectSupported": false,
            "federationFlags": 0,
            "isSignup": false,
            "flowToken": config.flow_token,
            "isAccessPassSupported": false,
        });
        // Only an optimisation of the page's script: if the call fails, go
        // on to the password as a browser with the call blocked would.
        let answer = match self.web.post_json(&url, &body, &headers(config, page)) {
            Ok(a) => a,
            Err(e) if e.kind == ErrorKind::Protocol => {
                host.debug(&format!(
                    "GetCredentialType failed ({}); going on with the password",
                    e.message
                ));
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        if let Some(ft) = answer.get("FlowToken").and_then(Value::as_str) {
            if !ft.is_empty() {
                host.add_secret(ft);
                config.flow_token = ft.to_string();
            }
        }
        if let Some(c) = answer.get("apiCanary").and_then(Value::as_str) {
            host.add_secret(c);
        }
        let exists = answer
            .get("IfExistsResult")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        if exists == 1 {
            return Err(PluginError::auth(format!(
                "Entra ID does not know the account {} (GetCredentialType)",
                self.username
            ))
            .with_hint(
                "check -u: Entra ID expects the full sign-in name, e.g. monty@contoso.com",
            ));
        }
        let creds = answer.get("Credentials").cloned().unwrap_or(Value::Null);
        let present = |k: &str| creds.get(k).is_some_and(|v| !v.is_null());
        if let Some(fed) = creds
            .get("FederationRedirectUrl")
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
        {
            let url = web::resolve(page, fed, "FederationRedirectUrl")?;
            host.debug(&format!("the account is federated to {}", redacted(&url)));
            let first = tab.open(&url)?;
            return federated::sign_in(self, tab, first).map(Some);
        }
        let has_password = creds
            .get("HasPassword")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        if !has_password {
            let what = if present("FidoParams") {
                "a FIDO2 security key"
            } else if present("RemoteNgcParams") {
                "passwordless phone sign-in (Microsoft Authenticator)"
            } else if present("CertAuthParams") {
                "certificate-based authentication"
            } else {
                "a method without a password"
            };
            return Err(needs_browser(
                format!(
                    "Entra ID signs {} in with {what}, which this client does not support",
                    self.username
                ),
                "FIDO2, passwordless phone sign-in and certificate auth need a browser; ask for a password + MFA method",
            ));
        }
        Ok(None)
    }

    /// `KmsiInterrupt`: "Stay signed in?" - yes by default.
    fn kmsi(
        &mut self,
        tab: &mut Tab<'_>,
        page: &Page,
        config: &Config,
    ) -> Result<Loaded, PluginError> {
        tab.once_step("the KmsiInterrupt page")?;
        let url = web::resolve(page, &config.url_post, "urlPost")?;
        let yes = self.options.kmsi;
        tab.host().debug(&format!(
            "answering \"Stay signed in?\" with {}",
            if yes { "yes" } else { "no" }
        ));
        let fields: Vec<(String, String)> = vec![
            ("LoginOptions".into(), if yes { "1" } else { "3" }.into()),
            ("type".into(), "28".into()),
            ("ctx".into(), config.ctx.clone()),
            ("hpgrequestid".into(), config.session_id.clone()),
            (
                config.flow_token_field().to_string(),
                config.flow_token.clone(),
            ),
            ("canary".into(), config.canary.clone()),
            ("i19".into(), "1000".into()),
        ];
        tab.post(&url, &fields, Sends::Secrets)
    }
}

/// A `$Config` page this client does not answer.
fn unknown_page(page: &Page, pgid: &str, config: &Config) -> PluginError {
    if let Some(refusal) = refusal::of_unknown_page(config) {
        return errors::from_refusal(&refusal);
    }
    let lower = pgid.to_ascii_lowercase();
    let unsupported = if lower.contains("fido") {
        Some(("FIDO2 security key sign-in", "FIDO2 security keys need a browser; ask for password + Authenticator or another method this client supports"))
    } else if lower.contains("remoteconnect")
        || lower.contains("ngc")
        || lower.contains("passwordless")
    {
        Some(("passwordless phone sign-in", "choose \"use your password instead\" once in a browser, or ask to turn passwordless sign-in off for your account"))
    } else if lower.contains("cert") {
        Some((
            "certificate-based authentication",
            "sign in with a password (and MFA), or use a browser for certificate sign-in",
        ))
    } else {
        None
    };
    if let Some((what, hint)) = unsupported {
        return needs_browser(
            format!(
                "Entra ID asks for {what}, which this client does not support (page id {pgid})"
            ),
            hint,
        );
    }
    PluginError::protocol(format!(
        "Entra ID showed a page this client does not handle (page id {pgid}, {})",
        page.describe()
    ))
    .with_hint("run with -v to see the pages; please report the page id")
}
