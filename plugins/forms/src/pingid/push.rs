//! Waiting for a PingID push (swipe or number matching) the way its page
//! scripts do: poll the status URL (`#form1`'s action, with its
//! `csrfToken`, by GET: saml2aws found PingID wants a GET there) until the
//! status is no longer `ASYNC_AUTH_WAIT`, then submit `#reponseView` with
//! that status. `#form1` itself is never posted (posting it brings the
//! same page back: the loop this replaces).
//!
//! Statuses seen (saml2aws `pkg/provider/pingfed/pingfed.go`):
//! `ASYNC_AUTH_WAIT` (keep waiting), `OK` (approved), `DEVICE_CLAIM_TIMEOUT`
//! and `TIMEOUT` (nobody answered). Anything else (a denial) goes to the
//! response page like the script does, and PingID's page says what
//! happened.

use std::time::Duration;

use plugin_api::{ErrorKind, Host, HttpRequest, PluginError};
use plugin_kit::browser::{redacted, Loaded};
use plugin_kit::deadline::Deadline;
use plugin_kit::html::Page;
use plugin_kit::walk::{Sends, Tab};

use super::Push;

/// How often the status is polled (saml2aws polls every 3 s, gossamer3
/// every 2 s; the page's script is not public).
pub const POLL_INTERVAL: Duration = Duration::from_secs(2);

/// What a status answer means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Still waiting for the person.
    Waiting,
    /// Approved.
    Approved,
    /// Nobody answered in PingID's time.
    TimedOut,
    /// Something else (a denial, an error): the response page tells.
    Other(String),
}

/// Read a status value.
pub fn classify_status(status: &str) -> Status {
    let s = status.trim().to_ascii_uppercase();
    if s == "OK" {
        Status::Approved
    } else if s.contains("TIMEOUT") {
        Status::TimedOut
    } else if s.contains("WAIT") || s == "PENDING" {
        Status::Waiting
    } else {
        Status::Other(status.trim().to_string())
    }
}

/// What the person is asked to do, shown once on the terminal.
pub fn notice(push: &Push, limit: Duration) -> String {
    let on = push
        .device
        .as_deref()
        .map(|d| format!(" on {d}"))
        .unwrap_or_default();
    let ask = match &push.number {
        Some(n) => format!("PingID: select number {n} in the PingID app{on}"),
        None => format!("PingID: approve the sign-in request in the PingID app{on}"),
    };
    format!("{ask} (waiting up to {} s)", limit.as_secs())
}

/// Wait for the push on `page` and submit the response form; returns the
/// page PingID answers with.
pub(crate) fn wait(
    tab: &mut Tab<'_>,
    page: &Page,
    push: &Push,
    timeout: Duration,
) -> Result<Loaded, PluginError> {
    let host = tab.host();
    let mut url = page.resolve_action(&push.status).map_err(|e| {
        PluginError::protocol(format!("PingID's status form has an invalid action ({e})"))
    })?;
    url.set_fragment(None);
    url.query_pairs_mut().extend_pairs(push.status.submission());
    let mut deadline = Deadline::after(timeout);
    host.notify(&notice(push, timeout));
    let status = loop {
        if deadline.passed() {
            return Err(PluginError::new(
                ErrorKind::MfaTimeout,
                format!(
                    "no answer to the PingID push within {} s",
                    deadline.limit().as_secs()
                ),
            )
            .with_hint("approve the request on your phone sooner, or raise --mfa-timeout"));
        }
        deadline.sleep(host, POLL_INTERVAL)?;
        let status = poll(host, &url)?;
        host.debug(&format!("PingID push status: {status}"));
        match classify_status(&status) {
            Status::Waiting => continue,
            Status::TimedOut => {
                return Err(PluginError::new(
                    ErrorKind::MfaTimeout,
                    format!("PingID: nobody answered the push in time (status {status})"),
                )
                .with_hint(
                    "approve the request on your phone when it arrives, or pick a passcode device with --mfa-factor",
                ))
            }
            Status::Approved | Status::Other(_) => break status,
        }
    };
    let mut fields = push.response.submission();
    if let Some(slot) = fields.iter_mut().find(|(n, _)| n == "status") {
        slot.1 = status;
    }
    tab.submit(page, &push.response, &fields, Sends::Nothing)
}

/// One status request: the `status` of PingID's JSON answer.
fn poll(host: &Host, url: &url::Url) -> Result<String, PluginError> {
    // What jQuery's $.getJSON sends; the page loads jQuery for its scripts.
    let request = HttpRequest::get(url.as_str())
        .header("Accept", "application/json, text/javascript, */*; q=0.01")
        .header("X-Requested-With", "XMLHttpRequest");
    let resp = host.http(request)?;
    if !resp.is_success() {
        return Err(PluginError::protocol(format!(
            "PingID's status URL {} answered HTTP {}",
            redacted(url),
            resp.status
        ))
        .with_hint("run again; the push may have expired"));
    }
    let value: serde_json::Value = resp.json().map_err(|_| {
        PluginError::protocol(format!(
            "PingID's status URL {} did not answer with JSON",
            redacted(url)
        ))
    })?;
    value
        .get("status")
        .and_then(|s| s.as_str())
        .map(str::to_owned)
        .ok_or_else(|| {
            PluginError::protocol(format!(
                "PingID's status answer from {} has no status",
                redacted(url)
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_seen_in_real_clients() {
        assert_eq!(classify_status("ASYNC_AUTH_WAIT"), Status::Waiting);
        assert_eq!(classify_status("OK"), Status::Approved);
        assert_eq!(classify_status("DEVICE_CLAIM_TIMEOUT"), Status::TimedOut);
        assert_eq!(classify_status("TIMEOUT"), Status::TimedOut);
        assert_eq!(
            classify_status("DENIED"),
            Status::Other("DENIED".to_string())
        );
    }

    #[test]
    fn the_notice_names_number_and_device() {
        let page = Page::parse(
            "https://authenticator.pingone.com/pingid/ppm/auth",
            "<form id=form1></form><form id=reponseView></form>",
        )
        .unwrap();
        let forms = page.forms();
        let push = Push {
            status: forms[0].clone(),
            response: forms[1].clone(),
            device: Some("iPhone X".into()),
            number: Some("42".into()),
        };
        assert_eq!(
            notice(&push, Duration::from_secs(120)),
            "PingID: select number 42 in the PingID app on iPhone X (waiting up to 120 s)"
        );
    }
}
