//! A small hand-written HTTP/1.1 server: keep-alive, Content-Length and chunked bodies,
//! `Expect: 100-continue`, size caps, timeouts. Hand-written so faults (half bodies, RST) can be
//! injected exactly, and so every response leaves in a single write. It serves any [`Handler`]
//! and knows nothing about the gateway.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{timeout, timeout_at, Instant};

use crate::choices::{self, IDLE_TIMEOUT, MAX_BODY, MAX_HEAD, MAX_HEADERS, READ_TIMEOUT};
use crate::conns::Slot;

pub struct Request {
    /// "http" or "https": which listener the request came in on.
    pub scheme: &'static str,
    pub method: String,
    /// Path without the query string.
    pub path: String,
    /// The raw query string (after `?`, without it); empty when there is none.
    pub query: String,
    /// Names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, lower_name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == lower_name)
            .map(|(_, v)| v.as_str())
    }
}

pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub close: bool,
    pub extra_headers: Vec<(&'static str, String)>,
    /// Headers named at run time (replay scripts); a Content-Type here replaces `content_type`.
    pub custom_headers: Vec<(String, String)>,
}

pub const JSON: &str = "application/json; charset=utf-8";
pub const HTML: &str = "text/html; charset=utf-8";
pub const JS: &str = "application/javascript; charset=utf-8";

impl Response {
    pub fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            content_type,
            body: body.into(),
            close: false,
            extra_headers: Vec::new(),
            custom_headers: Vec::new(),
        }
    }

    pub fn json(status: u16, v: &serde_json::Value) -> Response {
        Response::new(status, JSON, v.to_string())
    }

    /// Head with the full Content-Length followed by the first `body_len` bytes of the body.
    fn serialize(&self, body_len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(160 + body_len);
        out.extend_from_slice(b"HTTP/1.1 ");
        out.extend_from_slice(self.status.to_string().as_bytes());
        out.push(b' ');
        out.extend_from_slice(reason(self.status).as_bytes());
        out.extend_from_slice(b"\r\nServer: cookiepay-sandbox\r\n");
        if !self
            .custom_headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        {
            out.extend_from_slice(b"Content-Type: ");
            out.extend_from_slice(self.content_type.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"Content-Length: ");
        out.extend_from_slice(self.body.len().to_string().as_bytes());
        out.extend_from_slice(b"\r\n");
        let custom = self.custom_headers.iter().map(|(n, v)| (n.as_str(), v));
        for (n, v) in self.extra_headers.iter().map(|(n, v)| (*n, v)).chain(custom) {
            out.extend_from_slice(n.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(v.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        if self.close {
            out.extend_from_slice(b"Connection: close\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&self.body[..body_len.min(self.body.len())]);
        out
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// What the server asks of the application it serves.
pub trait Handler: Send + Sync + 'static {
    /// Answer one complete request.
    fn handle(&self, req: Request) -> impl Future<Output = Outcome> + Send;
    /// The answer to a request whose body is over the size cap (the connection closes after it).
    fn too_large(&self, req: &Request) -> Response;
    /// The answer to a request that could not be parsed (the connection closes after it).
    fn reject(&self, why: Reject) -> Response;
}

/// What the application wants done with a request.
pub enum Outcome {
    Send(Response),
    /// Full Content-Length, half the body, then close (fault `truncate`).
    Truncate(Response),
    /// Close with a TCP RST, answering nothing (fault `reset`).
    Reset,
}

/// A connection the server can serve: plain TCP or TLS over TCP.
pub trait Socket: AsyncRead + AsyncWrite + Unpin + Send {
    /// "http" or "https".
    const SCHEME: &'static str;
    /// Make the next close send RST instead of FIN.
    fn zero_linger(&self);
}

impl Socket for TcpStream {
    const SCHEME: &'static str = "http";
    fn zero_linger(&self) {
        let _ = self.set_zero_linger();
    }
}

impl Socket for tokio_rustls::server::TlsStream<TcpStream> {
    const SCHEME: &'static str = "https";
    fn zero_linger(&self) {
        let _ = self.get_ref().0.set_zero_linger();
    }
}

enum Framing {
    None,
    Length(usize),
    Chunked,
}

/// Problems found before the application sees the request.
pub enum Reject {
    Malformed,
    HeadersTooLarge,
}

/// Serve one connection until it closes, errs, idles out, is evicted or asks to close. A request's
/// head must be complete `head_timeout` after its first byte, the whole request [`READ_TIMEOUT`]
/// after it: absolute deadlines, so dripping bytes buys no time.
pub async fn serve<S: Socket, H: Handler>(mut s: S, app: Arc<H>, slot: Slot, head_timeout: Duration) {
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    loop {
        // --- idle: waiting for the first byte of the next request; a newer connection may evict us ---
        if buf.is_empty() {
            slot.set_idle(true);
            tokio::select! {
                r = timeout(IDLE_TIMEOUT, read_more(&mut s, &mut buf)) => match r {
                    Ok(Ok(n)) if n > 0 => {}
                    _ => return,
                },
                _ = slot.evicted() => return,
            }
        }
        slot.set_idle(false);
        let started = Instant::now();
        let head_deadline = started + head_timeout;
        let deadline = started + READ_TIMEOUT.max(head_timeout);
        // --- head ---
        let parsed = loop {
            match parse_head(&buf) {
                Ok(Some(p)) => break p,
                Ok(None) => {
                    if buf.len() > MAX_HEAD {
                        reject(&mut s, &*app, Reject::HeadersTooLarge).await;
                        return;
                    }
                }
                Err(r) => {
                    reject(&mut s, &*app, r).await;
                    return;
                }
            }
            match timeout_at(head_deadline, read_more(&mut s, &mut buf)).await {
                Ok(Ok(n)) if n > 0 => {}
                _ => return, // EOF (possibly mid-request), error or deadline: nothing to answer.
            }
        };
        let (head_len, mut req, keep_alive, framing, expect_continue) = parsed;
        req.scheme = S::SCHEME;

        // --- body ---
        let body_result = match framing {
            Framing::None => Ok(Some((Vec::new(), 0))),
            Framing::Length(n) if n > MAX_BODY => Err(()),
            Framing::Length(n) => {
                if expect_continue && buf.len() < head_len + n && !send_continue(&mut s).await {
                    return;
                }
                loop {
                    if buf.len() >= head_len + n {
                        break Ok(Some((buf[head_len..head_len + n].to_vec(), n)));
                    }
                    match timeout_at(deadline, read_more(&mut s, &mut buf)).await {
                        Ok(Ok(k)) if k > 0 => {}
                        _ => break Ok(None),
                    }
                }
            }
            Framing::Chunked => {
                let mut continued = false;
                loop {
                    match decode_chunked(&buf[head_len..], MAX_BODY) {
                        Chunked::Done(body, used) => break Ok(Some((body, used))),
                        Chunked::TooLarge => break Err(()),
                        Chunked::Bad => {
                            reject(&mut s, &*app, Reject::Malformed).await;
                            return;
                        }
                        Chunked::NeedMore => {}
                    }
                    if expect_continue && !continued {
                        continued = true;
                        if !send_continue(&mut s).await {
                            return;
                        }
                    }
                    match timeout_at(deadline, read_more(&mut s, &mut buf)).await {
                        Ok(Ok(k)) if k > 0 => {}
                        _ => break Ok(None),
                    }
                }
            }
        };
        let body_len = match body_result {
            Ok(Some((body, used))) => {
                req.body = body;
                used
            }
            Ok(None) => return, // peer went away or stalled mid-body
            Err(()) => {
                let resp = app.too_large(&req);
                let _ = write_all(&mut s, &resp.serialize(resp.body.len())).await;
                lingering_close(&mut s).await;
                return;
            }
        };
        buf.drain(..head_len + body_len);

        // --- answer ---
        // A HEAD answer must not carry a body; we always send one, so end the connection
        // rather than leave the client's framing off by a body.
        let is_head = req.method == "HEAD";
        match app.handle(req).await {
            Outcome::Send(mut resp) => {
                if !keep_alive || is_head {
                    resp.close = true;
                }
                if write_all(&mut s, &resp.serialize(resp.body.len())).await.is_err() {
                    return;
                }
                if resp.close {
                    let _ = s.shutdown().await;
                    return;
                }
            }
            Outcome::Truncate(resp) => {
                let half = resp.body.len() / 2;
                let _ = write_all(&mut s, &resp.serialize(half)).await;
                let _ = s.shutdown().await;
                return;
            }
            Outcome::Reset => {
                s.zero_linger();
                return;
            }
        }
    }
}

type Parsed = (usize, Request, bool, Framing, bool);

/// `Ok(None)` = need more bytes.
fn parse_head(buf: &[u8]) -> Result<Option<Parsed>, Reject> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut r = httparse::Request::new(&mut headers);
    let head_len = match r.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => return Err(Reject::HeadersTooLarge),
        Err(_) => return Err(Reject::Malformed),
    };
    if head_len > MAX_HEAD {
        return Err(Reject::HeadersTooLarge);
    }
    let version = r.version.unwrap_or(1);
    let method = r.method.unwrap_or("").to_string();
    let raw_path = r.path.unwrap_or("/");
    let (path, query) = match raw_path.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (raw_path.to_string(), String::new()),
    };
    let mut hs = Vec::with_capacity(r.headers.len());
    let mut content_length: Option<usize> = None;
    let mut chunked = false;
    let mut has_te = false;
    let mut conn_close = false;
    let mut conn_keep = false;
    let mut expect_continue = false;
    for h in r.headers.iter() {
        let name = h.name.to_ascii_lowercase();
        let value = String::from_utf8_lossy(h.value).trim().to_string();
        match name.as_str() {
            "content-length" => {
                if value.is_empty() || value.len() > 18 || !value.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(Reject::Malformed);
                }
                let n: usize = value.parse().map_err(|_| Reject::Malformed)?;
                if content_length.is_some_and(|c| c != n) {
                    return Err(Reject::Malformed);
                }
                content_length = Some(n);
            }
            "transfer-encoding" => {
                has_te = true;
                if value.eq_ignore_ascii_case("chunked") {
                    chunked = true;
                } else {
                    return Err(Reject::Malformed);
                }
            }
            "connection" => {
                for tok in value.split(',') {
                    let tok = tok.trim();
                    if tok.eq_ignore_ascii_case("close") {
                        conn_close = true;
                    } else if tok.eq_ignore_ascii_case("keep-alive") {
                        conn_keep = true;
                    }
                }
            }
            "expect" => expect_continue = value.eq_ignore_ascii_case("100-continue"),
            _ => {}
        }
        hs.push((name, value));
    }
    if has_te && content_length.is_some() {
        // Request smuggling territory: refuse rather than guess.
        return Err(Reject::Malformed);
    }
    let framing = if chunked {
        Framing::Chunked
    } else {
        match content_length {
            Some(0) | None => Framing::None,
            Some(n) => Framing::Length(n),
        }
    };
    let keep_alive = if version >= 1 {
        !conn_close
    } else {
        conn_keep && !conn_close
    };
    let req = Request {
        scheme: "http",
        method,
        path,
        query,
        headers: hs,
        body: Vec::new(),
    };
    Ok(Some((
        head_len,
        req,
        keep_alive,
        framing,
        expect_continue && version >= 1,
    )))
}

enum Chunked {
    Done(Vec<u8>, usize),
    NeedMore,
    TooLarge,
    Bad,
}

fn find_crlf(data: &[u8], from: usize) -> Option<usize> {
    data.get(from..)?
        .windows(2)
        .position(|w| w == b"\r\n")
        .map(|p| p + from)
}

/// Decode a complete chunked body from the start of `data`, re-parsing from scratch each call
/// (bodies are capped, so this stays cheap).
fn decode_chunked(data: &[u8], cap: usize) -> Chunked {
    let mut pos = 0;
    let mut body = Vec::new();
    loop {
        let Some(end) = find_crlf(data, pos) else {
            return if data.len() - pos > 1024 {
                Chunked::Bad
            } else {
                Chunked::NeedMore
            };
        };
        let line = &data[pos..end];
        let size_part = line.split(|&b| b == b';').next().unwrap_or(b"");
        let size_str = match std::str::from_utf8(size_part) {
            Ok(s) => s.trim(),
            Err(_) => return Chunked::Bad,
        };
        if size_str.is_empty() || size_str.len() > 8 {
            return if size_str.len() > 8 && size_str.bytes().all(|b| b.is_ascii_hexdigit()) {
                Chunked::TooLarge
            } else {
                Chunked::Bad
            };
        }
        let Ok(size) = usize::from_str_radix(size_str, 16) else {
            return Chunked::Bad;
        };
        pos = end + 2;
        if size == 0 {
            // Trailers until an empty line.
            loop {
                let Some(end) = find_crlf(data, pos) else {
                    return if data.len() - pos > MAX_HEAD {
                        Chunked::Bad
                    } else {
                        Chunked::NeedMore
                    };
                };
                if end == pos {
                    return Chunked::Done(body, end + 2);
                }
                pos = end + 2;
            }
        }
        if body.len() + size > cap {
            return Chunked::TooLarge;
        }
        if data.len() < pos + size + 2 {
            return Chunked::NeedMore;
        }
        body.extend_from_slice(&data[pos..pos + size]);
        if &data[pos + size..pos + size + 2] != b"\r\n" {
            return Chunked::Bad;
        }
        pos += size + 2;
    }
}

async fn read_more<S: Socket>(s: &mut S, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut chunk = [0u8; 8192];
    let n = s.read(&mut chunk).await?;
    buf.extend_from_slice(&chunk[..n]);
    Ok(n)
}

/// Bounded: a client that never reads its answer is dropped after [`READ_TIMEOUT`].
async fn write_all<S: Socket>(s: &mut S, bytes: &[u8]) -> std::io::Result<()> {
    let write = async {
        s.write_all(bytes).await?;
        s.flush().await
    };
    timeout(READ_TIMEOUT, write)
        .await
        .unwrap_or_else(|_| Err(std::io::ErrorKind::TimedOut.into()))
}

async fn send_continue<S: Socket>(s: &mut S) -> bool {
    write_all(s, b"HTTP/1.1 100 Continue\r\n\r\n").await.is_ok()
}

async fn reject<S: Socket, H: Handler>(s: &mut S, app: &H, why: Reject) {
    let resp = app.reject(why);
    let _ = write_all(s, &resp.serialize(resp.body.len())).await;
    lingering_close(s).await;
}

/// Half-close, then swallow what the peer still sends for a moment, so that closing with unread
/// data does not turn into an RST that destroys our error answer before the client reads it.
async fn lingering_close<S: Socket>(s: &mut S) {
    let _ = s.shutdown().await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_millis(500);
    let mut sink = [0u8; 8192];
    let mut total = 0usize;
    while total < 4 * choices::MAX_BODY {
        match tokio::time::timeout_at(deadline, s.read(&mut sink)).await {
            Ok(Ok(n)) if n > 0 => total += n,
            _ => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_decoding() {
        match decode_chunked(b"4\r\nWiki\r\n5;x=y\r\npedia\r\n0\r\nT: v\r\n\r\nNEXT", 100) {
            Chunked::Done(b, used) => {
                assert_eq!(b, b"Wikipedia");
                assert_eq!(used, 34);
            }
            _ => panic!("expected a complete body"),
        }
        assert!(matches!(decode_chunked(b"4\r\nWi", 100), Chunked::NeedMore));
        assert!(matches!(decode_chunked(b"zz\r\n", 100), Chunked::Bad));
        assert!(matches!(decode_chunked(b"4\r\nWikiXX", 100), Chunked::Bad));
        assert!(matches!(decode_chunked(b"ff\r\n", 100), Chunked::TooLarge));
        assert!(matches!(decode_chunked(b"fffffffffff\r\n", 100), Chunked::TooLarge));
    }

    #[test]
    fn head_parsing() {
        let p = parse_head(b"POST /a?b=1 HTTP/1.1\r\ncontent-LENGTH: 3\r\nConnection: close\r\n\r\nabc")
            .ok()
            .flatten()
            .expect("complete");
        assert_eq!(p.1.path, "/a");
        assert!(!p.2, "close requested");
        assert!(matches!(p.3, Framing::Length(3)));
        assert!(parse_head(b"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n").is_err());
        assert!(parse_head(b"POST / HTTP/1.1\r\nContent-Length: -3\r\n\r\n").is_err());
        assert!(parse_head(b"\x00\x01garbage\r\n\r\n").is_err());
        assert!(matches!(parse_head(b"GET / HTTP/1.1\r\nHost: x\r\n"), Ok(None)));
        let p10 = parse_head(b"GET / HTTP/1.0\r\n\r\n").ok().flatten().expect("complete");
        assert!(!p10.2, "HTTP/1.0 closes by default");
    }
}
