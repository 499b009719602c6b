//! What the process environment does to a client (README "Environment"): HTTP_PROXY and friends are
//! honoured unless the config says `"env_proxy": false`, and SSL_CERT_FILE adds trust anchors. One
//! test, because environment variables are shared by every thread of this test process.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

mod common;

use common::read_http_request;
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
    let Some((head, body)) = read_http_request(&mut client) else {
        return;
    };
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
    let _ = upstream.write_all(&body);
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
