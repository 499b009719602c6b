//! Every function of the contract against a real cookiepay-sandbox over HTTP and HTTPS.

mod common;

use common::*;
use cookiepay::{Client, Operation};
use cookiepay_sandbox::{Options, DEMO_API_ID, DEMO_API_KEY};
use serde_json::{json, Value};

#[test]
fn whole_window_flow_over_http() {
    let sb = sandbox();
    let client = client(&sb);
    let request = order(12_900);
    let orderno = request["ORDERNO"].as_str().unwrap().to_owned();

    let window = ok(call(&client, Operation::Ready, request));
    assert_eq!(window["AMOUNT"], "12900");
    let html = window["html"].as_str().unwrap();
    assert!(html.contains("cookiepay-window"));

    let body = pay_in_window(&sb.http_url(), None, html, &card(CARD_OK));
    let parsed = ok(serde_json::from_str(&cookiepay::parse_return_envelope(body.as_bytes())).unwrap());
    assert_eq!(parsed["encrypted"], true);
    assert_eq!(parsed["success"], true);
    assert_eq!(parsed["API_ID"], DEMO_API_ID);
    let enc = parsed["ENC_DATA"].as_str().unwrap();
    // The browser percent-encodes Base64's '+' and '/': the parsed value must be the original again.
    assert!(
        body.contains("%2B") || body.contains("%2F"),
        "ENC_DATA should exercise form decoding"
    );
    assert!(enc.contains('+') || enc.contains('/'));

    let payment = ok(call(&client, Operation::Decrypt, json!({"ENC_DATA": enc})));
    assert_eq!(payment["ORDERNO"], orderno.as_str());
    assert_eq!(payment["AMOUNT"], "12900");
    assert_eq!(payment["ETC1"], "메모 ✓ 😀");
    assert_eq!(payment["ACCEPTNO"], payment["ACCEPT_NO"]);
    let billkey = payment["BILLKEY"].as_str().unwrap();
    assert_eq!(billkey.len(), 20);
    assert!(billkey.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
    let tid = payment["TID"].as_str().unwrap();

    let cert = ok(call(&client, Operation::Paycert, json!({"tid": tid})));
    assert_eq!(cert["ORDERNO"], orderno.as_str());
    assert_eq!(cert["PRODUCTNAME"], "쿠키 정기구독 🍪");
    assert_eq!(cert["BUYERID"], cert["USERID"]);

    let verified = ok(call(
        &client,
        Operation::Verify,
        json!({"tid": tid, "expected": {"ORDERNO": orderno, "AMOUNT": 12900}}),
    ));
    assert_eq!(verified["TID"], tid);
}

#[test]
fn whole_flow_over_https_trusting_only_the_sandbox_ca() {
    let sb = sandbox_with(Options {
        tls_port: Some(0),
        ..Options::default()
    });
    let https = sb.https_url().unwrap();
    let ca = sb.ca_pem().unwrap();
    let client = Client::from_json(&config(&https, json!({"ca_cert_pem": ca}))).unwrap();
    let request = order(5000);
    let window = ok(call(&client, Operation::Ready, request.clone()));
    let body = pay_in_window(&https, Some(&ca), window["html"].as_str().unwrap(), &card(CARD_OK));
    let parsed = ok(serde_json::from_str(&cookiepay::parse_return_envelope(body.as_bytes())).unwrap());
    let payment = ok(call(
        &client,
        Operation::Decrypt,
        json!({"ENC_DATA": parsed["ENC_DATA"]}),
    ));
    ok(call(
        &client,
        Operation::Verify,
        json!({"tid": payment["TID"], "expected": {"ORDERNO": request["ORDERNO"], "AMOUNT": "5000"}}),
    ));

    // Without the CA the handshake fails, and the error says so.
    let untrusting = Client::from_json(&config(&https, json!({}))).unwrap();
    let e = err(call(&untrusting, Operation::Token, json!({})), "network");
    assert_eq!(e["phase"], "tls", "{e:#}");
}

#[test]
fn token_is_cached_then_refreshed_after_expiry() {
    let sb = sandbox_with(Options {
        token_lifetime: std::time::Duration::from_secs(2),
        ..Options::default()
    });
    let client = client(&sb);
    let first = ok(call(&client, Operation::Token, json!({})));
    assert_eq!(first["cached"], false);
    let again = ok(call(&client, Operation::Token, json!({})));
    assert_eq!(again["cached"], true);
    assert_eq!(again["TOKEN"], first["TOKEN"]);
    assert_eq!(count(&sb, "token"), 1);

    std::thread::sleep(std::time::Duration::from_millis(2200));
    let later = ok(call(&client, Operation::Token, json!({})));
    assert_eq!(later["cached"], false);
    assert_eq!(count(&sb, "token"), 2);

    let forced = ok(call(&client, Operation::Token, json!({"force_refresh": true})));
    assert_eq!(forced["cached"], false);
    err(
        call(&client, Operation::Token, json!({"force_refresh": "yes"})),
        "invalid_argument",
    );
}

#[test]
fn a_rejected_token_is_refreshed_once() {
    let sb = sandbox();
    let client = client(&sb);
    let paid = pay(&sb, &client, 1000);
    ok(call(&client, Operation::Paycert, json!({"tid": paid.tid})));
    assert_eq!(count(&sb, "token"), 1);
    control(&sb, "tokens/revoke", Some(json!({})));
    ok(call(&client, Operation::Paycert, json!({"tid": paid.tid})));
    assert_eq!(count(&sb, "token"), 2);
    assert_eq!(count(&sb, "paycert"), 3);

    // An unknown TID fails with a fresh token too: one refresh, then the api error.
    let e = err(
        call(&client, Operation::Paycert, json!({"tid": "NO_SUCH_TID_000000"})),
        "api",
    );
    assert_ne!(e["code"], "0000");
    assert_eq!(count(&sb, "token"), 3);
}

#[test]
fn clients_with_the_same_config_share_connections_and_the_token() {
    // What a PHP shop does: a new client per request, freed at the end of the request.
    let sb = sandbox();
    let first = client(&sb);
    ok(call(&first, Operation::Token, json!({})));
    drop(first);
    let second = client(&sb);
    assert_eq!(ok(call(&second, Operation::Token, json!({})))["cached"], true);
    assert_eq!(count(&sb, "token"), 1);
    // Other credentials or settings never see that TOKEN, nor does a client that asks for its own.
    let other = client_with(&sb, json!({"timeout_ms": 4000}));
    assert_eq!(ok(call(&other, Operation::Token, json!({})))["cached"], false);
    assert_eq!(count(&sb, "token"), 2);
    let private = client_with(&sb, json!({"shared": false}));
    assert_eq!(ok(call(&private, Operation::Token, json!({})))["cached"], false);
    assert_eq!(count(&sb, "token"), 3);
    assert_eq!(
        Client::from_json(&config(&sb.http_url(), json!({"shared": "no"})))
            .unwrap_err()
            .kind(),
        "validation"
    );
}

#[test]
fn wrong_credentials_are_an_api_error_without_the_key() {
    let sb = sandbox();
    let client = client_with(&sb, json!({"api_key": "WRONG-KEY-0123456789"}));
    let out = client.call(Operation::Token, "{}");
    assert!(!out.contains("WRONG-KEY-0123456789"), "{out}");
    let e = err(serde_json::from_str(&out).unwrap(), "api");
    assert_ne!(e["code"], "0000");
    assert!(!e["api_message"].as_str().unwrap().is_empty());
}

#[test]
fn ready_validation_lists_every_problem_and_sends_nothing() {
    let sb = sandbox();
    let client = client(&sb);
    let e = err(
        call(
            &client,
            Operation::Ready,
            json!({"PRODUCTNAME": "a&b", "AMOUNT": "12,000", "TAXYN": "x", "RETURNURL": "ftp://x", "BUYEREMAIL": "nope", "BUYERPHONE": "phone", "ETC1": "가".repeat(101)}),
        ),
        "validation",
    );
    let fields: Vec<(String, String)> = e["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap().to_owned(),
                f["rule"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for (field, rule) in [
        ("ORDERNO", "required"),
        ("BUYERNAME", "required"),
        ("PRODUCTNAME", "forbidden_character"),
        ("AMOUNT", "digits_only"),
        ("TAXYN", "one_of"),
        ("RETURNURL", "url"),
        ("BUYEREMAIL", "email"),
        ("BUYERPHONE", "phone"),
        ("ETC1", "max_length"),
    ] {
        assert!(
            fields.contains(&(field.into(), rule.into())),
            "{field}/{rule} missing from {fields:?}"
        );
    }
    assert_eq!(count(&sb, "ready"), 0);
    err(call(&client, Operation::Ready, json!({"AMOUNT": 0})), "validation");
    err(
        client.call(Operation::Ready, "not json").parse::<Value>().unwrap(),
        "invalid_argument",
    );
    err(
        client.call(Operation::Ready, "[1,2]").parse::<Value>().unwrap(),
        "invalid_argument",
    );
}

#[test]
fn sandbox_rejections_of_ready_are_api_errors() {
    let sb = sandbox();
    let client = client(&sb);
    let request = order(1000);
    ok(call(&client, Operation::Ready, request.clone()));
    let e = err(call(&client, Operation::Ready, request), "api");
    assert_ne!(e["code"], "0000");
    assert!(e["response"]["RTN_CD"].is_string());
    // Extra undocumented fields pass through (the sandbox accepts them).
    let mut extra = order(1000);
    extra["ORDER_NO_CHECK"] = json!("N");
    ok(call(&client, Operation::Ready, extra));
}

#[test]
fn declined_cards_fail_at_the_payment_layer() {
    let sb = sandbox();
    let client = client(&sb);
    let window = ok(call(&client, Operation::Ready, order(2000)));
    let body = pay_in_window(
        &sb.http_url(),
        None,
        window["html"].as_str().unwrap(),
        &card(CARD_LIMIT),
    );
    let parsed = ok(serde_json::from_str(&cookiepay::parse_return_envelope(body.as_bytes())).unwrap());
    assert_eq!(parsed["success"], false);
    let e = err(
        call(&client, Operation::Decrypt, json!({"ENC_DATA": parsed["ENC_DATA"]})),
        "api",
    );
    assert_eq!(e["layer"], "inner");
    assert_ne!(e["code"], "0000");
}

#[test]
fn tampered_or_foreign_enc_data_fails_at_the_outer_layer() {
    let sb = sandbox_with(two_merchants());
    let client = client(&sb);
    let paid_window = ok(call(&client, Operation::Ready, order(3000)));
    let body = pay_in_window(
        &sb.http_url(),
        None,
        paid_window["html"].as_str().unwrap(),
        &card(CARD_OK),
    );
    let parsed = ok(serde_json::from_str(&cookiepay::parse_return_envelope(body.as_bytes())).unwrap());
    let enc = parsed["ENC_DATA"].as_str().unwrap().to_owned();

    let mut tampered = enc.clone().into_bytes();
    let mid = tampered.len() / 2;
    tampered[mid] = if tampered[mid] == b'A' { b'B' } else { b'A' };
    let e = err(
        call(
            &client,
            Operation::Decrypt,
            json!({"ENC_DATA": String::from_utf8(tampered).unwrap()}),
        ),
        "api",
    );
    assert_eq!(e["layer"], "outer");
    err(
        call(&client, Operation::Decrypt, json!({"ENC_DATA": &enc[..enc.len() / 2]})),
        "api",
    );
    err(
        call(&client, Operation::Decrypt, json!({"ENC_DATA": enc.replace('+', " ")})),
        "api",
    );
    err(call(&client, Operation::Decrypt, json!({"ENC_DATA": ""})), "validation");

    let other = second_merchant();
    let foreign = client_with(&sb, json!({"api_id": other.api_id, "api_key": other.api_key}));
    let e = err(call(&foreign, Operation::Decrypt, json!({"ENC_DATA": enc})), "api");
    assert_eq!(e["layer"], "outer");
}

#[test]
fn verify_catches_tampered_amounts_cancellations_and_foreign_payments() {
    let sb = sandbox_with(two_merchants());
    let client = client(&sb);
    let paid = pay(&sb, &client, 50_000);

    let e = err(
        call(
            &client,
            Operation::Verify,
            json!({"tid": paid.tid, "expected": {"ORDERNO": paid.orderno, "AMOUNT": 500}}),
        ),
        "verification_failed",
    );
    assert_eq!(e["mismatches"].as_array().unwrap().len(), 1);
    assert_eq!(e["mismatches"][0]["field"], "AMOUNT");
    assert_eq!(e["mismatches"][0]["actual"], "50000");
    assert_eq!(e["payment"]["TID"], paid.tid.as_str());

    let e = err(
        call(
            &client,
            Operation::Verify,
            json!({"tid": paid.tid, "expected": {"ORDERNO": "OTHER", "AMOUNT": 50000}}),
        ),
        "verification_failed",
    );
    assert_eq!(e["mismatches"][0]["field"], "ORDERNO");

    err(call(&client, Operation::Verify, json!({"tid": paid.tid})), "validation");
    err(
        call(
            &client,
            Operation::Verify,
            json!({"expected": {"ORDERNO": "A", "AMOUNT": "1,0"}}),
        ),
        "validation",
    );

    let other = second_merchant();
    let foreign = client_with(&sb, json!({"api_id": other.api_id, "api_key": other.api_key}));
    err(call(&foreign, Operation::Paycert, json!({"tid": paid.tid})), "api");

    control(
        &sb,
        &format!("payments/{}/cancel", paid.tid),
        Some(json!({"msg": "고객 요청"})),
    );
    let e = err(
        call(
            &client,
            Operation::Verify,
            json!({"tid": paid.tid, "expected": {"ORDERNO": paid.orderno, "AMOUNT": 50000}}),
        ),
        "verification_failed",
    );
    assert_eq!(e["mismatches"][0]["field"], "CANCELDATE");
}

#[test]
fn bad_arguments_are_invalid_argument_or_validation() {
    let sb = sandbox();
    let client = client(&sb);
    for op in [
        Operation::Token,
        Operation::Ready,
        Operation::Decrypt,
        Operation::Paycert,
        Operation::Verify,
    ] {
        err(client.call(op, "").parse::<Value>().unwrap(), "invalid_argument");
        err(
            client.call(op, "\"text\"").parse::<Value>().unwrap(),
            "invalid_argument",
        );
    }
    err(call(&client, Operation::Paycert, json!({})), "validation");
    err(
        call(&client, Operation::Paycert, json!({"tid": 12})),
        "invalid_argument",
    );
    err(
        call(&client, Operation::Paycert, json!({"tid": "x".repeat(51)})),
        "validation",
    );
    err(
        call(&client, Operation::Decrypt, json!({"ENC_DATA": ["a"]})),
        "invalid_argument",
    );
}

#[test]
fn two_merchants_side_by_side() {
    let sb = sandbox_with(two_merchants());
    let a = client(&sb);
    let other = second_merchant();
    let b = client_with(&sb, json!({"api_id": other.api_id, "api_key": other.api_key}));
    let pa = pay(&sb, &a, 100);
    let pb = pay(&sb, &b, 200);
    assert_eq!(
        ok(call(&a, Operation::Paycert, json!({"tid": pa.tid})))["AMOUNT"],
        "100"
    );
    assert_eq!(
        ok(call(&b, Operation::Paycert, json!({"tid": pb.tid})))["AMOUNT"],
        "200"
    );
    let stats = control(&sb, "stats", None);
    assert_eq!(stats["requests"]["paycert"]["by_merchant"][DEMO_API_ID], 1);
    assert_eq!(stats["requests"]["paycert"]["by_merchant"][other.api_id.as_str()], 1);
}

#[test]
fn secrets_never_appear_in_errors_or_debug() {
    let sb = sandbox_with(Options {
        tls_port: Some(0),
        ..Options::default()
    });
    let client = client(&sb);
    let token = ok(call(&client, Operation::Token, json!({})))["TOKEN"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut outputs = Vec::new();
    // Errors of every layer, while a TOKEN is cached.
    outputs.push(client.call(Operation::Paycert, r#"{"tid":"UNKNOWN_TID"}"#));
    outputs.push(client.call(Operation::Decrypt, r#"{"ENC_DATA":"AAAA"}"#));
    outputs.push(client.call(Operation::Ready, r#"{"AMOUNT":"x"}"#));
    fault(&sb, "paycert", "invalid_json", 1, json!({}));
    outputs.push(client.call(Operation::Paycert, r#"{"tid":"UNKNOWN_TID"}"#));
    let untrusting = Client::from_json(&config(&sb.https_url().unwrap(), json!({}))).unwrap();
    outputs.push(untrusting.call(Operation::Token, "{}"));
    let bad_key = client_with(&sb, json!({"api_key": "ANOTHER-SECRET-KEY-99"}));
    outputs.push(bad_key.call(Operation::Token, "{}"));
    outputs.push(format!("{client:?} {bad_key:?}"));
    for out in &outputs {
        for secret in [DEMO_API_KEY, token.as_str(), "ANOTHER-SECRET-KEY-99"] {
            assert!(!out.contains(secret), "a secret leaked into: {out}");
        }
    }
}

#[test]
fn config_errors_name_every_field() {
    let e =
        Client::from_json(r#"{"env":"live","base_url":"http://insecure","api_id":"","timeout_ms":-1}"#).unwrap_err();
    let j = e.to_json();
    let fields: Vec<&str> = j["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for f in ["base_url", "api_id", "api_key", "timeout_ms"] {
        assert!(fields.contains(&f), "{f} not in {fields:?}");
    }
    assert_eq!(DEMO_API_KEY.len(), 50);
}
