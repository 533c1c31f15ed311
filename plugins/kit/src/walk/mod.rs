//! One login through an IdP's HTML pages, walked the same way by every
//! page-based plugin (`adfs`, `entra`, `forms`, and third-party ones):
//!
//! 1. a kept session's cookies are loaded first, if the plugin keeps one;
//! 2. each page in turn: a SAML POST page to AWS ends the walk with the
//!    assertion (a SAML POST to another service provider is posted on);
//!    otherwise the provider's [`Hook`] answers the pages it knows (its
//!    sign-in form, MFA steps, consent...); a page it does not know is
//!    still answered as a browser would (a form its script submits by
//!    itself, a meta refresh), else the hook names the dead end;
//! 3. every answer goes through the [`Tab`], which never answers the same
//!    page twice, and at most `max_steps` pages are walked;
//! 4. the session is kept when the login reaches AWS, and forgotten when
//!    it was loaded but led nowhere before the password was sent (not on a
//!    network failure or Ctrl-C).
//!
//! The walk calls the hook, the hook calls kit helpers; nothing calls back.
//! docs/plugin-authors.md has a short example of a hook.

mod tab;

use plugin_api::{ErrorKind, Host, LoginOutcome, PluginError, Secret};
use url::Url;

use crate::browser::{redacted, Loaded};
use crate::html::{Form, Page};
use crate::saml_post::SamlPost;
use crate::session::CookieSession;

pub use tab::{Sends, Tab};

/// A provider's part of the walk.
pub trait Hook {
    /// Answer `loaded` if it is one of this provider's pages, returning
    /// the page that follows; `None` for a page it does not know (the walk
    /// then answers it as a browser would, or calls [`Hook::dead_end`]).
    /// SAML POST pages never come here.
    fn answer(&mut self, tab: &mut Tab<'_>, loaded: &Loaded)
        -> Result<Option<Loaded>, PluginError>;

    /// The error for a page nobody could answer: the IdP's own message,
    /// or what the page is and what to check.
    fn dead_end(&self, tab: &Tab<'_>, loaded: &Loaded) -> PluginError;
}

/// One walk: its bounds and, optionally, the session it keeps.
pub struct Walk<'h> {
    tab: Tab<'h>,
    max_steps: usize,
    budget_hint: Option<String>,
    kept: Option<(CookieSession, i64)>,
}

/// Values at least this long in a form posted without typing are tokens
/// (codes, id tokens, WS-Fed results), kept out of logs.
const TOKEN_CHARS: usize = 16;

impl<'h> Walk<'h> {
    /// A walk of at most `max_steps` pages; `idp` names the IdP in
    /// messages ("ADFS", "Entra ID", "the IdP").
    pub fn new(host: &'h Host, idp: &'static str, max_steps: usize) -> Self {
        Walk {
            tab: Tab::new(host, idp),
            max_steps,
            budget_hint: None,
            kept: None,
        }
    }

    /// Load `session`'s cookies before the first page, keep the jar for
    /// `lifetime_secs` after a sign-in, forget it when it led nowhere.
    pub fn keep_session(mut self, session: CookieSession, lifetime_secs: i64) -> Self {
        self.kept = Some((session, lifetime_secs));
        self
    }

    /// The hint when `max_steps` pages brought no SAML response (default:
    /// "run with -v to see the pages").
    pub fn budget_hint(mut self, hint: impl Into<String>) -> Self {
        self.budget_hint = Some(hint.into());
        self
    }

    /// The walk's browser, e.g. for the number of requests made.
    pub fn tab(&self) -> &Tab<'h> {
        &self.tab
    }

    /// Walk from `start` until a page posts the SAML response to AWS.
    pub fn run(&mut self, start: &Url, hook: &mut impl Hook) -> Result<LoginOutcome, PluginError> {
        let host = self.tab.host();
        let restored = self.kept.is_some_and(|(session, _)| session.restore(host));
        let result = self.pages(start, hook);
        // A saved session that leads nowhere should not linger; a network
        // failure or Ctrl-C says nothing about it.
        let led_nowhere = result
            .as_ref()
            .is_err_and(|e| !matches!(e.kind, ErrorKind::Network | ErrorKind::Cancelled));
        if restored && led_nowhere && !self.tab.password_sent() {
            if let Some((session, _)) = self.kept {
                session.forget(host);
            }
        }
        result
    }

    fn pages(&mut self, start: &Url, hook: &mut impl Hook) -> Result<LoginOutcome, PluginError> {
        let mut loaded = self.tab.open(start)?;
        for _ in 0..self.max_steps {
            let page = &loaded.page;
            if let Some(post) = page.saml_post() {
                self.tab.host().add_secret(&post.saml_response);
                if post.is_for_aws() {
                    return Ok(self.finish(post));
                }
                loaded = self.post_on(page)?;
                continue;
            }
            if let Some(next) = hook.answer(&mut self.tab, &loaded)? {
                loaded = next;
                continue;
            }
            if let Some(form) = page.auto_post_form() {
                loaded = self.auto_post(page, &form)?;
                continue;
            }
            if let Some(next) = page.meta_refresh() {
                // "You are being redirected" pages without a form.
                self.tab
                    .once_step(&format!("the refresh to {}", redacted(&next)))?;
                self.tab.host().debug(&format!(
                    "following the page's meta refresh to {}",
                    redacted(&next)
                ));
                loaded = self.tab.open(&next)?;
                continue;
            }
            return Err(hook.dead_end(&self.tab, &loaded));
        }
        let idp = self.tab.idp();
        Err(PluginError::protocol(format!(
            "{idp} gave no SAML response for AWS after {} pages (last: {})",
            self.max_steps,
            loaded.page.describe()
        ))
        .with_hint(
            self.budget_hint
                .clone()
                .unwrap_or_else(|| format!("run with -v to see the pages {idp} served")),
        ))
    }

    /// The SAML response for AWS: the end of the walk.
    fn finish(&self, post: SamlPost) -> LoginOutcome {
        let host = self.tab.host();
        host.debug(&format!(
            "{} served the SAML response for AWS (posting to {})",
            self.tab.idp(),
            post.action.as_deref().unwrap_or("an unnamed action")
        ));
        if let Some((session, lifetime_secs)) = self.kept {
            if !self.tab.password_sent() {
                host.info(&format!("signed in with the saved {} session", session.idp));
            }
            session.save(host, lifetime_secs);
        }
        LoginOutcome::saml(Secret::new(post.saml_response))
    }

    /// A SAML response for another service provider (a proxy, a hub):
    /// post it on as the page's script would.
    fn post_on(&mut self, page: &Page) -> Result<Loaded, PluginError> {
        let form = page.saml_form().ok_or_else(|| {
            PluginError::protocol(format!("{} has no SAML form to post", page.describe()))
        })?;
        self.tab
            .host()
            .debug("posting a SAML response on to the next service provider");
        let fields = form.submission();
        self.tab.submit_once(page, &form, &fields, Sends::Secrets)
    }

    /// A form with nothing to type that the page's script submits.
    fn auto_post(&mut self, page: &Page, form: &Form) -> Result<Loaded, PluginError> {
        let host = self.tab.host();
        host.debug("submitting a form the page's script submits (nothing to fill)");
        let fields = form.submission();
        // These carry codes, id tokens and WS-Fed results: bearer values
        // that must not show up in a log.
        for (_, value) in &fields {
            if value.len() >= TOKEN_CHARS {
                host.add_secret(value);
            }
        }
        self.tab.submit_once(page, form, &fields, Sends::Secrets)
    }
}
