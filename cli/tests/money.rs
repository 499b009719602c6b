//! Money calls: the confirmation prompt on a real (pseudo-)terminal, refusal without one, and what an
//! unknown outcome prints.

mod common;

use common::*;
use serde_json::json;

fn env_of(sb: &cookiepay_sandbox::Sandbox) -> Vec<(&'static str, String)> {
    let mut env = demo_env(sb);
    env.push(("COOKIEPAY_BILLKEY", "BK0123456789ABCDEFGH".into()));
    env
}

#[test]
fn answering_no_sends_nothing() {
    let sb = sandbox();
    let tid = pay(&sb, "M-1001", 10000, "홍길동", "정기구독");
    let env = env_of(&sb);
    let (code, stdout, tty) = run_on_tty(
        &["cancel", &tid, "--reason", "고객 요청", "--amount", "5000"],
        &refs(&env),
        "n\n",
    );
    assert_eq!(code, 1, "{stdout}\n{tty}");
    assert!(
        tty.contains(&format!("Refund 5,000원 of 10,000원 paid with TID {tid}")),
        "{tty}"
    );
    assert!(
        tty.contains("홍길동") && tty.contains("[y/N]") && tty.contains("nothing was sent"),
        "{tty}"
    );
    assert_eq!(count(&sb, "cancel"), 0);
    let (code, stdout, _) = run_on_tty(&["--json", "cancel", &tid, "--reason", "x"], &refs(&env), "no\n");
    assert_eq!(code, 1);
    assert!(stdout.contains(r#""kind":"aborted""#), "{stdout}");
    // Enter alone is "no" as well.
    let (code, _, _) = run_on_tty(&["cancel", &tid, "--reason", "x"], &refs(&env), "\n");
    assert_eq!(code, 1);
    assert_eq!(count(&sb, "cancel"), 0);
}

#[test]
fn answering_yes_sends_once() {
    let sb = sandbox();
    let tid = pay(&sb, "M-2001", 10000, "김철수", "정기구독");
    let env = env_of(&sb);
    let (code, stdout, tty) = run_on_tty(
        &["cancel", &tid, "--reason", "고객 요청", "--amount", "5000"],
        &refs(&env),
        "y\n",
    );
    assert_eq!(code, 0, "{stdout}\n{tty}");
    assert!(stdout.contains("Refunded 5,000원"), "{stdout}");
    assert_eq!(count(&sb, "cancel"), 1);
}

#[test]
fn no_terminal_and_no_yes_is_refused() {
    let sb = sandbox();
    let tid = pay(&sb, "M-3001", 10000, "이영희", "정기구독");
    for args in [
        &["cancel", &tid, "--reason", "x"][..],
        &["charge", "--reserve-id", "R1"],
        &["schedule-cancel", "--reserve-id", "R1"],
        &["billkey-delete"],
    ] {
        let env = env_of(&sb);
        let r = run(args, &refs(&env));
        assert_eq!(r.code, 2, "{args:?}: {}", r.all());
        assert!(r.stderr.contains("--yes"), "{}", r.stderr);
        // stdin "y" on a pipe is not a person answering.
        let env = env_of(&sb);
        let r = run_stdin(args, &refs(&env), "y\n");
        assert_eq!(r.code, 2, "{}", r.all());
    }
    for ep in [
        "cancel",
        "recurring_charge",
        "schedule_cancel",
        "billkey_delete",
        "paycert",
    ] {
        assert_eq!(count(&sb, ep), 0, "{ep} was sent");
    }
    let r = with_demo(&sb, &["--yes", "--json", "cancel", &tid, "--reason", "x"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.json()["ok"], true);
    assert_eq!(count(&sb, "cancel"), 1);
}

#[test]
fn unknown_outcome_names_the_command_that_settles_it() {
    let sb = sandbox();
    let tid = pay(&sb, "M-4001", 10000, "박민수", "정기구독");
    fault(&sb, "cancel", "delay", json!({"delay_ms": 4000, "count": 2}));
    let mut env = env_of(&sb);
    // Long enough for the TOKEN fetched before every money call on a busy machine, short of the delay.
    env.push(("COOKIEPAY_TIMEOUT_MS", "1500".into()));
    let r = run(&["-y", "cancel", &tid, "--reason", "x"], &refs(&env));
    assert_eq!(r.code, 11, "unknown is exit 11, whatever the error kind: {}", r.all());
    assert!(r.stderr.contains("UNKNOWN"), "{}", r.stderr);
    // A full refund is settled by paycert's CANCELDATE.
    assert!(
        r.stderr.contains(&format!("cookiepay paycert {tid}")) && r.stderr.contains("CANCELDATE"),
        "{}",
        r.stderr
    );
    let r = run(&["-y", "--json", "cancel", &tid, "--reason", "x"], &refs(&env));
    assert_eq!(r.json()["error"]["outcome"], "unknown", "{}", r.all());
}
