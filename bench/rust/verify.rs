//! Rust contenders of the verify benchmark (bench/run.sh): a raw reqwest keep-alive loop, the
//! practical limit of any client, against the core called through its C ABI. Prints one JSON line.
//!
//! Environment: BENCH_URL, BENCH_CA (PEM path), BENCH_API_ID, BENCH_API_KEY, BENCH_TID,
//! BENCH_SECONDS, BENCH_SCENARIO (`token+paycert` | `paycert` | `verify`),
//! BENCH_ORDERNO, BENCH_AMOUNT (of the payment BENCH_TID names), BENCH_CONTENDER (`raw-reqwest` | `core-c-abi` | `core-rust`, the core's
//! Rust API without the C ABI and its JSON, to see what those cost | `raw-reqwest-async` | `raw-rustls`,
//! HTTP/1.1 by hand over blocking rustls, to see what the HTTP stack costs).
//! With BENCH_CONTENDER=`overhead` it measures per-call cost without network instead.

use std::ffi::{CStr, CString};
use std::time::{Duration, Instant};

use cookiepay::ffi::*;
use cookiepay::Operation;
use serde_json::{json, Value};

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set (run bench/run.sh)"))
}

fn peak_rss_kb() -> u64 {
    status_kb("VmHWM:")
}

fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Call `one` for a warm-up second, then until the time is up; each call must succeed.
fn run(seconds: f64, mut one: impl FnMut()) -> (u64, f64, Vec<u32>) {
    let warm_up = Instant::now() + Duration::from_secs(1);
    while Instant::now() < warm_up {
        one();
    }
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let mut latencies = Vec::new();
    while Instant::now() < deadline {
        let t = Instant::now();
        one();
        latencies.push(t.elapsed().as_micros() as u32);
    }
    (latencies.len() as u64, started.elapsed().as_secs_f64(), latencies)
}

fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Did the call succeed? What a C caller checks first; like the raw loop's `contains("0000")`, no
/// more (the core has compared already in `verify`).
fn succeeded(out: *mut std::ffi::c_char) -> bool {
    let ok = unsafe { CStr::from_ptr(out) }.to_bytes().starts_with(b"{\"ok\":true,");
    unsafe { cookiepay_string_free(out) };
    ok
}

fn main() {
    let contender = env("BENCH_CONTENDER");
    if contender == "overhead" {
        return overhead();
    }
    if contender == "setup" {
        return setup();
    }
    if contender == "rss" {
        return rss();
    }
    let url = env("BENCH_URL");
    let (api_id, api_key, tid) = (env("BENCH_API_ID"), env("BENCH_API_KEY"), env("BENCH_TID"));
    let scenario = env("BENCH_SCENARIO");
    let seconds: f64 = env("BENCH_SECONDS").parse().unwrap();
    let ca = std::fs::read_to_string(env("BENCH_CA")).unwrap();
    let fresh_token = scenario == "token+paycert";
    // Scenario `verify`: paycert with a cached TOKEN and the comparison with the stored order.
    let verify = scenario == "verify";
    let (order_no, amount) = (env("BENCH_ORDERNO"), env("BENCH_AMOUNT").parse::<u64>().unwrap());

    let (calls, elapsed, mut lat) = match contender.as_str() {
        "raw-reqwest" => {
            let http = reqwest::blocking::Client::builder()
                .add_root_certificate(reqwest::Certificate::from_pem(ca.as_bytes()).unwrap())
                .build()
                .unwrap();
            let token_body = json!({"pay2_id": api_id, "pay2_key": api_key}).to_string();
            let get_token = || -> String {
                let answer: Value = serde_json::from_str(
                    &http
                        .post(format!("{url}/payAuth/token"))
                        .header("Content-Type", "application/json")
                        .body(token_body.clone())
                        .send()
                        .unwrap()
                        .text()
                        .unwrap(),
                )
                .unwrap();
                answer["TOKEN"].as_str().unwrap().to_owned()
            };
            let mut token = get_token();
            let body = json!({"tid": tid}).to_string();
            run(seconds, || {
                if fresh_token {
                    token = get_token();
                }
                let text = http
                    .post(format!("{url}/api/paycert"))
                    .header("Content-Type", "application/json")
                    .header("TOKEN", token.as_str())
                    .body(body.clone())
                    .send()
                    .unwrap()
                    .text()
                    .unwrap();
                if verify {
                    let p: Value = serde_json::from_str(&text).unwrap();
                    let amount_of = |v: &Value| v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok()));
                    assert!(
                        p["RESULTCODE"] == "0000"
                            && p["TID"] == tid.as_str()
                            && p["ORDERNO"] == order_no.as_str()
                            && amount_of(&p["AMOUNT"]) == Some(amount)
                            && p["CANCELDATE"].as_str().unwrap_or("").trim().is_empty(),
                        "{text}"
                    );
                } else {
                    assert!(text.contains("\"0000\""), "{text}");
                }
            })
        }
        "raw-reqwest-async" => {
            // reqwest's async client driven by a current-thread runtime on this thread: the HTTP stack
            // the core is built on, without the core.
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let http = reqwest::Client::builder()
                .add_root_certificate(reqwest::Certificate::from_pem(ca.as_bytes()).unwrap())
                .build()
                .unwrap();
            let token_body = json!({"pay2_id": api_id, "pay2_key": api_key}).to_string();
            let get_token = || -> String {
                runtime.block_on(async {
                    let text = http
                        .post(format!("{url}/payAuth/token"))
                        .header("Content-Type", "application/json")
                        .body(token_body.clone())
                        .send()
                        .await
                        .unwrap()
                        .text()
                        .await
                        .unwrap();
                    serde_json::from_str::<Value>(&text).unwrap()["TOKEN"]
                        .as_str()
                        .unwrap()
                        .to_owned()
                })
            };
            let mut token = get_token();
            let body = json!({"tid": tid}).to_string();
            run(seconds, || {
                if fresh_token {
                    token = get_token();
                }
                let text = runtime.block_on(async {
                    http.post(format!("{url}/api/paycert"))
                        .header("Content-Type", "application/json")
                        .header("TOKEN", token.as_str())
                        .body(body.clone())
                        .send()
                        .await
                        .unwrap()
                        .text()
                        .await
                        .unwrap()
                });
                assert!(text.contains("\"0000\""), "{text}");
            })
        }
        "raw-rustls" => {
            // Not a contender: what a lean HTTP path would cost. One keep-alive HTTP/1.1 connection
            // written by hand over blocking rustls (no hyper, no tokio, no pool), paycert only.
            assert_eq!(scenario, "paycert", "raw-rustls runs the paycert scenario only");
            let mut http = RawHttp::connect(&url, &ca);
            let token_body = json!({"pay2_id": api_id, "pay2_key": api_key}).to_string();
            let answer: Value = serde_json::from_slice(&http.post("/payAuth/token", &[], &token_body)).unwrap();
            let token = answer["TOKEN"].as_str().unwrap().to_owned();
            let body = json!({"tid": tid}).to_string();
            run(seconds, || {
                let text = http.post("/api/paycert", &[("TOKEN", &token)], &body);
                assert!(text.windows(6).any(|w| w == b"\"0000\""));
            })
        }
        "core-c-abi" => {
            let config =
                json!({"base_url": url, "api_id": api_id, "api_key": api_key, "ca_cert_pem": ca, "binding": "bench"});
            let config = CString::new(config.to_string()).unwrap();
            let client = unsafe { cookiepay_client_new(config.as_ptr(), std::ptr::null_mut()) };
            assert!(!client.is_null());
            let request = CString::new(json!({"tid": tid}).to_string()).unwrap();
            let expected = json!({"tid": tid, "expected": {"ORDERNO": order_no, "AMOUNT": amount}});
            let expected = CString::new(expected.to_string()).unwrap();
            let force = c"{\"force_refresh\":true}";
            let r = run(seconds, || unsafe {
                if fresh_token {
                    assert!(succeeded(cookiepay_token(client, force.as_ptr())));
                }
                if verify {
                    assert!(succeeded(cookiepay_verify(client, expected.as_ptr())));
                } else {
                    assert!(succeeded(cookiepay_paycert(client, request.as_ptr())));
                }
            });
            unsafe { cookiepay_client_free(client) };
            r
        }
        "core-rust" => {
            let config =
                json!({"base_url": url, "api_id": api_id, "api_key": api_key, "ca_cert_pem": ca, "binding": "bench"});
            let client = cookiepay::Client::from_json(&config.to_string()).unwrap();
            let request = json!({"tid": tid, "expected": {"ORDERNO": order_no, "AMOUNT": amount}});
            let op = if verify { Operation::Verify } else { Operation::Paycert };
            run(seconds, || {
                if fresh_token {
                    client.run(Operation::Token, &json!({"force_refresh": true})).unwrap();
                }
                client.run(op, &request).unwrap();
            })
        }
        other => panic!("unknown contender {other}"),
    };
    lat.sort_unstable();
    println!(
        "{}",
        json!({"lang": "rust", "contender": contender, "scenario": scenario, "calls": calls, "seconds": elapsed,
               "calls_per_s": calls as f64 / elapsed, "p50_us": percentile(&lat, 0.5), "p99_us": percentile(&lat, 0.99),
               "peak_rss_kb": peak_rss_kb()})
    );
}

/// Make one approved payment through the window (ready → sandbox checkout → decrypt); print its TID,
/// ORDERNO and AMOUNT, separated by spaces.
/// `raw-rustls`: HTTP/1.1 by hand on one blocking TLS connection; answers must carry Content-Length.
struct RawHttp {
    host: String,
    tls: rustls::StreamOwned<rustls::ClientConnection, std::net::TcpStream>,
    buffer: Vec<u8>,
}

impl RawHttp {
    fn connect(url: &str, ca_pem: &str) -> RawHttp {
        use rustls::pki_types::{pem::PemObject, CertificateDer, ServerName};
        let host = url.trim_start_matches("https://").trim_end_matches('/').to_owned();
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
            roots.add(cert.unwrap()).unwrap();
        }
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let name = ServerName::try_from(host.split(':').next().unwrap().to_owned()).unwrap();
        let connection = rustls::ClientConnection::new(std::sync::Arc::new(config), name).unwrap();
        let socket = std::net::TcpStream::connect(&host).unwrap();
        socket.set_nodelay(true).unwrap();
        RawHttp {
            host,
            tls: rustls::StreamOwned::new(connection, socket),
            buffer: Vec::with_capacity(4096),
        }
    }

    fn post(&mut self, path: &str, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
        use std::io::{Read, Write};
        let mut request = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n",
            self.host,
            body.len()
        );
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(body);
        self.tls.write_all(request.as_bytes()).unwrap();
        self.buffer.clear();
        let mut chunk = [0u8; 4096];
        loop {
            if let Some(end) = self.buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = std::str::from_utf8(&self.buffer[..end]).unwrap().to_ascii_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .map(|v| v.trim().parse().unwrap())
                    .expect("an answer with Content-Length");
                while self.buffer.len() < end + 4 + length {
                    let n = self.tls.read(&mut chunk).unwrap();
                    assert!(n > 0, "connection closed");
                    self.buffer.extend_from_slice(&chunk[..n]);
                }
                return self.buffer[end + 4..end + 4 + length].to_vec();
            }
            let n = self.tls.read(&mut chunk).unwrap();
            assert!(n > 0, "connection closed");
            self.buffer.extend_from_slice(&chunk[..n]);
        }
    }
}

fn setup() {
    let (url, api_id, api_key) = (env("BENCH_URL"), env("BENCH_API_ID"), env("BENCH_API_KEY"));
    let ca = std::fs::read_to_string(env("BENCH_CA")).unwrap();
    let config = json!({"base_url": url, "api_id": api_id, "api_key": api_key, "ca_cert_pem": ca});
    let client = cookiepay::Client::from_json(&config.to_string()).unwrap();
    let order = json!({"ORDERNO": format!("BENCH-{}", std::process::id()), "PRODUCTNAME": "bench", "AMOUNT": 1004,
                       "BUYERNAME": "bench", "RETURNURL": "https://shop.example/return"});
    let window = client.run(Operation::Ready, &order).expect("ready");
    let http = reqwest::blocking::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca.as_bytes()).unwrap())
        .build()
        .unwrap();
    let card =
        json!({"CARDNO": "4111111111111111", "EXPIREDT": "3012", "CARDAUTH": "900101", "CARDPWD": "12", "QUOTA": "00"});
    let checkout: Value = serde_json::from_str(
        &http
            .post(format!("{url}/_sandbox/checkout"))
            .header("Content-Type", "application/json")
            .body(json!({"window_html": window["html"], "card": card}).to_string())
            .send()
            .unwrap()
            .text()
            .unwrap(),
    )
    .unwrap();
    let payment = client
        .run(Operation::Decrypt, &json!({"ENC_DATA": checkout["fields"]["ENC_DATA"]}))
        .expect("decrypt");
    println!(
        "{} {} {}",
        payment["TID"].as_str().unwrap(),
        order["ORDERNO"].as_str().unwrap(),
        order["AMOUNT"]
    );
}

/// RSS before and after 100,000 cached-TOKEN paycert calls through the C ABI (after 1,000 to warm
/// up): it must stay flat.
fn rss() {
    const N: u32 = 100_000;
    let (url, api_id, api_key, tid) = (
        env("BENCH_URL"),
        env("BENCH_API_ID"),
        env("BENCH_API_KEY"),
        env("BENCH_TID"),
    );
    let ca = std::fs::read_to_string(env("BENCH_CA")).unwrap();
    let config = json!({"base_url": url, "api_id": api_id, "api_key": api_key, "ca_cert_pem": ca, "binding": "bench"});
    let config = CString::new(config.to_string()).unwrap();
    let client = unsafe { cookiepay_client_new(config.as_ptr(), std::ptr::null_mut()) };
    let request = CString::new(json!({"tid": tid}).to_string()).unwrap();
    let one = || unsafe {
        let out = cookiepay_paycert(client, request.as_ptr());
        assert!(CStr::from_ptr(out).to_bytes().starts_with(b"{\"ok\":true"));
        cookiepay_string_free(out);
    };
    (0..1000).for_each(|_| one());
    let before = status_kb("VmRSS:");
    (0..N).for_each(|_| one());
    println!(
        "{}",
        json!({"lang": "rust", "what": "cached-TOKEN paycert over HTTPS (C ABI)", "calls": N,
               "rss_kb_before": before, "rss_kb_after": status_kb("VmRSS:")})
    );
    unsafe { cookiepay_client_free(client) };
}

/// Per-call cost of the two network-free paths through the C ABI, in µs.
fn overhead() {
    const N: u32 = 100_000;
    let body = c"API_ID=sandbox_demo01&RESULTCODE=0000&RESULTMSG=%EC%84%B1%EA%B3%B5&ENC_DATA=q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA%2Bq83vEjRWeJCrze8SNFZ4kA%3D%3D";
    let config = c"{\"base_url\":\"http://127.0.0.1:1\",\"api_id\":\"sandbox_demo01\",\"api_key\":\"k1234567\"}";
    let client = unsafe { cookiepay_client_new(config.as_ptr(), std::ptr::null_mut()) };
    let invalid = c"{\"ORDERNO\":\"A1\",\"PRODUCTNAME\":\"a&b\",\"AMOUNT\":\"1,000\",\"BUYERNAME\":\"\xed\x99\x8d\",\"RETURNURL\":\"x\"}";
    let measure = |name: &str, f: &mut dyn FnMut()| {
        for _ in 0..1000 {
            f();
        }
        let t = Instant::now();
        for _ in 0..N {
            f();
        }
        let us = t.elapsed().as_secs_f64() * 1e6 / N as f64;
        println!(
            "{}",
            json!({"lang": "rust", "contender": "core-c-abi", "scenario": name, "calls": N, "us_per_call": us})
        );
    };
    // RSS must stay flat over many calls: read it after the first warm-up, and after both runs.
    unsafe { cookiepay_string_free(cookiepay_parse_return(body.as_ptr())) };
    let before = status_kb("VmRSS:");
    measure("parse_return", &mut || unsafe {
        cookiepay_string_free(cookiepay_parse_return(body.as_ptr()))
    });
    measure("validation_failure", &mut || unsafe {
        cookiepay_string_free(cookiepay_ready(client, invalid.as_ptr()))
    });
    println!(
        "{}",
        json!({"lang": "rust", "what": "(parse_return, validation failure) through the C ABI", "calls": N,
               "rss_kb_before": before, "rss_kb_after": status_kb("VmRSS:")})
    );
    unsafe { cookiepay_client_free(client) };
}
