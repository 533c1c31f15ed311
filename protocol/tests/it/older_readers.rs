//! What a host or plugin built before an addition makes of it: the reader
//! of plugin-api 0.1.0 (the frozen copy the protocol-1 tests build,
//! `host/tests/fixture-plugins/protocol1-frozen`, compiled here as it is)
//! against what this crate writes.

/// plugin-api 0.1.0's wire types, unchanged.
#[path = "../../../host/tests/fixture-plugins/protocol1-frozen/plugin-api/src/wire.rs"]
#[allow(dead_code, clippy::all)]
mod old;

#[test]
fn an_older_reader_takes_browser_required_for_other_and_keeps_the_words() {
    let new = protocol::PluginError::browser_required("this sign-in needs your security key")
        .with_hint("finish it in a browser, or choose another factor with --mfa-factor");
    // plugin-api 0.1.0 (protocol 1) reads a plugin's error only as an FFI
    // code, message and hint: code 10 is `other` there, the words pass
    // through unchanged (the FfiError layout is the same).
    assert_eq!(new.kind.code(), 10);
    assert_eq!(
        old::ErrorKind::from_code(new.kind.code()),
        old::ErrorKind::Other
    );
    // Its serde enum has no catch-all, which is why 0.1.0 never reads an
    // error as JSON and every JSON reader since (0.1.1: protocol-2 replies
    // and process plugins) has one; that this crate's reader maps unknown
    // kinds to `other` is pinned in wire.rs
    // (`unknown_enum_values_read_as_explicit_variants`).
    let json = serde_json::to_value(&new).unwrap();
    assert_eq!(json["kind"], "browser-required");
    assert!(serde_json::from_value::<old::PluginError>(json).is_err());
    let unknown: protocol::PluginError =
        serde_json::from_value(serde_json::json!({"kind": "from-the-future", "message": "m"}))
            .unwrap();
    assert_eq!(unknown.kind, protocol::ErrorKind::Other);
}
