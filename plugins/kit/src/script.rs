//! What a page's own "button" functions put into a form before submitting
//! it. PingFederate's templates press links with `onclick="postOk();"` and
//! the like, whose functions set hidden fields
//! (`document.forms[0]['pf.ok'].value = 'clicked';`) and submit; a client
//! without JavaScript reads those assignments instead of guessing values.
//!
//! Only that literal form is understood (a bracketed field name and a
//! quoted constant), which is how PingFederate's
//! `html.form.*.template.html` pages and their customisations write it.

use crate::html::Page;

/// The `(field, value)` pairs that the function `function` of the page's
/// scripts assigns to form fields, in order. Empty when the page has no
/// such function or it assigns nothing this reader understands.
pub fn field_assignments(page: &Page, function: &str) -> Vec<(String, String)> {
    page.scripts()
        .iter()
        .find_map(|s| function_body(s, function))
        .map(assignments)
        .unwrap_or_default()
}

/// The function an `onclick` handler calls: `"postCancel();"` ->
/// `postCancel`, `"return postOk()"` -> `postOk`.
pub fn called_function(onclick: &str) -> Option<&str> {
    let s = onclick.trim();
    let s = s.strip_prefix("return ").unwrap_or(s).trim_start();
    let name = &s[..s.find('(')?];
    let name = name.trim();
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    ok.then_some(name)
}

/// The first argument, a quoted string, of a call to `function` in an
/// event handler: `"return SelectOption('AzureMfaAuthentication');"` with
/// `SelectOption` -> `AzureMfaAuthentication` (AD FS's option tiles and
/// `HRD.selection('AD AUTHORITY')` home-realm tiles).
pub fn call_argument(handler: &str, function: &str) -> Option<String> {
    let start = handler.find(&format!("{function}("))? + function.len() + 1;
    let arg = handler[start..].trim_start();
    let quote = arg.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let end = arg[1..].find(quote)?;
    let value = arg[1..1 + end].trim();
    (!value.is_empty()).then(|| value.to_string())
}

/// The text between the braces of `function NAME(...) { ... }`.
fn function_body<'s>(script: &'s str, name: &str) -> Option<&'s str> {
    let mut from = 0;
    while let Some(at) = script[from..].find("function") {
        let start = from + at + "function".len();
        from = start;
        let rest = script[start..].trim_start();
        let Some(after) = rest.strip_prefix(name) else {
            continue;
        };
        let after = after.trim_start();
        if !after.starts_with('(') {
            continue;
        }
        let open = after.find('{')?;
        let body = &after[open + 1..];
        let mut depth = 1usize;
        for (i, c) in body.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(&body[..i]);
                    }
                }
                _ => {}
            }
        }
        return None;
    }
    None
}

/// `['NAME'].value = 'VALUE'` statements of a function body.
fn assignments(body: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for statement in body.split(';') {
        let Some((lhs, rhs)) = statement.split_once('=') else {
            continue;
        };
        let lhs = lhs.trim();
        let Some(lhs) = lhs.strip_suffix(".value") else {
            continue;
        };
        let Some(open) = lhs.rfind('[') else {
            continue;
        };
        let (Some(name), Some(value)) = (
            quoted(lhs[open + 1..].trim_end_matches(']').trim()),
            quoted(rhs.trim()),
        ) else {
            continue;
        };
        out.push((name.to_string(), value.to_string()));
    }
    out
}

/// The inside of `'text'` or `"text"`.
fn quoted(s: &str) -> Option<&str> {
    let q = s.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let inner = s[1..].strip_suffix(q)?;
    (!inner.contains(q)).then_some(inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<form></form><script>
    function postOk() {
        document.forms[0]['pf.ok'].value = 'clicked';
        document.forms[0]['ChangePassword'].value = "true";
        document.forms[0].submit();
    }
    function postCancel() { if (x) { y(); } document.forms[0]['pf.notificationCancel'].value = 'clicked'; document.forms[0].submit(); }
    </script>"#;

    #[test]
    fn reads_the_fields_a_button_function_sets() {
        let page = Page::parse("https://idp.example.com/", PAGE).unwrap();
        assert_eq!(
            field_assignments(&page, "postOk"),
            vec![
                ("pf.ok".to_string(), "clicked".to_string()),
                ("ChangePassword".to_string(), "true".to_string())
            ]
        );
        assert_eq!(
            field_assignments(&page, "postCancel"),
            vec![("pf.notificationCancel".to_string(), "clicked".to_string())]
        );
        assert!(field_assignments(&page, "postNothing").is_empty());
        assert!(field_assignments(&page, "post").is_empty());
    }

    #[test]
    fn reads_a_quoted_call_argument() {
        assert_eq!(
            call_argument(
                "return SelectOption('AzureMfaAuthentication');",
                "SelectOption"
            )
            .as_deref(),
            Some("AzureMfaAuthentication")
        );
        assert_eq!(
            call_argument(
                "HRD.selection(\"AD AUTHORITY\"); return false;",
                "HRD.selection"
            )
            .as_deref(),
            Some("AD AUTHORITY")
        );
        assert_eq!(call_argument("HRD.selection(x)", "HRD.selection"), None);
        assert_eq!(call_argument("SelectOption('')", "SelectOption"), None);
        assert_eq!(call_argument("other()", "SelectOption"), None);
    }

    #[test]
    fn names_the_called_function() {
        assert_eq!(called_function("postCancel();"), Some("postCancel"));
        assert_eq!(called_function(" return postOk() "), Some("postOk"));
        assert_eq!(called_function("window.go()"), None);
        assert_eq!(called_function("nothing"), None);
    }
}
