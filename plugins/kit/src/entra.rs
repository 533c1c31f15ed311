//! Recognising a Microsoft Entra ID (Azure AD) sign-in page, so that the
//! generic plugins (`forms`, `adfs`) can say "use -p entra" instead of
//! "no login form": Entra pages carry everything in a `$Config={...};`
//! script object and have no usable HTML form.
//!
//! The markers come from the real pages kept as test fixtures by
//! saml2aws (`pkg/provider/aad/testdata`: ConvergedSignIn, KmsiInterrupt,
//! ConvergedTFA): `<meta name="PageID" content="ConvergedSignIn">`, and a
//! `$Config` object with `urlGetCredentialType`, `sFTName`/`sFT` and `pgid`.

use plugin_api::PluginError;

use crate::html::Page;

/// Page ids (`pgid` / `<meta name="PageID">`) of Entra's sign-in pages.
const PAGE_IDS: &[&str] = &[
    "ConvergedSignIn",
    "ConvergedTFA",
    "KmsiInterrupt",
    "ConvergedProofUpRedirect",
    "ConvergedChangePassword",
    "ConvergedError",
];

/// `$Config` keys only Entra's pages use.
const CONFIG_KEYS: &[&str] = &["urlGetCredentialType", "sFTName", "urlBeginAuth"];

/// Whether `page` is a Microsoft Entra ID sign-in page.
pub fn looks_like_entra(page: &Page) -> bool {
    let meta_id = page
        .attr_of("meta[name=PageID]", "content")
        .unwrap_or_default();
    if PAGE_IDS.contains(&meta_id.trim()) {
        return true;
    }
    page.scripts().iter().any(|s| {
        s.contains("$Config") && CONFIG_KEYS.iter().any(|k| s.contains(&format!("\"{k}\"")))
    })
}

/// The error a generic plugin returns for an Entra page: the page is
/// named and the user pointed at the `entra` provider.
pub fn use_entra_error(provider: &str, page: &Page) -> PluginError {
    PluginError::config(format!(
        "{} is a Microsoft Entra ID sign-in page, which the {provider} provider cannot fill: this is Microsoft Entra ID: use -p entra",
        page.describe()
    ))
    .with_hint("run with -p entra and the same -e URL (see the Entra ID section of the README)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_entra_pages_by_page_id_or_config() {
        let by_meta = Page::parse(
            "https://login.example.test/t/saml2",
            r#"<html><head><meta name="PageID" content="ConvergedSignIn" /></head><body></body></html>"#,
        )
        .unwrap();
        assert!(looks_like_entra(&by_meta));
        let by_config = Page::parse(
            "https://login.example.test/t/saml2",
            r#"<html><head><script type="text/javascript">//<![CDATA[
$Config={"urlGetCredentialType":"/common/GetCredentialType","sFTName":"flowToken","pgid":"ConvergedSignIn"};
//]]></script></head><body></body></html>"#,
        )
        .unwrap();
        assert!(looks_like_entra(&by_config));
        let other = Page::parse(
            "https://idp.example.test/login",
            r#"<html><head><script>var $Config = {"theme":"dark"};</script></head><body><form><input name="username"></form></body></html>"#,
        )
        .unwrap();
        assert!(!looks_like_entra(&other));
        let e = use_entra_error("forms", &by_meta);
        assert!(
            e.message
                .contains("this is Microsoft Entra ID: use -p entra"),
            "{}",
            e.message
        );
    }
}
