//! Fuzzing: replays every input the fuzzers found
//! (`fuzz/regressions/<target>/`) and the seed corpora (`fuzz/seeds/<target>/`)
//! through the same harness the libFuzzer targets use, on stable Rust, so
//! a fixed crash stays fixed. See docs/testing.md for running the fuzzers.

#[path = "../../../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod harness;

use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<PathBuf> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut files = Vec::new();
    for kind in ["regressions", "seeds"] {
        if let Ok(rd) = std::fs::read_dir(fuzz.join(kind).join(target)) {
            files.extend(rd.flatten().map(|e| e.path()).filter(|p| p.is_file()));
        }
    }
    files.sort();
    files
}

/// Run `f` on every input of `target`; report every input that panics.
fn replay(target: &str, f: fn(&[u8])) {
    let files = inputs(target);
    assert!(!files.is_empty(), "no inputs for {target}");
    let mut failed = Vec::new();
    for file in &files {
        let data = std::fs::read(file).unwrap();
        if std::panic::catch_unwind(|| f(&data)).is_err() {
            failed.push(file.display().to_string());
        }
    }
    assert!(
        failed.is_empty(),
        "{target}: these inputs fail: {failed:#?}"
    );
}

#[test]
fn saml_parse_inputs_replay_cleanly() {
    replay("saml_parse", harness::saml_parse);
}

#[test]
fn html_forms_inputs_replay_cleanly() {
    replay("html_forms", harness::html_forms);
}

#[test]
fn okta_responses_inputs_replay_cleanly() {
    replay("okta_responses", harness::okta_responses);
}

#[test]
fn the_seeds_reach_the_interesting_code() {
    // The seeds are only useful if they parse: a valid assertion with
    // roles, a page with a login form, an Okta flow that succeeds.
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds");
    let xml = std::fs::read_to_string(fuzz.join("saml_parse/response.xml")).unwrap();
    let a = awsprocesscreds::saml::parse_xml(&xml).unwrap();
    assert_eq!(a.roles.len(), 2);
    let html = std::fs::read_to_string(fuzz.join("html_forms/adfs3.html")).unwrap();
    let page = plugin_kit::html::Page::parse("https://adfs.example.com/adfs/ls/", &html).unwrap();
    assert!(page.forms().iter().any(|f| f.password_field().is_some()));
    let script = std::fs::read(fuzz.join("okta_responses/success.txt")).unwrap();
    assert_eq!(harness::okta_script(&script).len(), 3);
    match harness::okta_login(&script) {
        Ok(plugin_api::LoginOutcome::Saml { assertion }) => {
            assert_eq!(assertion.expose(), "PHNhbWxw")
        }
        other => panic!("the success script should log in: {:?}", other.err()),
    }
    let push = std::fs::read(fuzz.join("okta_responses/push-mfa.txt")).unwrap();
    let Err(err) = harness::okta_login(&push) else {
        panic!("the push script ends in an error");
    };
    assert!(!err.message.is_empty());
}
