//! Faults, timeouts, retries, concurrency and fork, driven through the sandbox's fault injection and
//! checked with its request counters.

mod common;

use std::time::{Duration, Instant};

use common::*;
use cookiepay::Operation;
use serde_json::json;

#[test]
fn paycert_is_retried_on_500_and_gives_up_after_two_retries() {
    let sb = sandbox();
    let client = client(&sb);
    let paid = pay(&sb, &client, 1000);
    ok(call(&client, Operation::Token, json!({})));

    fault(&sb, "paycert", "http_500", 2, json!({}));
    ok(call(&client, Operation::Paycert, json!({"tid": paid.tid})));
    assert_eq!(count(&sb, "paycert"), 3);

    control(&sb, "reset", Some(json!({})));
    fault(&sb, "paycert", "http_500", 5, json!({}));
    let e = err(call(&client, Operation::Paycert, json!({"tid": paid.tid})), "http");
    assert_eq!(e["status"], 500);
    assert_eq!(count(&sb, "paycert"), 3);
}

#[test]
fn paycert_is_retried_after_a_reset_or_a_truncated_answer() {
    let sb = sandbox();
    let client = client(&sb);
    let paid = pay(&sb, &client, 1000);
    ok(call(&client, Operation::Token, json!({})));
    for mode in ["reset", "truncate"] {
        control(&sb, "reset", Some(json!({})));
        fault(&sb, "paycert", mode, 1, json!({}));
        ok(call(&client, Operation::Paycert, json!({"tid": paid.tid})));
        assert_eq!(count(&sb, "paycert"), 2, "{mode}");
    }
}

#[test]
fn ready_is_sent_exactly_once_whatever_happens() {
    let sb = sandbox();
    let client = client(&sb);
    for (mode, kind) in [("http_500", "http"), ("reset", "network"), ("truncate", "network")] {
        control(&sb, "reset", Some(json!({})));
        fault(&sb, "ready", mode, 3, json!({}));
        let e = err(call(&client, Operation::Ready, order(1000)), kind);
        if kind == "network" {
            assert_eq!(e["phase"], "read");
            assert_eq!(e["outcome"], "unknown", "{mode}: the window may have been opened");
        }
        assert_eq!(count(&sb, "ready"), 1, "{mode}");
    }
}

#[test]
fn a_slow_ready_times_out_within_its_bound_with_outcome_unknown() {
    let sb = sandbox();
    let client = client_with(&sb, json!({"timeout_ms": 400}));
    fault(&sb, "ready", "delay", 1, json!({"delay_ms": 2000}));
    let started = Instant::now();
    let e = err(call(&client, Operation::Ready, order(1000)), "timeout");
    let took = started.elapsed();
    assert_eq!(e["outcome"], "unknown");
    assert!(took < Duration::from_millis(1500), "took {took:?}");
    assert_eq!(count(&sb, "ready"), 1);
}

#[test]
fn a_slow_paycert_times_out_as_not_applied_and_is_not_retried() {
    let sb = sandbox();
    let client = client_with(&sb, json!({"timeout_ms": 400}));
    let paid = pay(&sb, &client, 1000);
    ok(call(&client, Operation::Token, json!({})));
    fault(&sb, "paycert", "delay", 1, json!({"delay_ms": 2000}));
    let started = Instant::now();
    let e = err(call(&client, Operation::Paycert, json!({"tid": paid.tid})), "timeout");
    assert_eq!(e["outcome"], "not_applied");
    assert!(started.elapsed() < Duration::from_millis(1500));
    assert_eq!(count(&sb, "paycert"), 1);
}

#[test]
fn unreadable_answers_are_decode_or_http_errors() {
    let sb = sandbox();
    let client = client(&sb);
    let paid = pay(&sb, &client, 1000);
    ok(call(&client, Operation::Token, json!({})));

    fault(&sb, "paycert", "invalid_json", 1, json!({}));
    let e = err(call(&client, Operation::Paycert, json!({"tid": paid.tid})), "decode");
    assert!(!e["excerpt"].as_str().unwrap().is_empty());

    fault(&sb, "paycert", "huge_body", 1, json!({"size_bytes": 3 * 1024 * 1024}));
    let e = err(call(&client, Operation::Paycert, json!({"tid": paid.tid})), "decode");
    assert!(e["message"].as_str().unwrap().contains("larger than"));

    fault(&sb, "paycert", "wrong_content_type", 1, json!({}));
    let e = err(call(&client, Operation::Paycert, json!({"tid": paid.tid})), "http");
    assert!(e["excerpt"].as_str().unwrap().to_ascii_lowercase().contains("<html"));

    fault(&sb, "decrypt", "invalid_json", 1, json!({}));
    err(
        call(
            &client,
            Operation::Decrypt,
            json!({"ENC_DATA": paid.payment["BILLKEY"]}),
        ),
        "decode",
    );

    fault(&sb, "token", "http_500", 3, json!({}));
    err(call(&client, Operation::Token, json!({"force_refresh": true})), "http");
    assert_eq!(control(&sb, "stats", None)["requests"]["token"]["total"], 4);
}

#[test]
fn connection_failures_say_which_phase() {
    // A port nobody listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let closed =
        cookiepay::Client::from_json(&config(&format!("http://127.0.0.1:{port}"), json!({"max_retries": 0}))).unwrap();
    let e = err(call(&closed, Operation::Token, json!({})), "network");
    assert_eq!(e["phase"], "connect");
    assert_eq!(e["outcome"], "not_applied");

    let nowhere =
        cookiepay::Client::from_json(&config("http://no-such-host.invalid", json!({"max_retries": 0}))).unwrap();
    let e = err(call(&nowhere, Operation::Token, json!({})), "network");
    assert_eq!(e["phase"], "dns");
}

#[test]
fn sixteen_threads_share_one_client() {
    let sb = sandbox();
    let client = client(&sb);
    let payments: Vec<Paid> = (0..16).map(|i| pay(&sb, &client, 1000 + i)).collect();
    control(&sb, "reset", Some(json!({})));
    std::thread::scope(|scope| {
        for paid in &payments {
            let client = &client;
            scope.spawn(move || {
                for _ in 0..200 {
                    let cert = ok(call(client, Operation::Paycert, json!({"tid": paid.tid})));
                    assert_eq!(cert["ORDERNO"], paid.orderno.as_str());
                    assert_eq!(cert["AMOUNT"], paid.amount.to_string());
                }
            });
        }
    });
    assert_eq!(count(&sb, "paycert"), 3200);
    // All 16 threads started with an empty cache, yet they shared one refresh.
    assert_eq!(count(&sb, "token"), 1);
}

#[test]
fn a_forked_child_uses_a_client_its_parent_used() {
    let sb = sandbox();
    let client = client(&sb);
    let paid = pay(&sb, &client, 777);
    ok(call(&client, Operation::Paycert, json!({"tid": paid.tid})));

    // SAFETY: the child only uses the client and then _exits; it never returns into the test harness.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let out = client.call(Operation::Paycert, &json!({"tid": paid.tid}).to_string());
        let good = out.contains("\"ok\":true") && out.contains("\"AMOUNT\":\"777\"");
        unsafe { libc::_exit(if good { 0 } else { 1 }) };
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut status = 0;
    loop {
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if r == pid {
            break;
        }
        if Instant::now() > deadline {
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("the forked child hung using its parent's client");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "child failed: status {status}"
    );
    // And the parent's client still works.
    ok(call(&client, Operation::Paycert, json!({"tid": paid.tid})));
}

// ---- calls that change state: sent once, a lost answer is unknown, and the advice settles it ----

/// The faults after which the request reached the sandbox but its answer was lost, and the error kind.
/// `truncate` and `delay` were processed; `reset` was read, then dropped unprocessed.
const LOST_ANSWERS: [(&str, &str); 3] = [("truncate", "network"), ("reset", "network"), ("delay", "timeout")];

fn subscribe(client: &cookiepay::Client) -> serde_json::Value {
    ok(call(
        client,
        Operation::Billkeygen,
        json!({
            "ORDERNO": unique_order(), "PRODUCTNAME": "구독", "AMOUNT": 5000, "BUYERNAME": "홍길동",
            "CARDNO": CARD_OK, "EXPIREDT": "3012", "CARDAUTH": "900101", "CARDPWD": "12",
            "RECURRENCE_PAY": "Y", "RECURRENCE_TYPE": "M", "PAY_DAY": "01", "START_PAY_CNT": "1", "LAST_PAY_CNT": "0"
        }),
    ))
}

/// The sandbox's record of a schedule (what CookiePay's dashboard would show).
fn subscription(sb: &cookiepay_sandbox::Sandbox, reserve_id: &serde_json::Value) -> serde_json::Value {
    control(sb, "subscriptions", None)["subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["RESERVE_ID"] == *reserve_id)
        .cloned()
        .expect("the schedule is listed")
}

/// What an unknown-outcome error's message says settles it (the text after "may have taken effect: ").
fn advice_of(error: &serde_json::Value) -> String {
    let message = error["message"].as_str().unwrap();
    let (_, advice) = message
        .split_once("may have taken effect: ")
        .unwrap_or_else(|| panic!("no advice in {message}"));
    advice.to_owned()
}

/// Wait for something the sandbox does late (a delayed request is processed after the client gave up).
fn wait_until(what: &str, mut happened: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !happened() {
        assert!(Instant::now() < deadline, "{what} never happened");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_schedule_cancel_whose_answer_is_lost_is_sent_once_and_unknown_and_sending_it_again_settles_it() {
    let sb = sandbox();
    let client = client_with(&sb, json!({"timeout_ms": 500, "max_retries": 3}));
    for (mode, kind) in LOST_ANSWERS {
        let signed_up = subscribe(&client);
        let reserve_id = &signed_up["RESERVE_ID"];
        control(&sb, "reset", Some(json!({})));
        fault(&sb, "schedule_cancel", mode, 1, json!({"delay_ms": 1500}));
        let e = err(
            call(&client, Operation::ScheduleCancel, json!({"RESERVE_ID": reserve_id})),
            kind,
        );
        assert_eq!(e["outcome"], "unknown", "{mode}: {e}");
        assert_eq!(count(&sb, "schedule_cancel"), 1, "{mode}: sent more than once");
        let message = e["message"].as_str().unwrap();
        assert!(
            message.contains("may have taken effect: send schedule_cancel again"),
            "{mode}: {message}"
        );

        // The advice settles it: sent again, the answer says whether the lost one had cancelled it.
        let processed = mode != "reset";
        if processed {
            wait_until("the lost cancel", || {
                subscription(&sb, reserve_id)["status"] == "cancelled"
            });
        }
        let again = ok(call(
            &client,
            Operation::ScheduleCancel,
            json!({"RESERVE_ID": reserve_id}),
        ));
        assert_eq!(again["already_cancelled"], processed, "{mode}: {again}");
        assert_eq!(subscription(&sb, reserve_id)["status"], "cancelled", "{mode}");
    }
}

#[test]
fn a_billkey_delete_whose_answer_is_lost_is_sent_once_and_unknown() {
    let sb = sandbox();
    let client = client_with(&sb, json!({"timeout_ms": 500, "max_retries": 3}));
    for (mode, kind) in LOST_ANSWERS {
        let signed_up = subscribe(&client);
        let reserve_id = &signed_up["RESERVE_ID"];
        control(&sb, "reset", Some(json!({})));
        fault(&sb, "billkey_delete", mode, 1, json!({"delay_ms": 1500}));
        let e = err(
            call(
                &client,
                Operation::BillkeyDelete,
                json!({"BILLKEY": signed_up["BILLKEY"]}),
            ),
            kind,
        );
        assert_eq!(e["outcome"], "unknown", "{mode}: {e}");
        assert_eq!(count(&sb, "billkey_delete"), 1, "{mode}: sent more than once");
        // Nothing public tells whether a key was disposed of: the advice is the dashboard, never a lookup.
        let advice = advice_of(&e);
        assert!(
            advice.contains("dashboard") && !advice.contains("paysearch"),
            "{mode}: {advice}"
        );

        // The dashboard (the sandbox's record) does tell.
        if mode == "reset" {
            assert!(subscription(&sb, reserve_id)["billkey_deleted_at"].is_null(), "{mode}");
        } else {
            wait_until("the lost delete", || {
                subscription(&sb, reserve_id)["billkey_deleted_at"].is_string()
            });
            // Disposed of by the lost call: a new call is told so, as an error with a hint, never as
            // its own success.
            let again = err(
                call(
                    &client,
                    Operation::BillkeyDelete,
                    json!({"BILLKEY": signed_up["BILLKEY"]}),
                ),
                "api",
            );
            assert!(again["hint"].as_str().unwrap().contains("before this call"), "{again}");
        }
    }
}

#[test]
fn a_lost_refund_is_settled_by_paycert_when_full_and_by_the_dashboard_when_partial() {
    let sb = sandbox();
    let client = client_with(&sb, json!({"timeout_ms": 500, "max_retries": 3}));
    for partial in [false, true] {
        let paid = pay(&sb, &client, 10_000);
        control(&sb, "reset", Some(json!({})));
        fault(&sb, "cancel", "delay", 1, json!({"delay_ms": 1500}));
        let mut refund = json!({"tid": paid.tid, "reason": "환불"});
        if partial {
            refund["amount"] = json!(3000);
        }
        let e = err(call(&client, Operation::Cancel, refund), "timeout");
        assert_eq!(e["outcome"], "unknown");
        assert_eq!(count(&sb, "cancel"), 1);
        let hint = advice_of(&e);
        let payment = || {
            control(&sb, "payments", None)["payments"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["TID"] == paid.tid.as_str())
                .cloned()
                .unwrap()
        };
        wait_until("the lost refund", || payment()["CANCELLED_AMT"] != "0");
        let cert = ok(call(&client, Operation::Paycert, json!({"tid": paid.tid})));
        if partial {
            // paycert cannot tell a partial refund happened: the advice must not send anyone there.
            assert_eq!(cert["CANCELDATE"], "", "{cert}");
            assert!(hint.contains("dashboard") && !hint.contains("paycert with"), "{hint}");
        } else {
            // What the advice says to look at does tell.
            assert!(hint.contains("paycert") && hint.contains("CANCELDATE"), "{hint}");
            assert_ne!(cert["CANCELDATE"], "", "{cert}");
        }
    }
}
