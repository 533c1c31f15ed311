//! `awsprocesscreds::keychain` against real Linux backends.
//!
//! Each outer `#[test]` builds an isolated environment and re-runs this test
//! binary inside it on one `#[ignore]`d inner test:
//! - Secret Service: `dbus-run-session` with a fresh `gnome-keyring-daemon
//!   --unlock` (its keyrings in a temporary HOME);
//! - kernel keyring: `keyctl session`, which gives the process the session
//!   keyring the kernel keyring backend needs;
//! - broken D-Bus: a bus address that refuses connections, and one that
//!   accepts them and never answers.
//!
//! Outer tests skip (with a message) when the tools are missing;
//! `.ci/keychain-deps.sh` installs them. Inner tests do nothing unless
//! `APC_KEYCHAIN_TEST` is set, so `cargo test -- --ignored` never touches the
//! developer's own keychain.

// The Secret Service over D-Bus and the kernel keyring: Linux.
#![cfg(target_os = "linux")]

use std::os::unix::net::UnixListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use awsprocesscreds::keychain::{idp_account, Backend, Keychain, KeychainError, SERVICE};
use plugin_api::Secret;

use crate::common::rerun::test_name;

const TEST_SERVICE: &str = "awsprocesscreds-test";
const MARK: &str = "APC_KEYCHAIN_TEST";

fn have(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
}

fn secret(s: &str) -> Secret<String> {
    Secret::new(s.to_string())
}

/// Run `program args... <this test exe> --exact <inner> --ignored` with an
/// isolated HOME, and fail if it fails or takes longer than two minutes.
fn run_inner(home: &Path, program: &str, args: &[&str], inner: &str, envs: &[(&str, &str)]) {
    let exe = std::env::current_exe().unwrap();
    let exact = test_name(module_path!(), inner);
    let runtime = home.join("run");
    std::fs::create_dir_all(&runtime).unwrap();
    let mut cmd = Command::new(program);
    cmd.args(args)
        .arg(&exe)
        .args([
            "--exact",
            &exact,
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
        .stdin(Stdio::null());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("{inner} hung for two minutes under {program}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{inner} failed under {program}: {status}");
}

/// The shell snippet that starts gnome-keyring inside `dbus-run-session`
/// and then runs the inner test (`"$@"`).
const WITH_GNOME_KEYRING: &str = "printf test-password | gnome-keyring-daemon --unlock \
     --components=secrets >/dev/null || exit 97; exec \"$@\"";

fn secret_service_ready() -> bool {
    for tool in ["dbus-run-session", "gnome-keyring-daemon", "secret-tool"] {
        if !have(tool) {
            eprintln!("SKIPPED: {tool} is not installed (run .ci/keychain-deps.sh)");
            return false;
        }
    }
    true
}

fn kernel_keyring_ready() -> bool {
    if !have("keyctl") {
        eprintln!("SKIPPED: keyctl is not installed (run .ci/keychain-deps.sh)");
        return false;
    }
    true
}

/// [`run_inner`] in a fresh temporary HOME, with no extra environment.
fn run_in_fresh_home(program: &str, args: &[&str], inner: &str) {
    let home = tempfile::tempdir().unwrap();
    run_inner(home.path(), program, args, inner, &[]);
}

/// A D-Bus address in `dir` whose socket accepts connections (the kernel
/// queues them) and never says a word, like a wedged daemon; the address
/// works while the listener lives.
fn silent_bus(dir: &Path) -> (UnixListener, String) {
    let socket = dir.join("silent-bus");
    let listener = UnixListener::bind(&socket).unwrap();
    (listener, format!("unix:path={}", socket.display()))
}

fn inside(inner: &str) -> bool {
    let here = std::env::var(MARK).is_ok_and(|v| v == inner);
    if !here {
        eprintln!("{inner} only runs inside its outer test's environment");
    }
    here
}

// ---------------------------------------------------------------- outer tests

#[test]
fn secret_service_under_gnome_keyring() {
    if !secret_service_ready() {
        return;
    }
    run_in_fresh_home(
        "dbus-run-session",
        &["--", "sh", "-c", WITH_GNOME_KEYRING, "sh"],
        "inner_secret_service",
    );
}

#[test]
fn kernel_keyring_under_keyctl_session() {
    if !kernel_keyring_ready() {
        return;
    }
    run_in_fresh_home("keyctl", &["session", "-"], "inner_kernel_keyring");
}

#[test]
fn refused_dbus_connection_fails_fast() {
    let home = tempfile::tempdir().unwrap();
    let dead = format!("unix:path={}", home.path().join("no-such-bus").display());
    run_inner(
        home.path(),
        "env",
        &[],
        "inner_unreachable_bus",
        &[("DBUS_SESSION_BUS_ADDRESS", &dead), ("APC_EXPECT", "fast")],
    );
}

#[test]
fn silent_dbus_peer_times_out_instead_of_hanging() {
    let home = tempfile::tempdir().unwrap();
    let (_listener, address) = silent_bus(home.path());
    run_inner(
        home.path(),
        "env",
        &[],
        "inner_unreachable_bus",
        &[
            ("DBUS_SESSION_BUS_ADDRESS", &address),
            ("APC_EXPECT", "timeout"),
        ],
    );
}

#[test]
fn locked_gnome_keyring_never_hangs() {
    if !secret_service_ready() {
        return;
    }
    // gnome-keyring is started by D-Bus activation, without a password: it
    // has no unlocked collection and would ask for one with a dialog
    // nobody can see.
    run_in_fresh_home("dbus-run-session", &["--"], "inner_locked_keyring");
}

#[test]
#[ignore = "runs inside locked_gnome_keyring_never_hangs"]
fn inner_locked_keyring() {
    if !inside("inner_locked_keyring") {
        return;
    }
    let timeout = Duration::from_secs(3);
    let ss = Keychain::new(TEST_SERVICE, timeout).with_backends(&[Backend::SecretService]);
    let started = Instant::now();
    let stored = ss.set("okta:alice@idp.example", &secret("pw"));
    let read = ss.get("okta:alice@idp.example");
    eprintln!("set: {stored:?}; get: {read:?}");
    // Two calls, each bounded; the outcome depends on the daemon's mood,
    // the bound does not.
    assert!(started.elapsed() < 2 * timeout + Duration::from_secs(2));
}

#[test]
fn silent_dbus_falls_back_to_kernel_keyring() {
    if !kernel_keyring_ready() {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let (_listener, address) = silent_bus(home.path());
    run_inner(
        home.path(),
        "keyctl",
        &["session", "-"],
        "inner_silent_bus_fallback",
        &[("DBUS_SESSION_BUS_ADDRESS", &address)],
    );
}

#[test]
fn idp_password_account_names_are_stable() {
    assert_eq!(
        idp_account(
            "okta",
            "alice@corp.example",
            "https://corp.okta.com/app/x/sso/saml"
        ),
        "okta:alice@corp.example@corp.okta.com"
    );
    assert_eq!(SERVICE, "awsprocesscreds");
}

// ---------------------------------------------------------------- inner tests

/// set/get/overwrite/delete/missing on one backend.
fn round_trip(keychain: &Keychain, account: &str) {
    assert_eq!(
        keychain.get(account).unwrap(),
        None,
        "fresh account is empty"
    );
    keychain.set(account, &secret("first p@ss wörd")).unwrap();
    assert_eq!(
        keychain.get(account).unwrap().unwrap().expose(),
        "first p@ss wörd"
    );
    keychain.set(account, &secret("second")).unwrap();
    assert_eq!(keychain.get(account).unwrap().unwrap().expose(), "second");
    keychain.delete(account).unwrap();
    assert_eq!(keychain.get(account).unwrap(), None, "deleted");
    keychain.delete(account).unwrap();
}

/// Eight threads and three processes overwrite the same entry; afterwards
/// the entry holds one of the written values.
fn concurrent_writers(keychain: &Keychain, backend: Backend, lock_dir: &Path, inner_writer: &str) {
    let account = "concurrent:user@idp.example";
    std::thread::scope(|s| {
        for t in 0..8 {
            s.spawn(move || {
                for i in 0..5 {
                    keychain
                        .set(account, &secret(&format!("thread-{t}-{i}")))
                        .unwrap();
                }
            });
        }
        let exe = std::env::current_exe().unwrap();
        let exact = test_name(module_path!(), inner_writer);
        let children: Vec<_> = (0..3)
            .map(|n| {
                Command::new(&exe)
                    .args(["--exact", &exact, "--ignored", "--test-threads=1"])
                    .env(MARK, inner_writer)
                    .env("APC_WRITER", n.to_string())
                    .env("APC_BACKEND", backend.name())
                    .env("APC_LOCK_DIR", lock_dir)
                    .stdout(Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for mut child in children {
            assert!(child.wait().unwrap().success(), "writer process failed");
        }
    });
    let value = keychain.get(account).unwrap().expect("a value survives");
    assert!(
        value.expose().starts_with("thread-") || value.expose().starts_with("process-"),
        "the entry holds one complete written value, got a different one"
    );
}

fn keychain_for(backend: Backend, lock_dir: &Path) -> Keychain {
    Keychain::new(TEST_SERVICE, Duration::from_secs(10))
        .with_backends(&[backend])
        .with_lock_dir(lock_dir)
}

/// The keychain on `backend` alone, after checking that its probe passes
/// and that `account` makes the [`round_trip`].
fn working(backend: Backend, lock_dir: &Path, account: &str) -> Keychain {
    let keychain = keychain_for(backend, lock_dir);
    assert!(keychain.probe()[0].result.is_ok(), "{:?}", keychain.probe());
    round_trip(&keychain, account);
    keychain
}

/// What `default` (the platform chain) stores, `backend` reads back.
fn default_chain_stores_in(default: &Keychain, backend: &Keychain) {
    default.set("chain", &secret("via-chain")).unwrap();
    assert_eq!(backend.get("chain").unwrap().unwrap().expose(), "via-chain");
    default.delete("chain").unwrap();
}

type Warnings = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

/// `keychain` with its warnings collected.
fn collecting_warnings(keychain: Keychain) -> (Keychain, Warnings) {
    let warnings = Warnings::default();
    let sink = warnings.clone();
    let keychain = keychain.on_warning(move |w| sink.lock().unwrap().push(w.to_string()));
    (keychain, warnings)
}

#[test]
#[ignore = "runs inside secret_service_under_gnome_keyring"]
fn inner_secret_service() {
    if !inside("inner_secret_service") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let lock = dir.path();
    let ss = working(Backend::SecretService, lock, "okta:alice@idp.example");

    // The item is where the platform's own tool looks for it.
    ss.set("okta:bob@idp.example", &secret("bobs-password"))
        .unwrap();
    let out = Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            TEST_SERVICE,
            "username",
            "okta:bob@idp.example",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "bobs-password");

    // And an item stored by that tool is found.
    let mut child = Command::new("secret-tool")
        .args([
            "store",
            "--label=by hand",
            "service",
            TEST_SERVICE,
            "username",
            "manual",
        ])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"typed-by-hand")
        .unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(ss.get("manual").unwrap().unwrap().expose(), "typed-by-hand");
    // Overwriting it keeps a single item.
    ss.set("manual", &secret("replaced")).unwrap();
    assert_eq!(item_count(TEST_SERVICE, "manual"), 1);
    assert_eq!(ss.get("manual").unwrap().unwrap().expose(), "replaced");

    concurrent_writers(&ss, Backend::SecretService, lock, "inner_writer");
    assert_eq!(
        item_count(TEST_SERVICE, "concurrent:user@idp.example"),
        1,
        "concurrent writers left duplicate items"
    );
    assert!(lock.join("keychain-secret-service.lock").exists());

    // The platform default chain puts the password in the Secret Service.
    let default = Keychain::new(TEST_SERVICE, Duration::from_secs(10));
    assert_eq!(default.backend(), "secret-service");
    default_chain_stores_in(&default, &ss);
    assert_eq!(default.get("chain").unwrap(), None);
}

/// Items with exactly these attributes in any collection.
fn item_count(service: &str, account: &str) -> usize {
    let out = Command::new("secret-tool")
        .args(["search", "--all", "service", service, "username", account])
        .output()
        .unwrap();
    // secret-tool prints one "[/path]" header line per item (on stderr or
    // stdout depending on the version).
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    text.lines().filter(|l| l.starts_with("[/")).count()
}

#[test]
#[ignore = "runs inside kernel_keyring_under_keyctl_session"]
fn inner_kernel_keyring() {
    if !inside("inner_kernel_keyring") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let lock = dir.path();
    let kk = working(
        Backend::KernelKeyring,
        lock,
        "adfs:CORP\\carol@sts.corp.example",
    );

    // Stored under the description the keyutils tools show.
    kk.set("okta:dan@idp.example", &secret("dans-password"))
        .unwrap();
    let out = Command::new("keyctl")
        .args([
            "search",
            "@s",
            "user",
            &format!("keyring-rs:okta:dan@idp.example@{TEST_SERVICE}"),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "keyctl search did not find the key");
    kk.delete("okta:dan@idp.example").unwrap();

    concurrent_writers(&kk, Backend::KernelKeyring, lock, "inner_writer");

    // Without a session bus, the default chain skips the Secret Service and
    // uses the kernel keyring; the skipped backend is reported as a warning.
    let (default, warnings) =
        collecting_warnings(Keychain::new(TEST_SERVICE, Duration::from_secs(10)));
    assert_eq!(default.backend(), "kernel-keyring");
    default_chain_stores_in(&default, &kk);
    let warnings = warnings.lock().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("secret-service") && w.contains("D-Bus")),
        "{warnings:?}"
    );
}

#[test]
#[ignore = "started by the concurrent-writer scenario"]
fn inner_writer() {
    if !inside("inner_writer") {
        return;
    }
    let n = std::env::var("APC_WRITER").unwrap();
    let backend = match std::env::var("APC_BACKEND").unwrap().as_str() {
        "secret-service" => Backend::SecretService,
        _ => Backend::KernelKeyring,
    };
    let lock = std::env::var("APC_LOCK_DIR").unwrap();
    let keychain = keychain_for(backend, Path::new(&lock));
    for i in 0..5 {
        keychain
            .set(
                "concurrent:user@idp.example",
                &secret(&format!("process-{n}-{i}")),
            )
            .unwrap();
    }
}

#[test]
#[ignore = "runs inside refused_dbus_connection_fails_fast and silent_dbus_peer_times_out"]
fn inner_unreachable_bus() {
    if !inside("inner_unreachable_bus") {
        return;
    }
    let timeout = Duration::from_secs(2);
    let ss = Keychain::new(TEST_SERVICE, timeout).with_backends(&[Backend::SecretService]);

    let started = Instant::now();
    let err = ss.get("okta:alice@idp.example").unwrap_err();
    let took = started.elapsed();
    assert!(took < timeout + Duration::from_secs(2), "took {took:?}");
    match std::env::var("APC_EXPECT").unwrap().as_str() {
        "fast" => assert!(
            matches!(
                err,
                KeychainError::Unavailable {
                    backend: "secret-service",
                    ..
                }
            ),
            "{err}"
        ),
        _ => assert!(matches!(err, KeychainError::TimedOut { .. }), "{err}"),
    }
    assert!(err.to_string().contains("secret-service"), "{err}");

    // Later calls do not wait again for a backend that timed out.
    let started = Instant::now();
    assert!(ss.set("okta:alice@idp.example", &secret("pw")).is_err());
    assert!(ss.delete("okta:alice@idp.example").is_err());
    assert!(started.elapsed() < timeout + Duration::from_secs(1));

    // The whole platform chain answers too (the kernel keyring may or may
    // not be usable here): a result within the timeouts, never a hang.
    let started = Instant::now();
    let _ = Keychain::new(TEST_SERVICE, timeout).get("okta:alice@idp.example");
    assert!(started.elapsed() < 2 * timeout + Duration::from_secs(1));
}

#[test]
fn kernel_keyring_without_session_keyring_is_reported_not_misread() {
    // Whatever this process's session keyring is, a stored value must read
    // back, or the backend must say it is unavailable: never "stored" then
    // "missing".
    let kk = Keychain::new(TEST_SERVICE, Duration::from_secs(5))
        .with_backends(&[Backend::KernelKeyring]);
    let account = format!("nosession:{}@idp.example", std::process::id());
    match kk.set(&account, &secret("pw")) {
        Ok(()) => {
            eprintln!("this process has a usable session keyring");
            assert_eq!(kk.get(&account).unwrap().unwrap().expose(), "pw");
            kk.delete(&account).unwrap();
        }
        Err(e) => {
            eprintln!("kernel keyring reported: {e}");
            assert!(
                matches!(&e, KeychainError::Unavailable { reason, .. } if reason.contains("session keyring")),
                "{e}"
            );
            assert!(
                kk.get(&account).is_err(),
                "an unusable backend is an error, not None"
            );
        }
    }
}

#[test]
#[ignore = "runs inside silent_dbus_falls_back_to_kernel_keyring"]
fn inner_silent_bus_fallback() {
    if !inside("inner_silent_bus_fallback") {
        return;
    }
    let timeout = Duration::from_secs(2);
    let dir = tempfile::tempdir().unwrap();
    let (keychain, warnings) =
        collecting_warnings(Keychain::new(TEST_SERVICE, timeout).with_lock_dir(dir.path()));
    assert_eq!(keychain.backend(), "secret-service");

    // The Secret Service write hangs (and holds its locks); the password
    // still lands in the kernel keyring, after one timeout.
    let started = Instant::now();
    keychain.set("fallback", &secret("kept")).unwrap();
    assert!(started.elapsed() < timeout + Duration::from_secs(2));

    // Later calls skip the silent backend at once.
    let started = Instant::now();
    assert_eq!(keychain.get("fallback").unwrap().unwrap().expose(), "kept");
    keychain.set("fallback", &secret("kept again")).unwrap();
    assert_eq!(
        keychain.get("fallback").unwrap().unwrap().expose(),
        "kept again"
    );
    keychain.delete("fallback").unwrap();
    assert_eq!(keychain.get("fallback").unwrap(), None);
    // Five calls; waiting for the silent bus again would take 2s each.
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    let warnings = warnings.lock().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("secret-service") && w.contains("did not answer")),
        "{warnings:?}"
    );
}
