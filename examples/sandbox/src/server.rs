//! Run an axum router on a loopback port, over plain HTTP or TLS, on a
//! background thread with its own runtime. Dropping the [`Server`] stops it.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use axum::Router;
use tokio::sync::oneshot;

use crate::pki::TestPki;

/// A running fake server.
pub struct Server {
    addr: SocketAddr,
    scheme: &'static str,
    host: String,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Serve `router` over plain HTTP on 127.0.0.1 (an ephemeral port).
    pub fn http(router: Router) -> Server {
        Self::start(router, None, "127.0.0.1", 0)
    }

    /// Serve `router` over HTTPS on 127.0.0.1 with a certificate from `pki`
    /// (valid for `localhost` and `127.0.0.1`).
    pub fn https(router: Router, pki: &TestPki) -> Server {
        Self::start(router, Some(pki), "localhost", 0)
    }

    /// Serve on a fixed port (0 = any), naming the host `host` in URLs.
    pub fn start(router: Router, pki: Option<&TestPki>, host: &str, port: u16) -> Server {
        crate::install_crypto_provider();
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind loopback port");
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        let addr = listener.local_addr().expect("local addr");
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let tls = pki.map(|p| (p.server_cert_pem.clone(), p.server_key_pem.clone()));
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let handle = axum_server::Handle::new();
                let h2 = handle.clone();
                tokio::spawn(async move {
                    let _ = stop_rx.await;
                    h2.shutdown();
                });
                let app = router.into_make_service_with_connect_info::<SocketAddr>();
                let _ = ready_tx.send(());
                match tls {
                    Some((cert, key)) => {
                        let config = axum_server::tls_rustls::RustlsConfig::from_pem(
                            cert.into_bytes(),
                            key.into_bytes(),
                        )
                        .await
                        .expect("tls config");
                        let _ = axum_server::from_tcp_rustls(listener, config)
                            .expect("tls listener")
                            .handle(handle)
                            .serve(app)
                            .await;
                    }
                    None => {
                        let _ = axum_server::from_tcp(listener)
                            .expect("listener")
                            .handle(handle)
                            .serve(app)
                            .await;
                    }
                }
            });
        });
        let _ = ready_rx.recv();
        Server {
            addr,
            scheme: if pki.is_some() { "https" } else { "http" },
            host: host.to_string(),
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `scheme://host:port` with no trailing slash.
    pub fn base_url(&self) -> String {
        format!("{}://{}:{}", self.scheme, self.host, self.addr.port())
    }

    /// `base_url() + path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url(), path)
    }

    /// Keep serving until the process ends.
    pub fn leak(mut self) {
        if let Some(stop) = self.stop.take() {
            std::mem::forget(stop);
        }
        self.thread.take();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Shared, lockable state for handlers.
pub type Shared<T> = Arc<std::sync::Mutex<T>>;
