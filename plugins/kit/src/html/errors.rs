//! The IdP's own error text on a page, and a short description of a page
//! for our messages.

use scraper::ElementRef;

use super::page::Page;
use super::{collapse, sel, shorten};

/// CSS selectors of elements in which IdPs put their error messages
/// (ADFS, Keycloak, Shibboleth, PingFederate, SimpleSAMLphp, generic).
pub const ERROR_SELECTORS: &[&str] = &[
    "#errorText",
    "[id$=ErrorTextLabel]",
    ".kc-feedback-text",
    "#input-error",
    ".alert-error",
    ".alert-danger",
    ".form-error",
    ".output--error",
    ".ping-error",
    "#error",
    ".error",
    ".errors",
    ".error-message",
    "[role=alert]",
];

/// Words that make a heading an error heading (SimpleSAMLphp answers a wrong
/// password with an `<h2>` such as "Incorrect username or password").
const ERROR_WORDS: &[&str] = &["error", "incorrect", "invalid", "failed", "wrong", "denied"];

/// Longest error text taken from a page (some IdPs put whole help texts there).
const MAX_ERROR_CHARS: usize = 300;

impl Page {
    /// The IdP's own error message on this page, if it shows one: the
    /// first visible, non-empty element matching [`ERROR_SELECTORS`], or
    /// else an `<h1>`-`<h3>` that speaks of an error (with the paragraph
    /// after it). Trimmed to a few hundred characters.
    pub fn error_message(&self) -> Option<String> {
        for css in ERROR_SELECTORS {
            let s = sel(css);
            let found = self
                .doc
                .select(&s)
                .filter(|e| visible(*e))
                .map(|e| collapse(&e.text().collect::<String>()))
                .find(|t| !t.is_empty());
            if let Some(t) = found {
                return Some(shorten(t, MAX_ERROR_CHARS));
            }
        }
        for h in self.doc.select(&sel("h1, h2, h3")).filter(|e| visible(*e)) {
            let text = collapse(&h.text().collect::<String>());
            let lower = text.to_lowercase();
            if !ERROR_WORDS.iter().any(|w| lower.contains(w)) {
                continue;
            }
            let detail = h
                .next_siblings()
                .filter_map(ElementRef::wrap)
                .find(|e| e.value().name() == "p")
                .map(|p| collapse(&p.text().collect::<String>()))
                .filter(|t| !t.is_empty());
            let text = match detail {
                Some(d) => format!("{text}: {d}"),
                None => text,
            };
            return Some(shorten(text, MAX_ERROR_CHARS));
        }
        None
    }

    /// A short description of the page for error messages: its title (if
    /// any) and the host that served it, never the query string.
    pub fn describe(&self) -> String {
        let host = self.url.host_str().unwrap_or("the server");
        match self.title() {
            Some(t) => format!("the page \"{}\" at {host}", shorten(t, MAX_ERROR_CHARS)),
            None => format!("the untitled page at {host}"),
        }
    }
}

/// Whether neither the element nor an ancestor is hidden (`hidden`
/// attribute or an inline `display:none`), as far as static HTML tells.
fn visible(el: ElementRef<'_>) -> bool {
    let mut node = Some(el);
    while let Some(n) = node {
        let v = n.value();
        if v.attr("hidden").is_some() {
            return false;
        }
        if let Some(style) = v.attr("style") {
            let s: String = style.chars().filter(|c| !c.is_whitespace()).collect();
            if s.to_ascii_lowercase().contains("display:none") {
                return false;
            }
        }
        node = n.parent().and_then(ElementRef::wrap);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_message_skips_hidden_and_empty_elements() {
        let html = r#"<html><body>
          <div id="error" class="error"><span id="errorText"></span></div>
          <div class="alert-error" style="display: none">Old error</div>
          <div hidden><p class="form-error">Hidden template</p></div>
          <p class="kc-feedback-text">  Invalid   username or password. </p>
        </body></html>"#;
        let page = Page::parse("https://x/", html).unwrap();
        assert_eq!(
            page.error_message().as_deref(),
            Some("Invalid username or password.")
        );
        let none = Page::parse("https://x/", "<h1>Welcome</h1><h2>Sign in</h2>").unwrap();
        assert_eq!(none.error_message(), None);
        let long = format!("<p class=error>{}</p>", "x".repeat(1000));
        let page = Page::parse("https://x/", &long).unwrap();
        assert_eq!(
            page.error_message().unwrap().chars().count(),
            MAX_ERROR_CHARS + 1
        );
    }
}
