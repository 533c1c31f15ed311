//! One ECP login: a saved IdP session first (no password), else HTTP Basic
//! credentials and, for Shibboleth's Duo integration, the factor headers.

use base64::Engine as _;
use plugin_api::{ErrorKind, Host, HttpRequest, LoginOutcome, LoginRequest, PluginError, Secret};
use url::Url;

use crate::envelope::{AuthnRequest, ACCEPT, PAOS_HEADER};
use crate::options::Options;
use crate::{response, session};

/// Header naming the Duo factor (Shibboleth IdP Duo plugin, ECP support).
pub const DUO_FACTOR_HEADER: &str = "X-Shibboleth-Duo-Factor";
/// Header carrying a Duo passcode.
pub const DUO_PASSCODE_HEADER: &str = "X-Shibboleth-Duo-Passcode";

/// The Duo factors Shibboleth accepts in [`DUO_FACTOR_HEADER`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuoFactor {
    Auto,
    Push,
    Phone,
    Passcode,
}

impl DuoFactor {
    /// `--mfa-factor`, if set; other values are an error naming the choices.
    pub fn from_request(request: &LoginRequest) -> Result<Option<DuoFactor>, PluginError> {
        let Some(raw) = request.mfa.factor.as_deref().map(str::trim) else {
            return Ok(None);
        };
        let f = match raw.to_ascii_lowercase().as_str() {
            "" => return Ok(None),
            "auto" => DuoFactor::Auto,
            "push" => DuoFactor::Push,
            "phone" | "call" => DuoFactor::Phone,
            "passcode" | "code" | "token" | "totp" => DuoFactor::Passcode,
            _ => {
                return Err(PluginError::config(format!(
                    "--mfa-factor {raw}: the ecp provider sends Shibboleth's Duo factor, one of auto, push, phone, passcode"
                ))
                .with_hint("drop --mfa-factor if your IdP has no Duo step"))
            }
        };
        Ok(Some(f))
    }

    /// The header value.
    pub fn as_header(self) -> &'static str {
        match self {
            DuoFactor::Auto => "auto",
            DuoFactor::Push => "push",
            DuoFactor::Phone => "phone",
            DuoFactor::Passcode => "passcode",
        }
    }
}

pub(crate) fn login(request: &LoginRequest, host: &Host) -> Result<LoginOutcome, PluginError> {
    let url = plugin_kit::request::endpoint_url(
        request,
        crate::NAME,
        "use the IdP's ECP endpoint, e.g. https://idp.example.edu/idp/profile/SAML2/SOAP/ECP",
    )?;
    let username = plugin_kit::request::username(request, crate::NAME)?;
    let options = Options::from_request(request)?;
    let factor = DuoFactor::from_request(request)?;

    if options.reuse_session && session::restore(host) {
        match exchange(host, &url, &options, &[]) {
            Ok(xml) => {
                host.info("logged in with the saved IdP session");
                session::save(host);
                return Ok(outcome(host, xml));
            }
            Err(e) => {
                host.debug(&format!(
                    "the saved IdP session did not log in ({}); using the password",
                    e.message
                ));
                session::forget(host);
            }
        }
    }

    // The shared wording: both spellings of the word (see plugin_kit::prompt).
    let idp_host = url.host_str().unwrap_or("the IdP");
    let password = host.password(&plugin_kit::prompt::password("IdP", &username, idp_host))?;
    host.add_secret(password.expose());
    let token = base64::engine::general_purpose::STANDARD
        .encode(format!("{username}:{}", password.expose()));
    let basic = Secret::new(format!("Basic {token}"));
    host.add_secret(&token);
    host.add_secret(basic.expose());
    let mut headers = vec![("Authorization".to_string(), basic.into_inner())];
    if let Some(f) = factor {
        headers.push((DUO_FACTOR_HEADER.into(), f.as_header().into()));
        match f {
            DuoFactor::Passcode => {
                let code = host.mfa_code("Duo passcode (one-time code): ")?;
                let code = code.expose().trim().to_string();
                host.add_secret(&code);
                headers.push((DUO_PASSCODE_HEADER.into(), code));
            }
            DuoFactor::Push => host.notify("Duo: approve the push on your device"),
            DuoFactor::Phone => host.notify("Duo: answer the phone call to approve"),
            DuoFactor::Auto => {}
        }
    }
    let xml = exchange(host, &url, &options, &headers).map_err(|e| {
        // A push or call blocks the request until it is answered.
        if e.kind == ErrorKind::Network && matches!(factor, Some(DuoFactor::Push | DuoFactor::Phone)) {
            e.with_hint("approve the Duo request sooner, or raise --timeout (the IdP waits for Duo before it answers)")
        } else {
            e
        }
    })?;
    if options.reuse_session {
        session::save(host);
    }
    Ok(outcome(host, xml))
}

/// POST a fresh AuthnRequest and read the Response out of the answer.
fn exchange(
    host: &Host,
    url: &Url,
    options: &Options,
    headers: &[(String, String)],
) -> Result<String, PluginError> {
    let authn = AuthnRequest::new(&options.sp_entity_id, &options.acs_url)?;
    let mut http = HttpRequest::new("POST", url.as_str())
        .header("Content-Type", "text/xml; charset=utf-8")
        .header("Accept", ACCEPT)
        .header("PAOS", PAOS_HEADER)
        .with_body(authn.envelope().into_bytes())
        .no_redirects();
    http.headers.extend(headers.iter().cloned());
    host.debug(&format!(
        "POST ECP AuthnRequest {} to {}",
        authn.id,
        plugin_kit::browser::redacted(url)
    ));
    let answer = host.http(http)?;
    host.debug(&format!(
        "the IdP answered HTTP {} ({} bytes)",
        answer.status,
        answer.body.len()
    ));
    response::extract(&answer, &authn)
}

fn outcome(host: &Host, xml: String) -> LoginOutcome {
    let assertion = base64::engine::general_purpose::STANDARD.encode(xml.as_bytes());
    host.add_secret(&assertion);
    LoginOutcome::Saml {
        assertion: Secret::new(assertion),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mfa_factor_maps_to_the_duo_header() {
        let mut r = LoginRequest::default();
        assert_eq!(DuoFactor::from_request(&r).unwrap(), None);
        for (given, header) in [
            ("auto", "auto"),
            ("Push", "push"),
            ("phone", "phone"),
            ("passcode", "passcode"),
        ] {
            r.mfa.factor = Some(given.into());
            let f = DuoFactor::from_request(&r).unwrap().unwrap();
            assert_eq!(f.as_header(), header);
        }
        r.mfa.factor = Some("yubikey".into());
        let e = DuoFactor::from_request(&r).unwrap_err();
        assert!(
            e.message.contains("auto, push, phone, passcode"),
            "{}",
            e.message
        );
    }
}
