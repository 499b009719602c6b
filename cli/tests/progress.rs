//! The progress line for slow calls: shown on a terminal and erased afterwards, never written
//! when stderr is not a terminal (scripts and pipes see no change).

mod common;

use common::*;
use serde_json::json;

/// Long enough that the indicator (after 0.3 s) shows even on a busy machine.
const SLOW_MS: u64 = 2500;
const INDICATOR: &str = "waiting for CookiePay: paycert";

/// What a terminal shows at the end: each line with its carriage returns applied (a `\r` moves
/// back to the line's start and what follows overwrites it), trailing blanks dropped.
fn screen(raw: &str) -> Vec<String> {
    raw.split('\n')
        .map(|line| {
            let mut cells: Vec<char> = Vec::new();
            let mut col = 0;
            for c in line.chars() {
                if c == '\r' {
                    col = 0;
                    continue;
                }
                if col < cells.len() {
                    cells[col] = c;
                } else {
                    cells.push(c);
                }
                col += 1;
            }
            cells.into_iter().collect::<String>().trim_end().to_string()
        })
        .collect()
}

#[test]
fn a_slow_call_shows_the_indicator_on_a_terminal_and_erases_it() {
    let sb = sandbox();
    let tid = pay(&sb, "P-1", 5000, "홍길동", "커피");
    fault(&sb, "paycert", "delay", json!({ "delay_ms": SLOW_MS }));
    let env = demo_env(&sb);
    let (code, stdout, tty) = run_on_tty(&["paycert", &tid], &refs(&env), "");
    assert_eq!(code, 0, "{stdout}\n{tty}");
    assert!(stdout.contains(&tid), "{stdout}");
    assert!(
        tty.contains(INDICATOR),
        "no indicator during a {SLOW_MS} ms call:\n{tty:?}"
    );
    let shown = screen(&tty);
    assert!(
        shown.iter().all(|l| !l.contains("waiting for CookiePay")),
        "the indicator was left on the screen: {shown:?}\nraw: {tty:?}"
    );
    // The indicator is stderr's only output here, and nothing of it went to stdout.
    assert!(!stdout.contains("waiting"), "{stdout}");
    assert_no_secrets(&tty);
}

#[test]
fn the_exchange_log_is_written_above_the_indicator() {
    let sb = sandbox();
    let tid = pay(&sb, "P-2", 5000, "홍길동", "커피");
    fault(&sb, "paycert", "delay", json!({ "delay_ms": SLOW_MS }));
    let env = demo_env(&sb);
    let (code, stdout, tty) = run_on_tty(&["-v", "paycert", &tid], &refs(&env), "");
    assert_eq!(code, 0, "{stdout}\n{tty}");
    assert!(tty.contains(INDICATOR), "{tty:?}");
    let shown = screen(&tty);
    // The log's lines start at the line's start, whole: the indicator was cleared before each.
    let request = shown
        .iter()
        .find(|l| l.contains("/paycert"))
        .unwrap_or_else(|| panic!("{shown:?}"));
    assert!(request.starts_with("> POST "), "{request:?} in {shown:?}");
    assert!(shown.iter().any(|l| l.starts_with("< 200 in ")), "{shown:?}");
    assert!(shown.iter().all(|l| !l.contains("waiting for CookiePay")), "{shown:?}");
    assert_no_secrets(&tty);
}

#[test]
fn without_a_terminal_a_slow_call_prints_exactly_what_a_fast_one_does() {
    let sb = sandbox();
    let tid = pay(&sb, "P-3", 5000, "홍길동", "정기구독 1개월");
    let fast = with_demo(&sb, &["paycert", &tid]);
    fault(&sb, "paycert", "delay", json!({ "delay_ms": 1000 }));
    let slow = with_demo(&sb, &["paycert", &tid]);
    assert_eq!(count(&sb, "paycert"), 2);
    assert_eq!((slow.code, fast.code), (0, 0), "{}\n{}", slow.all(), fast.all());
    assert_eq!(slow.stdout, fast.stdout);
    assert_eq!(slow.stderr, "", "stderr of a slow call piped: {:?}", slow.stderr);
    assert_eq!(fast.stderr, "");
}
