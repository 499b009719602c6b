//! The exchange observer through the C ABI (`cookiepay_client_new_observed`, issue 22 item 5): one
//! record per HTTP exchange — operation, method, path, status, duration_ms, attempt, outcome — and
//! never the API key, a TOKEN, a BILLKEY or card data.

mod common;

use std::ffi::{c_char, c_void, CStr, CString};
use std::sync::Mutex;

use common::*;
use cookiepay::ffi::*;
use serde_json::{json, Value};

/// The records an observer got, behind `user_data`.
type Records = Mutex<Vec<String>>;

unsafe extern "C" fn collect(record_json: *const c_char, user_data: *mut c_void) {
    let records = &*(user_data as *const Records);
    let text = CStr::from_ptr(record_json).to_str().unwrap().to_owned();
    records.lock().unwrap().push(text);
}

/// An observed client and the envelope of each call made with it.
struct Observed {
    client: *mut cookiepay_client,
    records: Box<Records>,
}

impl Observed {
    fn new(sb: &cookiepay_sandbox::Sandbox) -> Observed {
        let records: Box<Records> = Box::default();
        let config = CString::new(config(&sb.http_url(), json!({}))).unwrap();
        let mut error = std::ptr::null_mut();
        let user_data = &*records as *const Records as *mut c_void;
        let client = unsafe { cookiepay_client_new_observed(config.as_ptr(), Some(collect), user_data, &mut error) };
        assert!(!client.is_null() && error.is_null());
        Observed { client, records }
    }

    fn call(
        &self,
        f: unsafe extern "C" fn(*mut cookiepay_client, *const c_char) -> *mut c_char,
        request: Value,
    ) -> Value {
        let request = CString::new(request.to_string()).unwrap();
        unsafe {
            let out = f(self.client, request.as_ptr());
            let text = CStr::from_ptr(out).to_str().unwrap().to_owned();
            cookiepay_string_free(out);
            serde_json::from_str(&text).unwrap()
        }
    }

    fn records(&self) -> Vec<Value> {
        let records = self.records.lock().unwrap();
        records
            .iter()
            .map(|r| serde_json::from_str(r).expect("a record is JSON"))
            .collect()
    }

    fn at(&self, path: &str) -> Vec<Value> {
        self.records().into_iter().filter(|r| r["path"] == path).collect()
    }
}

impl Drop for Observed {
    fn drop(&mut self) {
        unsafe { cookiepay_client_free(self.client) };
    }
}

#[test]
fn a_subscription_and_a_charge_are_recorded_without_a_secret() {
    let sb = sandbox();
    let observed = Observed::new(&sb);
    let card = json!({"CARDNO": CARD_OK, "EXPIREDT": "3012", "CARDAUTH": "900101", "CARDPWD": "12", "QUOTA": "00"});
    let mut request = order(5000);
    request.as_object_mut().unwrap().remove("RETURNURL");
    for (k, v) in card.as_object().unwrap() {
        request[k] = v.clone();
    }
    for (k, v) in [
        ("RECURRENCE_PAY", "Y"),
        ("RECURRENCE_TYPE", "M"),
        ("PAY_DAY", "01"),
        ("START_PAY_CNT", "1"),
        ("LAST_PAY_CNT", "12"),
    ] {
        request[k] = json!(v);
    }
    let signed = ok(observed.call(cookiepay_billkeygen, request));
    let billkey = signed["BILLKEY"].as_str().unwrap().to_owned();
    ok(observed.call(
        cookiepay_recurring_charge,
        json!({"RESERVE_ID": signed["RESERVE_ID"], "BILLKEY": billkey}),
    ));
    let token = ok(observed.call(cookiepay_token, json!({})))["TOKEN"]
        .as_str()
        .unwrap()
        .to_owned();

    let charges = observed.at("/Subscribe/recurrence_request_payment");
    assert_eq!(charges.len(), 1, "one record per exchange: {:?}", observed.records());
    let charge = &charges[0];
    assert_eq!(charge["operation"], "recurring_charge");
    assert_eq!(charge["method"], "POST");
    assert_eq!(charge["status"], 200);
    assert_eq!(charge["attempt"], 1);
    assert_eq!(charge["outcome"], "answered");
    assert_eq!(charge["may_have_taken_effect"], false);
    assert!(charge["duration_ms"].is_u64());
    let keys: Vec<&str> = charge.as_object().unwrap().keys().map(String::as_str).collect();
    let mut want = [
        "operation",
        "method",
        "path",
        "status",
        "duration_ms",
        "attempt",
        "outcome",
        "may_have_taken_effect",
    ];
    want.sort_unstable();
    let mut keys = keys;
    keys.sort_unstable();
    assert_eq!(keys, want, "no body, no error text");
    assert!(observed
        .records()
        .iter()
        .any(|r| r["operation"] == "billkeygen" && r["path"] == "/Subscribe/billkeygen"));

    let all = observed.records.lock().unwrap().join("\n");
    for secret in [cookiepay_sandbox::DEMO_API_KEY, &token, &billkey, CARD_OK, "900101"] {
        assert!(!all.contains(secret), "a record shows a secret: {all}");
    }
    assert!(!all.contains("CARD"), "{all}");
}

#[test]
fn each_attempt_of_a_retried_read_is_a_record() {
    let sb = sandbox();
    let observed = Observed::new(&sb);
    let paid = pay(&sb, &client(&sb), 1000);
    ok(observed.call(cookiepay_token, json!({})));
    fault(&sb, "paycert", "http_500", 2, json!({}));
    ok(observed.call(cookiepay_paycert, json!({"tid": paid.tid})));
    let paycerts: Vec<Value> = observed
        .records()
        .into_iter()
        .filter(|r| r["operation"] == "paycert")
        .collect();
    let seen: Vec<(Value, Value)> = paycerts
        .iter()
        .map(|r| (r["attempt"].clone(), r["status"].clone()))
        .collect();
    assert_eq!(
        seen,
        [(json!(1), json!(500)), (json!(2), json!(500)), (json!(3), json!(200))]
    );
}

#[test]
fn a_lost_answer_of_a_call_sent_once_says_it_may_have_taken_effect() {
    let sb = sandbox();
    let observed = Observed::new(&sb);
    ok(observed.call(cookiepay_token, json!({})));
    fault(&sb, "ready", "reset", 1, json!({}));
    err(observed.call(cookiepay_ready, order(1000)), "network");
    let readies: Vec<Value> = observed
        .records()
        .into_iter()
        .filter(|r| r["operation"] == "ready")
        .collect();
    assert_eq!(readies.len(), 1, "sent once: {readies:?}");
    assert_eq!(readies[0]["status"], Value::Null);
    assert_eq!(readies[0]["outcome"], "network");
    assert_eq!(readies[0]["may_have_taken_effect"], true);
}

#[test]
fn a_null_observer_is_a_plain_client_and_a_bad_config_is_an_error() {
    let config = CString::new(r#"{"env":"sandbox","api_id":"a","api_key":"b","loger":1}"#).unwrap();
    let mut error = std::ptr::null_mut();
    let client =
        unsafe { cookiepay_client_new_observed(config.as_ptr(), Some(collect), std::ptr::null_mut(), &mut error) };
    assert!(client.is_null());
    let text = unsafe { CStr::from_ptr(error) }.to_str().unwrap().to_owned();
    unsafe { cookiepay_string_free(error) };
    assert!(text.contains("validation") && text.contains("loger"), "{text}");

    let config = CString::new(r#"{"env":"sandbox","api_id":"a","api_key":"b"}"#).unwrap();
    let client = unsafe { cookiepay_client_new_observed(config.as_ptr(), None, std::ptr::null_mut(), &mut error) };
    assert!(!client.is_null() && error.is_null());
    unsafe { cookiepay_client_free(client) };
}

/// Which thread each record was made on.
type Threads = Mutex<Vec<std::thread::ThreadId>>;

unsafe extern "C" fn note_thread(_record_json: *const c_char, user_data: *mut c_void) {
    let threads = &*(user_data as *const Threads);
    threads.lock().unwrap().push(std::thread::current().id());
}

#[test]
fn the_observer_runs_on_the_thread_that_made_the_call() {
    let sb = sandbox();
    let threads: Box<Threads> = Box::default();
    let config = CString::new(config(&sb.http_url(), json!({}))).unwrap();
    let mut error = std::ptr::null_mut();
    let user_data = &*threads as *const Threads as *mut c_void;
    let client = unsafe { cookiepay_client_new_observed(config.as_ptr(), Some(note_thread), user_data, &mut error) };
    assert!(!client.is_null());
    let shared = client as usize;
    const CALLS: usize = 5;
    let workers: Vec<std::thread::ThreadId> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..6)
            .map(|_| {
                scope.spawn(move || {
                    let request = CString::new(r#"{"force_refresh":true}"#).unwrap();
                    for _ in 0..CALLS {
                        let out = unsafe { cookiepay_token(shared as *mut cookiepay_client, request.as_ptr()) };
                        let text = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_owned();
                        unsafe { cookiepay_string_free(out) };
                        assert!(text.starts_with(r#"{"ok":true"#), "{text}");
                    }
                    std::thread::current().id()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    unsafe { cookiepay_client_free(client) };
    let seen = threads.lock().unwrap();
    for worker in &workers {
        assert_eq!(
            seen.iter().filter(|t| *t == worker).count(),
            CALLS,
            "one record per forced TOKEN, on its caller's thread"
        );
    }
    assert_eq!(seen.len(), workers.len() * CALLS);
}
