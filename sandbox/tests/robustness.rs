//! The HTTP layer under bad or unusual input: never a hang, a panic or a dead server.

mod common;

use std::io::{Read, Write};
use std::time::Duration;

use common::*;
use cookiepay_sandbox::choices;
use cookiepay_sandbox::{DEMO_API_ID, DEMO_API_KEY};
use serde_json::{json, Value};

fn token_body() -> Vec<u8> {
    json!({ "pay2_id": DEMO_API_ID, "pay2_key": DEMO_API_KEY })
        .to_string()
        .into_bytes()
}

fn json_of(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(body)))
}

#[test]
fn keep_alive_serves_many_requests_on_one_connection() {
    let sb = start();
    let mut s = connect(&sb);
    for _ in 0..20 {
        send(
            &mut s,
            &raw_request(
                "POST",
                "/payAuth/token",
                &[("Content-Type", "application/json")],
                &token_body(),
            ),
        );
        let (status, head, body) = read_response(&mut s);
        assert_eq!(status, 200);
        assert!(header_value(&head, "connection").is_none(), "stays open");
        assert_eq!(json_of(&body)["RTN_CD"], "0000");
    }
}

#[test]
fn connection_close_and_http10_close_after_the_answer() {
    let sb = start();
    let mut s = connect(&sb);
    send(
        &mut s,
        &raw_request("POST", "/payAuth/token", &[("Connection", "close")], &token_body()),
    );
    let (status, head, _) = read_response(&mut s);
    assert_eq!(status, 200);
    assert_eq!(header_value(&head, "connection").as_deref(), Some("close"));
    assert!(closed_by_peer(&mut s));

    let mut s = connect(&sb);
    let body = token_body();
    let mut req = format!("POST /payAuth/token HTTP/1.0\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
    req.extend_from_slice(&body);
    send(&mut s, &req);
    let (status, _, _) = read_response(&mut s);
    assert_eq!(status, 200);
    assert!(closed_by_peer(&mut s));
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let sb = start();
    let mut s = connect(&sb);
    let mut both = raw_request("POST", "/payAuth/token", &[], &token_body());
    both.extend(raw_request("GET", "/nowhere", &[], b""));
    send(&mut s, &both);
    assert_eq!(read_response(&mut s).0, 200);
    assert_eq!(read_response(&mut s).0, 404);
}

#[test]
fn header_names_are_case_insensitive() {
    let sb = start();
    let api = Api::http(&sb);
    let (_, dd) = api.approved("CI-1");
    let token = api.token();
    let mut s = connect(&sb);
    let body = json!({ "tid": dd["TID"] }).to_string();
    send(
        &mut s,
        &raw_request(
            "POST",
            "/api/paycert",
            &[("token", &token), ("CONTENT-TYPE", "application/json")],
            body.as_bytes(),
        ),
    );
    let (_, _, b) = read_response(&mut s);
    assert_eq!(json_of(&b)["RESULTCODE"], "0000");
    let body = json!({ "API_ID": DEMO_API_ID, "ENC_DATA": "AAAA" }).to_string();
    send(
        &mut s,
        &raw_request(
            "POST",
            "/EdiAuth/cookiepay_edi_decrypt",
            &[("apikey", DEMO_API_KEY)],
            body.as_bytes(),
        ),
    );
    let (_, _, b) = read_response(&mut s);
    assert_eq!(
        json_of(&b)["RESULTCODE"],
        choices::E_DECRYPT.code,
        "apikey header recognised"
    );
}

#[test]
fn chunked_request_bodies() {
    let sb = start();
    let mut s = connect(&sb);
    let body = token_body();
    let (a, b) = body.split_at(10);
    let mut req = b"POST /payAuth/token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n".to_vec();
    req.extend(format!("{:x}\r\n", a.len()).bytes());
    req.extend_from_slice(a);
    req.extend(format!("\r\n{:X};ext=1\r\n", b.len()).bytes());
    req.extend_from_slice(b);
    req.extend_from_slice(b"\r\n0\r\n\r\n");
    send(&mut s, &req);
    let (status, _, body) = read_response(&mut s);
    assert_eq!(status, 200);
    assert_eq!(json_of(&body)["RTN_CD"], "0000");
    // Bad chunk framing → 400 and close.
    send(
        &mut s,
        b"POST /payAuth/token HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n",
    );
    let (status, _, _) = read_response(&mut s);
    assert_eq!(status, 400);
    assert!(closed_by_peer(&mut s));
}

#[test]
fn expect_100_continue_is_honoured() {
    let sb = start();
    let mut s = connect(&sb);
    let body = token_body();
    let head = format!(
        "POST /payAuth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    send(&mut s, head.as_bytes());
    let mut got = [0u8; 25];
    s.read_exact(&mut got).expect("100 Continue");
    assert_eq!(&got, b"HTTP/1.1 100 Continue\r\n\r\n");
    send(&mut s, &body);
    let (status, _, b) = read_response(&mut s);
    assert_eq!(status, 200);
    assert_eq!(json_of(&b)["RTN_CD"], "0000");

    // Too large with Expect: refused straight away, without 100 and without waiting for the body.
    let mut s = connect(&sb);
    let head = format!(
        "POST /api/paycert HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: {}\r\n\r\n",
        choices::MAX_BODY + 1
    );
    send(&mut s, head.as_bytes());
    let (status, _, b) = read_response(&mut s);
    assert_eq!(status, choices::STATUS_TOO_LARGE);
    assert_eq!(json_of(&b)["RESULTCODE"], choices::E_TOO_LARGE.code);
}

#[test]
fn oversize_bodies_get_an_error_in_the_endpoint_convention_then_close() {
    let sb = start();
    let big = vec![b'a'; choices::MAX_BODY + 1];
    for (path, key) in [
        ("/payAuth/token", "RTN_CD"),
        ("/pay/ready", "RTN_CD"),
        ("/api/paycert", "RESULTCODE"),
        ("/EdiAuth/cookiepay_edi_decrypt", "RESULTCODE"),
    ] {
        let mut s = connect(&sb);
        send(
            &mut s,
            &raw_request("POST", path, &[("Content-Type", "application/json")], &big),
        );
        let (status, head, body) = read_response(&mut s);
        assert_eq!(status, choices::STATUS_TOO_LARGE, "{path}");
        assert!(header_value(&head, "content-type")
            .expect("ct")
            .starts_with("application/json"));
        assert_eq!(json_of(&body)[key], choices::E_TOO_LARGE.code, "{path}");
        assert!(closed_by_peer(&mut s));
    }
    // Chunked over the cap too.
    let mut s = connect(&sb);
    let mut req = b"POST /payAuth/token HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..3 {
        req.extend(format!("{:x}\r\n", 30_000).bytes());
        req.extend(vec![b'a'; 30_000]);
        req.extend_from_slice(b"\r\n");
    }
    let _ = s.write_all(&req);
    let (status, _, body) = read_response(&mut s);
    assert_eq!(status, choices::STATUS_TOO_LARGE);
    assert_eq!(json_of(&body)["RTN_CD"], choices::E_TOO_LARGE.code);
    // Exactly at the cap is fine (it is just not valid JSON here).
    let mut s = connect(&sb);
    send(
        &mut s,
        &raw_request("POST", "/payAuth/token", &[], &vec![b' '; choices::MAX_BODY]),
    );
    let (status, _, body) = read_response(&mut s);
    assert_eq!(status, 200);
    assert_eq!(json_of(&body)["RTN_CD"], choices::E_MALFORMED.code);
    // Counted for stats.
    assert_eq!(Api::http(&sb).stats()["requests"]["token"]["total"], 3);
    assert_alive(&sb);
}

#[test]
fn garbage_and_malformed_http_get_400_and_close() {
    let sb = start();
    for junk in [
        &b"\x00\x01\x02\x03\xff\xfe garbage\r\n\r\n"[..],
        b"HELLO\r\n\r\n",
        b"POST /payAuth/token HTTP/9.9\r\n\r\n",
        b"POST /payAuth/token HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
        b"POST /payAuth/token HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
        b"POST /payAuth/token HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        b"POST /payAuth/token HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
        b"POST /payAuth/token HTTP/1.1\r\nBad Header Line\r\n\r\n",
    ] {
        let mut s = connect(&sb);
        send(&mut s, junk);
        let (status, _, body) = read_response(&mut s);
        assert_eq!(status, 400, "{:?}", String::from_utf8_lossy(junk));
        assert_eq!(json_of(&body)["RESULTCODE"], choices::E_MALFORMED.code);
        assert!(closed_by_peer(&mut s));
    }
    assert_alive(&sb);
}

#[test]
fn oversized_headers_get_431() {
    let sb = start();
    let mut s = connect(&sb);
    let mut req = b"POST /payAuth/token HTTP/1.1\r\n".to_vec();
    for i in 0..2000 {
        req.extend(format!("X-Filler-{i}: {}\r\n", "v".repeat(20)).bytes());
    }
    req.extend_from_slice(b"\r\n");
    let _ = s.write_all(&req);
    let (status, _, _) = read_response(&mut s);
    assert_eq!(status, choices::STATUS_HEADERS_TOO_LARGE);
    // Many small headers beyond the header-count cap.
    let mut s = connect(&sb);
    let mut req = b"POST /payAuth/token HTTP/1.1\r\n".to_vec();
    for i in 0..(choices::MAX_HEADERS + 5) {
        req.extend(format!("X-{i}: v\r\n").bytes());
    }
    req.extend_from_slice(b"\r\n");
    send(&mut s, &req);
    assert_eq!(read_response(&mut s).0, choices::STATUS_HEADERS_TOO_LARGE);
    assert_alive(&sb);
}

#[test]
fn half_requests_and_abrupt_closes_do_not_hurt() {
    let sb = start();
    // Half a head, then close.
    let mut s = connect(&sb);
    send(&mut s, b"POST /payAuth/token HTTP/1.1\r\nContent-Le");
    drop(s);
    // Full head, half the body, then close.
    let mut s = connect(&sb);
    send(
        &mut s,
        b"POST /payAuth/token HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"pay2_id\":",
    );
    drop(s);
    // A connection that stalls mid-request does not block others.
    let mut stalled = connect(&sb);
    send(
        &mut stalled,
        b"POST /payAuth/token HTTP/1.1\r\nContent-Length: 100\r\n\r\n{",
    );
    // Connect and close without a byte.
    drop(connect(&sb));
    assert_alive(&sb);
    // Close before reading the answer.
    let mut s = connect(&sb);
    send(&mut s, &raw_request("POST", "/payAuth/token", &[], &token_body()));
    drop(s);
    assert_alive(&sb);
    drop(stalled);
}

#[test]
fn bad_json_content_type_and_missing_headers_on_every_endpoint() {
    let sb = start();
    let api = Api::http(&sb);
    let token = api.token();
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        ("/payAuth/token", vec![], "RTN_CD"),
        ("/pay/ready", vec![("ApiKey", DEMO_API_KEY)], "RTN_CD"),
        (
            "/EdiAuth/cookiepay_edi_decrypt",
            vec![("ApiKey", DEMO_API_KEY)],
            "RESULTCODE",
        ),
        ("/api/paycert", vec![("TOKEN", token.as_str())], "RESULTCODE"),
    ];
    for (path, auth, key) in cases {
        let mut h = auth.clone();
        h.push(("Content-Type", "application/json"));
        for bad in [&b"{\"a\":"[..], b"", b"null", b"\"str\"", b"\xff\xfe"] {
            let (s, ct, t) = api.post_raw(path, &h, bad);
            assert_eq!(s, choices::STATUS_BAD_INPUT);
            assert_eq!(ct, "application/json; charset=utf-8");
            assert_eq!(json_of(t.as_bytes())[key], choices::E_MALFORMED.code, "{path} {bad:?}");
        }
        let mut h = auth.clone();
        h.push(("Content-Type", "text/xml"));
        let (_, _, t) = api.post_raw(path, &h, b"{}");
        assert_eq!(json_of(t.as_bytes())[key], choices::E_CONTENT_TYPE.code, "{path}");
        if path == "/pay/ready" {
            // No ApiKey: the merchant is the body's API_ID (the manual's samples send none), here missing.
            let (_, _, t) = api.post_raw(path, &[("Content-Type", "application/json")], b"{}");
            assert_eq!(json_of(t.as_bytes())[key], choices::E_REQUIRED.code, "{path}");
        } else if !auth.is_empty() {
            let (_, _, t) = api.post_raw(path, &[("Content-Type", "application/json")], b"{}");
            assert_eq!(json_of(t.as_bytes())[key], choices::E_HEADER_MISSING.code, "{path}");
        }
    }
    assert_alive(&sb);
}

#[test]
fn unknown_paths_and_wrong_methods() {
    let sb = start();
    let api = Api::http(&sb);
    let r = api.c.get(format!("{}/nowhere", api.base)).send().expect("send");
    assert_eq!(r.status().as_u16(), 404);
    assert_eq!(
        r.json::<Value>().expect("json")["RESULTCODE"],
        choices::E_NOT_FOUND.code
    );
    let r = api.c.get(format!("{}/payAuth/token", api.base)).send().expect("send");
    assert_eq!(r.status().as_u16(), 405);
    assert_eq!(r.headers().get("allow").and_then(|v| v.to_str().ok()), Some("POST"));
    assert_eq!(r.json::<Value>().expect("json")["RTN_CD"], choices::E_METHOD.code);
    let r = api.c.put(format!("{}/api/paycert", api.base)).send().expect("send");
    assert_eq!(r.status().as_u16(), 405);
    assert_eq!(r.json::<Value>().expect("json")["RESULTCODE"], choices::E_METHOD.code);
    let r = api.c.get(format!("{}/pay/window/abc", api.base)).send().expect("send");
    assert_eq!(r.status().as_u16(), 405);
    // A query string does not change the route.
    let v = api.json(
        "/payAuth/token?x=1",
        &[],
        &json!({ "pay2_id": DEMO_API_ID, "pay2_key": DEMO_API_KEY }),
    );
    assert_eq!(v["RTN_CD"], "0000");
}

#[test]
fn many_concurrent_clients() {
    let sb = start();
    let url = sb.http_url();
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let url = url.clone();
            std::thread::spawn(move || {
                let api = Api { base: url, c: client() };
                for j in 0..10 {
                    let (_, dd) = api.approved(&format!("CC-{i}-{j}"));
                    let v = api.paycert(&api.token(), dd["TID"].as_str().expect("tid"));
                    assert_eq!(v["RESULTCODE"], "0000");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("thread");
    }
    let api = Api::http(&sb);
    assert_eq!(api.stats()["requests"]["paycert"]["total"], 80);
    assert_eq!(
        api.get_json("/_sandbox/payments").1["payments"]
            .as_array()
            .expect("list")
            .len(),
        80
    );
}

#[test]
fn idle_connections_do_not_block_shutdown_or_others() {
    let sb = start();
    let idle: Vec<_> = (0..50).map(|_| connect(&sb)).collect();
    assert_alive(&sb);
    let mut s = connect(&sb);
    s.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
    send(&mut s, &raw_request("POST", "/payAuth/token", &[], &token_body()));
    assert_eq!(read_response(&mut s).0, 200);
    drop(idle);
    sb.shutdown();
}
