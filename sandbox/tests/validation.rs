//! /pay/ready validation: one test per rule of the manual's table.

mod common;

use common::*;
use cookiepay_sandbox::choices::{self, ErrorCode};
use cookiepay_sandbox::{OverLong, DEMO_API_ID, DEMO_API_KEY};
use serde_json::{json, Value};

/// A ready that must fail with `e`; returns the message.
fn rejected(api: &Api, extra: Value, e: ErrorCode) -> String {
    let (s, ct, body) = api.ready(extra.clone());
    assert_eq!(s, 200, "business errors are HTTP 200");
    assert_eq!(ct, "application/json; charset=utf-8", "{body}");
    let v: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["RTN_CD"], e.code, "{extra} → {v}");
    assert!(v.get("RESULTCODE").is_none(), "ready errors use RTN_CD/RTN_MSG");
    let msg = v["RTN_MSG"].as_str().expect("RTN_MSG").to_string();
    assert!(msg.contains(e.msg), "{msg}");
    msg
}

fn accepted(api: &Api, extra: Value) {
    let (s, ct, body) = api.ready(extra.clone());
    assert_eq!(s, 200);
    assert!(ct.starts_with("text/html"), "{extra} rejected: {body}");
}

#[test]
fn required_fields() {
    let sb = start();
    let api = Api::http(&sb);
    for f in ["ORDERNO", "PRODUCTNAME", "AMOUNT", "BUYERNAME", "RETURNURL"] {
        let msg = rejected(&api, json!({ f: null }), choices::E_REQUIRED);
        assert!(msg.starts_with(f), "{msg}");
        let msg = rejected(&api, json!({ f: "" }), choices::E_REQUIRED);
        assert!(msg.starts_with(f), "{msg}");
    }
    rejected(&api, json!({ "API_ID": null }), choices::E_REQUIRED);
}

/// With `--over-long refuse` (not the default: see `over_long_fields_are_cut_by_default`).
#[test]
fn lengths_are_counted_in_characters() {
    let sb = start_with(|o| o.over_long = OverLong::Refuse);
    let api = Api::http(&sb);
    let limits = [
        ("ORDERNO", 50),
        ("PRODUCTNAME", 40),
        ("BUYERNAME", 20),
        ("BUYEREMAIL", 50),
        ("PRODUCTCODE", 10),
        ("BUYERID", 20),
        ("BUYERADDRESS", 100),
        ("BUYERPHONE", 20),
        ("ETC1", 100),
        ("ETC2", 100),
        ("ETC3", 100),
        ("ETC4", 100),
        ("ETC5", 100),
    ];
    for (i, (f, max)) in limits.into_iter().enumerate() {
        // Exactly `max` Korean characters (3 bytes each in UTF-8) is fine...
        let at_max = if f == "ORDERNO" {
            format!("{i}").repeat(max)
        } else {
            "가".repeat(max)
        };
        let mut ok = json!({ "ORDERNO": format!("LEN-{i}") });
        ok[f] = json!(at_max);
        accepted(&api, ok);
        // ...one more is not.
        let mut over = json!({ "ORDERNO": format!("LEN-X{i}") });
        over[f] = json!("가".repeat(max + 1));
        let msg = rejected(&api, over, choices::E_TOO_LONG);
        assert!(msg.starts_with(f), "{msg}");
    }
    rejected(&api, json!({ "AMOUNT": "12345678901" }), choices::E_TOO_LONG);
    accepted(&api, json!({ "AMOUNT": "1234567890", "ORDERNO": "LEN-AMOUNT" }));
    let long_url = format!("https://shop.example/{}", "a".repeat(80));
    rejected(&api, json!({ "RETURNURL": long_url }), choices::E_TOO_LONG);
}

#[test]
fn api_id_must_belong_to_the_api_key() {
    let other = other_merchant();
    let sb = start_with(|o| o.merchants.push(other.clone()));
    let api = Api::http(&sb);
    let (_, _, body) = api.ready_as(DEMO_API_KEY, &other.api_id, json!({}));
    assert_eq!(
        serde_json::from_str::<Value>(&body).expect("json")["RTN_CD"],
        choices::E_API_ID_MISMATCH.code
    );
    let (_, _, body) = api.ready_as(&other.api_key, &other.api_id, json!({}));
    assert!(body.contains("cookiepay-window"), "the other merchant's own pair works");
    let (_, _, body) = api.ready_as("wrong-key", DEMO_API_ID, json!({}));
    assert_eq!(
        serde_json::from_str::<Value>(&body).expect("json")["RTN_CD"],
        choices::E_AUTH.code
    );
    // Without ApiKey (the manual's PHP, cURL and JS samples send none) the body's API_ID names the
    // merchant; an unknown one is refused like a wrong key.
    let mut keyless = ready_body(&other.api_id);
    keyless["ORDERNO"] = json!("KEYLESS-1");
    let (_, _, body) = api.post_json("/pay/ready", &[], &keyless);
    assert!(body.contains("cookiepay-window"), "{body}");
    let (_, _, body) = api.post_json("/pay/ready", &[], &ready_body("sandbox_nobody"));
    assert_eq!(
        serde_json::from_str::<Value>(&body).expect("json")["RTN_CD"],
        choices::E_AUTH.code
    );
}

#[test]
fn over_long_fields_are_cut_by_default() {
    let sb = start();
    let api = Api::http(&sb);
    // P1's evidence: PRODUCTCODE "2025050809341263" (16) came back as its first 10 characters.
    let long_url = format!("https://shop.example/{}", "a".repeat(90));
    let html = api.window(json!({
        "ORDERNO": "CUT-1", "PRODUCTCODE": "2025050809341263", "PRODUCTNAME": "가".repeat(45),
        "BUYERNAME": "홍".repeat(25), "ETC1": "x".repeat(150), "RETURNURL": long_url,
    }));
    let (_, ret) = api.submit_window(&html, &card("4111111111111111"));
    let rf = return_form(&ret);
    assert_eq!(
        rf.action,
        long_url.chars().take(100).collect::<String>(),
        "RETURNURL cut too"
    );
    let d = api.decrypt(rf.field("ENC_DATA"))["decryptData"].clone();
    assert_eq!(d["PRODUCTCODE"], "2025050809");
    assert_eq!(d["PRODUCTNAME"], "가".repeat(40));
    assert_eq!(d["BUYERNAME"], "홍".repeat(20));
    assert_eq!(d["ETC1"], "x".repeat(100));
    let p = api.paycert(&api.token(), d["TID"].as_str().expect("tid"));
    assert_eq!(p["PRODUCTCODE"], "2025050809");
    // Never cut: the amount and the flag are checked whole.
    rejected(
        &api,
        json!({ "AMOUNT": "12345678901", "ORDERNO": "CUT-2" }),
        choices::E_TOO_LONG,
    );
    rejected(&api, json!({ "TAXYN": "YY", "ORDERNO": "CUT-3" }), choices::E_TOO_LONG);
}

#[test]
fn taxyn_is_y_or_n_and_defaults_to_y() {
    let sb = start();
    let api = Api::http(&sb);
    accepted(&api, json!({ "TAXYN": "Y", "ORDERNO": "T1" }));
    accepted(&api, json!({ "TAXYN": "N", "ORDERNO": "T2" }));
    accepted(&api, json!({ "ORDERNO": "T3" }));
    let msg = rejected(&api, json!({ "TAXYN": "X", "ORDERNO": "T4" }), choices::E_TAXYN);
    assert_eq!(msg, choices::E_TAXYN.msg, "the field is not named twice");
    rejected(&api, json!({ "TAXYN": "y", "ORDERNO": "T5" }), choices::E_TAXYN);
    rejected(&api, json!({ "TAXYN": "YY", "ORDERNO": "T6" }), choices::E_TOO_LONG);
}

#[test]
fn ampersand_is_refused_in_productname() {
    let sb = start();
    let api = Api::http(&sb);
    rejected(&api, json!({ "PRODUCTNAME": "A&B" }), choices::E_AMPERSAND);
    accepted(&api, json!({ "PRODUCTNAME": "A and B", "ORDERNO": "AMP-OK" }));
}

#[test]
fn amount_is_digits_only_and_positive() {
    let sb = start();
    let api = Api::http(&sb);
    for bad in [
        json!("1,000"),
        json!("-100"),
        json!("100.5"),
        json!("0"),
        json!("000"),
        json!("₩100"),
        json!(" 100"),
        json!(-5),
        json!(10.5),
        json!(0),
    ] {
        rejected(&api, json!({ "AMOUNT": bad }), choices::E_AMOUNT);
    }
    // A JSON number is accepted like the vendor's C#/JSP samples send it, and comes back as a string.
    let html = api.window(json!({ "AMOUNT": 1004, "ORDERNO": "NUM" }));
    let (_, ret) = api.submit_window(&html, &card("4111111111111111"));
    let dd = &api.decrypt(return_form(&ret).field("ENC_DATA"))["decryptData"];
    assert_eq!(dd["AMOUNT"], "1004");
    // Non-scalar values are a type error, not a crash.
    rejected(&api, json!({ "AMOUNT": [1] }), choices::E_FIELD_TYPE);
    rejected(&api, json!({ "BUYERNAME": { "a": 1 } }), choices::E_FIELD_TYPE);
}

#[test]
fn returnurl_must_be_absolute_http_or_https() {
    let sb = start();
    let api = Api::http(&sb);
    for bad in [
        "/relative/path",
        "ftp://shop.example/r",
        "javascript:alert(1)",
        "https://",
        "shop.example/r",
        "https://a b.example/",
    ] {
        rejected(&api, json!({ "RETURNURL": bad }), choices::E_RETURNURL);
    }
    accepted(&api, json!({ "RETURNURL": "http://localhost:8080/r", "ORDERNO": "U1" }));
    accepted(
        &api,
        json!({ "RETURNURL": "HTTPS://SHOP.EXAMPLE/R?x=1", "ORDERNO": "U2" }),
    );
}

#[test]
fn orderno_is_unique_per_merchant() {
    let other = other_merchant();
    let sb = start_with(|o| o.merchants.push(other.clone()));
    let api = Api::http(&sb);
    accepted(&api, json!({ "ORDERNO": "DUP-1" }));
    rejected(&api, json!({ "ORDERNO": "DUP-1" }), choices::E_DUP_ORDERNO);
    // Another merchant may use the same order number.
    let (_, ct, _) = api.ready_as(&other.api_key, &other.api_id, json!({ "ORDERNO": "DUP-1" }));
    assert!(ct.starts_with("text/html"));
    // A rejected ready does not consume its order number.
    rejected(&api, json!({ "ORDERNO": "DUP-2", "AMOUNT": "x" }), choices::E_AMOUNT);
    accepted(&api, json!({ "ORDERNO": "DUP-2" }));
}

#[test]
fn unknown_extra_fields_are_accepted() {
    let sb = start();
    let api = Api::http(&sb);
    accepted(
        &api,
        json!({ "PAYMETHOD": "CARD", "ORDER_NO_CHECK": "N", "ESCROW": "N", "SOMETHING": { "nested": [1, 2] } }),
    );
}

#[test]
fn ready_bad_bodies() {
    let sb = start();
    let api = Api::http(&sb);
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a [u8], ErrorCode);
    let cases: [Case; 4] = [
        (
            &[("ApiKey", DEMO_API_KEY), ("Content-Type", "application/json")],
            b"{not json",
            choices::E_MALFORMED,
        ),
        (
            &[("ApiKey", DEMO_API_KEY), ("Content-Type", "application/json")],
            b"[1,2]",
            choices::E_MALFORMED,
        ),
        (
            &[("ApiKey", DEMO_API_KEY), ("Content-Type", "text/plain")],
            b"ORDERNO=1",
            choices::E_CONTENT_TYPE,
        ),
        (
            &[
                ("ApiKey", DEMO_API_KEY),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            b"\xff\xfe=\xff",
            choices::E_MALFORMED,
        ),
    ];
    for (h, body, e) in cases {
        let (s, ct, text) = api.post_raw("/pay/ready", h, body);
        assert_eq!(s, 200);
        assert_eq!(ct, "application/json; charset=utf-8");
        let v: Value = serde_json::from_str(&text).expect("json");
        assert_eq!(v["RTN_CD"], e.code, "{text}");
    }
}
