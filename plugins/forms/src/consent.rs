//! Attribute-release (consent) pages: the IdP asks whether to send your
//! information to the service. Shibboleth IdP's `attribute-release.vm`
//! (mmoayyed/java-identity-provider
//! `idp-conf/src/main/resources/views/intercept/attribute-release.vm`) puts
//! its **Reject** button (`_eventId_AttributeReleaseRejected`) before
//! Accept (`_eventId_proceed`), so "press the first button" would decline.
//! The answer is the person's: `--plugin-option accept-consent=true`, or a
//! menu on the terminal; without either the login stops and says why.

use plugin_api::{ErrorKind, PluginError};
use plugin_kit::browser::Loaded;
use plugin_kit::html::{Form, Page};
use plugin_kit::walk::{Sends, Tab};

use crate::state::State;

/// Shibboleth's accept and reject buttons.
const ACCEPT: &str = "_eventId_proceed";
const REJECT: &str = "_eventId_AttributeReleaseRejected";

/// The consent form of `page`, if it is an attribute-release page.
pub fn consent_form(page: &Page) -> Option<Form> {
    page.forms()
        .into_iter()
        .find(|f| f.has_field(REJECT) && f.has_field(ACCEPT))
}

/// "Amazon Web Services (eduPersonPrincipalName, mail)": what the page
/// says would be released, to whom.
pub fn describe(page: &Page) -> String {
    let service = page
        .text_of(".service_name")
        .unwrap_or_else(|| "the service".into());
    let attributes: Vec<String> = page
        .items("#attributeRelease tbody tr", "td")
        .into_iter()
        .filter_map(|(_, name)| name)
        .collect();
    if attributes.is_empty() {
        service
    } else {
        format!("{service} ({})", attributes.join(", "))
    }
}

/// Answer an attribute-release page.
pub(crate) fn answer(
    state: &State<'_>,
    tab: &mut Tab<'_>,
    page: &Page,
    form: &Form,
) -> Result<Loaded, PluginError> {
    tab.once(page, form)?;
    let host = tab.host();
    let what = describe(page);
    let accepted = if state.options.accept_consent {
        true
    } else if state.request.interactive {
        let choices = [
            "Accept: release it (the IdP may remember this)".to_string(),
            "Reject: the sign-in to AWS stops".to_string(),
        ];
        let title = format!("The IdP asks to release your information to {what}:");
        host.choose(&title, &choices)? == 0
    } else {
        return Err(PluginError::new(
            ErrorKind::NoTerminal,
            format!("the IdP asks for your consent to release your information to {what}, and there is no terminal to ask on"),
        )
        .with_hint("answer it once in a terminal or a web browser, or pass --plugin-option accept-consent=true"));
    };
    if !accepted {
        return Err(PluginError::new(
            ErrorKind::Cancelled,
            format!("you declined to release your information to {what}"),
        ));
    }
    host.info(&format!(
        "accepting the release of your information to {what}"
    ));
    let mut fields = form.submission();
    fields.push((
        ACCEPT.to_string(),
        form.value_of(ACCEPT).unwrap_or_default().to_string(),
    ));
    tab.submit(page, form, &fields, Sends::Nothing)
}
