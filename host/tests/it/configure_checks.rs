//! `awsprocesscreds configure` writes no profile that every use would
//! refuse: the flags of the line are checked as a login checks them (a
//! role ARN that is not one, `--timeout 0`, a `--plugin-option` without
//! `=`, `-p browser` with `--no-browser`), each a usage error naming the
//! flag, and the config file stays as it was.
use crate::common;

use common::{run, Ctx};

#[test]
fn configure_refuses_a_line_every_login_would_refuse() {
    let ctx = Ctx::new();
    let config = ctx.tmp.path().join("config");
    std::fs::write(&config, "[profile keep]\nregion = us-west-2\n").unwrap();
    let before = std::fs::read(&config).unwrap();
    let base = [
        "configure",
        "--profile",
        "qa",
        "-p",
        "browser",
        "-e",
        "https://idp.example.com/sso",
    ];
    let role = "arn:aws:iam::123456789012:role/dev";
    for (extra, says) in [
        (vec!["-a", "not-an-arn"], "is not an IAM role ARN"),
        (
            vec!["-a", role, "--timeout", "0"],
            "--timeout must be between",
        ),
        (
            vec!["-a", role, "--browser-timeout", "0"],
            "--browser-timeout must be between",
        ),
        (
            vec!["-a", role, "--plugin-option", "nokey"],
            "is not KEY=VALUE",
        ),
        (
            vec!["-a", role, "--duration-seconds", "60"],
            "--duration-seconds must be between",
        ),
        (vec!["-a", role, "--no-browser"], "which --no-browser"),
    ] {
        for dry in [false, true] {
            let mut c = ctx.command("awsprocesscreds");
            c.args(base).args(&extra).env("AWS_CONFIG_FILE", &config);
            if dry {
                c.arg("--dry-run");
            }
            let out = run(c);
            out.fails(2, says);
            assert!(out.stdout.is_empty(), "{extra:?}: {}", out.stdout);
        }
        assert_eq!(std::fs::read(&config).unwrap(), before, "{extra:?}");
    }
    // The same flags, valid, are written.
    let mut c = ctx.command("awsprocesscreds");
    c.args(base)
        .args(["-a", role, "--timeout", "10", "--browser-timeout", "60"])
        .env("AWS_CONFIG_FILE", &config);
    run(c).ok();
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.contains(
            "-p browser -e https://idp.example.com/sso -a arn:aws:iam::123456789012:role/dev"
        ) && text.contains("--timeout 10")
            && text.contains("--browser-timeout 60"),
        "{text}"
    );
}
