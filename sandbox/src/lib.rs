//! `cookiepay-sandbox`: a local HTTP(S) server that answers like the CookiePay (쿠키페이) payment
//! gateway — token, payment window, encrypted return, decrypt, paycert, billing keys, recurring
//! schedules, cancel, paysearch, receipt and notifications (Noti) — plus a `/_sandbox/` control
//! API for tests (request counts, fault injection, revocation, the clock, listings).
//!
//! Layout: `http` serves any [`http::Handler`]; `routes` is the handler (routing, faults, stats);
//! `control` the `/_sandbox/` API; `gateway/` the endpoints and their state; `cards` the test
//! cards; `pages` the HTML; `noti` outbound notifications; `clock` the sandbox clock; `choices`
//! every value the vendor material leaves open.
//!
//! ```no_run
//! let sb = cookiepay_sandbox::Sandbox::start(Default::default()).unwrap();
//! println!("{}", sb.http_url());
//! ```
//! The server runs on its own runtime threads, so it can be started from plain tests and from
//! inside another async runtime alike.

mod cards;
pub mod choices;
mod clock;
mod conns;
mod control;
mod crypto;
mod endpoint;
mod faults;
mod gateway;
mod http;
mod noti;
mod pages;
mod replay;
mod routes;
mod stats;
mod tls;
mod util;
mod window_page;
mod wire;

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener as StdListener};
use std::sync::Arc;
use std::time::Duration;

pub use choices::{OverLong, Spelling, DEMO_API_ID, DEMO_API_KEY};

/// The environment variable that sets the sandbox clock's start where `--clock-start` is not given
/// (binary) and in test suites ([`test_clock_start`]): `make test` sweeps dates with it.
pub const CLOCK_START_ENV: &str = "COOKIEPAY_SANDBOX_CLOCK_START";

/// The clock start of test suites: `$COOKIEPAY_SANDBOX_CLOCK_START` when set (make test runs the
/// date-sensitive suites at a list of dates, with libfaketime moving real time to the same day), else
/// a fixed ordinary day, so that a plain `cargo test` means the same thing on every calendar day.
pub fn test_clock_start() -> String {
    std::env::var(CLOCK_START_ENV)
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| choices::TEST_CLOCK_START.to_string())
}

/// One merchant's credentials (API_ID / pay2_id and the key sent as ApiKey / pay2_key).
#[derive(Clone)]
pub struct Merchant {
    pub api_id: String,
    pub api_key: String,
}

/// Redacts the key: a Debug print of Options must never leak it into a log.
impl std::fmt::Debug for Merchant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Merchant")
            .field("api_id", &self.api_id)
            .field("api_key", &"<redacted>")
            .finish()
    }
}

impl Merchant {
    pub fn demo() -> Merchant {
        Merchant {
            api_id: DEMO_API_ID.to_string(),
            api_key: DEMO_API_KEY.to_string(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Options {
    /// Address to bind (default 127.0.0.1).
    pub bind: IpAddr,
    /// Plain HTTP port; 0 = ephemeral.
    pub port: u16,
    /// `Some(p)` also serves HTTPS on `p` (0 = ephemeral); `None` = no HTTPS.
    pub tls_port: Option<u16>,
    /// Serve the `/_sandbox/` control API (default true).
    pub control: bool,
    /// TOKEN lifetime (`exp - iat`), default 3600 s like CookiePay's.
    pub token_lifetime: Duration,
    /// Default: just the demo merchant.
    pub merchants: Vec<Merchant>,
    /// The merchant's 통지 URL (`http://` only): every approval, recurring charge and cancel is
    /// POSTed there as JSON. `None` (default) = no notifications until `POST /_sandbox/noti`.
    pub noti_url: Option<String>,
    /// Open connections at most (default 512, lowered to the open-file limit minus 64); at the cap
    /// a new connection evicts the oldest idle one.
    pub max_connections: usize,
    /// A request's head must be complete this long after its first byte (default 10 s, absolute).
    pub head_timeout: Duration,
    /// An unsubmitted payment window expires after this long on the sandbox clock (default 30 min).
    pub window_ttl: Duration,
    /// Keys of the decrypted window result: the recorded answer's (default) or the manual table's.
    pub spelling: Spelling,
    /// Over-long order fields: cut to length (default) or refused with `E012`.
    pub over_long: OverLong,
    /// What the sandbox clock reads at start, `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS` (Asia/Seoul); it
    /// runs on from there, and `reset` with state returns to it. `None` (default) = real time. Tests
    /// whose meaning depends on the calendar set it, so they mean the same thing on every day.
    pub clock_start: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            tls_port: None,
            control: true,
            token_lifetime: choices::DEFAULT_TOKEN_LIFETIME,
            merchants: vec![Merchant::demo()],
            noti_url: None,
            max_connections: choices::MAX_CONNECTIONS,
            head_timeout: choices::HEAD_TIMEOUT,
            window_ttl: choices::WINDOW_TTL,
            spelling: Spelling::default(),
            over_long: OverLong::default(),
            clock_start: None,
        }
    }
}

/// A running sandbox. Dropping it (or calling [`Sandbox::shutdown`]) stops it.
pub struct Sandbox {
    http_addr: SocketAddr,
    https_addr: Option<SocketAddr>,
    ca_pem: Option<String>,
    stop: Option<tokio::sync::watch::Sender<bool>>,
    // Behind a Mutex so Sandbox is Sync and can live in a test's static OnceLock.
    done: std::sync::Mutex<Option<std::sync::mpsc::Receiver<()>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Sandbox {
    /// Binds and starts serving on its own background runtime; returns once listening.
    pub fn start(opts: Options) -> std::io::Result<Sandbox> {
        Sandbox::start_with_logging(opts, false)
    }

    /// Like [`Sandbox::start`]; `verbose` logs one line per request to stderr (never secrets).
    pub fn start_with_logging(opts: Options, verbose: bool) -> std::io::Result<Sandbox> {
        let invalid = |e: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, e);
        let (notifier, noti_queue) = noti::Notifier::new(opts.noti_url.clone()).map_err(invalid)?;
        let app = routes::App::new(routes::AppConfig {
            control: opts.control,
            verbose,
            token_lifetime: opts.token_lifetime,
            merchants: opts
                .merchants
                .iter()
                .map(|m| (m.api_id.clone(), m.api_key.clone()))
                .collect(),
            notifier: notifier.clone(),
            window_ttl: opts.window_ttl,
            spelling: opts.spelling,
            over_long: opts.over_long,
            bind: opts.bind,
            clock_start: match &opts.clock_start {
                None => None,
                Some(s) => Some(clock::parse_kst(s).ok_or_else(|| {
                    invalid(format!(
                        "clock_start {s:?} is not YYYY-MM-DD or YYYY-MM-DD HH:MM:SS (a real date, 1970 or later)"
                    ))
                })?),
            },
        })
        .map_err(invalid)?;
        let app = Arc::new(app);
        let server = Server {
            app,
            conns: conns::Conns::new(opts.max_connections),
            head_timeout: opts.head_timeout,
        };

        let http = StdListener::bind(SocketAddr::new(opts.bind, opts.port))?;
        http.set_nonblocking(true)?;
        let http_addr = http.local_addr()?;
        let (https, tls) = match opts.tls_port {
            Some(p) => {
                let l = StdListener::bind(SocketAddr::new(opts.bind, p))?;
                l.set_nonblocking(true)?;
                (Some(l), Some(tls::generate()?))
            }
            None => (None, None),
        };
        let https_addr = match &https {
            Some(l) => Some(l.local_addr()?),
            None => None,
        };
        let ca_pem = tls.as_ref().map(|t| t.ca_pem.clone());
        let acceptor = tls.map(|t| tokio_rustls::TlsAcceptor::from(t.config));

        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("cookiepay-sandbox")
            .enable_all()
            .build()?;
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<std::io::Result<()>>();
        let thread = std::thread::Builder::new()
            .name("cookiepay-sandbox-main".into())
            .spawn(move || {
                rt.block_on(async move {
                    let setup = (|| -> std::io::Result<_> {
                        let http = tokio::net::TcpListener::from_std(http)?;
                        let https = match https {
                            Some(l) => Some(tokio::net::TcpListener::from_std(l)?),
                            None => None,
                        };
                        Ok((http, https))
                    })();
                    let (http, https) = match setup {
                        Ok(x) => x,
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                            return;
                        }
                    };
                    tokio::spawn(noti::run(notifier, noti_queue, stop_rx.clone()));
                    let server = Arc::new(server);
                    tokio::spawn(accept_plain(http, server.clone(), stop_rx.clone()));
                    if let (Some(l), Some(acc)) = (https, acceptor) {
                        tokio::spawn(accept_tls(l, acc, server, stop_rx.clone()));
                    }
                    let _ = ready_tx.send(Ok(()));
                    let mut stop_rx = stop_rx;
                    while !*stop_rx.borrow() {
                        if stop_rx.changed().await.is_err() {
                            break;
                        }
                    }
                });
                // Open connections are simply dropped: nothing a sandbox holds needs flushing.
                rt.shutdown_timeout(Duration::from_secs(1));
                let _ = done_tx.send(());
            })?;
        match ready_rx.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(e),
            Err(_) => return Err(std::io::Error::other("sandbox runtime thread ended during start")),
        }
        Ok(Sandbox {
            http_addr,
            https_addr,
            ca_pem,
            stop: Some(stop_tx),
            done: std::sync::Mutex::new(Some(done_rx)),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT` (the bound address; an unspecified bind shows as loopback).
    pub fn http_url(&self) -> String {
        let ip = match self.http_addr.ip() {
            ip if ip.is_unspecified() && ip.is_ipv4() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            ip if ip.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        format!("http://{}", SocketAddr::new(ip, self.http_addr.port()))
    }

    /// `https://localhost:PORT` when HTTPS is served (certificate valid for localhost, 127.0.0.1, ::1).
    pub fn https_url(&self) -> Option<String> {
        self.https_addr.map(|a| format!("https://localhost:{}", a.port()))
    }

    /// PEM of the self-signed CA certificate that HTTPS clients must trust.
    pub fn ca_pem(&self) -> Option<String> {
        self.ca_pem.clone()
    }

    pub fn http_addr(&self) -> SocketAddr {
        self.http_addr
    }

    pub fn https_addr(&self) -> Option<SocketAddr> {
        self.https_addr
    }

    /// Stops serving; also done on drop. Bounded: never waits more than a few seconds.
    pub fn shutdown(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(true);
        }
        let done = self.done.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(done) = done {
            if done.recv_timeout(Duration::from_secs(5)).is_ok() {
                if let Some(t) = self.thread.take() {
                    let _ = t.join();
                }
            }
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.stop_now();
    }
}

async fn stopped(rx: &mut tokio::sync::watch::Receiver<bool>) {
    while !*rx.borrow() {
        if rx.changed().await.is_err() {
            return;
        }
    }
}

/// What both listeners share: the application, the connection cap and the head deadline.
struct Server {
    app: Arc<routes::App>,
    conns: Arc<conns::Conns>,
    head_timeout: Duration,
}

async fn accept_plain(l: tokio::net::TcpListener, srv: Arc<Server>, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = stopped(&mut stop) => return,
            r = l.accept() => match r {
                Ok((s, _)) => {
                    // At the cap with nobody idle: refused by closing (the slot's owner is busy).
                    let Some(slot) = srv.conns.admit() else { continue };
                    // Without nodelay, head+body responses meet delayed ACKs: ~40 ms per call.
                    let _ = s.set_nodelay(true);
                    tokio::spawn(http::serve(s, srv.app.clone(), slot, srv.head_timeout));
                }
                // Out of descriptors and the like: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    }
}

async fn accept_tls(
    l: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    srv: Arc<Server>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = stopped(&mut stop) => return,
            r = l.accept() => match r {
                Ok((s, _)) => {
                    let Some(slot) = srv.conns.admit() else { continue };
                    let _ = s.set_nodelay(true);
                    let acceptor = acceptor.clone();
                    let srv = srv.clone();
                    tokio::spawn(async move {
                        // The handshake counts as idle: a flood of silent TLS connections is evictable too.
                        let handshake = tokio::time::timeout(choices::TLS_HANDSHAKE_TIMEOUT, acceptor.accept(s));
                        let tls = tokio::select! {
                            r = handshake => r,
                            _ = slot.evicted() => return,
                        };
                        if let Ok(Ok(tls)) = tls {
                            http::serve(tls, srv.app.clone(), slot, srv.head_timeout).await;
                        }
                    });
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    }
}
