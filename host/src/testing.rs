//! **Being replaced by the `awsprocesscreds-plugin-testkit` crate** (same
//! builder API; plugin tests move with a `use` change). Kept only until the
//! okta, entra and ecp plugin tests have moved; nothing in the host uses it.
//!
//! In-process host services for testing plugins without loading them:
//! the real HTTP client (plain HTTP allowed to loopback, as always), with
//! scripted answers for the password, prompts, MFA codes and menus, and a
//! record of notices and log lines.
//!
//! ```ignore
//! let services = TestServices::new().password("hunter2").mfa_codes(["123456"]).build();
//! let host = plugin_api::Host::from_services(services.clone());
//! let outcome = MyPlugin::default().login(&request, &host)?;
//! assert_eq!(services.password_requests(), 1);
//! ```

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use plugin_api::{ErrorKind, HttpRequest, HttpResponse, LogLevel, PluginError, Secret, Services};

use crate::http::HttpClient;
use crate::session_store::SessionStore;

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
    /// only, in a temp dir owned by the services).
    pub fn session_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.session_dir = Some(dir.into());
        self
    }

    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = Some(t);
        self
    }

    pub fn ca_bundle(mut self, p: impl Into<PathBuf>) -> Self {
        self.ca_bundle = Some(p.into());
        self
    }

    /// Make `sleep` return at once (polling tests run fast).
    pub fn fast_sleep(mut self) -> Self {
        self.fast_sleep = true;
        self
    }

    pub fn build(self) -> Arc<TestServices> {
        let (session_dir, tmp) = match self.session_dir {
            Some(d) => (d, None),
            None => {
                let t = std::env::temp_dir().join(format!(
                    "awsprocesscreds-test-{}-{}",
                    std::process::id(),
                    time::OffsetDateTime::now_utc().unix_timestamp_nanos()
                ));
                (t.clone(), Some(t))
            }
        };
        Arc::new(TestServices {
            http: HttpClient::new(
                self.timeout.unwrap_or(Duration::from_secs(10)),
                self.ca_bundle.as_deref(),
            )
            .expect("test HTTP client"),
            password: self.password,
            prompts: Mutex::new(self.prompts.into()),
            mfa_codes: Mutex::new(self.mfa_codes.into()),
            choices: Mutex::new(self.choices.into()),
            interactive: self.interactive,
            sessions: SessionStore::new(Some(session_dir), "test", "endpoint", "user"),
            tmp,
            fast_sleep: self.fast_sleep,
            record: Mutex::new(Record::default()),
        })
    }
}

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
    pub requests: Vec<(String, String)>,
}

/// Scripted in-process host services.
pub struct TestServices {
    http: HttpClient,
    password: Option<String>,
    prompts: Mutex<VecDeque<String>>,
    mfa_codes: Mutex<VecDeque<String>>,
    choices: Mutex<VecDeque<usize>>,
    interactive: bool,
    sessions: SessionStore,
    tmp: Option<PathBuf>,
    fast_sleep: bool,
    record: Mutex<Record>,
}

impl Drop for TestServices {
    fn drop(&mut self) {
        if let Some(t) = &self.tmp {
            let _ = std::fs::remove_dir_all(t);
        }
    }
}

impl TestServices {
    #[allow(clippy::new_ret_no_self)]
    pub fn new() -> TestServicesBuilder {
        TestServicesBuilder::default()
    }

    /// Everything recorded so far.
    pub fn record(&self) -> Record {
        self.record.lock().unwrap().clone()
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

    fn no_terminal(what: &str) -> PluginError {
        PluginError::new(
            ErrorKind::NoTerminal,
            format!("{what} needs a terminal (test services are non-interactive)"),
        )
    }
}

impl Services for TestServices {
    fn http(&self, request: HttpRequest) -> Result<HttpResponse, PluginError> {
        self.record
            .lock()
            .unwrap()
            .requests
            .push((request.method.clone(), request.url.clone()));
        self.http.send(request)
    }

    fn password(&self, _prompt: &str) -> Result<Secret<String>, PluginError> {
        self.record.lock().unwrap().password_requests += 1;
        self.password
            .clone()
            .map(Secret::new)
            .ok_or_else(|| Self::no_terminal("a password"))
    }

    fn prompt(&self, message: &str, _secret: bool) -> Result<Secret<String>, PluginError> {
        self.record
            .lock()
            .unwrap()
            .prompts
            .push(message.to_string());
        if !self.interactive {
            return Err(Self::no_terminal("a prompt"));
        }
        self.prompts
            .lock()
            .unwrap()
            .pop_front()
            .map(Secret::new)
            .ok_or_else(|| PluginError::new(ErrorKind::Cancelled, "no scripted answer left"))
    }

    fn choose(&self, title: &str, choices: &[String]) -> Result<usize, PluginError> {
        self.record
            .lock()
            .unwrap()
            .menus
            .push((title.to_string(), choices.to_vec()));
        if !self.interactive {
            return Err(Self::no_terminal("a choice"));
        }
        let i = self
            .choices
            .lock()
            .unwrap()
            .pop_front()
            .ok_or_else(|| PluginError::new(ErrorKind::Cancelled, "no scripted choice left"))?;
        if i >= choices.len() {
            return Err(PluginError::other("scripted choice out of range"));
        }
        Ok(i)
    }

    fn mfa_code(&self, prompt: &str) -> Result<Secret<String>, PluginError> {
        self.record
            .lock()
            .unwrap()
            .mfa_requests
            .push(prompt.to_string());
        self.mfa_codes
            .lock()
            .unwrap()
            .pop_front()
            .map(Secret::new)
            .ok_or_else(|| Self::no_terminal("an MFA code"))
    }

    fn notify(&self, message: &str) {
        self.record
            .lock()
            .unwrap()
            .notices
            .push(message.to_string());
    }

    fn log(&self, level: LogLevel, message: &str) {
        self.record
            .lock()
            .unwrap()
            .logs
            .push((level, message.to_string()));
    }

    fn add_secret(&self, value: &str) {
        self.record.lock().unwrap().secrets.push(value.to_string());
    }

    fn sleep(&self, duration: Duration) -> Result<(), PluginError> {
        self.record.lock().unwrap().slept += duration;
        if !self.fast_sleep {
            std::thread::sleep(duration);
        }
        Ok(())
    }

    fn session_get(&self, name: &str) -> Option<Secret<String>> {
        self.sessions.get(name)
    }

    fn session_put(
        &self,
        name: &str,
        value: Secret<String>,
        expires_unix: i64,
    ) -> Result<(), PluginError> {
        self.sessions.put(name, value, expires_unix)
    }

    fn session_delete(&self, name: &str) {
        self.sessions.delete(name)
    }

    fn cookies_export(&self) -> Secret<String> {
        Secret::new(self.http.jar().export())
    }

    fn cookies_import(&self, data: &str) -> Result<(), PluginError> {
        self.http.jar().import(data)
    }
}
