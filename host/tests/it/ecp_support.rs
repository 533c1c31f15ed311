//! A real SAML ECP identity provider for the tests: Debian's SimpleSAMLphp
//! (1.19, `.ci/ecp-deps.sh`), configured in a temp directory and served by
//! PHP's built-in web server on a loopback port. Configuration as an
//! administrator writes it: the IdP enabled, `exampleauth:UserPass` users
//! carrying the AWS attributes, the hosted IdP with `saml20.ecp` on, and
//! the AWS service provider (`urn:amazon:webservices`) with a PAOS
//! assertion consumer service. The signing key is made per run by openssl.
//!
//! Without php or SimpleSAMLphp the tests skip with a printed reason; under
//! CI=true they fail instead.
#![allow(dead_code)]

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where Debian installs SimpleSAMLphp's web root.
const DEFAULT_WWW: &str = "/usr/share/simplesamlphp/www";

/// One `exampleauth:UserPass` user.
#[derive(Debug, Clone)]
pub struct User {
    pub name: String,
    pub password: String,
    /// `https://aws.amazon.com/SAML/Attributes/Role` values
    /// (`role-arn,provider-arn`).
    pub roles: Vec<String>,
}

impl User {
    pub fn new(name: &str, password: &str, roles: &[&str]) -> User {
        User {
            name: name.into(),
            password: password.into(),
            roles: roles.iter().map(|r| r.to_string()).collect(),
        }
    }
}

/// Checks every `ds:Signature` of a document with a certificate
/// (argv: autoload.php, certificate, document); prints `ok N` or the reason.
const VERIFY_PHP: &str = r#"<?php
require $argv[1];
use RobRichards\XMLSecLibs\XMLSecurityDSig;
use RobRichards\XMLSecLibs\XMLSecurityKey;
$cert = file_get_contents($argv[2]);
$n = 0;
while (true) {
    $doc = new DOMDocument();
    if (!$doc->load($argv[3])) { echo "unparsable document\n"; exit(1); }
    $dsig = new XMLSecurityDSig();
    $dsig->idKeys = ['ID'];
    $sig = $dsig->locateSignature($doc, $n);
    if (!$sig) { break; }
    $dsig->canonicalizeSignedInfo();
    try {
        if (!$dsig->validateReference()) { echo "signature $n: digest mismatch\n"; exit(1); }
    } catch (Exception $e) { echo "signature $n: " . $e->getMessage() . "\n"; exit(1); }
    $key = new XMLSecurityKey(XMLSecurityKey::RSA_SHA256, ['type' => 'public']);
    $key->loadKey($cert, false, true);
    if ($dsig->verify($key) !== 1) { echo "signature $n: bad signature value\n"; exit(1); }
    $n++;
}
if ($n === 0) { echo "no signature\n"; exit(1); }
echo "ok $n\n";
"#;

/// How the IdP is configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Ours: dynamic IdP entity id, PAOS consumers listed first.
    Ours,
    /// The AWS SP with HTTP-POST consumers only.
    NoPaos,
    /// Another administrator's setup: an explicit IdP entity id in the
    /// usual `/simplesaml/saml2/idp/metadata.php` form, response and
    /// assertion both signed, a persistent NameID from `uid`, the SP's
    /// consumers as AWS publishes them (HTTP-POST, default, first; a
    /// regional HTTP-POST one) with PAOS last, and user attributes in
    /// another order with the Role values written `provider,role`.
    Other,
}

const OTHER_IDP_HOSTED: &str = r#"<?php
$metadata['https://idp.example.org/simplesaml/saml2/idp/metadata.php'] = [
    'host' => '__DEFAULT__',
    'privatekey' => 'idp.key',
    'certificate' => 'idp.crt',
    'auth' => 'example-userpass',
    'saml20.ecp' => true,
    'saml20.sign.response' => true,
    'saml20.sign.assertion' => true,
];
"#;

const OTHER_SP_REMOTE: &str = r#"<?php
$metadata['urn:amazon:webservices'] = [
    'entityid' => 'urn:amazon:webservices',
    'AssertionConsumerService' => [
        ['Binding' => 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', 'Location' => 'https://signin.aws.amazon.com/saml', 'index' => 1, 'isDefault' => true],
        ['Binding' => 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', 'Location' => 'https://us-east-1.signin.aws.amazon.com/saml', 'index' => 2],
        ['Binding' => 'urn:oasis:names:tc:SAML:2.0:bindings:PAOS', 'Location' => 'https://signin.aws.amazon.com/saml', 'index' => 3],
    ],
    'simplesaml.nameidattribute' => 'uid',
    'NameIDFormat' => 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
    'attributes.NameFormat' => 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
];
$metadata['https://sp.example.org/shibboleth'] = [
    'AssertionConsumerService' => [
        ['Binding' => 'urn:oasis:names:tc:SAML:2.0:bindings:PAOS', 'Location' => 'https://sp.example.org/Shibboleth.sso/SAML2/ECP', 'index' => 1],
    ],
];
"#;

/// A running SimpleSAMLphp IdP (stopped on drop).
pub struct SimpleSamlPhp {
    child: Child,
    pub dir: tempfile::TempDir,
    pub port: u16,
}

fn php_string(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn php_list(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|s| php_string(s)).collect();
    format!("[{}]", inner.join(", "))
}

fn find_in_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// `php`, `openssl` and SimpleSAMLphp's web root, or `None` after printing
/// why (a panic under CI=true).
fn requirements() -> Option<(PathBuf, PathBuf, PathBuf)> {
    let www = PathBuf::from(
        std::env::var("AWSPROCESSCREDS_TEST_SIMPLESAMLPHP_WWW")
            .unwrap_or_else(|_| DEFAULT_WWW.into()),
    );
    let missing = match (find_in_path("php"), find_in_path("openssl")) {
        (None, _) => Some("`php` not found in PATH".to_string()),
        (_, None) => Some("`openssl` not found in PATH".to_string()),
        _ if !www.join("saml2/idp/SSOService.php").is_file() => {
            Some(format!("SimpleSAMLphp not found at {}", www.display()))
        }
        (Some(php), Some(openssl)) => return Some((php, openssl, www)),
    };
    let msg = format!(
        "{}: run .ci/ecp-deps.sh (Debian packages simplesamlphp, php-cli)",
        missing.unwrap_or_default()
    );
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("{msg}");
    }
    eprintln!("SKIPPED: {msg}");
    None
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

impl SimpleSamlPhp {
    /// Configure and start an IdP with these users; `None` when the
    /// software is missing outside CI.
    pub fn start(users: &[User]) -> Option<SimpleSamlPhp> {
        Self::start_with(users, true)
    }

    /// Like [`SimpleSamlPhp::start`]; `paos: false` leaves the AWS SP with
    /// its published HTTP-POST consumer only (a common misconfiguration).
    pub fn start_with(users: &[User], paos: bool) -> Option<SimpleSamlPhp> {
        Self::start_variant(users, if paos { Variant::Ours } else { Variant::NoPaos })
    }

    /// An IdP configured as another administrator would, differently from
    /// ours in everything ECP clients must not depend on (see [`Variant`]).
    pub fn start_variant(users: &[User], variant: Variant) -> Option<SimpleSamlPhp> {
        let (php, openssl, www) = requirements()?;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in [
            "config", "metadata", "cert", "tmp", "data", "log", "sessions",
        ] {
            std::fs::create_dir(root.join(d)).unwrap();
        }
        let status = Command::new(openssl)
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            ])
            .args(["-subj", "/CN=simplesamlphp.test"])
            .arg("-keyout")
            .arg(root.join("cert/idp.key"))
            .arg("-out")
            .arg(root.join("cert/idp.crt"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run openssl");
        assert!(status.success(), "openssl could not make the IdP's key");

        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let p = |d: &str| php_string(&format!("{}/{d}/", root.display()));
        write(
            &root.join("config/config.php"),
            &format!(
                r#"<?php
$config = [
    'baseurlpath' => 'http://127.0.0.1:{port}/',
    'certdir' => {cert},
    'loggingdir' => {log},
    'datadir' => {data},
    'tempdir' => {tmp},
    'metadatadir' => {metadata},
    'technicalcontact_name' => 'Test',
    'technicalcontact_email' => 'test@example.org',
    'timezone' => 'UTC',
    'secretsalt' => 'awsprocesscreds-test-salt-0123456789abcdef',
    'auth.adminpassword' => 'unused-admin-password-0123456789',
    'admin.protectindexpage' => true,
    'admin.protectmetadata' => false,
    'admin.checkforupdates' => false,
    'enable.saml20-idp' => true,
    'logging.level' => SimpleSAML\Logger::INFO,
    'logging.handler' => 'file',
    'logging.logfile' => 'simplesamlphp.log',
    'showerrors' => false,
    'errorreporting' => false,
    'module.enable' => ['exampleauth' => true, 'core' => true, 'saml' => true],
    'store.type' => 'phpsession',
    'session.phpsession.savepath' => {sessions},
    'session.cookie.secure' => false,
];
"#,
                cert = p("cert"),
                log = p("log"),
                data = p("data"),
                tmp = p("tmp"),
                metadata = p("metadata"),
                sessions = p("sessions"),
            ),
        );
        let other = variant == Variant::Other;
        let source = if other {
            "example-userpass"
        } else {
            "ecp-users"
        };
        let mut sources = format!(
            "<?php\n$config = [\n    'admin' => ['core:AdminPassword'],\n    '{source}' => [\n        'exampleauth:UserPass',\n",
        );
        for u in users {
            if other {
                // Attributes in another order, single values as plain
                // strings (SimpleSAMLphp accepts both), no SessionDuration.
                sources.push_str(&format!(
                    "        {} => [\n            'https://aws.amazon.com/SAML/Attributes/RoleSessionName' => {},\n            'eduPersonAffiliation' => ['member', 'staff'],\n            'https://aws.amazon.com/SAML/Attributes/Role' => {},\n            'uid' => {},\n        ],\n",
                    php_string(&format!("{}:{}", u.name, u.password)),
                    php_string(&u.name),
                    php_list(&u.roles),
                    php_string(&u.name),
                ));
                continue;
            }
            sources.push_str(&format!(
                "        {} => [\n            'uid' => {},\n            'https://aws.amazon.com/SAML/Attributes/Role' => {},\n            'https://aws.amazon.com/SAML/Attributes/RoleSessionName' => {},\n            'https://aws.amazon.com/SAML/Attributes/SessionDuration' => ['3600'],\n        ],\n",
                php_string(&format!("{}:{}", u.name, u.password)),
                php_list(std::slice::from_ref(&u.name)),
                php_list(&u.roles),
                php_list(&[format!("{}@simplesamlphp.test", u.name)]),
            ));
        }
        sources.push_str("    ],\n];\n");
        write(&root.join("config/authsources.php"), &sources);
        let idp_hosted = if other {
            OTHER_IDP_HOSTED.to_string()
        } else {
            r#"<?php
$metadata['__DYNAMIC:1__'] = [
    'host' => '__DEFAULT__',
    'privatekey' => 'idp.key',
    'certificate' => 'idp.crt',
    'auth' => 'ecp-users',
    'saml20.ecp' => true,
];
"#
            .to_string()
        };
        write(&root.join("metadata/saml20-idp-hosted.php"), &idp_hosted);
        // The AWS SP as its published metadata describes it, plus the PAOS
        // consumer ECP needs (the IdP refuses PAOS to an SP without one).
        let mut sps = String::from("<?php\n");
        sps.push_str(
            r#"$metadata['urn:amazon:webservices'] = [
    'AssertionConsumerService' => [
        ['Binding' => 'urn:oasis:names:tc:SAML:2.0:bindings:PAOS', 'Location' => 'https://signin.aws.amazon.com/saml', 'index' => 0],
        ['Binding' => 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', 'Location' => 'https://signin.aws.amazon.com/saml', 'index' => 1],
        ['Binding' => 'urn:oasis:names:tc:SAML:2.0:bindings:PAOS', 'Location' => 'https://signin.amazonaws-us-gov.com/saml', 'index' => 2],
    ],
    'NameIDFormat' => 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
    'attributes.NameFormat' => 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
    'attributes' => [
        'https://aws.amazon.com/SAML/Attributes/Role',
        'https://aws.amazon.com/SAML/Attributes/RoleSessionName',
        'https://aws.amazon.com/SAML/Attributes/SessionDuration',
    ],
];
"#,
        );
        if other {
            sps = OTHER_SP_REMOTE.to_string();
        }
        if variant == Variant::NoPaos {
            sps = sps
                .lines()
                .filter(|l| !l.contains("bindings:PAOS"))
                .map(|l| format!("{l}\n"))
                .collect();
        }
        write(&root.join("metadata/saml20-sp-remote.php"), &sps);

        let mut cmd = Command::new(php);
        cmd.arg("-S")
            .arg(format!("127.0.0.1:{port}"))
            .arg("-t")
            .arg(&www)
            .env("SIMPLESAMLPHP_CONFIG_DIR", root.join("config"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // The server must not outlive the test process, even on a panic.
        crate::common::dies_with_spawner(&mut cmd);
        let child = cmd.spawn().expect("start php -S");
        let idp = SimpleSamlPhp { child, dir, port };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "php -S did not start within 20s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(idp)
    }

    /// The ECP endpoint (`-e`).
    pub fn sso_url(&self) -> String {
        format!("http://127.0.0.1:{}/saml2/idp/SSOService.php", self.port)
    }

    /// Verify every XML signature in `xml` (a Response as handed to STS)
    /// with this IdP's certificate, using the xmlseclibs that SimpleSAMLphp
    /// ships: `Ok(n)` when all `n` signatures verify. This is what AWS does
    /// with the assertion, so it proves the Response left the SOAP envelope
    /// intact.
    pub fn verify_signatures(&self, xml: &str) -> Result<usize, String> {
        let root = self.dir.path();
        let doc = root.join("tmp/verify-input.xml");
        let script = root.join("tmp/verify.php");
        write(&doc, xml);
        write(&script, VERIFY_PHP);
        let vendor = PathBuf::from(
            std::env::var("AWSPROCESSCREDS_TEST_SIMPLESAMLPHP_WWW")
                .unwrap_or_else(|_| DEFAULT_WWW.into()),
        )
        .join("../vendor/autoload.php");
        let out = Command::new("php")
            .arg(&script)
            .arg(&vendor)
            .arg(root.join("cert/idp.crt"))
            .arg(&doc)
            .stdin(Stdio::null())
            .output()
            .expect("run php");
        let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
        match text.strip_prefix("ok ") {
            Some(n) if out.status.success() => n.parse().map_err(|_| text.clone()),
            _ => Err(format!("{text}{}", String::from_utf8_lossy(&out.stderr))),
        }
    }

    /// The IdP's log, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log/simplesamlphp.log")).unwrap_or_default()
    }
}

/// HTTPS in front of the PHP server (which speaks plain HTTP only): a
/// TLS-terminating reverse proxy on another loopback port, with a
/// certificate from a fresh test CA, so the plugin talks to the real IdP
/// over real TLS as users' clients do.
pub struct TlsFront {
    pub server: sandbox::Server,
    pub pki: sandbox::pki::TestPki,
}

impl TlsFront {
    pub fn start(idp: &SimpleSamlPhp) -> TlsFront {
        use sandbox::axum::body::{to_bytes, Body};
        use sandbox::axum::extract::{Request, State};
        use sandbox::axum::response::Response;

        async fn forward(State(backend): State<String>, req: Request) -> Response {
            let client = reqwest::Client::new();
            let path = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".into());
            let method =
                reqwest::Method::from_bytes(req.method().as_str().as_bytes()).expect("method");
            let mut out = client.request(method, format!("{backend}{path}"));
            for (k, v) in req.headers() {
                if k.as_str().eq_ignore_ascii_case("host") {
                    continue;
                }
                out = out.header(k.as_str(), v.as_bytes());
            }
            let body = to_bytes(req.into_body(), 16 << 20).await.expect("body");
            let answer = out
                .body(body.to_vec())
                .send()
                .await
                .expect("php -S answers");
            let mut resp = Response::builder().status(answer.status().as_u16());
            for (k, v) in answer.headers() {
                resp = resp.header(k.as_str(), v.as_bytes());
            }
            let bytes = answer.bytes().await.expect("php -S body");
            resp.body(Body::from(bytes)).expect("response")
        }

        let pki = sandbox::pki::TestPki::localhost();
        let router = sandbox::axum::Router::new()
            .fallback(forward)
            .with_state(format!("http://127.0.0.1:{}", idp.port));
        let server = sandbox::Server::https(router, &pki);
        TlsFront { server, pki }
    }

    /// The ECP endpoint over HTTPS.
    pub fn sso_url(&self) -> String {
        self.server.url("/saml2/idp/SSOService.php")
    }
}

impl Drop for SimpleSamlPhp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
