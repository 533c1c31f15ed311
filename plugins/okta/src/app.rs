//! The AWS app page: the SAML form, an app-level step-up (MFA again), the
//! sign-in page (no valid session), or something else, described for the
//! error message.

use plugin_api::{HttpResponse, PluginError, Secret};
use plugin_kit::html::Page;

/// What the app link answered.
#[derive(Debug)]
pub enum AppPage {
    /// The form posting the assertion to AWS.
    Saml(Secret<String>),
    /// The app wants a second factor again (transaction `state_token`).
    StepUp { state_token: String },
    /// Okta's sign-in page: the session or token was not accepted.
    SignIn,
    /// Anything else, described for a message (`an Okta error page ...`).
    Other(String),
}

/// Classify an app-link answer (after redirects).
pub fn classify(resp: &HttpResponse) -> AppPage {
    let text = resp.text();
    let Ok(page) = Page::parse(&resp.url, &text) else {
        return AppPage::Other(format!(
            "an answer from an unusable URL (HTTP {})",
            resp.status
        ));
    };
    if let Some(post) = page.saml_post() {
        return AppPage::Saml(Secret::new(post.saml_response));
    }
    let path = page.url.path().to_string();
    // A script variable on Okta's own pages; a hidden `stateToken` input
    // on custom sign-in pages that post it back.
    let hidden = || {
        page.attr_of("input[name=stateToken]", "value")
            .filter(|v| !v.trim().is_empty())
    };
    let token = state_token_in(&page.scripts()).or_else(hidden).or_else(|| {
        path.contains("/login/step-up/")
            .then(|| {
                page.url
                    .query_pairs()
                    .find(|(k, _)| k == "stateToken")
                    .map(|(_, v)| v.into_owned())
            })
            .flatten()
    });
    if let Some(state_token) = token.filter(|t| !t.is_empty()) {
        return AppPage::StepUp { state_token };
    }
    let title = page.title().unwrap_or_default();
    let sign_in = path.starts_with("/login/login.htm")
        || path.starts_with("/login/default")
        || path.starts_with("/signin")
        || title.to_ascii_lowercase().ends_with("sign in")
        || page.attr_of("#okta-sign-in", "id").is_some()
        || page.attr_of("#signin-container", "id").is_some();
    if sign_in && resp.status < 400 {
        return AppPage::SignIn;
    }
    AppPage::Other(describe(&page, resp.status, &title))
}

fn describe(page: &Page, status: u16, title: &str) -> String {
    let detail = [".error-content", ".o-form-explain", "h1", "h2", "p"]
        .iter()
        .find_map(|css| page.text_of(css))
        .map(|t| truncate(&t, 200))
        .unwrap_or_default();
    let kind = if status >= 400 || title.to_ascii_lowercase().contains("error") {
        "an Okta error page"
    } else {
        "a page without a SAMLResponse form"
    };
    let mut s = format!("{kind} (HTTP {status}");
    if !title.is_empty() {
        s.push_str(&format!(", title '{}'", truncate(title, 80)));
    }
    s.push(')');
    if !detail.is_empty() {
        s.push_str(&format!(": {detail}"));
    }
    s
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}...", s.chars().take(max).collect::<String>())
    }
}

/// The error for an app page that is not the SAML form.
pub fn no_assertion(what: &str) -> PluginError {
    PluginError::protocol(format!(
        "the Okta app link did not return a SAML assertion; it returned {what}"
    ))
    .with_hint("check that -e is the embed link of the AWS app and that the app is assigned to you in Okta")
}

/// `var stateToken = '...'` in inline scripts, JavaScript-unescaped.
pub fn state_token_in(scripts: &[String]) -> Option<String> {
    scripts.iter().find_map(|s| {
        // Classic pages may declare `var stateToken = '';`: skip empty ones.
        s.match_indices("stateToken").find_map(|(at, _)| {
            quoted_value(&s[at + "stateToken".len()..]).filter(|t| !t.is_empty())
        })
    })
}

/// The JavaScript string after `= ` or `: `, unescaped; `None` when the
/// name is not being assigned a string literal here.
fn quoted_value(after_name: &str) -> Option<String> {
    // `"stateToken":"..."` (a JSON-style object key) closes its quote first.
    let rest = after_name
        .strip_prefix('"')
        .or_else(|| after_name.strip_prefix('\''))
        .unwrap_or(after_name)
        .trim_start();
    let rest = rest
        .strip_prefix('=')
        .or_else(|| rest.strip_prefix(':'))?
        .trim_start();
    let quote = rest.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let mut out = String::new();
    let mut chars = rest[1..].chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next()? {
                'x' => out.push(hex_char(&mut chars, 2)?),
                'u' => out.push(hex_char(&mut chars, 4)?),
                'n' => out.push('\n'),
                other => out.push(other),
            },
            c if c == quote => return Some(out),
            c => out.push(c),
        }
    }
    None
}

fn hex_char(chars: &mut std::str::Chars<'_>, digits: usize) -> Option<char> {
    let hex: String = chars.by_ref().take(digits).collect();
    char::from_u32(u32::from_str_radix(&hex, 16).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(url: &str, status: u16, body: &str) -> HttpResponse {
        HttpResponse::new(status, url).with_body(body.as_bytes())
    }

    #[test]
    fn saml_form_is_found_and_unescaped() {
        let body = r#"<html><body><form id="appForm" action="https://signin.aws.amazon.com/saml" method="POST">
<input name="SAMLResponse" type="hidden" value="PHNh&#x2b;bWw&#x3d;"/><input name="RelayState" type="hidden" value=""/></form></body></html>"#;
        match classify(&resp("https://o/home/amazon_aws/a/272", 200, body)) {
            AppPage::Saml(s) => assert_eq!(s.expose(), "PHNh+bWw="),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn step_up_token_from_script_with_hex_escapes() {
        let scripts = vec![
            "var x = 1;".to_string(),
            "var baseUrl = 'https\\x3A\\x2F\\x2Fo';\nvar stateToken = '00ab\\x2Dcd\\u002Def';"
                .to_string(),
        ];
        assert_eq!(state_token_in(&scripts).as_deref(), Some("00ab-cd-ef"));
        assert_eq!(
            state_token_in(&["stateToken: \"x\\x2Dy\"".to_string()]).as_deref(),
            Some("x-y")
        );
        assert_eq!(state_token_in(&["var stateToken;".to_string()]), None);
        assert_eq!(
            state_token_in(&[
                "var stateToken = '';\nvar x = {stateToken: 'eyJ.a\\x5Fb'};".to_string()
            ])
            .as_deref(),
            Some("eyJ.a_b")
        );
        assert_eq!(
            state_token_in(&[
                r#"var oktaData = {"signIn":{"baseUrl":"x","stateToken":"02a\x2Db"}};"#.to_string()
            ])
            .as_deref(),
            Some("02a-b")
        );
        assert_eq!(
            state_token_in(&["if (stateToken) {}\nvar stateToken = 'z';".to_string()]).as_deref(),
            Some("z")
        );
        let custom = r#"<html><body><form method="post" action="/signin"><input type="hidden" name="stateToken" value="02hid-den"/></form></body></html>"#;
        match classify(&resp("https://o/login/login.htm", 200, custom)) {
            AppPage::StepUp { state_token } => assert_eq!(state_token, "02hid-den"),
            other => panic!("{other:?}"),
        }
        let body = "<html><head><title>Extra Verification</title></head><body><script>var stateToken = '00a\\x2Db';</script></body></html>";
        match classify(&resp(
            "https://o/login/step-up/redirect?stateToken=00a-b",
            200,
            body,
        )) {
            AppPage::StepUp { state_token } => assert_eq!(state_token, "00a-b"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn step_up_token_from_redirect_url() {
        match classify(&resp(
            "https://o/login/step-up/redirect?stateToken=abc",
            200,
            "<html></html>",
        )) {
            AppPage::StepUp { state_token } => assert_eq!(state_token, "abc"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn sign_in_page_is_recognised() {
        let body = "<html><head><title>example - Sign In</title></head><body><div id='signin-container'></div></body></html>";
        assert!(matches!(
            classify(&resp("https://o/login/login.htm?fromURI=x", 200, body)),
            AppPage::SignIn
        ));
        assert!(matches!(
            classify(&resp(
                "https://o/other",
                200,
                "<title>Acme - Sign In</title>"
            )),
            AppPage::SignIn
        ));
    }

    #[test]
    fn error_page_is_described() {
        let body = "<html><head><title>example - Error</title></head><body><h1>403</h1><p class='error-content'>Sorry, you can't access AWS because you are not assigned this app in Okta.</p></body></html>";
        match classify(&resp("https://o/home/amazon_aws/a/272", 403, body)) {
            AppPage::Other(d) => {
                assert!(
                    d.starts_with("an Okta error page (HTTP 403, title 'example - Error')"),
                    "{d}"
                );
                assert!(d.contains("not assigned this app"), "{d}");
            }
            other => panic!("{other:?}"),
        }
        match classify(&resp("https://o/x", 200, "<html><body>hello</body></html>")) {
            AppPage::Other(d) => assert_eq!(d, "a page without a SAMLResponse form (HTTP 200)"),
            other => panic!("{other:?}"),
        }
    }
}
