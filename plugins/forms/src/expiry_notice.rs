//! "Your password will expire in N days" notices after a good password.
//! PingFederate's `html.form.password.expiring.notification.template`
//! (saml2aws `pkg/provider/pingfed/example/password-expiring.html`) has two
//! script links: "Change Password" (`postOk()`) and "Change it later"
//! (`postCancel()`), each setting hidden fields before submitting. The
//! notice is shown on the terminal and "later" is pressed with exactly the
//! fields its function sets.

use plugin_api::PluginError;
use plugin_kit::browser::Loaded;
use plugin_kit::html::{Form, Page};
use plugin_kit::script;
use plugin_kit::walk::{Sends, Tab};

/// The field PingFederate's template marks the notice with.
const MARK: &str = "pf.passwordExpiring";
/// The field its "later" function sets.
const LATER: &str = "pf.notificationCancel";

/// The notice form of `page`, if it is a password-expiry notice.
pub fn notice_form(page: &Page) -> Option<Form> {
    page.forms().into_iter().find(|f| f.has_field(MARK))
}

/// The fields the page's "later" link sets, read from its function.
pub fn later_fields(page: &Page) -> Option<Vec<(String, String)>> {
    page.elements("a[onclick]").into_iter().find_map(|a| {
        let function = script::called_function(a.attr("onclick")?)?;
        let set = script::field_assignments(page, function);
        set.iter().any(|(n, _)| n == LATER).then_some(set)
    })
}

/// Show the notice and carry on without changing the password now.
pub(crate) fn answer(tab: &mut Tab<'_>, page: &Page, form: &Form) -> Result<Loaded, PluginError> {
    tab.once(page, form)?;
    let text = page
        .text_of(".ping-messages.center")
        .or_else(|| page.text_of(".ping-messages"))
        .unwrap_or_else(|| "your password will expire soon".into());
    let Some(set) = later_fields(page) else {
        return Err(PluginError::protocol(format!(
            "the IdP says \"{text}\" and offers no way to continue without changing the password that this client can read"
        ))
        .with_hint(format!(
            "change your password in a web browser at https://{}/, then run again",
            page.url.host_str().unwrap_or("the IdP")
        )));
    };
    tab.host().notify(&format!("The IdP says: {text}"));
    let overrides: Vec<(&str, &str)> = set.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let fields = form.fill(&overrides);
    tab.submit(page, form, &fields, Sends::Nothing)
}
