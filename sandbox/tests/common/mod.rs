//! Helpers shared by the integration tests: a blocking client, a tiny HTML form reader and raw
//! socket helpers. Every test starts its own sandbox on an ephemeral port.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use cookiepay_sandbox::{Merchant, Options, Sandbox, DEMO_API_ID, DEMO_API_KEY};
use serde_json::{json, Value};

pub const FUTURE_EXPIRY: &str = "3912";
pub const BIRTH: &str = "900101";

/// Options with the clock pinned to the suite's date (`cookiepay_sandbox::test_clock_start`).
pub fn pinned() -> Options {
    Options {
        clock_start: Some(cookiepay_sandbox::test_clock_start()),
        ..Options::default()
    }
}

pub fn start() -> Sandbox {
    Sandbox::start(pinned()).expect("sandbox starts")
}

pub fn start_with(f: impl FnOnce(&mut Options)) -> Sandbox {
    let mut o = pinned();
    f(&mut o);
    Sandbox::start(o).expect("sandbox starts")
}

pub fn other_merchant() -> Merchant {
    Merchant {
        api_id: "sandbox_other02".into(),
        api_key: "otherkey_".to_string() + &"k".repeat(41),
    }
}

pub fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

pub fn tls_client(ca_pem: &str) -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .no_proxy()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem.as_bytes()).expect("pem"))
        .timeout(Duration::from_secs(20))
        .build()
        .expect("tls client")
}

/// One sandbox URL plus the client to reach it (HTTP or HTTPS).
pub struct Api {
    pub base: String,
    pub c: reqwest::blocking::Client,
}

impl Api {
    pub fn http(sb: &Sandbox) -> Api {
        Api {
            base: sb.http_url(),
            c: client(),
        }
    }

    pub fn post_json(&self, path: &str, headers: &[(&str, &str)], body: &Value) -> (u16, String, String) {
        let mut rb = self.c.post(format!("{}{}", self.base, path)).json(body);
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        let r = rb.send().expect("request");
        let status = r.status().as_u16();
        let ct = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (status, ct, r.text().expect("body"))
    }

    pub fn post_raw(&self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, String, String) {
        let mut rb = self.c.post(format!("{}{}", self.base, path)).body(body.to_vec());
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        let r = rb.send().expect("request");
        let status = r.status().as_u16();
        let ct = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (status, ct, r.text().expect("body"))
    }

    pub fn json(&self, path: &str, headers: &[(&str, &str)], body: &Value) -> Value {
        let (_, _, text) = self.post_json(path, headers, body);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} answered non-JSON ({e}): {text}"))
    }

    pub fn get_json(&self, path: &str) -> (u16, Value) {
        let r = self.c.get(format!("{}{}", self.base, path)).send().expect("request");
        let s = r.status().as_u16();
        let t = r.text().expect("body");
        (
            s,
            serde_json::from_str(&t).unwrap_or_else(|e| panic!("{path}: non-JSON ({e}): {t}")),
        )
    }

    pub fn token_for(&self, id: &str, key: &str) -> String {
        let v = self.json("/payAuth/token", &[], &json!({ "pay2_id": id, "pay2_key": key }));
        assert_eq!(v["RTN_CD"], "0000", "token: {v}");
        v["TOKEN"].as_str().expect("TOKEN").to_string()
    }

    pub fn token(&self) -> String {
        self.token_for(DEMO_API_ID, DEMO_API_KEY)
    }

    /// /pay/ready with valid demo fields, `extra` overriding or adding fields. Returns the body.
    pub fn ready_as(&self, key: &str, api_id: &str, extra: Value) -> (u16, String, String) {
        let mut body = ready_body(api_id);
        if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
            for (k, v) in e {
                if v.is_null() {
                    b.remove(&k);
                } else {
                    b.insert(k, v);
                }
            }
        }
        self.post_json("/pay/ready", &[("ApiKey", key)], &body)
    }

    pub fn ready(&self, extra: Value) -> (u16, String, String) {
        self.ready_as(DEMO_API_KEY, DEMO_API_ID, extra)
    }

    /// A ready answer that must be the payment window.
    pub fn window(&self, extra: Value) -> String {
        let (s, ct, body) = self.ready(extra);
        assert_eq!(s, 200);
        assert!(ct.starts_with("text/html"), "window content type {ct}: {body}");
        body
    }

    /// Submit the window's form like a browser; returns (status, html).
    pub fn submit_window(&self, window_html: &str, card: &[(&str, &str)]) -> (u16, String) {
        let form = parse_form(window_html, "cookiepay-window").expect("window form");
        for (name, _) in card {
            assert!(form.names.iter().any(|n| n == name), "window form has no input {name}");
        }
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in card {
            ser.append_pair(k, v);
        }
        let r = self
            .c
            .post(form.action.clone())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(ser.finish())
            .send()
            .expect("submit");
        let s = r.status().as_u16();
        (s, r.text().expect("body"))
    }

    pub fn decrypt_as(&self, key: &str, api_id: &str, enc: &str) -> Value {
        self.json(
            "/EdiAuth/cookiepay_edi_decrypt",
            &[("ApiKey", key)],
            &json!({ "API_ID": api_id, "ENC_DATA": enc }),
        )
    }

    pub fn decrypt(&self, enc: &str) -> Value {
        self.decrypt_as(DEMO_API_KEY, DEMO_API_ID, enc)
    }

    pub fn paycert(&self, token: &str, tid: &str) -> Value {
        self.json("/api/paycert", &[("TOKEN", token)], &json!({ "tid": tid }))
    }

    /// ready → window → return form fields, with the given card.
    pub fn pay(&self, orderno: &str, card: &[(&str, &str)]) -> ReturnForm {
        let html = self.window(json!({ "ORDERNO": orderno }));
        let (s, ret) = self.submit_window(&html, card);
        assert_eq!(s, 200, "{ret}");
        return_form(&ret)
    }

    /// An approved payment with the 신한 test card: (return form, decryptData).
    pub fn approved(&self, orderno: &str) -> (ReturnForm, Value) {
        let rf = self.pay(orderno, &card("4111111111111111"));
        assert_eq!(rf.field("RESULTCODE"), "0000");
        let d = self.decrypt(rf.field("ENC_DATA"));
        assert_eq!(d["RESULTCODE"], "0000", "{d}");
        (rf, d["decryptData"].clone())
    }

    pub fn stats(&self) -> Value {
        let (s, v) = self.get_json("/_sandbox/stats");
        assert_eq!(s, 200);
        v
    }

    pub fn fault(&self, spec: Value) {
        let (s, _, t) = self.post_json("/_sandbox/faults", &[], &spec);
        assert_eq!(s, 200, "{t}");
    }
}

pub fn ready_body(api_id: &str) -> Value {
    json!({
        "API_ID": api_id,
        "ORDERNO": "ORD-1",
        "PRODUCTNAME": "정기구독 1개월",
        "AMOUNT": "1004",
        "BUYERNAME": "홍길동",
        "BUYEREMAIL": "buyer@example.com",
        "PRODUCTCODE": "SUB1",
        "BUYERID": "guest",
        "RETURNURL": "https://shop.example/cookiepay/return",
        "ETC1": "e1", "ETC2": "e2", "ETC3": "e3", "ETC4": "e4", "ETC5": "e5"
    })
}

pub fn card(number: &str) -> Vec<(&str, &str)> {
    vec![
        ("CARDNO", number),
        ("EXPIREDT", FUTURE_EXPIRY),
        ("CARDAUTH", BIRTH),
        ("CARDPWD", "12"),
        ("QUOTA", "00"),
    ]
}

pub fn html_unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let pat = format!(" {name}=\"");
    let start = tag.find(&pat)? + pat.len();
    let end = tag[start..].find('"')? + start;
    Some(html_unescape(&tag[start..end]))
}

pub struct Form {
    pub action: String,
    pub method: String,
    /// Names of input and select elements, in order.
    pub names: Vec<String>,
    /// name → value of inputs that have a value attribute.
    pub values: Vec<(String, String)>,
}

/// Finds `<form id="ID" ...>` and reads its action and controls. Asserts the id appears once.
pub fn parse_form(html: &str, id: &str) -> Option<Form> {
    let marker = format!("<form id=\"{id}\"");
    assert!(html.matches(&marker).count() <= 1, "form {id} appears more than once");
    let start = html.find(&marker)?;
    let end = html[start..].find("</form>")? + start;
    let form_html = &html[start..end];
    let open_end = form_html.find('>')?;
    let open = &form_html[..open_end];
    let mut names = Vec::new();
    let mut values = Vec::new();
    let mut rest = &form_html[open_end..];
    while let Some(p) = rest.find('<') {
        rest = &rest[p..];
        let close = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..close];
        if tag.starts_with("<input") || tag.starts_with("<select") {
            if let Some(n) = attr(tag, "name") {
                if let Some(v) = attr(tag, "value") {
                    values.push((n.clone(), v));
                }
                names.push(n);
            }
        }
        rest = &rest[close.min(rest.len())..];
        if rest.len() <= 1 {
            break;
        }
        rest = &rest[1..];
    }
    Some(Form {
        action: attr(open, "action")?,
        method: attr(open, "method")?,
        names,
        values,
    })
}

pub struct ReturnForm {
    pub action: String,
    pub fields: Vec<(String, String)>,
}

impl ReturnForm {
    pub fn field(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {name}"))
    }
}

pub fn return_form(html: &str) -> ReturnForm {
    let f = parse_form(html, "cookiepay-return").unwrap_or_else(|| panic!("no return form in {html}"));
    assert_eq!(f.method, "post");
    assert!(
        html.contains("document.getElementById(\"cookiepay-return\").submit()"),
        "auto-submit script"
    );
    ReturnForm {
        action: f.action,
        fields: f.values,
    }
}

// ---------------------------------------------------------------- raw sockets

pub fn connect(sb: &Sandbox) -> TcpStream {
    let s = TcpStream::connect(sb.http_addr()).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    s
}

/// Reads one HTTP response (head + Content-Length body) without reading past it, so pipelined
/// responses stay in the socket. Returns (status, head, body).
pub fn read_response(s: &mut TcpStream) -> (u16, String, Vec<u8>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = s.read(&mut byte).expect("read head");
        assert!(
            n > 0,
            "connection closed before a full head: {:?}",
            String::from_utf8_lossy(&head)
        );
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_string();
    let status: u16 = head.split(' ').nth(1).and_then(|x| x.parse().ok()).expect("status");
    let cl = header_value(&head, "content-length")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; cl];
    s.read_exact(&mut body).expect("read body");
    (status, head, body)
}

pub fn header_value(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_string())
    })
}

/// True when the peer closed (EOF or reset) within the read timeout.
pub fn closed_by_peer(s: &mut TcpStream) -> bool {
    let mut b = [0u8; 1024];
    loop {
        match s.read(&mut b) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

pub fn raw_request(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        r.push_str(&format!("{k}: {v}\r\n"));
    }
    r.push_str("\r\n");
    let mut out = r.into_bytes();
    out.extend_from_slice(body);
    out
}

pub fn send(s: &mut TcpStream, bytes: &[u8]) {
    s.write_all(bytes).expect("write");
}

/// The sandbox still answers a normal request after whatever a test did to it.
pub fn assert_alive(sb: &Sandbox) {
    let api = Api::http(sb);
    let t = api.token();
    assert!(!t.is_empty());
}

// ---------------------------------------------------------------- 정기결제 helpers

impl Api {
    pub fn get_text(&self, path: &str) -> (u16, String) {
        let r = self.c.get(format!("{}{}", self.base, path)).send().expect("request");
        let s = r.status().as_u16();
        (s, r.text().expect("body"))
    }

    /// ApiKey + TOKEN headers of the demo merchant, with a fresh token.
    pub fn subscribe_json(&self, path: &str, body: &Value) -> Value {
        let t = self.token();
        self.json(path, &[("ApiKey", DEMO_API_KEY), ("TOKEN", &t)], body)
    }

    /// billkeygen with valid demo fields (plaintext reply), `extra` overriding (null removes).
    pub fn billkeygen(&self, extra: Value) -> Value {
        let mut body = billkeygen_body();
        if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
            for (k, v) in e {
                if v.is_null() {
                    b.remove(&k);
                } else {
                    b.insert(k, v);
                }
            }
        }
        self.subscribe_json("/Subscribe/billkeygen", &body)
    }

    /// `/_sandbox/clock` forward by whole days; returns the answer.
    pub fn advance_days(&self, days: u64) -> Value {
        let (s, _, t) = self.post_json("/_sandbox/clock", &[], &json!({ "advance_days": days }));
        assert_eq!(s, 200, "{t}");
        serde_json::from_str(&t).expect("json")
    }

    /// The sandbox clock's date, (year, month, day).
    pub fn today(&self) -> (i64, u32, u32) {
        let (_, v) = self.get_json("/_sandbox/clock");
        let now = v["now"].as_str().expect("now");
        (
            now[..4].parse().unwrap(),
            now[5..7].parse().unwrap(),
            now[8..10].parse().unwrap(),
        )
    }

    pub fn subscription(&self, reserve_id: &str) -> Value {
        let (_, v) = self.get_json("/_sandbox/subscriptions");
        v["subscriptions"]
            .as_array()
            .expect("list")
            .iter()
            .find(|s| s["RESERVE_ID"] == reserve_id)
            .cloned()
            .unwrap_or_else(|| panic!("no subscription {reserve_id} in {v}"))
    }
}

pub fn billkeygen_body() -> Value {
    json!({
        "API_ID": DEMO_API_ID,
        "ORDERNO": "SUB-1",
        "PRODUCTNAME": "정기구독 1개월",
        "AMOUNT": "9900",
        "BUYERNAME": "홍길동",
        "BUYEREMAIL": "buyer@example.com",
        "BUYERID": "guest",
        "BUYERADDRESS": "서울",
        "BUYERPHONE": "01012345678",
        "PRODUCTCODE": "SUB1",
        "ETC1": "e1", "ETC2": "e2", "ETC3": "e3", "ETC4": "e4", "ETC5": "e5",
        "CARDNO": "4111111111111111",
        "EXPIREDT": FUTURE_EXPIRY,
        "CARDAUTH": BIRTH,
        "CARDPWD": "12",
        "QUOTA": "00",
        "ENC_YN": "N"
    })
}

/// A monthly schedule on `pay_day`, cycles START..=LAST (0 = no end).
pub fn monthly(pay_day: &str, start: &str, last: &str) -> Value {
    json!({ "RECURRENCE_PAY": "Y", "RECURRENCE_TYPE": "M", "PAY_DAY": pay_day, "START_PAY_CNT": start, "LAST_PAY_CNT": last })
}

pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date.
pub fn day_number(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

/// (year, month, day) of a `YYYYMMDD…` or `YYYY-MM-DD` text.
pub fn ymd(s: &str) -> (i64, u32, u32) {
    let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
    (
        digits[..4].parse().unwrap(),
        digits[4..6].parse().unwrap(),
        digits[6..8].parse().unwrap(),
    )
}
