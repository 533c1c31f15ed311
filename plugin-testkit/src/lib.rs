//! A scripted test host for awsprocesscreds plugins.
//!
//! Test a plugin's `login` in-process, without building and loading the
//! library and without depending on the awsprocesscreds host:
//!
//! ```no_run
//! use plugin_testkit::TestServices;
//! # fn demo(request: plugin_api::LoginRequest) {
//! let services = TestServices::new().password("hunter2").mfa_codes(["123456"]).build();
//! let host = plugin_api::Host::from_services(services.clone());
//! // let outcome = MyPlugin::default().login(&request, &host);
//! assert_eq!(services.password_requests(), 0);
//! # }
//! ```
//!
//! HTTP goes to the network through a real client (HTTPS with the system's
//! web PKI roots or [`TestServicesBuilder::ca_bundle`]; plain HTTP only to
//! loopback, as the host allows), or, with [`TestServicesBuilder::http_script`],
//! is answered from a list of canned responses. Every call is recorded.
//!
//! [`login_request`], [`saml_xml`], [`assert_error`],
//! [`assert_saml_idp_manifest`] and [`TestServices::assert_not_logged`]
//! are what every plugin's login tests build and check.
//!
//! The builder API is the same as the host's former
//! `awsprocesscreds::testing::TestServices`, so moving a test here is a
//! `use` change.

mod http;
mod login;
mod sessions;

pub use login::{
    assert_error, assert_saml_idp_manifest, decode_assertion, login_request, saml_xml,
};

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use protocol::{
    ErrorKind, HttpRequest, HttpResponse, LogLevel, PluginError, Reply, Secret, ServiceRequest,
    Services, WireHttpResponse,
};

/// Builder for [`TestServices`].
#[derive(Default)]
pub struct TestServicesBuilder {
    password: Option<String>,
    prompts: Vec<String>,
    mfa_codes: Vec<String>,
    choices: Vec<usize>,
    interactive: bool,
    session_dir: Option<PathBuf>,
    timeout: Option<Duration>,
    ca_bundle: Option<PathBuf>,
    fast_sleep: bool,
    script: Option<Vec<HttpResponse>>,
    browser: Vec<Result<String, PluginError>>,
}

impl TestServicesBuilder {
    /// The password `password()` returns (none: it fails like a missing terminal).
    pub fn password(mut self, p: &str) -> Self {
        self.password = Some(p.to_string());
        self
    }

    /// Answers for `prompt`/`prompt_secret`, in order.
    pub fn prompts<I: IntoIterator<Item = S>, S: Into<String>>(mut self, answers: I) -> Self {
        self.prompts = answers.into_iter().map(Into::into).collect();
        self.interactive = true;
        self
    }

    /// Answers for `mfa_code`, in order.
    pub fn mfa_codes<I: IntoIterator<Item = S>, S: Into<String>>(mut self, codes: I) -> Self {
        self.mfa_codes = codes.into_iter().map(Into::into).collect();
        self
    }

    /// Answers for `choose`, in order.
    pub fn choices<I: IntoIterator<Item = usize>>(mut self, c: I) -> Self {
        self.choices = c.into_iter().collect();
        self.interactive = true;
        self
    }

    /// Whether prompts/menus are possible at all (without it they fail
    /// with `NoTerminal`).
    pub fn interactive(mut self, yes: bool) -> Self {
        self.interactive = yes;
        self
    }

    /// Persist `session_put` values under this directory (default: memory
    /// only).
    pub fn session_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.session_dir = Some(dir.into());
        self
    }

    /// Bound on each whole HTTP exchange (default 10 s).
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = Some(t);
        self
    }

    /// Trust the certificates in this PEM file (e.g. a local fake's CA).
    pub fn ca_bundle(mut self, p: impl Into<PathBuf>) -> Self {
        self.ca_bundle = Some(p.into());
        self
    }

    /// Make `sleep` return at once (polling tests run fast).
    pub fn fast_sleep(mut self) -> Self {
        self.fast_sleep = true;
        self
    }

    /// Scripted HTTP: answer the requests, in order, with these responses
    /// instead of using the network. A request beyond the script fails with
    /// a `network` error naming it. A response without a URL gets the
    /// request's.
    pub fn http_script<I: IntoIterator<Item = HttpResponse>>(mut self, answers: I) -> Self {
        self.script = Some(answers.into_iter().collect());
        self
    }

    /// Answers for the `browser` service, in order: `Ok(SAMLResponse)` or
    /// the error the host would give (without any: `not-supported`, as
    /// from a host that cannot open browsers).
    pub fn browser_answers<I: IntoIterator<Item = Result<String, PluginError>>>(
        mut self,
        answers: I,
    ) -> Self {
        self.browser = answers.into_iter().collect();
        self
    }

    /// # Panics
    /// If the CA bundle cannot be read (a broken test setup); use
    /// [`TestServicesBuilder::try_build`] to get that as an error instead.
    pub fn build(self) -> Arc<TestServices> {
        self.try_build()
            .unwrap_or_else(|e| panic!("test HTTP client: {e}"))
    }

    /// Like [`TestServicesBuilder::build`], but an unreadable or empty CA
    /// bundle is an error (naming the file) rather than a panic.
    pub fn try_build(self) -> Result<Arc<TestServices>, String> {
        let http = match self.script {
            Some(answers) => http::Http::Scripted(Mutex::new(answers.into())),
            None => http::Http::Real(http::RealHttp::new(
                self.timeout.unwrap_or(Duration::from_secs(10)),
                self.ca_bundle.as_deref(),
            )?),
        };
        Ok(Arc::new(TestServices {
            http,
            password: self.password,
            prompts: Mutex::new(self.prompts.into()),
            mfa_codes: Mutex::new(self.mfa_codes.into()),
            choices: Mutex::new(self.choices.into()),
            interactive: self.interactive,
            sessions: sessions::Sessions::new(self.session_dir),
            fast_sleep: self.fast_sleep,
            browser: Mutex::new(self.browser.into()),
            record: Mutex::new(Record::default()),
        }))
    }
}

/// What the plugin asked of the host.
#[derive(Default, Debug, Clone)]
pub struct Record {
    pub notices: Vec<String>,
    pub logs: Vec<(LogLevel, String)>,
    pub password_requests: usize,
    pub mfa_requests: Vec<String>,
    pub prompts: Vec<String>,
    pub menus: Vec<(String, Vec<String>)>,
    pub secrets: Vec<String>,
    pub slept: Duration,
    /// `(method, url)` of every HTTP request.
    pub requests: Vec<(String, String)>,
    /// Every HTTP request in full (headers and body too).
    pub http: Vec<HttpRequest>,
    /// `(url, reason)` of every `browser` request.
    pub browser: Vec<(String, Option<String>)>,
}

/// Scripted in-process host services.
pub struct TestServices {
    http: http::Http,
    password: Option<String>,
    prompts: Mutex<VecDeque<String>>,
    mfa_codes: Mutex<VecDeque<String>>,
    choices: Mutex<VecDeque<usize>>,
    interactive: bool,
    sessions: sessions::Sessions,
    fast_sleep: bool,
    browser: Mutex<VecDeque<Result<String, PluginError>>>,
    record: Mutex<Record>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl TestServices {
    #[allow(clippy::new_ret_no_self)]
    pub fn new() -> TestServicesBuilder {
        TestServicesBuilder::default()
    }

    /// Everything recorded so far.
    pub fn record(&self) -> Record {
        lock(&self.record).clone()
    }

    pub fn notices(&self) -> Vec<String> {
        self.record().notices
    }

    pub fn password_requests(&self) -> usize {
        self.record().password_requests
    }

    /// `(method, url)` of every HTTP request made.
    pub fn requests(&self) -> Vec<(String, String)> {
        self.record().requests
    }

    /// A value in the session store (as a later login would see it).
    pub fn session_value(&self, name: &str) -> Option<String> {
        self.sessions.get(name).map(Secret::into_inner)
    }

    fn no_terminal(what: &str) -> PluginError {
        PluginError::new(
            ErrorKind::NoTerminal,
            format!("{what} needs a terminal (test services are non-interactive)"),
        )
    }
}

impl Services for TestServices {
    fn serve(&self, request: ServiceRequest) -> Reply {
        match request {
            ServiceRequest::Http { request } => HttpRequest::try_from(request)
                .and_then(|r| self.http(r))
                .map(WireHttpResponse::from)
                .into(),
            ServiceRequest::Password { .. } => self.password().into(),
            ServiceRequest::Prompt { message, .. } => self.prompt(&message).into(),
            ServiceRequest::Choose { title, choices } => self.choose(&title, &choices).into(),
            ServiceRequest::MfaCode { prompt } => self.mfa_code(&prompt).into(),
            ServiceRequest::Notify { message } => {
                lock(&self.record).notices.push(message);
                Reply::done()
            }
            ServiceRequest::Log { level, message } => {
                lock(&self.record).logs.push((level.into(), message));
                Reply::done()
            }
            ServiceRequest::AddSecret { value } => {
                if !value.is_empty() {
                    lock(&self.record).secrets.push(value);
                }
                Reply::done()
            }
            ServiceRequest::Sleep { millis } => {
                let duration = Duration::from_millis(millis);
                lock(&self.record).slept += duration;
                if !self.fast_sleep {
                    std::thread::sleep(duration);
                }
                Reply::done()
            }
            ServiceRequest::SessionGet { name } => Reply::ok(self.sessions.get(&name)),
            ServiceRequest::SessionPut {
                name,
                value,
                expires_unix,
            } => self
                .session_put(&name, Secret::new(value), expires_unix)
                .into(),
            ServiceRequest::SessionDelete { name } => {
                self.sessions.delete(&name);
                Reply::done()
            }
            ServiceRequest::CookiesExport => Reply::ok(self.http.cookies_export()),
            ServiceRequest::CookiesImport { data } => self.http.cookies_import(&data).into(),
            ServiceRequest::Browser { url, reason } => {
                lock(&self.record).browser.push((url, reason));
                match lock(&self.browser).pop_front() {
                    Some(answer) => answer.into(),
                    None => Reply::Error(PluginError::new(
                        ErrorKind::NotSupported,
                        "this test host does not open browsers (see TestServicesBuilder::browser_answers)",
                    )),
                }
            }
            other => Reply::not_supported(&other),
        }
    }
}

impl TestServices {
    fn http(&self, request: HttpRequest) -> Result<HttpResponse, PluginError> {
        {
            let mut r = lock(&self.record);
            r.requests
                .push((request.method.clone(), request.url.clone()));
            r.http.push(request.clone());
        }
        self.http.send(request)
    }

    fn password(&self) -> Result<Secret<String>, PluginError> {
        lock(&self.record).password_requests += 1;
        self.password
            .clone()
            .map(Secret::new)
            .ok_or_else(|| Self::no_terminal("a password"))
    }

    fn prompt(&self, message: &str) -> Result<Secret<String>, PluginError> {
        lock(&self.record).prompts.push(message.to_string());
        if !self.interactive {
            return Err(Self::no_terminal("a prompt"));
        }
        lock(&self.prompts)
            .pop_front()
            .map(Secret::new)
            .ok_or_else(|| PluginError::new(ErrorKind::Cancelled, "no scripted answer left"))
    }

    fn choose(&self, title: &str, choices: &[String]) -> Result<usize, PluginError> {
        lock(&self.record)
            .menus
            .push((title.to_string(), choices.to_vec()));
        if !self.interactive {
            return Err(Self::no_terminal("a choice"));
        }
        let i = lock(&self.choices)
            .pop_front()
            .ok_or_else(|| PluginError::new(ErrorKind::Cancelled, "no scripted choice left"))?;
        if i >= choices.len() {
            return Err(PluginError::other("scripted choice out of range"));
        }
        Ok(i)
    }

    fn mfa_code(&self, prompt: &str) -> Result<Secret<String>, PluginError> {
        lock(&self.record).mfa_requests.push(prompt.to_string());
        lock(&self.mfa_codes)
            .pop_front()
            .map(Secret::new)
            .ok_or_else(|| Self::no_terminal("an MFA code"))
    }

    /// Store a session value as a plugin's `session_put` does.
    pub fn session_put(
        &self,
        name: &str,
        value: Secret<String>,
        expires_unix: i64,
    ) -> Result<(), PluginError> {
        self.sessions.put(name, value, expires_unix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plugin_api::Host;

    #[test]
    fn scripted_http_answers_in_order_and_records_calls() {
        let s = TestServices::new()
            .http_script([
                HttpResponse::new(200, "").with_body("one"),
                HttpResponse::new(302, "https://idp/x").with_header("Location", "/y"),
            ])
            .build();
        let host = Host::from_services(s.clone());
        let a = host.http(HttpRequest::get("https://idp/a")).unwrap();
        assert_eq!(
            (a.status, a.url.as_str(), a.text().as_str()),
            (200, "https://idp/a", "one")
        );
        let b = host
            .http(HttpRequest::post_form("https://idp/b", [("k", "v")]))
            .unwrap();
        assert_eq!(b.header("location"), Some("/y"));
        let e = host.http(HttpRequest::get("https://idp/c")).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Network);
        assert!(e.message.contains("https://idp/c"), "{e}");
        let r = s.record();
        assert_eq!(r.requests.len(), 3);
        assert_eq!(r.http[1].body, b"k=v");
    }

    #[test]
    fn prompts_sessions_and_sleep_are_scripted() {
        let s = TestServices::new()
            .prompts(["alice"])
            .choices([1])
            .mfa_codes([" 123456 "])
            .fast_sleep()
            .build();
        let host = Host::from_services(s.clone());
        assert_eq!(host.prompt("Name: ").unwrap(), "alice");
        assert_eq!(
            host.prompt("Again: ").unwrap_err().kind,
            ErrorKind::Cancelled
        );
        assert_eq!(host.choose("Pick", &["a".into(), "b".into()]).unwrap(), 1);
        assert_eq!(host.mfa_code("Code").unwrap().expose(), "123456");
        assert_eq!(host.password("pw").unwrap_err().kind, ErrorKind::NoTerminal);
        host.sleep(Duration::from_secs(3600)).unwrap();
        assert_eq!(s.record().slept, Duration::from_secs(3600));
        host.session_put("sid", &Secret::new("v".into()), i64::MAX)
            .unwrap();
        assert_eq!(host.session_get("sid").unwrap().expose(), "v");
        host.session_put("old", &Secret::new("v".into()), 1)
            .unwrap();
        assert!(host.session_get("old").is_none());
        host.session_delete("sid");
        assert!(s.session_value("sid").is_none());
        assert!(host.capabilities().services.contains_key("http"));
    }

    #[test]
    fn a_missing_ca_bundle_is_an_error_naming_it() {
        let e = TestServices::new()
            .ca_bundle("/nonexistent/ca.pem")
            .try_build()
            .err()
            .unwrap();
        assert!(e.contains("/nonexistent/ca.pem"), "{e}");
    }

    #[test]
    fn sessions_persist_in_a_directory() {
        let dir = std::env::temp_dir().join(format!("testkit-sessions-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let first = TestServices::new().session_dir(&dir).build();
        first
            .session_put("sid", Secret::new("kept".into()), i64::MAX)
            .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode =
                |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&dir.join("sessions")), 0o700);
            assert_eq!(mode(&dir.join("sessions/test.json")), 0o600);
        }
        let second = TestServices::new().session_dir(&dir).build();
        assert_eq!(second.session_value("sid").as_deref(), Some("kept"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
