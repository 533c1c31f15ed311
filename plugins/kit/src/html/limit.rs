//! A bound on element nesting, applied before parsing.

/// Deeper than any real page; browsers stop nesting around here too.
pub(super) const MAX_NESTING: usize = 512;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::html::Page;

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
}
