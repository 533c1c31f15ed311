//! Which inputs a person fills: the username and password inputs by the
//! names and hints real login pages use, and the forms that need no
//! typing, or more than a terminal can give.

use super::form::{Field, Form};
use super::page::Page;

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

    /// The first password input.
    pub fn password_field(&self) -> Option<&Field> {
        self.password_fields().next()
    }

    /// The enabled, named password inputs. A form with two or more is a
    /// "choose a new password" form (current/new/confirm), not a sign-in.
    pub fn password_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields
            .iter()
            .filter(|f| f.kind == "password" && f.name.is_some() && !f.disabled)
    }

    /// The fillable inputs (what a user could type into).
    pub fn fillable_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| f.is_fillable())
    }
}

impl Page {
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

    /// A form the page's script submits by itself: POST, nothing to type,
    /// and named hidden inputs carrying the state (ADFS's intermediate
    /// forms, Entra's "Working..." pages, WS-Fed results).
    pub fn auto_post_form(&self) -> Option<Form> {
        self.forms().into_iter().find(|f| {
            f.method == "POST"
                && f.fillable_fields().next().is_none()
                && f.fields
                    .iter()
                    .any(|x| x.kind == "hidden" && x.name.is_some())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
