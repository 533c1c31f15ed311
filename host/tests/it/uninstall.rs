//! `scripts/uninstall.sh --purge` deletes what the tool kept under the
//! home directory: cached credentials, IdP sessions and the browser
//! profiles (holding IdP cookies), also those of a snap browser, which
//! live in the snap's own folder; plugins of your own stay. Without an
//! install manifest it removes every file install.sh writes.
// The script is bash.
#![cfg(unix)]

use std::path::Path;
use std::process::Command;

#[test]
fn purge_deletes_every_browser_profile_and_keeps_your_plugins() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let prefix = tmp.path().join("prefix");
    let data = home.join(".local/share/awsprocesscreds");
    let snap = home.join("snap/chromium/common/awsprocesscreds/browser");
    let cache = home.join(".aws/awsprocesscreds/cache");
    for d in [
        data.join("browser/okta/profile"),
        data.join("plugins"),
        snap.join("profile"),
        cache.join("sessions"),
        prefix.join("bin"),
    ] {
        std::fs::create_dir_all(&d).unwrap();
    }
    std::fs::write(snap.join("profile/Cookies"), "idp cookies").unwrap();
    std::fs::write(data.join("plugins/awsprocesscreds-plugin-mine"), "mine").unwrap();
    std::fs::write(prefix.join("bin/awsprocesscreds"), "").unwrap();
    let plugins = prefix.join("lib/awsprocesscreds/plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    std::fs::write(plugins.join("awsprocesscreds-plugin-pystatic"), "").unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/uninstall.sh");
    let out = Command::new("bash")
        .arg(&script)
        .arg("--prefix")
        .arg(&prefix)
        .arg("--purge")
        .env("HOME", &home)
        .env_remove("XDG_DATA_HOME")
        .env_remove("AWSPROCESSCREDS_CACHE_DIR")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // Without a manifest: every file install.sh writes, the Python
    // example plugin included (then the emptied directories go too).
    assert!(!prefix.join("bin/awsprocesscreds").exists());
    assert!(!prefix.join("lib/awsprocesscreds").exists(), "{stderr}");
    assert!(!cache.exists(), "{stderr}");
    assert!(!data.join("browser").exists(), "{stderr}");
    assert!(
        !home.join("snap/chromium/common/awsprocesscreds").exists(),
        "the snap browser's profiles are left: {stderr}"
    );
    assert!(home.join("snap/chromium/common").exists());
    assert!(data.join("plugins/awsprocesscreds-plugin-mine").exists());
}
