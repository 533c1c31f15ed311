//! Queries on a parsed page: its forms, title, texts, attributes,
//! elements, base URL, form actions and meta refresh.

use scraper::{ElementRef, Html, Selector};
use url::Url;

use super::form::{read_form, Form};
use super::limit::{limit_nesting, MAX_NESTING};
use super::{collapse, sel};

/// A parsed page and the URL it came from (after redirects).
#[derive(Clone)]
pub struct Page {
    pub url: Url,
    pub(super) doc: Html,
}

impl std::fmt::Debug for Page {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Page")
            .field("url", &self.url.as_str())
            .finish()
    }
}

impl Page {
    /// Parse `body` as served from `url`.
    pub fn parse(url: &str, body: &str) -> Result<Page, url::ParseError> {
        let url = Url::parse(url)?;
        Ok(Page {
            url,
            doc: Html::parse_document(limit_nesting(body, MAX_NESTING)),
        })
    }

    /// Every form in document order.
    pub fn forms(&self) -> Vec<Form> {
        let form_sel = sel("form");
        self.doc
            .select(&form_sel)
            .enumerate()
            .map(|(index, f)| read_form(f, index))
            .collect()
    }

    /// The page `<title>`, trimmed.
    pub fn title(&self) -> Option<String> {
        self.doc
            .select(&sel("title"))
            .next()
            .map(|t| collapse(&t.text().collect::<String>()))
            .filter(|t| !t.is_empty())
    }

    /// Visible text of the first element matching a CSS selector.
    pub fn text_of(&self, css: &str) -> Option<String> {
        let s = Selector::parse(css).ok()?;
        self.doc
            .select(&s)
            .map(|e| collapse(&e.text().collect::<String>()))
            .find(|t| !t.is_empty())
    }

    /// An attribute of the first element matching a CSS selector.
    pub fn attr_of(&self, css: &str, attr: &str) -> Option<String> {
        let s = Selector::parse(css).ok()?;
        self.doc
            .select(&s)
            .find_map(|e| e.value().attr(attr).map(str::to_owned))
    }

    /// The text of every `<script>` element (for pages that carry state in
    /// JavaScript variables).
    pub fn scripts(&self) -> Vec<String> {
        self.doc
            .select(&sel("script"))
            .map(|e| e.text().collect::<String>())
            .collect()
    }

    /// The absolute URL a form submits to, resolved against this page's URL
    /// (an absent or empty action means the page itself; `?` means the same
    /// path with an empty query).
    ///
    /// A `<base href>` in the page changes the base of relative actions, as
    /// in browsers (PingFederate templates carry one).
    pub fn resolve_action(&self, form: &Form) -> Result<Url, url::ParseError> {
        match form.action.as_deref().map(str::trim) {
            None | Some("") => Ok(self.url.clone()),
            Some(a) => self.base_url().join(a),
        }
    }

    /// The base for relative URLs: the first `<base href>` resolved against
    /// the page URL, or else the page URL.
    pub fn base_url(&self) -> Url {
        self.attr_of("base[href]", "href")
            .and_then(|h| self.url.join(h.trim()).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .unwrap_or_else(|| self.url.clone())
    }

    pub(super) fn form_element(&self, form: &Form) -> Option<ElementRef<'_>> {
        self.doc.select(&sel("form")).nth(form.index)
    }

    /// The form named by `spec`: a CSS selector (`#login`, `form.login`,
    /// `form[action*=login]`; an element inside a form selects that form),
    /// or else a form's bare `id` or `name`.
    pub fn find_form(&self, spec: &str) -> Option<Form> {
        let spec = spec.trim();
        if spec.is_empty() {
            return None;
        }
        let forms = self.forms();
        if let Ok(s) = Selector::parse(spec) {
            let form_ids: Vec<_> = self.doc.select(&sel("form")).map(|f| f.id()).collect();
            for el in self.doc.select(&s) {
                let mut node = Some(el);
                while let Some(n) = node {
                    if let Some(i) = form_ids.iter().position(|id| *id == n.id()) {
                        return forms.get(i).cloned();
                    }
                    node = n.parent().and_then(ElementRef::wrap);
                }
            }
        }
        forms
            .into_iter()
            .find(|f| f.id.as_deref() == Some(spec) || f.name.as_deref() == Some(spec))
    }
}

/// An element found by [`Page::elements`]: its tag, visible text and
/// attributes (entity-decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub tag: String,
    /// Text content with whitespace collapsed.
    pub text: String,
    pub attrs: Vec<(String, String)>,
}

impl Element {
    fn read(e: ElementRef<'_>) -> Element {
        Element {
            tag: e.value().name().to_string(),
            text: collapse(&e.text().collect::<String>()),
            attrs: e
                .value()
                .attrs()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    /// The value of attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl Page {
    /// Every element matching a CSS selector (none for an invalid one).
    pub fn elements(&self, css: &str) -> Vec<Element> {
        let Ok(s) = Selector::parse(css) else {
            return Vec::new();
        };
        self.doc.select(&s).map(Element::read).collect()
    }

    /// The target of a `<meta http-equiv="refresh" content="N; url=...">`
    /// redirect, resolved against the page, if the page has one.
    pub fn meta_refresh(&self) -> Option<Url> {
        let content = self
            .elements("meta[http-equiv]")
            .into_iter()
            .find(|m| {
                m.attr("http-equiv")
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case("refresh"))
            })?
            .attr("content")?
            .to_string();
        let (_, rest) = content.split_once([';', ','])?;
        let rest = rest.trim();
        let target = match rest.get(..4) {
            Some(p) if p.eq_ignore_ascii_case("url=") => &rest[4..],
            _ => rest,
        };
        let target = target.trim().trim_matches(|c| c == '\'' || c == '"').trim();
        if target.is_empty() {
            return None;
        }
        self.base_url()
            .join(target)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
    }
}

impl Page {
    /// Every element matching `css`, each with the visible text of its
    /// first descendant matching `label_css` (`None` when it has none), for
    /// lists whose items carry an id in an attribute and a name inside, as
    /// PingID's device list (`li[data-id]` > `.device-name`).
    pub fn items(&self, css: &str, label_css: &str) -> Vec<(Element, Option<String>)> {
        let (Ok(outer), Ok(inner)) = (Selector::parse(css), Selector::parse(label_css)) else {
            return Vec::new();
        };
        self.doc
            .select(&outer)
            .map(|e| {
                let label = e
                    .select(&inner)
                    .map(|l| collapse(&l.text().collect::<String>()))
                    .find(|t| !t.is_empty());
                (Element::read(e), label)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn question_mark_action_keeps_path_and_drops_query() {
        let html = r#"<form action="?" method="post"><input name="a" value="1"></form>"#;
        let page = Page::parse(
            "https://idp/module.php/core/loginuserpass.php?AuthState=x",
            html,
        )
        .unwrap();
        let f = &page.forms()[0];
        assert_eq!(
            page.resolve_action(f).unwrap().as_str(),
            "https://idp/module.php/core/loginuserpass.php?"
        );
    }

    #[test]
    fn base_href_changes_relative_actions() {
        let html =
            r#"<head><base href="https://other.example/app/"></head><form action="login"></form>"#;
        let page = Page::parse("https://idp.example/x/y", html).unwrap();
        assert_eq!(
            page.resolve_action(&page.forms()[0]).unwrap().as_str(),
            "https://other.example/app/login"
        );
        let page = Page::parse("https://idp.example/x/y", "<form action=login></form>").unwrap();
        assert_eq!(
            page.resolve_action(&page.forms()[0]).unwrap().as_str(),
            "https://idp.example/x/login"
        );
    }

    #[test]
    fn elements_and_meta_refresh() {
        let html = r##"<head><meta http-equiv="Refresh" content="0; URL='/next?a=1&amp;b=2'"></head>
          <a href="#" onclick="return SelectOption('A');">Use  A</a><a onclick="x">B</a>"##;
        let page = Page::parse("https://idp.example/x/y", html).unwrap();
        let links = page.elements("a[onclick]");
        assert_eq!(links.len(), 2);
        assert_eq!(links[0].text, "Use A");
        assert_eq!(links[0].attr("ONCLICK"), Some("return SelectOption('A');"));
        assert_eq!(
            page.meta_refresh().unwrap().as_str(),
            "https://idp.example/next?a=1&b=2"
        );
        assert!(page.elements("[[bad").is_empty());
        let none =
            Page::parse("https://x/", r#"<meta http-equiv="refresh" content="30">"#).unwrap();
        assert_eq!(none.meta_refresh(), None);
    }
}
