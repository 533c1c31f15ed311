//! The login conversation: the kit's bounded page walk
//! (`plugin_kit::walk`), with each page answered here like a user in a
//! browser without JavaScript would, and failure judged by content (IdPs
//! answer failures with 200).

use plugin_api::{ErrorKind, Host, LoginOutcome, LoginRequest, PluginError};
use plugin_kit::browser::Loaded;
use plugin_kit::html::{Form, Page};
use plugin_kit::walk::{Hook, Sends, Tab, Walk};

use crate::options::Options;
use crate::pick::{describe_forms, pick, Pick};
use crate::state::State;
use crate::{consent, expiry_notice, pingid};

/// Codes a person may type for one code step (a code from
/// `--mfa-code-command` is tried once: the command would give it again).
const TYPED_CODE_ATTEMPTS: usize = 3;

pub(crate) fn login(request: &LoginRequest, host: &Host) -> Result<LoginOutcome, PluginError> {
    let url = plugin_kit::request::endpoint_url(
        request,
        "forms",
        "use your IdP's IdP-initiated SSO URL for AWS",
    )?;
    let username = plugin_kit::request::username(request, "forms")?;
    let options = Options::from_request(request)?;
    let mut walk = Walk::new(host, "the IdP", options.max_steps).budget_hint(
        "run with -v to see the pages; raise --plugin-option max-steps=N if the IdP really needs more",
    );
    let mut state = State {
        request,
        options,
        username,
        username_sent: false,
        codes_sent: 0,
        mfa_started: false,
        device_switched: false,
    };
    walk.run(&url, &mut state)
}

/// Any IdP's pages: PingID's, consent and notices first, then the form
/// `pick` chooses.
impl Hook for State<'_> {
    fn answer(
        &mut self,
        tab: &mut Tab<'_>,
        loaded: &Loaded,
    ) -> Result<Option<Loaded>, PluginError> {
        if let Some(next) = self.special(tab, loaded)? {
            return Ok(Some(next));
        }
        let page = &loaded.page;
        let next = match pick(page, &self.options)? {
            Pick::Login {
                form,
                username_field,
                password_field,
            } => self.sign_in(tab, page, &form, username_field.as_deref(), &password_field)?,
            Pick::Code { form, code_field } => self.send_code(tab, page, &form, &code_field)?,
            Pick::Username {
                form,
                username_field,
            } => self.send_username(tab, page, &form, &username_field)?,
            Pick::Continue { form } => {
                // An error page after our input often has a "Back" or
                // "Retry" form: report the error instead of pressing it.
                if self.sent_anything(tab) && page.error_message().is_some() {
                    return Err(self.dead_end(tab, loaded));
                }
                tab.host()
                    .debug("submitting a form with nothing to fill (\"Continue\")");
                let mut fields = form.submission();
                page.press_default_button(&form, &mut fields);
                tab.submit_once(page, &form, &fields, Sends::Nothing)?
            }
            Pick::Nothing if plugin_kit::entra::looks_like_entra(page) => {
                return Err(plugin_kit::entra::use_entra_error("forms", page));
            }
            // SAML POST pages are the walk's (it never asks about them);
            // a page without a usable form may still be a redirect.
            Pick::Saml { .. } | Pick::Nothing => return Ok(None),
        };
        Ok(Some(next))
    }

    fn dead_end(&self, tab: &Tab<'_>, loaded: &Loaded) -> PluginError {
        let page = &loaded.page;
        if let Some(named) = plugin_kit::refusal::on_page(page) {
            return named;
        }
        if let Some(text) = page.error_message() {
            let message = format!("the IdP answered with an error: {text}");
            return if self.codes_sent > 0 || self.mfa_started {
                PluginError::new(ErrorKind::MfaRejected, message)
            } else if self.sent_anything(tab) {
                PluginError::auth(message)
            } else {
                PluginError::protocol(format!("{message} (on {})", page.describe()))
            };
        }
        let status = if loaded.status >= 400 {
            format!(" (HTTP {})", loaded.status)
        } else {
            String::new()
        };
        PluginError::protocol(format!(
            "no usable login form on {}{status} (its forms: {})",
            page.describe(),
            describe_forms(&page.forms())
        ))
        .with_hint("check -e; name the form with --plugin-option form=SELECTOR; run with -v to see the pages")
    }
}

impl State<'_> {
    /// Pages with their own answer: PingID's, attribute-release consent,
    /// password-expiry notices.
    fn special(
        &mut self,
        tab: &mut Tab<'_>,
        loaded: &Loaded,
    ) -> Result<Option<Loaded>, PluginError> {
        let page = &loaded.page;
        if let Some(link) = self.pingid_switch(tab, page) {
            return tab.open(&link).map(Some);
        }
        if let Some(step) = pingid::recognise(page) {
            return self.pingid(tab, loaded, step).map(Some);
        }
        if let Some(form) = consent::consent_form(page) {
            return consent::answer(self, tab, page, &form).map(Some);
        }
        if let Some(form) = expiry_notice::notice_form(page) {
            return expiry_notice::answer(tab, page, &form).map(Some);
        }
        Ok(None)
    }

    fn sign_in(
        &mut self,
        tab: &mut Tab<'_>,
        page: &Page,
        form: &Form,
        username_field: Option<&str>,
        password_field: &str,
    ) -> Result<Loaded, PluginError> {
        if tab.password_sent() {
            if form.password_fields().count() >= 2 {
                return Err(password_change(page));
            }
            return Err(rejected(page));
        }
        let configured = self.options.username_field.as_deref();
        if let Some(name) = configured.filter(|n| !form.has_field(n) && !self.username_sent) {
            return Err(PluginError::config(format!(
                "the login form on {} has no input named {name} (its fields: {})",
                page.describe(),
                form.field_names()
            ))
            .with_hint("fix --plugin-option username-field=NAME"));
        }
        // The second page of a two-step login often repeats the username
        // in a hidden input that must be posted back unchanged.
        let fill_username = username_field.filter(|name| {
            form.field(name)
                .is_some_and(|f| f.kind != "hidden" || f.value.is_empty())
        });
        let host = tab.host();
        if fill_username.is_none() && !self.username_sent {
            host.debug("the login form has no username input; sending the password only");
        }
        tab.once(page, form)?;
        host.debug(&format!(
            "login form found (fields {} / {password_field})",
            fill_username.unwrap_or("-")
        ));
        let password = host.password(&plugin_kit::prompt::password(
            "IdP",
            &self.username,
            page.url.host_str().unwrap_or("the IdP"),
        ))?;
        host.add_secret(password.expose());
        let mut overrides = vec![(password_field, password.expose().as_str())];
        if let Some(u) = fill_username {
            overrides.push((u, self.username.as_str()));
        }
        let mut fields = form.fill(&overrides);
        page.press_default_button(form, &mut fields);
        press_script_button(&mut fields);
        tab.submit(page, form, &fields, Sends::Password)
    }

    fn send_username(
        &mut self,
        tab: &mut Tab<'_>,
        page: &Page,
        form: &Form,
        username_field: &str,
    ) -> Result<Loaded, PluginError> {
        if tab.password_sent() || self.username_sent {
            return Err(rejected(page));
        }
        tab.once(page, form)?;
        tab.host()
            .debug(&format!("username step (field {username_field})"));
        let mut fields = form.fill(&[(username_field, self.username.as_str())]);
        page.press_default_button(form, &mut fields);
        self.username_sent = true;
        tab.submit(page, form, &fields, Sends::Nothing)
    }

    fn send_code(
        &mut self,
        tab: &mut Tab<'_>,
        page: &Page,
        form: &Form,
        code_field: &str,
    ) -> Result<Loaded, PluginError> {
        let host = tab.host();
        // A person typing gets another go; a command would give the same code.
        let typed = self.request.interactive && !self.request.mfa.code_source;
        let allowed = if typed { TYPED_CODE_ATTEMPTS } else { 1 };
        if self.codes_sent > 0 {
            let text = page
                .error_message()
                .unwrap_or_else(|| "the IdP asked for the code again".into());
            if self.codes_sent >= allowed {
                return Err(PluginError::new(
                    ErrorKind::MfaRejected,
                    format!("the IdP rejected the one-time code: {text}"),
                )
                .with_hint("codes expire quickly; try again with a fresh code"));
            }
            host.notify(&format!(
                "The IdP did not accept that code ({text}); try again."
            ));
        }
        host.debug(&format!("one-time code step (field {code_field})"));
        let prompt = pingid::passcode_prompt(page).unwrap_or_else(|| {
            format!(
                "Verification code for {}: ",
                page.url.host_str().unwrap_or("the IdP")
            )
        });
        let code = host.mfa_code(&prompt)?;
        if code.expose().is_empty() {
            return Err(PluginError::new(
                ErrorKind::Cancelled,
                "no verification code entered",
            ));
        }
        host.add_secret(code.expose());
        let mut fields = form.fill(&[(code_field, code.expose().as_str())]);
        page.press_default_button(form, &mut fields);
        self.codes_sent += 1;
        tab.submit(page, form, &fields, Sends::Secrets)
    }

    /// Whether a username, password or code was posted already.
    fn sent_anything(&self, tab: &Tab<'_>) -> bool {
        tab.password_sent() || self.username_sent || self.codes_sent > 0 || self.mfa_started
    }
}

fn idp_host(page: &Page) -> &str {
    page.url.host_str().unwrap_or("the IdP")
}

/// The login form came back after the password was posted.
fn rejected(page: &Page) -> PluginError {
    let hint = "check -u and your password";
    match page.error_message() {
        Some(text) => plugin_kit::refusal::on_page(page).unwrap_or_else(|| {
            PluginError::auth(format!("the IdP rejected the login: {text}")).with_hint(hint)
        }),
        None => PluginError::auth(format!(
            "the IdP showed its login form again ({}): wrong username or password",
            page.describe()
        ))
        .with_hint(hint),
    }
}

/// A form asking for a new password (current, new, confirm) after the
/// password was posted: the IdP wants it changed first (Keycloak's
/// `login-update-password.ftl`, PingFederate's change-password template).
fn password_change(page: &Page) -> PluginError {
    let text = page
        .error_message()
        .map(|t| format!(" (it says \"{t}\")"))
        .unwrap_or_default();
    // The password was right: a keychain keeps it (access-denied).
    PluginError::access_denied(format!(
        "the IdP asks you to choose a new password on {}{text}",
        page.describe()
    ))
    .with_hint(
        plugin_kit::refusal::Refusal::PasswordExpired
            .hint(idp_host(page))
            .unwrap_or_default(),
    )
}

/// Some login forms are submitted by a script that marks which link was
/// "clicked" in a hidden input; without it the IdP shows the form again.
/// PingFederate's HTML Form Adapter (`pf.ok=clicked`) is the common one.
fn press_script_button(fields: &mut [(String, String)]) {
    for (name, value) in fields.iter_mut() {
        if name == "pf.ok" && value.is_empty() {
            *value = "clicked".into();
        }
    }
}
