//! Choosing the role to assume from those the assertion offers.

use crate::account_names::Names;
use crate::error::{Error, Kind, Result};
use crate::saml::Role;
use crate::tty;

fn listing(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.role_arn.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line per role for a menu: account, role name, ARN.
pub fn menu_line(r: &Role) -> String {
    format!("{}  {:<32}  {}", r.account(), r.name(), r.role_arn)
}

/// A menu line with the account's name when known:
/// `name (123456789012)  role  ARN`.
pub fn named_menu_line(r: &Role, names: &Names) -> String {
    match names.get(r.account()).filter(|n| !n.is_empty()) {
        Some(n) => format!("{n} ({})  {:<32}  {}", r.account(), r.name(), r.role_arn),
        None => menu_line(r),
    }
}

/// The error for an assertion without AWS roles.
pub fn none_offered() -> Error {
    Error::new(Kind::Saml, "the SAML assertion offers no AWS roles")
        .hint("ask your identity provider's administrator to assign you an AWS role")
}

/// Pick the role: the one asked for, the only one, or the user's choice;
/// `names` is asked for account names only when the picker is about to be
/// shown (it may cost a request).
pub fn choose_named(
    roles: &[Role],
    wanted: Option<&str>,
    names: impl FnOnce() -> Names,
) -> Result<Role> {
    if roles.is_empty() {
        return Err(none_offered());
    }
    if let Some(w) = wanted {
        return roles
            .iter()
            .find(|r| r.role_arn == w)
            .cloned()
            .ok_or_else(|| {
                Error::new(
                    Kind::Saml,
                    format!(
                        "role {w} is not offered by your identity provider; offered: {}",
                        listing(roles)
                    ),
                )
                .hint("fix -a/--role-arn, or omit it to choose from the offered roles")
            });
    }
    if roles.len() == 1 {
        return Ok(roles[0].clone());
    }
    let Some(mut t) = tty::open() else {
        return Err(Error::new(
            Kind::NoTerminal,
            format!(
                "{} roles are offered and no terminal is available to choose: {}",
                roles.len(),
                listing(roles)
            ),
        )
        .hint("pick one with -a/--role-arn"));
    };
    let names = names();
    let lines: Vec<String> = roles.iter().map(|r| named_menu_line(r, &names)).collect();
    let i = t
        .choose("Select the AWS role to assume:", &lines)
        .map_err(|e| match e {
            tty::TtyError::Cancelled => Error::new(Kind::Other, "no role chosen"),
            tty::TtyError::Io(e) => Error::other(format!("terminal I/O failed: {e}")),
        })?;
    Ok(roles[i].clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(n: &str) -> Role {
        Role {
            role_arn: format!("arn:aws:iam::123456789012:role/{n}"),
            principal_arn: "arn:aws:iam::123456789012:saml-provider/p".into(),
        }
    }

    #[test]
    fn exact_match_single_and_missing() {
        let roles = vec![role("a"), role("b")];
        assert_eq!(
            choose_named(&roles, Some("arn:aws:iam::123456789012:role/b"), Names::new).unwrap(),
            role("b")
        );
        let e =
            choose_named(&roles, Some("arn:aws:iam::123456789012:role/c"), Names::new).unwrap_err();
        assert!(
            e.message.contains("role/a") && e.message.contains("role/b"),
            "{}",
            e.message
        );
        assert_eq!(
            choose_named(&roles[..1], None, Names::new).unwrap(),
            role("a")
        );
        assert!(choose_named(&[], None, Names::new).is_err());
    }

    #[test]
    fn menu_lines_show_names() {
        let mut names = Names::new();
        names.insert("123456789012".into(), "team-prod".into());
        assert!(named_menu_line(&role("a"), &names).starts_with("team-prod (123456789012)  a "));
        assert!(named_menu_line(&role("a"), &Names::new()).starts_with("123456789012  a "));
    }
}
