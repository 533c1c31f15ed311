//! The `keychain` provider against real Linux keychains, with items stored
//! by the platform's own tools (`secret-tool`, `keyctl`) exactly as the
//! README tells users to.
//!
//! Each outer test re-runs this binary on an `#[ignore]`d inner test inside
//! `dbus-run-session` + `gnome-keyring-daemon`, or inside `keyctl session`.
//! Outer tests skip (with a message) when the tools are missing;
//! `.ci/keychain-deps.sh` installs them.

#![cfg(target_os = "linux")]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use awsprocesscreds_plugin_keychain::{KeychainProvider, SERVICE};
use plugin_api::{
    ErrorKind, Host, LoginOutcome, LoginRequest, Plugin, PluginError, Reply, ServiceRequest,
    Services, PROTOCOL_VERSION,
};

const MARK: &str = "APC_KEYCHAIN_PLUGIN_TEST";
const CREDS: &str = r#"{"Version": 1, "AccessKeyId": "AKIAEXAMPLE", "SecretAccessKey": "s3cr3t/key", "SessionToken": "tok+en", "Expiration": "2099-01-01T00:00:00Z"}"#;

/// Host services for a provider that needs none but logging.
#[derive(Default)]
struct Recorder {
    logs: Mutex<Vec<String>>,
    secrets: Mutex<Vec<String>>,
}

impl Services for Recorder {
    fn serve(&self, request: ServiceRequest) -> Reply {
        match request {
            ServiceRequest::Log { message, .. } => {
                self.logs.lock().unwrap().push(message);
                Reply::done()
            }
            ServiceRequest::AddSecret { value } => {
                self.secrets.lock().unwrap().push(value);
                Reply::done()
            }
            other => Reply::not_supported(&other),
        }
    }
}

fn login(name: &str) -> (Result<LoginOutcome, PluginError>, Arc<Recorder>) {
    let recorder = Arc::new(Recorder::default());
    let host = Host::from_services(recorder.clone());
    let request = LoginRequest::new()
        .with_protocol(PROTOCOL_VERSION)
        .with_endpoint(name);
    (KeychainProvider.login(&request, &host), recorder)
}

fn assert_found(name: &str) {
    let (outcome, recorder) = login(name);
    let LoginOutcome::Credentials { credentials } = outcome.unwrap() else {
        panic!("not credentials");
    };
    assert_eq!(credentials.access_key_id, "AKIAEXAMPLE");
    assert_eq!(credentials.secret_access_key.expose(), "s3cr3t/key");
    assert_eq!(credentials.session_token.unwrap().expose(), "tok+en");
    assert_eq!(
        credentials.expiration.as_deref(),
        Some("2099-01-01T00:00:00Z")
    );
    let secrets = recorder.secrets.lock().unwrap();
    assert!(secrets.contains(&"s3cr3t/key".to_string()) && secrets.contains(&"tok+en".to_string()));
}

fn assert_missing_says_how_to_store(name: &str, tool: &str) {
    let (outcome, _) = login(name);
    let err = outcome.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Config);
    assert!(err.message.contains(name), "{}", err.message);
    let hint = err.hint.unwrap_or_default();
    assert!(hint.contains(tool) && hint.contains(SERVICE), "{hint}");
}

fn assert_bad_json_is_not_echoed(name: &str) {
    let (outcome, _) = login(name);
    let err = outcome.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Config);
    assert!(err.message.contains("not valid JSON"), "{}", err.message);
    assert!(!err.message.contains("hunter2"), "{}", err.message);
}

fn have(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
}

/// The libtest name of this module's test `inner` (its module path below
/// the test crate), after checking that this binary lists it: an
/// `--exact` filter that matches nothing runs no test and still passes.
fn test_name(inner: &str) -> String {
    let (_crate, module) = module_path!().split_once("::").unwrap();
    let full = format!("{module}::{inner}");
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--list", "--exact", &full])
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&out.stdout);
    assert!(
        listing.lines().any(|l| l == format!("{full}: test")),
        "this test binary has no test {full}:\n{listing}"
    );
    full
}

fn run_inner(home: &Path, program: &str, args: &[&str], inner: &str) {
    let runtime = home.join("run");
    std::fs::create_dir_all(&runtime).unwrap();
    let mut child = Command::new(program)
        .args(args)
        .arg(std::env::current_exe().unwrap())
        .args([
            "--exact",
            &test_name(inner),
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(MARK, inner)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_RUNTIME_DIR", &runtime)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("{inner} hung under {program}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{inner} failed under {program}: {status}");
}

fn inside(inner: &str) -> bool {
    std::env::var(MARK).is_ok_and(|v| v == inner)
}

fn feed(program: &str, args: &[&str], input: &str) {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success(), "{program} {args:?} failed");
}

#[test]
fn secret_service_item_stored_with_secret_tool() {
    for tool in ["dbus-run-session", "gnome-keyring-daemon", "secret-tool"] {
        if !have(tool) {
            eprintln!("SKIPPED: {tool} is not installed (run .ci/keychain-deps.sh)");
            return;
        }
    }
    let home = tempfile::tempdir().unwrap();
    let script = "printf test-password | gnome-keyring-daemon --unlock --components=secrets \
                  >/dev/null || exit 97; exec \"$@\"";
    run_inner(
        home.path(),
        "dbus-run-session",
        &["--", "sh", "-c", script, "sh"],
        "inner_secret_service",
    );
}

#[test]
#[ignore = "runs inside secret_service_item_stored_with_secret_tool"]
fn inner_secret_service() {
    if !inside("inner_secret_service") {
        return;
    }
    // The README's command, verbatim apart from the input file.
    let store = |name: &str, json: &str| {
        feed(
            "secret-tool",
            &[
                "store",
                "--label=AWS test",
                "service",
                SERVICE,
                "username",
                name,
            ],
            json,
        )
    };
    store("my-creds", CREDS);
    assert_found("my-creds");
    assert_missing_says_how_to_store("other-creds", "secret-tool store");
    store("broken", "{\"SecretAccessKey\": \"hunter2\"");
    assert_bad_json_is_not_echoed("broken");
}

#[test]
fn kernel_keyring_item_stored_with_keyctl() {
    if !have("keyctl") {
        eprintln!("SKIPPED: keyctl is not installed (run .ci/keychain-deps.sh)");
        return;
    }
    let home = tempfile::tempdir().unwrap();
    run_inner(
        home.path(),
        "keyctl",
        &["session", "-"],
        "inner_kernel_keyring",
    );
}

#[test]
#[ignore = "runs inside kernel_keyring_item_stored_with_keyctl"]
fn inner_kernel_keyring() {
    if !inside("inner_kernel_keyring") {
        return;
    }
    // The README's command: keyctl padd user keyring-rs:NAME@SERVICE @s < creds.json
    let store = |name: &str, json: &str| {
        let description = format!("keyring-rs:{name}@{SERVICE}");
        feed("keyctl", &["padd", "user", &description, "@s"], json)
    };
    store("my-creds", CREDS);
    assert_found("my-creds");
    // No session bus here: the Secret Service is not even tried.
    let (outcome, recorder) = login("other-creds");
    assert!(outcome.is_err());
    let logs = recorder.logs.lock().unwrap();
    assert!(
        logs.iter()
            .filter(|l| l.contains("secret-service"))
            .all(|l| l.contains("not available: no D-Bus session bus")),
        "{logs:?}"
    );
    assert_missing_says_how_to_store("other-creds", "secret-tool store");
    store("broken", "{\"SecretAccessKey\": \"hunter2\"");
    assert_bad_json_is_not_echoed("broken");
}

#[test]
fn dead_bus_gives_an_error_within_the_timeout() {
    let home = tempfile::tempdir().unwrap();
    let socket = home.path().join("silent-bus");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    run_inner(
        home.path(),
        "env",
        &[&format!(
            "DBUS_SESSION_BUS_ADDRESS=unix:path={}",
            socket.display()
        )],
        "inner_dead_bus",
    );
}

#[test]
#[ignore = "runs inside dead_bus_gives_an_error_within_the_timeout"]
fn inner_dead_bus() {
    if !inside("inner_dead_bus") {
        return;
    }
    let recorder = Arc::new(Recorder::default());
    let host = Host::from_services(recorder.clone());
    let request = LoginRequest::new()
        .with_protocol(PROTOCOL_VERSION)
        .with_endpoint("my-creds")
        .with_option("timeout", "1");
    let started = Instant::now();
    let err = KeychainProvider.login(&request, &host).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert!(
        err.message
            .contains("secret-service keychain did not answer within 1s"),
        "{}",
        err.message
    );
}
