//! Issue 21: a refund or charge whose answer was lost is never sent again on a guess. The journal
//! refuses the same call (exit 11) until a person settles it; exit codes tell `unknown` from
//! `not_applied`.

mod common;

use common::*;
use serde_json::json;

/// The reproduction: a partial refund's answer is lost (the sandbox refunds, then truncates its
/// answer) and the support person runs the same refund again. Before the journal that refunded
/// twice (4,000원 cancelled for two 2,000원 requests).
#[test]
fn a_lost_partial_refund_is_not_sent_twice() {
    let sb = sandbox();
    let tid = pay(&sb, "J-1001", 10000, "홍길동", "원두 정기배송");
    let state = tempdir("state");
    let env = demo_env_with_state(&sb, &state);
    let refund = [
        "-y",
        "cancel",
        tid.as_str(),
        "--reason",
        "고객 요청",
        "--amount",
        "2000",
    ];

    fault(&sb, "cancel", "truncate", json!({}));
    let r = run(&refund, &refs(&env));
    assert_eq!(r.code, 11, "a lost answer is exit 11 (unknown): {}", r.all());
    assert!(r.stderr.contains("Outcome UNKNOWN"), "{}", r.stderr);
    assert!(
        r.stderr.contains("dashboard") && r.stderr.contains("cookiepay unknown settle 1 --applied"),
        "the advice is what really settles a partial refund: {}",
        r.stderr
    );
    assert_eq!(count(&sb, "cancel"), 1);

    // The same refund again, as a support person would: refused, nothing sent.
    let r = run(&refund, &refs(&env));
    assert_eq!(r.code, 11, "{}", r.all());
    assert!(r.stderr.contains("refusing to send this again"), "{}", r.stderr);
    assert!(r.stderr.contains("dashboard"), "{}", r.stderr);
    let mut json_args = vec!["--json"];
    json_args.extend(refund);
    let r = run(&json_args, &refs(&env));
    assert_eq!(r.code, 11, "{}", r.all());
    assert_eq!(r.json()["error"]["kind"], "unsettled");
    assert_eq!(r.json()["error"]["entry"]["id"], 1);
    // Also on a terminal, before anyone is asked.
    let (code, _, tty) = run_on_tty(&refund[1..], &refs(&env), "y\n");
    assert_eq!(code, 11, "{tty}");
    assert!(!tty.contains("[y/N]"), "{tty}");
    assert_eq!(count(&sb, "cancel"), 1, "the refund was sent exactly once");
    assert_eq!(ledger(&sb, &tid)["CANCELLED_AMT"], "2000");

    // The journal lists it, privately.
    let r = run(&["--json", "unknown", "list"], &refs(&env));
    assert_eq!(r.code, 0, "{}", r.all());
    let entries = r.json()["data"]["entries"].clone();
    assert_eq!(entries.as_array().unwrap().len(), 1, "{entries}");
    assert_eq!(entries[0]["state"], "unknown");
    assert_eq!(entries[0]["amount"], 2000);
    let r = run(&["unknown", "list"], &refs(&env));
    assert!(
        r.stdout.contains("refund of 2,000원 of TID") && r.stdout.contains("unknown"),
        "{}",
        r.stdout
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(state.join("journal.json"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    // Another amount is another refund: asked about, with the unknown one in view.
    let (code, _, tty) = run_on_tty(
        &["cancel", &tid, "--reason", "x", "--amount", "3000"],
        &refs(&env),
        "n\n",
    );
    assert_eq!(code, 1, "{tty}");
    assert!(tty.contains("refunds of 2,000원 more have an unknown outcome"), "{tty}");

    // The dashboard lists the refund: settle it as applied. The next refund of 2,000원 is a new one
    // and goes through, and the prompt now counts what this tool refunded.
    let r = run(&["unknown", "settle", "1", "--applied"], &refs(&env));
    assert_eq!(r.code, 0, "{}", r.all());
    let r = run(&["--json", "unknown", "list"], &refs(&env));
    assert_eq!(r.json()["data"]["entries"], json!([]));
    let (code, stdout, tty) = run_on_tty(&refund[1..], &refs(&env), "y\n");
    assert_eq!(code, 0, "{stdout}\n{tty}");
    assert!(
        tty.contains("Left to refund: at most 8,000원; 2,000원 of it was refunded with this tool"),
        "{tty}"
    );
    assert!(tty.contains("홍길동"), "{tty}");
    assert_eq!(count(&sb, "cancel"), 2);
    assert_eq!(ledger(&sb, &tid)["CANCELLED_AMT"], "4000");
    // Settling twice is refused.
    let r = run(&["unknown", "settle", "1", "--not-applied"], &refs(&env));
    assert_eq!(r.code, 2, "{}", r.all());
}

/// A refund that never reached CookiePay's books (connection reset after sending): the person
/// finds no refund, settles it as not applied, and the retry refunds once.
#[test]
fn settled_as_not_applied_the_refund_can_be_sent_again() {
    let sb = sandbox();
    let tid = pay(&sb, "J-2001", 10000, "김민지", "정기구독");
    let state = tempdir("state");
    let env = demo_env_with_state(&sb, &state);
    let refund = ["-y", "cancel", tid.as_str(), "--reason", "x", "--amount", "2,000원"];
    fault(&sb, "cancel", "reset", json!({}));
    let r = run(&refund, &refs(&env));
    assert_eq!(r.code, 11, "{}", r.all());
    // 2000 written differently is still the same refund.
    let r = run(
        &["-y", "cancel", &tid, "--reason", "other", "--amount", "2000"],
        &refs(&env),
    );
    assert_eq!(r.code, 11, "{}", r.all());
    assert_eq!(count(&sb, "cancel"), 1);
    assert_eq!(ledger(&sb, &tid)["CANCELLED_AMT"], "0");

    let r = run(&["unknown", "settle", "1", "--not-applied"], &refs(&env));
    assert_eq!(r.code, 0, "{}", r.all());
    let r = run(&refund, &refs(&env));
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(count(&sb, "cancel"), 2);
    assert_eq!(ledger(&sb, &tid)["CANCELLED_AMT"], "2000");
}

/// A full refund is settled by paycert: CANCELDATE set means it took effect.
#[test]
fn a_lost_full_refund_points_at_paycerts_canceldate() {
    let sb = sandbox();
    let tid = pay(&sb, "J-3001", 5000, "이영희", "드립백");
    let state = tempdir("state");
    let env = demo_env_with_state(&sb, &state);
    fault(&sb, "cancel", "truncate", json!({}));
    let full = ["-y", "cancel", tid.as_str(), "--reason", "x"];
    let r = run(&full, &refs(&env));
    assert_eq!(r.code, 11, "{}", r.all());
    assert!(
        r.stderr.contains("CANCELDATE") && r.stderr.contains(&format!("cookiepay paycert {tid}")),
        "{}",
        r.stderr
    );
    let r = run(&full, &refs(&env));
    assert_eq!(r.code, 11, "{}", r.all());
    assert!(
        r.stderr.contains("paycert shows CANCELDATE") && r.stderr.contains("settle 1 --applied"),
        "what is known is said: {}",
        r.stderr
    );
    assert_eq!(count(&sb, "cancel"), 1);
    // Settled, the same call may be sent: a full refund of a cancelled payment refunds nothing.
    let r = run(&["unknown", "settle", "1", "--applied"], &refs(&env));
    assert_eq!(r.code, 0, "{}", r.all());
    let r = run(&full, &refs(&env));
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.contains("already cancelled"), "{}", r.stdout);
}

/// `not_applied` (nothing reached CookiePay) keeps its own exit code and blocks nothing.
#[test]
fn not_applied_is_not_unknown() {
    let sb = sandbox();
    let tid = pay(&sb, "J-4001", 3000, "박민수", "구독");
    let state = tempdir("state");
    // Port 1 (tcpmux): nothing listens there, and unlike a port just freed no parallel test can be
    // handed it.
    let dead = "http://127.0.0.1:1".to_string();
    let st = state.to_str().unwrap();
    let env = [
        ("COOKIEPAY_BASE_URL", dead.as_str()),
        ("COOKIEPAY_API_ID", ID),
        ("COOKIEPAY_API_KEY", KEY),
        ("COOKIEPAY_STATE_DIR", st),
    ];
    for _ in 0..2 {
        let r = run(
            &["-y", "--json", "cancel", &tid, "--reason", "x", "--amount", "1000"],
            &env,
        );
        assert_eq!(r.code, 6, "{}", r.all());
        assert_eq!(r.json()["error"]["outcome"], "not_applied");
    }
    let r = run(&["--json", "unknown", "list"], &env);
    assert_eq!(r.json()["data"]["entries"], json!([]));
    let r = run(&["--json", "unknown", "list", "--all"], &env);
    assert_eq!(r.json()["data"]["entries"][0]["state"], "not_applied", "{}", r.stdout);
}

/// The journal is refused when it is a symlink or readable by others: and then nothing is sent.
#[test]
fn an_unsafe_journal_sends_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let sb = sandbox();
    let tid = pay(&sb, "J-5001", 3000, "최지우", "구독");
    let state = tempdir("state");
    let env = demo_env_with_state(&sb, &state);
    let elsewhere = tempdir("elsewhere").join("j.json");
    std::fs::write(&elsewhere, "{}").unwrap();
    std::fs::set_permissions(&elsewhere, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::os::unix::fs::symlink(&elsewhere, state.join("journal.json")).unwrap();
    let r = run(&["-y", "cancel", &tid, "--reason", "x"], &refs(&env));
    assert_eq!(r.code, 10, "{}", r.all());
    assert!(
        r.stderr.contains("symbolic link") && r.stderr.contains("nothing was sent"),
        "{}",
        r.stderr
    );
    std::fs::remove_file(state.join("journal.json")).unwrap();
    std::fs::write(state.join("journal.json"), r#"{"version":1,"next_id":1,"entries":[]}"#).unwrap();
    std::fs::set_permissions(state.join("journal.json"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let r = run(&["-y", "cancel", &tid, "--reason", "x"], &refs(&env));
    assert_eq!(r.code, 10, "{}", r.all());
    assert!(r.stderr.contains("chmod 600"), "{}", r.stderr);
    std::fs::write(state.join("journal.json"), "not json").unwrap();
    std::fs::set_permissions(state.join("journal.json"), std::fs::Permissions::from_mode(0o600)).unwrap();
    let r = run(&["-y", "cancel", &tid, "--reason", "x"], &refs(&env));
    assert_eq!(r.code, 10, "a damaged journal is not silently replaced: {}", r.all());
    assert_eq!(count(&sb, "cancel"), 0);
    assert_eq!(
        std::fs::read_to_string(&elsewhere).unwrap(),
        "{}",
        "the symlink's target is untouched"
    );
}

/// A refund still being sent by another run (or by one killed mid-call) blocks the same refund:
/// the journal entry is written before the request leaves.
#[test]
fn a_refund_in_flight_blocks_its_twin() {
    let sb = sandbox();
    let tid = pay(&sb, "J-6001", 10000, "정하늘", "구독");
    let state = tempdir("state");
    let env = demo_env_with_state(&sb, &state);
    // CookiePay holds the first answer long enough for a second run to come along.
    fault(&sb, "cancel", "delay", json!({"delay_ms": 8000}));
    let refund = ["-y", "cancel", tid.as_str(), "--reason", "x", "--amount", "1000"];
    let first = command(&refund, &refs(&env))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while count(&sb, "cancel") == 0 {
        assert!(std::time::Instant::now() < deadline, "the first refund never arrived");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let r = run(&refund, &refs(&env));
    assert_eq!(r.code, 11, "{}", r.all());
    assert!(r.stderr.contains("was being sent"), "{}", r.stderr);
    let first: Run = first.wait_with_output().unwrap().into();
    assert_eq!(first.code, 0, "{}", first.all());
    assert_eq!(count(&sb, "cancel"), 1);
    assert_eq!(ledger(&sb, &tid)["CANCELLED_AMT"], "1000");
    // Once it finished, the same refund is a new one again.
    let r = run(&refund, &refs(&env));
    assert_eq!(r.code, 0, "{}", r.all());
}
