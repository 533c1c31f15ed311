//! The README's first command, `cargo run -p sandbox`, must work: a whole
//! Okta login through the real binary, credential JSON on stdout, exit 0.

#[test]
fn demo_prints_credentials() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sandbox"))
        .env_remove("AWS_PROFILE")
        .output()
        .expect("run the sandbox demo");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "sandbox demo failed:\n{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(v["Version"], 1);
    assert!(v["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
    assert!(
        stderr.contains("second run answered from the cache"),
        "{stderr}"
    );
}
