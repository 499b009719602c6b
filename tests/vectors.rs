//! Replays the contract vectors (`tests/vectors/*.json`, format in its README) through the Rust API
//! and through the C ABI, against the sandbox in replay mode. Also checks that every vector file
//! follows the format, so a malformed vector fails here before any binding trips over it.

mod common;

use std::ffi::{c_char, CStr, CString};
use std::path::PathBuf;
use std::ptr;

use cookiepay::ffi::{self, cookiepay_client};
use cookiepay::{Client, Operation};
use cookiepay_sandbox::Sandbox;
use serde_json::{json, Map, Value};

const LOCAL_CALLS: [&str; 3] = ["parse_return", "parse_noti", "new_client"];

struct Vector {
    file: String,
    v: Value,
}

impl Vector {
    fn name(&self) -> &str {
        self.v["name"].as_str().unwrap_or("?")
    }
}

fn vector_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

fn load() -> Vec<Vector> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(vector_dir())
        .expect("tests/vectors exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no vector files in tests/vectors");
    let mut out = Vec::new();
    for f in files {
        let file = f.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&f).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: not JSON: {e}"));
        let list = doc["vectors"]
            .as_array()
            .unwrap_or_else(|| panic!("{file}: no \"vectors\" array"));
        assert!(doc["about"].is_string(), "{file}: no \"about\"");
        for v in list {
            out.push(Vector {
                file: file.clone(),
                v: v.clone(),
            });
        }
    }
    out
}

/// Every vector follows tests/vectors/README.md: a malformed one is a failure, not a skipped case.
fn format_problems(v: &Value) -> Vec<String> {
    let mut p = Vec::new();
    let Some(o) = v.as_object() else {
        return vec!["a vector is an object".into()];
    };
    const KEYS: [&str; 7] = ["name", "about", "config", "gateway", "steps", "sent", "secrets"];
    for k in o.keys().filter(|k| !KEYS.contains(&k.as_str())) {
        p.push(format!("unknown key {k:?}"));
    }
    if !o.get("name").is_some_and(Value::is_string) || !o.get("about").is_some_and(Value::is_string) {
        p.push("name and about are required strings".into());
    }
    let steps = o.get("steps").and_then(Value::as_array);
    match steps {
        Some(s) if !s.is_empty() => {
            for (i, step) in s.iter().enumerate() {
                let call = step["call"].as_str().unwrap_or("");
                if Operation::from_name(call).is_none() && !LOCAL_CALLS.contains(&call) {
                    p.push(format!("steps[{i}]: unknown call {call:?}"));
                } else if (Operation::from_name(call).is_some() || call == "new_client") && !o.contains_key("config") {
                    p.push(format!("steps[{i}]: {call} needs a config"));
                }
                if !step["request"].is_object() && call != "new_client" {
                    p.push(format!("steps[{i}]: request must be an object"));
                }
                match step["expect"]["ok"].as_bool() {
                    Some(true) if step["expect"]["data"].is_object() => {}
                    Some(false) if step["expect"]["error"]["kind"].is_string() => {}
                    _ => p.push(format!(
                        "steps[{i}]: expect is {{ok:true,data:{{}}}} or {{ok:false,error:{{kind}}}}"
                    )),
                }
            }
        }
        _ => p.push("steps must be a non-empty array".into()),
    }
    if let Some(c) = o.get("config") {
        if !c.is_object() || c.get("base_url").is_some() || c.get("shared").is_some() {
            p.push("config is an object without base_url and shared (the runner sets them)".into());
        }
    }
    for (key, each) in [("gateway", "path"), ("sent", "path")] {
        if let Some(list) = o.get(key) {
            match list.as_array() {
                Some(l) if l.iter().all(|a| a[each].as_str().is_some_and(|s| s.starts_with('/'))) => {}
                _ => p.push(format!("{key} is an array of objects with a path")),
            }
        }
    }
    if let Some(s) = o.get("secrets") {
        if !s
            .as_array()
            .is_some_and(|l| l.iter().all(|x| x.as_str().is_some_and(|x| x.len() >= 4)))
        {
            p.push("secrets is an array of strings of at least 4 characters".into());
        }
    }
    p
}

#[test]
fn every_vector_follows_the_format_and_names_are_unique() {
    let vectors = load();
    let mut seen = std::collections::HashSet::new();
    let mut problems = Vec::new();
    for v in &vectors {
        for p in format_problems(&v.v) {
            problems.push(format!("{} {}: {p}", v.file, v.name()));
        }
        if !seen.insert(v.name().to_string()) {
            problems.push(format!("{}: duplicate name {}", v.file, v.name()));
        }
    }
    assert!(problems.is_empty(), "malformed vectors:\n{}", problems.join("\n"));
    // Every operation of the contract has at least one vector.
    for op in Operation::ALL {
        assert!(
            vectors
                .iter()
                .any(|v| v.v["steps"].as_array().unwrap().iter().any(|s| s["call"] == op.name())),
            "no vector calls {}",
            op.name()
        );
    }
}

/// `expected` ⊆ `actual` as tests/vectors/README.md defines it; Err names the first difference.
fn subset(expected: &Value, actual: Option<&Value>, at: &str) -> Result<(), String> {
    if let Value::Object(e) = expected {
        if e.get("$absent") == Some(&Value::Bool(true)) && e.len() == 1 {
            return match actual {
                None => Ok(()),
                Some(a) => Err(format!("{at}: expected no value, got {a}")),
            };
        }
        if e.get("$any") == Some(&Value::Bool(true)) && e.len() == 1 {
            return actual.map(|_| ()).ok_or(format!("{at}: missing"));
        }
    }
    let Some(actual) = actual else {
        return Err(format!("{at}: missing (expected {expected})"));
    };
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                subset(ev, a.get(k), &format!("{at}.{k}"))?;
            }
            Ok(())
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                return Err(format!(
                    "{at}: expected {} elements, got {}: {actual}",
                    e.len(),
                    a.len()
                ));
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                subset(ev, Some(av), &format!("{at}[{i}]"))?;
            }
            Ok(())
        }
        (Value::Number(e), Value::Number(a)) if e.as_f64() == a.as_f64() => Ok(()),
        (e, a) if e == a => Ok(()),
        (e, a) => Err(format!("{at}: expected {e}, got {a}")),
    }
}

/// How one implementation runs a vector's steps: make a client, call an operation, parse.
trait Implementation {
    fn name(&self) -> &'static str;
    /// Ok(()) when the config is accepted (the client is kept for the next calls), else the envelope.
    fn new_client(&mut self, config: &str) -> Result<(), Value>;
    fn call(&mut self, op: Operation, request: &str) -> Value;
    fn parse_return(&mut self, body: &[u8]) -> Value;
    fn parse_noti(&mut self, body: &[u8]) -> Value;
    fn drop_client(&mut self);
}

struct RustApi(Option<Client>);

impl Implementation for RustApi {
    fn name(&self) -> &'static str {
        "rust"
    }
    fn new_client(&mut self, config: &str) -> Result<(), Value> {
        self.0 = Some(Client::from_json(config).map_err(|e| json!({"ok": false, "error": e.to_json()}))?);
        Ok(())
    }
    fn call(&mut self, op: Operation, request: &str) -> Value {
        let client = self.0.as_ref().expect("a client was made");
        serde_json::from_str(&client.call(op, request)).expect("an envelope is JSON")
    }
    fn parse_return(&mut self, body: &[u8]) -> Value {
        serde_json::from_str(&cookiepay::parse_return_envelope(body)).unwrap()
    }
    fn parse_noti(&mut self, body: &[u8]) -> Value {
        serde_json::from_str(&cookiepay::parse_noti_envelope(body)).unwrap()
    }
    fn drop_client(&mut self) {
        self.0 = None;
    }
}

/// The exported C functions, called as a C program would (CStrings in, owned strings freed back).
struct CAbi(*mut cookiepay_client);

type OpFn = unsafe extern "C" fn(*mut cookiepay_client, *const c_char) -> *mut c_char;

fn c_function(op: Operation) -> OpFn {
    match op {
        Operation::Token => ffi::cookiepay_token,
        Operation::Ready => ffi::cookiepay_ready,
        Operation::Decrypt => ffi::cookiepay_decrypt,
        Operation::Paycert => ffi::cookiepay_paycert,
        Operation::Verify => ffi::cookiepay_verify,
        Operation::Billkeygen => ffi::cookiepay_billkeygen,
        Operation::RecurringCharge => ffi::cookiepay_recurring_charge,
        Operation::ScheduleCancel => ffi::cookiepay_schedule_cancel,
        Operation::BillkeyDelete => ffi::cookiepay_billkey_delete,
        Operation::Cancel => ffi::cookiepay_cancel,
        Operation::Paysearch => ffi::cookiepay_paysearch,
        Operation::ReceiptUrl => ffi::cookiepay_receipt_url,
        Operation::Request => ffi::cookiepay_request,
        Operation::ConfirmNoti => ffi::cookiepay_confirm_noti,
    }
}

/// Takes ownership of a string the library returned.
fn owned(s: *mut c_char) -> Value {
    assert!(!s.is_null(), "the C ABI returned NULL");
    let text = unsafe { CStr::from_ptr(s) }.to_str().expect("UTF-8").to_string();
    unsafe { ffi::cookiepay_string_free(s) };
    serde_json::from_str(&text).expect("an envelope is JSON")
}

impl Implementation for CAbi {
    fn name(&self) -> &'static str {
        "c-abi"
    }
    fn new_client(&mut self, config: &str) -> Result<(), Value> {
        let config = CString::new(config).unwrap();
        let mut error: *mut c_char = ptr::null_mut();
        let client = unsafe { ffi::cookiepay_client_new(config.as_ptr(), &mut error) };
        if client.is_null() {
            return Err(owned(error));
        }
        assert!(error.is_null(), "a client and an error at once");
        self.0 = client;
        Ok(())
    }
    fn call(&mut self, op: Operation, request: &str) -> Value {
        let request = CString::new(request).unwrap();
        owned(unsafe { c_function(op)(self.0, request.as_ptr()) })
    }
    fn parse_return(&mut self, body: &[u8]) -> Value {
        owned(unsafe { ffi::cookiepay_parse_return_len(body.as_ptr().cast(), body.len()) })
    }
    fn parse_noti(&mut self, body: &[u8]) -> Value {
        let body = CString::new(body).unwrap();
        owned(unsafe { ffi::cookiepay_parse_noti(body.as_ptr()) })
    }
    fn drop_client(&mut self) {
        unsafe { ffi::cookiepay_client_free(self.0) };
        self.0 = ptr::null_mut();
    }
}

fn control(sb: &Sandbox, method: reqwest::Method, body: Option<Value>) -> Value {
    let http = reqwest::blocking::Client::new();
    let mut req = http.request(method, format!("{}/_sandbox/replay", sb.http_url()));
    if let Some(b) = body {
        req = req.header("Content-Type", "application/json").body(b.to_string());
    }
    let resp = req.send().expect("replay control call");
    let status = resp.status();
    let text = resp.text().unwrap();
    assert!(status.is_success(), "replay control: {status} {text}");
    serde_json::from_str(&text).unwrap()
}

fn client_config(v: &Value, sb: &Sandbox) -> String {
    let mut c: Map<String, Value> = v["config"].as_object().cloned().unwrap_or_default();
    c.insert("base_url".into(), json!(sb.http_url()));
    c.insert("shared".into(), json!(false));
    Value::Object(c).to_string()
}

/// A recorded request in the shape `sent` matches: path, method, headers, and the body parsed.
fn as_sent(recorded: &Value) -> Value {
    let body = recorded["body"].as_str().unwrap_or("");
    let mut r = recorded.clone();
    if let Ok(j) = serde_json::from_str::<Value>(body) {
        r["json"] = j;
    }
    let form: Map<String, Value> = form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect();
    r["form"] = Value::Object(form);
    r
}

fn run_steps(imp: &mut dyn Implementation, v: &Value, sb: &Sandbox) -> Result<Vec<Value>, String> {
    let mut results = Vec::new();
    let config = client_config(v, sb);
    let mut have_client = false;
    let steps = v["steps"].as_array().unwrap();
    if steps
        .iter()
        .any(|s| Operation::from_name(s["call"].as_str().unwrap()).is_some())
    {
        if let Err(e) = imp.new_client(&config) {
            return Err(format!("the config was refused: {e}"));
        }
        have_client = true;
    }
    for (i, step) in steps.iter().enumerate() {
        let call = step["call"].as_str().unwrap();
        let request = &step["request"];
        let body = || request["body"].as_str().unwrap_or("").as_bytes().to_vec();
        let got = match call {
            "parse_return" => imp.parse_return(&body()),
            "parse_noti" => imp.parse_noti(&body()),
            "new_client" => match imp.new_client(&config) {
                Ok(()) => {
                    imp.drop_client();
                    json!({"ok": true, "data": {}})
                }
                Err(e) => e,
            },
            op => imp.call(Operation::from_name(op).unwrap(), &request.to_string()),
        };
        subset(&step["expect"], Some(&got), &format!("steps[{i}] ({call})")).map_err(|e| {
            let shown: String = got.to_string().chars().take(800).collect();
            format!("{e}\n    got: {shown}")
        })?;
        results.push(got);
    }
    if have_client {
        imp.drop_client();
    }
    Ok(results)
}

fn replay(imp: &mut dyn Implementation, v: &Value, sb: &Sandbox) -> Result<(), String> {
    control(
        sb,
        reqwest::Method::POST,
        Some(json!({"gateway": v.get("gateway").cloned().unwrap_or_else(|| json!([]))})),
    );
    let results = run_steps(imp, v, sb)?;
    let record = control(sb, reqwest::Method::GET, None);
    if let Some(sent) = v.get("sent") {
        let got: Vec<Value> = record["requests"].as_array().unwrap().iter().map(as_sent).collect();
        subset(sent, Some(&Value::Array(got)), "sent")?;
        if record["remaining"] != 0 {
            return Err(format!("{} scripted answers were never asked for", record["remaining"]));
        }
    }
    let text = results.iter().map(Value::to_string).collect::<String>();
    for s in v["secrets"].as_array().into_iter().flatten() {
        let s = s.as_str().unwrap();
        if text.contains(s) {
            return Err(format!("the secret {s:?} appears in a result"));
        }
    }
    Ok(())
}

#[test]
fn every_vector_replays_through_the_rust_api_and_the_c_abi() {
    let vectors = load();
    let sb = common::sandbox();
    let mut failures = Vec::new();
    let mut implementations: [Box<dyn Implementation>; 2] = [Box::new(RustApi(None)), Box::new(CAbi(ptr::null_mut()))];
    for imp in implementations.iter_mut() {
        for v in &vectors {
            if let Err(e) = replay(imp.as_mut(), &v.v, &sb) {
                failures.push(format!("{} failed {} ({}): {e}", imp.name(), v.name(), v.file));
            }
        }
    }
    control(&sb, reqwest::Method::DELETE, None);
    assert!(
        failures.is_empty(),
        "{} vector failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_matcher_can_fail() {
    assert!(subset(&json!({"a": 1}), Some(&json!({"a": 1.0, "b": 2})), "$").is_ok());
    assert!(subset(&json!({"a": 1}), Some(&json!({"a": "1"})), "$").is_err());
    assert!(subset(&json!({"a": {"$absent": true}}), Some(&json!({"a": null})), "$").is_err());
    assert!(subset(&json!({"a": {"$absent": true}}), Some(&json!({})), "$").is_ok());
    assert!(subset(&json!({"a": {"$any": true}}), Some(&json!({})), "$").is_err());
    assert!(subset(&json!([1]), Some(&json!([1, 2])), "$").is_err());
}
