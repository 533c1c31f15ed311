//! Which enrolled factor to use: names for `--mfa-factor`, labels for
//! humans, and the choice rules (named factor, menu, no-terminal rules).

use plugin_api::{ErrorKind, Host, LoginRequest, PluginError};

use crate::api::Factor;
use crate::browser_only::needs_browser;

/// The factor families this plugin can verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Push,
    Totp,
    Sms,
    Call,
    Email,
    YubiKey,
    Token,
    /// WebAuthn, U2F, Duo, security questions and anything newer.
    Unsupported,
}

/// The `--mfa-factor` names, in the order the README lists them.
pub const NAMES: &[&str] = &["push", "totp", "sms", "call", "email", "yubikey", "token"];

impl Kind {
    pub fn of(factor: &Factor) -> Kind {
        match factor.factor_type.as_str() {
            "push" => Kind::Push,
            "token:software:totp" => Kind::Totp,
            "sms" => Kind::Sms,
            "call" => Kind::Call,
            "email" => Kind::Email,
            "token:hardware" => Kind::YubiKey,
            "token" => Kind::Token,
            _ => Kind::Unsupported,
        }
    }

    /// The `--mfa-factor` name, e.g. `totp`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Push => "push",
            Kind::Totp => "totp",
            Kind::Sms => "sms",
            Kind::Call => "call",
            Kind::Email => "email",
            Kind::YubiKey => "yubikey",
            Kind::Token => "token",
            Kind::Unsupported => "unsupported",
        }
    }

    /// Whether the user has to type something (everything but push).
    pub fn needs_code(self) -> bool {
        !matches!(self, Kind::Push)
    }

    /// Okta sends the code first (SMS, call, email).
    pub fn is_challenge(self) -> bool {
        matches!(self, Kind::Sms | Kind::Call | Kind::Email)
    }

    /// Preference without a terminal when codes come from a command:
    /// codes a command can compute first, then push, then sent codes.
    fn unattended_rank(self) -> u8 {
        match self {
            Kind::Totp => 0,
            Kind::YubiKey => 1,
            Kind::Token => 2,
            Kind::Push => 3,
            Kind::Sms => 4,
            Kind::Call => 5,
            Kind::Email => 6,
            Kind::Unsupported => 9,
        }
    }
}

/// The lower-case provider (`okta`, `google`, `rsa`, `symantec`, ...).
pub fn provider(factor: &Factor) -> String {
    factor.provider.to_ascii_lowercase()
}

/// The full `--mfa-factor` name, with the provider where it tells factors
/// apart (`totp:google`, `token:rsa`).
pub fn full_name(factor: &Factor) -> String {
    let kind = Kind::of(factor);
    match kind {
        Kind::Totp | Kind::Token => format!("{}:{}", kind.name(), provider(factor)),
        Kind::Unsupported => factor.factor_type.clone(),
        _ => kind.name().to_string(),
    }
}

/// What a person would call this factor.
pub fn label(factor: &Factor) -> String {
    let p = provider(factor);
    match Kind::of(factor) {
        Kind::Push => match factor.profile_str("name") {
            Some(device) => format!("Okta Verify push to {device}"),
            None => "Okta Verify push".into(),
        },
        Kind::Totp => match p.as_str() {
            "google" => "Google Authenticator code".into(),
            "okta" => "Okta Verify code".into(),
            _ => format!("{} authenticator code", factor.provider),
        },
        Kind::Sms => with_target("SMS code", factor.profile_str("phoneNumber")),
        Kind::Call => with_target("voice call", factor.profile_str("phoneNumber")),
        Kind::Email => with_target("email code", factor.profile_str("email")),
        Kind::YubiKey => "YubiKey OTP".into(),
        Kind::Token => match p.as_str() {
            "rsa" => "RSA SecurID code".into(),
            "symantec" => "Symantec VIP code".into(),
            _ => format!("{} token code", factor.provider),
        },
        Kind::Unsupported => unsupported_label(factor),
    }
}

fn with_target(what: &str, target: Option<&str>) -> String {
    match target {
        Some(t) => format!("{what} to {t}"),
        None => what.to_string(),
    }
}

fn unsupported_label(factor: &Factor) -> String {
    let t = factor.factor_type.as_str();
    let p = provider(factor);
    if p == "duo" || t == "claims_provider" {
        "Duo Security".into()
    } else if t == "webauthn" || t == "u2f" {
        "security key or biometric (WebAuthn/U2F)".into()
    } else if t == "question" {
        "security question".into()
    } else if t.is_empty() {
        "an unnamed factor".into()
    } else {
        format!("'{t}' ({})", factor.provider)
    }
}

/// A parsed `--mfa-factor` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub kind: Kind,
    pub provider: Option<String>,
    pub raw: String,
}

impl Wanted {
    pub fn parse(raw: &str) -> Result<Wanted, PluginError> {
        let raw = raw.trim();
        let (kind, provider) = match raw.split_once(':') {
            Some((k, p)) => (
                k.trim().to_ascii_lowercase(),
                Some(p.trim().to_ascii_lowercase()),
            ),
            None => (raw.to_ascii_lowercase(), None),
        };
        let kind = match kind.as_str() {
            "push" => Kind::Push,
            "totp" => Kind::Totp,
            "sms" => Kind::Sms,
            "call" | "voice" => Kind::Call,
            "email" => Kind::Email,
            "yubikey" => Kind::YubiKey,
            "token" => Kind::Token,
            "webauthn" | "u2f" | "duo" | "fido" => {
                return Err(PluginError::not_supported(format!(
                    "--mfa-factor {raw}: the okta provider cannot verify {kind} factors"
                ))
                .with_hint(format!("use one of: {}", NAMES.join(", "))))
            }
            _ => {
                return Err(PluginError::config(format!(
                    "--mfa-factor {raw} is not a factor name the okta provider knows"
                ))
                .with_hint(format!(
                    "use one of: {} (optionally with a provider, e.g. totp:google, token:rsa)",
                    NAMES.join(", ")
                )))
            }
        };
        Ok(Wanted {
            kind,
            provider: provider.filter(|p| !p.is_empty()),
            raw: raw.to_string(),
        })
    }

    pub fn matches(&self, factor: &Factor) -> bool {
        Kind::of(factor) == self.kind
            && self.provider.as_ref().is_none_or(|p| {
                *p == provider(factor) || (p == "yubico" && self.kind == Kind::YubiKey)
            })
    }
}

/// `name (label)` for every factor, for messages.
pub fn describe_all(factors: &[Factor]) -> String {
    factors
        .iter()
        .map(|f| format!("{} ({})", full_name(f), label(f)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Pick the factor to verify, following the rules in the README.
pub fn choose<'a>(
    host: &Host,
    req: &LoginRequest,
    factors: &'a [Factor],
) -> Result<&'a Factor, PluginError> {
    let unattended = !req.interactive;
    if let Some(raw) = req.mfa.factor.as_deref().filter(|s| !s.trim().is_empty()) {
        let wanted = Wanted::parse(raw)?;
        let factor = factors.iter().find(|f| wanted.matches(f)).ok_or_else(|| {
            PluginError::config(format!(
                "--mfa-factor {}: no such factor is enrolled; Okta offers {}",
                wanted.raw,
                describe_all(factors)
            ))
            .with_hint("pass one of the names listed, or leave --mfa-factor out to be asked")
        })?;
        if wanted.kind.needs_code() && unattended && !req.mfa.code_source {
            return Err(PluginError::new(
                ErrorKind::NoTerminal,
                format!(
                    "the {} factor needs a code, and there is no terminal to type it",
                    label(factor)
                ),
            )
            .with_hint("set --mfa-code-command to supply codes, or use --mfa-factor push"));
        }
        host.debug(&format!(
            "using the {} factor (--mfa-factor {raw})",
            label(factor)
        ));
        return Ok(factor);
    }

    let usable: Vec<&Factor> = factors
        .iter()
        .filter(|f| Kind::of(f) != Kind::Unsupported)
        .collect();
    if usable.is_empty() {
        return Err(needs_browser(
            format!(
                "Okta asks for a second factor, but only {} is enrolled, which the okta provider cannot verify",
                factors.iter().map(label).collect::<Vec<_>>().join(", ")
            ),
            "enroll Okta Verify (push or code), an authenticator app, SMS, voice call, email or a YubiKey in Okta, then use --mfa-factor",
        ));
    }

    if !unattended {
        if usable.len() == 1 {
            host.debug(&format!(
                "using the only usable factor: {}",
                label(usable[0])
            ));
            return Ok(usable[0]);
        }
        let labels: Vec<String> = usable.iter().map(|f| label(f)).collect();
        let i = host.choose("Choose a second factor for Okta", &labels)?;
        return usable
            .get(i)
            .copied()
            .ok_or_else(|| PluginError::new(ErrorKind::Cancelled, "no second factor was chosen"));
    }

    // No terminal: only factors nobody has to type, unless a code command exists.
    let mut candidates: Vec<&Factor> = usable
        .into_iter()
        .filter(|f| req.mfa.code_source || !Kind::of(f).needs_code())
        .collect();
    candidates.sort_by_key(|f| Kind::of(f).unattended_rank());
    match candidates.first() {
        Some(f) => {
            host.debug(&format!("no terminal: using the {} factor", label(f)));
            Ok(f)
        }
        None => Err(PluginError::new(
            ErrorKind::NoTerminal,
            format!(
                "Okta asks for a code ({}), and there is no terminal to choose a factor or type it",
                describe_all(factors)
            ),
        )
        .with_hint(
            "set --mfa-code-command (e.g. with --mfa-factor totp), or enroll Okta Verify and use --mfa-factor push",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn factor(t: &str, p: &str) -> Factor {
        serde_json::from_value(
            json!({"id": format!("{t}-{p}"), "factorType": t, "provider": p,
            "profile": {"phoneNumber": "+1 XXX-XXX-1234", "name": "Pixel"}}),
        )
        .unwrap()
    }

    #[test]
    fn kinds_names_and_labels() {
        let cases = [
            ("push", "OKTA", "push", "Okta Verify push to Pixel"),
            (
                "token:software:totp",
                "GOOGLE",
                "totp:google",
                "Google Authenticator code",
            ),
            (
                "token:software:totp",
                "OKTA",
                "totp:okta",
                "Okta Verify code",
            ),
            ("sms", "OKTA", "sms", "SMS code to +1 XXX-XXX-1234"),
            ("call", "OKTA", "call", "voice call to +1 XXX-XXX-1234"),
            ("token:hardware", "YUBICO", "yubikey", "YubiKey OTP"),
            ("token", "RSA", "token:rsa", "RSA SecurID code"),
            ("token", "SYMANTEC", "token:symantec", "Symantec VIP code"),
            ("web", "DUO", "web", "Duo Security"),
            (
                "webauthn",
                "FIDO",
                "webauthn",
                "security key or biometric (WebAuthn/U2F)",
            ),
        ];
        for (t, p, name, lbl) in cases {
            let f = factor(t, p);
            assert_eq!(full_name(&f), name);
            assert_eq!(label(&f), lbl);
        }
        assert_eq!(Kind::of(&factor("email", "OKTA")), Kind::Email);
        assert!(Kind::Sms.is_challenge() && !Kind::Totp.is_challenge());
        assert!(!Kind::Push.needs_code() && Kind::YubiKey.needs_code());
    }

    #[test]
    fn wanted_parsing_and_matching() {
        let w = Wanted::parse("TOTP:Google").unwrap();
        assert!(w.matches(&factor("token:software:totp", "GOOGLE")));
        assert!(!w.matches(&factor("token:software:totp", "OKTA")));
        let any = Wanted::parse("totp").unwrap();
        assert!(any.matches(&factor("token:software:totp", "OKTA")));
        assert!(Wanted::parse("token:rsa")
            .unwrap()
            .matches(&factor("token", "RSA")));
        assert!(Wanted::parse("yubikey")
            .unwrap()
            .matches(&factor("token:hardware", "YUBICO")));
        let e = Wanted::parse("carrier-pigeon").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Config);
        assert!(e.hint.unwrap().contains("push, totp, sms"));
        assert_eq!(
            Wanted::parse("webauthn").unwrap_err().kind,
            ErrorKind::NotSupported
        );
    }

    #[test]
    fn unattended_preference_puts_computable_codes_first() {
        let mut kinds = [Kind::Email, Kind::Push, Kind::Sms, Kind::Totp];
        kinds.sort_by_key(|k| k.unattended_rank());
        assert_eq!(kinds, [Kind::Totp, Kind::Push, Kind::Sms, Kind::Email]);
    }
}
