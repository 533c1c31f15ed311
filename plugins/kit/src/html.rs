//! HTML forms as a browser without JavaScript sees them.
//!
//! Parsing uses a real HTML5 parser (`scraper`/`html5ever`), so entity
//! decoding, valueless attributes, nameless inputs, unclosed tags and
//! several forms per page all behave as in a browser.

use scraper::{ElementRef, Html, Selector};
use url::Url;

/// One `<input>`, `<select>`, `<textarea>` or `<button>` of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// `name` attribute; `None` for nameless controls (never submitted).
    pub name: Option<String>,
    /// Lower-cased `type` (`text` when absent; `select`, `textarea`, `button`
    /// for those elements).
    pub kind: String,
    /// Entity-decoded `value` (for a select: the selected option's value).
    pub value: String,
    pub id: Option<String>,
    /// `checked` for checkboxes and radios.
    pub checked: bool,
    pub disabled: bool,
    pub autocomplete: Option<String>,
    pub placeholder: Option<String>,
}

/// One `<form>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub id: Option<String>,
    pub name: Option<String>,
    /// Raw (entity-decoded) `action` attribute; `None` when absent.
    pub action: Option<String>,
    /// Upper-cased method, `GET` when absent.
    pub method: String,
    pub fields: Vec<Field>,
    /// Index of the form in document order.
    pub index: usize,
}

/// A parsed page and the URL it came from (after redirects).
#[derive(Clone)]
pub struct Page {
    pub url: Url,
    doc: Html,
}

impl std::fmt::Debug for Page {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Page")
            .field("url", &self.url.as_str())
            .finish()
    }
}

/// A selector from a literal in this file. Only literals come here (never
/// page or user input), and `every_static_selector_parses` checks each one,
/// so a parse failure is a bug caught by the tests, not a runtime case.
#[allow(clippy::expect_used)]
fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("static selector")
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

    /// A WebAuthn step: a form of hidden inputs that only a browser's
    /// `navigator.credentials` API can fill (`clientDataJSON` with
    /// `authenticatorData`/`signature` to sign in, or `attestationObject`
    /// to register a key), as Keycloak's `webauthn-authenticate.ftl` and
    /// `webauthn-register.ftl` pages. Posting it empty only makes the IdP
    /// count a failed attempt, so callers stop and name it instead.
    pub fn webauthn_form(&self) -> Option<Form> {
        self.forms().into_iter().find(|f| {
            f.has_field("clientDataJSON")
                && (f.has_field("authenticatorData")
                    || f.has_field("signature")
                    || f.has_field("attestationObject"))
                && f.fillable_fields().next().is_none()
        })
    }

    /// The form that posts a SAML response (a `SAMLResponse` field), if any.
    pub fn saml_post(&self) -> Option<SamlPost> {
        self.forms().into_iter().find_map(|f| {
            let value = crate::saml::unpercent(f.value_of("SAMLResponse")?.trim());
            if value.is_empty() {
                return None;
            }
            Some(SamlPost {
                action: self.resolve_action(&f).ok().map(|u| u.to_string()),
                saml_response: value,
                relay_state: f.value_of("RelayState").map(str::to_owned),
            })
        })
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
}

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
    fn form_element(&self, form: &Form) -> Option<ElementRef<'_>> {
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

    /// The name/value pair of the button a browser submits with the form
    /// when the user presses Enter (the form's first submit button), when
    /// that button has a name. ASP.NET pages such as ADFS 2.0 need it.
    pub fn default_button(&self, form: &Form) -> Option<(String, String)> {
        let el = self.form_element(form)?;
        let button = el.select(&sel("input, button")).find(|c| {
            let v = c.value();
            let ty = v.attr("type").map(|t| t.trim().to_ascii_lowercase());
            match v.name() {
                "input" => matches!(ty.as_deref(), Some("submit") | Some("image")),
                _ => matches!(ty.as_deref(), None | Some("") | Some("submit")),
            }
        })?;
        let v = button.value();
        if v.attr("disabled").is_some() || v.attr("type").map(str::trim) == Some("image") {
            return None;
        }
        let name = v.attr("name").filter(|n| !n.is_empty())?;
        let value = match v.name() {
            "input" => v.attr("value").unwrap_or("Submit").to_string(),
            _ => v.attr("value").map(str::to_owned).unwrap_or_default(),
        };
        Some((name.to_string(), value))
    }

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
                return Some(shorten(t));
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
            return Some(shorten(match detail {
                Some(d) => format!("{text}: {d}"),
                None => text,
            }));
        }
        None
    }

    /// A short description of the page for error messages: its title (if
    /// any) and the host that served it, never the query string.
    pub fn describe(&self) -> String {
        let host = self.url.host_str().unwrap_or("the server");
        match self.title() {
            Some(t) => format!("the page \"{}\" at {host}", shorten(t)),
            None => format!("the untitled page at {host}"),
        }
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
        self.doc
            .select(&s)
            .map(|e| Element {
                tag: e.value().name().to_string(),
                text: collapse(&e.text().collect::<String>()),
                attrs: e
                    .value()
                    .attrs()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            })
            .collect()
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
                let element = Element {
                    tag: e.value().name().to_string(),
                    text: collapse(&e.text().collect::<String>()),
                    attrs: e
                        .value()
                        .attrs()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                };
                (element, label)
            })
            .collect()
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

fn shorten(s: String) -> String {
    if s.chars().count() <= MAX_ERROR_CHARS {
        return s;
    }
    let mut out: String = s.chars().take(MAX_ERROR_CHARS).collect();
    out.push('…');
    out
}

/// A page that posts a SAML response onwards (to AWS or the next hop).
#[derive(Clone, PartialEq, Eq)]
pub struct SamlPost {
    pub action: Option<String>,
    /// Base64 as in the page (entity-decoded, and percent-decoded when a
    /// server put it there URL-encoded).
    pub saml_response: String,
    pub relay_state: Option<String>,
}

impl std::fmt::Debug for SamlPost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SamlPost")
            .field("action", &self.action)
            .field("saml_response", &"REDACTED")
            .finish()
    }
}

impl Form {
    /// The value of the first control named `name`.
    pub fn value_of(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.name.as_deref() == Some(name))
            .map(|f| f.value.as_str())
    }

    /// Whether the form has a control named `name`.
    pub fn has_field(&self, name: &str) -> bool {
        self.fields.iter().any(|f| f.name.as_deref() == Some(name))
    }

    /// The first password input.
    pub fn password_field(&self) -> Option<&Field> {
        self.fields
            .iter()
            .find(|f| f.kind == "password" && f.name.is_some() && !f.disabled)
    }

    /// The name/value pairs a browser would submit without clicking any
    /// particular button: named, enabled controls; checkboxes and radios only
    /// when checked; no buttons, submit, image, reset or file inputs.
    pub fn submission(&self) -> Vec<(String, String)> {
        self.fields
            .iter()
            .filter(|f| !f.disabled)
            .filter(|f| match f.kind.as_str() {
                "checkbox" | "radio" => f.checked,
                "submit" | "button" | "image" | "reset" | "file" => false,
                _ => true,
            })
            .filter_map(|f| {
                let name = f.name.as_ref()?;
                let value = if (f.kind == "checkbox" || f.kind == "radio") && f.value.is_empty() {
                    "on".to_string()
                } else {
                    f.value.clone()
                };
                Some((name.clone(), value))
            })
            .collect()
    }

    /// `submission()` with `overrides` replacing (or adding) values.
    pub fn fill(&self, overrides: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut out = self.submission();
        for (k, v) in overrides {
            if let Some(slot) = out.iter_mut().find(|(n, _)| n == k) {
                slot.1 = (*v).to_string();
            } else {
                out.push(((*k).to_string(), (*v).to_string()));
            }
        }
        out
    }
}

/// Lower-cased names that identify a username input on login pages seen in
/// the wild (exact matches, checked before the looser substring rules).
const USERNAME_NAMES: &[&str] = &[
    "username",
    "user",
    "userid",
    "user_id",
    "login",
    "loginid",
    "login_id",
    "email",
    "identifier",
    "j_username",
    "pf.username",
    "ctl00$contentplaceholder1$usernametextbox",
    "loginfmt",
    "uid",
    "subject",
];

impl Field {
    /// Whether a user can type into this control (a named, enabled text-like
    /// input that is not hidden).
    pub fn is_fillable(&self) -> bool {
        self.name.is_some()
            && !self.disabled
            && matches!(
                self.kind.as_str(),
                "text" | "email" | "tel" | "number" | "password" | "search" | "url" | "textarea"
            )
    }
}

impl Form {
    /// The input most likely to take the username: by `autocomplete`, then
    /// by well-known names and ids, then by `type=email`, then the only
    /// text input of the form.
    pub fn username_field(&self) -> Option<&Field> {
        let candidates: Vec<&Field> = self
            .fields
            .iter()
            .filter(|f| f.is_fillable() && f.kind != "password")
            .collect();
        let lower = |s: Option<&String>| s.map(|v| v.to_ascii_lowercase()).unwrap_or_default();
        if let Some(f) = candidates.iter().find(|f| {
            let ac = lower(f.autocomplete.as_ref());
            ac.contains("username") || ac.split_whitespace().any(|t| t == "email")
        }) {
            return Some(f);
        }
        if let Some(f) = candidates.iter().find(|f| {
            USERNAME_NAMES.contains(&lower(f.name.as_ref()).as_str())
                || USERNAME_NAMES.contains(&lower(f.id.as_ref()).as_str())
        }) {
            return Some(f);
        }
        if let Some(f) = candidates.iter().find(|f| {
            let n = lower(f.name.as_ref());
            n.contains("user") || n.contains("login") || n.contains("email") || n.ends_with("uid")
        }) {
            return Some(f);
        }
        if let Some(f) = candidates.iter().find(|f| f.kind == "email") {
            return Some(f);
        }
        match candidates.as_slice() {
            [only] => Some(only),
            _ => None,
        }
    }

    /// The fillable inputs (what a user could type into).
    pub fn fillable_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| f.is_fillable())
    }

    /// The field named `name` (first one).
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name.as_deref() == Some(name))
    }

    /// The field whose `id` is `id`.
    pub fn field_by_id(&self, id: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.id.as_deref() == Some(id))
    }

    /// The names of the form's fields, for messages (names are never
    /// secret): `"a, b"`, or `"none"`.
    pub fn field_names(&self) -> String {
        let names: Vec<&str> = self
            .fields
            .iter()
            .filter_map(|f| f.name.as_deref())
            .collect();
        if names.is_empty() {
            "none".into()
        } else {
            names.join(", ")
        }
    }

    /// A fingerprint of the form's shape (method, action and field names,
    /// not values), to notice when an IdP keeps serving the same form.
    pub fn shape(&self) -> String {
        let mut names: Vec<&str> = self
            .fields
            .iter()
            .filter_map(|f| f.name.as_deref())
            .collect();
        names.sort_unstable();
        names.dedup();
        format!(
            "{} {} [{}]",
            self.method,
            // The query often carries per-request state (AuthState, ids).
            self.action
                .as_deref()
                .unwrap_or("")
                .split('?')
                .next()
                .unwrap_or(""),
            names.join(",")
        )
    }
}

impl Form {
    /// The enabled, named password inputs. A form with two or more is a
    /// "choose a new password" form (current/new/confirm), not a sign-in.
    pub fn password_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields
            .iter()
            .filter(|f| f.kind == "password" && f.name.is_some() && !f.disabled)
    }
}

fn read_form(form: ElementRef<'_>, index: usize) -> Form {
    let attr = |n: &str| form.value().attr(n).map(str::to_owned);
    let mut fields = Vec::new();
    let controls = sel("input, select, textarea, button");
    for c in form.select(&controls) {
        let el = c.value();
        let tag = el.name();
        let a = |n: &str| el.attr(n).map(str::to_owned);
        let kind = match tag {
            "input" => el
                .attr("type")
                .map(|t| t.trim().to_ascii_lowercase())
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| "text".into()),
            "button" => "button".into(),
            other => other.to_string(),
        };
        let value = match tag {
            "textarea" => c.text().collect(),
            "select" => {
                let opts = sel("option");
                let options: Vec<ElementRef<'_>> = c.select(&opts).collect();
                let chosen = options
                    .iter()
                    .find(|o| o.value().attr("selected").is_some())
                    .or(options.first());
                chosen
                    .map(|o| {
                        o.value()
                            .attr("value")
                            .map(str::to_owned)
                            .unwrap_or_else(|| collapse(&o.text().collect::<String>()))
                    })
                    .unwrap_or_default()
            }
            _ => a("value").unwrap_or_default(),
        };
        fields.push(Field {
            name: a("name").filter(|n| !n.is_empty()),
            kind,
            value,
            id: a("id"),
            checked: el.attr("checked").is_some(),
            disabled: el.attr("disabled").is_some(),
            autocomplete: a("autocomplete"),
            placeholder: a("placeholder"),
        });
    }
    Form {
        id: attr("id"),
        name: attr("name"),
        action: attr("action"),
        method: attr("method")
            .map(|m| m.trim().to_ascii_uppercase())
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "GET".into()),
        fields,
        index,
    }
}

/// Deeper than any real page; browsers stop nesting around here too.
const MAX_NESTING: usize = 512;

/// Elements that never have a closing tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Elements whose content is text up to their closing tag.
const RAW_TEXT: &[&str] = &["script", "style", "textarea", "title", "xmp", "noembed"];

/// `body` cut where element nesting first exceeds `max`.
///
/// The HTML5 tree builder takes time quadratic in nesting depth; a hostile
/// or broken page of a few hundred kilobytes of nested tags would stall a
/// login for minutes, beyond any network timeout. One linear pass finds
/// the cut point; ordinary pages are returned unchanged.
pub fn limit_nesting(body: &str, max: usize) -> &str {
    let bytes = body.as_bytes();
    let mut depth = 0usize;
    let mut i = 0usize;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        let start = i;
        if body[i..].starts_with("<!--") {
            i = body[i + 4..]
                .find("-->")
                .map(|p| i + 4 + p + 3)
                .unwrap_or(bytes.len());
            continue;
        }
        let closing = bytes.get(i + 1) == Some(&b'/');
        let name_start = if closing { i + 2 } else { i + 1 };
        let mut j = name_start;
        while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'-') {
            j += 1;
        }
        if j == name_start {
            i += 1;
            continue;
        }
        let name = body[name_start..j].to_ascii_lowercase();
        let end = body[j..].find('>').map(|p| j + p).unwrap_or(bytes.len());
        let self_closing = end > j && bytes.get(end - 1) == Some(&b'/');
        i = end.saturating_add(1);
        if closing {
            depth = depth.saturating_sub(1);
            continue;
        }
        if VOID.contains(&name.as_str()) || self_closing {
            continue;
        }
        if RAW_TEXT.contains(&name.as_str()) {
            // Skip to the matching close tag (case-insensitive), scanning
            // each byte once.
            let mut k = i.min(bytes.len());
            loop {
                match body[k..].find("</") {
                    None => {
                        k = bytes.len();
                        break;
                    }
                    Some(p) => {
                        k += p;
                        let tag = &bytes[k + 2..(k + 2 + name.len()).min(bytes.len())];
                        if tag.eq_ignore_ascii_case(name.as_bytes()) {
                            break;
                        }
                        k += 2;
                    }
                }
            }
            i = k;
            continue;
        }
        depth += 1;
        if depth > max {
            return &body[..start];
        }
    }
    body
}

/// Collapse runs of whitespace and trim.
pub fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
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

    #[test]
    fn percent_encoded_saml_response_is_decoded() {
        let page = Page::parse(
            "https://idp.example.com/sso",
            r#"<form method="post" action="https://signin.aws.amazon.com/saml"><input type="hidden" name="SAMLResponse" value="PD94bWw%2BPHg%2BPC94Pg%3D%3D"/></form>"#,
        )
        .unwrap();
        assert_eq!(
            page.saml_post().unwrap().saml_response,
            "PD94bWw+PHg+PC94Pg=="
        );
    }

    const ADFS3: &str = r#"<!DOCTYPE html><html><head><title>Sign In</title></head><body>
    <form method="post" id="loginForm" autocomplete="off" novalidate action="/adfs/ls/?SAMLRequest=abc&amp;client-request-id=1" >
      <input id="userNameInput" name="UserName" type="email" value="" autocomplete="off" />
      <input id="passwordInput" name="Password" type="password" autocomplete="off"/>
      <input id="kmsiInput" type="checkbox" name="Kmsi" value="true" />
      <input type="hidden" name="AuthMethod" value="FormsAuthentication"/>
      <input type="text" value="nameless" />
      <span id="submitButton" class="submit">Sign in</span>
    </form>
    <form id="other" action="x"><input name="q"></form>
    </body></html>"#;

    #[test]
    fn reads_adfs3_form_like_a_browser() {
        let page = Page::parse(
            "https://idp.example.com/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=x",
            ADFS3,
        )
        .unwrap();
        let forms = page.forms();
        assert_eq!(forms.len(), 2);
        let f = &forms[0];
        assert_eq!(f.id.as_deref(), Some("loginForm"));
        assert_eq!(f.method, "POST");
        assert_eq!(
            f.password_field().unwrap().name.as_deref(),
            Some("Password")
        );
        assert_eq!(
            f.submission(),
            vec![
                ("UserName".to_string(), "".to_string()),
                ("Password".to_string(), "".to_string()),
                ("AuthMethod".to_string(), "FormsAuthentication".to_string()),
            ]
        );
        assert_eq!(
            page.resolve_action(f).unwrap().as_str(),
            "https://idp.example.com/adfs/ls/?SAMLRequest=abc&client-request-id=1"
        );
        assert_eq!(page.title().as_deref(), Some("Sign In"));
    }

    #[test]
    fn finds_and_unescapes_saml_response() {
        let html = r#"<html><body onload="document.forms[0].submit()">
          <form id="appForm" action="https://signin.aws.amazon.com/saml" method="POST">
            <input name="SAMLResponse" type="hidden" value="PD94bWw&#x2b;Zm9v&#x3d;"/>
            <input name="RelayState" type="hidden" value=""/>
          </form></body></html>"#;
        let page = Page::parse("https://org.okta.com/app/x/sso/saml", html).unwrap();
        let post = page.saml_post().unwrap();
        assert_eq!(post.saml_response, "PD94bWw+Zm9v=");
        assert_eq!(
            post.action.as_deref(),
            Some("https://signin.aws.amazon.com/saml")
        );
        assert!(!format!("{post:?}").contains("PD94"));
    }

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
    fn deep_nesting_is_cut() {
        let deep = "<div>".repeat(20_000) + "<form><input name=x></form>";
        let page = Page::parse("https://x/", &deep).unwrap();
        assert!(page.forms().is_empty(), "content past the cut is dropped");
        let normal = "<html><body><script>if (a<b) {}</script><div><form><input name=x></form></div></body></html>";
        assert_eq!(limit_nesting(normal, 3), normal);
        assert_eq!(Page::parse("https://x/", normal).unwrap().forms().len(), 1);
        let scripts = "<script>x</script>".repeat(50_000) + "<form><input name=y></form>";
        assert_eq!(limit_nesting(&scripts, 512).len(), scripts.len());
    }

    #[test]
    fn checked_boxes_selects_and_textareas() {
        let html = r#"<form>
          <input type=checkbox name=c1 checked>
          <input type=checkbox name=c2 value=v>
          <input type=radio name=r value=a><input type=radio name=r value=b checked>
          <select name=s><option value=1>one<option value=2 selected>two</select>
          <textarea name=t>hi &amp; bye</textarea>
          <input type=submit name=go value=Go>
          <input name=d disabled value=x>
        </form>"#;
        let page = Page::parse("https://x/", html).unwrap();
        assert_eq!(
            page.forms()[0].submission(),
            vec![
                ("c1".into(), "on".into()),
                ("r".into(), "b".into()),
                ("s".into(), "2".into()),
                ("t".into(), "hi & bye".into()),
            ]
        );
    }

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

    #[test]
    fn username_field_heuristics() {
        let form = |inputs: &str| {
            Page::parse(
                "https://x/",
                &format!("<form>{inputs}<input type=password name=pw></form>"),
            )
            .unwrap()
            .forms()
            .remove(0)
        };
        let name = |f: &Form| f.username_field().and_then(|x| x.name.clone());
        assert_eq!(
            name(&form("<input name=a><input name=b autocomplete=username>")),
            Some("b".into())
        );
        assert_eq!(
            name(&form("<input name=q><input name=j_username>")),
            Some("j_username".into())
        );
        assert_eq!(
            name(&form("<input name=q><input name=corpUserId>")),
            Some("corpUserId".into())
        );
        assert_eq!(
            name(&form("<input name=q><input type=email name=mail>")),
            Some("mail".into())
        );
        assert_eq!(name(&form("<input name=only>")), Some("only".into()));
        assert_eq!(name(&form("<input name=a><input name=b>")), None);
        assert_eq!(name(&form("<input type=hidden name=username>")), None);
    }

    #[test]
    fn shape_ignores_values_and_action_query() {
        let a = Page::parse(
            "https://x/",
            r#"<form method=post action="/c?s=1"><input name=t value=1></form>"#,
        )
        .unwrap();
        let b = Page::parse(
            "https://x/",
            r#"<form method=post action="/c?s=2"><input name=t value=2></form>"#,
        )
        .unwrap();
        assert_eq!(a.forms()[0].shape(), b.forms()[0].shape());
        assert_eq!(a.forms()[0].shape(), "POST /c [t]");
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
