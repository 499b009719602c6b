//! TOKEN and ENC_DATA: wrong credentials, expiry, forgery, revocation, foreign merchants, tampering.

mod common;

use std::time::Duration;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use common::*;
use cookiepay_sandbox::choices;
use cookiepay_sandbox::{DEMO_API_ID, DEMO_API_KEY};
use serde_json::{json, Value};

#[test]
fn token_is_an_hs256_jwt_bound_to_the_api_id() {
    let sb = start();
    let api = Api::http(&sb);
    let (s, ct, body) = api.post_json(
        "/payAuth/token",
        &[],
        &json!({ "pay2_id": DEMO_API_ID, "pay2_key": DEMO_API_KEY }),
    );
    assert_eq!(s, 200);
    assert_eq!(ct, "application/json; charset=utf-8");
    let v: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["RTN_CD"], "0000");
    assert_eq!(v["RTN_MSG"], "성공");
    let t = v["TOKEN"].as_str().expect("TOKEN");
    let parts: Vec<&str> = t.split('.').collect();
    assert_eq!(parts.len(), 3);
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).expect("b64")).expect("json");
    assert_eq!(header["alg"], "HS256");
    let payload: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("json");
    assert_eq!(payload["user"], DEMO_API_ID);
    let (iat, exp) = (
        payload["iat"].as_u64().expect("iat"),
        payload["exp"].as_u64().expect("exp"),
    );
    assert_eq!(exp - iat, 3600, "default lifetime is CookiePay's hour");
}

#[test]
fn token_wrong_credentials_and_missing_fields() {
    let other = other_merchant();
    let sb = start_with(|o| o.merchants.push(other.clone()));
    let api = Api::http(&sb);
    let cases = [
        (json!({ "pay2_id": DEMO_API_ID, "pay2_key": "wrong" }), choices::E_AUTH),
        (
            json!({ "pay2_id": "sandbox_nobody", "pay2_key": DEMO_API_KEY }),
            choices::E_AUTH,
        ),
        // Another merchant's key with this id.
        (
            json!({ "pay2_id": DEMO_API_ID, "pay2_key": other.api_key }),
            choices::E_AUTH,
        ),
        (json!({ "pay2_key": DEMO_API_KEY }), choices::E_REQUIRED),
        (json!({ "pay2_id": DEMO_API_ID }), choices::E_REQUIRED),
        (json!({ "pay2_id": DEMO_API_ID, "pay2_key": "" }), choices::E_REQUIRED),
        (
            json!({ "pay2_id": DEMO_API_ID, "pay2_key": 123 }),
            choices::E_FIELD_TYPE,
        ),
    ];
    for (body, e) in cases {
        let v = api.json("/payAuth/token", &[], &body);
        assert_eq!(v["RTN_CD"], e.code, "{body} → {v}");
        assert_ne!(v["RTN_CD"], "0000");
        let msg = v["RTN_MSG"].as_str().expect("RTN_MSG");
        assert!(
            msg.chars().any(|ch| ('가'..='힣').contains(&ch)),
            "Korean message: {msg}"
        );
        assert!(v.get("TOKEN").is_none());
    }
    assert!(!api.token_for(&other.api_id, &other.api_key).is_empty());
}

#[test]
fn token_expires_after_its_lifetime() {
    let sb = start_with(|o| o.token_lifetime = Duration::from_secs(2));
    let api = Api::http(&sb);
    let (_, dd) = api.approved("EXP-1");
    let tid = dd["TID"].as_str().expect("tid");
    let token = api.token();
    assert_eq!(
        api.paycert(&token, tid)["RESULTCODE"],
        "0000",
        "valid right after issue"
    );
    std::thread::sleep(Duration::from_millis(2100));
    let v = api.paycert(&token, tid);
    assert_eq!(v["RESULTCODE"], choices::E_TOKEN.code, "{v}");
    // A fresh token works again.
    assert_eq!(api.paycert(&api.token(), tid)["RESULTCODE"], "0000");
}

#[test]
fn zero_lifetime_tokens_are_born_expired() {
    let sb = start_with(|o| o.token_lifetime = Duration::ZERO);
    let api = Api::http(&sb);
    let (_, dd) = api.approved("EXP-0");
    let v = api.paycert(&api.token(), dd["TID"].as_str().expect("tid"));
    assert_eq!(v["RESULTCODE"], choices::E_TOKEN.code);
}

#[test]
fn forged_tokens_are_rejected() {
    let sb = start();
    let api = Api::http(&sb);
    let (_, dd) = api.approved("FORGE-1");
    let tid = dd["TID"].as_str().expect("tid");
    let token = api.token();
    let parts: Vec<&str> = token.split('.').collect();

    // Payload changed (longer expiry), signature kept.
    let mut payload: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("json");
    payload["exp"] = json!(payload["exp"].as_u64().expect("exp") + 100_000);
    let forged_payload = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        parts[2]
    );
    // Signature changed.
    let mut sig = URL_SAFE_NO_PAD.decode(parts[2]).expect("sig");
    sig[0] ^= 1;
    let forged_sig = format!("{}.{}.{}", parts[0], parts[1], URL_SAFE_NO_PAD.encode(sig));
    // alg=none trick.
    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let alg_none = format!("{none_header}.{}.", parts[1]);
    // Signed by another sandbox's secret.
    let other_sb = start();
    let foreign = Api::http(&other_sb).token();

    for bad in [
        forged_payload.as_str(),
        forged_sig.as_str(),
        alg_none.as_str(),
        foreign.as_str(),
        "garbage",
        "",
        "a.b.c",
    ] {
        let v = api.paycert(bad, tid);
        assert_eq!(v["RESULTCODE"], choices::E_TOKEN.code, "{bad:?} → {v}");
    }
    // Missing header altogether.
    let v = api.json("/api/paycert", &[], &json!({ "tid": tid }));
    assert_eq!(v["RESULTCODE"], choices::E_HEADER_MISSING.code);
    assert_eq!(api.paycert(&token, tid)["RESULTCODE"], "0000");
}

#[test]
fn revoked_tokens_are_rejected_until_a_new_one_is_fetched() {
    let sb = start();
    let api = Api::http(&sb);
    let (_, dd) = api.approved("REV-1");
    let tid = dd["TID"].as_str().expect("tid");
    let token = api.token();
    assert_eq!(api.paycert(&token, tid)["RESULTCODE"], "0000");
    let (s, _, _) = api.post_json("/_sandbox/tokens/revoke", &[], &json!({}));
    assert_eq!(s, 200);
    assert_eq!(api.paycert(&token, tid)["RESULTCODE"], choices::E_TOKEN.code);
    let fresh = api.token();
    assert_eq!(api.paycert(&fresh, tid)["RESULTCODE"], "0000");
}

#[test]
fn paycert_unknown_tid_and_foreign_merchant() {
    let other = other_merchant();
    let sb = start_with(|o| o.merchants.push(other.clone()));
    let api = Api::http(&sb);
    let (_, dd) = api.approved("FOREIGN-1");
    let tid = dd["TID"].as_str().expect("tid");
    let mine = api.token();
    let theirs = api.token_for(&other.api_id, &other.api_key);
    assert_eq!(
        api.paycert(&mine, "SBX00000000000000000")["RESULTCODE"],
        choices::E_TID_NOT_FOUND.code
    );
    let v = api.paycert(&theirs, tid);
    assert_eq!(
        v["RESULTCODE"],
        choices::E_TID_NOT_FOUND.code,
        "another merchant's token sees nothing"
    );
    assert!(v.get("AMOUNT").is_none());
    assert_ne!(choices::E_TOKEN.code, choices::E_TID_NOT_FOUND.code);
    // Bad bodies with a valid token.
    let (_, _, t) = api.post_raw(
        "/api/paycert",
        &[("TOKEN", &mine), ("Content-Type", "application/json")],
        b"{",
    );
    assert_eq!(
        serde_json::from_str::<Value>(&t).expect("json")["RESULTCODE"],
        choices::E_MALFORMED.code
    );
    let (_, _, t) = api.post_raw(
        "/api/paycert",
        &[("TOKEN", &mine), ("Content-Type", "text/plain")],
        b"{}",
    );
    assert_eq!(
        serde_json::from_str::<Value>(&t).expect("json")["RESULTCODE"],
        choices::E_CONTENT_TYPE.code
    );
    assert_eq!(
        api.json("/api/paycert", &[("TOKEN", &mine)], &json!({}))["RESULTCODE"],
        choices::E_REQUIRED.code
    );
    assert_eq!(
        api.json("/api/paycert", &[("TOKEN", &mine)], &json!({ "tid": 5 }))["RESULTCODE"],
        choices::E_FIELD_TYPE.code
    );
}

/// An approved payment whose ENC_DATA contains a '+' (practically always; retried to be sure).
fn enc_with_plus(api: &Api) -> String {
    for i in 0..20 {
        let (rf, _) = api.approved(&format!("PLUS-{i}"));
        let enc = rf.field("ENC_DATA").to_string();
        assert!(
            enc.len() > 600,
            "ENC_DATA is long enough to carry + and /: {}",
            enc.len()
        );
        if enc.contains('+') {
            return enc;
        }
    }
    panic!("20 ENC_DATA values without a '+'");
}

#[test]
fn enc_data_tampering_is_detected() {
    let sb = start();
    let api = Api::http(&sb);
    let enc = enc_with_plus(&api);
    assert_eq!(api.decrypt(&enc)["RESULTCODE"], "0000");

    let mut raw = STANDARD.decode(&enc).expect("b64");
    let mid = raw.len() / 2;
    raw[mid] ^= 0x01;
    let flipped = STANDARD.encode(&raw);
    let truncated = &enc[..enc.len() - 8];
    let truncated_raw = STANDARD.encode(&STANDARD.decode(&enc).expect("b64")[..40]);
    let plus_as_space = enc.replace('+', " ");
    let urlsafe = enc.replace('+', "-").replace('/', "_");
    let unpadded = enc.trim_end_matches('=').to_string();
    let mut cases = vec![
        flipped,
        truncated.to_string(),
        truncated_raw,
        plus_as_space,
        urlsafe,
        "!!!not base64!!!".into(),
        "AAAA".into(),
    ];
    if unpadded != enc {
        cases.push(unpadded);
    }
    for bad in cases {
        let v = api.decrypt(&bad);
        assert_eq!(v["RESULTCODE"], choices::E_DECRYPT.code, "{bad} → {v}");
        assert!(v.get("decryptData").is_none());
    }
    // The form decoding a merchant must do: '+' must come back as '+', never a space.
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("ENC_DATA", &enc)
        .finish();
    assert!(body.contains("%2B"));
    let decoded: String = form_urlencoded::parse(body.as_bytes())
        .next()
        .expect("pair")
        .1
        .into_owned();
    assert_eq!(api.decrypt(&decoded)["RESULTCODE"], "0000");
}

#[test]
fn another_merchants_enc_data_does_not_decrypt() {
    let other = other_merchant();
    let sb = start_with(|o| o.merchants.push(other.clone()));
    let api = Api::http(&sb);
    let (rf, _) = api.approved("XM-1");
    let enc = rf.field("ENC_DATA");
    // With the other merchant's own pair: wrong key material.
    let v = api.decrypt_as(&other.api_key, &other.api_id, enc);
    assert_eq!(v["RESULTCODE"], choices::E_DECRYPT.code);
    // Our API_ID with their key: mismatch.
    let v = api.decrypt_as(&other.api_key, DEMO_API_ID, enc);
    assert_eq!(v["RESULTCODE"], choices::E_API_ID_MISMATCH.code);
    // A wrong key, a missing key, missing fields.
    assert_eq!(
        api.decrypt_as("nope", DEMO_API_ID, enc)["RESULTCODE"],
        choices::E_AUTH.code
    );
    let v = api.json(
        "/EdiAuth/cookiepay_edi_decrypt",
        &[],
        &json!({ "API_ID": DEMO_API_ID, "ENC_DATA": enc }),
    );
    assert_eq!(v["RESULTCODE"], choices::E_HEADER_MISSING.code);
    let v = api.json(
        "/EdiAuth/cookiepay_edi_decrypt",
        &[("ApiKey", DEMO_API_KEY)],
        &json!({ "API_ID": DEMO_API_ID }),
    );
    assert_eq!(v["RESULTCODE"], choices::E_REQUIRED.code);
    // Declines decrypt too, and carry their inner code.
    let rf = api.pay("XM-2", &card("4000000000009995"));
    let v = api.decrypt(rf.field("ENC_DATA"));
    assert_eq!(v["RESULTCODE"], "0000");
    assert_eq!(v["decryptData"]["RESULTCODE"], choices::C_LIMIT.code);
    assert_eq!(v["decryptData"]["RESULTMSG"], "한도초과");
}
