//! The `cookiepay-sandbox` command: ready file, TLS, flags, config, signals, logging.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use cookiepay_sandbox::{DEMO_API_ID, DEMO_API_KEY};
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_cookiepay-sandbox");

fn temp_dir(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let d = std::env::temp_dir().join(format!("cps-test-{tag}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// Kills the child if a test fails before it is stopped properly.
struct Proc(Option<Child>);

impl Drop for Proc {
    fn drop(&mut self) {
        if let Some(c) = self.0.as_mut() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn spawn(args: &[&str]) -> Proc {
    let child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn sandbox binary");
    Proc(Some(child))
}

fn wait_ready(path: &Path) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            return serde_json::from_str(&text).unwrap_or_else(|e| panic!("ready file is not JSON ({e}): {text}"));
        }
        assert!(Instant::now() < deadline, "no ready file after 20 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// SIGTERM, then wait (bounded) for the exit; returns (exit code, stdout, stderr).
fn terminate(mut p: Proc) -> (Option<i32>, String, String) {
    let mut child = p.0.take().expect("child");
    let st = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(st.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("sandbox did not stop within 10 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut out = String::new();
    let mut err = String::new();
    if let Some(mut o) = child.stdout.take() {
        let _ = o.read_to_string(&mut out);
    }
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    (status.code(), out, err)
}

#[test]
fn port_zero_ready_file_and_sigterm_exit_0() {
    let dir = temp_dir("ready");
    let ready = dir.join("ready.json");
    let p = spawn(&["--port", "0", "--ready-file", ready.to_str().expect("path")]);
    let info = wait_ready(&ready);
    let http = info["http"].as_str().expect("http").to_string();
    assert!(http.starts_with("http://127.0.0.1:"), "{info}");
    assert!(info["https"].is_null());
    assert!(info["ca_pem_path"].is_null());
    assert_eq!(info["pid"].as_u64(), p.0.as_ref().map(|c| c.id() as u64));
    let api = Api {
        base: http.clone(),
        c: client(),
    };
    let (_, dd) = api.approved("BIN-1");
    assert_eq!(
        api.paycert(&api.token(), dd["TID"].as_str().expect("tid"))["RESULTCODE"],
        "0000"
    );
    let (code, out, _) = terminate(p);
    assert_eq!(code, Some(0));
    assert!(out.contains(&format!("cookiepay-sandbox listening on {http}")), "{out}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn tls_with_ca_out() {
    let dir = temp_dir("tls");
    let ready = dir.join("ready.json");
    let ca = dir.join("ca.pem");
    let p = spawn(&[
        "--tls",
        "--ca-out",
        ca.to_str().expect("p"),
        "--ready-file",
        ready.to_str().expect("p"),
    ]);
    let info = wait_ready(&ready);
    let https = info["https"].as_str().expect("https").to_string();
    assert!(https.starts_with("https://localhost:"), "{info}");
    let pem_path = info["ca_pem_path"].as_str().expect("ca path");
    let pem = std::fs::read_to_string(pem_path).expect("ca file");
    assert_eq!(std::fs::read_to_string(&ca).expect("ca"), pem);
    let api = Api {
        base: https.clone(),
        c: tls_client(&pem),
    };
    let (_, dd) = api.approved("TLS-1");
    assert_eq!(
        api.paycert(&api.token(), dd["TID"].as_str().expect("tid"))["RESULTCODE"],
        "0000"
    );
    // HTTP stays up next to HTTPS.
    let http = Api {
        base: info["http"].as_str().expect("http").to_string(),
        c: client(),
    };
    assert!(!http.token().is_empty());
    let (code, out, _) = terminate(p);
    assert_eq!(code, Some(0));
    assert!(
        out.contains(&format!("cookiepay-sandbox listening on {https}")),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn sigint_also_stops_cleanly() {
    let dir = temp_dir("int");
    let ready = dir.join("ready.json");
    let p = spawn(&["--ready-file", ready.to_str().expect("p")]);
    wait_ready(&ready);
    let mut p = p;
    let mut child = p.0.take().expect("child");
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        assert!(Instant::now() < deadline, "no exit after SIGINT");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn merchants_from_flags_and_config_and_token_lifetime() {
    let dir = temp_dir("cfg");
    let ready = dir.join("ready.json");
    let cfg = dir.join("cfg.json");
    std::fs::write(
        &cfg,
        json!({ "merchants": [{ "api_id": "sandbox_cfg01", "api_key": "cfgkey" }], "token_lifetime_secs": 120 })
            .to_string(),
    )
    .expect("write cfg");
    let p = spawn(&[
        "--config",
        cfg.to_str().expect("p"),
        "--merchant",
        "sandbox_flag01:flagkey:with:colons",
        "--no-control",
        "--ready-file",
        ready.to_str().expect("p"),
    ]);
    let info = wait_ready(&ready);
    let api = Api {
        base: info["http"].as_str().expect("http").to_string(),
        c: client(),
    };
    assert!(!api.token().is_empty(), "demo merchant is always there");
    let t = api.token_for("sandbox_cfg01", "cfgkey");
    assert!(!api.token_for("sandbox_flag01", "flagkey:with:colons").is_empty());
    let payload = t.split('.').nth(1).expect("payload");
    use base64::Engine;
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .expect("b64"),
    )
    .expect("json");
    assert_eq!(
        claims["exp"].as_u64().expect("exp") - claims["iat"].as_u64().expect("iat"),
        120
    );
    // --no-control
    let r = api.c.get(format!("{}/_sandbox/stats", api.base)).send().expect("send");
    assert_eq!(r.status().as_u16(), 404);
    let (code, _, _) = terminate(p);
    assert_eq!(code, Some(0));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bad_flags_print_usage_and_exit_2() {
    for args in [
        vec!["--bogus"],
        vec!["--port"],
        vec!["--port", "notaport"],
        vec!["--port", "70000"],
        vec!["--bind", "not-an-ip"],
        vec!["--merchant", "no-colon"],
        vec!["--ca-out", "/tmp/x.pem"],
        vec!["--config", "/nonexistent/cookiepay.json"],
        vec!["--token-lifetime", "-1"],
    ] {
        let out = Command::new(BIN)
            .args(&args)
            .stdin(Stdio::null())
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("usage: cookiepay-sandbox"), "{args:?}: {err}");
    }
    let out = Command::new(BIN).arg("--help").output().expect("run");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("--ready-file"));
}

#[test]
fn verbose_logs_requests_but_never_secrets() {
    let dir = temp_dir("verbose");
    let ready = dir.join("ready.json");
    let p = spawn(&["--verbose", "--ready-file", ready.to_str().expect("p")]);
    let info = wait_ready(&ready);
    let api = Api {
        base: info["http"].as_str().expect("http").to_string(),
        c: client(),
    };
    let (rf, dd) = api.approved("VERB-1");
    let token = api.token();
    api.paycert(&token, dd["TID"].as_str().expect("tid"));
    // Secrets in a query string of an unknown path are not logged either.
    let _ = api.c.get(format!("{}/nowhere?key={DEMO_API_KEY}", api.base)).send();
    // Wrong credentials must not echo what was tried.
    api.json(
        "/payAuth/token",
        &[],
        &json!({ "pay2_id": DEMO_API_ID, "pay2_key": "typo-of-the-real-key-123" }),
    );
    let (code, _, err) = terminate(p);
    assert_eq!(code, Some(0));
    assert!(err.contains("/api/paycert"), "one line per request: {err}");
    assert!(
        err.lines().filter(|l| l.contains("cookiepay-sandbox:")).count() >= 7,
        "{err}"
    );
    for secret in [
        DEMO_API_KEY,
        "4111111111111111",
        BIRTH,
        token.as_str(),
        rf.field("ENC_DATA"),
        "typo-of-the-real-key-123",
        "CARDPWD",
    ] {
        assert!(!err.contains(secret), "secret {secret} in log:\n{err}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn two_binaries_side_by_side() {
    let dir = temp_dir("two");
    let (r1, r2) = (dir.join("r1.json"), dir.join("r2.json"));
    let p1 = spawn(&["--ready-file", r1.to_str().expect("p")]);
    let p2 = spawn(&["--ready-file", r2.to_str().expect("p")]);
    let (i1, i2) = (wait_ready(&r1), wait_ready(&r2));
    assert_ne!(i1["http"], i2["http"]);
    for i in [&i1, &i2] {
        let api = Api {
            base: i["http"].as_str().expect("http").to_string(),
            c: client(),
        };
        assert!(!api.token().is_empty());
    }
    assert_eq!(terminate(p1).0, Some(0));
    assert_eq!(terminate(p2).0, Some(0));
    let _ = DEMO_API_KEY;
    let _ = std::fs::remove_dir_all(dir);
}
