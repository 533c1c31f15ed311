//! The wording of the password prompt, shared by the first-party plugins.
//!
//! Users (and the scripts that drive the AWS CLI in a terminal) look for
//! the word "password": the original awsprocesscreds printed `Password: `,
//! newer tools print `... password for USER`. The prompt carries both, on
//! two lines, and says which account on which IdP it is for.

/// `"<IdP> password for <user> at <host>\nPassword: "`.
pub fn password(idp: &str, username: &str, idp_host: &str) -> String {
    format!("{idp} password for {username} at {idp_host}\nPassword: ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn carries_both_spellings_and_the_account() {
        let p = super::password("Okta", "monty@example.com", "example.okta.com");
        assert_eq!(
            p,
            "Okta password for monty@example.com at example.okta.com\nPassword: "
        );
        assert!(p.contains("password") && p.ends_with("Password: "));
    }
}
