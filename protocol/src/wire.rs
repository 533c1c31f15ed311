//! The plain-Rust, serde-encoded types that cross the plugin boundary.
//!
//! Manifests, login requests and login outcomes travel as JSON: as strings
//! inside a library plugin's binary interface (plugin-api's `ffi` module),
//! or as lines of a process plugin. JSON keeps the binary layout of the root
//! module frozen while the protocol grows: a new optional field is a new JSON
//! key, and both sides ignore keys they do not know. The exact JSON shapes are
//! pinned by the unit tests at the bottom of this file; changing one of them
//! is a protocol change (see `PROTOCOL.md`).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::secret::Secret;

/// What a plugin produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum PluginKind {
    /// Logs in to a SAML identity provider and returns a SAML assertion; the
    /// host then calls STS `AssumeRoleWithSAML`.
    SamlIdp,
    /// Returns ready AWS credentials; the host validates and prints them.
    Credentials,
    /// A kind from a newer protocol; the host refuses to run such a plugin
    /// with a clear message instead of failing to read its manifest.
    #[serde(other)]
    Unknown,
}

impl fmt::Display for PluginKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PluginKind::SamlIdp => "saml-idp",
            PluginKind::Credentials => "credentials",
            PluginKind::Unknown => "unknown",
        })
    }
}

/// Whether a plugin needs one of the host's standard inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Need {
    /// The host refuses to run without it.
    Required,
    /// Used when given.
    #[default]
    Optional,
    /// Ignored.
    Unused,
    /// A value from a newer protocol; treated as `Optional`.
    #[serde(other)]
    Unknown,
}

/// Which of the host's standard inputs a plugin needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub struct Inputs {
    /// `-e/--endpoint`.
    #[serde(default)]
    pub endpoint: Need,
    /// `-u/--username`.
    #[serde(default)]
    pub username: Need,
    /// `-a/--role-arn`.
    #[serde(default)]
    pub role: Need,
}

/// One `--plugin-option KEY=VALUE` a plugin accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OptionSpec {
    /// The key, e.g. `username-field`.
    pub key: String,
    /// One-line help shown by `awsprocesscreds plugins`.
    pub help: String,
    /// Whether a different value can lead to different credentials (it is
    /// then part of the cache key).
    #[serde(default = "default_true")]
    pub affects_credentials: bool,
}

fn default_true() -> bool {
    true
}

/// What a plugin says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Manifest {
    /// The provider name users pass to `-p`, e.g. `okta`.
    pub name: String,
    /// The plugin's own version.
    pub version: String,
    /// The protocol versions it speaks.
    pub protocols: Vec<u32>,
    /// What it produces.
    pub kind: PluginKind,
    /// One line for `awsprocesscreds plugins`.
    #[serde(default)]
    pub description: String,
    /// The standard inputs it needs.
    #[serde(default)]
    pub inputs: Inputs,
    /// The `--plugin-option` keys it accepts; any other key is an error.
    #[serde(default)]
    pub options: Vec<OptionSpec>,
}

/// Everything the host tells a plugin about one login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub struct LoginRequest {
    /// The protocol version the host chose for this call.
    pub protocol: u32,
    /// `-e/--endpoint`.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// `-u/--username`.
    #[serde(default)]
    pub username: Option<String>,
    /// `-a/--role-arn`, when given (a SAML plugin does not need it; the host
    /// picks the role from the assertion).
    #[serde(default)]
    pub role_arn: Option<String>,
    /// `--plugin-option` values, already checked against the manifest.
    #[serde(default)]
    pub options: BTreeMap<String, String>,
    /// Number of `-v` flags.
    #[serde(default)]
    pub verbosity: u8,
    /// Whether a terminal is available for prompts.
    #[serde(default)]
    pub interactive: bool,
    /// Multi-factor preferences.
    #[serde(default)]
    pub mfa: MfaSettings,
}

/// The user's multi-factor preferences (`--mfa-factor`, `--mfa-timeout`,
/// `--mfa-code-command`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MfaSettings {
    /// Preferred factor, e.g. `push`, `totp`, `sms`, optionally
    /// `totp:google`.
    #[serde(default)]
    pub factor: Option<String>,
    /// How long to wait for a push approval or similar, in seconds.
    #[serde(default = "default_mfa_timeout")]
    pub timeout_secs: u64,
    /// Whether the `mfa_code` service can produce a code without a terminal
    /// (a `--mfa-code-command` is set).
    #[serde(default)]
    pub code_source: bool,
}

fn default_mfa_timeout() -> u64 {
    120
}

impl Default for MfaSettings {
    fn default() -> Self {
        MfaSettings {
            factor: None,
            timeout_secs: default_mfa_timeout(),
            code_source: false,
        }
    }
}

/// AWS credentials in the `credential_process` shape.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Credentials {
    #[serde(rename = "AccessKeyId")]
    pub access_key_id: String,
    #[serde(rename = "SecretAccessKey")]
    pub secret_access_key: Secret<String>,
    #[serde(
        rename = "SessionToken",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub session_token: Option<Secret<String>>,
    /// RFC 3339.
    #[serde(
        rename = "Expiration",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub expiration: Option<String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key)
            .field("session_token", &self.session_token)
            .field("expiration", &self.expiration)
            .finish()
    }
}

/// What a successful login returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum LoginOutcome {
    /// A base64 SAML response, exactly as the IdP posted it.
    Saml { assertion: Secret<String> },
    /// Ready credentials.
    Credentials { credentials: Credentials },
    /// An outcome type from a newer protocol; the host reports it.
    #[serde(other)]
    Unknown,
}

/// Why a login failed. Each kind drives a different message, hint and exit
/// path in the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// The IdP rejected the username or password.
    AuthenticationFailed,
    /// The user (or the IdP) rejected the second factor.
    MfaRejected,
    /// Nobody answered the second factor in time.
    MfaTimeout,
    /// The IdP asked for something this plugin cannot do.
    NotSupported,
    /// The IdP answered something the plugin does not understand.
    Protocol,
    /// The user cancelled (Ctrl-C at a prompt, empty choice).
    Cancelled,
    /// The user's input or options are wrong.
    Config,
    /// A network or TLS failure from the host's HTTP client.
    Network,
    /// A prompt was needed but no terminal is available.
    NoTerminal,
    /// This step needs a person in a web browser (a security key, a passkey,
    /// Okta FastPass, a push page, ...): the host may continue this login in
    /// a browser at the same endpoint. Hosts that cannot yet report it as an
    /// ordinary failure (message and hint, exit 1); hosts older than this
    /// kind read it as `Other` and show the message.
    BrowserRequired,
    /// The IdP knows who this is but refuses the sign-in: a locked or
    /// disabled account, an expired password, a policy (Conditional
    /// Access, device assurance), no assignment to the app. Unlike
    /// `AuthenticationFailed` it says nothing against the password, so
    /// the host keeps a password stored in the keychain. Hosts older than
    /// this kind read it as `Other` and show the message.
    AccessDenied,
    /// Anything else (including a panic inside the plugin), and every kind
    /// from a newer protocol.
    #[serde(other)]
    Other,
}

impl ErrorKind {
    /// Stable numeric code used on the FFI boundary.
    pub fn code(self) -> u32 {
        match self {
            ErrorKind::AuthenticationFailed => 1,
            ErrorKind::MfaRejected => 2,
            ErrorKind::MfaTimeout => 3,
            ErrorKind::NotSupported => 4,
            ErrorKind::Protocol => 5,
            ErrorKind::Cancelled => 6,
            ErrorKind::Config => 7,
            ErrorKind::Network => 8,
            ErrorKind::NoTerminal => 9,
            ErrorKind::BrowserRequired => 10,
            ErrorKind::AccessDenied => 11,
            ErrorKind::Other => 0,
        }
    }

    /// The inverse of [`ErrorKind::code`]; unknown codes (from a newer
    /// protocol) read as `Other`.
    pub fn from_code(code: u32) -> ErrorKind {
        match code {
            1 => ErrorKind::AuthenticationFailed,
            2 => ErrorKind::MfaRejected,
            3 => ErrorKind::MfaTimeout,
            4 => ErrorKind::NotSupported,
            5 => ErrorKind::Protocol,
            6 => ErrorKind::Cancelled,
            7 => ErrorKind::Config,
            8 => ErrorKind::Network,
            9 => ErrorKind::NoTerminal,
            10 => ErrorKind::BrowserRequired,
            11 => ErrorKind::AccessDenied,
            _ => ErrorKind::Other,
        }
    }
}

/// A typed plugin (or host service) error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
#[non_exhaustive]
pub struct PluginError {
    pub kind: ErrorKind,
    /// One line, no secrets.
    pub message: String,
    /// What the user can do about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl PluginError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        PluginError {
            kind,
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn auth(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::AuthenticationFailed, message)
    }

    pub fn protocol(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Protocol, message)
    }

    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Config, message)
    }

    pub fn not_supported(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotSupported, message)
    }

    pub fn other(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Other, message)
    }

    /// This step needs a person in a web browser (see
    /// [`ErrorKind::BrowserRequired`]); say what the browser is needed for,
    /// and put what the user can do meanwhile in the hint.
    pub fn browser_required(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BrowserRequired, message)
    }

    /// The IdP refuses a sign-in it did not blame on the password (see
    /// [`ErrorKind::AccessDenied`]).
    pub fn access_denied(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::AccessDenied, message)
    }
}

/// An HTTP request made through the host's client.
///
/// Build it with [`HttpRequest::new`], [`HttpRequest::get`],
/// [`HttpRequest::post_form`] or [`HttpRequest::post_json`] and the `with_*`
/// builders; a struct literal does not compile outside this crate, so a
/// field added later breaks no plugin:
///
/// ```compile_fail
/// let r = protocol::HttpRequest {
///     method: "GET".into(),
///     url: "https://idp.example.com/".into(),
///     headers: vec![],
///     body: vec![],
///     follow_redirects: true,
/// };
/// ```
///
/// ```
/// let r = protocol::HttpRequest::new("PUT", "https://idp.example.com/x")
///     .header("Content-Type", "text/plain")
///     .with_body("hi")
///     .no_redirects();
/// assert_eq!((r.method.as_str(), r.follow_redirects), ("PUT", false));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Follow 3xx redirects (GET after 301/302/303, as browsers do).
    pub follow_redirects: bool,
}

impl HttpRequest {
    /// A request with any method, no headers, no body, following redirects.
    pub fn new(method: impl Into<String>, url: impl Into<String>) -> Self {
        HttpRequest {
            method: method.into(),
            url: url.into(),
            headers: Vec::new(),
            body: Vec::new(),
            follow_redirects: true,
        }
    }

    pub fn get(url: impl Into<String>) -> Self {
        Self::new("GET", url)
    }

    /// A JSON POST with `Accept: application/json`.
    pub fn post_json(url: impl Into<String>, body: &serde_json::Value) -> Self {
        HttpRequest {
            method: "POST".into(),
            url: url.into(),
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("Accept".into(), "application/json".into()),
            ],
            body: serde_json::to_vec(body).unwrap_or_default(),
            follow_redirects: true,
        }
    }

    /// An `application/x-www-form-urlencoded` POST, as a browser submits a form.
    pub fn post_form<K: AsRef<str>, V: AsRef<str>>(
        url: impl Into<String>,
        fields: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in fields {
            ser.append_pair(k.as_ref(), v.as_ref());
        }
        HttpRequest {
            method: "POST".into(),
            url: url.into(),
            headers: vec![(
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            )],
            body: ser.finish().into_bytes(),
            follow_redirects: true,
        }
    }

    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn no_redirects(mut self) -> Self {
        self.follow_redirects = false;
        self
    }

    /// Whether to follow 3xx redirects (the default).
    pub fn with_follow_redirects(mut self, yes: bool) -> Self {
        self.follow_redirects = yes;
        self
    }

    /// Replace the body (set the `Content-Type` with [`HttpRequest::header`]).
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }
}

/// The answer to an [`HttpRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct HttpResponse {
    pub status: u16,
    /// The URL that answered, after redirects: resolve relative links and
    /// form actions against this, not against the URL you asked for.
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// First header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, PluginError> {
        serde_json::from_slice(&self.body).map_err(|e| {
            PluginError::protocol(format!(
                "{} answered HTTP {} with a body that is not the expected JSON ({e})",
                host_of(&self.url),
                self.status
            ))
        })
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "the server".into())
}

/// Log levels for the `log` service (`plugin_api::Host::log`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    Error = 1,
    Warn = 2,
    Info = 3,
    Debug = 4,
    Trace = 5,
}

impl LogLevel {
    pub fn from_code(code: u8) -> LogLevel {
        match code {
            1 => LogLevel::Error,
            2 => LogLevel::Warn,
            3 => LogLevel::Info,
            4 => LogLevel::Debug,
            _ => LogLevel::Trace,
        }
    }
}

// Constructors and builders. Every wire type is `#[non_exhaustive]`, so
// outside this crate values are built with these, never with struct
// literals, and matches on the enums need a `_` arm: a field or variant
// added in a later release then needs no change in plugin sources (see
// `PROTOCOL.md`, "Compatibility").

impl Manifest {
    /// A manifest speaking every protocol this crate implements, with
    /// optional standard inputs and no options.
    pub fn new(name: impl Into<String>, version: impl Into<String>, kind: PluginKind) -> Self {
        Manifest {
            name: name.into(),
            version: version.into(),
            protocols: crate::SUPPORTED_PROTOCOLS.collect(),
            kind,
            description: String::new(),
            inputs: Inputs::default(),
            options: Vec::new(),
        }
    }

    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self
    }

    pub fn inputs(mut self, inputs: Inputs) -> Self {
        self.inputs = inputs;
        self
    }

    /// Accept one more `--plugin-option`.
    pub fn option(mut self, spec: OptionSpec) -> Self {
        self.options.push(spec);
        self
    }

    pub fn protocols(mut self, protocols: Vec<u32>) -> Self {
        self.protocols = protocols;
        self
    }
}

impl Inputs {
    /// Every input optional.
    pub fn new() -> Self {
        Inputs::default()
    }

    pub fn endpoint(mut self, need: Need) -> Self {
        self.endpoint = need;
        self
    }

    pub fn username(mut self, need: Need) -> Self {
        self.username = need;
        self
    }

    pub fn role(mut self, need: Need) -> Self {
        self.role = need;
        self
    }
}

impl OptionSpec {
    /// An option that is part of the cache key.
    pub fn new(key: impl Into<String>, help: impl Into<String>) -> Self {
        OptionSpec {
            key: key.into(),
            help: help.into(),
            affects_credentials: true,
        }
    }

    pub fn affects_credentials(mut self, yes: bool) -> Self {
        self.affects_credentials = yes;
        self
    }
}

impl Credentials {
    pub fn new(access_key_id: impl Into<String>, secret_access_key: Secret<String>) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key,
            session_token: None,
            expiration: None,
        }
    }

    pub fn session_token(mut self, token: Option<Secret<String>>) -> Self {
        self.session_token = token;
        self
    }

    /// RFC 3339.
    pub fn expiration(mut self, at: Option<String>) -> Self {
        self.expiration = at;
        self
    }
}

impl LoginOutcome {
    pub fn saml(assertion: Secret<String>) -> Self {
        LoginOutcome::Saml { assertion }
    }

    pub fn credentials(credentials: Credentials) -> Self {
        LoginOutcome::Credentials { credentials }
    }
}

impl LoginRequest {
    /// An empty request for the newest protocol (hosts and tests fill it).
    pub fn new() -> Self {
        LoginRequest {
            protocol: crate::PROTOCOL_VERSION,
            ..LoginRequest::default()
        }
    }

    /// The protocol version the host chose (hosts set it; tests of
    /// protocol-1 behaviour too).
    pub fn with_protocol(mut self, protocol: u32) -> Self {
        self.protocol = protocol;
        self
    }

    pub fn with_role_arn(mut self, role_arn: impl Into<String>) -> Self {
        self.role_arn = Some(role_arn.into());
        self
    }

    /// Number of `-v` flags.
    pub fn with_verbosity(mut self, verbosity: u8) -> Self {
        self.verbosity = verbosity;
        self
    }

    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    pub fn with_username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }

    /// Replace all `--plugin-option` values.
    pub fn with_options(mut self, options: BTreeMap<String, String>) -> Self {
        self.options = options;
        self
    }

    pub fn with_option(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.insert(key.into(), value.into());
        self
    }

    pub fn with_mfa(mut self, mfa: MfaSettings) -> Self {
        self.mfa = mfa;
        self
    }

    pub fn with_interactive(mut self, interactive: bool) -> Self {
        self.interactive = interactive;
        self
    }
}

impl MfaSettings {
    pub fn new() -> Self {
        MfaSettings::default()
    }

    pub fn with_factor(mut self, factor: impl Into<String>) -> Self {
        self.factor = Some(factor.into());
        self
    }

    pub fn with_timeout_secs(mut self, secs: u64) -> Self {
        self.timeout_secs = secs;
        self
    }

    pub fn with_code_source(mut self, yes: bool) -> Self {
        self.code_source = yes;
        self
    }
}

impl HttpResponse {
    pub fn new(status: u16, url: impl Into<String>) -> Self {
        HttpResponse {
            status,
            url: url.into(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Replace all headers (in the order received).
    pub fn with_headers(mut self, headers: Vec<(String, String)>) -> Self {
        self.headers = headers;
        self
    }

    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn manifest_wire_format_is_pinned() {
        let m = Manifest {
            name: "okta".into(),
            version: "1.2.3".into(),
            protocols: vec![1],
            kind: PluginKind::SamlIdp,
            description: "Okta".into(),
            inputs: Inputs {
                endpoint: Need::Required,
                username: Need::Required,
                role: Need::Optional,
            },
            options: vec![OptionSpec {
                key: "k".into(),
                help: "h".into(),
                affects_credentials: false,
            }],
        };
        let v = serde_json::to_value(&m).unwrap();
        assert_eq!(
            v,
            json!({
                "name": "okta", "version": "1.2.3", "protocols": [1], "kind": "saml-idp",
                "description": "Okta",
                "inputs": {"endpoint": "required", "username": "required", "role": "optional"},
                "options": [{"key": "k", "help": "h", "affects_credentials": false}]
            })
        );
        // Minimal manifests from older or hand-written plugins still parse.
        let min: Manifest = serde_json::from_value(json!({
            "name": "x", "version": "0", "protocols": [1], "kind": "credentials",
            "future_field": true
        }))
        .unwrap();
        assert_eq!(min.inputs.endpoint, Need::Optional);
        assert!(min.options.is_empty());
    }

    #[test]
    fn request_wire_format_is_pinned() {
        let mut options = BTreeMap::new();
        options.insert("a".to_string(), "b".to_string());
        let r = LoginRequest {
            protocol: 1,
            endpoint: Some("https://e".into()),
            username: Some("u".into()),
            role_arn: None,
            options,
            verbosity: 2,
            interactive: true,
            mfa: MfaSettings {
                factor: Some("push".into()),
                timeout_secs: 60,
                code_source: false,
            },
        };
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!({
                "protocol": 1, "endpoint": "https://e", "username": "u", "role_arn": null,
                "options": {"a": "b"}, "verbosity": 2, "interactive": true,
                "mfa": {"factor": "push", "timeout_secs": 60, "code_source": false}
            })
        );
        let minimal: LoginRequest = serde_json::from_value(json!({"protocol": 1})).unwrap();
        assert_eq!(minimal.mfa.timeout_secs, 120);
    }

    #[test]
    fn outcome_wire_format_is_pinned() {
        let saml = LoginOutcome::Saml {
            assertion: Secret::new("PHNhbWw+".into()),
        };
        assert_eq!(
            serde_json::to_value(&saml).unwrap(),
            json!({"type": "saml", "assertion": "PHNhbWw+"})
        );
        let creds = LoginOutcome::Credentials {
            credentials: Credentials {
                access_key_id: "AKID".into(),
                secret_access_key: Secret::new("S".into()),
                session_token: Some(Secret::new("T".into())),
                expiration: Some("2030-01-01T00:00:00Z".into()),
            },
        };
        assert_eq!(
            serde_json::to_value(&creds).unwrap(),
            json!({"type": "credentials", "credentials": {
                "AccessKeyId": "AKID", "SecretAccessKey": "S", "SessionToken": "T",
                "Expiration": "2030-01-01T00:00:00Z"}})
        );
    }

    #[test]
    fn error_wire_format_and_codes_are_pinned() {
        let e = PluginError::auth("bad password").with_hint("try again");
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            json!({"kind": "authentication-failed", "message": "bad password", "hint": "try again"})
        );
        let all = [
            ErrorKind::AuthenticationFailed,
            ErrorKind::MfaRejected,
            ErrorKind::MfaTimeout,
            ErrorKind::NotSupported,
            ErrorKind::Protocol,
            ErrorKind::Cancelled,
            ErrorKind::Config,
            ErrorKind::Network,
            ErrorKind::NoTerminal,
            ErrorKind::BrowserRequired,
            ErrorKind::Other,
        ];
        let codes: Vec<u32> = all.iter().map(|k| k.code()).collect();
        assert_eq!(codes, vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0]);
        assert_eq!(
            serde_json::to_value(PluginError::browser_required("touch your key")).unwrap(),
            json!({"kind": "browser-required", "message": "touch your key"})
        );
        for k in all {
            assert_eq!(ErrorKind::from_code(k.code()), k);
        }
        assert_eq!(ErrorKind::from_code(4242), ErrorKind::Other);
    }

    #[test]
    fn debug_never_shows_secrets() {
        let c = Credentials {
            access_key_id: "AKID".into(),
            secret_access_key: Secret::new("very-secret".into()),
            session_token: Some(Secret::new("token-secret".into())),
            expiration: None,
        };
        let s = format!("{c:?}");
        assert!(
            !s.contains("very-secret") && !s.contains("token-secret"),
            "{s}"
        );
    }

    #[test]
    fn unknown_enum_values_read_as_explicit_variants() {
        let m: Manifest = serde_json::from_value(json!({
            "name": "x", "version": "0", "protocols": [3], "kind": "oidc-idp",
            "inputs": {"endpoint": "sometimes"}
        }))
        .unwrap();
        assert_eq!(m.kind, PluginKind::Unknown);
        assert_eq!(m.inputs.endpoint, Need::Unknown);
        let o: LoginOutcome =
            serde_json::from_value(json!({"type": "device-code", "code": "X"})).unwrap();
        assert_eq!(o, LoginOutcome::Unknown);
        let e: PluginError =
            serde_json::from_value(json!({"kind": "rate-limited", "message": "m"})).unwrap();
        assert_eq!(e.kind, ErrorKind::Other);
    }

    #[test]
    fn builders_match_the_pinned_shapes() {
        let m = Manifest::new("static", "1", PluginKind::Credentials)
            .description("d")
            .inputs(
                Inputs::new()
                    .endpoint(Need::Required)
                    .username(Need::Unused),
            )
            .option(OptionSpec::new("k", "h").affects_credentials(false));
        assert_eq!(m.protocols, vec![1, 2]);
        assert_eq!(m.inputs.role, Need::Optional);
        assert!(!m.options[0].affects_credentials);
        let c = Credentials::new("AKID", Secret::new("S".into()))
            .session_token(Some(Secret::new("T".into())));
        assert_eq!(c.session_token.unwrap().expose(), "T");
    }

    #[test]
    fn form_post_is_urlencoded() {
        let r = HttpRequest::post_form("https://x/", [("a b", "c&d"), ("e", "=")]);
        assert_eq!(String::from_utf8(r.body).unwrap(), "a+b=c%26d&e=%3D");
    }
}
