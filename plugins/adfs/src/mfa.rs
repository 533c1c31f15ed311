//! ADFS MFA adapters: one-time codes (RSA SecurID, Symantec VIP, OATH,
//! Azure MFA code entry and others), Azure MFA push with number matching,
//! and a clear refusal for adapters that need a real browser.

use std::time::Duration;

use plugin_api::{ErrorKind, PluginError};
use plugin_kit::browser::Loaded;
use plugin_kit::deadline::Deadline;
use plugin_kit::html::{Form, Page};
use plugin_kit::walk::{Sends, Tab};

use crate::state::State;

/// Code input names used by ADFS MFA adapters, most common first.
pub const CODE_FIELDS: &[&str] = &[
    "VerificationCode",
    "OathCode",
    "Passcode",
    "SecurityCode",
    "security_code",
    "ChallengeQuestionAnswer",
];

/// How often the Azure MFA page re-posts while waiting for an approval
/// (the page's own script polls at about this rate).
pub const PUSH_POLL_INTERVAL: Duration = Duration::from_secs(2);

/// Adapters known to need a JavaScript browser (an iframe or a redirect to
/// the vendor's own web flow).
const BROWSER_ONLY: &[&str] = &["DuoAdfsAdapter", "SilverfortAdfs", "OktaMfaAdapter"];

/// Answer the MFA step on `page` and return the page that follows.
pub(crate) fn answer(
    state: &mut State<'_>,
    tab: &mut Tab<'_>,
    page: &Page,
    form: &Form,
) -> Result<Loaded, PluginError> {
    if form
        .value_of("AuthMethod")
        .is_none_or(|m| m.trim().is_empty())
    {
        let choices = method_choices(page);
        if !choices.is_empty() {
            return choose_method(state, tab, page, form, &choices);
        }
    }
    let adapter = adapter_name(page, form);
    tab.host()
        .debug(&format!("ADFS asks for a second factor ({adapter})"));
    let field = code_field(form, state.options.code_field.as_deref());
    // A code was posted and ADFS answers with an error or asks for a code
    // again: it was rejected (never retried, codes are single-use).
    if state.code_sent && (page.error_message().is_some() || field.is_some()) {
        return Err(rejected(page, &adapter));
    }
    if let Some(field) = field {
        return send_code(state, tab, page, form, &adapter, &field);
    }
    if BROWSER_ONLY.iter().any(|a| adapter.eq_ignore_ascii_case(a)) {
        return Err(unsupported(&adapter));
    }
    if is_push(page, &adapter) {
        return wait_for_push(state, tab, page, form, &adapter);
    }
    Err(unsupported(&adapter))
}

/// Adapters that are never an answer from a command line.
const NOT_FROM_A_TERMINAL: &[&str] = &["CertificateAuthentication", "WindowsAuthentication"];

/// One method on ADFS's "select an authentication method" page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodChoice {
    /// The `AuthMethod` value.
    pub adapter: String,
    /// What the page shows.
    pub label: String,
}

/// The methods offered by `SelectOption('...')` handlers on the page.
pub fn method_choices(page: &Page) -> Vec<MethodChoice> {
    let mut out: Vec<MethodChoice> = Vec::new();
    for el in page.elements("[onclick]") {
        let Some(adapter) = el
            .attr("onclick")
            .and_then(|h| plugin_kit::script::call_argument(h, "SelectOption"))
        else {
            continue;
        };
        if out.iter().any(|c| c.adapter == adapter) {
            continue;
        }
        let label = if el.text.is_empty() {
            adapter.clone()
        } else {
            el.text.clone()
        };
        out.push(MethodChoice { adapter, label });
    }
    out
}

/// Whether this plugin can answer an adapter from a terminal.
fn usable(adapter: &str) -> bool {
    !BROWSER_ONLY
        .iter()
        .chain(NOT_FROM_A_TERMINAL)
        .any(|a| adapter.eq_ignore_ascii_case(a))
}

/// Pick a method (by `--mfa-factor`, the only usable one, a menu on the
/// terminal, or the first usable one) and post it.
fn choose_method(
    state: &mut State<'_>,
    tab: &mut Tab<'_>,
    page: &Page,
    form: &Form,
    choices: &[MethodChoice],
) -> Result<Loaded, PluginError> {
    if state.method_chosen {
        return Err(PluginError::protocol(
            "ADFS showed its method selection again after a method was chosen",
        )
        .with_hint("run with -v to see the pages; choose another method with --mfa-factor"));
    }
    let usable_choices: Vec<&MethodChoice> =
        choices.iter().filter(|c| usable(&c.adapter)).collect();
    let names = || {
        choices
            .iter()
            .map(|c| c.adapter.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if usable_choices.is_empty() {
        return Err(PluginError::browser_required(format!(
            "ADFS offers only MFA methods that need a web browser ({})",
            names()
        ))
        .with_hint(
            "ask your ADFS administrator for a one-time-code or Azure MFA method for AWS sign-in",
        ));
    }
    let wanted = state
        .request
        .mfa
        .factor
        .as_deref()
        .map(str::to_ascii_lowercase);
    let chosen = match wanted {
        Some(w) => {
            let w = if w == "push" { "azure".to_string() } else { w };
            let n = normalize(&w);
            *usable_choices
                .iter()
                .find(|c| normalize(&c.adapter).contains(&n) || normalize(&c.label).contains(&n))
                .ok_or_else(|| {
                    PluginError::config(format!(
                        "--mfa-factor {w}: ADFS offers none such (it offers {})",
                        names()
                    ))
                })?
        }
        None if usable_choices.len() == 1 => usable_choices[0],
        None if state.request.interactive => {
            let labels: Vec<String> = usable_choices.iter().map(|c| c.label.clone()).collect();
            usable_choices[tab
                .host()
                .choose("Choose a verification method:", &labels)?]
        }
        None => usable_choices[0],
    };
    tab.host()
        .debug(&format!("choosing the MFA method {}", chosen.adapter));
    state.method_chosen = true;
    let fields = form.fill(&[("AuthMethod", chosen.adapter.as_str())]);
    tab.submit(page, form, &fields, Sends::Nothing)
}

/// The primary authentication method AD FS signs in with from a form.
const FORMS: &str = "FormsAuthentication";

/// AD FS 2016+'s "Authentication Options" page (no `Context`): post
/// `AuthMethod=<choice>`, chosen by `--mfa-factor` (Azure MFA, MFA Server,
/// ...) or else forms sign-in, else the first method usable from a
/// terminal. The page coming back after a choice is an error, not a loop.
pub(crate) fn choose_option(
    state: &State<'_>,
    tab: &mut Tab<'_>,
    page: &Page,
    form: &Form,
) -> Result<Loaded, PluginError> {
    let choices = method_choices(page);
    let names = choices
        .iter()
        .map(|c| c.adapter.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let usable_choices: Vec<&MethodChoice> =
        choices.iter().filter(|c| usable(&c.adapter)).collect();
    let wanted = state.request.mfa.factor.as_deref().map(normalize);
    let by_factor = wanted.as_deref().and_then(|w| {
        let w = if w == "push" { "azure" } else { w };
        usable_choices
            .iter()
            .find(|c| normalize(&c.adapter).contains(w) || normalize(&c.label).contains(w))
            .copied()
    });
    let chosen = by_factor
        .or_else(|| usable_choices.iter().find(|c| c.adapter == FORMS).copied())
        .or_else(|| usable_choices.first().copied())
        .ok_or_else(|| {
            PluginError::browser_required(format!(
                "ADFS offers only sign-in methods that need a web browser ({names})"
            ))
            .with_hint("ask your ADFS administrator to enable forms sign-in for AWS")
        })?;
    tab.host()
        .debug(&format!("ADFS offers {names}; choosing {}", chosen.adapter));
    let fields = form.fill(&[("AuthMethod", chosen.adapter.as_str())]);
    tab.submit_once(page, form, &fields, Sends::Nothing)
}

/// Lower case without spaces, dashes or underscores, so "MFA Server"
/// matches `AzureMfaServerAuthentication`.
fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The adapter named by the form (`AuthMethod`).
pub fn adapter_name(page: &Page, form: &Form) -> String {
    form.value_of("AuthMethod")
        .map(str::to_owned)
        .or_else(|| page.attr_of("#authMethod", "value"))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "an unnamed adapter".into())
}

/// The input that takes the one-time code: the configured one, Azure
/// MFA's `#verificationCodeInput`, a well-known name, or the only input a
/// user could type into.
pub fn code_field(form: &Form, configured: Option<&str>) -> Option<String> {
    if let Some(name) = configured {
        if form.has_field(name) {
            return Some(name.to_string());
        }
    }
    if let Some(f) = form
        .field_by_id("verificationCodeInput")
        .filter(|f| f.name.is_some())
    {
        return f.name.clone();
    }
    if let Some(name) = CODE_FIELDS.iter().find_map(|known| {
        form.fields
            .iter()
            .filter_map(|f| f.name.as_deref())
            .find(|n| n.eq_ignore_ascii_case(known))
    }) {
        return Some(name.to_string());
    }
    let typable: Vec<_> = form
        .fillable_fields()
        .filter(|f| !matches!(f.name.as_deref(), Some("AuthMethod") | Some("Context")))
        .collect();
    match typable.as_slice() {
        [only] => only.name.clone(),
        _ => None,
    }
}

fn is_push(page: &Page, adapter: &str) -> bool {
    adapter.to_ascii_lowercase().contains("azuremfa")
        || page.text_of("#validEntropyNumber").is_some()
        || page.text_of("#instructions").is_some()
}

fn send_code(
    state: &mut State<'_>,
    tab: &mut Tab<'_>,
    page: &Page,
    form: &Form,
    adapter: &str,
    field: &str,
) -> Result<Loaded, PluginError> {
    let host = tab.host();
    if let Some(text) = page.text_of("#instructions") {
        host.notify(&format!("ADFS: {text}"));
    }
    let code = host.mfa_code(&format!("Verification code ({}): ", friendly(adapter)))?;
    if code.expose().is_empty() {
        return Err(PluginError::new(
            ErrorKind::Cancelled,
            "no verification code entered",
        ));
    }
    host.add_secret(code.expose());
    let mut fields = form.fill(&[(field, code.expose().as_str())]);
    page.press_default_button(form, &mut fields);
    state.code_sent = true;
    host.debug(&format!("posting the code in field {field}"));
    tab.submit(page, form, &fields, Sends::Secrets)
}

/// Azure MFA push: show the instructions and the number to pick, then
/// re-post `{AuthMethod, Context}` until ADFS moves on.
fn wait_for_push(
    state: &State<'_>,
    tab: &mut Tab<'_>,
    page: &Page,
    form: &Form,
    adapter: &str,
) -> Result<Loaded, PluginError> {
    if let Some(text) = page.error_message() {
        return Err(PluginError::new(
            ErrorKind::MfaRejected,
            format!("ADFS ({}): {text}", friendly(adapter)),
        ));
    }
    let host = tab.host();
    let mut deadline = Deadline::after(Duration::from_secs(state.request.mfa.timeout_secs.max(1)));
    let mut shown: Option<String> = None;
    let mut current = (page.clone(), form.clone());
    loop {
        let (page, form) = (&current.0, &current.1);
        let notice = push_notice(page);
        if shown.as_deref() != Some(notice.as_str()) {
            host.notify(&notice);
            shown = Some(notice);
        }
        if deadline.passed() {
            return Err(PluginError::new(
                ErrorKind::MfaTimeout,
                format!(
                    "no answer to the {} request within {} s",
                    friendly(adapter),
                    deadline.limit().as_secs()
                ),
            )
            .with_hint("approve the sign-in on your phone sooner, or raise --mfa-timeout"));
        }
        deadline.sleep(host, PUSH_POLL_INTERVAL)?;
        let fields: Vec<(String, String)> = form
            .submission()
            .into_iter()
            .filter(|(n, _)| n == "AuthMethod" || n == "Context")
            .collect();
        host.debug("polling ADFS for the MFA approval");
        let next = tab.submit(page, form, &fields, Sends::Nothing)?;
        if next.page.saml_post().is_some() {
            return Ok(next);
        }
        let still_waiting = next.page.forms().into_iter().find(|f| {
            f.has_field("Context")
                && f.value_of("AuthMethod") == Some(adapter)
                && code_field(f, None).is_none()
        });
        match still_waiting {
            Some(f) if next.page.error_message().is_none() => current = (next.page, f),
            _ => {
                if let Some(text) = next.page.error_message() {
                    return Err(PluginError::new(
                        ErrorKind::MfaRejected,
                        format!("ADFS ({}): {text}", friendly(adapter)),
                    ));
                }
                return Ok(next);
            }
        }
    }
}

fn push_notice(page: &Page) -> String {
    let instructions = page
        .text_of("#instructions")
        .unwrap_or_else(|| "Approve the sign-in request on your phone.".into());
    match page.text_of("#validEntropyNumber") {
        Some(n) => format!("ADFS: {instructions} Number to enter in the app: {n}"),
        None => format!("ADFS: {instructions}"),
    }
}

fn rejected(page: &Page, adapter: &str) -> PluginError {
    let text = page
        .error_message()
        .unwrap_or_else(|| "the verification code was not accepted".into());
    PluginError::new(
        ErrorKind::MfaRejected,
        format!("ADFS ({}): {text}", friendly(adapter)),
    )
    .with_hint("check the code (codes expire quickly) and try again")
}

fn unsupported(adapter: &str) -> PluginError {
    PluginError::browser_required(format!(
        "ADFS asks for the MFA method \"{adapter}\", which needs a web browser; this plugin supports one-time-code adapters and Azure MFA"
    ))
    .with_hint("ask your ADFS administrator for another MFA method for AWS sign-in, or use a browser-based tool")
}

/// A readable adapter name for prompts.
fn friendly(adapter: &str) -> &str {
    match adapter {
        "AzureMfaAuthentication" | "AzureMfaServerAuthentication" => "Azure MFA",
        "SecurIDAuthentication" => "RSA SecurID",
        "SymantecVipAdapter" | "VIPAuthenticationProviderWindowsAccountName" => "Symantec VIP",
        other => other,
    }
}
