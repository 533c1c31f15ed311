//! Tests that re-run this test binary on one of its own tests (inside
//! `dbus-run-session` or `keyctl session`, or as a helper process): the
//! name libtest knows that test by, checked to exist, because an
//! `--exact` filter that matches nothing runs no test and still passes.

use std::process::Command;

/// The libtest name of test `name` in the module whose `module_path!()`
/// is `module` (the module path below this test crate, then the
/// function), after checking that this binary lists it.
#[track_caller]
pub fn test_name(module: &str, name: &str) -> String {
    let full = match module.split_once("::") {
        Some((_crate, path)) => format!("{path}::{name}"),
        None => name.to_string(),
    };
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
