//! search, receipt, cancel, charge and schedule-cancel against the sandbox's lifecycle endpoints.

mod common;

use common::*;
use serde_json::json;

#[test]
fn search_by_tid_and_by_dates() {
    let sb = sandbox();
    let t1 = pay(&sb, "S-1001", 12000, "홍길동", "정기구독 1개월");
    let t2 = pay(&sb, "S-1002", 900, "Kim", "커피");
    let r = with_demo(&sb, &["search", "--tid", &t1]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.contains(&t1) && !r.stdout.contains(&t2), "{}", r.stdout);
    assert!(
        r.stdout.contains("홍길동") && r.stdout.contains("12,000원") && r.stdout.contains("1 payment"),
        "{}",
        r.stdout
    );

    let today = {
        let j = with_demo(&sb, &["--json", "search", "--tid", &t1]).json();
        let acc = j["data"]["payments"][0]["ACCEPTDATE"].as_str().unwrap().to_string();
        format!("{}-{}-{}", &acc[0..4], &acc[4..6], &acc[6..8])
    };
    let r = with_demo(&sb, &["search", "--from", &today, "--to", &today]);
    assert_eq!(r.code, 0, "{}", r.all());
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", r.stdout);
    // Columns line up by display width although one buyer is written in Hangul.
    let col = |line: &str, word: &str| output_width(&line[..line.find(word).unwrap()]);
    assert_eq!(col(lines[1], "승인"), col(lines[2], "승인"), "{}", r.stdout);
    assert_eq!(col(lines[0], "STATUS"), col(lines[1], "승인"));

    let r = with_demo(&sb, &["search", "--from", "2020-01-01", "--to", "2020-01-31"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.stdout, "no payments found\n");
    let r = with_demo(&sb, &["--json", "search", "--from", "2020-01-01", "--to", "2020-01-31"]);
    assert_eq!(r.json(), json!({"ok": true, "data": {"payments": []}}));

    let before = count(&sb, "paysearch");
    let r = with_demo(&sb, &["search", "--from", "2026-02-30", "--to", "2026-03-01"]);
    assert_eq!(r.code, 3, "{}", r.all());
    assert_eq!(count(&sb, "paysearch"), before, "refused before sending");
}

/// Display width as a terminal shows it (Hangul 2 columns).
fn output_width(s: &str) -> usize {
    s.chars()
        .map(|c| if ('\u{AC00}'..='\u{D7A3}').contains(&c) { 2 } else { 1 })
        .sum()
}

#[test]
fn receipt_prints_the_url_without_a_request() {
    let sb = sandbox();
    let tid = pay(&sb, "R-1001", 1000, "홍길동", "테스트");
    let tokens = count(&sb, "token");
    let r = with_demo(&sb, &["receipt", &tid]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stdout.starts_with("http") && r.stdout.trim().lines().count() == 1,
        "{}",
        r.stdout
    );
    assert_eq!(count(&sb, "token"), tokens);
    assert_eq!(count(&sb, "receipt"), 0);
}

#[test]
fn refunds_whole_partial_over_and_again() {
    let sb = sandbox();
    let tid = pay(&sb, "C-1001", 10000, "홍길동", "정기구독");
    let r = with_demo(
        &sb,
        &["-y", "cancel", &tid, "--reason", "고객 요청", "--amount", "3,000"],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stdout.starts_with(&format!("Refunded 3,000원 of TID {tid}")),
        "{}",
        r.stdout
    );
    // More than what is left: CookiePay's refusal, exit 4, nothing changed.
    let r = with_demo(&sb, &["-y", "cancel", &tid, "--reason", "x", "--amount", "8000"]);
    assert_eq!(r.code, 4, "{}", r.all());
    // The rest.
    let r = with_demo(&sb, &["-y", "--json", "cancel", &tid, "--reason", "x"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.json()["data"]["cancel_amt"], "7000");
    // Again: already cancelled is not an error, and says nothing was refunded now.
    let r = with_demo(&sb, &["-y", "cancel", &tid, "--reason", "x"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stdout.contains("already cancelled: nothing was refunded now"),
        "{}",
        r.stdout
    );
    // A cancelled payment fails verification.
    let r = with_demo(&sb, &["verify", &tid, "--orderno", "C-1001", "--amount", "10000"]);
    assert_eq!(r.code, 5, "{}", r.all());
    assert!(r.stderr.contains("CANCELLED at "), "{}", r.stderr);

    // Settled (입금 후): CookiePay's 9029.
    let t2 = pay(&sb, "C-1002", 5000, "김철수", "정기구독");
    let (status, _) = http(&sb, "POST", &format!("/_sandbox/payments/{t2}/settle"), None);
    assert_eq!(status, 200);
    let r = with_demo(&sb, &["-y", "cancel", &t2, "--reason", "x"]);
    assert_eq!(r.code, 4, "{}", r.all());
    assert!(r.stderr.contains("9029"), "{}", r.stderr);
}

#[test]
fn charge_and_stop_a_schedule() {
    let sb = sandbox();
    let (reserve, billkey, _) = subscribe(&sb, "B-1001");
    let bk = [("COOKIEPAY_BILLKEY", billkey.as_str())];
    let r = with_demo_and(&sb, &["-y", "charge", "--reserve-id", &reserve], &bk);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.starts_with("Charged 9,900원 (TID "), "{}", r.stdout);
    assert!(r.stdout.contains("홍길동"), "{}", r.stdout);
    assert_eq!(count(&sb, "recurring_charge"), 1);

    let r = with_demo(&sb, &["-y", "schedule-cancel", "--reserve-id", &reserve]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.contains("cancelled: no further charges"), "{}", r.stdout);
    let r = with_demo(&sb, &["-y", "schedule-cancel", "--reserve-id", &reserve]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.contains("was already cancelled at "), "{}", r.stdout);

    // A stopped schedule cannot be charged: E103, exit 4.
    let r = with_demo_and(&sb, &["-y", "--json", "charge", "--reserve-id", &reserve], &bk);
    assert_eq!(r.code, 4, "{}", r.all());
    assert_eq!(r.json()["error"]["code"], "E103");
    let r = with_demo_and(&sb, &["-y", "charge", "--reserve-id", "NOPE"], &bk);
    assert_eq!(r.code, 4, "{}", r.all());
}

#[test]
fn charge_whose_outcome_is_unknown_names_todays_search() {
    let sb = sandbox();
    let (reserve, billkey, _) = subscribe(&sb, "B-2001");
    fault(&sb, "recurring_charge", "reset", json!({}));
    let bk = [("COOKIEPAY_BILLKEY", billkey.as_str())];
    let r = with_demo_and(&sb, &["-y", "charge", "--reserve-id", &reserve], &bk);
    assert_eq!(r.code, 11, "an unknown outcome is exit 11: {}", r.all());
    assert!(
        r.stderr.contains("Outcome UNKNOWN") && r.stderr.contains("cookiepay search --from 20"),
        "{}",
        r.stderr
    );
    assert_eq!(count(&sb, "recurring_charge"), 1, "a money call is never retried");
}

#[test]
fn verbose_shows_each_exchange_masked() {
    let sb = sandbox();
    let tid = pay(&sb, "V-1001", 8000, "홍길동", "정기구독");
    let r = with_demo(
        &sb,
        &["-v", "-y", "cancel", &tid, "--reason", "테스트", "--amount", "1000"],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stderr.contains("> POST /payAuth/token"), "{}", r.stderr);
    assert!(r.stderr.contains("> POST /api/cancel"), "{}", r.stderr);
    assert!(r.stderr.contains("< 200 in "), "{}", r.stderr);
    assert!(r.stderr.contains("테스트"), "Korean intact in the log: {}", r.stderr);
    assert_no_secrets(&r.all());
    let (reserve, billkey, _) = subscribe(&sb, "V-1002");
    let r = with_demo_and(
        &sb,
        &["-v", "-y", "charge", "--reserve-id", &reserve],
        &[("COOKIEPAY_BILLKEY", billkey.as_str())],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stderr.contains("> POST /Subscribe/recurrence_request_payment"),
        "{}",
        r.stderr
    );
    assert_no_secrets(&r.all());
    let r = with_demo(&sb, &["-v", "search", "--tid", &tid]);
    assert!(r.stderr.contains("> POST /api/paysearch"), "{}", r.stderr);
    assert_no_secrets(&r.all());
}
