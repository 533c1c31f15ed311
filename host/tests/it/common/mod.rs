//! Test harness: a context with a private temp home and cache, the
//! sandbox's fake STS, a one-URL fake IdP for the fixture plugin, and
//! runners for the real binaries without a terminal (new session, no
//! controlling tty) or inside a pseudo-terminal (like `aws` run from a
//! shell: stdout/stderr captured, prompts on the terminal).
#![allow(dead_code)]

#[cfg(unix)]
pub mod desktop;
pub mod okta;
#[cfg(unix)]
pub mod pty;
pub mod rerun;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use sandbox::axum::extract::State;
use sandbox::axum::http::{HeaderMap, StatusCode};
use sandbox::axum::routing::get;
use sandbox::axum::Router;
use sandbox::saml::{AssertionBuilder, Role};
use sandbox::Server;

/// Every plugin crate the tests load.
pub const PLUGIN_CRATES: &[&str] = &[
    "awsprocesscreds-plugin-static",
    "awsprocesscreds-plugin-okta",
    "awsprocesscreds-plugin-adfs",
    "awsprocesscreds-plugin-ecp",
    "awsprocesscreds-plugin-forms",
    "awsprocesscreds-plugin-entra",
    "awsprocesscreds-plugin-keychain",
    "awsprocesscreds-plugin-browser",
    "fixture-saml",
    "fixture-misbehave",
    "fixture-protocol",
    "fixture-abi",
    "fixture-notplugin",
    "fixture-newer",
];

/// The directory holding the binaries under test (target/<profile>).
pub fn bin_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_awsprocesscreds-saml"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Build every plugin library next to the binaries, once per test process.
/// (`cargo test` does not build cdylibs of other packages reliably.)
pub fn ensure_plugins_built() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let dir = bin_dir();
        let release = dir.file_name().is_some_and(|n| n == "release");
        let target_dir = dir.parent().unwrap();
        let mut cmd = Command::new(env!("CARGO"));
        cmd.arg("build").arg("--quiet");
        if release {
            cmd.arg("--release");
        }
        for c in PLUGIN_CRATES {
            cmd.arg("-p").arg(c);
        }
        cmd.env("CARGO_TARGET_DIR", target_dir);
        let status = cmd.status().expect("run cargo build for plugins");
        assert!(status.success(), "building plugins failed");
    });
}

/// The file name of a library on this platform: `libNAME.so`,
/// `libNAME.dylib`, `NAME.dll`.
pub fn lib_file(stem: &str) -> String {
    format!(
        "{}{stem}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )
}

/// The path of a built plugin library, by crate lib name.
pub fn plugin_lib(lib_name: &str) -> PathBuf {
    ensure_plugins_built();
    let p = bin_dir().join(lib_file(lib_name));
    assert!(p.exists(), "{} missing", p.display());
    p
}

/// The fake IdP's behaviour, shared with its handler.
#[derive(Default)]
pub struct IdpState {
    pub hits: AtomicUsize,
    /// Requests being answered now, and the most there ever were at once.
    pub in_flight: AtomicUsize,
    pub most_at_once: AtomicUsize,
    pub password: Mutex<Option<String>>,
    pub mfa: Mutex<Option<String>>,
    pub assertion: Mutex<String>,
    pub delay: Mutex<Option<Duration>>,
    pub status: Mutex<Option<u16>>,
}

async fn idp(State(st): State<Arc<IdpState>>, headers: HeaderMap) -> (StatusCode, String) {
    st.hits.fetch_add(1, Ordering::SeqCst);
    let now = st.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    st.most_at_once.fetch_max(now, Ordering::SeqCst);
    let delay = *st.delay.lock().unwrap();
    if let Some(d) = delay {
        tokio::time::sleep(d).await;
    }
    st.in_flight.fetch_sub(1, Ordering::SeqCst);
    if let Some(s) = *st.status.lock().unwrap() {
        return (StatusCode::from_u16(s).unwrap(), "forced status".into());
    }
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    if let Some(pw) = st.password.lock().unwrap().clone() {
        if header("x-password").as_deref() != Some(pw.as_str()) {
            return (StatusCode::UNAUTHORIZED, "wrong password".into());
        }
    }
    if let Some(code) = st.mfa.lock().unwrap().clone() {
        if header("x-mfa").as_deref() != Some(code.as_str()) {
            return (StatusCode::UNAUTHORIZED, "wrong MFA code".into());
        }
    }
    (StatusCode::OK, st.assertion.lock().unwrap().clone())
}

/// A role in account 123456789012 with provider `fixture`.
pub fn role(name: &str) -> Role {
    Role::new("123456789012", name, "fixture")
}

/// One test's world.
pub struct Ctx {
    pub tmp: tempfile::TempDir,
    pub sts: Server,
    pub sts_state: sandbox::sts::Sts,
    pub idp: Server,
    pub idp_state: Arc<IdpState>,
    pub plugin_dir: PathBuf,
}

impl Ctx {
    /// A context whose plugin directory holds the fixture SAML plugin and
    /// whose IdP offers the single role `dev`.
    pub fn new() -> Ctx {
        ensure_plugins_built();
        let tmp = tempfile::tempdir().unwrap();
        let (router, sts_state) = sandbox::sts::router();
        let sts = Server::http(router);
        let idp_state = Arc::new(IdpState::default());
        *idp_state.assertion.lock().unwrap() = AssertionBuilder::default()
            .roles(vec![role("dev")])
            .base64();
        let idp = Server::http(
            Router::new()
                .route("/idp", get(idp))
                .with_state(idp_state.clone()),
        );
        let plugin_dir = tmp.path().join("plugins");
        std::fs::create_dir(&plugin_dir).unwrap();
        #[cfg(unix)]
        set_mode(&plugin_dir, 0o700);
        let ctx = Ctx {
            tmp,
            sts,
            sts_state,
            idp,
            idp_state,
            plugin_dir,
        };
        ctx.add_plugin("fixture_saml");
        ctx
    }

    /// Copy a built plugin library into this context's plugin directory,
    /// under the file name the host takes the plugin name from (the fixture
    /// libraries are built as `libfixture_*.so` (or the platform's name for
    /// it) so that the host never finds
    /// them next to the binaries).
    pub fn add_plugin(&self, lib_name: &str) {
        let src = plugin_lib(lib_name);
        let name = lib_name.trim_start_matches("awsprocesscreds_plugin_");
        std::fs::copy(
            &src,
            self.plugin_dir
                .join(lib_file(&format!("awsprocesscreds_plugin_{name}"))),
        )
        .unwrap();
    }

    pub fn home(&self) -> PathBuf {
        self.tmp.path().join("home")
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.tmp.path().join("cache")
    }

    pub fn idp_url(&self) -> String {
        self.idp.url("/idp")
    }

    pub fn set_roles(&self, roles: Vec<Role>) {
        *self.idp_state.assertion.lock().unwrap() =
            AssertionBuilder::default().roles(roles).base64();
    }

    /// Have the fixture IdP accept only `password` (asked for with the
    /// fixture plugin's `--plugin-option password=yes`).
    pub fn set_password(&self, password: &str) {
        *self.idp_state.password.lock().unwrap() = Some(password.into());
    }

    pub fn set_assertion(&self, b: AssertionBuilder) {
        *self.idp_state.assertion.lock().unwrap() = b.base64();
    }

    pub fn idp_hits(&self) -> usize {
        self.idp_state.hits.load(Ordering::SeqCst)
    }

    pub fn sts_calls(&self) -> usize {
        self.sts_state.lock().unwrap().assume_calls
    }

    /// A command for `bin` (`awsprocesscreds-saml` or `awsprocesscreds`)
    /// with a clean, private environment.
    pub fn command(&self, bin: &str) -> Command {
        self.with_env(Command::new(bin_dir().join(bin)))
    }

    /// Any program (found in PATH) with the same private environment.
    pub fn tool(&self, program: &str) -> Command {
        self.with_env(Command::new(program))
    }

    fn with_env(&self, mut cmd: Command) -> Command {
        for (k, _) in std::env::vars() {
            if k.starts_with("AWS")
                || k.starts_with("HTTP")
                || k.starts_with("http")
                || k == "NO_PROXY"
                || k == "no_proxy"
            {
                cmd.env_remove(k);
            }
        }
        // Hermetic: no browser window opens unless a test gives a display
        // (see common::desktop).
        cmd.env_remove("DISPLAY").env_remove("WAYLAND_DISPLAY");
        std::fs::create_dir_all(self.home()).unwrap();
        cmd.env("HOME", self.home())
            .env("XDG_DATA_HOME", self.tmp.path().join("xdg"))
            .env("AWSPROCESSCREDS_CACHE_DIR", self.cache_dir())
            .env("AWS_ENDPOINT_URL_STS", self.sts.base_url())
            .env("AWS_REGION", "us-east-1")
            .env("AWS_CONFIG_FILE", self.tmp.path().join("no-aws-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.tmp.path().join("no-aws-credentials"),
            )
            .env("AWS_EC2_METADATA_DISABLED", "true")
            // Hermetic: never post test assertions to the real AWS sign-in
            // page for account names (daily_account_names.rs removes this).
            .env("AWSPROCESSCREDS_NO_ACCOUNT_NAMES", "true")
            .stdin(Stdio::null());
        cmd
    }

    /// `awsprocesscreds-saml <login> --plugin-dir <dir>`: a login with a
    /// plugin this context's plugin directory holds (see [`login_args`]);
    /// the caller adds the rest.
    pub fn plugin_login(&self, login: &[&str]) -> Command {
        let mut cmd = self.command("awsprocesscreds-saml");
        cmd.args(login).arg("--plugin-dir").arg(&self.plugin_dir);
        cmd
    }

    /// `awsprocesscreds-saml -p fixture-saml -e <idp> --plugin-dir <dir>`
    /// plus `args`.
    pub fn saml(&self, args: &[&str]) -> Command {
        let mut cmd = self.command("awsprocesscreds-saml");
        cmd.args(self.fixture_args(args));
        cmd
    }

    /// [`Ctx::saml`] with the fixture plugin asking for a password
    /// (`--plugin-option password=yes`), plus `extra`.
    pub fn password_login(&self, extra: &[&str]) -> Command {
        let mut args = vec!["--plugin-option", "password=yes"];
        args.extend_from_slice(extra);
        self.saml(&args)
    }

    /// `-p fixture-saml -e <idp> --plugin-dir <dir>` plus `extra`: the
    /// arguments of a login with the fixture plugin (for profiles too).
    pub fn fixture_args(&self, extra: &[&str]) -> Vec<String> {
        let mut args: Vec<String> = vec![
            "-p".into(),
            "fixture-saml".into(),
            "-e".into(),
            self.idp_url(),
            "--plugin-dir".into(),
            self.plugin_dir.display().to_string(),
        ];
        args.extend(extra.iter().map(|a| a.to_string()));
        args
    }
}

/// `-p <plugin> -e <entry> -u <user> -a <role>`: the login part of a
/// command line or a profile's `credential_process`.
pub fn login_args<'a>(
    plugin: &'a str,
    entry: &'a str,
    user: &'a str,
    role: &'a str,
) -> [&'a str; 8] {
    ["-p", plugin, "-e", entry, "-u", user, "-a", role]
}

#[cfg(unix)]
pub fn set_mode(p: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Have the kernel kill the process `cmd` starts when the thread that
/// spawns it ends (Linux's parent-death signal; elsewhere nothing): a
/// server a test starts must not outlive the test process, even when it
/// panics or is killed. Spawn from a thread that lives as long as the
/// server should.
pub fn dies_with_spawner(cmd: &mut Command) {
    // SAFETY: the closure runs in the forked child before exec and only
    // calls prctl(PR_SET_PDEATHSIG), which is async-signal-safe.
    #[cfg(target_os = "linux")]
    #[allow(unsafe_code)]
    unsafe {
        use std::os::unix::process::CommandExt;
        cmd.pre_exec(|| {
            rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL))
                .map_err(std::io::Error::from)
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = cmd;
}

/// Output of a finished process.
#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.stdout.trim()).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {:?}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }

    #[track_caller]
    pub fn ok(&self) -> &Self {
        assert_eq!(
            self.code, 0,
            "expected success; stderr:\n{}\nstdout:\n{}",
            self.stderr, self.stdout
        );
        self
    }

    /// A failure as a user reads it: exit 1, nothing on stdout, exactly one
    /// `error:` line and one `hint:` line; their texts.
    #[track_caller]
    pub fn error_and_hint(&self) -> (String, String) {
        self.fails(1, "awsprocesscreds-saml: error: ");
        let lines = |prefix: &str| -> Vec<String> {
            self.stderr
                .lines()
                .filter_map(|l| l.strip_prefix(prefix))
                .map(str::to_owned)
                .collect()
        };
        let errors = lines("awsprocesscreds-saml: error: ");
        let hints = lines("awsprocesscreds-saml: hint: ");
        assert_eq!((errors.len(), hints.len()), (1, 1), "{}", self.stderr);
        (errors[0].clone(), hints[0].clone())
    }

    /// Assert a failure with `code`, an empty stdout and `needle` in stderr.
    #[track_caller]
    pub fn fails(&self, code: i32, needle: &str) -> &Self {
        assert_eq!(
            self.code, code,
            "exit status; stderr:\n{}\nstdout:\n{}",
            self.stderr, self.stdout
        );
        assert!(
            self.stdout.is_empty(),
            "stdout must be empty on failure, got {:?}",
            self.stdout
        );
        assert!(
            self.stderr.contains(needle),
            "stderr should contain {needle:?}:\n{}",
            self.stderr
        );
        self
    }
}

/// Run without a controlling terminal (a new session; on Windows a
/// process without a console), as an IDE or a scheduler would.
pub fn run(mut cmd: Command) -> Out {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: the closure runs in the forked child before exec and only
        // calls setsid, which is async-signal-safe.
        #[allow(unsafe_code)]
        unsafe {
            cmd.pre_exec(|| {
                rustix::process::setsid().map_err(std::io::Error::from)?;
                Ok(())
            });
        }
    }
    #[cfg(windows)]
    {
        use std::os::windows::process::CommandExt;
        /// `DETACHED_PROCESS` (winbase.h): no console, so no `CONIN$`.
        const DETACHED_PROCESS: u32 = 0x0000_0008;
        cmd.creation_flags(DETACHED_PROCESS);
    }
    let out: Output = cmd.output().expect("spawn");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Check a credential_process JSON document.
#[track_caller]
pub fn assert_credentials(v: &serde_json::Value) {
    assert_eq!(v["Version"], 1, "{v}");
    assert!(
        v["AccessKeyId"]
            .as_str()
            .is_some_and(|s| s.starts_with("ASIA")),
        "{v}"
    );
    assert!(
        v["SecretAccessKey"].as_str().is_some_and(|s| !s.is_empty()),
        "{v}"
    );
    assert!(
        v["SessionToken"].as_str().is_some_and(|s| !s.is_empty()),
        "{v}"
    );
    let exp = v["Expiration"].as_str().expect("Expiration");
    assert!(
        time::OffsetDateTime::parse(exp, &time::format_description::well_known::Rfc3339).is_ok(),
        "{exp}"
    );
}

/// `Command::args` and friends return `&mut Command`; this turns such a
/// chain back into an owned command for [`run`].
pub trait ToOwnedCmd {
    fn to_owned_cmd(&mut self) -> Command;
}

impl ToOwnedCmd for Command {
    fn to_owned_cmd(&mut self) -> Command {
        let mut c = Command::new(self.get_program());
        c.args(self.get_args());
        for (k, v) in self.get_envs() {
            match v {
                Some(v) => c.env(k, v),
                None => c.env_remove(k),
            };
        }
        c
    }
}

/// `&[String]` as `Vec<&str>`, for helpers that take string slices.
pub fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}
