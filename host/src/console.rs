//! `awsprocesscreds console`: the AWS console, signed in with the
//! credentials, through the federation endpoint (getSigninToken, then the
//! `Action=login` URL).

use std::process::{Command, Stdio};

use plugin_api::aws::{self, Partition};
use plugin_api::HttpRequest;
use url::Url;

use crate::cli::{ConsoleArgs, SamlCli};
use crate::commands;
use crate::error::{Error, Kind, Result};
use crate::http::HttpClient;
use crate::profile::Profile;
use crate::{log, settings};

/// Who the sign-in URL says sent the user.
pub const ISSUER: &str = "awsprocesscreds";

/// The getSigninToken URL for a session.
pub fn token_url(base: &str, session_json: &str) -> String {
    let q: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("Action", "getSigninToken")
        .append_pair("Session", session_json)
        .finish();
    format!("{}?{q}", aws::federation_url(base))
}

/// The sign-in URL that lands on `destination`.
pub fn login_url(base: &str, destination: &str, token: &str) -> String {
    let q: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("Action", "login")
        .append_pair("Issuer", ISSUER)
        .append_pair("Destination", destination)
        .append_pair("SigninToken", token)
        .finish();
    format!("{}?{q}", aws::federation_url(base))
}

/// `awsprocesscreds console`.
pub fn run(args: &ConsoleArgs, profile: Option<&Profile>) -> Result<()> {
    if let Some(d) = &args.destination {
        match Url::parse(d) {
            Ok(u) if u.scheme() == "https" => {}
            _ => {
                return Err(
                    Error::usage(format!("--destination {d:?} is not an https:// URL"))
                        .hint("for example https://console.aws.amazon.com/s3/"),
                )
            }
        }
    }
    let common = settings::common(&args.common)?;
    let cli = SamlCli {
        profile: args.profile.clone(),
        login: args.login.clone(),
        creds: args.creds.clone(),
        common: args.common.clone(),
    };
    let got = commands::credentials(&cli)?;
    let c = &got.credentials;
    log::add_secret(c.secret_access_key.expose());
    let Some(session_token) = &c.session_token else {
        return Err(Error::new(
            Kind::Other,
            "console sign-in needs temporary credentials (with a session token)",
        )
        .hint("use a SAML provider; long-term access keys cannot sign in to the console"));
    };
    log::add_secret(session_token.expose());
    let region = got.region_with(profile);
    let partition = Partition::of(got.role_arn.as_deref(), region.as_deref());
    let region = region.unwrap_or_else(|| partition.default_region().to_string());
    let base =
        crate::account_names::signin_base_override().unwrap_or_else(|| partition.signin_base());
    let session = serde_json::json!({
        "sessionId": c.access_key_id,
        "sessionKey": c.secret_access_key.expose(),
        "sessionToken": session_token.expose(),
    })
    .to_string();
    let client = HttpClient::new(common.timeout, common.ca_bundle.as_deref())?;
    let resp = client.send(HttpRequest::get(token_url(&base, &session)))?;
    let host = crate::http::display_url(&base);
    if resp.status != 200 {
        return Err(Error::new(
            Kind::Other,
            format!(
                "the federation endpoint {host} refused the sign-in token request (HTTP {})",
                resp.status
            ),
        )
        .hint("credentials from a role session can open the console; check AWSPROCESSCREDS_SIGNIN_URL if set"));
    }
    #[derive(serde::Deserialize)]
    struct TokenDoc {
        #[serde(rename = "SigninToken")]
        signin_token: String,
    }
    let token = serde_json::from_slice::<TokenDoc>(&resp.body)
        .ok()
        .map(|d| d.signin_token)
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| {
            Error::new(
                Kind::Other,
                format!("the federation endpoint {host} answered without a SigninToken"),
            )
        })?;
    log::add_secret(&token);
    let destination = args
        .destination
        .clone()
        .unwrap_or_else(|| partition.console_home(&region));
    let url = login_url(&base, &destination, &token);
    if args.print {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        return writeln!(out, "{url}")
            .and_then(|_| out.flush())
            .map_err(|e| Error::io(format!("cannot write to stdout: {e}")));
    }
    open_browser(&url)?;
    eprintln!("{}: opened the AWS console in your browser", log::program());
    Ok(())
}

/// Start the system browser on `url` without waiting for it and without
/// handing it our stdout (the caller may be reading it).
fn open_browser(url: &str) -> Result<()> {
    let mut cmd = if cfg!(target_os = "macos") {
        let mut c = Command::new("open");
        c.arg(url);
        c
    } else if cfg!(windows) {
        // What `start URL` does, without cmd.exe reading `&` in the URL
        // as a command separator.
        let mut c = Command::new("rundll32");
        c.arg("url.dll,FileProtocolHandler").arg(url);
        c
    } else {
        let mut c = Command::new("xdg-open");
        c.arg(url);
        c
    };
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd.spawn().map(drop).map_err(|e| {
        Error::other(format!(
            "cannot start the browser ({}): {e}",
            cmd.get_program().to_string_lossy()
        ))
        .hint("use --print and open the URL yourself")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions() {
        assert_eq!(Partition::of(None, None), Partition::Aws);
        assert_eq!(Partition::of(None, Some("us-gov-east-1")), Partition::UsGov);
        assert_eq!(
            Partition::of(None, Some("cn-northwest-1")),
            Partition::China
        );
        assert_eq!(
            Partition::of(
                Some("arn:aws-cn:iam::123456789012:role/x"),
                Some("eu-west-1")
            ),
            Partition::China
        );
        assert_eq!(
            Partition::UsGov.console_home("us-gov-west-1"),
            "https://console.amazonaws-us-gov.com/console/home?region=us-gov-west-1"
        );
    }

    #[test]
    fn urls_are_pinned() {
        assert_eq!(
            token_url("https://signin.aws.amazon.com", r#"{"sessionId":"A"}"#),
            "https://signin.aws.amazon.com/federation?Action=getSigninToken&Session=%7B%22sessionId%22%3A%22A%22%7D"
        );
        assert_eq!(
            login_url("https://signin.amazonaws.cn", "https://console.amazonaws.cn/console/home?region=cn-north-1", "t/k+="),
            "https://signin.amazonaws.cn/federation?Action=login&Issuer=awsprocesscreds&Destination=https%3A%2F%2Fconsole.amazonaws.cn%2Fconsole%2Fhome%3Fregion%3Dcn-north-1&SigninToken=t%2Fk%2B%3D"
        );
    }
}
