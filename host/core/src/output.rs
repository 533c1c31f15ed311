//! Writing credentials to stdout: the only thing stdout ever carries.

use std::io::Write;

use protocol::Credentials;

use crate::cli::OutputFormat;
use crate::error::{Error, Result};

/// The credential_process JSON document, keys in the order AWS documents
/// them (`Version` first). Fails only if serde_json cannot encode a struct
/// of strings, which it always can; the error still reaches the user as one
/// line rather than a panic.
pub fn json(c: &Credentials) -> Result<String> {
    #[derive(serde::Serialize)]
    struct Doc<'a> {
        #[serde(rename = "Version")]
        version: u8,
        #[serde(rename = "AccessKeyId")]
        access_key_id: &'a str,
        #[serde(rename = "SecretAccessKey")]
        secret_access_key: &'a str,
        #[serde(rename = "SessionToken", skip_serializing_if = "Option::is_none")]
        session_token: Option<&'a str>,
        #[serde(rename = "Expiration", skip_serializing_if = "Option::is_none")]
        expiration: Option<&'a str>,
    }
    serde_json::to_string(&Doc {
        version: 1,
        access_key_id: &c.access_key_id,
        secret_access_key: c.secret_access_key.expose(),
        session_token: c.session_token.as_ref().map(|t| t.expose().as_str()),
        expiration: c.expiration.as_deref(),
    })
    .map_err(|e| Error::other(format!("could not encode the credentials as JSON: {e}")))
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// `export` lines for POSIX shells.
pub fn env(c: &Credentials) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "export AWS_ACCESS_KEY_ID={}\n",
        shell_quote(&c.access_key_id)
    ));
    out.push_str(&format!(
        "export AWS_SECRET_ACCESS_KEY={}\n",
        shell_quote(c.secret_access_key.expose())
    ));
    if let Some(t) = &c.session_token {
        out.push_str(&format!(
            "export AWS_SESSION_TOKEN={}\n",
            shell_quote(t.expose())
        ));
    }
    if let Some(e) = &c.expiration {
        out.push_str(&format!(
            "export AWS_CREDENTIAL_EXPIRATION={}\n",
            shell_quote(e)
        ));
    }
    out
}

/// Hand `c` over in `format`: stdout, or the shared credentials file for
/// `credentials-file` (section `credentials_profile`).
pub fn deliver(
    c: &Credentials,
    format: OutputFormat,
    credentials_profile: Option<&str>,
) -> Result<()> {
    match format {
        OutputFormat::CredentialsFile => {
            let name = crate::credentials_file::check_name(credentials_profile)?;
            crate::credentials_file::write(name, c)
        }
        _ => print(c, format),
    }
}

/// Print `c` in `format` to stdout.
pub fn print(c: &Credentials, format: OutputFormat) -> Result<()> {
    let text = match format {
        OutputFormat::Json => json(c)? + "\n",
        OutputFormat::Env => env(c),
        OutputFormat::CredentialsFile => {
            return Err(Error::usage(
                "--output credentials-file writes a file, not stdout",
            ))
        }
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| Error::io(format!("cannot write to stdout: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::Secret;

    fn c() -> Credentials {
        Credentials::new("ASIAEXAMPLE", Secret::new("se'cret".into()))
            .session_token(Some(Secret::new("tok".into())))
            .expiration(Some("2030-01-01T00:00:00Z".into()))
    }

    #[test]
    fn json_shape_is_pinned() {
        assert_eq!(
            json(&c()).unwrap(),
            r#"{"Version":1,"AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"se'cret","SessionToken":"tok","Expiration":"2030-01-01T00:00:00Z"}"#
        );
    }

    #[test]
    fn env_lines_are_quoted() {
        let e = env(&c());
        assert!(e.contains("export AWS_SECRET_ACCESS_KEY='se'\\''cret'\n"));
        assert!(e.contains("export AWS_CREDENTIAL_EXPIRATION='2030-01-01T00:00:00Z'\n"));
    }
}
