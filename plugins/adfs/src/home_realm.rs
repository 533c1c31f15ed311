//! AD FS home realm discovery: when AD FS trusts other claims providers it
//! first asks which one signs you in (`form#hrd`, one tile per provider
//! whose `onclick` calls `HRD.selection('<identifier>')`; the page's script
//! names a hidden input `HomeRealmSelection`, fills it and submits `#hrd`;
//! `fixtures/adfs-2016-home-realm-discovery.html`). `AD AUTHORITY` is AD
//! FS's own Active Directory, the realm this plugin signs in to unless
//! `--plugin-option home-realm=...` names another.

use plugin_api::{ErrorKind, PluginError};
use plugin_kit::browser::Loaded;
use plugin_kit::html::{Form, Page};
use plugin_kit::walk::{Sends, Tab};

use crate::state::State;

/// AD FS's identifier of its own Active Directory.
pub const LOCAL: &str = "AD AUTHORITY";

/// One claims provider offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Realm {
    /// What `HomeRealmSelection` is set to.
    pub id: String,
    /// What the tile shows.
    pub label: String,
}

/// The home-realm form of `page`, if it is a discovery page with tiles.
pub fn hrd_form(page: &Page) -> Option<Form> {
    let form = page.find_form("#hrd")?;
    (!realms(page).is_empty()).then_some(form)
}

/// The providers the page offers, in its order.
pub fn realms(page: &Page) -> Vec<Realm> {
    let mut out: Vec<Realm> = Vec::new();
    for el in page.elements("[onclick]") {
        let Some(id) = el
            .attr("onclick")
            .and_then(|h| plugin_kit::script::call_argument(h, "HRD.selection"))
        else {
            continue;
        };
        if out.iter().any(|r| r.id == id) {
            continue;
        }
        let label = el
            .attr("aria-label")
            .map(str::to_owned)
            .filter(|l| !l.trim().is_empty())
            .unwrap_or_else(|| {
                if el.text.is_empty() {
                    id.clone()
                } else {
                    el.text.clone()
                }
            });
        out.push(Realm { id, label });
    }
    out
}

/// Pick the realm (the `home-realm` option, AD FS's own directory, the only
/// one, or a menu) and post it as the page's script does.
pub(crate) fn choose(
    state: &State<'_>,
    tab: &mut Tab<'_>,
    page: &Page,
    form: &Form,
) -> Result<Loaded, PluginError> {
    let list = realms(page);
    let names = || {
        list.iter()
            .map(|r| format!("{} ({})", r.label, r.id))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let wanted = state.options.home_realm.clone();
    let chosen = match wanted.as_deref() {
        Some(w) => list
            .iter()
            .find(|r| r.id.eq_ignore_ascii_case(w) || r.label.eq_ignore_ascii_case(w))
            .ok_or_else(|| {
                PluginError::config(format!(
                    "--plugin-option home-realm={w}: AD FS offers no such claims provider (it offers {})",
                    names()
                ))
                .with_hint("use one of the identifiers or names it offers")
            })?,
        None => match list.iter().find(|r| r.id == LOCAL) {
            Some(local) => local,
            None if list.len() == 1 => &list[0],
            None if state.request.interactive => {
                let labels: Vec<String> = list.iter().map(|r| r.label.clone()).collect();
                &list[tab
                    .host()
                    .choose("AD FS: which organization signs you in?", &labels)?]
            }
            None => {
                return Err(PluginError::new(
                    ErrorKind::NoTerminal,
                    format!(
                        "AD FS asks which organization signs you in ({}) and there is no terminal to ask on",
                        names()
                    ),
                )
                .with_hint("name it with --plugin-option home-realm=IDENTIFIER"))
            }
        },
    };
    tab.host().debug(&format!(
        "AD FS home realm discovery: choosing {} ({})",
        chosen.label, chosen.id
    ));
    let fields = form.fill(&[("HomeRealmSelection", chosen.id.as_str())]);
    tab.submit_once(page, form, &fields, Sends::Nothing)
}
