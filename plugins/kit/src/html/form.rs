//! The form model (fields as a browser reads them) and what a browser
//! submits: the successful controls, overrides, the default button.

use scraper::ElementRef;

use super::page::Page;
use super::{collapse, sel};

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

    /// The field named `name` (first one).
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name.as_deref() == Some(name))
    }

    /// The field whose `id` is `id`.
    pub fn field_by_id(&self, id: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.id.as_deref() == Some(id))
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

impl Page {
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

    /// Add the form's default button to `fields` (unless they name it
    /// already), as a browser does when the person presses Enter. ASP.NET
    /// pages such as ADFS 2.0's only sign in with it.
    pub fn press_default_button(&self, form: &Form, fields: &mut Vec<(String, String)>) {
        if let Some((name, value)) = self.default_button(form) {
            if !fields.iter().any(|(n, _)| *n == name) {
                fields.push((name, value));
            }
        }
    }
}

pub(super) fn read_form(form: ElementRef<'_>, index: usize) -> Form {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
