//! `timeout_ms` bounds a whole HTTP exchange, from connect to the last body byte: a gateway (or a
//! man in the middle) that drips its answer cannot hold a php-fpm, IIS or Tomcat worker past it.
//! The servers here are tiny loopback fakes that answer slowly on purpose.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use cookiepay::{Client, Operation};
use serde_json::{json, Value};

/// How an answer is framed.
#[derive(Clone, Copy, Debug)]
enum Framing {
    ContentLength,
    Chunked,
    CloseDelimited,
}

/// A server that answers every request after `head_delay` with a head, then drips a valid JSON body
/// one byte every `drip`.
fn dripping_server(framing: Framing, head_delay: Duration, drip: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || serve(stream, framing, head_delay, drip));
        }
    });
    url
}

fn serve(mut stream: TcpStream, framing: Framing, head_delay: Duration, drip: Duration) {
    let mut buf = [0u8; 8192];
    let _ = stream.read(&mut buf);
    std::thread::sleep(head_delay);
    // A TOKEN answer (and, for other calls, an answer without their code): valid JSON, slowly.
    let body =
        br#"{"RTN_CD":"0000","RTN_MSG":"ok","TOKEN":"a.b.c","padding":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}"#;
    let head = match framing {
        Framing::ContentLength => format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        ),
        Framing::Chunked => {
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".into()
        }
        Framing::CloseDelimited => {
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n".into()
        }
    };
    if stream.write_all(head.as_bytes()).is_err() {
        return;
    }
    for byte in body {
        let piece = match framing {
            Framing::Chunked => {
                let mut p = b"1\r\n".to_vec();
                p.push(*byte);
                p.extend_from_slice(b"\r\n");
                p
            }
            _ => vec![*byte],
        };
        if stream.write_all(&piece).is_err() {
            return;
        }
        std::thread::sleep(drip);
    }
    if let Framing::Chunked = framing {
        let _ = stream.write_all(b"0\r\n\r\n");
    }
}

fn client(url: &str, timeout_ms: u64) -> Client {
    Client::from_json(
        &json!({"base_url": url, "api_id": "sandbox_x", "api_key": "k1234567", "timeout_ms": timeout_ms,
                "connect_timeout_ms": 1000, "max_retries": 0})
        .to_string(),
    )
    .unwrap()
}

fn timed(client: &Client, op: Operation, request: Value) -> (Value, Duration) {
    let started = Instant::now();
    let out: Value = serde_json::from_str(&client.call(op, &request.to_string())).unwrap();
    (out, started.elapsed())
}

const TIMEOUT_MS: u64 = 1000;
/// Scheduling slack on a loaded 2-core machine; far below a second dripped byte's worth of overrun.
const SLACK: Duration = Duration::from_millis(400);

#[test]
fn a_dripping_body_is_cut_at_the_deadline_whatever_its_framing() {
    for framing in [Framing::Chunked, Framing::CloseDelimited, Framing::ContentLength] {
        let url = dripping_server(framing, Duration::from_millis(0), Duration::from_millis(100));
        let c = client(&url, TIMEOUT_MS);
        let (out, took) = timed(&c, Operation::Token, json!({}));
        assert_eq!(out["error"]["kind"], "timeout", "{framing:?}: {out}");
        assert!(
            took < Duration::from_millis(TIMEOUT_MS) + SLACK,
            "{framing:?} took {took:?}"
        );
    }
}

#[test]
fn a_late_head_leaves_only_the_rest_of_the_deadline_for_the_body() {
    let url = dripping_server(
        Framing::ContentLength,
        Duration::from_millis(800),
        Duration::from_millis(30),
    );
    let c = client(&url, TIMEOUT_MS);
    let (out, took) = timed(&c, Operation::Token, json!({}));
    assert_eq!(out["error"]["kind"], "timeout", "{out}");
    assert!(took < Duration::from_millis(TIMEOUT_MS) + SLACK, "took {took:?}");
}

#[test]
fn a_dripping_ready_is_outcome_unknown_within_the_deadline() {
    let url = dripping_server(Framing::Chunked, Duration::from_millis(0), Duration::from_millis(100));
    let c = client(&url, TIMEOUT_MS);
    let order = json!({"ORDERNO": "D-1", "PRODUCTNAME": "p", "AMOUNT": 1000, "BUYERNAME": "b",
                       "RETURNURL": "https://shop.example/r"});
    let (out, took) = timed(&c, Operation::Ready, order);
    assert_eq!(out["error"]["kind"], "timeout", "{out}");
    assert_eq!(out["error"]["outcome"], "unknown");
    assert!(took < Duration::from_millis(TIMEOUT_MS) + SLACK, "took {took:?}");
}

#[test]
fn a_slow_but_timely_answer_is_read_whole() {
    for framing in [Framing::Chunked, Framing::CloseDelimited, Framing::ContentLength] {
        let url = dripping_server(framing, Duration::from_millis(50), Duration::from_millis(2));
        let c = client(&url, 5000);
        let (out, _) = timed(&c, Operation::Token, json!({}));
        assert_eq!(out["data"]["TOKEN"], "a.b.c", "{framing:?}: {out}");
    }
}
