//! `AWSPROCESSCREDS_BROWSER=google-chrome`: a bare command name is looked
//! up on `PATH` (absolute entries only, as for the browsers we look for
//! ourselves); `./chrome` or `bin/chrome` would depend on the directory
//! the AWS client runs in, and are refused saying so.
// The fake browsers are `#!/bin/sh` scripts.
#![cfg(unix)]

use crate::common;

use std::ffi::OsString;
use std::path::Path;

use awsprocesscreds_browser::find::{find_in, Os};
use awsprocesscreds_browser::Error;

#[test]
fn a_bare_name_is_found_on_path_and_other_relative_paths_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let fake = common::script(&bin, "my-chrome", "exit 0");
    let path = format!("relative/dir:{}:/usr/bin", bin.display());
    let env = move |k: &str| (k == "PATH").then(|| OsString::from(&path));

    let found = find_in(Some(Path::new("my-chrome")), &env, Os::Unix).unwrap();
    assert_eq!(found.path, fake);

    for (given, why) in [
        ("./my-chrome", "is a relative path; give its full path"),
        ("bin/my-chrome", "is a relative path; give its full path"),
        (
            "no-such-browser",
            "is not a full path and was not found on PATH",
        ),
    ] {
        let err = find_in(Some(Path::new(given)), &env, Os::Unix).unwrap_err();
        assert!(matches!(err, Error::Unusable { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!("cannot use the browser {given}: {why}")
        );
    }

    // Only absolute PATH entries count, as for the standard search.
    let only_relative = |k: &str| (k == "PATH").then(|| OsString::from("bin"));
    let err = find_in(Some(Path::new("my-chrome")), &only_relative, Os::Unix).unwrap_err();
    assert!(err.to_string().ends_with("was not found on PATH"), "{err}");
}
