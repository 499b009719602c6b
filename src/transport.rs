//! HTTP to CookiePay: keep-alive connections (per calling thread, see `thread_http`; shared by every
//! client with the same config, see `client`), TLS, one deadline per exchange, the response size cap,
//! and retries of repeatable calls.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderValue, CONTENT_TYPE};
use serde_json::Value;

use crate::error::{excerpt, Error, NetworkPhase, Outcome, Result, Settle};
use crate::process::PerProcess;
use crate::thread_http::{self, Owner};

/// Answers larger than this are refused: no CookiePay answer is near it, and a proxy or a fault must
/// not make a web worker allocate without bound.
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// How a call may be repeated after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    /// Reads (token, decrypt, paycert, paysearch): retried on connection errors and 5xx.
    Idempotent,
    /// Changes something at CookiePay — opens a payment, moves money (ready, billkeygen, charges,
    /// refunds), ends a schedule or disposes of a billing key: sent exactly once; a lost answer is
    /// "outcome unknown". Even a change that is harmless to repeat is not repeated here: the repeat's
    /// answer ("already disposed", "already cancelled") would hide whether the first one worked.
    SendOnce,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

/// Everything needed to build the HTTP client, fixed when the client is created.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TransportConfig {
    /// Honour HTTP_PROXY / HTTPS_PROXY / ALL_PROXY / NO_PROXY (reqwest's rules; ignored under CGI).
    pub env_proxy: bool,
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

pub struct Transport {
    config: TransportConfig,
    owner: Owner,
    /// The TLS settings of every thread's connection pool: the trust anchors (webpki's, the OS store's,
    /// `ca_cert_pem`) read and parsed once, not once per calling thread (a thread's first call spent
    /// ~19M instructions there), and one TLS session cache, so a thread's first connection can resume
    /// a session another thread made. Per process: a fork()ed child builds its own (the cache locks).
    tls: PerProcess<rustls::ClientConfig>,
}

/// What reqwest builds for `use_rustls_tls()` with the webpki and native roots (reqwest 0.12's
/// `TlsBackend::Rustls`): the same roots, the default protocol versions and crypto provider (ring
/// unless the process installed another), SNI, ALPN http/1.1.
fn tls_config(ca_cert_pem: Option<&str>) -> Result<rustls::ClientConfig> {
    use rustls::pki_types::{pem::PemObject, CertificateDer};
    let cannot = |e: &dyn std::fmt::Display| Error::invalid(format!("cannot build the HTTP client: {e}"));
    let mut roots = rustls::RootCertStore::empty();
    if let Some(pem) = ca_cert_pem {
        for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            let cert = cert.map_err(|_| Error::invalid("ca_cert_pem is not a PEM certificate"))?;
            roots.add(cert).map_err(|e| cannot(&e))?;
        }
    }
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let native = rustls_native_certs::load_native_certs();
    let (mut valid, mut invalid) = (0, 0);
    for cert in native.certs {
        // Native stores often hold ancient or malformed certificates: skipped, as reqwest does.
        match roots.add(cert) {
            Ok(()) => valid += 1,
            Err(_) => invalid += 1,
        }
    }
    if valid == 0 && invalid > 0 {
        return Err(cannot(&"zero valid certificates found in native root store"));
    }
    let provider = rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()));
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(rustls::ALL_VERSIONS)
        .map_err(|e| cannot(&e))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tls)
}

impl Transport {
    pub fn new(config: TransportConfig) -> Transport {
        Transport {
            config,
            owner: Arc::new(()),
            tls: PerProcess::default(),
        }
    }

    pub fn base_url(&self) -> &str {
        &self.config.base_url
    }

    pub fn user_agent(&self) -> &str {
        &self.config.user_agent
    }

    /// A client (connection pool) for the calling thread; the deadline is applied per exchange.
    fn build_http(&self) -> Result<reqwest::Client> {
        let tls = self
            .tls
            .get_or_try_init(|| tls_config(self.config.ca_cert_pem.as_deref()))?;
        let mut builder = reqwest::Client::builder()
            // A clone shares the parsed roots and the session cache (Arcs inside).
            .use_preconfigured_tls(tls.clone())
            .dns_resolver(thread_http::resolver())
            .connect_timeout(self.config.connect_timeout)
            .user_agent(self.config.user_agent.clone())
            // A redirected POST would silently become a GET elsewhere: report it instead.
            .redirect(reqwest::redirect::Policy::none())
            .pool_idle_timeout(Duration::from_secs(50))
            .tcp_nodelay(true);
        if !self.config.env_proxy {
            builder = builder.no_proxy();
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
        self.post_each(path, headers, content_type, body, kind, &mut |_, _, _| {})
    }

    /// `post`, telling `each` about every attempt (numbered from 1) as it ends, with its duration:
    /// what the exchange observer reports.
    pub fn post_each(
        &self,
        path: &str,
        headers: &[(&'static str, &str)],
        content_type: &'static str,
        body: Vec<u8>,
        kind: CallKind,
        each: &mut dyn FnMut(u32, &Result<Answer>, Duration),
    ) -> Result<Answer> {
        let retries = match kind {
            CallKind::Idempotent => self.config.retry.max_retries,
            CallKind::SendOnce => 0,
        };
        let mut attempt = 0;
        loop {
            let started = Instant::now();
            let result = self.post_once(path, headers, content_type, body.clone(), kind);
            each(attempt + 1, &result, started.elapsed());
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

    /// One exchange under one deadline (`timeout`), from connect to the last body byte: a slow or
    /// dripping answer cannot hold the caller longer, whatever its framing.
    fn post_once(
        &self,
        path: &str,
        headers: &[(&'static str, &str)],
        content_type: &'static str,
        body: Vec<u8>,
        kind: CallKind,
    ) -> Result<Answer> {
        let (runtime, http) = thread_http::client_for(&self.owner, || self.build_http())?;
        // After building (a first call on a thread loads the trust anchors): the deadline is the network's.
        let deadline = Instant::now() + self.config.timeout;
        let url = format!("{}{}", self.config.base_url, path);
        let mut request = http.post(url).header(CONTENT_TYPE, content_type).body(body);
        for (name, value) in headers {
            let mut value = HeaderValue::from_str(value)
                .map_err(|_| Error::invalid(format!("{name} contains characters not allowed in an HTTP header")))?;
            // Keeps the value out of any debug output of the request.
            value.set_sensitive(true);
            request = request.header(*name, value);
        }
        let sent_outcome = match kind {
            CallKind::Idempotent => Outcome::NotApplied,
            CallKind::SendOnce => Outcome::Unknown(Settle::LookUp),
        };
        let exchange = async {
            let mut response = request.send().await.map_err(|e| self.classify(&e, sent_outcome))?;
            let status = response.status().as_u16();
            let content_type = response
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let declared = response.content_length().unwrap_or(0);
            if declared > MAX_RESPONSE_BYTES as u64 {
                return Err(too_large());
            }
            let mut body = Vec::with_capacity(declared as usize);
            while let Some(chunk) = response.chunk().await.map_err(|e| self.classify(&e, sent_outcome))? {
                // A runaway answer stops at the cap, chunked or not.
                if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(Answer {
                status,
                content_type,
                body,
            })
        };
        runtime.block_on(async {
            match tokio::time::timeout_at(tokio::time::Instant::from_std(deadline), exchange).await {
                Ok(result) => result,
                Err(_elapsed) => Err(self.timeout_error(sent_outcome)),
            }
        })
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

    /// What settles an unknown outcome is the operation's to say (`Error::settled_by`).
    fn timeout_error(&self, outcome: Outcome) -> Error {
        let message = format!("CookiePay did not answer within {} ms", self.config.timeout.as_millis());
        Error::Timeout { message, outcome }
    }
}

pub const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";

impl Answer {
    /// The answer as a JSON object, or an `http`/`decode` error that says what came instead.
    pub fn into_json_object(self) -> Result<Value> {
        match self.into_json()? {
            value @ Value::Object(_) => Ok(value),
            other => Err(Error::Decode {
                outcome: None,
                message: "CookiePay's answer is JSON but not an object".into(),
                excerpt: excerpt(other.to_string().as_bytes()),
            }),
        }
    }

    /// The answer as JSON of any shape (paysearch answers an array), or an `http`/`decode` error.
    pub fn into_json(self) -> Result<Value> {
        if !(200..300).contains(&self.status) {
            return Err(self.unexpected());
        }
        let body = self.body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&self.body);
        match parse_json(body) {
            Ok(value) => Ok(value),
            Err(_) if self.looks_like_html() => Err(self.unexpected()),
            Err(_) => Err(Error::Decode {
                outcome: None,
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
            outcome: None,
            status: self.status,
            content_type: self.content_type.clone(),
            excerpt: excerpt(&self.body),
        }
    }
}

/// `serde_json::from_slice::<Value>`, the same value and the same errors, with the top-level object's
/// map made with room for an answer's fields: `Value`'s own visitor grows it from empty (four
/// regrowths and rehashes for a paycert answer's two dozen fields).
fn parse_json(body: &[u8]) -> serde_json::Result<Value> {
    struct Object;
    impl<'de> serde::de::Visitor<'de> for Object {
        type Value = Value;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut access: A) -> std::result::Result<Value, A::Error> {
            let mut map = serde_json::Map::with_capacity(32);
            while let Some((key, value)) = access.next_entry::<String, Value>()? {
                map.insert(key, value);
            }
            Ok(Value::Object(map))
        }
    }
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return serde_json::from_slice(body);
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde::Deserializer::deserialize_map(&mut deserializer, Object)?;
    deserializer.end()?;
    Ok(value)
}

fn too_large() -> Error {
    Error::Decode {
        outcome: None,
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

fn sources<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
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
    fn parse_json_is_from_slice() {
        for text in [
            r#"{"A":"1","B":{"c":[1,2]},"A":"dup"}"#,
            r#"  {"RESULTCODE":"0000","x":null}  "#,
            "[1,2]",
            "\"s\"",
            "{}",
            r#"{"a":1} x"#,
            r#"{"a":"#,
            "",
            r#"{"a":1}{"b":2}"#,
        ] {
            let ours = parse_json(text.as_bytes()).map_err(|e| e.to_string());
            let theirs = serde_json::from_slice::<Value>(text.as_bytes()).map_err(|e| e.to_string());
            assert_eq!(ours, theirs, "{text}");
        }
        let order: Vec<String> = parse_json(br#"{"Z":1,"A":2}"#)
            .unwrap()
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(order, ["Z", "A"]);
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
