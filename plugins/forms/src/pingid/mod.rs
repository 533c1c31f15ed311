//! PingID, PingFederate's second factor, answered the way its page scripts
//! do (the real pages and scripts as kept by saml2aws
//! `pkg/provider/pingfed/` and `pkg/provider/pingone/example/`, and
//! gossamer3's fork; our fixtures in `examples/sandbox/fixtures/pingid-*`):
//!
//! - the WebAuthn check (`#start-form`, one hidden
//!   `isWebAuthnSupportedByBrowser`): answered `false`, as a browser
//!   without a usable security key, so PingID skips FIDO devices;
//! - the device picker (`#device-form` + `ul.device-list li[data-id]`):
//!   `--mfa-factor`, a menu on the terminal, or a clear error;
//! - push and number matching (`#form1` + `#reponseView`): the status URL
//!   is polled and the response form submitted; `#form1` is never posted;
//! - the one-time passcode (`#otp-form`): the generic code step, with
//!   PingID's wording;
//! - a security key (`publicKeyCredentialRequestOptions`): needs a browser;
//! - PingID's error window.

mod answer;
mod devices;
mod push;

use plugin_kit::html::{Form, Page};
use url::Url;

pub use devices::{devices, matches, Device};
pub use push::{classify_status, Status};

/// A PingID page and what it asks for.
#[derive(Debug)]
pub enum PingIdPage {
    /// PingID asks whether the browser can use WebAuthn.
    WebAuthnCheck(Form),
    /// A FIDO security key is wanted.
    SecurityKey,
    /// Which device to authenticate with.
    Devices { form: Form, devices: Vec<Device> },
    /// A push (swipe or number matching) being waited for.
    Push(Push),
    /// The older synchronous push page: no response form; the page posts
    /// `#form1` and PingID answers once the push is answered.
    PushPost(Form),
    /// PingID's error window, with its text.
    Error(String),
}

/// The forms and facts of a push page.
#[derive(Debug, Clone)]
pub struct Push {
    /// `#form1`: its action is the status URL, its fields the poll's query.
    pub status: Form,
    /// `#reponseView`: submitted once the status is final.
    pub response: Form,
    /// The device the push went to (`.device-name`).
    pub device: Option<String>,
    /// The number to pick in the app (`.numbermatching`).
    pub number: Option<String>,
}

/// What `page` is, if it is one of PingID's.
pub fn recognise(page: &Page) -> Option<PingIdPage> {
    if let Some(text) = error_text(page) {
        return Some(PingIdPage::Error(text));
    }
    let forms = page.forms();
    if forms
        .iter()
        .any(|f| f.has_field("publicKeyCredentialRequestOptions"))
    {
        return Some(PingIdPage::SecurityKey);
    }
    if let Some(f) = forms.iter().find(|f| {
        f.has_field("isWebAuthnSupportedByBrowser") && f.fillable_fields().next().is_none()
    }) {
        return Some(PingIdPage::WebAuthnCheck(f.clone()));
    }
    if let Some(f) = forms.iter().find(|f| {
        f.has_field("deviceId")
            && (f.id.as_deref() == Some("device-form") || f.name.as_deref() == Some("device-form"))
    }) {
        let list = devices(page);
        if !list.is_empty() {
            return Some(PingIdPage::Devices {
                form: f.clone(),
                devices: list,
            });
        }
    }
    let by_id = |id: &str| forms.iter().find(|f| f.id.as_deref() == Some(id)).cloned();
    let status = by_id("form1")?;
    match by_id("reponseView").or_else(|| by_id("responseView")) {
        Some(response) => Some(PingIdPage::Push(Push {
            status,
            response,
            device: page.text_of(".device-name"),
            number: page.text_of(".numbermatching"),
        })),
        // `form1` is a common id (ASP.NET): only PingID's own counts.
        None if status
            .action
            .as_deref()
            .is_some_and(|a| a.contains("/pingid/")) =>
        {
            Some(PingIdPage::PushPost(status))
        }
        None => None,
    }
}

/// PingID's error window (`.window.error`): its title and text. The copy
/// inside `<noscript>` on every PingID page is not markup to a parser with
/// scripting on, so it never counts.
fn error_text(page: &Page) -> Option<String> {
    let text = page.text_of(".window.error .error-text")?;
    Some(match page.text_of(".window.error .title-text") {
        Some(title) if !title.eq_ignore_ascii_case("important") => format!("{title}: {text}"),
        _ => text,
    })
}

/// Whether `page` is PingID's passcode page (`#otp-form`).
pub fn is_passcode_page(page: &Page) -> bool {
    page.find_form("#otp-form")
        .is_some_and(|f| f.has_field("otp"))
}

/// The prompt for PingID's passcode page, naming the device.
pub fn passcode_prompt(page: &Page) -> Option<String> {
    if !is_passcode_page(page) {
        return None;
    }
    let device = authenticating_with(page).filter(|t| !t.is_empty());
    Some(match device {
        Some(d) => format!("PingID passcode ({d}): "),
        None => "PingID passcode: ".into(),
    })
}

/// The device a push or passcode page is for, as the page names it.
pub fn current_device(page: &Page) -> Option<String> {
    page.text_of(".device-name")
        .or_else(|| authenticating_with(page))
}

/// The device in the passcode page's "Authenticating with DEVICE" line.
fn authenticating_with(page: &Page) -> Option<String> {
    page.text_of(".success-message").map(|t| {
        t.trim_start_matches("Authenticating with")
            .trim()
            .to_string()
    })
}

/// The page's "Change Device" link (to PingID's device picker).
pub fn change_device_link(page: &Page) -> Option<Url> {
    page.elements("a[href]").into_iter().find_map(|a| {
        let href = a.attr("href")?;
        let url = page.base_url().join(href.trim()).ok()?;
        url.path()
            .trim_end_matches('/')
            .ends_with("/pingid/ppm/devices")
            .then_some(url)
    })
}

/// Whether `--mfa-factor` fits the page PingID chose: the kind of step
/// (push on a push page, a code on a passcode page) or the device's name.
pub fn factor_fits(factor: &str, page: &Page) -> bool {
    let f = devices::normalize(factor);
    let push_page = matches!(
        recognise(page),
        Some(PingIdPage::Push(_) | PingIdPage::PushPost(_))
    );
    let kind_fits = if push_page {
        devices::PUSH_WORDS.contains(&f.as_str())
    } else {
        devices::CODE_WORDS.contains(&f.as_str())
    };
    kind_fits
        || current_device(page)
            .is_some_and(|d| !f.is_empty() && devices::normalize(&d).contains(&f))
}
