//! Issue 21 (CLI part of 6): the BILLKEY is a secret (never in argv, masked in every echo),
//! configuration errors never quote a value, the config file is checked on the open handle, and the
//! core's `hint` survives the human layout.

mod common;

use common::*;

fn tail(s: &str) -> String {
    s[s.len() - 4..].to_string()
}

#[test]
fn the_billkey_never_goes_on_the_command_line_nor_into_any_output() {
    let sb = sandbox();
    let (reserve, billkey, _) = subscribe(&sb, "H-1001");
    // There is no flag for it.
    let r = with_demo(&sb, &["-y", "charge", "--reserve-id", &reserve, "--billkey", &billkey]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert_eq!(count(&sb, "recurring_charge"), 0);
    // No BILLKEY at all: a usage error, nothing sent.
    let r = with_demo(&sb, &["-y", "charge", "--reserve-id", &reserve]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("COOKIEPAY_BILLKEY"), "{}", r.stderr);

    // From the environment, with -v and --json: shown masked only.
    let bk = [("COOKIEPAY_BILLKEY", billkey.as_str())];
    let r = with_demo_and(&sb, &["-v", "-y", "--json", "charge", "--reserve-id", &reserve], &bk);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stderr.contains("recurrence_request_payment"), "{}", r.stderr);
    assert!(!r.all().contains(&billkey), "BILLKEY echoed:\n{}", r.all());
    assert!(r.all().contains(&format!("…{}", tail(&billkey))), "{}", r.all());
    assert_no_secrets(&r.all());

    // From stdin (a script), the same.
    let env = demo_env(&sb);
    let r = run_stdin(
        &["-v", "-y", "charge", "--reserve-id", &reserve],
        &refs(&env),
        &format!("{billkey}\n"),
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(!r.all().contains(&billkey), "{}", r.all());
    assert_eq!(count(&sb, "recurring_charge"), 2);

    // Typed on a terminal: not echoed, and the prompt shows it masked.
    let typed = format!("{billkey}\n");
    let (code, stdout, tty) = run_on_tty_steps(
        &["charge", "--reserve-id", &reserve],
        &refs(&env),
        &[("BILLKEY (not shown): ", &typed), ("[y/N] ", "n\n")],
    );
    assert_eq!(code, 1, "{stdout}\n{tty}");
    assert!(!tty.contains(&billkey) && !stdout.contains(&billkey), "{tty}");
    assert!(tty.contains(&format!("billkey …{}", tail(&billkey))), "{tty}");
}

#[test]
fn billkey_delete_asks_sends_once_and_masks() {
    let sb = sandbox();
    let (_, billkey, _) = subscribe(&sb, "H-2001");
    let bk = [("COOKIEPAY_BILLKEY", billkey.as_str())];
    let r = with_demo_and(&sb, &["billkey-delete"], &bk);
    assert_eq!(r.code, 2, "no terminal and no --yes: {}", r.all());
    assert_eq!(count(&sb, "billkey_delete"), 0);
    let r = with_demo_and(&sb, &["-v", "-y", "--json", "billkey-delete"], &bk);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.json()["ok"], true);
    assert!(r.stderr.contains("billingkeycancel"), "{}", r.stderr);
    assert!(!r.all().contains(&billkey), "{}", r.all());
    assert_eq!(count(&sb, "billkey_delete"), 1);
    let r = with_demo_and(&sb, &["-y", "billkey-delete"], &bk);
    assert!(!r.all().contains(&billkey), "{}", r.all());
    assert_no_secrets(&r.all());
}

/// A key pasted into the wrong variable or field is never printed back.
#[test]
fn configuration_errors_never_quote_a_value() {
    let base = [("COOKIEPAY_API_ID", ID), ("COOKIEPAY_API_KEY", "sbxkey_short")];
    for (var, value) in [
        ("COOKIEPAY_TIMEOUT_MS", KEY),
        ("COOKIEPAY_ENV", KEY),
        ("COOKIEPAY_CA_CERT", KEY),
        ("COOKIEPAY_BASE_URL", KEY),
    ] {
        let mut env = base.to_vec();
        env.push((var, value));
        for json in [false, true] {
            let mut args = vec!["paycert", "T"];
            if json {
                args.insert(0, "--json");
            }
            let r = run(&args, &env);
            assert_eq!(r.code, 10, "{var}: {}", r.all());
            // The core refuses a bad base_url itself (by its config name).
            let named = if var == "COOKIEPAY_BASE_URL" { "base_url" } else { var };
            assert!(r.all().contains(named), "{var}: the setting is named: {}", r.all());
            assert!(!r.all().contains(KEY), "{var} quoted its value:\n{}", r.all());
        }
    }
    // A profile name from the environment that is really a key.
    let dir = tempdir("cfg-values");
    let cfg = write_config(&dir, "[profiles.auth]\napi_id = \"x\"\napi_key = \"y\"\n", 0o600);
    let r = run(
        &["paycert", "T"],
        &[("COOKIEPAY_CONFIG", cfg.to_str().unwrap()), ("COOKIEPAY_PROFILE", KEY)],
    );
    assert_eq!(r.code, 10, "{}", r.all());
    assert!(!r.all().contains(KEY) && r.stderr.contains("auth"), "{}", r.all());
    // A key in the wrong field of the file: toml's message would quote it.
    for text in [
        format!("[profiles.default]\napi_id = \"{ID}\"\napi_key = \"k\"\ntimeout_ms = \"{KEY}\"\n"),
        format!("[profiles.default]\napi_id = \"{ID}\"\napi_key = \"k\"\nenv = \"{KEY}\"\n"),
        format!("[profiles.default]\napi_id = \"{ID}\"\napi_key = \"k\"\nca_cert = \"{KEY}\"\n"),
    ] {
        write_config(&dir, &text, 0o600);
        let r = run(&["paycert", "T"], &[("COOKIEPAY_CONFIG", cfg.to_str().unwrap())]);
        assert_eq!(r.code, 10, "{}", r.all());
        assert!(!r.all().contains(KEY), "{text}:\n{}", r.all());
    }
}

#[test]
fn the_config_file_is_refused_through_a_symlink_or_when_not_private() {
    let sb = sandbox();
    let dir = tempdir("cfg-link");
    let text = format!(
        "[profiles.default]\napi_id = \"{ID}\"\napi_key = \"{KEY}\"\nbase_url = \"{}\"\n",
        sb.http_url()
    );
    let real = write_config(&dir, &text, 0o600);
    let link = dir.join("link.toml");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let r = run(&["token"], &[("COOKIEPAY_CONFIG", link.to_str().unwrap())]);
    assert_eq!(r.code, 10, "{}", r.all());
    assert!(r.stderr.contains("symbolic link"), "{}", r.stderr);
    let r = run(&["token"], &[("COOKIEPAY_CONFIG", real.to_str().unwrap())]);
    assert_eq!(r.code, 0, "{}", r.all());
    // Group-readable (0640) is refused as well as world-readable.
    write_config(&dir, &text, 0o640);
    let r = run(&["token"], &[("COOKIEPAY_CONFIG", real.to_str().unwrap())]);
    assert_eq!(r.code, 10, "{}", r.all());
    assert!(r.stderr.contains("chmod 600"), "{}", r.stderr);
    assert_eq!(count(&sb, "token"), 1);
}

/// Another user's file is refused even when its mode is 0600 (needs root to hand it to another user).
#[test]
fn the_config_file_of_another_user_is_refused() {
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("not root: another user's file cannot be made here; the rule is unit-tested in config.rs");
        return;
    }
    let dir = tempdir("cfg-owner");
    let cfg = write_config(&dir, "[profiles.default]\napi_id = \"x\"\napi_key = \"y\"\n", 0o600);
    std::os::unix::fs::chown(&cfg, Some(65534), Some(65534)).unwrap();
    let r = run(&["paycert", "T"], &[("COOKIEPAY_CONFIG", cfg.to_str().unwrap())]);
    assert_eq!(r.code, 10, "{}", r.all());
    assert!(r.stderr.contains("another user"), "{}", r.stderr);
}

/// The core's hint (e.g. 9029: the refund needs 입금후 취소) is shown in the human layout too.
#[test]
fn the_cores_hint_survives_the_human_layout() {
    let sb = sandbox();
    let tid = pay(&sb, "H-3001", 5000, "김철수", "정기구독");
    let (status, _) = http(&sb, "POST", &format!("/_sandbox/payments/{tid}/settle"), None);
    assert_eq!(status, 200);
    let r = with_demo(&sb, &["-y", "--json", "cancel", &tid, "--reason", "x"]);
    assert_eq!(r.code, 4, "{}", r.all());
    let hint = r.json()["error"]["hint"]
        .as_str()
        .expect("9029 carries a hint")
        .to_string();
    assert!(!hint.is_empty());
    let r = with_demo(&sb, &["-y", "cancel", &tid, "--reason", "x"]);
    assert_eq!(r.code, 4, "{}", r.all());
    assert!(r.stderr.contains("9029") && r.stderr.contains(&hint), "{}", r.stderr);
}

#[test]
fn help_documents_the_journal_and_exit_11() {
    let r = run(&["--help"], &[]);
    for word in [
        "11  outcome UNKNOWN",
        "not_applied",
        "COOKIEPAY_BILLKEY",
        "COOKIEPAY_STATE_DIR",
        "unknown",
    ] {
        assert!(r.stdout.contains(word), "--help lacks {word}:\n{}", r.stdout);
    }
    for cmd in [
        &["unknown", "--help"][..],
        &["unknown", "settle", "--help"],
        &["billkey-delete", "--help"],
    ] {
        let r = run(cmd, &[]);
        assert_eq!(r.code, 0, "{cmd:?}: {}", r.all());
    }
    let r = run(&["unknown", "settle", "1"], &[]);
    assert_eq!(r.code, 2, "a verdict is required: {}", r.all());
}

#[test]
fn the_jwt_check_finds_a_token_but_not_random_base64() {
    assert!(has_jwt("TOKEN eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjoic2FuZGJveCJ9.c2ln"));
    assert!(has_jwt("\"TOKEN\":\"eyJ0eXAiOiJKV1QifQ.eyJleHAiOjF9.x\""));
    // An ENC_DATA that happens to hold "eyJ" (a 2027-04-12 date-sweep run failed on one).
    assert!(!has_jwt(
        "ENC_DATA 36KsZVqaHeyJzi+jE3p88D5p02ahy4Ey+GdeuwG9iNrTrgZfjcDW+m6L6eUijp07m7F=="
    ));
    assert!(!has_jwt("eyJ"));
}
