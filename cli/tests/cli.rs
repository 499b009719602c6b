//! The built `cookiepay` binary against an in-process sandbox: exit codes, output, secrets.

mod common;

use common::*;
use serde_json::{json, Value};

#[test]
fn help_documents_every_command_and_the_exit_codes() {
    let r = run(&["--help"], &[]);
    assert_eq!(r.code, 0);
    for word in [
        "Exit codes",
        "10  config",
        "COOKIEPAY_API_KEY",
        "chmod 600",
        "paycert",
        "cancel",
        "sandbox",
    ] {
        assert!(r.stdout.contains(word), "--help lacks {word}:\n{}", r.stdout);
    }
    for cmd in [
        "paycert",
        "verify",
        "search",
        "decrypt",
        "parse-return",
        "token",
        "receipt",
        "cancel",
        "charge",
        "schedule-cancel",
        "sandbox",
        "completions",
    ] {
        let r = run(&[cmd, "--help"], &[]);
        assert_eq!(r.code, 0, "{cmd} --help: {}", r.all());
        assert!(r.stdout.contains("Usage: cookiepay"), "{cmd}: {}", r.stdout);
    }
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["nonsense"][..],
        &["paycert"],
        &["verify", "T", "--orderno", "A"],
        &["verify", "T", "--orderno", "A", "--amount", "five"],
        &["search"],
        &["search", "--tid", "T", "--from", "2026-01-01", "--to", "2026-01-02"],
        &["search", "--from", "2026-01-01"],
        &["cancel", "T"],
        &["completions", "tcsh"],
        // There is no flag for the key: secrets never go on the command line.
        &["--api-key", "x", "token"],
    ] {
        let r = run(args, &[]);
        assert_eq!(r.code, 2, "{args:?}: {}", r.all());
    }
}

#[test]
fn completions_for_three_shells() {
    for shell in ["bash", "zsh", "fish"] {
        let r = run(&["completions", shell], &[]);
        assert_eq!(r.code, 0);
        assert!(
            r.stdout.contains("cookiepay") && r.stdout.contains("schedule-cancel"),
            "{shell}"
        );
    }
}

#[test]
fn token_check_never_shows_the_token() {
    let sb = sandbox();
    let r = with_demo(&sb, &["token", "--check"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stdout.contains("sandbox_demo01") && r.stdout.contains("KST"),
        "{}",
        r.stdout
    );
    let r = with_demo(&sb, &["--json", "--verbose", "token", "--check"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.json()["data"]["TOKEN"], "[REDACTED]");
    assert_no_secrets(&r.all());
    assert_eq!(count(&sb, "token"), 2);
}

#[test]
fn wrong_key_is_an_api_error() {
    let sb = sandbox();
    let url = sb.http_url();
    let r = run(
        &["token"],
        &[
            ("COOKIEPAY_BASE_URL", &url),
            ("COOKIEPAY_API_ID", ID),
            ("COOKIEPAY_API_KEY", "sbxkey_wrongwrongwrong"),
        ],
    );
    assert_eq!(r.code, 4, "{}", r.all());
    assert!(
        r.stderr.contains("E004") && r.stderr.contains("연동 아이디"),
        "{}",
        r.stderr
    );
    assert!(!r.all().contains("sbxkey_wrongwrongwrong"));
}

#[test]
fn paycert_keeps_korean_and_json_is_the_core_envelope() {
    let sb = sandbox();
    let tid = pay(&sb, "A-1001", 10000, "홍길동", "정기구독 1개월");
    let r = with_demo(&sb, &["paycert", &tid]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stdout.contains("홍길동") && r.stdout.contains("정기구독 1개월"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("10,000원"), "{}", r.stdout);
    // Values line up although Hangul takes two columns: every value starts in the same column.
    let col = |key: &str| {
        let line = r.stdout.lines().find(|l| l.starts_with(&format!("{key} "))).unwrap();
        line.len() - line[key.len()..].trim_start().len()
    };
    assert_eq!(col("BUYERNAME"), col("TID"));

    let j = with_demo(&sb, &["--json", "paycert", &tid]);
    assert_eq!(j.code, 0);
    let client = cookiepay::Client::from_json(
        &json!({"base_url": sb.http_url(), "api_id": ID, "api_key": KEY, "shared": false}).to_string(),
    )
    .unwrap();
    let direct = client.call(cookiepay::Operation::Paycert, &json!({ "tid": tid }).to_string());
    assert_eq!(
        j.stdout.trim_end(),
        direct,
        "--json must print the core's envelope unchanged"
    );
    assert_eq!(j.json()["data"]["BUYERNAME"], "홍길동");
}

#[test]
fn verify_exit_codes() {
    let sb = sandbox();
    let tid = pay(&sb, "A-2001", 5000, "김철수", "커피 원두");
    let ok = with_demo(&sb, &["verify", &tid, "--orderno", "A-2001", "--amount", "5,000"]);
    assert_eq!(ok.code, 0, "{}", ok.all());
    assert!(ok.stdout.starts_with("OK: "), "{}", ok.stdout);

    let bad = with_demo(&sb, &["verify", &tid, "--orderno", "A-2001", "--amount", "50000"]);
    assert_eq!(bad.code, 5, "{}", bad.all());
    assert!(
        bad.stderr.contains("do not ship") && bad.stderr.contains("AMOUNT"),
        "{}",
        bad.stderr
    );
    let j = with_demo(
        &sb,
        &["--json", "verify", &tid, "--orderno", "A-2001", "--amount", "50000"],
    );
    assert_eq!(j.code, 5);
    assert_eq!(j.json()["error"]["kind"], "verification_failed");

    let unknown = with_demo(
        &sb,
        &[
            "verify",
            "SBX00000000000000000",
            "--orderno",
            "A-2001",
            "--amount",
            "5000",
        ],
    );
    assert_eq!(unknown.code, 4, "{}", unknown.all());
}

#[test]
fn decrypt_from_stdin_and_parse_return() {
    let sb = sandbox();
    let env = demo_env(&sb);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let tid = pay(&sb, "A-3001", 9900, "이영희", "정기구독");
    // Make a second payment's return post by hand to get at its ENC_DATA.
    let client = cookiepay::Client::from_json(
        &json!({"base_url": sb.http_url(), "api_id": ID, "api_key": KEY, "shared": false}).to_string(),
    )
    .unwrap();
    let order = json!({"ORDERNO": "A-3002", "PRODUCTNAME": "정기구독", "AMOUNT": 9900, "BUYERNAME": "이영희",
        "RETURNURL": "https://shop.example/return"});
    let ready: Value = serde_json::from_str(&client.call(cookiepay::Operation::Ready, &order.to_string())).unwrap();
    let card = json!({"CARDNO": "4111111111111111", "EXPIREDT": "3012", "CARDAUTH": "900101", "CARDPWD": "12"});
    let (_, body) = http(
        &sb,
        "POST",
        "/_sandbox/checkout",
        Some(&json!({"window_html": ready["data"]["html"], "card": card})),
    );
    let co: Value = serde_json::from_str(&body).unwrap();
    let form = co["form_body"].as_str().unwrap();
    let enc = co["fields"]["ENC_DATA"].as_str().unwrap();

    let r = run_stdin(&["decrypt", "-"], &env, &format!("{enc}\n"));
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stdout.contains("A-3002") && r.stdout.contains("이영희"),
        "{}",
        r.stdout
    );
    let r = run(&["--json", "decrypt", enc], &env);
    assert_eq!(r.json()["data"]["ORDERNO"], "A-3002");
    // A whole return-post body works for decrypt too.
    let r = run_stdin(&["--json", "decrypt", "-"], &env, form);
    assert_eq!(r.json()["data"]["ORDERNO"], "A-3002", "{}", r.all());

    // parse-return needs no credentials at all.
    let r = run_stdin(&["--json", "parse-return", "-"], &[], form);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.json()["data"]["ENC_DATA"], enc);
    assert_eq!(r.json()["data"]["RESULTMSG"], "성공");
    let r = run_stdin(&["parse-return", "-"], &[], form);
    assert!(r.stdout.contains("성공"), "{}", r.stdout);

    let r = run(&["decrypt", "bm90IHJlYWxseSBlbmNyeXB0ZWQ="], &env);
    assert_eq!(r.code, 4, "{}", r.all());
    assert!(!tid.is_empty());
}

#[test]
fn failures_map_to_their_exit_codes() {
    let sb = sandbox();
    let tid = pay(&sb, "A-4001", 1000, "박민수", "테스트");
    // network: nothing listens there
    // Port 1 (tcpmux): nothing listens there, and unlike a port just freed no parallel test can be
    // handed it.
    let dead = "http://127.0.0.1:1".to_string();
    let r = run(
        &["paycert", &tid],
        &[
            ("COOKIEPAY_BASE_URL", &dead),
            ("COOKIEPAY_API_ID", ID),
            ("COOKIEPAY_API_KEY", KEY),
        ],
    );
    assert_eq!(r.code, 6, "{}", r.all());
    assert!(r.stderr.contains("network (connect)"), "{}", r.stderr);

    // http: a proxy-style 500 page, every retry
    fault(&sb, "paycert", "http_500", json!({"count": 5}));
    let r = with_demo(&sb, &["paycert", &tid]);
    assert_eq!(r.code, 8, "{}", r.all());
    http(&sb, "POST", "/_sandbox/reset", None);

    // timeout
    fault(&sb, "paycert", "delay", json!({"delay_ms": 3000, "count": 5}));
    let url = sb.http_url();
    let r = run(
        &["paycert", &tid],
        &[
            ("COOKIEPAY_BASE_URL", &url),
            ("COOKIEPAY_API_ID", ID),
            ("COOKIEPAY_API_KEY", KEY),
            ("COOKIEPAY_TIMEOUT_MS", "300"),
        ],
    );
    assert_eq!(r.code, 7, "{}", r.all());
    http(&sb, "POST", "/_sandbox/reset", None);

    // validation (refused before sending)
    let before = count(&sb, "paycert");
    let r = with_demo(&sb, &["paycert", ""]);
    assert_eq!(r.code, 3, "{}", r.all());
    assert_eq!(count(&sb, "paycert"), before);
}

#[test]
fn missing_or_partial_credentials_exit_10() {
    let r = run(&["paycert", "T"], &[]);
    assert_eq!(r.code, 10, "{}", r.all());
    assert!(r.stderr.contains("COOKIEPAY_API_ID"), "{}", r.stderr);
    let r = run(&["--json", "paycert", "T"], &[("COOKIEPAY_API_ID", ID)]);
    assert_eq!(r.code, 10);
    assert_eq!(r.json()["error"]["kind"], "config");
    let r = run(
        &["paycert", "T"],
        &[
            ("COOKIEPAY_API_ID", ID),
            ("COOKIEPAY_API_KEY", KEY),
            ("COOKIEPAY_ENV", "prod"),
        ],
    );
    assert_eq!(r.code, 10, "{}", r.all());
}

#[test]
fn config_file_permissions_and_profiles() {
    let sb = sandbox();
    let dir = tempdir("profiles");
    let text = format!(
        "default_profile = \"auth\"\n\n[profiles.auth]  # 인증\napi_id = \"{ID}\"\napi_key = \"{KEY}\"\nbase_url = \"{url}\"\n\n\
         [profiles.billing]  # 비인증_정기\napi_id = \"{ID2}\"\napi_key = \"{KEY2}\"\nbase_url = \"{url}\"\n",
        url = sb.http_url()
    );
    let path = write_config(&dir, &text, 0o644);
    let cfg = path.to_str().unwrap();

    let r = run(&["token"], &[("COOKIEPAY_CONFIG", cfg)]);
    assert_eq!(r.code, 10, "{}", r.all());
    assert!(r.stderr.contains(&format!("chmod 600 {cfg}")), "{}", r.stderr);
    assert_eq!(count(&sb, "token"), 0, "a refused config file sends nothing");

    write_config(&dir, &text, 0o600);
    let r = run(&["token"], &[("COOKIEPAY_CONFIG", cfg)]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.contains(ID), "default_profile is used: {}", r.stdout);

    let r = run(&["--profile", "billing", "token"], &[("COOKIEPAY_CONFIG", cfg)]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.contains(ID2), "{}", r.stdout);
    let r = run(
        &["token"],
        &[("COOKIEPAY_CONFIG", cfg), ("COOKIEPAY_PROFILE", "billing")],
    );
    assert!(r.stdout.contains(ID2), "{}", r.all());
    // An explicit profile wins over credentials in the environment.
    let r = run(
        &["--profile", "billing", "token"],
        &[
            ("COOKIEPAY_CONFIG", cfg),
            ("COOKIEPAY_API_ID", ID),
            ("COOKIEPAY_API_KEY", KEY),
        ],
    );
    assert!(r.stdout.contains(ID2), "{}", r.all());

    let r = run(&["--profile", "nope", "token"], &[("COOKIEPAY_CONFIG", cfg)]);
    assert_eq!(r.code, 10);
    assert!(r.stderr.contains("auth, billing"), "{}", r.stderr);

    // ~/.config/cookiepay/config.toml is the default place.
    let home = tempdir("home-cfg");
    std::fs::create_dir_all(home.join(".config/cookiepay")).unwrap();
    write_config(&home.join(".config/cookiepay"), &text, 0o600);
    let r: Run = command(&["--profile", "billing", "token"], &[])
        .env("HOME", &home)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
        .into();
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.contains(ID2));
    assert_no_secrets(&r.all());

    // A broken file names the line but never echoes its content (it may be the key's line).
    write_config(&dir, &format!("[profiles.auth]\napi_key = \"{KEY}\n"), 0o600);
    let r = run(&["token"], &[("COOKIEPAY_CONFIG", cfg)]);
    assert_eq!(r.code, 10, "{}", r.all());
    assert_no_secrets(&r.all());
}

#[test]
fn verbose_and_json_never_show_secrets() {
    let sb = sandbox();
    let tid = pay(&sb, "A-5001", 3000, "최지우", "구독");
    for args in [
        &["--verbose", "token", "--check"][..],
        &["--verbose", "--json", "token"],
        &["--verbose", "paycert", &tid],
        &["--verbose", "--json", "paycert", &tid],
        &["--verbose", "verify", &tid, "--orderno", "A-5001", "--amount", "3000"],
        &["--verbose", "paycert", "SBX-nope"],
    ] {
        let r = with_demo(&sb, args);
        assert!(r.code == 0 || r.code == 4, "{args:?}: {}", r.all());
        assert_no_secrets(&r.all());
    }
}

#[test]
fn sandbox_subcommand_serves_until_sigterm() {
    let dir = tempdir("sandbox-cmd");
    let ready = dir.join("ready.json");
    let ca = dir.join("ca.pem");
    let args = [
        "sandbox",
        "--port",
        "0",
        "--tls",
        "--ca-out",
        ca.to_str().unwrap(),
        "--ready-file",
        ready.to_str().unwrap(),
    ];
    let child = command(&args, &[])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !ready.exists() {
        assert!(std::time::Instant::now() < deadline, "sandbox did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let info: Value = serde_json::from_str(&std::fs::read_to_string(&ready).unwrap()).unwrap();
    let url = info["http"].as_str().unwrap();
    let r = run(
        &["token", "--check"],
        &[
            ("COOKIEPAY_BASE_URL", url),
            ("COOKIEPAY_API_ID", ID),
            ("COOKIEPAY_API_KEY", KEY),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    // HTTPS, trusting the CA it wrote.
    let https = info["https"].as_str().unwrap();
    let tls_env = [
        ("COOKIEPAY_BASE_URL", https),
        ("COOKIEPAY_API_ID", ID),
        ("COOKIEPAY_API_KEY", KEY),
    ];
    let r = run(
        &["token"],
        &[
            tls_env[0],
            tls_env[1],
            tls_env[2],
            ("COOKIEPAY_CA_CERT", ca.to_str().unwrap()),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    // Without that CA the handshake fails: network (tls), exit 6.
    let r = run(&["token"], &tls_env);
    assert_eq!(r.code, 6, "{}", r.all());
    assert!(r.stderr.contains("network (tls)"), "{}", r.stderr);
    // SAFETY: signalling our own child by its pid.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("listening on {url}")) && stdout.contains(https),
        "{stdout}"
    );
}
