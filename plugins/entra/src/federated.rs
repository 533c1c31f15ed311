//! The sign-in at a federated IdP: when GetCredentialType names another
//! IdP for the user's domain, its forms page is filled with the kit's form
//! heuristics (as `-p forms` does), or the login stops naming its host.

use plugin_api::PluginError;
use plugin_kit::browser::Loaded;
use plugin_kit::walk::{Sends, Tab};

use crate::browser_only::needs_browser;
use crate::state::State;

/// Sign in on `loaded`, the federated IdP's first page; returns the page
/// after the sign-in post (or that page itself when the IdP still had a
/// session).
pub(crate) fn sign_in(
    state: &State<'_>,
    tab: &mut Tab<'_>,
    loaded: Loaded,
) -> Result<Loaded, PluginError> {
    let page = &loaded.page;
    let host_name = page
        .url
        .host_str()
        .unwrap_or("the federated IdP")
        .to_string();
    let forms = page.forms();
    let Some(form) = forms.iter().find(|f| f.password_field().is_some()) else {
        if page.saml_post().is_some() || page.auto_post_form().is_some() {
            // The federated IdP still had a session.
            return Ok(loaded);
        }
        // Windows integrated authentication, a smart card, a page built by
        // script: the person's browser may get through it.
        return Err(needs_browser(
            format!("your account is federated to {host_name}, whose sign-in page has no password form this client can fill"),
            format!("sign in at {host_name} with the provider made for it (e.g. -p adfs or -p forms) using its own AWS sign-in URL"),
        ));
    };
    let user_field = form.username_field().and_then(|f| f.name.clone());
    let pass_field = form
        .password_field()
        .and_then(|f| f.name.clone())
        .unwrap_or_default();
    let host = tab.host();
    let password = host.password(&plugin_kit::prompt::password(
        "IdP",
        &state.username,
        &host_name,
    ))?;
    host.add_secret(password.expose());
    let mut overrides: Vec<(&str, &str)> = vec![(pass_field.as_str(), password.expose().as_str())];
    if let Some(u) = &user_field {
        overrides.push((u.as_str(), state.username.as_str()));
    }
    let mut fields = form.fill(&overrides);
    page.press_default_button(form, &mut fields);
    host.debug(&format!("signing in at the federated IdP {host_name}"));
    let next = tab.submit(page, form, &fields, Sends::Password)?;
    let refused = next
        .page
        .forms()
        .iter()
        .any(|f| f.password_field().is_some())
        && next.page.saml_post().is_none();
    if refused {
        let text = next
            .page
            .error_message()
            .map(|t| format!(": {t}"))
            .unwrap_or_default();
        return Err(PluginError::auth(format!(
            "the federated IdP {host_name} rejected the sign-in{text}"
        ))
        .with_hint("check -u and your password"));
    }
    Ok(next)
}
