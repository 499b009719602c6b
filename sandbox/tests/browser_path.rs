//! Issue 13: what the manual's browser path and samples need, and fidelity choices that tests
//! elsewhere do not pin: the script, CORS, keyless ready, ORDER_NO_CHECK, spellings, paths,
//! window expiry.

mod common;

use common::*;
use cookiepay_sandbox::choices;
use cookiepay_sandbox::{Spelling, DEMO_API_ID};
use serde_json::{json, Value};

#[test]
fn the_manuals_script_is_served_with_init_and_payrequest() {
    let sb = start();
    let api = Api::http(&sb);
    for path in [
        "/js/cookiepayments-1.1.3.js",
        "/js/cookiepayments-1.1.4.js",
        "//js/cookiepayments-1.1.3.js",
    ] {
        let r = api.c.get(format!("{}{path}", api.base)).send().expect("get");
        assert_eq!(r.status().as_u16(), 200, "{path}");
        let ct = r.headers()["content-type"].to_str().expect("ct").to_string();
        assert!(ct.starts_with("application/javascript"), "{ct}");
        let js = r.text().expect("js");
        for needle in ["cookiepayments", "init", "payrequest", "cookiepayform", "/pay/ready"] {
            assert!(js.contains(needle), "{needle}");
        }
        assert_eq!(
            js.matches("setRequestHeader(").count(),
            1,
            "Content-Type only: never a key"
        );
    }
}

#[test]
fn a_browser_ready_gets_cors_and_other_endpoints_do_not() {
    let sb = start();
    let api = Api::http(&sb);
    let pre = api
        .c
        .request(reqwest::Method::OPTIONS, format!("{}/pay/ready", api.base))
        .header("Origin", "http://shop.example")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type")
        .send()
        .expect("preflight");
    assert_eq!(pre.status().as_u16(), 204);
    assert_eq!(pre.headers()["access-control-allow-origin"], "*");
    assert!(pre.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .contains("POST"));
    assert!(pre.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .contains("Content-Type"));

    // What the script sends: a form body, API_ID from init, no ApiKey.
    let body = format!(
        "API_ID={DEMO_API_ID}&ORDERNO=CORS-1&PRODUCTNAME=%EC%BF%A0%ED%82%A4&AMOUNT=9900&BUYERNAME=%ED%99%8D&RETURNURL=http%3A%2F%2Fshop.example%2Fr&PAYMETHOD=CARD&ETC1="
    );
    let r = api
        .c
        .post(format!("{}/pay/ready", api.base))
        .header("Origin", "http://shop.example")
        .header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
        .body(body)
        .send()
        .expect("ready");
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    let html = r.text().expect("html");
    assert!(html.contains("<form id=\"cookiepay-window\""), "{html}");
    assert!(html.contains("9,900원"));

    // An error is readable by the page too.
    let r = api
        .c
        .post(format!("{}/pay/ready", api.base))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("API_ID=sandbox_demo01&ORDERNO=CORS-2")
        .send()
        .expect("ready");
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    assert_eq!(r.json::<Value>().expect("json")["RTN_CD"], choices::E_REQUIRED.code);

    // The secret-key endpoints are not for browsers.
    let r = api
        .c
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/EdiAuth/cookiepay_edi_decrypt", api.base),
        )
        .send()
        .expect("preflight");
    assert_eq!(r.status().as_u16(), 405);
    assert!(r.headers().get("access-control-allow-origin").is_none());
    let r = api
        .c
        .post(format!("{}/payAuth/token", api.base))
        .header("Origin", "http://shop.example")
        .json(&json!({}))
        .send()
        .expect("token");
    assert!(r.headers().get("access-control-allow-origin").is_none());
}

#[test]
fn order_no_check_n_lets_an_orderno_be_used_again() {
    let sb = start();
    let api = Api::http(&sb);
    api.window(json!({ "ORDERNO": "AGAIN-1" }));
    let (_, _, body) = api.ready(json!({ "ORDERNO": "AGAIN-1" }));
    assert!(body.contains(choices::E_DUP_ORDERNO.code), "{body}");
    api.window(json!({ "ORDERNO": "AGAIN-1", "ORDER_NO_CHECK": "N" }));
    let (_, _, body) = api.ready(json!({ "ORDERNO": "AGAIN-1", "ORDER_NO_CHECK": "Y" }));
    assert!(body.contains(choices::E_DUP_ORDERNO.code), "{body}");
}

#[test]
fn the_table_spelling_is_a_start_option() {
    let sb = start_with(|o| o.spelling = Spelling::Table);
    let api = Api::http(&sb);
    let (_, d) = api.approved("SPELL-1");
    let mut keys: Vec<&str> = d.as_object().expect("object").keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut want = vec![
        "RESULTCODE",
        "RESULTMSG",
        "ORDERNO",
        "AMOUNT",
        "TID",
        "ACCEPTDATE",
        "ACCEPTNO",
        "CARDNAME",
        "CARDCODE",
        "QUOTA",
        "ETC1",
        "ETC2",
        "ETC3",
        "ETC4",
        "ETC5",
        "BILLKEY",
        "GENDATE",
    ];
    want.sort_unstable();
    assert_eq!(keys, want);
}

#[test]
fn doubled_and_trailing_slashes_reach_the_endpoint() {
    let sb = start();
    let api = Api::http(&sb);
    let (_, d) = api.approved("SLASH-1");
    let tid = d["TID"].as_str().expect("tid");
    let token = api.token();
    for path in ["//api/paycert", "/api/paycert/", "/api//paycert"] {
        let v = api.json(path, &[("TOKEN", token.as_str())], &json!({ "tid": tid }));
        assert_eq!(v["RESULTCODE"], "0000", "{path}: {v}");
    }
    let v = api.json(
        "//payAuth/token",
        &[],
        &json!({ "pay2_id": DEMO_API_ID, "pay2_key": cookiepay_sandbox::DEMO_API_KEY }),
    );
    assert_eq!(v["RTN_CD"], "0000");
}

#[test]
fn an_abandoned_window_expires_and_returnurl_gets_nothing() {
    let sb = start();
    let api = Api::http(&sb);
    let html = api.window(json!({ "ORDERNO": "AWAY-1" }));
    // The buyer closes the window: nothing is sent anywhere. Later the session has expired.
    let secs = choices::WINDOW_TTL.as_secs();
    let (s, _, t) = api.post_json("/_sandbox/clock", &[], &json!({ "advance_seconds": secs }));
    assert_eq!(s, 200, "{t}");
    let (s, page) = api.submit_window(&html, &card("4111111111111111"));
    assert_eq!(s, choices::STATUS_WINDOW_ERROR);
    assert!(page.contains(choices::WINDOW_SESSION_EXPIRED), "{page}");
    assert!(!page.contains("cookiepay-return"), "no post to RETURNURL");
    let (s, v) = api.get_json("/_sandbox/payments");
    assert_eq!(s, 200);
    assert_eq!(v["payments"].as_array().expect("list").len(), 0);
    // The ORDERNO stays taken; ORDER_NO_CHECK=N lets the shop open a new window for it.
    let (_, _, body) = api.ready(json!({ "ORDERNO": "AWAY-1" }));
    assert!(body.contains(choices::E_DUP_ORDERNO.code), "{body}");
    let html = api.window(json!({ "ORDERNO": "AWAY-1", "ORDER_NO_CHECK": "N" }));
    let (s, ret) = api.submit_window(&html, &card("4111111111111111"));
    assert_eq!(s, 200);
    assert_eq!(return_form(&ret).field("RESULTCODE"), "0000");
}

#[test]
fn the_window_is_a_trustworthy_korean_page() {
    let sb = start();
    let api = Api::http(&sb);
    let html = api.window(json!({ "ORDERNO": "LOOK-1", "AMOUNT": "1234567" }));
    for needle in [
        "lang=\"ko\"",
        "name=\"viewport\"",
        "1,234,567원",
        "정기구독 1개월",
        DEMO_API_ID,
        "inputmode=\"numeric\"",
        "autocomplete=\"cc-number\"",
        "autocomplete=\"cc-exp\"",
        "id=\"cpw-CARDNO-error\"",
        "결제 취소",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
}
