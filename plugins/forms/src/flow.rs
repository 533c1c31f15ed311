//! The login conversation: a bounded walk through the IdP's pages, acting
//! on each like a user in a browser without JavaScript, with loop
//! detection and failure judged by content (IdPs answer failures with 200).

use std::collections::HashSet;

use plugin_api::{ErrorKind, Host, LoginOutcome, LoginRequest, PluginError, Secret};
use plugin_kit::browser::{redacted, Browser, Loaded};
use plugin_kit::html::{Form, Page};

use crate::options::Options;
use crate::pick::{describe_forms, pick, Pick};

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
        browser: Browser::new(host),
        options,
        username,
        username_sent: false,
        password_sent: false,
        code_sent: false,
        seen: HashSet::new(),
    };
    let first = walk.browser.open(url.as_str())?;
    walk.run(first)
}

struct Walk<'h> {
    host: &'h Host,
    browser: Browser<'h>,
    options: Options,
    username: String,
    username_sent: bool,
    password_sent: bool,
    code_sent: bool,
    /// Page path + form shape of every form submitted, for loop detection.
    seen: HashSet<String>,
}

impl Walk<'_> {
    fn run(&mut self, mut loaded: Loaded) -> Result<LoginOutcome, PluginError> {
        for _ in 0..self.options.max_steps {
            let page = &loaded.page;
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

    fn sign_in(
        &mut self,
        page: &Page,
        form: &Form,
        username_field: Option<&str>,
        password_field: &str,
    ) -> Result<Loaded, PluginError> {
        if self.password_sent {
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
        if self.code_sent {
            let text = page
                .error_message()
                .unwrap_or_else(|| "the IdP asked for the code again".into());
            return Err(PluginError::new(
                ErrorKind::MfaRejected,
                format!("the IdP rejected the one-time code: {text}"),
            )
            .with_hint("codes expire quickly; try again with a fresh code"));
        }
        self.host
            .debug(&format!("one-time code step (field {code_field})"));
        let host_name = page.url.host_str().unwrap_or("the IdP").to_string();
        let code = self
            .host
            .mfa_code(&format!("Verification code for {host_name}: "))?;
        if code.expose().is_empty() {
            return Err(PluginError::new(
                ErrorKind::Cancelled,
                "no verification code entered",
            ));
        }
        self.host.add_secret(code.expose());
        let mut fields = form.fill(&[(code_field, code.expose().as_str())]);
        push_default_button(page, form, &mut fields);
        self.code_sent = true;
        self.browser.submit(page, form, &fields, false)
    }

    /// Fail when the same form of the same page comes around again.
    fn check_loop(&mut self, page: &Page, form: &Form) -> Result<(), PluginError> {
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
        self.password_sent || self.username_sent || self.code_sent
    }

    fn dead_end(&self, loaded: &Loaded) -> PluginError {
        let page = &loaded.page;
        if let Some(text) = page.error_message() {
            let message = format!("the IdP answered with an error: {text}");
            return if self.code_sent {
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

/// The login form came back after the password was posted.
fn rejected(page: &Page) -> PluginError {
    let hint = "check -u and your password";
    match page.error_message() {
        Some(text) => {
            PluginError::auth(format!("the IdP rejected the login: {text}")).with_hint(hint)
        }
        None => PluginError::auth(format!(
            "the IdP showed its login form again ({}): wrong username or password",
            page.describe()
        ))
        .with_hint(hint),
    }
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
