//! What each fuzz target checks, shared with tests/fuzz_regressions.rs so every input kept in
//! tests/fuzz-regressions/ is replayed by `make test` exactly as the fuzzer ran it.
#![allow(dead_code)]

use std::ffi::{c_char, CStr, CString};
use std::sync::OnceLock;

use cookiepay::ffi::*;
use cookiepay::testing::*;

const KEY: &str = "fuzzkey123";

/// The RETURNURL body comes from the buyer's browser: anyone can post anything there.
pub fn parse_return(data: &[u8]) {
    let out = cookiepay::parse_return_envelope(data);
    let value: serde_json::Value = serde_json::from_str(&out).expect("always a JSON envelope");
    assert!(value["ok"].is_boolean());
}

struct Handle(*mut cookiepay_client);
// SAFETY: the client is Send + Sync (asserted in the library); the pointer is only shared.
unsafe impl Send for Handle {}
unsafe impl Sync for Handle {}

/// A client aimed at a closed loopback port: requests that pass validation fail fast.
fn client() -> *mut cookiepay_client {
    static CLIENT: OnceLock<Handle> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            let config = format!(
                "{{\"base_url\":\"http://127.0.0.1:1\",\"api_id\":\"sandbox_fuzz\",\"api_key\":\"{KEY}\",\
                 \"max_retries\":0,\"connect_timeout_ms\":200,\"timeout_ms\":500}}"
            );
            let config = CString::new(config).unwrap();
            let handle = unsafe { cookiepay_client_new(config.as_ptr(), std::ptr::null_mut()) };
            assert!(!handle.is_null());
            Handle(handle)
        })
        .0
}

fn check(out: *mut c_char) {
    assert!(!out.is_null());
    let text = unsafe { CStr::from_ptr(out) }.to_str().expect("UTF-8 out").to_owned();
    unsafe { cookiepay_string_free(out) };
    let value: serde_json::Value = serde_json::from_str(&text).expect("JSON out");
    assert!(value["ok"].is_boolean());
    assert!(!text.contains(KEY), "the API key leaked");
    assert!(!text.contains("4111111111111111"), "a card number leaked");
}

/// Every C entry point; the first byte picks which, the rest (up to a NUL) is its argument.
pub fn ffi_calls(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
    let arg = CString::new(&rest[..end]).expect("no interior NUL");
    let c = client();
    unsafe {
        match selector % 16 {
            0 => check(cookiepay_token(c, arg.as_ptr())),
            1 => check(cookiepay_ready(c, arg.as_ptr())),
            2 => check(cookiepay_decrypt(c, arg.as_ptr())),
            3 => check(cookiepay_paycert(c, arg.as_ptr())),
            4 => check(cookiepay_verify(c, arg.as_ptr())),
            5 => check(cookiepay_parse_return(arg.as_ptr())),
            7 => check(cookiepay_billkeygen(c, arg.as_ptr())),
            8 => check(cookiepay_recurring_charge(c, arg.as_ptr())),
            9 => check(cookiepay_schedule_cancel(c, arg.as_ptr())),
            10 => check(cookiepay_billkey_delete(c, arg.as_ptr())),
            11 => check(cookiepay_cancel(c, arg.as_ptr())),
            12 => check(cookiepay_paysearch(c, arg.as_ptr())),
            13 => check(cookiepay_receipt_url(c, arg.as_ptr())),
            14 => check(cookiepay_request(c, arg.as_ptr())),
            15 => check(cookiepay_parse_noti(arg.as_ptr())),
            _ => {
                let mut error = std::ptr::null_mut();
                let handle = cookiepay_client_new(arg.as_ptr(), &mut error);
                if handle.is_null() {
                    check(error);
                } else {
                    assert!(error.is_null());
                    cookiepay_client_free(handle);
                }
            }
        }
    }
}

/// Arbitrary bytes as CookiePay's answer to each endpoint (a proxy, a broken server, an attacker in
/// the middle): always an error value, never a panic.
pub fn answers(data: &[u8]) {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let status = [200u16, 201, 302, 400, 500, 502][(selector % 6) as usize];
    let content_type = match selector / 6 % 3 {
        0 => None,
        1 => Some("application/json; charset=utf-8".to_owned()),
        _ => Some("text/html".to_owned()),
    };
    let answer = || Answer {
        status,
        content_type: content_type.clone(),
        body: body.to_vec(),
    };
    let _ = ready_answer(answer());
    if let Ok(json) = answer().into_json() {
        let _ = paysearch_answer(json.clone());
    }
    if let Ok(json) = answer().into_json_object() {
        let _ = token_answer(&json);
        let _ = paycert_answer(json.clone());
        let _ = cancel_answer(json.clone());
        let _ = decrypt_answer(json);
    }
}

/// A Noti body comes from anyone who finds the shop's 통지 URL.
pub fn parse_noti(data: &[u8]) {
    let out = cookiepay::parse_noti_envelope(data);
    let value: serde_json::Value = serde_json::from_str(&out).expect("always a JSON envelope");
    assert!(value["ok"].is_boolean());
    if value["ok"] == true {
        assert!(value["data"]["dedup_key"].is_string());
    }
}
