//! A gateway that lies, echoes secrets or answers oddly, and inputs that are too big: what the attack
//! review tried, through the C ABI. Each fake is a loopback server answering what a test scripts.

use std::ffi::{c_char, CStr, CString};
use std::io::Write;
use std::net::TcpListener;
use std::sync::Arc;

mod common;

use common::read_http_request;
use cookiepay::ffi::*;
use serde_json::{json, Value};

const KEY: &str = "sbxkey_\"quoted\\back+slash/and&more_0123456789abcdefgh";
const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjoieCIsImlhdCI6MSwiZXhwIjozNjAxfQ.c2lnbmF0dXJlc2lnbmF0dXJl";

type Script = dyn Fn(&str, &str) -> (u16, &'static str, String) + Send + Sync;

/// A server answering each request with `script(path, body)`, one request per connection.
fn fake_gateway(script: Arc<Script>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let script = Arc::clone(&script);
            std::thread::spawn(move || {
                let mut stream = stream;
                let Some((head, body)) = read_http_request(&mut stream) else {
                    return;
                };
                let body = String::from_utf8_lossy(&body).into_owned();
                let path = head.split_whitespace().nth(1).unwrap_or("").to_owned();
                let (status, content_type, answer) = script(&path, &body);
                let reply = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                );
                let _ = stream.write_all(reply.as_bytes());
            });
        }
    });
    url
}

fn token_answer() -> String {
    json!({"RTN_CD": "0000", "RTN_MSG": "성공", "TOKEN": TOKEN}).to_string()
}

/// Token works; paycert answers `paycert`.
fn paycert_gateway(paycert: Value) -> String {
    fake_gateway(Arc::new(move |path, _| match path {
        "/payAuth/token" => (200, "application/json", token_answer()),
        _ => (200, "application/json", paycert.to_string()),
    }))
}

struct Client(*mut cookiepay_client);

impl Drop for Client {
    fn drop(&mut self) {
        unsafe { cookiepay_client_free(self.0) };
    }
}

fn client(url: &str) -> Client {
    let config = CString::new(
        json!({"base_url": url, "api_id": "sandbox_x", "api_key": KEY, "max_retries": 0, "timeout_ms": 3000})
            .to_string(),
    )
    .unwrap();
    let mut error = std::ptr::null_mut();
    let handle = unsafe { cookiepay_client_new(config.as_ptr(), &mut error) };
    assert!(!handle.is_null(), "{}", unsafe { take(error) });
    Client(handle)
}

unsafe fn take(out: *mut c_char) -> String {
    let text = CStr::from_ptr(out).to_str().unwrap().to_owned();
    cookiepay_string_free(out);
    text
}

fn call(f: unsafe extern "C" fn(*mut cookiepay_client, *const c_char) -> *mut c_char, c: &Client, req: Value) -> Value {
    let req = CString::new(req.to_string()).unwrap();
    let text = unsafe { take(f(c.0, req.as_ptr())) };
    assert!(!text.contains("0123456789abcdefgh"), "the key leaked: {text}");
    assert!(!text.contains("c2lnbmF0dXJl"), "the TOKEN leaked: {text}");
    serde_json::from_str(&text).unwrap()
}

fn payment(tid: &str) -> Value {
    json!({"RESULTCODE": "0000", "RESULTMSG": "성공", "TID": tid, "ORDERNO": "A1", "AMOUNT": "1000",
           "CANCELDATE": "", "CANCELMSG": ""})
}

fn verify(c: &Client) -> Value {
    call(
        cookiepay_verify,
        c,
        json!({"tid": "T1", "expected": {"ORDERNO": "A1", "AMOUNT": 1000}}),
    )
}

#[test]
fn a_lying_paycert_never_verifies() {
    assert_eq!(
        verify(&client(&paycert_gateway(payment("T1"))))["ok"],
        true,
        "the honest answer verifies"
    );

    let other = verify(&client(&paycert_gateway(payment("T2"))));
    assert_eq!(other["error"]["kind"], "verification_failed", "{other}");
    assert_eq!(other["error"]["mismatches"][0]["field"], "TID");

    for code in [json!(" 0000 "), json!(0), json!("0000 ")] {
        let mut p = payment("T1");
        p["RESULTCODE"] = code.clone();
        let out = verify(&client(&paycert_gateway(p)));
        assert_eq!(out["error"]["kind"], "api", "{code}: {out}");
    }
    for (field, value) in [
        ("CANCEL_DATE", "20261127"),
        ("CANCELMSG", "취소"),
        ("CANCEL_MSG", "취소"),
    ] {
        let mut p = payment("T1");
        p[field] = json!(value);
        let out = verify(&client(&paycert_gateway(p)));
        assert_eq!(out["error"]["kind"], "verification_failed", "{field}: {out}");
    }
    let zero = call(
        cookiepay_verify,
        &client(&paycert_gateway(payment("T1"))),
        json!({"tid": "T1", "expected": {"ORDERNO": "A1", "AMOUNT": 0}}),
    );
    assert_eq!(zero["error"]["kind"], "validation", "{zero}");
}

#[test]
fn an_echoing_gateway_never_carries_the_secrets_out() {
    // A WAF page that quotes the request: the key raw, JSON-escaped and URL-encoded, cut anywhere.
    let url = fake_gateway(Arc::new(|path, body| match path {
        "/payAuth/token" => (200, "application/json", token_answer()),
        _ => {
            let key_url: String = form_urlencoded::byte_serialize(KEY.as_bytes()).collect();
            let page = format!(
                "<html>blocked: {} {} {} {body}</html>",
                &KEY[..21],
                serde_json::to_string(KEY).unwrap(),
                key_url
            );
            (403, "text/html", format!("{KEY}{page}"))
        }
    }));
    let c = client(&url);
    for f in [cookiepay_paycert, cookiepay_decrypt] {
        let out = call(f, &c, json!({"tid": "T1", "ENC_DATA": "abc"}));
        assert_eq!(out["error"]["kind"], "http", "{out}");
        let text = out.to_string();
        assert!(!text.contains("sbxkey_"), "a piece of the key survived: {text}");
    }
    // The same page quoting a sign-up's body: the card never comes back in the error.
    let signup = json!({"ORDERNO": "A1", "PRODUCTNAME": "p", "AMOUNT": 1000, "BUYERNAME": "b",
                        "CARDNO": "4111-1111-1111-1111", "EXPIREDT": "3012", "CARDAUTH": "900101", "CARDPWD": "12"});
    let out = call(cookiepay_billkeygen, &c, signup).to_string();
    assert!(out.contains("\"http\""), "{out}");
    for card in ["4111111111111111", "4111-1111-1111-1111", "900101"] {
        assert!(!out.contains(card), "{card} came back: {out}");
    }
}

#[test]
fn an_error_page_echoing_the_key_case_changed_or_encoded_never_carries_it_out() {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    use base64::Engine;
    let hex: String = KEY.bytes().map(|b| format!("{b:02x}")).collect();
    let echoes: Vec<String> = vec![
        KEY.to_ascii_uppercase(),
        KEY.to_ascii_lowercase(),
        STANDARD.encode(KEY),
        URL_SAFE_NO_PAD.encode(KEY),
        // A debug dump of the request's header block, at an alignment of its own.
        STANDARD.encode(format!("ApiKey: {KEY}\r\nTOKEN: {TOKEN}\r\n")),
        hex.clone(),
        hex.to_ascii_uppercase(),
        TOKEN.to_ascii_uppercase(),
    ];
    // Each echo opens its own page, so it is inside the 200-character excerpt.
    let pages = echoes.clone();
    let url = fake_gateway(Arc::new(move |path, body| match path {
        "/payAuth/token" => (200, "application/json", token_answer()),
        "/api/paycert" => (200, "application/json", payment("T1").to_string()),
        _ => {
            let n: usize = serde_json::from_str::<Value>(body).unwrap()["ENC_DATA"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
            (500, "text/html", format!("{} <- rejected", pages[n]))
        }
    }));
    let c = client(&url);
    ok_token(&c);
    for (n, echo) in echoes.iter().enumerate() {
        let out = call(cookiepay_decrypt, &c, json!({"ENC_DATA": n.to_string()}));
        assert_eq!(out["error"]["kind"], "http", "{out}");
        let excerpt = out["error"]["excerpt"].as_str().unwrap();
        // What is left is the page and, for the header block, the encoding of its names and line
        // ends and the characters that mix them with a secret's bits: never a piece of a secret.
        let left = excerpt.replace("[REDACTED]", "").replace(" <- rejected", "");
        let most = if n == 4 { 32 } else { 4 };
        assert!(left.len() <= most, "echo {n}: {echo} -> {excerpt}");
        if n != 4 {
            // No 12 characters of the echo survive anywhere, whatever their case.
            let text = out.to_string().to_ascii_lowercase();
            let echo = echo.to_ascii_lowercase();
            for start in 0..echo.len().saturating_sub(12) {
                let piece = &echo[start..start + 12];
                assert!(!text.contains(piece), "{piece:?} of echo {n} came out: {text}");
            }
        }
    }
}

/// A TOKEN in the cache (decrypt sends none), so the client scrubs it from errors too.
fn ok_token(c: &Client) {
    assert_eq!(call(cookiepay_paycert, c, json!({"tid": "T1"}))["ok"], true);
}

#[test]
fn odd_answers_to_ready_and_token_are_errors_not_windows() {
    let order = json!({"ORDERNO": "A1", "PRODUCTNAME": "p", "AMOUNT": 1000, "BUYERNAME": "b",
                       "RETURNURL": "https://shop.example/r"});
    for (content_type, body, kind) in [
        ("text/html", "<html><h1>점검 중입니다 (maintenance)</h1></html>", "http"),
        ("application/json", "{\"RTN_CD\":", "decode"),
        ("text/html", "", "http"),
    ] {
        let url = fake_gateway(Arc::new(move |_, _| (200, content_type, body.to_owned())));
        let out = call(cookiepay_ready, &client(&url), order.clone());
        assert_eq!(out["error"]["kind"], kind, "{body}: {out}");
        assert_eq!(out["error"]["outcome"], "unknown", "{body}: the ORDERNO may be used up");
    }
    let window = fake_gateway(Arc::new(|_, _| {
        (200, "text/html", "<html><form action=/pay>카드</form></html>".into())
    }));
    assert_eq!(call(cookiepay_ready, &client(&window), order)["ok"], true);

    // A TOKEN no header can carry is an unreadable answer, and it is not cached: asked again next time.
    let asked = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = Arc::clone(&asked);
    let url = fake_gateway(Arc::new(move |_, _| {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        (
            200,
            "application/json",
            json!({"RTN_CD": "0000", "TOKEN": "abc\r\nX-Injected: 1"}).to_string(),
        )
    }));
    let c = client(&url);
    for _ in 0..2 {
        assert_eq!(call(cookiepay_token, &c, json!({}))["error"]["kind"], "decode");
    }
    assert_eq!(asked.load(std::sync::atomic::Ordering::SeqCst), 2);

    // A TOKEN claiming to live forever is used, not an overflow.
    let forever = format!(
        "eyJhbGciOiJIUzI1NiJ9.{}.sig",
        base64_url(&format!(r#"{{"iat":1,"exp":{}}}"#, u64::MAX))
    );
    let url = fake_gateway(Arc::new(move |path, _| match path {
        "/payAuth/token" => (
            200,
            "application/json",
            json!({"RTN_CD": "0000", "TOKEN": forever}).to_string(),
        ),
        _ => (200, "application/json", payment("T1").to_string()),
    }));
    assert_eq!(verify(&client(&url))["ok"], true);
}

fn base64_url(text: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[test]
fn configs_that_would_fail_later_are_refused_now() {
    for config in [
        json!({"base_url": "http://127.0.0.1:9", "api_id": "a", "api_key": "bbbb", "timout_ms": 1000}),
        json!({"base_url": "http://127.0.0.1:9", "api_id": "a", "api_key": "bbbb", "ca_cert": "x"}),
        json!({"base_url": "http://127.0.0.1:9\r\nX: y", "api_id": "a", "api_key": "bbbb"}),
        json!({"base_url": "http://www.cookiepayments.com", "api_id": "a", "api_key": "bbbb"}),
        json!({"base_url": "https:///", "api_id": "a", "api_key": "bbbb"}),
    ] {
        let text = CString::new(config.to_string()).unwrap();
        let mut error = std::ptr::null_mut();
        let handle = unsafe { cookiepay_client_new(text.as_ptr(), &mut error) };
        assert!(handle.is_null(), "{config} accepted");
        let error: Value = serde_json::from_str(&unsafe { take(error) }).unwrap();
        assert_eq!(error["error"]["kind"], "validation", "{config}");
    }
}

#[test]
fn big_inputs_are_refused_before_any_work() {
    let asked = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = Arc::clone(&asked);
    let url = fake_gateway(Arc::new(move |_, _| {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        (200, "application/json", token_answer())
    }));
    let c = client(&url);
    let big_field = json!({"ORDERNO": "A1", "PRODUCTNAME": "p", "AMOUNT": 1000, "BUYERNAME": "b",
                           "RETURNURL": "https://shop.example/r", "X_HUGE": "x".repeat(2 * 1024 * 1024)});
    assert_eq!(
        call(cookiepay_ready, &c, big_field)["error"]["kind"],
        "invalid_argument"
    );
    let big_enc = json!({"ENC_DATA": "A".repeat(100 * 1024)});
    assert_eq!(call(cookiepay_decrypt, &c, big_enc)["error"]["kind"], "validation");
    assert_eq!(asked.load(std::sync::atomic::Ordering::SeqCst), 0, "something was sent");

    let big_post = format!("RESULTCODE=0000&ENC_DATA={}", "A".repeat(100 * 1024));
    let out: Value = serde_json::from_str(&cookiepay::parse_return_envelope(big_post.as_bytes())).unwrap();
    assert_eq!(out["error"]["kind"], "invalid_argument");
    let big_noti = format!(r#"{{"TID":"T1","X":"{}"}}"#, "x".repeat(100 * 1024));
    let out: Value = serde_json::from_str(&cookiepay::parse_noti_envelope(big_noti.as_bytes())).unwrap();
    assert_eq!(out["error"]["kind"], "invalid_argument");
}
