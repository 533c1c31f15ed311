//! Why an IdP refused a sign-in, read from the words on its error page, so
//! a plugin can say it in the user's terms (a locked account, an expired
//! password, a lost session, throttling) with the hint that fits, and
//! still show the IdP's own text.
//!
//! The phrases are the stock texts of real IdPs (their message bundles):
//! PingFederate `pingfederate-messages.properties` (`authn.srvr.msg.*`,
//! `state.not.found.error.page.template.*`), Shibboleth IdP
//! `authn-messages.properties`, `messages_de.properties` (`account-locked`,
//! `expired-password`, `stale`), Keycloak `messages_en.properties`
//! (`accountDisabledMessage`, `loginTimeout`, `expiredCodeMessage`,
//! `cookieNotFoundMessage`), SimpleSAMLphp ("State information lost"), AD
//! FS (the `errorText` of its sign-in page). A text that matches none is
//! [`Refusal::Other`]: the caller keeps its own wording. Keycloak words a
//! brute-force lockout exactly like a wrong password on purpose, so that
//! one reads as [`Refusal::Credentials`].

use plugin_api::{ErrorKind, PluginError};

use crate::html::Page;

/// What a refusal is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The account is locked or disabled.
    Locked,
    /// The password expired or must be changed before signing in.
    PasswordExpired,
    /// The IdP lost or timed out its sign-in session (a stale page, a
    /// missing cookie).
    SessionExpired,
    /// Too many attempts: the IdP refuses for a while.
    Throttled,
    /// Wrong username or password.
    Credentials,
    /// None of the above.
    Other,
}

/// Lower-cased phrases, checked in this order (an expired password before
/// an expired session, a lock before "try again later").
const PHRASES: &[(Refusal, &[&str])] = &[
    (
        Refusal::PasswordExpired,
        &[
            "password has expired",
            "password is expired",
            "password expired",
            "password must be changed",
            "password must be reset",
            "must change your password",
            "passwort ist abgelaufen",
        ],
    ),
    (
        Refusal::Locked,
        &[
            "account is locked",
            "account has been locked",
            "account locked",
            "locked out",
            "account is disabled",
            "account has been disabled",
            "account is temporarily disabled",
            "benutzerkonto ist gesperrt",
            "konto ist gesperrt",
        ],
    ),
    (
        Refusal::Throttled,
        &["too many", "try again later", "retry later", "rate limit"],
    ),
    (
        Refusal::SessionExpired,
        &[
            "stale request",
            "veraltete anfrage",
            "timed out",
            "login timeout",
            "page has expired",
            "page expired",
            "no longer available",
            "state information lost",
            "cookie not found",
            "session has expired",
            "session expired",
        ],
    ),
    (
        Refusal::Credentials,
        &[
            "incorrect",
            "invalid username",
            "invalid user",
            "invalid credentials",
            "invalid password",
            "wrong",
            "didn't recognize",
            "did not recognize",
            "cannot be identified",
            "nicht korrekt",
            "ungültig",
        ],
    ),
];

/// Classify an IdP's error text.
pub fn classify(text: &str) -> Refusal {
    let lower = text.to_lowercase();
    PHRASES
        .iter()
        .find(|(_, phrases)| phrases.iter().any(|p| lower.contains(p)))
        .map(|(r, _)| *r)
        .unwrap_or(Refusal::Other)
}

impl Refusal {
    /// The cause in the user's terms, to lead the message with (`None`:
    /// the caller's own words fit better).
    pub fn what(self) -> Option<&'static str> {
        match self {
            Refusal::Locked => Some("the account is locked or disabled"),
            Refusal::PasswordExpired => Some("the password has expired and must be changed"),
            Refusal::SessionExpired => Some("the sign-in session expired or was lost"),
            Refusal::Throttled => Some("too many sign-in attempts; the IdP refuses for now"),
            Refusal::Credentials | Refusal::Other => None,
        }
    }

    /// What the user can do (`None`: the caller's own hint fits better).
    /// `idp_host` names where to go in a browser.
    pub fn hint(self, idp_host: &str) -> Option<String> {
        match self {
            Refusal::Locked => Some(
                "wait for the lockout to end or ask your IdP's help desk; more attempts may extend it"
                    .into(),
            ),
            Refusal::PasswordExpired => Some(format!(
                "change your password in a web browser at https://{idp_host}/, then run again"
            )),
            Refusal::SessionExpired => Some(
                "run again; if it keeps happening the IdP is dropping its session cookie (use the IdP's own host name in -e)"
                    .into(),
            ),
            Refusal::Throttled => Some("wait a few minutes before trying again".into()),
            Refusal::Credentials | Refusal::Other => None,
        }
    }
}

/// The error for an IdP's refusal `text` when its words name the cause:
/// led by the cause, with the IdP's own text and the fitting hint. `None`
/// for wrong credentials and unknown causes (the caller words those).
pub fn error(text: &str, idp_host: &str) -> Option<PluginError> {
    named(classify(text), text, idp_host)
}

/// [`error`] for a page: its error text classified together with its
/// title and headings (a "Stale Request" title says more than the
/// paragraph under it), or, without an error element, the first heading
/// that names a cause ("State information lost").
pub fn on_page(page: &Page) -> Option<PluginError> {
    let host = page.url.host_str().unwrap_or("the IdP");
    let headings: Vec<String> = page
        .elements("h1, h2, h3")
        .into_iter()
        .map(|h| h.text)
        .filter(|t| !t.is_empty())
        .collect();
    match page.error_message() {
        Some(text) => {
            let context = format!(
                "{text} | {} | {}",
                page.title().unwrap_or_default(),
                headings.join(" | ")
            );
            named(classify(&context), &text, host)
        }
        None => headings.iter().find_map(|h| named(classify(h), h, host)),
    }
}

fn named(refusal: Refusal, text: &str, idp_host: &str) -> Option<PluginError> {
    let what = refusal.what()?;
    // Only a wrong password is blamed on the password (a stored one is then
    // deleted); a lock, an expiry or throttling leaves it alone.
    let kind = match refusal {
        Refusal::SessionExpired => ErrorKind::Protocol,
        Refusal::Credentials => ErrorKind::AuthenticationFailed,
        _ => ErrorKind::AccessDenied,
    };
    let e = PluginError::new(kind, format!("{what}: the IdP says \"{text}\""));
    Some(match refusal.hint(idp_host) {
        Some(h) => e.with_hint(h),
        None => e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stock_texts_of_real_idps() {
        let cases = [
            // PingFederate authn.srvr.msg.*
            (
                "Your account is locked. Please contact your system administrator.",
                Refusal::Locked,
            ),
            (
                "Your password is expired and must be changed.",
                Refusal::PasswordExpired,
            ),
            (
                "We didn't recognize the username or password you entered. Please try again.",
                Refusal::Credentials,
            ),
            (
                "The page you are trying to access is no longer available.",
                Refusal::SessionExpired,
            ),
            // Shibboleth IdP (en, de)
            ("Your account is locked.", Refusal::Locked),
            ("Ihr Benutzerkonto ist gesperrt.", Refusal::Locked),
            ("Your password has expired.", Refusal::PasswordExpired),
            ("Das Passwort ist abgelaufen.", Refusal::PasswordExpired),
            (
                "The password you entered was incorrect.",
                Refusal::Credentials,
            ),
            (
                "Stale Request: You may be seeing this page",
                Refusal::SessionExpired,
            ),
            // Keycloak
            (
                "Account is disabled, contact your administrator.",
                Refusal::Locked,
            ),
            (
                "Account is temporarily disabled; contact your administrator or retry later.",
                Refusal::Locked,
            ),
            (
                "Your login attempt timed out. Login will start from the beginning.",
                Refusal::SessionExpired,
            ),
            ("Invalid username or password.", Refusal::Credentials),
            // SimpleSAMLphp
            (
                "State information lost, and no way to restart the request",
                Refusal::SessionExpired,
            ),
            ("An unexpected error occurred.", Refusal::Other),
        ];
        for (text, want) in cases {
            assert_eq!(classify(text), want, "{text}");
        }
    }

    #[test]
    fn errors_lead_with_the_cause_and_keep_the_idp_text() {
        let e = error("Your account is locked.", "idp.example.com").unwrap();
        assert_eq!(e.kind, ErrorKind::AccessDenied);
        assert_eq!(
            e.message,
            "the account is locked or disabled: the IdP says \"Your account is locked.\""
        );
        assert!(e.hint.unwrap().contains("help desk"));
        let e = error("State information lost", "idp").unwrap();
        assert_eq!(e.kind, ErrorKind::Protocol);
        assert!(error("Invalid username or password.", "idp").is_none());
    }

    #[test]
    fn pages_are_read_with_their_title_and_headings() {
        let stale = Page::parse(
            "https://idp.example.edu/idp/profile/SAML2/Redirect/SSO",
            "<title>Web Login Service - Stale Request</title><h2>Stale Request</h2><p class=\"form-error\">You may be seeing this page because you used the Back button.</p>",
        )
        .unwrap();
        let e = on_page(&stale).unwrap();
        assert_eq!(e.kind, ErrorKind::Protocol);
        assert!(
            e.message.starts_with(
                "the sign-in session expired or was lost: the IdP says \"You may be seeing"
            ),
            "{}",
            e.message
        );
        let lost = Page::parse(
            "https://idp.example.org/simplesaml/module.php/core/loginuserpass.php",
            "<title>SimpleSAMLphp error</title><h2>State information lost</h2><p>State information lost, and no way to restart the request</p>",
        )
        .unwrap();
        assert!(on_page(&lost)
            .unwrap()
            .message
            .contains("\"State information lost\""));
        let plain = Page::parse("https://idp/", "<title>Sign in</title><h1>Welcome</h1>").unwrap();
        assert!(on_page(&plain).is_none());
    }

    #[test]
    fn only_named_causes_lead_the_message() {
        assert!(Refusal::Credentials.what().is_none());
        assert!(Refusal::Other.hint("idp").is_none());
        assert!(Refusal::PasswordExpired
            .hint("idp.example.com")
            .unwrap()
            .contains("https://idp.example.com/"));
    }
}
