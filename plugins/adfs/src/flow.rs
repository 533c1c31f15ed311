//! The sign-in conversation: open the IdP-initiated sign-on URL, answer the
//! sign-in form and any MFA step, until ADFS serves the page that posts the
//! SAML response to AWS.

use plugin_api::{Host, LoginOutcome, LoginRequest, PluginError, Secret};
use plugin_kit::browser::Browser;
use plugin_kit::html::{Form, Page};

use crate::home_realm;
use crate::mfa;
use crate::options::Options;
use crate::pages::{self, Step};
use crate::session;

/// More pages than any ADFS flow needs (sign-in, MFA, a few hops).
const MAX_STEPS: usize = 12;

/// State of one login.
pub(crate) struct Flow<'h> {
    pub host: &'h Host,
    pub request: &'h LoginRequest,
    pub options: Options,
    pub browser: Browser<'h>,
    pub username: String,
    /// The password was posted once; the sign-in form coming back means it
    /// was rejected.
    pub password_sent: bool,
    /// A code was posted once; the MFA form coming back with an error means
    /// it was rejected.
    pub code_sent: bool,
    /// A method was picked on the MFA selection page.
    pub method_chosen: bool,
    /// Every form posted without user input (auto-posts, option tiles),
    /// as page URL + action + fields: posting the same page twice means
    /// the IdP is not going anywhere.
    pub posted: Vec<String>,
}

pub(crate) fn login(request: &LoginRequest, host: &Host) -> Result<LoginOutcome, PluginError> {
    let url = plugin_kit::request::endpoint_url(
        request,
        "adfs",
        "use the IdP-initiated sign-on URL, e.g. https://adfs.example.com/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices",
    )?;
    let username = plugin_kit::request::username(request, "adfs")
        .map_err(|e| e.with_hint("ADFS usually expects user@domain or DOMAIN\\user"))?;
    let options = Options::from_request(request)?;
    let mut flow = Flow {
        host,
        request,
        browser: Browser::new(host),
        username,
        password_sent: false,
        code_sent: false,
        method_chosen: false,
        posted: Vec::new(),
        options,
    };
    let restored = flow.options.reuse_session && session::restore(host);
    let first = flow.browser.open(url.as_str())?;
    let result = flow.run(first.page);
    if result.is_err() && restored && !flow.password_sent {
        // A saved session that leads nowhere should not linger.
        session::forget(host);
    }
    result
}

impl<'h> Flow<'h> {
    fn run(&mut self, mut page: Page) -> Result<LoginOutcome, PluginError> {
        for _ in 0..MAX_STEPS {
            if let Some(post) = page.saml_post() {
                self.host.add_secret(&post.saml_response);
                self.host.debug(&format!(
                    "ADFS served the SAML response (posting to {})",
                    post.action.as_deref().unwrap_or("an unnamed action")
                ));
                if !self.password_sent {
                    self.host.info("signed in with the saved ADFS session");
                }
                if self.options.reuse_session {
                    session::save(self.host);
                }
                return Ok(LoginOutcome::Saml {
                    assertion: Secret::new(post.saml_response),
                });
            }
            page = match pages::classify(&page, &self.options) {
                Step::Login(form) => self.sign_in(&page, &form)?,
                Step::Mfa(form) => mfa::answer(self, &page, &form)?,
                Step::Options(form) => mfa::choose_option(self, &page, &form)?,
                Step::HomeRealm(form) => home_realm::choose(self, &page, &form)?,
                Step::AutoPost(form) => {
                    self.host.debug("submitting an intermediate ADFS form");
                    let fields = form.submission();
                    self.post_once(&page, &form, &fields)?
                }
                Step::Unknown => return Err(self.unknown_page(&page)),
            };
        }
        Err(PluginError::protocol(format!(
            "ADFS did not produce a SAML response within {MAX_STEPS} pages"
        ))
        .with_hint("run with -v to see the pages ADFS served"))
    }

    /// Post a form the user did not fill, refusing to post the same page
    /// with the same fields a second time (the IdP would answer the same).
    pub(crate) fn post_once(
        &mut self,
        page: &Page,
        form: &Form,
        fields: &[(String, String)],
    ) -> Result<Page, PluginError> {
        let action = page
            .resolve_action(form)
            .map(|u| u.to_string())
            .unwrap_or_default();
        let names: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let signature = format!("{}\n{action}\n{}", page.url, names.join("&"));
        if self.posted.contains(&signature) {
            return Err(PluginError::protocol(format!(
                "ADFS served {} again after it was submitted; giving up instead of posting it twice",
                page.describe()
            ))
            .with_hint("run with -v to see the pages ADFS served"));
        }
        self.posted.push(signature);
        Ok(self.browser.submit(page, form, fields, false)?.page)
    }

    /// Fill and post the sign-in form.
    fn sign_in(&mut self, page: &Page, form: &Form) -> Result<Page, PluginError> {
        if self.password_sent {
            if form.password_fields().count() >= 2 {
                return Err(password_change(page));
            }
            return Err(rejected(page));
        }
        let (user_field, pass_field) = pages::credential_fields(form, &self.options);
        let missing = |what: &str, option: &str| {
            PluginError::config(format!(
                "cannot find the {what} input of the ADFS sign-in form (its fields: {})",
                form.field_names()
            ))
            .with_hint(format!("name it with --plugin-option {option}=NAME"))
        };
        let user_field = user_field
            .filter(|n| form.has_field(n))
            .ok_or_else(|| missing("username", "username-field"))?;
        let pass_field = pass_field
            .filter(|n| form.has_field(n))
            .ok_or_else(|| missing("password", "password-field"))?;
        self.host.debug(&format!(
            "ADFS sign-in form found (fields {user_field} / {pass_field})"
        ));
        let password = self.host.password(&plugin_kit::prompt::password(
            "ADFS",
            &self.username,
            page.url.host_str().unwrap_or("the IdP"),
        ))?;
        self.host.add_secret(password.expose());
        let mut fields = form.fill(&[
            (user_field.as_str(), self.username.as_str()),
            (pass_field.as_str(), password.expose().as_str()),
        ]);
        if self.options.kmsi && form.has_field("Kmsi") {
            let value = form
                .value_of("Kmsi")
                .filter(|v| !v.is_empty())
                .unwrap_or("true");
            fields.push(("Kmsi".into(), value.into()));
        }
        push_default_button(page, form, &mut fields);
        self.password_sent = true;
        Ok(self.browser.submit(page, form, &fields, true)?.page)
    }

    fn unknown_page(&self, page: &Page) -> PluginError {
        if plugin_kit::entra::looks_like_entra(page) {
            return plugin_kit::entra::use_entra_error("adfs", page);
        }
        if let Some(named) = plugin_kit::refusal::on_page(page) {
            return named;
        }
        if let Some(text) = page.error_message() {
            let err = format!("ADFS showed an error: {text}");
            return if self.password_sent {
                PluginError::auth(err)
            } else {
                PluginError::protocol(err)
            };
        }
        PluginError::protocol(format!(
            "ADFS answered with {} which has neither a sign-in form nor a SAML response",
            page.describe()
        ))
        .with_hint(
            "check that -e is the IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices URL; run with -v for the page trace",
        )
    }
}

fn idp_host(page: &Page) -> &str {
    page.url.host_str().unwrap_or("the IdP")
}

/// The sign-in form came back after the password was posted.
fn rejected(page: &Page) -> PluginError {
    let hint = "check -u (ADFS usually wants user@domain or DOMAIN\\user) and your password";
    match page.error_message() {
        Some(text) => plugin_kit::refusal::on_page(page).unwrap_or_else(|| {
            PluginError::auth(format!("ADFS rejected the sign-in: {text}")).with_hint(hint)
        }),
        None => PluginError::auth("ADFS showed the sign-in form again: wrong username or password")
            .with_hint(hint),
    }
}

/// A form asking for a new password (AD FS's `/adfs/portal/updatepassword/`
/// with old, new and confirm inputs) after the password was posted.
fn password_change(page: &Page) -> PluginError {
    PluginError::auth(format!(
        "ADFS asks you to change your password on {}",
        page.describe()
    ))
    .with_hint(
        plugin_kit::refusal::Refusal::PasswordExpired
            .hint(idp_host(page))
            .unwrap_or_default(),
    )
}

/// Add the form's default submit button, as a browser does when the user
/// presses Enter (ASP.NET's ADFS 2.0 page only signs in with it).
pub(crate) fn push_default_button(page: &Page, form: &Form, fields: &mut Vec<(String, String)>) {
    if let Some((name, value)) = page.default_button(form) {
        if !fields.iter().any(|(n, _)| *n == name) {
            fields.push((name, value));
        }
    }
}
