//! The login conversation: a bounded walk through the IdP's pages, acting
//! on each like a user in a browser without JavaScript, with loop
//! detection and failure judged by content (IdPs answer failures with 200).

use std::collections::HashSet;

use plugin_api::{ErrorKind, Host, LoginOutcome, LoginRequest, PluginError, Secret};
use plugin_kit::browser::{redacted, Browser, Loaded};
use plugin_kit::html::{Form, Page};

use crate::options::Options;
use crate::pick::{describe_forms, pick, Pick};
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
    let mut walk = Walk {
        host,
        request,
        browser: Browser::new(host),
        options,
        username,
        username_sent: false,
        password_sent: false,
        codes_sent: 0,
        mfa_started: false,
        device_switched: false,
        seen: HashSet::new(),
    };
    let first = walk.browser.open(url.as_str())?;
    walk.run(first)
}

/// One login in progress (the PingID, consent and notice answers add
/// their own `impl` blocks in their modules).
pub(crate) struct Walk<'h> {
    pub(crate) host: &'h Host,
    pub(crate) request: &'h LoginRequest,
    pub(crate) browser: Browser<'h>,
    pub(crate) options: Options,
    username: String,
    username_sent: bool,
    password_sent: bool,
    /// One-time codes posted so far.
    codes_sent: usize,
    /// A push was started (a PingID error after it is about the push).
    pub(crate) mfa_started: bool,
    /// PingID's device list was opened for `--mfa-factor` already.
    pub(crate) device_switched: bool,
    /// Page path + form shape of every form submitted, for loop detection.
    seen: HashSet<String>,
}

impl Walk<'_> {
    fn run(&mut self, mut loaded: Loaded) -> Result<LoginOutcome, PluginError> {
        for _ in 0..self.options.max_steps {
            let page = &loaded.page;
            if let Some(next) = self.special(&loaded)? {
                loaded = next;
                continue;
            }
            loaded = match pick(page, &self.options)? {
                Pick::Saml {
                    post, last: true, ..
                } => {
                    self.host.add_secret(&post.saml_response);
                    self.host.debug(&format!(
                        "found the SAML response for AWS (form posting to {})",
                        post.action.as_deref().unwrap_or("an unnamed action")
                    ));
                    return Ok(LoginOutcome::Saml {
                        assertion: Secret::new(post.saml_response),
                    });
                }
                Pick::Saml {
                    form,
                    post,
                    last: false,
                } => {
                    self.host.add_secret(&post.saml_response);
                    self.host
                        .debug("posting a SAML response on to the next service provider");
                    self.check_loop(page, &form)?;
                    let fields = form.submission();
                    self.browser.submit(page, &form, &fields, false)?
                }
                Pick::Login {
                    form,
                    username_field,
                    password_field,
                } => self.sign_in(page, &form, username_field.as_deref(), &password_field)?,
                Pick::Code { form, code_field } => self.send_code(page, &form, &code_field)?,
                Pick::Username {
                    form,
                    username_field,
                } => self.send_username(page, &form, &username_field)?,
                Pick::Continue { form } => {
                    // An error page after our input often has a "Back" or
                    // "Retry" form: report the error instead of pressing it.
                    if self.sent_anything() && page.error_message().is_some() {
                        return Err(self.dead_end(&loaded));
                    }
                    self.host
                        .debug("submitting a form with nothing to fill (\"Continue\")");
                    self.check_loop(page, &form)?;
                    let mut fields = form.submission();
                    push_default_button(page, &form, &mut fields);
                    self.browser.submit(page, &form, &fields, false)?
                }
                Pick::Nothing if plugin_kit::entra::looks_like_entra(page) => {
                    return Err(plugin_kit::entra::use_entra_error("forms", page));
                }
                Pick::Nothing => match page.meta_refresh() {
                    // "You are being redirected" pages without a form.
                    Some(next) if self.seen.insert(format!("refresh {}", redacted(&next))) => {
                        self.host.debug(&format!(
                            "following the page's meta refresh to {}",
                            redacted(&next)
                        ));
                        self.browser.open(next.as_str())?
                    }
                    _ => return Err(self.dead_end(&loaded)),
                },
            };
        }
        Err(PluginError::protocol(format!(
            "no SAML response for AWS after {} pages (last: {})",
            self.options.max_steps,
            loaded.page.describe()
        ))
        .with_hint("run with -v to see the pages; raise --plugin-option max-steps=N if the IdP really needs more"))
    }

    /// Pages with their own answer: PingID's, attribute-release consent,
    /// password-expiry notices.
    fn special(&mut self, loaded: &Loaded) -> Result<Option<Loaded>, PluginError> {
        let page = &loaded.page;
        if let Some(link) = self.pingid_switch(page) {
            return self.browser.open(link.as_str()).map(Some);
        }
        if let Some(step) = pingid::recognise(page) {
            return self.pingid(loaded, step).map(Some);
        }
        if let Some(form) = consent::consent_form(page) {
            return self.consent(page, &form).map(Some);
        }
        if let Some(form) = expiry_notice::notice_form(page) {
            return self.expiry_notice(page, &form).map(Some);
        }
        Ok(None)
    }

    fn sign_in(
        &mut self,
        page: &Page,
        form: &Form,
        username_field: Option<&str>,
        password_field: &str,
    ) -> Result<Loaded, PluginError> {
        if self.password_sent {
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
        if fill_username.is_none() && !self.username_sent {
            self.host
                .debug("the login form has no username input; sending the password only");
        }
        self.check_loop(page, form)?;
        self.host.debug(&format!(
            "login form found (fields {} / {password_field})",
            fill_username.unwrap_or("-")
        ));
        let password = self.host.password(&plugin_kit::prompt::password(
            "IdP",
            &self.username,
            page.url.host_str().unwrap_or("the IdP"),
        ))?;
        self.host.add_secret(password.expose());
        let mut overrides = vec![(password_field, password.expose().as_str())];
        if let Some(u) = fill_username {
            overrides.push((u, self.username.as_str()));
        }
        let mut fields = form.fill(&overrides);
        push_default_button(page, form, &mut fields);
        press_script_button(&mut fields);
        self.password_sent = true;
        self.browser.submit(page, form, &fields, true)
    }

    fn send_username(
        &mut self,
        page: &Page,
        form: &Form,
        username_field: &str,
    ) -> Result<Loaded, PluginError> {
        if self.password_sent || self.username_sent {
            return Err(rejected(page));
        }
        self.check_loop(page, form)?;
        self.host
            .debug(&format!("username step (field {username_field})"));
        let mut fields = form.fill(&[(username_field, self.username.as_str())]);
        push_default_button(page, form, &mut fields);
        self.username_sent = true;
        self.browser.submit(page, form, &fields, false)
    }

    fn send_code(
        &mut self,
        page: &Page,
        form: &Form,
        code_field: &str,
    ) -> Result<Loaded, PluginError> {
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
            self.host.notify(&format!(
                "The IdP did not accept that code ({text}); try again."
            ));
        }
        self.host
            .debug(&format!("one-time code step (field {code_field})"));
        let prompt = pingid::passcode_prompt(page).unwrap_or_else(|| {
            format!(
                "Verification code for {}: ",
                page.url.host_str().unwrap_or("the IdP")
            )
        });
        let code = self.host.mfa_code(&prompt)?;
        if code.expose().is_empty() {
            return Err(PluginError::new(
                ErrorKind::Cancelled,
                "no verification code entered",
            ));
        }
        self.host.add_secret(code.expose());
        let mut fields = form.fill(&[(code_field, code.expose().as_str())]);
        push_default_button(page, form, &mut fields);
        self.codes_sent += 1;
        self.browser.submit(page, form, &fields, false)
    }

    /// Fail when the same form of the same page comes around again.
    pub(crate) fn check_loop(&mut self, page: &Page, form: &Form) -> Result<(), PluginError> {
        let key = format!("{} {}", redacted(&page.url), form.shape());
        if self.seen.insert(key) {
            return Ok(());
        }
        Err(PluginError::protocol(format!(
            "the IdP keeps serving the same form on {} (a redirect loop)",
            page.describe()
        ))
        .with_hint("the IdP may need cookies or JavaScript this client cannot provide; run with -v to see the pages"))
    }

    /// Whether a username, password or code was posted already.
    fn sent_anything(&self) -> bool {
        self.password_sent || self.username_sent || self.codes_sent > 0 || self.mfa_started
    }

    fn dead_end(&self, loaded: &Loaded) -> PluginError {
        let page = &loaded.page;
        if let Some(named) = plugin_kit::refusal::on_page(page) {
            return named;
        }
        if let Some(text) = page.error_message() {
            let message = format!("the IdP answered with an error: {text}");
            return if self.codes_sent > 0 || self.mfa_started {
                PluginError::new(ErrorKind::MfaRejected, message)
            } else if self.sent_anything() {
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
    PluginError::auth(format!(
        "the IdP asks you to choose a new password on {}{text}",
        page.describe()
    ))
    .with_hint(
        plugin_kit::refusal::Refusal::PasswordExpired
            .hint(idp_host(page))
            .unwrap_or_default(),
    )
}

fn push_default_button(page: &Page, form: &Form, fields: &mut Vec<(String, String)>) {
    if let Some((name, value)) = page.default_button(form) {
        if !fields.iter().any(|(n, _)| *n == name) {
            fields.push((name, value));
        }
    }
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
