//! A reader for the AWS CLI's INI files (`~/.aws/config`,
//! `~/.aws/credentials`) that keeps byte offsets, so a writer can replace
//! one section and keep every other byte of the file as it was.
//!
//! It follows what botocore's `RawConfigParser` accepts: `[section]`
//! headers, `key = value` or `key: value`, `#`/`;` comment lines, indented
//! continuation lines, keys case-insensitive.

/// One `[section]` of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The header text between the brackets, trimmed.
    pub name: String,
    /// Byte offset of the header line.
    pub start: usize,
    /// Byte offset just after the section's last key line (trailing
    /// comments and blank lines belong to whatever follows).
    pub end: usize,
    /// `(key lowercased, value)` in file order.
    pub entries: Vec<(String, String)>,
}

impl Section {
    /// The last value of `key` (case-insensitive), as botocore reads it.
    pub fn get(&self, key: &str) -> Option<&str> {
        let key = key.to_ascii_lowercase();
        self.entries
            .iter()
            .rev()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Every section of `text`, in order.
pub fn parse(text: &str) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    let mut offset = 0;
    let mut continuing = false;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continuing = false;
            continue;
        }
        if !body.starts_with([' ', '\t']) && trimmed.starts_with('[') {
            if let Some(close) = trimmed.find(']') {
                out.push(Section {
                    name: trimmed[1..close].trim().to_string(),
                    start,
                    end: offset,
                    entries: Vec::new(),
                });
                continuing = false;
                continue;
            }
        }
        let Some(sec) = out.last_mut() else {
            continue;
        };
        if body.starts_with([' ', '\t']) && continuing {
            if let Some((_, v)) = sec.entries.last_mut() {
                v.push('\n');
                v.push_str(trimmed);
            }
            sec.end = offset;
            continue;
        }
        let split = trimmed.find(['=', ':']);
        let (k, v) = match split {
            Some(i) => (&trimmed[..i], &trimmed[i + 1..]),
            None => (trimmed, ""),
        };
        sec.entries
            .push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        sec.end = offset;
        continuing = true;
    }
    out
}

/// Replace the bytes of `section` (header to last key line) with `new`,
/// or append `new` when `section` is `None`. Everything else is kept.
pub fn splice(text: &str, section: Option<&Section>, new: &str) -> String {
    match section {
        Some(s) => {
            let mut out = String::with_capacity(text.len() + new.len());
            out.push_str(&text[..s.start]);
            out.push_str(new);
            out.push_str(&text[s.end..]);
            out
        }
        None => {
            let mut out = text.to_string();
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            if !out.is_empty() && !out.ends_with("\n\n") {
                out.push('\n');
            }
            out.push_str(new);
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# top comment\n[default]\nregion = eu-west-1\n\n; about dev\n[profile dev]\nCredential_Process: a b\n  continued\nregion=us-east-1\n# trailing\n";

    #[test]
    fn sections_keys_and_offsets() {
        let s = parse(TEXT);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].name, "default");
        assert_eq!(s[0].get("region"), Some("eu-west-1"));
        assert_eq!(
            &TEXT[s[0].start..s[0].end],
            "[default]\nregion = eu-west-1\n"
        );
        assert_eq!(s[1].name, "profile dev");
        assert_eq!(s[1].get("credential_process"), Some("a b\ncontinued"));
        assert_eq!(s[1].get("REGION"), Some("us-east-1"));
        assert!(TEXT[s[1].end..].starts_with("# trailing"));
    }

    #[test]
    fn splice_keeps_the_rest() {
        let s = parse(TEXT);
        let out = splice(TEXT, Some(&s[0]), "[default]\nregion = x\n");
        assert_eq!(out, TEXT.replace("eu-west-1", "x"));
        let out = splice("[a]\nk=v", None, "[b]\n");
        assert_eq!(out, "[a]\nk=v\n\n[b]\n");
        assert_eq!(splice("", None, "[b]\n"), "[b]\n");
    }
}
