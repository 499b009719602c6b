//! What the process environment does to a client (README "Environment"): HTTP_PROXY and friends are
//! honoured unless the config says `"env_proxy": false`, and SSL_CERT_FILE adds trust anchors. One
//! test, because environment variables are shared by every thread of this test process.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use cookiepay::{Client, Operation};
use cookiepay_sandbox::{Options, Sandbox, DEMO_API_ID, DEMO_API_KEY};
use serde_json::{json, Value};

/// A forward proxy for plain HTTP (absolute-form requests), counting what it relays.
fn counting_proxy() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let relayed = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&relayed);
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let counter = Arc::clone(&counter);
            std::thread::spawn(move || relay(client, &counter));
        }
    });
    (url, relayed)
}

fn relay(mut client: TcpStream, counter: &AtomicUsize) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let (head_end, len) = loop {
        let n = client.read(&mut chunk).unwrap_or(0);
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().to_owned()))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if buf.len() >= end + 4 + len {
            break (end, len);
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.lines();
    let request_line = lines.next().unwrap_or("");
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let Some(rest) = target.strip_prefix("http://") else {
        return;
    };
    let (host, path) = rest
        .split_once('/')
        .map(|(h, p)| (h, format!("/{p}")))
        .unwrap_or((rest, "/".into()));
    counter.fetch_add(1, Ordering::SeqCst);
    let Ok(mut upstream) = TcpStream::connect(host) else {
        return;
    };
    let mut forwarded = format!("{method} {path} HTTP/1.1\r\n");
    for line in lines
        .filter(|l| !l.to_ascii_lowercase().starts_with("proxy-") && !l.to_ascii_lowercase().starts_with("connection"))
    {
        forwarded.push_str(line);
        forwarded.push_str("\r\n");
    }
    forwarded.push_str("Connection: close\r\n\r\n");
    let _ = upstream.write_all(forwarded.as_bytes());
    let _ = upstream.write_all(&buf[head_end + 4..head_end + 4 + len]);
    let mut answer = Vec::new();
    let _ = upstream.read_to_end(&mut answer);
    let _ = client.write_all(&answer);
}

fn token(client: &Client) -> Value {
    serde_json::from_str(&client.call(Operation::Token, "{}")).unwrap()
}

fn config(url: &str, extra: Value) -> String {
    let mut c = json!({"base_url": url, "api_id": DEMO_API_ID, "api_key": DEMO_API_KEY, "shared": false,
                       "max_retries": 0});
    for (k, v) in extra.as_object().unwrap() {
        c[k] = v.clone();
    }
    c.to_string()
}

#[test]
fn proxies_and_trust_anchors_come_from_the_environment() {
    let sb = Sandbox::start(Options {
        tls_port: Some(0),
        ..Default::default()
    })
    .unwrap();
    let (proxy, relayed) = counting_proxy();
    // SAFETY (edition 2021: safe): this test file holds one test, so no other thread reads the
    // environment while it changes.
    std::env::set_var("HTTP_PROXY", &proxy);
    std::env::set_var("NO_PROXY", "");

    let proxied = Client::from_json(&config(&sb.http_url(), json!({}))).unwrap();
    assert_eq!(token(&proxied)["ok"], true);
    assert!(relayed.load(Ordering::SeqCst) >= 1, "HTTP_PROXY was not used");

    let before = relayed.load(Ordering::SeqCst);
    let direct = Client::from_json(&config(&sb.http_url(), json!({"env_proxy": false}))).unwrap();
    assert_eq!(token(&direct)["ok"], true);
    assert_eq!(
        relayed.load(Ordering::SeqCst),
        before,
        "env_proxy false still used the proxy"
    );
    std::env::remove_var("HTTP_PROXY");

    // The sandbox's CA, trusted through SSL_CERT_FILE alone (no ca_cert_pem).
    let https = sb.https_url().unwrap();
    let untrusted = Client::from_json(&config(&https, json!({}))).unwrap();
    assert_eq!(token(&untrusted)["error"]["phase"], "tls");
    let ca = std::env::temp_dir().join(format!("cookiepay-env-ca-{}.pem", std::process::id()));
    std::fs::write(&ca, sb.ca_pem().unwrap()).unwrap();
    std::env::set_var("SSL_CERT_FILE", &ca);
    let trusted = Client::from_json(&config(&https, json!({}))).unwrap();
    let answer = token(&trusted);
    std::env::remove_var("SSL_CERT_FILE");
    let _ = std::fs::remove_file(&ca);
    assert_eq!(answer["ok"], true, "{answer}");
}
