//! Account names for the role picker and `awsprocesscreds roles`.
//!
//! SAML assertions carry account ids only. The AWS sign-in page that a
//! browser would be sent to (`https://signin.aws.amazon.com/saml`) shows
//! the account aliases, so after a login with several roles the assertion
//! is posted there (only to an AWS sign-in host of some partition, or to
//! `AWSPROCESSCREDS_SIGNIN_URL`'s `/saml`) and the names are read from the
//! page. Any failure only costs the names. Names are cached per account id
//! in `account-names.json` in the cache directory (0600, no secrets).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use plugin_api::{aws, HttpRequest, Secret};
use url::Url;

use crate::http::HttpClient;
use crate::saml::Assertion;
use crate::settings::Common;
use crate::{cache, env_vars as ev, log};

/// Account id -> name ("" when the page shows no alias).
pub type Names = BTreeMap<String, String>;

const CACHE_FILE: &str = "account-names.json";
const MAX_CACHE_BYTES: u64 = 1024 * 1024;

/// `AWSPROCESSCREDS_SIGNIN_URL`, the sign-in base URL that replaces the
/// AWS one (tests, private endpoints), without a trailing `/`.
pub fn signin_base_override() -> Option<String> {
    std::env::var(ev::SIGNIN_URL)
        .ok()
        .map(|b| b.trim().trim_end_matches('/').to_string())
        .filter(|b| !b.is_empty())
}

/// Where to post the assertion, if anywhere.
pub fn page_url(destination: Option<&str>) -> Option<String> {
    if let Some(base) = signin_base_override() {
        return Some(aws::consumer_url(&base));
    }
    let d = Url::parse(destination?).ok()?;
    aws::is_saml_consumer(&d, None).then(|| d.to_string())
}

/// [`lookup`], or no names when `skip` (`--no-account-names`, or no
/// choice to make).
pub fn lookup_unless(
    skip: bool,
    assertion: &Secret<String>,
    parsed: &Assertion,
    common: &Common,
    cache_dir: Option<&Path>,
) -> Names {
    if skip {
        Names::new()
    } else {
        lookup(assertion, parsed, common, cache_dir)
    }
}

/// Names for the accounts of `assertion`'s roles: from the cache when it
/// knows them all, else from the sign-in page. Never fails.
pub fn lookup(
    assertion: &Secret<String>,
    parsed: &Assertion,
    common: &Common,
    cache_dir: Option<&Path>,
) -> Names {
    let mut names = cache_dir.map(read_cache).unwrap_or_default();
    let missing = parsed
        .roles
        .iter()
        .any(|r| !names.contains_key(r.account()));
    if !missing {
        return names;
    }
    let Some(url) = page_url(parsed.destination.as_deref()) else {
        log::debug("the assertion is not for an AWS sign-in page; no account names");
        return names;
    };
    match fetch(&url, assertion, common) {
        Ok(found) if !found.is_empty() => {
            log::debug(&format!(
                "read {} account name(s) from the sign-in page",
                found.len()
            ));
            names.extend(found);
            if let Some(dir) = cache_dir {
                write_cache(dir, &names);
            }
        }
        Ok(_) => log::debug("the sign-in page showed no account names"),
        Err(e) => log::info(&format!("could not read account names: {e}")),
    }
    names
}

/// Names are a nicety: a slow sign-in page may delay the picker by this
/// much at most (or by `--timeout`, when shorter).
const MAX_WAIT: Duration = Duration::from_secs(10);

fn fetch(url: &str, assertion: &Secret<String>, common: &Common) -> Result<Names, String> {
    let client = HttpClient::new(common.timeout.min(MAX_WAIT), common.ca_bundle.as_deref())
        .map_err(|e| e.message)?;
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("SAMLResponse", assertion.expose())
        .append_pair("RelayState", "")
        .finish();
    let resp = client
        .send(
            HttpRequest::new("POST", url)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .with_body(body.into_bytes()),
        )
        .map_err(|e| e.message)?;
    if resp.status != 200 {
        return Err(format!("the sign-in page answered HTTP {}", resp.status));
    }
    Ok(parse_page(&String::from_utf8_lossy(&resp.body)))
}

fn read_cache(dir: &Path) -> Names {
    // The one safe way to read a file in our cache directory: no symlink,
    // no FIFO, ours, size-capped.
    let Ok(buf) = crate::safe_fs::read(&dir.join(CACHE_FILE), MAX_CACHE_BYTES) else {
        return Names::new();
    };
    serde_json::from_slice::<Names>(&buf)
        .map(|m| m.into_iter().filter(|(k, _)| is_account_id(k)).collect())
        .unwrap_or_default()
}

fn write_cache(dir: &Path, names: &Names) {
    let result = cache::ensure_private_dir(dir).and_then(|()| {
        let text = serde_json::to_vec_pretty(names).unwrap_or_default();
        cache::write_atomic(&dir.join(CACHE_FILE), &text)
    });
    if let Err(e) = result {
        log::debug(&format!("could not cache account names: {}", e.message));
    }
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// One start tag of an HTML page and the text right after it.
struct Element<'a> {
    attrs: &'a str,
    text: &'a str,
}

/// Start tags with their attributes and following text. Enough for the
/// sign-in page: we only need classes and the text they hold.
fn elements(html: &str) -> Vec<Element<'_>> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let Some(end) = rest.find('>') else {
            break;
        };
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with(['/', '!', '?']) {
            continue;
        }
        let attrs = tag
            .split_once(char::is_whitespace)
            .map(|(_, a)| a)
            .unwrap_or("");
        let text = &rest[..rest.find('<').unwrap_or(rest.len())];
        out.push(Element { attrs, text });
    }
    out
}

/// The value of attribute `name` in a start tag's attribute text.
fn attr<'a>(attrs: &'a str, name: &str) -> Option<&'a str> {
    let lower = attrs.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = lower[from..].find(name) {
        let at = from + pos;
        from = at + name.len();
        let before_ok = at == 0 || lower.as_bytes()[at - 1].is_ascii_whitespace();
        let after = lower[from..].trim_start();
        if !before_ok || !after.starts_with('=') {
            continue;
        }
        let value_start = attrs.len() - after.len() + 1;
        let v = attrs[value_start..].trim_start();
        let (q, v) = match v.chars().next() {
            Some(q @ ('"' | '\'')) => (q, &v[1..]),
            _ => (' ', v),
        };
        return Some(&v[..v.find(q).unwrap_or(v.len())]);
    }
    None
}

fn has_class(e: &Element<'_>, pred: impl Fn(&str) -> bool) -> bool {
    attr(e.attrs, "class").is_some_and(|c| c.split_whitespace().any(&pred))
}

fn decode(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .trim()
        .to_string()
}

/// Account names from the AWS SAML sign-in page, in either format:
///
/// - the long-standing page: `<div class="saml-account-name">Account:
///   alias (123456789012)</div>` (or `Account: 123456789012` without an
///   alias), roles as `<label for="arn:...">`;
/// - the page AWS rolled out in 2023: CSS-module classes such as
///   `saml-form_account_name_div__dDGkX` (the alias) followed by
///   `saml-form_account_id_div__Q1PBA` (`1234-5678-9012`).
pub fn parse_page(html: &str) -> Names {
    let mut out = Names::new();
    let els = elements(html);
    let mut pending_name: Option<String> = None;
    for e in &els {
        if has_class(e, |c| c == "saml-account-name") {
            let text = decode(e.text);
            let body = text.strip_prefix("Account:").unwrap_or(&text).trim();
            match body.rsplit_once('(') {
                Some((alias, id)) => {
                    let id = id.trim_end_matches(')').trim();
                    if is_account_id(id) {
                        out.insert(id.to_string(), alias.trim().to_string());
                    }
                }
                None if is_account_id(body) => {
                    out.entry(body.to_string()).or_default();
                }
                None => {}
            }
        } else if has_class(e, |c| c.contains("account_name_div")) {
            pending_name = Some(decode(e.text));
        } else if has_class(e, |c| c.contains("account_id_div")) {
            let id: String = decode(e.text).chars().filter(|c| *c != '-').collect();
            if is_account_id(&id) {
                let name = pending_name.take().unwrap_or_default();
                // Accounts without an alias show the id as their name.
                let digits: String = name.chars().filter(|c| *c != '-').collect();
                let name = if digits == id { String::new() } else { name };
                out.insert(id, name);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_is_the_assertions_aws_destination_only() {
        // The consumer rule itself is tested with protocol::aws.
        if signin_base_override().is_some() {
            return;
        }
        let d = "https://eu-west-1.signin.aws.amazon.com/saml";
        assert_eq!(page_url(Some(d)).as_deref(), Some(d));
        assert_eq!(page_url(Some("https://evil.example/saml")), None);
        assert_eq!(page_url(None), None);
    }

    #[test]
    fn attributes() {
        assert_eq!(attr(r#"id="x" class="a b""#, "class"), Some("a b"));
        assert_eq!(attr(r#"data-class="no" class='yes'"#, "class"), Some("yes"));
        assert_eq!(attr("class=bare id=1", "class"), Some("bare"));
        assert_eq!(attr(r#"id="x""#, "class"), None);
    }

    #[test]
    fn both_page_formats() {
        // Shapes from the public saml2aws sources and issue #1110; our own
        // text.
        let old = r#"<fieldset><div class="saml-account"><div onClick="expandCollapse(0);">
            <div class="saml-account-name">Account: team-prod &amp; more (111122223333)</div></div>
            <div id="0" class="saml-account"><div class="saml-role"><input type="radio" name="roleIndex" value="arn:aws:iam::111122223333:role/admin" id="arn:aws:iam::111122223333:role/admin"/>
            <label for="arn:aws:iam::111122223333:role/admin" class="saml-role-description">admin</label></div></div></div>
            <div class="saml-account"><div class="saml-account-name">Account: 444455556666</div></div></fieldset>"#;
        let n = parse_page(old);
        assert_eq!(n["111122223333"], "team-prod & more");
        assert_eq!(n["444455556666"], "");
        let new = r#"<ul class="saml-form_custom_list__LuP_V"><li class="saml-form_custom_list_item__H1wPE"><div class="flex flex-row"><div class="flex-grow">
            <div class="saml-form_account_name_div__dDGkX">sandbox-dev </div>
            <div class="saml-form_account_id_div__Q1PBA">1111-2222-3333</div>
            <div class="saml-form_account_role_div__FhQmy"><a class="saml-form_role_text__Cfxwn" id="arn:aws:iam::111122223333:role/dev">dev</a></div></div></div></li>
            <li><div class="saml-form_account_name_div__x">4444-5555-6666</div><div class="saml-form_account_id_div__y">4444-5555-6666</div></li></ul>"#;
        let n = parse_page(new);
        assert_eq!(n["111122223333"], "sandbox-dev");
        assert_eq!(n["444455556666"], "");
        assert!(parse_page("<script>var hashArgs = location.hash;</script>").is_empty());
    }
}
