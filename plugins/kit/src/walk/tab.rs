//! One login's browsing, as the walk and a provider's hook share it: the
//! browser (cookies, redirects, logged steps), what each request may carry
//! where, the memory of what was answered (so no page is answered twice),
//! and whether the person's password went out.

use std::collections::HashSet;

use plugin_api::{Host, PluginError};
use url::Url;

use crate::browser::{redacted, Browser, Loaded};
use crate::html::{Form, Page};

/// What a request carries, which decides where it may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sends {
    /// Nothing secret: any URL the page names.
    Nothing,
    /// Bearer values (tokens, assertions, codes): HTTPS or loopback only.
    Secrets,
    /// The person's password: HTTPS or loopback only, and from then on
    /// the login is a sign-in, not a saved session (see
    /// [`Tab::password_sent`]).
    Password,
}

/// The browser of one login and what it has answered.
pub struct Tab<'h> {
    host: &'h Host,
    browser: Browser<'h>,
    idp: &'static str,
    /// Loop signatures of everything answered, each prefixed by whether
    /// the password had gone out: the same page before and after signing
    /// in is progress (My Apps' redirect page), twice on one side a loop.
    answered: HashSet<String>,
    password_sent: bool,
}

impl<'h> Tab<'h> {
    /// `idp` names the IdP in messages ("ADFS", "Entra ID", "the IdP").
    pub fn new(host: &'h Host, idp: &'static str) -> Self {
        Tab {
            host,
            browser: Browser::new(host),
            idp,
            answered: HashSet::new(),
            password_sent: false,
        }
    }

    pub fn host(&self) -> &'h Host {
        self.host
    }

    /// The IdP's name in messages.
    pub fn idp(&self) -> &'static str {
        self.idp
    }

    /// Page requests made so far.
    pub fn requests(&self) -> usize {
        self.browser.requests()
    }

    /// Whether the person's password was posted (a sign-in form coming
    /// back then means it was rejected).
    pub fn password_sent(&self) -> bool {
        self.password_sent
    }

    /// `GET url`.
    pub fn open(&mut self, url: &Url) -> Result<Loaded, PluginError> {
        self.browser.open(url.as_str())
    }

    /// Submit `form` of `page` with `fields`, as a browser would.
    pub fn submit(
        &mut self,
        page: &Page,
        form: &Form,
        fields: &[(String, String)],
        sends: Sends,
    ) -> Result<Loaded, PluginError> {
        let loaded = self
            .browser
            .submit(page, form, fields, sends != Sends::Nothing)?;
        self.password_sent |= sends == Sends::Password;
        Ok(loaded)
    }

    /// POST `fields` to `url`, as a page's script does (no `<form>`).
    pub fn post(
        &mut self,
        url: &Url,
        fields: &[(String, String)],
        sends: Sends,
    ) -> Result<Loaded, PluginError> {
        let loaded = self.browser.post(url, fields, sends != Sends::Nothing)?;
        self.password_sent |= sends == Sends::Password;
        Ok(loaded)
    }

    /// [`Tab::once`], then [`Tab::submit`].
    pub fn submit_once(
        &mut self,
        page: &Page,
        form: &Form,
        fields: &[(String, String)],
        sends: Sends,
    ) -> Result<Loaded, PluginError> {
        self.once(page, form)?;
        self.submit(page, form, fields, sends)
    }

    /// Record that `form` of `page` is being answered; an error when it
    /// was answered before. The signature is the page URL without its
    /// query and the form's shape (method, action path, field names), not
    /// values: IdPs put fresh state tokens in both.
    pub fn once(&mut self, page: &Page, form: &Form) -> Result<(), PluginError> {
        let key = format!("form {} {}", redacted(&page.url), form.shape());
        if self.remember(key) {
            return Ok(());
        }
        Err(self.looping(&format!("the same form on {}", page.describe())))
    }

    /// Record a step that is not a form (a redirect, a page id), named as
    /// messages say it ("the ConvergedTFA page"); an error when it was
    /// taken before.
    pub fn once_step(&mut self, what: &str) -> Result<(), PluginError> {
        if self.remember(format!("step {what}")) {
            return Ok(());
        }
        Err(self.looping(what))
    }

    fn remember(&mut self, key: String) -> bool {
        let side = if self.password_sent {
            "after"
        } else {
            "before"
        };
        self.answered.insert(format!("{side} {key}"))
    }

    fn looping(&self, what: &str) -> PluginError {
        PluginError::protocol(format!("{} keeps serving {what} (a loop)", self.idp)).with_hint(
            format!(
                "{} may need cookies or JavaScript this client cannot provide; run with -v to see the pages",
                self.idp
            ),
        )
    }
}
