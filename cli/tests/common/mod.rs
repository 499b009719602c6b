//! Test helpers: a sandbox per test, the built `cookiepay` binary run with a clean environment, a
//! tiny HTTP client for the sandbox's control API, and a pseudo-terminal for the confirmation prompt.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use cookiepay_sandbox::{Merchant, Options, Sandbox, DEMO_API_ID, DEMO_API_KEY};
use serde_json::{json, Value};

pub const BIN: &str = env!("CARGO_BIN_EXE_cookiepay");
pub const KEY: &str = DEMO_API_KEY;
pub const ID: &str = DEMO_API_ID;
/// A second credential pair (e.g. the 비인증_정기 one) for the profile tests.
pub const ID2: &str = "sandbox_billing02";
pub const KEY2: &str = "sbxkey_SECONDsecondSECONDsecond0123456789abcdefgh";

pub fn sandbox() -> Sandbox {
    let merchants = vec![
        Merchant::demo(),
        Merchant {
            api_id: ID2.into(),
            api_key: KEY2.into(),
        },
    ];
    Sandbox::start(Options {
        merchants,
        clock_start: Some(cookiepay_sandbox::test_clock_start()),
        ..Default::default()
    })
    .expect("sandbox starts")
}

/// A fresh, private temporary directory (HOME for the tool, config files).
pub fn tempdir(tag: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    // Under target/tmp (CARGO_TARGET_TMPDIR), not /tmp: nothing is left outside the build directory.
    let d = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "cookiepay-cli-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8(o.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(o.stderr).expect("stderr is UTF-8"),
        }
    }
}

/// The binary with an empty environment (HOME is a fresh empty directory) plus `env`.
pub fn command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args).env_clear().env("HOME", tempdir("home"));
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

pub fn run(args: &[&str], env: &[(&str, &str)]) -> Run {
    command(args, env).stdin(Stdio::null()).output().expect("runs").into()
}

pub fn run_stdin(args: &[&str], env: &[(&str, &str)], stdin: &str) -> Run {
    let mut child = command(args, env)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    // The tool may exit without reading stdin (a refused call): a broken pipe is fine.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap().into()
}

/// The demo merchant's credentials from the environment, pointed at `sb`.
pub fn demo_env(sb: &Sandbox) -> Vec<(&'static str, String)> {
    vec![
        ("COOKIEPAY_BASE_URL", sb.http_url()),
        ("COOKIEPAY_API_ID", ID.into()),
        ("COOKIEPAY_API_KEY", KEY.into()),
    ]
}

pub fn with_demo(sb: &Sandbox, args: &[&str]) -> Run {
    let env = demo_env(sb);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    run(args, &env)
}

/// One HTTP/1.1 request with `Connection: close`; returns (status, body).
pub fn http(sb: &Sandbox, method: &str, path: &str, body: Option<&Value>) -> (u16, String) {
    let mut s = TcpStream::connect(sb.http_addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).and_then(|x| x.parse().ok()).unwrap_or(0);
    (status, body.to_string())
}

/// How many requests an endpoint of the sandbox has received.
pub fn count(sb: &Sandbox, endpoint: &str) -> u64 {
    let (_, body) = http(sb, "GET", "/_sandbox/stats", None);
    let v: Value = serde_json::from_str(&body).unwrap();
    v["requests"][endpoint]["total"].as_u64().unwrap_or(0)
}

pub fn fault(sb: &Sandbox, endpoint: &str, mode: &str, extra: Value) {
    let mut f = json!({"endpoint": endpoint, "mode": mode});
    if let Value::Object(m) = extra {
        for (k, v) in m {
            f[k] = v;
        }
    }
    let (status, body) = http(sb, "POST", "/_sandbox/faults", Some(&f));
    assert_eq!(status, 200, "{body}");
}

/// A paid order in the sandbox (payment window, card, return post, decrypt): returns its TID.
pub fn pay(sb: &Sandbox, orderno: &str, amount: u64, buyer: &str, product: &str) -> String {
    let client = cookiepay::Client::from_json(
        &json!({"base_url": sb.http_url(), "api_id": ID, "api_key": KEY, "shared": false}).to_string(),
    )
    .unwrap();
    let order = json!({"ORDERNO": orderno, "PRODUCTNAME": product, "AMOUNT": amount, "BUYERNAME": buyer,
        "RETURNURL": "https://shop.example/return"});
    let ready: Value = serde_json::from_str(&client.call(cookiepay::Operation::Ready, &order.to_string())).unwrap();
    let html = ready["data"]["html"].as_str().unwrap_or_else(|| panic!("{ready}"));
    let card =
        json!({"CARDNO": "4111111111111111", "EXPIREDT": "3012", "CARDAUTH": "900101", "CARDPWD": "12", "QUOTA": "00"});
    let (status, body) = http(
        sb,
        "POST",
        "/_sandbox/checkout",
        Some(&json!({"window_html": html, "card": card})),
    );
    assert_eq!(status, 200, "{body}");
    let form = serde_json::from_str::<Value>(&body).unwrap()["form_body"]
        .as_str()
        .unwrap()
        .to_string();
    // The tool itself reads the return post and decrypts it.
    let env = demo_env(sb);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = run_stdin(&["--json", "parse-return", "-", "--decrypt"], &env, &form);
    assert_eq!(r.code, 0, "{}", r.all());
    r.json()["data"]["TID"].as_str().unwrap().to_string()
}

/// Writes a config file with `mode`.
pub fn write_config(dir: &Path, text: &str, mode: u32) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join("config.toml");
    std::fs::write(&p, text).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    p
}

/// Runs the binary with a pseudo-terminal as stdin and stderr (as a person at a terminal would),
/// typing `typed`; returns the exit code, stdout, and everything the terminal showed.
pub fn run_on_tty(args: &[&str], env: &[(&str, &str)], typed: &str) -> (i32, String, String) {
    let (master, slave) = open_pty();
    let mut master = std::fs::File::from(master);
    let slave = std::fs::File::from(slave);
    let mut cmd = command(args, env);
    cmd.stdin(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave))
        .stdout(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    drop(cmd); // our copies of the terminal's slave side: EOF on the master once the child exits
    master.write_all(typed.as_bytes()).unwrap();
    let mut stdout = String::new();
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "cookiepay did not finish");
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut shown = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match master.read(&mut buf) {
            Ok(0) | Err(_) => break, // EIO once the slave side is closed
            Ok(n) => shown.extend_from_slice(&buf[..n]),
        }
    }
    (
        status.code().unwrap_or(-1),
        stdout,
        String::from_utf8_lossy(&shown).into_owned(),
    )
}

fn open_pty() -> (OwnedFd, OwnedFd) {
    // SAFETY: plain libc calls on descriptors we own; every result is checked.
    unsafe {
        let m = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY);
        assert!(m >= 0, "posix_openpt");
        assert_eq!(libc::grantpt(m), 0);
        assert_eq!(libc::unlockpt(m), 0);
        let mut name = [0 as libc::c_char; 128];
        assert_eq!(libc::ptsname_r(m, name.as_mut_ptr(), name.len()), 0);
        let s = libc::open(name.as_ptr(), libc::O_RDWR | libc::O_NOCTTY);
        assert!(s >= 0, "open pts");
        (OwnedFd::from_raw_fd(m), OwnedFd::from_raw_fd(s))
    }
}

/// No API key, no JWT (TOKEN) anywhere in `text`.
pub fn assert_no_secrets(text: &str) {
    for secret in [KEY, KEY2] {
        assert!(!text.contains(secret), "api key leaked:\n{text}");
    }
    assert!(!has_jwt(text), "a TOKEN (JWT) leaked:\n{text}");
}

/// A JWT's header, a dot and its payload, both `eyJ…` (Base64url of `{"`). Not a bare `eyJ`, which
/// random Base64 (an ENC_DATA in `-v` output) holds about once in 260,000 positions.
pub fn has_jwt(text: &str) -> bool {
    let b64url = |c: u8| c.is_ascii_alphanumeric() || c == b'-' || c == b'_';
    text.match_indices("eyJ").any(|(at, _)| {
        let rest = &text.as_bytes()[at..];
        let first = rest.iter().take_while(|c| b64url(**c)).count();
        rest.get(first) == Some(&b'.') && rest[first + 1..].starts_with(b"eyJ")
    })
}

/// `env` as the `&str` pairs `run` takes.
pub fn refs<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    env.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The demo merchant's environment plus a journal directory shared by the runs of one test.
pub fn demo_env_with_state(sb: &Sandbox, state: &Path) -> Vec<(&'static str, String)> {
    let mut env = demo_env(sb);
    env.push(("COOKIEPAY_STATE_DIR", state.to_str().unwrap().to_string()));
    env
}

/// The sandbox's own ledger of a payment (`/_sandbox/payments`): CANCELLED_AMT, CANCELS, STATE…
pub fn ledger(sb: &Sandbox, tid: &str) -> Value {
    let (status, body) = http(sb, "GET", "/_sandbox/payments", None);
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    v["payments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["TID"] == tid)
        .cloned()
        .unwrap_or_else(|| panic!("no payment {tid} in {v}"))
}

pub fn core(sb: &Sandbox) -> cookiepay::Client {
    cookiepay::Client::from_json(
        &json!({"base_url": sb.http_url(), "api_id": ID, "api_key": KEY, "shared": false}).to_string(),
    )
    .unwrap()
}

/// A billing key with its first charge and a monthly schedule: (RESERVE_ID, BILLKEY, TID).
pub fn subscribe(sb: &Sandbox, orderno: &str) -> (String, String, String) {
    let req = json!({"ORDERNO": orderno, "PRODUCTNAME": "정기구독 1개월", "AMOUNT": 9900, "BUYERNAME": "홍길동",
        "CARDNO": "4111111111111111", "EXPIREDT": "3012", "CARDAUTH": "900101", "CARDPWD": "12", "QUOTA": "00",
        "RECURRENCE_PAY": "Y", "RECURRENCE_TYPE": "M", "PAY_DAY": "15", "START_PAY_CNT": "1", "LAST_PAY_CNT": "12"});
    let v: Value = serde_json::from_str(&core(sb).call(cookiepay::Operation::Billkeygen, &req.to_string())).unwrap();
    assert_eq!(v["ok"], true, "{v}");
    let d = &v["data"];
    let s = |k: &str| d[k].as_str().unwrap_or_else(|| panic!("{k} in {d}")).to_string();
    (s("RESERVE_ID"), s("BILLKEY"), s("TID"))
}

/// Like [`with_demo`] with more environment, e.g. `COOKIEPAY_BILLKEY`.
pub fn with_demo_and(sb: &Sandbox, args: &[&str], more: &[(&str, &str)]) -> Run {
    let env = demo_env(sb);
    let mut env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    env.extend_from_slice(more);
    run(args, &env)
}

/// Like [`run_on_tty`], but types each `(shown, typed)` step only once the terminal shows `shown`
/// (as a person reads the prompt before typing).
pub fn run_on_tty_steps(args: &[&str], env: &[(&str, &str)], steps: &[(&str, &str)]) -> (i32, String, String) {
    use std::sync::{Arc, Mutex};
    let (master, slave) = open_pty();
    let master = std::fs::File::from(master);
    let mut writer = master.try_clone().unwrap();
    let slave = std::fs::File::from(slave);
    let mut cmd = command(args, env);
    cmd.stdin(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave))
        .stdout(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    drop(cmd);
    let shown = Arc::new(Mutex::new(Vec::<u8>::new()));
    let reader = {
        let shown = shown.clone();
        let mut master = master;
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            loop {
                match master.read(&mut buf) {
                    Ok(0) | Err(_) => break, // EIO once the slave side is closed
                    Ok(n) => shown.lock().unwrap().extend_from_slice(&buf[..n]),
                }
            }
        })
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = 0;
    for (wait, typed) in steps {
        loop {
            let text = String::from_utf8_lossy(&shown.lock().unwrap()[seen..]).into_owned();
            if let Some(at) = text.find(wait) {
                seen += at + wait.len();
                break;
            }
            assert!(Instant::now() < deadline, "the terminal never showed {wait:?}: {text}");
            std::thread::sleep(Duration::from_millis(10));
        }
        writer.write_all(typed.as_bytes()).unwrap();
    }
    let mut stdout = String::new();
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "cookiepay did not finish");
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(writer);
    reader.join().unwrap();
    let shown = String::from_utf8_lossy(&shown.lock().unwrap()).into_owned();
    (status.code().unwrap_or(-1), stdout, shown)
}
