//! Issue 11 item 10: a flood of idle connections and a slowloris client, against the defaults.
//! Before the connection cap, 400 idle connections under `ulimit -n 256` left the sandbox unable to
//! accept anyone until they idled out (60 s); before the absolute head deadline, a client dripping
//! a header byte at a time held its connection forever (the 15 s timeout restarted on each read).

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use cookiepay_sandbox::choices;

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The sandbox binary under `ulimit -n limit`, and its HTTP address.
fn binary_with_fd_limit(limit: u32) -> (Running, SocketAddr) {
    let dir = std::env::temp_dir().join(format!("cookiepay-flood-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let ready = dir.join("ready.json");
    let _ = std::fs::remove_file(&ready);
    let child = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -n {limit} && exec \"$0\" --port 0 --ready-file \"$1\""))
        .arg(env!("CARGO_BIN_EXE_cookiepay-sandbox"))
        .arg(&ready)
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn the sandbox");
    let running = Running(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(text) = std::fs::read_to_string(&ready) {
            let v: serde_json::Value = serde_json::from_str(&text).expect("ready file");
            let url = v["http"]
                .as_str()
                .expect("http")
                .trim_start_matches("http://")
                .to_string();
            let _ = std::fs::remove_dir_all(&dir);
            return (running, url.parse().expect("addr"));
        }
        assert!(Instant::now() < deadline, "sandbox did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A token request on a fresh connection; the status, or an error after `limit`.
fn token_status(addr: SocketAddr, limit: Duration) -> Result<u16, String> {
    let mut s = TcpStream::connect_timeout(&addr, limit).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(limit)).expect("timeout");
    let body = format!(
        "{{\"pay2_id\":\"{}\",\"pay2_key\":\"{}\"}}",
        choices::DEMO_API_ID,
        choices::DEMO_API_KEY
    );
    s.write_all(&raw_request(
        "POST",
        "/payAuth/token",
        &[("Content-Type", "application/json"), ("Connection", "close")],
        body.as_bytes(),
    ))
    .map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&answer);
    text.split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("no answer: {text:?}"))
}

#[test]
fn a_flood_of_idle_connections_does_not_lock_clients_out() {
    let (_sandbox, addr) = binary_with_fd_limit(256);
    let mut flood = Vec::new();
    for _ in 0..400 {
        match TcpStream::connect_timeout(&addr, Duration::from_secs(2)) {
            Ok(s) => flood.push(s),
            Err(_) => break, // the backlog is full: the flood has done what it can
        }
    }
    assert!(flood.len() >= 300, "only {} connections", flood.len());
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    assert_eq!(token_status(addr, Duration::from_secs(3)), Ok(200));
    assert!(started.elapsed() < Duration::from_secs(3));
    // Evicted flood connections were closed by the sandbox (it holds at most the cap).
    let oldest = &mut flood[0];
    oldest.set_read_timeout(Some(Duration::from_secs(2))).expect("timeout");
    assert!(closed_by_peer(oldest), "the oldest idle connection made room");
    // And again, with the flood still open.
    assert_eq!(token_status(addr, Duration::from_secs(3)), Ok(200));
}

#[test]
fn at_a_small_cap_busy_connections_are_kept_and_idle_ones_make_room() {
    let sb = start_with(|o| o.max_connections = 4);
    let mut busy = connect(&sb);
    // Mid-request (not idle): never evicted.
    send(&mut busy, b"POST /payAuth/token HTTP/1.1\r\nHost: x\r\n");
    std::thread::sleep(Duration::from_millis(200));
    let idle: Vec<TcpStream> = (0..20).map(|_| connect(&sb)).collect();
    std::thread::sleep(Duration::from_millis(200));
    assert_alive(&sb);
    let body = format!(
        "{{\"pay2_id\":\"{}\",\"pay2_key\":\"{}\"}}",
        choices::DEMO_API_ID,
        choices::DEMO_API_KEY
    );
    send(
        &mut busy,
        format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    );
    let (status, _, _) = read_response(&mut busy);
    assert_eq!(status, 200, "the busy connection survived the flood");
    drop(idle);
}

#[test]
fn a_slowloris_client_is_cut_off_at_the_absolute_head_deadline() {
    let sb = start();
    let mut s = connect(&sb);
    let started = Instant::now();
    send(&mut s, b"POST /payAuth/token HTTP/1.1\r\nX-Slow: ");
    s.set_nonblocking(true).expect("nonblocking");
    let limit = choices::HEAD_TIMEOUT + Duration::from_secs(4);
    let closed_after = loop {
        // One byte every 250 ms: each read used to restart the 15 s timeout.
        std::thread::sleep(Duration::from_millis(250));
        let wrote = s.write(b"a");
        let mut b = [0u8; 64];
        let eof =
            matches!(s.read(&mut b), Ok(0)) || matches!(&wrote, Err(e) if e.kind() != std::io::ErrorKind::WouldBlock);
        if eof {
            break started.elapsed();
        }
        assert!(started.elapsed() < limit, "still open after {:?}", started.elapsed());
    };
    assert!(
        closed_after >= choices::HEAD_TIMEOUT - Duration::from_millis(500),
        "closed early: {closed_after:?}"
    );
    assert_alive(&sb);
}

#[test]
fn the_control_api_refuses_what_a_web_page_could_send() {
    let sb = start();
    let addr = sb.http_url().trim_start_matches("http://").to_string();
    let raw = |head: &str, body: &str| -> u16 {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        let req = format!(
            "POST /_sandbox/noti HTTP/1.1\r\n{head}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        std::io::Write::write_all(&mut s, req.as_bytes()).unwrap();
        let mut out = String::new();
        std::io::Read::read_to_string(&mut s, &mut out).unwrap();
        out[9..12].parse().unwrap()
    };
    let json_body = r#"{"url":"http://127.0.0.1:9/steal"}"#;
    let own = format!("Host: {addr}\r\nContent-Type: application/json\r\n");
    // DNS rebinding: the page's own host name, resolving to 127.0.0.1.
    assert_eq!(
        raw("Host: evil.example:80\r\nContent-Type: application/json\r\n", json_body),
        403
    );
    // A page on another origin (even another local port), or an opaque one.
    for origin in ["http://evil.example", "http://127.0.0.1:1", "null"] {
        assert_eq!(raw(&format!("{own}Origin: {origin}\r\n"), json_body), 403, "{origin}");
    }
    // An HTML form's body, or a fetch without a preflight.
    for ct in [
        "application/x-www-form-urlencoded",
        "text/plain;charset=UTF-8",
        "multipart/form-data; boundary=x",
    ] {
        let head = format!("Host: {addr}\r\nContent-Type: {ct}\r\n");
        assert_eq!(raw(&head, json_body), 415, "{ct}");
    }
    assert_eq!(raw(&format!("Host: {addr}\r\n"), json_body), 415);
    // Nothing of the above changed the Noti URL.
    let api = Api::http(&sb);
    assert_eq!(api.get_json("/_sandbox/notis").1["url"], serde_json::Value::Null);
    // Its own address, by IP literal, by localhost, and its own origin, are served.
    assert_eq!(raw(&format!("{own}Origin: http://{addr}\r\n"), json_body), 200);
    let port = addr.rsplit_once(':').unwrap().1;
    assert_eq!(
        raw(
            &format!("Host: localhost:{port}\r\nContent-Type: application/json\r\n"),
            r#"{"url":null}"#
        ),
        200
    );
}
