//! `doctor` with a browser setting that names a program which cannot say
//! its version (every Chromium-family browser can): a warning with what
//! to do, not an `ok` line.
// The fake browsers are `#!/bin/sh` scripts.
#![cfg(unix)]

use crate::common;

use common::{run, Ctx};

fn script(dir: &std::path::Path, name: &str, body: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    common::set_mode(&path, 0o755);
    path
}

/// The `browser` line of `doctor`'s checklist, and the lines under it.
fn browser_lines(stdout: &str) -> String {
    let mut out = Vec::new();
    let mut inside = false;
    for line in stdout.lines() {
        if line.starts_with("  [") {
            inside = line.contains("] browser ");
        }
        if inside {
            out.push(line);
        }
    }
    out.join("\n")
}

#[test]
fn a_browser_that_cannot_tell_its_version_is_a_warning() {
    let ctx = Ctx::new();
    let fail = script(ctx.tmp.path(), "not-a-browser", "exit 3");
    let good = script(ctx.tmp.path(), "fake-chromium", "echo 'Chromium 1.2.3'");
    let mut c = ctx.command("awsprocesscreds");
    c.arg("doctor").env("AWSPROCESSCREDS_BROWSER", &fail);
    let out = run(c);
    let lines = browser_lines(&out.stdout);
    assert!(lines.starts_with("  [warn] browser"), "{}", out.stdout);
    assert!(lines.contains("version unknown"), "{lines}");
    assert!(
        lines.contains("may not be a Chromium-family browser")
            && lines.contains("AWSPROCESSCREDS_BROWSER=PATH"),
        "{lines}"
    );

    let mut c = ctx.command("awsprocesscreds");
    c.arg("doctor").env("AWSPROCESSCREDS_BROWSER", &good);
    let out = run(c);
    let lines = browser_lines(&out.stdout);
    assert!(lines.starts_with("  [ok  ] browser"), "{}", out.stdout);
    assert!(lines.contains("Chromium 1.2.3"), "{lines}");
}
