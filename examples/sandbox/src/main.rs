//! `cargo run -p sandbox`: a whole awsprocesscreds login with no network.
//!
//! Default mode starts a fake Okta org (HTTPS, with a throwaway CA) and a
//! fake STS on loopback, then runs the real `awsprocesscreds-saml` exactly
//! as an AWS client would (no terminal, password from the environment,
//! Okta Verify push approved by the fake), and prints the credential JSON
//! it received. `cargo run -p sandbox -- serve` keeps Okta (Classic and Identity
//! Engine), ADFS, Entra ID, ECP, forms,
//! PingFederate + PingID and STS fakes running and prints `~/.aws/config` profiles to try by hand.
//! `cargo run -p sandbox -- browser` (needs a display) shows `-p browser`:
//! a window opens on a fake IdP's login page, the person types the demo
//! password, credentials come out; a second run refreshes headless from
//! the kept session, with no window.

// A demo and test fixture, not product code: a panic names the broken setup.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use sandbox::pki::TestPki;
use sandbox::{adfs, ecp, entra, forms, okta, okta_idx, pingfed, sts, Server};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        None | Some("demo") => demo(),
        Some("serve") => serve(),
        Some("browser") => browser_demo(),
        Some("-h") | Some("--help") => {
            println!("usage: sandbox [demo|serve|browser]\n\n  demo     run one full Okta + STS login through awsprocesscreds-saml (default)\n  serve    keep the fake IdPs and STS running and print AWS config profiles\n  browser  sign in with -p browser in a window (type the password shown), then refresh headless (needs a display)");
            Ok(())
        }
        Some(other) => Err(format!(
            "unknown mode {other:?} (use demo, serve or browser)"
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sandbox: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The directory with our own binary: the awsprocesscreds binaries and
/// plugins are built next to it.
fn bin_dir() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    Ok(exe.parent().ok_or("no parent dir")?.to_path_buf())
}

/// Build the host binaries and first-party plugins (same profile and
/// target directory as this binary), so `cargo run -p sandbox` is enough.
fn build_tool(bin: &Path) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let release = bin.file_name().is_some_and(|n| n == "release");
    let target_dir = bin.parent().ok_or("no target dir")?;
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml");
    let mut cmd = Command::new(cargo);
    cmd.arg("build")
        .arg("--quiet")
        .arg("--manifest-path")
        .arg(workspace);
    if release {
        cmd.arg("--release");
    }
    for p in [
        "awsprocesscreds",
        "awsprocesscreds-plugin-okta",
        "awsprocesscreds-plugin-adfs",
        "awsprocesscreds-plugin-ecp",
        "awsprocesscreds-plugin-forms",
        "awsprocesscreds-plugin-entra",
        "awsprocesscreds-plugin-static",
        "awsprocesscreds-plugin-browser",
    ] {
        cmd.arg("-p").arg(p);
    }
    cmd.env("CARGO_TARGET_DIR", target_dir);
    eprintln!("sandbox: building awsprocesscreds and its plugins...");
    let status = cmd.status().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("building awsprocesscreds failed".into());
    }
    Ok(())
}

struct World {
    _okta: Server,
    okta_state: okta::Okta,
    _sts: Server,
    sts_url: String,
    okta_link: String,
    ca: PathBuf,
    dir: PathBuf,
}

fn start_okta_and_sts() -> Result<World, String> {
    let dir = std::env::temp_dir().join(format!("awsprocesscreds-sandbox-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let pki = TestPki::localhost();
    let ca = pki.write_ca(&dir).map_err(|e| e.to_string())?;
    let config = okta::OktaConfig::demo();
    let app_path = config.app_path();
    let (router, okta_state) = okta::router(config);
    let okta_server = Server::https(router, &pki);
    okta_state.lock().unwrap().base_url = okta_server.base_url();
    let (sts_router, _) = sts::router();
    let sts_server = Server::http(sts_router);
    Ok(World {
        okta_link: okta_server.url(&app_path),
        _okta: okta_server,
        okta_state,
        sts_url: sts_server.base_url(),
        _sts: sts_server,
        ca,
        dir,
    })
}

fn demo() -> Result<(), String> {
    let bin = bin_dir()?;
    build_tool(&bin)?;
    let w = start_okta_and_sts()?;
    let cache = w.dir.join("cache");
    let args = [
        "-e",
        w.okta_link.as_str(),
        "-u",
        "monty@example.com",
        "-p",
        "okta",
        "-a",
        "arn:aws:iam::123456789012:role/okta-dev",
    ];
    eprintln!("sandbox: fake Okta org (HTTPS) at {}", w.okta_link);
    eprintln!("sandbox: fake STS at {}", w.sts_url);
    eprintln!(
        "sandbox: running: awsprocesscreds-saml {} (password from AWSPROCESSCREDS_PASSWORD, Okta Verify push approved by the fake)",
        args.join(" ")
    );
    let run = || {
        Command::new(bin.join("awsprocesscreds-saml"))
            .args(args)
            .arg("--ca-bundle")
            .arg(&w.ca)
            .env("AWSPROCESSCREDS_PASSWORD", "hunter2")
            .env("AWSPROCESSCREDS_CACHE_DIR", &cache)
            .env("AWS_ENDPOINT_URL_STS", &w.sts_url)
            .env("AWS_REGION", "us-east-1")
            .env("AWS_CONFIG_FILE", w.dir.join("no-config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", w.dir.join("no-credentials"))
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| format!("cannot run awsprocesscreds-saml: {e}"))
    };
    let out = run()?;
    if !out.status.success() {
        return Err(format!("awsprocesscreds-saml failed ({})", out.status));
    }
    let json = String::from_utf8_lossy(&out.stdout).into_owned();
    let v: serde_json::Value =
        serde_json::from_str(json.trim()).map_err(|e| format!("output is not JSON: {e}"))?;
    for k in [
        "AccessKeyId",
        "SecretAccessKey",
        "SessionToken",
        "Expiration",
    ] {
        if v.get(k).and_then(|x| x.as_str()).is_none() {
            return Err(format!("output lacks {k}"));
        }
    }
    {
        let st = w.okta_state.lock().unwrap();
        eprintln!(
            "sandbox: Okta saw {} authn call(s), {} push(es), {} app page hit(s)",
            st.authn_calls, st.pushes_sent, st.app_hits
        );
    }
    // A second run is served from the cache: no login at all.
    let again = run()?;
    let hits = w.okta_state.lock().unwrap().app_hits;
    eprintln!(
        "sandbox: second run {} from the cache (Okta app page hits still {hits})",
        if again.stdout == out.stdout {
            "answered"
        } else {
            "was NOT answered"
        }
    );
    print!("{json}");
    let _ = std::fs::remove_dir_all(&w.dir);
    Ok(())
}

/// `sandbox browser`: `-p browser` against a fake forms IdP (plain HTTP
/// on loopback: the browser trusts no test CA, and `--ignore-certificate-
/// errors` is never passed) and the fake STS. The first run opens a window
/// (the page shows the demo password to type); the second refreshes
/// headless from the kept session. Both timings are printed.
fn browser_demo() -> Result<(), String> {
    if cfg!(all(unix, not(target_os = "macos")))
        && ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .all(|v| std::env::var_os(v).is_none_or(|x| x.is_empty()))
    {
        return Err("the browser demo opens a window: run it in a desktop session (DISPLAY or WAYLAND_DISPLAY)".into());
    }
    let bin = bin_dir()?;
    build_tool(&bin)?;
    let dir = std::env::temp_dir().join(format!(
        "awsprocesscreds-sandbox-browser-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let (idp, state) = forms::start(forms::FormsConfig {
        demo_hint: true,
        ..Default::default()
    });
    let (sts_router, _) = sts::router();
    let sts_server = Server::http(sts_router);
    let entry = forms::entry_url(&idp, &state);
    let role = "arn:aws:iam::123456789012:role/ADFS-Dev";
    eprintln!("sandbox: fake IdP (SimpleSAMLphp-style forms, HTTP on loopback) at {entry}");
    eprintln!("sandbox: fake STS at {}", sts_server.base_url());
    let run = |extra: &[&str]| {
        let started = std::time::Instant::now();
        let out = Command::new(bin.join("awsprocesscreds-saml"))
            .args(["-p", "browser", "-e", entry.as_str(), "-a", role])
            .args(extra)
            .env("AWSPROCESSCREDS_CACHE_DIR", dir.join("cache"))
            .env("XDG_DATA_HOME", dir.join("data"))
            .env("AWS_ENDPOINT_URL_STS", sts_server.base_url())
            .env("AWS_REGION", "us-east-1")
            .env("AWSPROCESSCREDS_NO_ACCOUNT_NAMES", "1")
            .env("AWS_CONFIG_FILE", dir.join("no-config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("no-credentials"))
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| format!("cannot run awsprocesscreds-saml: {e}"))?;
        if !out.status.success() {
            return Err(format!("awsprocesscreds-saml failed ({})", out.status));
        }
        Ok((
            String::from_utf8_lossy(&out.stdout).into_owned(),
            started.elapsed(),
        ))
    };
    eprintln!("sandbox: run 1: awsprocesscreds-saml -p browser -e {entry} -a {role}");
    eprintln!("sandbox: a browser window opens: sign in as Monty with the password hunter2 (the page shows them)");
    let (json, first) = run(&[])?;
    serde_json::from_str::<serde_json::Value>(json.trim())
        .map_err(|e| format!("output is not JSON: {e}"))?;
    eprintln!("sandbox: run 2 (--no-cache): the kept IdP session, headless, no window");
    let (_, second) = run(&["--no-cache"])?;
    let st = state.lock().unwrap();
    eprintln!(
        "sandbox: window sign-in took {:.1} s; the headless refresh {:.2} s (the IdP saw {} password login(s) and {} session reuse(s))",
        first.as_secs_f64(),
        second.as_secs_f64(),
        st.logins_ok,
        st.sessions_reused
    );
    drop(st);
    print!("{json}");
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn serve() -> Result<(), String> {
    let bin = bin_dir()?;
    build_tool(&bin)?;
    let w = start_okta_and_sts()?;
    let pki = TestPki::localhost();
    let ca2 = w.dir.join("ca-2.pem");
    std::fs::write(&ca2, &pki.ca_cert_pem).map_err(|e| e.to_string())?;
    let (adfs_router, _adfs_state) = adfs::router(adfs::AdfsConfig::default());
    let adfs_server = Server::https(adfs_router, &pki);
    let (forms_router, forms_state) = forms::router(forms::FormsConfig::default());
    let forms_server = Server::https(forms_router, &pki);
    // Entra ID: Authenticator push with number matching, approved after
    // a few polls (the number is shown on the terminal).
    let (entra_server, entra_state) = entra::start(
        entra::EntraConfig {
            mfa: Some(entra::Mfa::Push {
                polls: 2,
                entropy: 42,
                outcome: entra::PushOutcome::Approve,
            }),
            poll_interval: 1.0,
            ..Default::default()
        },
        &pki,
    );
    // PingFederate + PingID: a number-matching push (number 42), approved
    // after one poll; the number is shown on the terminal.
    let (pingfed_router, _pingfed_state) = pingfed::router(pingfed::PingFedConfig {
        devices: vec![pingfed::Device::phone(
            Some(42),
            pingfed::PushAnswer::Approve,
        )],
        ..Default::default()
    });
    let pingfed_server = Server::https(pingfed_router, &pki);
    // For -p browser: plain HTTP on loopback (a browser trusts no test CA).
    let (browser_idp, browser_idp_state) = forms::start(forms::FormsConfig {
        demo_hint: true,
        ..Default::default()
    });
    // A Keycloak whose password is followed by a step only a browser can
    // do (setting up an authenticator app): `-p forms` continues in a
    // window. Plain HTTP on loopback, like the one above.
    let (setup_idp, setup_idp_state) = forms::start(forms::FormsConfig {
        required_action: Some(forms::RequiredAction::ConfigureTotp),
        totp_setup_code: Some("123456".into()),
        demo_hint: true,
        ..forms::FormsConfig::flavor(forms::Flavor::Keycloak)
    });
    let (ecp_router, _ecp_state) = ecp::router(ecp::EcpConfig::default());
    let ecp_server = Server::https(ecp_router, &pki);
    // The fake AWS sign-in host: `console` and account names.
    let (signin_router, signin_state) = sandbox::signin::router();
    signin_state
        .lock()
        .map_err(|_| "sign-in fake state poisoned".to_string())?
        .aliases
        .insert("123456789012".into(), "sandbox-account".into());
    let signin_server = Server::https(signin_router, &pki);
    // Okta Identity Engine: IDX with Okta Verify push + number challenge,
    // and the device flow (approved automatically after one poll).
    let oie_config = okta_idx::IdxConfig::demo();
    let oie_path = oie_config.app_path();
    let oie_client = oie_config.device_client_id.clone();
    let (oie_router, oie_state) = okta_idx::router(oie_config);
    let oie_server = Server::https(oie_router, &pki);
    oie_state.lock().map_err(|e| e.to_string())?.base_url = oie_server.base_url();
    let oie_link = oie_server.url(&oie_path);
    let tool = bin.join("awsprocesscreds-saml");
    let tool = tool.display();
    let bundle = w.dir.join("bundle.pem");
    std::fs::write(
        &bundle,
        format!(
            "{}{}",
            std::fs::read_to_string(&w.ca).map_err(|e| e.to_string())?,
            pki.ca_cert_pem
        ),
    )
    .map_err(|e| e.to_string())?;
    let bundle = bundle.display();
    println!("# Fake IdPs and STS are running. Paste into ~/.aws/config, then in another shell:");
    println!("#   export AWS_ENDPOINT_URL_STS={}", w.sts_url);
    println!("#   aws sts get-caller-identity --profile sandbox-okta");
    println!("# Passwords: okta monty@example.com / hunter2 (push approved automatically; the OIE org shows number 42); adfs, forms and pingfed Monty / hunter2 (the PingID push shows number 42 and is approved automatically); entra monty@contoso.example / hunter2 (push approved automatically); ecp jdoe / hunter2");
    println!("#   export AWSPROCESSCREDS_SIGNIN_URL={}   # for `awsprocesscreds console --profile sandbox-okta --print` and account names", signin_server.base_url());
    println!();
    println!("[profile sandbox-okta]\nregion = us-east-1\ncredential_process = {tool} -e {} -u monty@example.com -p okta -a arn:aws:iam::123456789012:role/okta-dev --ca-bundle {bundle}\n", w.okta_link);
    println!("[profile sandbox-adfs]\nregion = us-east-1\ncredential_process = {tool} -e '{}?loginToRp=urn:amazon:webservices' -u Monty -p adfs -a arn:aws:iam::123456789012:role/ADFS-Dev --ca-bundle {bundle}\n", adfs_server.url(adfs::ENTRY_PATH));
    println!("[profile sandbox-forms]\nregion = us-east-1\ncredential_process = {tool} -e '{}' -u Monty -p forms --ca-bundle {bundle}\n", forms::entry_url(&forms_server, &forms_state));
    println!("[profile sandbox-pingfed]\nregion = us-east-1\ncredential_process = {tool} -e '{}' -u Monty -p forms -a arn:aws:iam::123456789012:role/PingFed-Dev --ca-bundle {bundle}\n", pingfed::entry_url(&pingfed_server));
    println!("[profile sandbox-entra]\nregion = us-east-1\ncredential_process = {tool} -p entra -e '{}' -u monty@contoso.example -a arn:aws:iam::123456789012:role/Entra-Dev --ca-bundle {bundle}\n", entra::myapps_url(&entra_server, &entra_state));
    println!("[profile sandbox-ecp]\nregion = us-east-1\ncredential_process = {tool} -e '{}' -u jdoe -p ecp -a arn:aws:iam::123456789012:role/ECP-Dev --ca-bundle {bundle}\n", ecp::endpoint_url(&ecp_server));
    println!("# -p browser opens a window on the fake IdP (type Monty / hunter2), then refreshes headless:");
    println!("[profile sandbox-browser]\nregion = us-east-1\ncredential_process = {tool} -p browser -e '{}' -a arn:aws:iam::123456789012:role/ADFS-Dev\n", forms::entry_url(&browser_idp, &browser_idp_state));
    println!("# -p forms meets a step only a browser can do (authenticator setup): after the password, the login continues in a window (type Monty / hunter2, then the code 123456); later runs go to the browser at once:");
    println!("[profile sandbox-forms-setup]\nregion = us-east-1\ncredential_process = {tool} -p forms -e '{}' -u Monty -a arn:aws:iam::123456789012:role/ADFS-Dev\n", forms::entry_url(&setup_idp, &setup_idp_state));
    println!("[profile sandbox-okta-oie]\nregion = us-east-1\ncredential_process = {tool} -e {oie_link} -u monty@example.com -p okta -a arn:aws:iam::123456789012:role/okta-dev --ca-bundle {bundle}\n");
    println!("[profile sandbox-okta-oie-device]\nregion = us-east-1\ncredential_process = {tool} -e {oie_link} -u monty@example.com -p okta -a arn:aws:iam::123456789012:role/okta-dev --plugin-option client-id={oie_client} --ca-bundle {bundle}\n");
    println!("# Ctrl-C to stop.");
    loop {
        std::thread::park();
    }
}
