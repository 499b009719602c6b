//! HTTP to CookiePay: one keep-alive connection pool per client handle, TLS, timeouts, the response
//! size cap, retries of read-only calls, and the per-process state (HTTP client and token cache) that
//! must be rebuilt after fork().
//!
//! Fork: reqwest's blocking client runs a Tokio runtime on a background thread, which does not exist in
//! a forked child (php-fpm forks its workers after preloading). A child that touched the parent's client
//! would hang, and dropping it would join a thread that is gone. So all such state lives in a
//! `ProcessLocal` stamped with the PID that built it, reached through an `AtomicPtr` (no lock that a
//! parent thread could hold across fork); a child sees a foreign PID, leaks the parent's copy and builds
//! its own.

use std::io::Read;
use std::collections::HashMap;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Arc, Mutex, OnceLock, TryLockError};
use std::time::Duration;

use reqwest::header::{HeaderValue, CONTENT_TYPE};
use serde_json::Value;

use crate::error::{excerpt, Error, NetworkPhase, Outcome, Result};
use crate::token::CachedToken;

/// Answers larger than this are refused: no CookiePay answer is near it, and a proxy or a fault must
/// not make a web worker allocate without bound.
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// How a call may be repeated after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    /// Reads (token, decrypt, paycert): retried on connection errors and 5xx.
    ReadOnly,
    /// Opens a payment (ready): sent exactly once; a lost answer is "outcome unknown".
    SendOnce,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

/// Everything needed to build the HTTP client, fixed at `Client::new`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TransportConfig {
    pub base_url: String,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub ca_cert_pem: Option<String>,
    pub user_agent: String,
    pub retry: RetryPolicy,
}

/// A raw HTTP answer, body already capped.
pub struct Answer {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// State that belongs to one process: never shared with a forked child.
pub struct ProcessLocal {
    pid: u32,
    http: reqwest::blocking::Client,
    /// The cached TOKEN. Held during a refresh, so concurrent callers share one refresh.
    pub token: Mutex<Option<CachedToken>>,
}

pub struct Transport {
    config: TransportConfig,
    local: AtomicPtr<ProcessLocal>,
}

/// How many distinct configurations keep a shared transport; more are rare (one per merchant and
/// payment type) and simply get their own.
const MAX_SHARED: usize = 64;

/// Transports by (credentials, config), for the life of the process.
type Registry = Mutex<HashMap<(String, TransportConfig), Arc<Transport>>>;

impl Transport {
    pub fn new(config: TransportConfig) -> Transport {
        Transport {
            config,
            local: AtomicPtr::new(std::ptr::null_mut()),
        }
    }

    /// The process's transport for this credential pair and config: clients created with the same
    /// settings share one connection pool and one TOKEN cache. A PHP request cannot keep an object
    /// for the next request, so without this every request would pay a new TOKEN, a new TLS
    /// handshake and a new I/O thread. `credentials` identifies whose TOKENs the cache holds.
    pub fn shared(credentials: String, config: TransportConfig) -> Arc<Transport> {
        static REGISTRY: OnceLock<Registry> = OnceLock::new();
        let registry = REGISTRY.get_or_init(Registry::default);
        // Bounded wait, never a deadlock: if another thread held the lock when this process was
        // forked, it will never be released here, and a private transport is just as correct.
        for _ in 0..200 {
            let mut map = match registry.try_lock() {
                Ok(map) => map,
                Err(TryLockError::Poisoned(p)) => p.into_inner(),
                Err(TryLockError::WouldBlock) => {
                    std::thread::sleep(Duration::from_micros(500));
                    continue;
                }
            };
            let key = (credentials, config);
            if let Some(existing) = map.get(&key) {
                return Arc::clone(existing);
            }
            let transport = Arc::new(Transport::new(key.1.clone()));
            if map.len() < MAX_SHARED {
                map.insert(key, Arc::clone(&transport));
            }
            return transport;
        }
        Arc::new(Transport::new(config))
    }

    pub fn base_url(&self) -> &str {
        &self.config.base_url
    }

    pub fn user_agent(&self) -> &str {
        &self.config.user_agent
    }

    /// This process's HTTP client and token cache, built on first use (nothing starts before).
    pub fn local(&self) -> Result<&ProcessLocal> {
        let pid = std::process::id();
        let current = self.local.load(Ordering::Acquire);
        // SAFETY: a non-null pointer came from Box::into_raw below and is only freed in Drop, which
        // needs `&mut self`, so it outlives this borrow.
        if let Some(existing) = unsafe { current.as_ref() } {
            if existing.pid == pid {
                return Ok(existing);
            }
        }
        let fresh = Box::into_raw(Box::new(ProcessLocal {
            pid,
            http: self.build_http()?,
            token: Mutex::new(None),
        }));
        match self
            .local
            .compare_exchange(current, fresh, Ordering::AcqRel, Ordering::Acquire)
        {
            // `current` was null or another process's copy: the latter is leaked on purpose (see top).
            Ok(_) => Ok(unsafe { &*fresh }),
            Err(winner) => {
                // Another thread of this process installed its copy first; ours was never shared.
                drop(unsafe { Box::from_raw(fresh) });
                Ok(unsafe { &*winner })
            }
        }
    }

    fn build_http(&self) -> Result<reqwest::blocking::Client> {
        let mut builder = reqwest::blocking::Client::builder()
            .use_rustls_tls()
            .connect_timeout(self.config.connect_timeout)
            .timeout(self.config.timeout)
            .user_agent(self.config.user_agent.clone())
            // A redirected POST would silently become a GET elsewhere: report it instead.
            .redirect(reqwest::redirect::Policy::none())
            .pool_idle_timeout(Duration::from_secs(50))
            .tcp_nodelay(true);
        if let Some(pem) = &self.config.ca_cert_pem {
            for cert in reqwest::Certificate::from_pem_bundle(pem.as_bytes())
                .map_err(|_| Error::invalid("ca_cert_pem is not a PEM certificate"))?
            {
                builder = builder.add_root_certificate(cert);
            }
        }
        builder
            .build()
            .map_err(|e| Error::invalid(format!("cannot build the HTTP client: {}", root_cause(&e))))
    }

    /// POST `body` to `path`; retried per `kind` and the retry policy. Any HTTP status is returned.
    pub fn post(
        &self,
        path: &str,
        headers: &[(&'static str, &str)],
        content_type: &'static str,
        body: Vec<u8>,
        kind: CallKind,
    ) -> Result<Answer> {
        let retries = match kind {
            CallKind::ReadOnly => self.config.retry.max_retries,
            CallKind::SendOnce => 0,
        };
        let mut attempt = 0;
        loop {
            let result = self.post_once(path, headers, content_type, body.clone(), kind);
            let retry = match &result {
                Ok(answer) => answer.status >= 500,
                // DNS and TLS failures do not heal in a second; connection drops often do.
                Err(Error::Network { phase, .. }) => matches!(phase, NetworkPhase::Connect | NetworkPhase::Read),
                Err(_) => false,
            };
            if !retry || attempt >= retries {
                return result;
            }
            std::thread::sleep(backoff(&self.config.retry, attempt));
            attempt += 1;
        }
    }

    fn post_once(
        &self,
        path: &str,
        headers: &[(&'static str, &str)],
        content_type: &'static str,
        body: Vec<u8>,
        kind: CallKind,
    ) -> Result<Answer> {
        let http = &self.local()?.http;
        let url = format!("{}{}", self.config.base_url, path);
        let mut request = http
            .post(url)
            .header(CONTENT_TYPE, content_type)
            .body(body);
        for (name, value) in headers {
            let mut value = HeaderValue::from_str(value)
                .map_err(|_| Error::invalid(format!("{name} contains characters not allowed in an HTTP header")))?;
            // Keeps the value out of any debug output of the request.
            value.set_sensitive(true);
            request = request.header(*name, value);
        }
        let sent_outcome = match kind {
            CallKind::ReadOnly => Outcome::NotApplied,
            CallKind::SendOnce => Outcome::Unknown,
        };
        let response = request
            .send()
            .map_err(|e| self.classify(&e, sent_outcome))?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = match response.content_length() {
            Some(len) if len > MAX_RESPONSE_BYTES as u64 => return Err(too_large()),
            // The usual case: a declared, small length. One hand-off to the I/O thread for the
            // whole body (reading it piecemeal costs a thread wake-up per piece).
            Some(_) => response
                .bytes()
                .map_err(|e| self.classify(&e, sent_outcome))?
                .to_vec(),
            // Chunked or close-delimited: read with the cap so a runaway answer stops at 1 MiB.
            None => {
                let mut body = Vec::new();
                response
                    .take(MAX_RESPONSE_BYTES as u64 + 1)
                    .read_to_end(&mut body)
                    .map_err(|e| self.classify_read(&e, sent_outcome))?;
                body
            }
        };
        if body.len() > MAX_RESPONSE_BYTES {
            return Err(too_large());
        }
        Ok(Answer {
            status,
            content_type,
            body,
        })
    }

    /// POST a JSON object and return the JSON object answered with a 2xx status.
    pub fn post_json(
        &self,
        path: &str,
        headers: &[(&'static str, &str)],
        body: &Value,
        kind: CallKind,
    ) -> Result<Value> {
        let bytes = serde_json::to_vec(body).map_err(|e| Error::Internal(e.to_string()))?;
        let answer = self.post(path, headers, JSON_CONTENT_TYPE, bytes, kind)?;
        answer.into_json_object()
    }

    fn classify(&self, err: &reqwest::Error, sent_outcome: Outcome) -> Error {
        if err.is_timeout() {
            // A connect timeout means nothing was sent.
            let outcome = if err.is_connect() {
                Outcome::NotApplied
            } else {
                sent_outcome
            };
            return self.timeout_error(outcome);
        }
        if err.is_connect() {
            let phase = if chain_has_tls_error(err) {
                NetworkPhase::Tls
            } else if chain_mentions(err, "dns error") || chain_mentions(err, "failed to lookup") {
                NetworkPhase::Dns
            } else {
                NetworkPhase::Connect
            };
            let hint = match phase {
                NetworkPhase::Dns => "the host name did not resolve",
                NetworkPhase::Tls => "TLS handshake failed (an inspecting proxy, or a CA the client does not trust?)",
                _ => "could not connect (is a firewall blocking outgoing HTTPS?)",
            };
            return Error::Network {
                phase,
                message: format!("{hint}: {}", root_cause(err)),
                outcome: Outcome::NotApplied,
            };
        }
        Error::Network {
            phase: NetworkPhase::Read,
            message: format!("connection failed while waiting for the answer: {}", root_cause(err)),
            outcome: sent_outcome,
        }
    }

    fn classify_read(&self, err: &std::io::Error, sent_outcome: Outcome) -> Error {
        let inner_timeout = err
            .get_ref()
            .and_then(|e| e.downcast_ref::<reqwest::Error>())
            .is_some_and(|e| e.is_timeout());
        if err.kind() == std::io::ErrorKind::TimedOut || inner_timeout {
            return self.timeout_error(sent_outcome);
        }
        Error::Network {
            phase: NetworkPhase::Read,
            message: format!("the answer was cut off: {err}"),
            outcome: sent_outcome,
        }
    }

    fn timeout_error(&self, outcome: Outcome) -> Error {
        let mut message = format!(
            "CookiePay did not answer within {} ms",
            self.config.timeout.as_millis()
        );
        if outcome == Outcome::Unknown {
            message.push_str("; the request may have taken effect: check by order number before retrying");
        }
        Error::Timeout { message, outcome }
    }
}

impl Drop for Transport {
    fn drop(&mut self) {
        let ptr = *self.local.get_mut();
        if ptr.is_null() {
            return;
        }
        // SAFETY: the pointer came from Box::into_raw and nobody else can reach it during drop.
        let local = unsafe { Box::from_raw(ptr) };
        if local.pid != std::process::id() {
            // Built by the parent before fork: dropping would join a thread that does not exist here.
            std::mem::forget(local);
        }
    }
}

pub const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";

impl Answer {
    /// The answer as a JSON object, or an `http`/`decode` error that says what came instead.
    pub fn into_json_object(self) -> Result<Value> {
        if !(200..300).contains(&self.status) {
            return Err(self.unexpected());
        }
        let body = self.body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&self.body);
        match serde_json::from_slice::<Value>(body) {
            Ok(value @ Value::Object(_)) => Ok(value),
            Ok(_) => Err(Error::Decode {
                message: "CookiePay's answer is JSON but not an object".into(),
                excerpt: excerpt(body),
            }),
            Err(_) if self.looks_like_html() => Err(self.unexpected()),
            Err(_) => Err(Error::Decode {
                message: "CookiePay's answer is not valid JSON".into(),
                excerpt: excerpt(body),
            }),
        }
    }

    pub fn looks_like_html(&self) -> bool {
        let declared = self
            .content_type
            .as_deref()
            .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("text/html"));
        let start = String::from_utf8_lossy(&self.body[..self.body.len().min(64)]).to_ascii_lowercase();
        let start = start.trim_start();
        declared || start.starts_with("<!doctype") || start.starts_with("<html")
    }

    /// An `http` error: a status or body that no CookiePay endpoint sends (a proxy page, a 500, …).
    pub fn unexpected(&self) -> Error {
        Error::Http {
            status: self.status,
            content_type: self.content_type.clone(),
            excerpt: excerpt(&self.body),
        }
    }
}

fn too_large() -> Error {
    Error::Decode {
        message: format!("CookiePay's answer is larger than {MAX_RESPONSE_BYTES} bytes"),
        excerpt: String::new(),
    }
}

/// Exponential backoff with jitter in [50%, 100%] of the step, capped.
fn backoff(policy: &RetryPolicy, attempt: u32) -> Duration {
    let step = policy
        .base_delay
        .saturating_mul(2u32.saturating_pow(attempt))
        .min(policy.max_delay);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let jitter = 0.5 + (nanos % 1000) as f64 / 2000.0;
    step.mul_f64(jitter)
}

fn sources<'a>(err: &'a (dyn std::error::Error + 'static)) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(err), |e| e.source())
}

/// The innermost cause, e.g. "Connection refused (os error 111)". Carries no headers or bodies.
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    sources(err).last().map(|e| e.to_string()).unwrap_or_default()
}

fn chain_mentions(err: &(dyn std::error::Error + 'static), needle: &str) -> bool {
    sources(err).any(|e| e.to_string().to_ascii_lowercase().contains(needle))
}

/// Is a rustls error somewhere in the chain? io::Error hides its payload from `source()`, and the
/// TLS stack nests io::Errors, so those are unwrapped too.
fn chain_has_tls_error(err: &(dyn std::error::Error + 'static)) -> bool {
    fn is_tls(e: &(dyn std::error::Error + 'static)) -> bool {
        if e.is::<rustls::Error>() {
            return true;
        }
        match e.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => is_tls(inner),
            None => false,
        }
    }
    sources(err).any(is_tls)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy {
            max_retries: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(300),
        };
        let d0 = backoff(&p, 0);
        assert!(d0 >= Duration::from_millis(50) && d0 <= Duration::from_millis(100));
        let d5 = backoff(&p, 5);
        assert!(d5 <= Duration::from_millis(300));
    }

    #[test]
    fn html_is_recognised_as_unexpected() {
        let a = Answer {
            status: 200,
            content_type: Some("text/html".into()),
            body: b"<html>Access denied</html>".to_vec(),
        };
        assert_eq!(a.into_json_object().unwrap_err().kind(), "http");
        let b = Answer {
            status: 200,
            content_type: Some("application/json".into()),
            body: b"{\"RESULTCODE\":".to_vec(),
        };
        assert_eq!(b.into_json_object().unwrap_err().kind(), "decode");
        let c = Answer {
            status: 502,
            content_type: None,
            body: b"{}".to_vec(),
        };
        assert_eq!(c.into_json_object().unwrap_err().kind(), "http");
    }
}
