//! HTML pages as a browser without JavaScript sees them.
//!
//! Parsing uses a real HTML5 parser (`scraper`/`html5ever`), so entity
//! decoding, valueless attributes, nameless inputs, unclosed tags and
//! several forms per page all behave as in a browser. One concern a file:
//! [`page`] queries, [`form`] the form model and what a browser submits,
//! [`fill`] which inputs a person fills, [`errors`] the IdP's own error
//! text, [`limit`] the nesting bound that keeps hostile pages cheap. SAML
//! POST pages are read in [`crate::saml_post`].

mod errors;
mod fill;
mod form;
mod limit;
mod page;

use scraper::Selector;

pub use crate::saml_post::SamlPost;
pub use errors::ERROR_SELECTORS;
pub use form::{Field, Form};
pub use limit::limit_nesting;
pub use page::{Element, Page};

/// A selector from a literal of this module. Only literals come here (never
/// page or user input), and `every_static_selector_parses` checks each one,
/// so a parse failure is a bug caught by the tests, not a runtime case.
#[allow(clippy::expect_used)]
fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("static selector")
}

/// Collapse runs of whitespace and trim.
pub fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `s` cut to at most `max` characters, with `…` after a cut (an IdP's
/// text in our messages: some put whole help texts where the error goes).
pub fn shorten(s: String, max: usize) -> String {
    if s.chars().count() <= max {
        return s;
    }
    let mut out: String = s.chars().take(max).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_static_selector_parses() {
        let literals = [
            "form",
            "title",
            "script",
            "input, button",
            "h1, h2, h3",
            "input, select, textarea, button",
            "option",
        ];
        for css in literals.iter().chain(ERROR_SELECTORS.iter()) {
            assert!(Selector::parse(css).is_ok(), "{css}");
        }
    }
}
