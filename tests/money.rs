//! Calls that move money are sent exactly once, whatever the network or the gateway does, and a lost
//! answer says "outcome unknown" — checked with the sandbox's request counters under every fault.

mod common;

use common::*;
use cookiepay::Operation;
use serde_json::{json, Value};

fn signup_request() -> Value {
    json!({
        "ORDERNO": unique_order(), "PRODUCTNAME": "구독", "AMOUNT": 5000, "BUYERNAME": "홍길동",
        "CARDNO": CARD_OK, "EXPIREDT": "3012", "CARDAUTH": "900101", "CARDPWD": "12",
        "RECURRENCE_PAY": "Y", "RECURRENCE_TYPE": "M", "PAY_DAY": "01", "START_PAY_CNT": "1", "LAST_PAY_CNT": "0"
    })
}

/// Each fault, and what the caller must be told: the kind, and whether it may have taken effect.
const FAULTS: [(&str, &str, &str); 4] = [
    ("reset", "network", "unknown"),
    ("truncate", "network", "unknown"),
    ("http_500", "http", "unknown"),
    ("delay", "timeout", "unknown"),
];

fn exactly_once(endpoint: &str, op: Operation, request: impl Fn() -> Value) {
    let sb = sandbox();
    let client = client_with(&sb, json!({"timeout_ms": 500, "max_retries": 3}));
    for (mode, kind, outcome) in FAULTS {
        control(&sb, "reset", Some(json!({})));
        fault(&sb, endpoint, mode, 3, json!({"delay_ms": 1500}));
        let e = err(call(&client, op, request()), kind);
        assert_eq!(e["outcome"], outcome, "{endpoint}/{mode}: {e}");
        assert_eq!(count(&sb, endpoint), 1, "{endpoint}/{mode}: sent more than once");
    }
}

#[test]
fn billkeygen_is_sent_exactly_once() {
    exactly_once("billkeygen", Operation::Billkeygen, signup_request);
}

#[test]
fn a_recurring_charge_is_sent_exactly_once() {
    let sb = sandbox();
    let client = client_with(&sb, json!({"timeout_ms": 500, "max_retries": 3}));
    let data = ok(call(&client, Operation::Billkeygen, signup_request()));
    let ids = json!({"RESERVE_ID": data["RESERVE_ID"], "BILLKEY": data["BILLKEY"]});
    for (mode, kind, outcome) in FAULTS {
        control(&sb, "reset", Some(json!({})));
        fault(&sb, "recurring_charge", mode, 3, json!({"delay_ms": 1500}));
        let e = err(call(&client, Operation::RecurringCharge, ids.clone()), kind);
        assert_eq!(e["outcome"], outcome, "{mode}: {e}");
        assert_eq!(count(&sb, "recurring_charge"), 1, "{mode}: sent more than once");
    }
}

#[test]
fn a_cancel_is_sent_exactly_once() {
    let sb = sandbox();
    let client = client_with(&sb, json!({"timeout_ms": 500, "max_retries": 3}));
    let data = ok(call(&client, Operation::Billkeygen, signup_request()));
    for (mode, kind, outcome) in FAULTS {
        control(&sb, "reset", Some(json!({})));
        fault(&sb, "cancel", mode, 3, json!({"delay_ms": 1500}));
        let e = err(
            call(
                &client,
                Operation::Cancel,
                json!({"tid": data["TID"], "reason": "환불", "amount": 100}),
            ),
            kind,
        );
        assert_eq!(e["outcome"], outcome, "{mode}: {e}");
        assert_eq!(count(&sb, "cancel"), 1, "{mode}: sent more than once");
    }
}

#[test]
fn a_money_call_survives_a_revoked_token_because_it_fetches_its_own() {
    let sb = sandbox();
    let client = client(&sb);
    ok(call(&client, Operation::Token, json!({})));
    control(&sb, "tokens/revoke", Some(json!({})));
    let data = ok(call(&client, Operation::Billkeygen, signup_request()));
    assert_eq!(data["charged"], true);
    assert_eq!(count(&sb, "billkeygen"), 1);
}

#[test]
fn reads_are_still_retried() {
    let sb = sandbox();
    let client = client_with(&sb, json!({"max_retries": 2}));
    let data = ok(call(&client, Operation::Billkeygen, signup_request()));
    control(&sb, "reset", Some(json!({})));
    fault(&sb, "paysearch", "http_500", 1, json!({}));
    ok(call(&client, Operation::Paysearch, json!({"tid": data["TID"]})));
    assert_eq!(count(&sb, "paysearch"), 2);
    // schedule_cancel and billkey_delete change state: sent once (tests/reliability.rs).
}
