//! The login walk's answers to PingID's pages.

use plugin_api::{ErrorKind, PluginError};
use plugin_kit::browser::{redacted, Loaded};
use plugin_kit::html::Page;
use plugin_kit::walk::{Sends, Tab};

use super::{devices, push, Device, PingIdPage};
use crate::needs_browser::needs_browser;
use crate::state::State;

/// What a browser that cannot use a security key answers PingID's
/// WebAuthn check with (PingID API, `formParameters`: with `false` "FIDO
/// devices will be ignored"; blank reads as `true`, saml2aws PR #268).
const NO_WEBAUTHN: &str = "false";

impl State<'_> {
    /// Answer one PingID page; the page PingID serves next.
    pub(crate) fn pingid(
        &mut self,
        tab: &mut Tab<'_>,
        loaded: &Loaded,
        step: PingIdPage,
    ) -> Result<Loaded, PluginError> {
        let host = tab.host();
        let page = &loaded.page;
        match step {
            PingIdPage::Error(text) => Err(PluginError::new(
                ErrorKind::MfaRejected,
                format!("PingID: {text}"),
            )
            .with_hint("run again, or choose another PingID device with --mfa-factor NAME")),
            PingIdPage::SecurityKey => Err(needs_browser(&format!(
                "PingID asks for a FIDO security key on {}",
                page.describe()
            ))),
            PingIdPage::WebAuthnCheck(form) => {
                tab.once(page, &form)?;
                host.debug("answering PingID's WebAuthn check as a browser without a security key");
                let fields = form.fill(&[("isWebAuthnSupportedByBrowser", NO_WEBAUTHN)]);
                tab.submit(page, &form, &fields, Sends::Nothing)
            }
            PingIdPage::Devices { form, devices } => {
                tab.once(page, &form)?;
                let chosen = self.choose_device(tab, &devices)?;
                host.debug(&format!("choosing the PingID device {}", chosen.name));
                let fields = form.fill(&[("deviceId", chosen.id.as_str())]);
                tab.submit(page, &form, &fields, Sends::Nothing)
            }
            PingIdPage::Push(p) => {
                tab.once(page, &p.status)?;
                self.mfa_started = true;
                let timeout = std::time::Duration::from_secs(self.request.mfa.timeout_secs.max(1));
                push::wait(tab, page, &p, timeout)
            }
            PingIdPage::PushPost(form) => {
                tab.once(page, &form)?;
                self.mfa_started = true;
                let on = super::current_device(page)
                    .map(|d| format!(" on {d}"))
                    .unwrap_or_default();
                host.notify(&format!(
                    "PingID: approve the sign-in request in the PingID app{on}"
                ));
                let fields = form.submission();
                tab.submit(page, &form, &fields, Sends::Nothing)
            }
        }
    }

    /// When `--mfa-factor` asks for another device than the one PingID
    /// chose for a push or passcode page, its "Change Device" link (once).
    pub(crate) fn pingid_switch(&mut self, tab: &Tab<'_>, page: &Page) -> Option<url::Url> {
        let factor = self.request.mfa.factor.as_deref()?;
        let is_step = super::is_passcode_page(page)
            || matches!(
                super::recognise(page),
                Some(PingIdPage::Push(_) | PingIdPage::PushPost(_))
            );
        if !is_step || self.device_switched || super::factor_fits(factor, page) {
            return None;
        }
        let link = super::change_device_link(page)?;
        self.device_switched = true;
        tab.host().debug(&format!(
            "--mfa-factor {factor} is not the device PingID chose; opening its device list ({})",
            redacted(&link)
        ));
        Some(link)
    }

    /// The device: the one `--mfa-factor` names, the only one, or one
    /// picked on the terminal.
    fn choose_device<'d>(
        &self,
        tab: &Tab<'_>,
        list: &'d [Device],
    ) -> Result<&'d Device, PluginError> {
        let names = || {
            list.iter()
                .map(|d| d.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        if let Some(factor) = self.request.mfa.factor.as_deref() {
            return list
                .iter()
                .find(|d| devices::matches(factor, d))
                .ok_or_else(|| {
                    PluginError::config(format!(
                        "--mfa-factor {factor}: PingID offers no such device (it offers {})",
                        names()
                    ))
                    .with_hint("name one of those devices with --mfa-factor, or use push / totp")
                });
        }
        if let [only] = list {
            return Ok(only);
        }
        if !self.request.interactive {
            return Err(PluginError::new(
                ErrorKind::NoTerminal,
                format!(
                    "PingID asks which device to use ({}) and there is no terminal to ask on",
                    names()
                ),
            )
            .with_hint(format!(
                "name the device with --mfa-factor (e.g. --mfa-factor \"{}\"), or run once in a terminal",
                list[0].name
            )));
        }
        let labels: Vec<String> = list
            .iter()
            .map(|d| {
                if d.selected {
                    format!("{} (PingID's default)", d.name)
                } else {
                    d.name.clone()
                }
            })
            .collect();
        let i = tab
            .host()
            .choose("PingID: which device do you want to use?", &labels)?;
        list.get(i)
            .ok_or_else(|| PluginError::new(ErrorKind::Cancelled, "no PingID device chosen"))
    }
}
