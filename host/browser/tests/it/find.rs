//! Finding the browser: the override alone, PATH search with
//! absolute entries only, snap wrappers without their snap, the version.

#[cfg(unix)]
use crate::common;

use std::ffi::OsString;
#[cfg(unix)]
use std::path::Path;
#[cfg(unix)]
use std::time::Duration;

use awsprocesscreds_browser::find::{find_in, Os};
use awsprocesscreds_browser::Error;
#[cfg(unix)]
use awsprocesscreds_browser::{find, version, Family};

fn env_with_path(path: String) -> impl Fn(&str) -> Option<OsString> {
    move |k| (k == "PATH").then(|| OsString::from(&path))
}

#[cfg(unix)]
#[test]
fn an_override_must_exist_and_be_executable() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nope");
    let err = find::find(Some(&missing)).unwrap_err();
    assert!(matches!(err, Error::Unusable { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "cannot use the browser {}: does not exist",
            missing.display()
        )
    );
    assert!(err
        .hint()
        .unwrap()
        .contains("AWSPROCESSCREDS_BROWSER=PATH or --plugin-option browser=PATH"));

    let plain = tmp.path().join("chrome");
    std::fs::write(&plain, "x").unwrap();
    let err = find::find(Some(&plain)).unwrap_err();
    assert!(err.to_string().ends_with("is not executable"), "{err}");

    let err = find::find(Some(tmp.path())).unwrap_err();
    assert!(err.to_string().ends_with("is not a file"), "{err}");

    // Used alone: a valid override wins even over installed browsers,
    // and an unusable one never falls back to them.
    let fake = common::script(tmp.path(), "msedge", "exit 0");
    let found = find::find(Some(&fake)).unwrap();
    assert_eq!(found.path, fake);
    assert_eq!(found.family, Family::Edge);
}

#[cfg(unix)]
/// `PATH` entries that are not absolute are ignored (they would depend
/// on the current directory).
#[test]
fn path_search_ignores_relative_entries() {
    let tmp = tempfile::tempdir().unwrap();
    let rel_dir = tmp.path().join("rel");
    let abs_dir = tmp.path().join("abs");
    std::fs::create_dir_all(&rel_dir).unwrap();
    std::fs::create_dir_all(&abs_dir).unwrap();
    // google-chrome is preferred over chromium, but only reachable
    // through a relative entry.
    common::script(&rel_dir, "google-chrome", "exit 0");
    let chromium = common::script(&abs_dir, "chromium", "exit 0");
    let cwd = std::env::current_dir().unwrap();
    let up = "../".repeat(cwd.components().count().saturating_sub(1));
    let relative = format!("{up}{}", rel_dir.strip_prefix("/").unwrap().display());
    assert!(
        Path::new(&relative).join("google-chrome").exists(),
        "{relative}"
    );
    let env = env_with_path(format!("{relative}:{}", abs_dir.display()));
    let found = find_in(None, &env, Os::Unix).unwrap();
    assert_eq!(found.path, chromium);
    assert_eq!(found.family, Family::Chromium);
    assert_eq!(found.snap, None);
}

#[cfg(unix)]
#[test]
fn a_snap_wrapper_without_its_snap_is_skipped_and_reported() {
    if Path::new("/snap/bin/chromium").exists() {
        println!("SKIPPED: this machine has the chromium snap");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    // Ubuntu's /usr/bin/chromium-browser (see find/snap.rs).
    common::script(
        tmp.path(),
        "chromium-browser",
        "if ! [ -x /snap/bin/chromium ]; then\n  echo \"Command '$0' requires the chromium snap to be installed.\" >&2\n  exit 1\nfi\nexec /snap/bin/chromium \"$@\"",
    );
    let env = env_with_path(tmp.path().display().to_string());
    let err = find_in(None, &env, Os::Unix).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with("no Chromium-family browser found (tried "),
        "{msg}"
    );
    assert!(
        msg.contains(&format!(
            "{}/chromium-browser (runs the chromium snap, which is not installed)",
            tmp.path().display()
        )),
        "{msg}"
    );
    assert!(msg.contains("/opt/google/chrome/chrome"), "{msg}");
    assert!(err.hint().unwrap().contains("AWSPROCESSCREDS_BROWSER"));
}

#[test]
fn nothing_found_lists_what_was_tried() {
    let env = env_with_path("/nonexistent-a:/nonexistent-b".into());
    let Err(Error::NotFound { tried }) = find_in(None, &env, Os::Unix) else {
        panic!("expected NotFound")
    };
    assert!(tried.contains(&"/nonexistent-a/google-chrome-stable".to_string()));
    assert!(tried.contains(&"/nonexistent-b/brave-browser".to_string()));
}

#[cfg(unix)]
#[test]
fn version_of_the_installed_browser_and_of_a_hung_one() {
    if let Some(browser) = common::browser() {
        let v = version(&browser, Duration::from_secs(20)).unwrap();
        assert!(v.starts_with("Chromium "), "{v}");
    }
    let tmp = tempfile::tempdir().unwrap();
    let hung = common::script(tmp.path(), "chrome", "exec sleep 60");
    let browser = find::find(Some(&hung)).unwrap();
    let err = version(&browser, Duration::from_millis(500)).unwrap_err();
    assert!(matches!(err, Error::NoAnswer { .. }), "{err:?}");
    let failing = common::script(tmp.path(), "chrome2", "echo nope >&2; exit 1");
    let browser = find::find(Some(&failing)).unwrap();
    assert!(version(&browser, Duration::from_secs(5)).is_err());
}
