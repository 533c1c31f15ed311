//! A tiny HTTP/1.1 server on 127.0.0.1 for IdP-like test pages: one
//! thread per connection, `Connection: close`, every request recorded.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query.
    pub target: String,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        let h = self.headers.get("cookie")?;
        h.split(';').find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name).then(|| v.to_string())
        })
    }

    pub fn form(&self) -> HashMap<String, String> {
        url::form_urlencoded::parse(&self.body)
            .into_owned()
            .collect()
    }
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn html(body: impl Into<String>) -> Response {
        Response {
            status: 200,
            headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
            body: body.into(),
        }
    }

    pub fn redirect(to: &str) -> Response {
        Response {
            status: 303,
            headers: vec![("Location".into(), to.into())],
            body: String::new(),
        }
    }

    pub fn not_found() -> Response {
        Response {
            status: 404,
            headers: vec![("Content-Type".into(), "text/plain".into())],
            body: "not found".into(),
        }
    }

    pub fn header(mut self, k: &str, v: &str) -> Response {
        self.headers.push((k.into(), v.into()));
        self
    }
}

type Route = dyn Fn(&Request) -> Response + Send + Sync;

pub struct Server {
    pub port: u16,
    seen: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
}

impl Server {
    pub fn start(route: impl Fn(&Request) -> Response + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let route: Arc<Route> = Arc::new(route);
        let (s, st) = (seen.clone(), stop.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (route, seen) = (route.clone(), s.clone());
                std::thread::spawn(move || serve(conn, &*route, &seen));
            }
        });
        Server { port, seen, stop }
    }

    /// A server of fixed HTML pages by path; any other path is not found.
    pub fn pages<const N: usize>(pages: [(&'static str, String); N]) -> Server {
        let pages: HashMap<&str, String> = pages.into_iter().collect();
        Server::start(move |req| match pages.get(req.path()) {
            Some(page) => Response::html(page.clone()),
            None => Response::not_found(),
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn seen(&self) -> Vec<Request> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn serve(conn: TcpStream, route: &Route, seen: &Mutex<Vec<Request>>) {
    let _ = conn.set_read_timeout(Some(std::time::Duration::from_secs(10)));
    let mut r = BufReader::new(conn);
    let mut line = String::new();
    if r.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return;
    };
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len.min(1 << 20)];
    if r.read_exact(&mut body).is_err() {
        return;
    }
    let req = Request {
        method: method.to_string(),
        target: target.to_string(),
        headers,
        body,
    };
    let resp = route(&req);
    seen.lock().unwrap().push(req);
    let mut out = format!("HTTP/1.1 {} X\r\n", resp.status);
    for (k, v) in &resp.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n{}",
        resp.body.len(),
        resp.body
    ));
    let mut conn = r.into_inner();
    let _ = conn.write_all(out.as_bytes());
}
