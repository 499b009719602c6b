//! Control API: stats, fault injection (every mode), reset, --no-control.

mod common;

use std::io::Read;
use std::time::{Duration, Instant};

use common::*;
use cookiepay_sandbox::choices;
use cookiepay_sandbox::{DEMO_API_ID, DEMO_API_KEY};
use serde_json::{json, Value};

fn total(api: &Api, ep: &str) -> u64 {
    api.stats()["requests"][ep]["total"].as_u64().expect("total")
}

fn by(api: &Api, ep: &str, merchant: &str) -> u64 {
    api.stats()["requests"][ep]["by_merchant"][merchant]
        .as_u64()
        .unwrap_or(0)
}

fn token_request() -> Vec<u8> {
    let body = json!({ "pay2_id": DEMO_API_ID, "pay2_key": DEMO_API_KEY }).to_string();
    raw_request(
        "POST",
        "/payAuth/token",
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    )
}

#[test]
fn stats_count_every_endpoint_by_merchant() {
    let other = other_merchant();
    let sb = start_with(|o| o.merchants.push(other.clone()));
    let api = Api::http(&sb);
    let s = api.stats();
    for ep in ["token", "ready", "window", "decrypt", "paycert"] {
        assert_eq!(s["requests"][ep]["total"], 0, "{s}");
        assert!(s["requests"][ep]["by_merchant"].as_object().expect("map").is_empty());
    }
    let (rf, dd) = api.approved("ST-1");
    let t = api.token();
    api.paycert(&t, dd["TID"].as_str().expect("tid"));
    api.token_for(&other.api_id, &other.api_key);
    api.json("/payAuth/token", &[], &json!({ "pay2_id": "nobody", "pay2_key": "x" }));
    api.paycert("garbage", "x");
    api.decrypt_as("unknown-key", DEMO_API_ID, rf.field("ENC_DATA"));
    assert_eq!(total(&api, "token"), 3);
    assert_eq!(by(&api, "token", DEMO_API_ID), 1);
    assert_eq!(by(&api, "token", &other.api_id), 1);
    assert_eq!(by(&api, "token", "-"), 1);
    assert_eq!(total(&api, "ready"), 1);
    assert_eq!(by(&api, "window", DEMO_API_ID), 1);
    assert_eq!(total(&api, "decrypt"), 2);
    assert_eq!(by(&api, "decrypt", "-"), 1);
    assert_eq!(by(&api, "paycert", DEMO_API_ID), 1);
    assert_eq!(by(&api, "paycert", "-"), 1);
}

#[test]
fn fault_delay_then_normal_processing() {
    let sb = start();
    let api = Api::http(&sb);
    api.fault(json!({ "endpoint": "token", "mode": "delay", "delay_ms": 300, "count": 1 }));
    let t0 = Instant::now();
    let t = api.token();
    assert!(t0.elapsed() >= Duration::from_millis(300), "delayed");
    assert!(!t.is_empty(), "then answered normally");
    assert_eq!(total(&api, "token"), 1);
    assert_eq!(
        api.get_json("/_sandbox/faults").1["faults"]
            .as_array()
            .expect("list")
            .len(),
        0
    );
}

#[test]
fn fault_http_500_is_html_and_not_processed() {
    let sb = start();
    let api = Api::http(&sb);
    api.fault(json!({ "endpoint": "ready", "mode": "http_500", "count": 2 }));
    for _ in 0..2 {
        let (s, ct, body) = api.ready(json!({ "ORDERNO": "F500" }));
        assert_eq!(s, 500);
        assert!(ct.starts_with("text/html"), "{ct}");
        assert!(body.contains("<html>"));
    }
    // Not processed: the order number is still free.
    let (s, ct, _) = api.ready(json!({ "ORDERNO": "F500" }));
    assert_eq!(s, 200);
    assert!(ct.starts_with("text/html"));
    assert_eq!(total(&api, "ready"), 3);
    assert_eq!(by(&api, "ready", DEMO_API_ID), 3);
}

#[test]
fn fault_reset_closes_with_rst_and_is_not_processed() {
    let sb = start();
    let api = Api::http(&sb);
    api.fault(json!({ "endpoint": "ready", "mode": "reset" }));
    let body = ready_body(DEMO_API_ID).to_string();
    let mut s = connect(&sb);
    send(
        &mut s,
        &raw_request(
            "POST",
            "/pay/ready",
            &[("ApiKey", DEMO_API_KEY), ("Content-Type", "application/json")],
            body.as_bytes(),
        ),
    );
    let mut buf = [0u8; 256];
    match s.read(&mut buf) {
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
        Ok(n) => panic!("expected a reset, read {n} bytes"),
    }
    // Not processed: ORD-1 is still free.
    let (_, ct, _) = api.ready(json!({}));
    assert!(ct.starts_with("text/html"));
    assert_eq!(total(&api, "ready"), 2);
    // reqwest sees an error too.
    api.fault(json!({ "endpoint": "token", "mode": "reset" }));
    let r = api
        .c
        .post(format!("{}/payAuth/token", api.base))
        .json(&json!({}))
        .send();
    assert!(r.is_err());
}

#[test]
fn fault_truncate_sends_half_the_body_after_processing() {
    let sb = start();
    let api = Api::http(&sb);
    api.fault(json!({ "endpoint": "token", "mode": "truncate" }));
    let mut s = connect(&sb);
    send(&mut s, &token_request());
    let mut all = Vec::new();
    let _ = s.read_to_end(&mut all);
    let text = String::from_utf8_lossy(&all).to_string();
    let head_end = text.find("\r\n\r\n").expect("head") + 4;
    let cl: usize = header_value(&text[..head_end], "content-length")
        .expect("cl")
        .parse()
        .expect("num");
    let got = all.len() - head_end;
    assert!(cl > 20);
    assert_eq!(got, cl / 2, "half the body, then close");
    // Processed: a window flow with a truncated ready has consumed its order number.
    api.fault(json!({ "endpoint": "ready", "mode": "truncate" }));
    assert!(api
        .c
        .post(format!("{}/pay/ready", api.base))
        .header("ApiKey", DEMO_API_KEY)
        .json(&ready_body(DEMO_API_ID))
        .send()
        .and_then(|r| r.text())
        .is_err());
    let (_, _, body) = api.ready(json!({}));
    assert_eq!(
        serde_json::from_str::<Value>(&body).expect("json")["RTN_CD"],
        choices::E_DUP_ORDERNO.code
    );
    assert_eq!(total(&api, "token"), 1);
    assert_eq!(total(&api, "ready"), 2);
}

#[test]
fn fault_invalid_json_after_processing() {
    let sb = start();
    let api = Api::http(&sb);
    let (_, dd) = api.approved("IJ-1");
    let tid = dd["TID"].as_str().expect("tid").to_string();
    api.fault(json!({ "endpoint": "paycert", "mode": "invalid_json", "count": 1 }));
    let t = api.token();
    let (s, ct, body) = api.post_json("/api/paycert", &[("TOKEN", &t)], &json!({ "tid": tid }));
    assert_eq!(s, 200);
    assert!(ct.starts_with("application/json"));
    assert!(serde_json::from_str::<Value>(&body).is_err(), "{body}");
    assert_eq!(api.paycert(&t, &tid)["RESULTCODE"], "0000");
    // Processed: the ready answered with broken JSON still consumed its ORDERNO.
    api.fault(json!({ "endpoint": "ready", "mode": "invalid_json" }));
    let (_, _, b) = api.ready(json!({ "ORDERNO": "IJ-2" }));
    assert!(serde_json::from_str::<Value>(&b).is_err());
    let (_, _, b) = api.ready(json!({ "ORDERNO": "IJ-2" }));
    assert_eq!(
        serde_json::from_str::<Value>(&b).expect("json")["RTN_CD"],
        choices::E_DUP_ORDERNO.code
    );
    assert_eq!(total(&api, "paycert"), 2);
    assert_eq!(by(&api, "ready", DEMO_API_ID), 3);
}

#[test]
fn fault_huge_body_is_valid_json_of_the_requested_size() {
    let sb = start();
    let api = Api::http(&sb);
    let (_, dd) = api.approved("HB-1");
    let tid = dd["TID"].as_str().expect("tid").to_string();
    let t = api.token();
    api.fault(json!({ "endpoint": "paycert", "mode": "huge_body" }));
    let (s, ct, body) = api.post_json("/api/paycert", &[("TOKEN", &t)], &json!({ "tid": tid }));
    assert_eq!(s, 200);
    assert!(ct.starts_with("application/json"));
    assert_eq!(body.len(), choices::HUGE_BODY_DEFAULT);
    let v: Value = serde_json::from_str(&body).expect("valid json");
    assert_eq!(v["TID"], tid.as_str(), "the real answer is inside");
    api.fault(json!({ "endpoint": "token", "mode": "huge_body", "size_bytes": 100_000 }));
    let (_, _, body) = api.post_json(
        "/payAuth/token",
        &[],
        &json!({ "pay2_id": DEMO_API_ID, "pay2_key": DEMO_API_KEY }),
    );
    assert_eq!(body.len(), 100_000);
    assert_eq!(serde_json::from_str::<Value>(&body).expect("json")["RTN_CD"], "0000");
    assert_eq!(total(&api, "paycert"), 1);
    assert_eq!(by(&api, "token", DEMO_API_ID), 2);
}

#[test]
fn faults_work_over_tls_too() {
    let sb = start_with(|o| o.tls_port = Some(0));
    let api = Api {
        base: sb.https_url().expect("url"),
        c: tls_client(&sb.ca_pem().expect("pem")),
    };
    let body = json!({ "pay2_id": DEMO_API_ID, "pay2_key": DEMO_API_KEY });
    api.fault(json!({ "endpoint": "token", "mode": "reset" }));
    assert!(api
        .c
        .post(format!("{}/payAuth/token", api.base))
        .json(&body)
        .send()
        .is_err());
    api.fault(json!({ "endpoint": "token", "mode": "truncate" }));
    let r = api.c.post(format!("{}/payAuth/token", api.base)).json(&body).send();
    assert!(
        r.and_then(|r| r.text()).is_err(),
        "half a body must not read as complete"
    );
    api.fault(json!({ "endpoint": "token", "mode": "http_500" }));
    assert_eq!(api.post_json("/payAuth/token", &[], &body).0, 500);
    assert!(!api.token().is_empty());
    assert_eq!(total(&api, "token"), 4);
}

#[test]
fn fault_wrong_content_type_sends_a_proxy_page() {
    let sb = start();
    let api = Api::http(&sb);
    let (rf, _) = api.approved("WCT-1");
    api.fault(json!({ "endpoint": "decrypt", "mode": "wrong_content_type", "count": 1 }));
    let (s, ct, body) = api.post_json(
        "/EdiAuth/cookiepay_edi_decrypt",
        &[("ApiKey", DEMO_API_KEY)],
        &json!({ "API_ID": DEMO_API_ID, "ENC_DATA": rf.field("ENC_DATA") }),
    );
    assert_eq!(s, 200);
    assert_eq!(ct, "text/html");
    assert!(body.starts_with("<html>") && body.ends_with("</html>"), "{body}");
    assert_eq!(api.decrypt(rf.field("ENC_DATA"))["RESULTCODE"], "0000");
    assert_eq!(total(&api, "decrypt"), 3);
}

#[test]
fn faults_apply_to_window_submissions_too() {
    let sb = start();
    let api = Api::http(&sb);
    let html = api.window(json!({ "ORDERNO": "FW-1" }));
    api.fault(json!({ "endpoint": "window", "mode": "http_500" }));
    let (s, _) = api.submit_window(&html, &card("4111111111111111"));
    assert_eq!(s, 500);
    // Not processed: the session is still usable.
    let (s, ret) = api.submit_window(&html, &card("4111111111111111"));
    assert_eq!(s, 200);
    assert_eq!(return_form(&ret).field("RESULTCODE"), "0000");
    assert_eq!(total(&api, "window"), 2);
}

#[test]
fn faults_queue_in_fifo_order_and_are_listed() {
    let sb = start();
    let api = Api::http(&sb);
    api.fault(json!({ "endpoint": "token", "mode": "http_500", "count": 2 }));
    api.fault(json!({ "endpoint": "token", "mode": "invalid_json", "count": 1 }));
    api.fault(json!({ "endpoint": "paycert", "mode": "delay", "delay_ms": 10, "count": 3 }));
    let (s, list) = api.get_json("/_sandbox/faults");
    assert_eq!(s, 200);
    let l = list["faults"].as_array().expect("list");
    assert_eq!(l.len(), 3);
    assert_eq!(l[0]["mode"], "http_500");
    assert_eq!(l[0]["remaining"], 2);
    assert_eq!(l[1]["mode"], "invalid_json");
    assert_eq!(l[2]["endpoint"], "paycert");
    assert_eq!(l[2]["delay_ms"], 10);
    let body = json!({ "pay2_id": DEMO_API_ID, "pay2_key": DEMO_API_KEY });
    assert_eq!(api.post_json("/payAuth/token", &[], &body).0, 500);
    assert_eq!(api.get_json("/_sandbox/faults").1["faults"][0]["remaining"], 1);
    assert_eq!(api.post_json("/payAuth/token", &[], &body).0, 500);
    let (s, _, b) = api.post_json("/payAuth/token", &[], &body);
    assert_eq!(s, 200);
    assert!(serde_json::from_str::<Value>(&b).is_err());
    assert_eq!(api.json("/payAuth/token", &[], &body)["RTN_CD"], "0000");
    assert_eq!(total(&api, "token"), 4);
    assert_eq!(by(&api, "token", DEMO_API_ID), 4);
}

#[test]
fn bad_fault_specs_are_refused() {
    let sb = start();
    let api = Api::http(&sb);
    for bad in [
        json!({ "endpoint": "nope", "mode": "http_500" }),
        json!({ "endpoint": "token", "mode": "explode" }),
        json!({ "endpoint": "token", "mode": "delay" }),
        json!({ "endpoint": "token", "mode": "http_500", "count": 0 }),
        json!({ "endpoint": "token", "mode": "http_500", "count": "2" }),
        json!({ "endpoint": "token", "mode": "huge_body", "size_bytes": -1 }),
        json!([]),
    ] {
        let (s, _, t) = api.post_json("/_sandbox/faults", &[], &bad);
        assert_eq!(s, 400, "{bad} → {t}");
        assert!(serde_json::from_str::<Value>(&t).expect("json")["error"].is_string());
    }
    assert_eq!(
        api.get_json("/_sandbox/faults").1["faults"]
            .as_array()
            .expect("list")
            .len(),
        0
    );
}

#[test]
fn reset_clears_counts_and_faults_and_optionally_state() {
    let sb = start();
    let api = Api::http(&sb);
    let (_, dd) = api.approved("RS-1");
    let tid = dd["TID"].as_str().expect("tid").to_string();
    let token = api.token();
    api.fault(json!({ "endpoint": "paycert", "mode": "http_500", "count": 5 }));
    let (s, _, _) = api.post_json("/_sandbox/reset", &[], &json!({}));
    assert_eq!(s, 200);
    assert_eq!(total(&api, "token"), 0);
    assert_eq!(total(&api, "ready"), 0);
    assert_eq!(
        api.get_json("/_sandbox/faults").1["faults"]
            .as_array()
            .expect("list")
            .len(),
        0
    );
    // State kept: payment, order number and token still valid.
    assert_eq!(api.paycert(&token, &tid)["RESULTCODE"], "0000");
    let (_, _, b) = api.ready(json!({ "ORDERNO": "RS-1" }));
    assert_eq!(
        serde_json::from_str::<Value>(&b).expect("json")["RTN_CD"],
        choices::E_DUP_ORDERNO.code
    );
    // An empty body is a plain reset too.
    assert_eq!(api.post_raw("/_sandbox/reset", &[], b"").0, 200);
    let json_type = [("Content-Type", "application/json")];
    assert_eq!(api.post_raw("/_sandbox/reset", &json_type, b"{oops").0, 400);
    // A body not declared as JSON is refused before it is read (what an HTML form would send).
    assert_eq!(api.post_raw("/_sandbox/reset", &[], b"{oops").0, 415);

    let (s, _, _) = api.post_json("/_sandbox/reset", &[], &json!({ "state": true }));
    assert_eq!(s, 200);
    assert_eq!(
        api.paycert(&token, &tid)["RESULTCODE"],
        choices::E_TOKEN.code,
        "tokens cleared"
    );
    assert_eq!(
        api.paycert(&api.token(), &tid)["RESULTCODE"],
        choices::E_TID_NOT_FOUND.code,
        "payments cleared"
    );
    let (_, ct, _) = api.ready(json!({ "ORDERNO": "RS-1" }));
    assert!(ct.starts_with("text/html"), "order numbers cleared");
    assert_eq!(
        api.get_json("/_sandbox/payments").1["payments"]
            .as_array()
            .expect("list")
            .len(),
        0
    );
}

#[test]
fn no_control_hides_the_control_api() {
    let sb = start_with(|o| o.control = false);
    let api = Api::http(&sb);
    for (m, p) in [
        ("GET", "/_sandbox/stats"),
        ("POST", "/_sandbox/reset"),
        ("POST", "/_sandbox/faults"),
        ("GET", "/_sandbox/faults"),
        ("POST", "/_sandbox/tokens/revoke"),
        ("GET", "/_sandbox/payments"),
        ("POST", "/_sandbox/payments/X/cancel"),
        ("POST", "/_sandbox/checkout"),
    ] {
        let r = api
            .c
            .request(m.parse().expect("method"), format!("{}{p}", api.base))
            .body("{}")
            .send()
            .expect("send");
        assert_eq!(r.status().as_u16(), 404, "{m} {p}");
        let v: Value = r.json().expect("json");
        assert_eq!(v["RESULTCODE"], choices::E_NOT_FOUND.code);
    }
    // The CookiePay API itself still works.
    let (_, dd) = api.approved("NC-1");
    assert_eq!(
        api.paycert(&api.token(), dd["TID"].as_str().expect("tid"))["RESULTCODE"],
        "0000"
    );
}

#[test]
fn control_methods_are_checked() {
    let sb = start();
    let api = Api::http(&sb);
    let r = api.c.post(format!("{}/_sandbox/stats", api.base)).send().expect("send");
    assert_eq!(r.status().as_u16(), 405);
    let r = api.c.get(format!("{}/_sandbox/reset", api.base)).send().expect("send");
    assert_eq!(r.status().as_u16(), 405);
    let r = api
        .c
        .get(format!("{}/_sandbox/unknown", api.base))
        .send()
        .expect("send");
    assert_eq!(r.status().as_u16(), 404);
}
