//! Load generator for the sandbox benchmark (bench/sandbox/run.sh): gets a TOKEN, makes one real
//! payment through the window, then hammers POST /api/paycert with that TID over keep-alive
//! connections for a bounded time and reports requests/s and latency.
//!
//! cargo run --release --example loadgen -- --url http://127.0.0.1:PORT [--connections 4] [--seconds 10]
//! The target must have the control API on (the TID is read from /_sandbox/payments).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use cookiepay_sandbox::{DEMO_API_ID, DEMO_API_KEY};

struct Conn {
    s: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    fn open(addr: &str) -> std::io::Result<Conn> {
        let s = TcpStream::connect(addr)?;
        s.set_nodelay(true)?;
        s.set_read_timeout(Some(Duration::from_secs(10)))?;
        Ok(Conn {
            s,
            buf: Vec::with_capacity(8192),
        })
    }

    /// One request/response on the keep-alive connection: (status, body).
    fn call(&mut self, req: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
        self.s.write_all(req)?;
        self.buf.clear();
        let mut chunk = [0u8; 16384];
        loop {
            if let Some(head_end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4) {
                let head = std::str::from_utf8(&self.buf[..head_end]).map_err(std::io::Error::other)?;
                let status = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
                let cl = head
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("content-length")
                            .then(|| v.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                if self.buf.len() >= head_end + cl {
                    return Ok((status, self.buf[head_end..head_end + cl].to_vec()));
                }
            }
            let n = self.s.read(&mut chunk)?;
            if n == 0 {
                return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "closed"));
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}

fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut r = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        r.push_str(&format!("{k}: {v}\r\n"));
    }
    r.push_str("\r\n");
    r.push_str(body);
    r.into_bytes()
}

fn json(body: &[u8]) -> serde_json::Value {
    serde_json::from_slice(body).unwrap_or(serde_json::Value::Null)
}

fn fail(msg: &str) -> ! {
    eprintln!("loadgen: {msg}");
    std::process::exit(1);
}

fn main() {
    let mut url = String::new();
    let mut conns = 4usize;
    let mut seconds = 10u64;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = args.next().unwrap_or_else(|| fail("flag without value"));
        match a.as_str() {
            "--url" => url = v,
            "--connections" => conns = v.parse().unwrap_or_else(|_| fail("bad --connections")),
            "--seconds" => seconds = v.parse().unwrap_or_else(|_| fail("bad --seconds")),
            _ => fail("usage: loadgen --url http://127.0.0.1:PORT [--connections N] [--seconds S]"),
        }
    }
    let addr = url
        .strip_prefix("http://")
        .unwrap_or_else(|| fail("--url must be http://HOST:PORT"))
        .to_string();
    let seconds = seconds.clamp(1, 120);
    let conns = conns.clamp(1, 256);

    // Setup: token, one approved payment, its TID.
    let mut c = Conn::open(&addr).unwrap_or_else(|e| fail(&format!("connect: {e}")));
    let ct = ("Content-Type", "application/json");
    let token_body = serde_json::json!({ "pay2_id": DEMO_API_ID, "pay2_key": DEMO_API_KEY }).to_string();
    let (_, b) = c
        .call(&request("POST", "/payAuth/token", &[ct], &token_body))
        .unwrap_or_else(|e| fail(&e.to_string()));
    let token = json(&b)["TOKEN"]
        .as_str()
        .unwrap_or_else(|| fail("no TOKEN"))
        .to_string();
    let orderno = format!("BENCH-{}", std::process::id());
    let ready = serde_json::json!({
        "API_ID": DEMO_API_ID, "ORDERNO": orderno, "PRODUCTNAME": "벤치마크", "AMOUNT": "1000",
        "BUYERNAME": "부하", "RETURNURL": "https://shop.example/return"
    })
    .to_string();
    let (_, html) = c
        .call(&request("POST", "/pay/ready", &[ct, ("ApiKey", DEMO_API_KEY)], &ready))
        .unwrap_or_else(|e| fail(&e.to_string()));
    let html = String::from_utf8_lossy(&html).to_string();
    let action = html
        .split("action=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_else(|| fail("no window form"))
        .to_string();
    // The form posts to an absolute URL (as the real window does); a request line wants its path.
    let action = match action.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/".to_string(), |i| rest[i..].to_string()),
        None => action,
    };
    let form = "CARDNO=4111111111111111&EXPIREDT=3912&CARDAUTH=900101&CARDPWD=12&QUOTA=00";
    c.call(&request(
        "POST",
        &action,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        form,
    ))
    .unwrap_or_else(|e| fail(&e.to_string()));
    let (_, list) = c
        .call(&request("GET", "/_sandbox/payments", &[], ""))
        .unwrap_or_else(|e| fail(&e.to_string()));
    let tid = json(&list)["payments"]
        .as_array()
        .and_then(|a| a.iter().find(|p| p["ORDERNO"] == orderno.as_str()))
        .and_then(|p| p["TID"].as_str())
        .unwrap_or_else(|| fail("payment not found (is the control API on?)"))
        .to_string();
    let paycert = request(
        "POST",
        "/api/paycert",
        &[ct, ("TOKEN", &token)],
        &serde_json::json!({ "tid": tid }).to_string(),
    );
    let (s, b) = c.call(&paycert).unwrap_or_else(|e| fail(&e.to_string()));
    if s != 200 || json(&b)["RESULTCODE"] != "0000" {
        fail(&format!("paycert check failed: {s} {}", String::from_utf8_lossy(&b)));
    }
    drop(c);

    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let workers: Vec<_> = (0..conns)
        .map(|_| {
            let addr = addr.clone();
            let paycert = paycert.clone();
            std::thread::spawn(move || {
                let mut lat_us: Vec<u32> = Vec::with_capacity(1 << 20);
                let mut errors = 0u64;
                let Ok(mut c) = Conn::open(&addr) else {
                    return (lat_us, 1);
                };
                while Instant::now() < deadline {
                    let t = Instant::now();
                    match c.call(&paycert) {
                        // The TID must come back: a cheap check that each answer is the real one.
                        Ok((200, body)) if body.windows(tid_marker().len()).any(|w| w == tid_marker()) => {
                            lat_us.push(t.elapsed().as_micros().min(u32::MAX as u128) as u32)
                        }
                        Ok(_) => errors += 1,
                        Err(_) => {
                            errors += 1;
                            match Conn::open(&addr) {
                                Ok(n) => c = n,
                                Err(_) => break,
                            }
                        }
                    }
                }
                (lat_us, errors)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut errors = 0;
    for w in workers {
        let (l, e) = w.join().unwrap_or_default();
        all.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_unstable();
    let pct = |p: f64| all.get(((all.len() as f64 - 1.0) * p) as usize).copied().unwrap_or(0);
    println!(
        "paycert: {} ok, {} errors in {:.2} s over {} keep-alive connections = {:.0} req/s; latency p50 {} us, p99 {} us, max {} us",
        all.len(),
        errors,
        elapsed,
        conns,
        all.len() as f64 / elapsed,
        pct(0.50),
        pct(0.99),
        all.last().copied().unwrap_or(0)
    );
    if errors > 0 || all.is_empty() {
        std::process::exit(1);
    }
}

fn tid_marker() -> &'static [u8] {
    b"\"TID\":\"SBX"
}
