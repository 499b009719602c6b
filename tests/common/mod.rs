//! Shared by the integration tests: a sandbox per test, clients built through the same JSON entry
//! point the C ABI uses, and a tiny "browser" that fills in the sandbox's payment window.
#![allow(dead_code)]

use std::time::Duration;

use cookiepay::{Client, Operation};
use cookiepay_sandbox::{Merchant, Options, Sandbox, DEMO_API_ID, DEMO_API_KEY};
use serde_json::{json, Value};

/// Test cards of the sandbox (sandbox/README.md).
pub const CARD_OK: &str = "4111111111111111";
pub const CARD_LIMIT: &str = "4000000000009995";

pub fn sandbox() -> Sandbox {
    sandbox_with(Options::default())
}

/// Starts a sandbox whose clock is pinned to the suite's date (`cookiepay_sandbox::test_clock_start`)
/// unless `opts` sets one.
pub fn sandbox_with(mut opts: Options) -> Sandbox {
    opts.clock_start.get_or_insert_with(cookiepay_sandbox::test_clock_start);
    Sandbox::start(opts).expect("sandbox starts")
}

pub fn second_merchant() -> Merchant {
    Merchant {
        api_id: "sandbox_second".into(),
        api_key: "S".repeat(25) + &"k".repeat(25),
    }
}

/// Options with the demo merchant plus a second one.
pub fn two_merchants() -> Options {
    Options {
        merchants: vec![
            Merchant {
                api_id: DEMO_API_ID.into(),
                api_key: DEMO_API_KEY.into(),
            },
            second_merchant(),
        ],
        ..Options::default()
    }
}

pub fn config(url: &str, extra: Value) -> String {
    let mut c = json!({
        "base_url": url, "api_id": DEMO_API_ID, "api_key": DEMO_API_KEY,
        "connect_timeout_ms": 2000, "timeout_ms": 5000, "retry_base_delay_ms": 10, "retry_max_delay_ms": 50,
        "binding": "rust-tests/1"
    });
    for (k, v) in extra.as_object().unwrap() {
        c[k] = v.clone();
    }
    c.to_string()
}

pub fn client(sb: &Sandbox) -> Client {
    Client::from_json(&config(&sb.http_url(), json!({}))).expect("client config is valid")
}

pub fn client_with(sb: &Sandbox, extra: Value) -> Client {
    Client::from_json(&config(&sb.http_url(), extra)).expect("client config is valid")
}

/// One call through the string API, the envelope parsed back.
pub fn call(client: &Client, op: Operation, request: Value) -> Value {
    let out = client.call(op, &request.to_string());
    serde_json::from_str(&out).expect("every answer is JSON")
}

pub fn ok(envelope: Value) -> Value {
    assert_eq!(envelope["ok"], true, "expected success, got {envelope:#}");
    envelope["data"].clone()
}

pub fn err(envelope: Value, kind: &str) -> Value {
    assert_eq!(envelope["ok"], false, "expected a {kind} error, got {envelope:#}");
    assert_eq!(envelope["error"]["kind"], kind, "wrong kind in {envelope:#}");
    envelope["error"].clone()
}

pub fn unique_order() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "T{}-{}-{}",
        std::process::id(),
        nanos % 1_000_000_000,
        N.fetch_add(1, Ordering::Relaxed)
    )
}

pub fn order(amount: u64) -> Value {
    json!({
        "ORDERNO": unique_order(), "PRODUCTNAME": "쿠키 정기구독 🍪", "AMOUNT": amount, "BUYERNAME": "홍길동",
        "BUYEREMAIL": "buyer@example.com", "BUYERPHONE": "010-1234-5678", "BUYERID": "guest",
        "RETURNURL": "http://127.0.0.1:9/return", "ETC1": "메모 ✓ 😀", "PRODUCTCODE": "SUB1"
    })
}

// ---- a minimal browser ----

pub fn html_unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let Some(end) = end else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ if entity.starts_with("#x") || entity.starts_with("#X") => {
                u32::from_str_radix(&entity[2..], 16).ok().and_then(char::from_u32)
            }
            _ if entity.starts_with('#') => entity[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The value of attribute `name` inside one tag's text.
fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!("{name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')? + start;
    Some(html_unescape(&tag[start..end]))
}

/// The form with this id: its action and its inputs' (name, value) pairs in order.
pub fn form(html: &str, id: &str) -> (String, Vec<(String, String)>) {
    let marker = format!("id=\"{id}\"");
    let at = html.find(&marker).unwrap_or_else(|| panic!("no form {id} in {html}"));
    let open = html[..at].rfind("<form").expect("form tag");
    let close = html[open..].find("</form>").map(|i| open + i).expect("closed form");
    let tag_end = html[open..].find('>').unwrap() + open;
    let action = attr(&html[open..tag_end], "action").expect("form action");
    let mut inputs = Vec::new();
    let mut pos = open;
    while let Some(i) = html[pos..close].find("<input") {
        let start = pos + i;
        let end = html[start..].find('>').unwrap() + start;
        let tag = &html[start..end];
        if let Some(name) = attr(tag, "name") {
            inputs.push((name, attr(tag, "value").unwrap_or_default()));
        }
        pos = end;
    }
    (action, inputs)
}

pub struct Card<'a> {
    pub number: &'a str,
    pub expiry: &'a str,
    pub birth: &'a str,
    pub password: &'a str,
}

pub fn card(number: &str) -> Card<'_> {
    Card {
        number,
        expiry: "3012",
        birth: "900101",
        password: "12",
    }
}

/// What the browser does between `ready` and the merchant's RETURNURL: fill in the window and submit
/// it; returns the raw form body the browser would post to RETURNURL.
pub fn pay_in_window(base_url: &str, ca_pem: Option<&str>, window_html: &str, card: &Card) -> String {
    let (action, mut inputs) = form(window_html, "cookiepay-window");
    for (name, value) in inputs.iter_mut() {
        match name.as_str() {
            "CARDNO" => *value = card.number.into(),
            "EXPIREDT" => *value = card.expiry.into(),
            "CARDAUTH" => *value = card.birth.into(),
            "CARDPWD" => *value = card.password.into(),
            _ => {}
        }
    }
    for field in ["CARDNO", "EXPIREDT", "CARDAUTH", "CARDPWD"] {
        assert!(inputs.iter().any(|(n, _)| n == field), "window has no {field} input");
    }
    if !inputs.iter().any(|(n, _)| n == "QUOTA") {
        inputs.push(("QUOTA".into(), "00".into()));
    }
    let url = if action.starts_with("http") {
        action
    } else {
        format!("{base_url}{action}")
    };
    let mut builder = reqwest::blocking::Client::builder().timeout(Duration::from_secs(10));
    if let Some(pem) = ca_pem {
        builder = builder.add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap());
    }
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(inputs.iter())
        .finish();
    let answer = builder
        .build()
        .unwrap()
        .post(url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .expect("window submit")
        .text()
        .unwrap();
    let (_return_url, fields) = form(&answer, "cookiepay-return");
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields.iter())
        .finish()
}

pub struct Paid {
    pub tid: String,
    pub orderno: String,
    pub amount: u64,
    pub payment: Value,
}

/// ready → window → return post → parse_return → decrypt, through `client`.
pub fn pay(sb: &Sandbox, client: &Client, amount: u64) -> Paid {
    let request = order(amount);
    let orderno = request["ORDERNO"].as_str().unwrap().to_owned();
    let window = ok(call(client, Operation::Ready, request));
    let body = pay_in_window(&sb.http_url(), None, window["html"].as_str().unwrap(), &card(CARD_OK));
    let parsed = ok(serde_json::from_str(&cookiepay::parse_return_envelope(body.as_bytes())).unwrap());
    let payment = ok(call(
        client,
        Operation::Decrypt,
        json!({"ENC_DATA": parsed["ENC_DATA"]}),
    ));
    Paid {
        tid: payment["TID"].as_str().unwrap().to_owned(),
        orderno,
        amount,
        payment,
    }
}

/// A control call to the sandbox's /_sandbox/ API.
pub fn control(sb: &Sandbox, path: &str, body: Option<Value>) -> Value {
    let http = reqwest::blocking::Client::new();
    let url = format!("{}/_sandbox/{path}", sb.http_url());
    let req = match body {
        Some(b) => http
            .post(url)
            .header("Content-Type", "application/json")
            .body(b.to_string()),
        None => http.get(url),
    };
    let resp = req.send().expect("control call");
    assert!(resp.status().is_success(), "control {path} failed: {}", resp.status());
    serde_json::from_str(&resp.text().expect("control body")).expect("control answers JSON")
}

pub fn fault(sb: &Sandbox, endpoint: &str, mode: &str, count: u32, extra: Value) {
    let mut body = json!({"endpoint": endpoint, "mode": mode, "count": count});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    control(sb, "faults", Some(body));
}

pub fn count(sb: &Sandbox, endpoint: &str) -> u64 {
    control(sb, "stats", None)["requests"][endpoint]["total"]
        .as_u64()
        .unwrap_or(0)
}

/// One HTTP/1.1 request read off a stream (Content-Length bodies only, as the library sends):
/// its head (request line and headers) and its body; None if the peer closed first. For the small
/// loopback fakes the tests run (a 통지 URL, a proxy, a hostile gateway).
pub fn read_http_request(stream: &mut impl std::io::Read) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = stream.read(&mut chunk).unwrap_or(0);
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
        let len: usize = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().to_owned())
            })
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if buf.len() >= end + 4 + len {
            return Some((head, buf[end + 4..end + 4 + len].to_vec()));
        }
    }
}
