//! Programs that are not a cooperative browser: they exit at once,
//! announce a refusal, print garbage on the pipe, send an endless
//! message, or never answer. Each gives one clear error, within its
//! bound, and leaves no process behind.
// Every case runs a `#!/bin/sh` script as the browser.
#![cfg(unix)]

use crate::common;

use awsprocesscreds_browser::Error;
use common::attempt::{Attempt, NOWHERE};
use common::fake_browser::{failed_attempt, fake_browser};

#[test]
fn a_browser_that_exits_at_once_is_named_with_its_last_words() {
    let _env = common::env::unchanged();
    let err = failed_attempt("echo 'something went wrong early' >&2\nexit 3", 30);
    assert!(matches!(err, Error::StoppedAtStart { .. }), "{err:?}");
    let msg = err.to_string();
    // Not blamed on a policy it never printed.
    assert!(!msg.contains("RemoteDebuggingAllowed"), "{msg}");
    assert!(
        msg.contains("exited at once (something went wrong early)"),
        "{msg}"
    );
    assert!(err.hint().unwrap().contains("-vv"));
}

#[test]
fn a_policy_refusal_on_stderr_ends_the_start_at_once() {
    let _env = common::env::unchanged();
    // The browser keeps running after the message (and would never
    // answer): the message alone ends the wait, long before the deadline.
    let err = failed_attempt(
        "echo '[1:2:ERROR:chrome/browser/devtools/x.cc(1)] DevTools remote debugging is disallowed by the system admin.' >&2\nexec sleep 60",
        60,
    );
    assert!(matches!(err, Error::Refused { .. }), "{err:?}");
    assert!(
        err.to_string()
            .ends_with(": DevTools remote debugging is disallowed by the system admin."),
        "{err}"
    );
    assert!(err.hint().unwrap().contains("administrator"));
}

#[test]
fn another_browser_on_the_profile_is_named() {
    let _env = common::env::unchanged();
    let err = failed_attempt(
        "echo 'Opening in existing browser session.' >&2\nexit 0",
        30,
    );
    assert!(matches!(err, Error::ProfileInUse { .. }), "{err:?}");
}

#[test]
fn garbage_on_the_pipe_is_a_protocol_error() {
    let _env = common::env::unchanged();
    let err = failed_attempt("printf 'hello there\\0' >&4\nexec sleep 60", 60);
    assert!(matches!(err, Error::Protocol { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("\"hello there\" is not a DevTools message"),
        "{err}"
    );
}

#[test]
fn an_endless_message_is_cut_at_the_cap() {
    let _env = common::env::unchanged();
    let err = failed_attempt(
        "head -c 34000000 /dev/zero | tr '\\0' 'a' >&4\nexec sleep 60",
        60,
    );
    assert!(matches!(err, Error::Protocol { .. }), "{err:?}");
    assert!(err.to_string().contains("larger than 32 MiB"), "{err}");
}

#[test]
fn a_browser_that_never_answers_is_bounded_by_the_deadline() {
    let _env = common::env::unchanged();
    // It keeps the pipe open and reads nothing.
    let err = failed_attempt("exec sleep 60", 2);
    assert!(matches!(err, Error::NoAnswer { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("did not answer its first command within 2s"),
        "{err}"
    );
}

#[test]
fn a_browser_that_cannot_be_started_is_named() {
    let _env = common::env::unchanged();
    let fake = fake_browser("chrome", "exit 0");
    // Uninstalled between finding it and starting it.
    std::fs::remove_file(&fake.path).unwrap();
    let p = common::profile(&fake.browser);
    let err = Attempt::new(&fake.browser, &p, NOWHERE)
        .headless(5)
        .deadline(10)
        .error();
    assert!(matches!(err, Error::Spawn { .. }), "{err:?}");
    assert!(err
        .to_string()
        .starts_with(&format!("cannot start the browser {}", fake.path.display())));
    assert!(err.hint().unwrap().contains("AWSPROCESSCREDS_BROWSER=PATH"));
}
