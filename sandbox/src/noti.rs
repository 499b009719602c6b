//! Outbound notifications (통지, Noti): JSON POSTs to the merchant's 통지 URL, delivered in the
//! background with retries and backoff, never blocking or failing a request. Every delivery is
//! logged for `GET /_sandbox/notis`.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, watch, Semaphore};

use crate::choices as c;
use crate::util::lock;

/// Deliveries running at once; further ones wait in the queue.
const CONCURRENT_DELIVERIES: usize = 32;

struct Delivery {
    id: u64,
    url: String,
    kind: &'static str,
    body: Value,
    attempts: u32,
    delivered: bool,
    last_status: Option<u16>,
    last_error: Option<String>,
    /// Deliveries of an earlier generation (before a state reset) stop retrying.
    generation: u64,
}

pub struct Notifier {
    url: Mutex<Option<String>>,
    log: Mutex<VecDeque<Delivery>>,
    next_id: AtomicU64,
    generation: AtomicU64,
    queue: mpsc::Sender<u64>,
}

/// The receiving end of the delivery queue, handed to [`run`].
pub struct NotiQueue(mpsc::Receiver<u64>);

/// `http://host[:port][/path]` → (host, port, path). Only plain HTTP is delivered.
pub fn parse_http_url(url: &str) -> Option<(String, u16, String)> {
    let rest = url.strip_prefix("http://")?;
    if url.chars().any(|ch| ch.is_whitespace() || ch.is_control()) {
        return None;
    }
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    let path = if path.starts_with('?') {
        format!("/{path}")
    } else {
        path
    };
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None if after.is_empty() => 80,
            None => return None,
        };
        (h.to_string(), port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p.parse().ok()?),
            None => (authority.to_string(), 80),
        }
    };
    (!host.is_empty() && !host.contains('@')).then_some((host, port, path))
}

impl Notifier {
    pub fn new(url: Option<String>) -> Result<(Arc<Notifier>, NotiQueue), String> {
        if let Some(u) = &url {
            if parse_http_url(u).is_none() {
                return Err(format!("noti url must be an http:// URL with a host: {u}"));
            }
        }
        let (tx, rx) = mpsc::channel(c::NOTI_QUEUE);
        let n = Notifier {
            url: Mutex::new(url),
            log: Mutex::new(VecDeque::new()),
            next_id: AtomicU64::new(1),
            generation: AtomicU64::new(0),
            queue: tx,
        };
        Ok((Arc::new(n), NotiQueue(rx)))
    }

    pub fn url(&self) -> Option<String> {
        lock(&self.url).clone()
    }

    /// `None` turns notifications off.
    pub fn set_url(&self, url: Option<String>) -> Result<(), String> {
        if let Some(u) = &url {
            if parse_http_url(u).is_none() {
                return Err("url must be an http:// URL with a host, or null".into());
            }
        }
        *lock(&self.url) = url;
        Ok(())
    }

    /// Queues a notification to the current URL (nothing when none is set). Never blocks.
    pub fn send(&self, kind: &'static str, body: Value) {
        let Some(url) = self.url() else { return };
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let generation = self.generation.load(Ordering::SeqCst);
        {
            let mut log = lock(&self.log);
            if log.len() >= c::NOTI_LOG_MAX {
                log.pop_front();
            }
            log.push_back(Delivery {
                id,
                url,
                kind,
                body,
                attempts: 0,
                delivered: false,
                last_status: None,
                last_error: None,
                generation,
            });
        }
        if self.queue.try_send(id).is_err() {
            self.update(id, |d| d.last_error = Some("queue full: dropped".into()));
        }
    }

    fn update(&self, id: u64, f: impl FnOnce(&mut Delivery)) {
        if let Some(d) = lock(&self.log).iter_mut().find(|d| d.id == id) {
            f(d);
        }
    }

    /// What to send for delivery `id`, unless it is gone or from before a reset.
    fn job(&self, id: u64) -> Option<(String, Vec<u8>)> {
        let generation = self.generation.load(Ordering::SeqCst);
        let log = lock(&self.log);
        let d = log.iter().find(|d| d.id == id && d.generation == generation)?;
        Some((d.url.clone(), d.body.to_string().into_bytes()))
    }

    /// Forgets the log and stops pending retries.
    pub fn clear(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        lock(&self.log).clear();
    }

    pub fn list_json(&self) -> Value {
        let log = lock(&self.log);
        let list: Vec<Value> = log
            .iter()
            .map(|d| {
                json!({
                    "id": d.id,
                    "url": d.url,
                    "kind": d.kind,
                    "body": d.body,
                    "attempts": d.attempts,
                    "delivered": d.delivered,
                    "last_status": d.last_status,
                    "last_error": d.last_error,
                })
            })
            .collect();
        json!({ "url": self.url(), "notis": list })
    }
}

async fn stopped(rx: &mut watch::Receiver<bool>) {
    while !*rx.borrow() {
        if rx.changed().await.is_err() {
            return;
        }
    }
}

/// Delivers queued notifications until `stop` turns true.
pub async fn run(n: Arc<Notifier>, queue: NotiQueue, mut stop: watch::Receiver<bool>) {
    let NotiQueue(mut rx) = queue;
    let slots = Arc::new(Semaphore::new(CONCURRENT_DELIVERIES));
    loop {
        let id = tokio::select! {
            _ = stopped(&mut stop) => return,
            id = rx.recv() => match id {
                Some(id) => id,
                None => return,
            },
        };
        let permit = tokio::select! {
            _ = stopped(&mut stop) => return,
            p = slots.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => return,
            },
        };
        let (n, stop) = (n.clone(), stop.clone());
        tokio::spawn(async move {
            deliver(&n, id, stop).await;
            drop(permit);
        });
    }
}

async fn deliver(n: &Notifier, id: u64, mut stop: watch::Receiver<bool>) {
    let mut backoff = c::NOTI_FIRST_BACKOFF;
    for attempt in 1..=c::NOTI_ATTEMPTS {
        if attempt > 1 {
            tokio::select! {
                _ = stopped(&mut stop) => return,
                _ = tokio::time::sleep(backoff) => {}
            }
            backoff = (backoff * 2).min(c::NOTI_MAX_BACKOFF);
        }
        let Some((url, body)) = n.job(id) else { return };
        let result = tokio::time::timeout(c::NOTI_ATTEMPT_TIMEOUT, post(&url, &body)).await;
        let (status, error) = match result {
            Ok(Ok(s)) => (Some(s), None),
            Ok(Err(e)) => (None, Some(e)),
            Err(_) => (None, Some("timed out".to_string())),
        };
        let delivered = status.is_some_and(|s| (200..300).contains(&s));
        n.update(id, |d| {
            d.attempts = attempt;
            d.last_status = status;
            d.last_error = error;
            d.delivered = delivered;
        });
        if delivered {
            return;
        }
    }
}

/// One POST; the answer's status code (the body is read until the head ends, then ignored).
async fn post(url: &str, body: &[u8]) -> Result<u16, String> {
    let (host, port, path) = parse_http_url(url).ok_or("bad url")?;
    let mut s = tokio::net::TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|e| e.to_string())?;
    let host_header = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: cookiepay-sandbox\r\n\
Content-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let mut req = head.into_bytes();
    req.extend_from_slice(body);
    s.write_all(&req).await.map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(2).any(|w| w == b"\r\n") && buf.len() < 8192 {
        let k = s.read(&mut chunk).await.map_err(|e| e.to_string())?;
        if k == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..k]);
    }
    let line = String::from_utf8_lossy(&buf);
    let status = line.split(' ').nth(1).and_then(|x| x.trim().parse::<u16>().ok());
    status.ok_or_else(|| "no HTTP status line in the answer".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            parse_http_url("http://127.0.0.1:8080/noti"),
            Some(("127.0.0.1".into(), 8080, "/noti".into()))
        );
        assert_eq!(
            parse_http_url("http://localhost"),
            Some(("localhost".into(), 80, "/".into()))
        );
        assert_eq!(
            parse_http_url("http://[::1]:9/x?y=1"),
            Some(("::1".into(), 9, "/x?y=1".into()))
        );
        assert_eq!(parse_http_url("http://h?x"), Some(("h".into(), 80, "/?x".into())));
        assert_eq!(parse_http_url("https://h/"), None);
        assert_eq!(parse_http_url("http://:80/"), None);
        assert_eq!(parse_http_url("http://h:99999/"), None);
        assert_eq!(parse_http_url("http://a b/"), None);
    }
}
