//! SAML POST pages: the form that carries a `SAMLResponse` onwards, and
//! whether it goes to AWS (the end of a login) or to another service
//! provider (a hop to post on).

use crate::html::{Form, Page};
use crate::saml;

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

impl Page {
    /// The form that posts a SAML response: the first with a non-empty
    /// `SAMLResponse` field.
    pub fn saml_form(&self) -> Option<Form> {
        self.forms().into_iter().find(|f| {
            f.value_of("SAMLResponse")
                .is_some_and(|v| !v.trim().is_empty())
        })
    }

    /// What the page's SAML form posts, if it has one.
    pub fn saml_post(&self) -> Option<SamlPost> {
        let form = self.saml_form()?;
        let value = saml::unpercent(form.value_of("SAMLResponse")?.trim());
        Some(SamlPost {
            action: self.resolve_action(&form).ok().map(|u| u.to_string()),
            saml_response: value,
            relay_state: form.value_of("RelayState").map(str::to_owned),
        })
    }
}

impl SamlPost {
    /// Whether this is the post to AWS (the end of a login): its action or
    /// its Destination is an AWS sign-in endpoint; failing that, it is not
    /// addressed to some other service provider and it offers AWS roles.
    /// Otherwise it is a hop to a proxy or another service provider, to be
    /// posted on.
    pub fn is_for_aws(&self) -> bool {
        let xml = saml::decode(&self.saml_response);
        let destination = xml.as_deref().and_then(saml::destination);
        if self.action.as_deref().is_some_and(saml::is_aws_signin)
            || destination.as_deref().is_some_and(saml::is_aws_signin)
        {
            return true;
        }
        let offers_roles = xml.as_deref().is_some_and(saml::offers_aws_roles);
        match (&self.action, &destination) {
            (Some(_), Some(_)) => false,
            (Some(_), None) => offers_roles,
            (None, _) => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
