//! The performance guard (issue 14), structural rather than timed: a call runs on the caller's thread
//! from request to answer. No library thread is started, so there is no hand-off per call (the old
//! blocking client's two context switches) and nothing to lose across fork(). If a change brings an
//! I/O thread back, the thread count of this process grows and this test fails.

use cookiepay::{Client, Operation};
use cookiepay_sandbox::{Options, Sandbox, DEMO_API_ID, DEMO_API_KEY};
use serde_json::{json, Value};

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").map(|d| d.count()).unwrap_or(0)
}

#[test]
fn calls_run_on_the_calling_thread() {
    let sb = Sandbox::start(Options::default()).unwrap();
    let before = threads();
    assert!(before > 1, "cannot count this process's threads");
    let config = json!({"base_url": sb.http_url(), "api_id": DEMO_API_ID, "api_key": DEMO_API_KEY, "shared": false});
    let client = Client::from_json(&config.to_string()).unwrap();
    for _ in 0..50 {
        let out: Value = serde_json::from_str(&client.call(Operation::Token, "{}")).unwrap();
        assert_eq!(out["ok"], true);
        let out: Value = serde_json::from_str(&client.call(Operation::Paycert, r#"{"tid":"SBX-NONE"}"#)).unwrap();
        assert_eq!(out["error"]["kind"], "api");
    }
    // The sandbox serves from a fixed set of runtime threads; the client adds none.
    assert_eq!(threads(), before, "a call started a thread");
}
