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
