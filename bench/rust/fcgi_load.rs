//! The load generator of the php-fpm scenario (bench/php/fpm.sh): speaks FastCGI to php-fpm's socket
//! directly (no web server in between, so nothing but PHP and the contender is measured), one
//! request in flight per connection, BENCH_CONNECTIONS connections on threads of their own, each kept
//! alive (FCGI_KEEP_CONN). Every answer must be the script's "OK". Prints one JSON line like the other
//! contenders. std only.
//!
//! Environment: BENCH_FCGI_SOCKET (unix socket path), BENCH_FCGI_SCRIPT (SCRIPT_FILENAME),
//! BENCH_CONTENDER (passed to the script as a FastCGI param), BENCH_CONNECTIONS, BENCH_SECONDS.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set (run bench/run.sh)"))
}

const BEGIN_REQUEST: u8 = 1;
const END_REQUEST: u8 = 3;
const PARAMS: u8 = 4;
const STDIN: u8 = 5;
const STDOUT: u8 = 6;
const STDERR: u8 = 7;

fn record(out: &mut Vec<u8>, kind: u8, content: &[u8]) {
    let len = content.len() as u16;
    out.extend_from_slice(&[1, kind, 0, 1, (len >> 8) as u8, len as u8, 0, 0]);
    out.extend_from_slice(content);
}

fn pair_len(out: &mut Vec<u8>, n: usize) {
    if n < 128 {
        out.push(n as u8);
    } else {
        out.extend_from_slice(&((n as u32) | 0x8000_0000).to_be_bytes());
    }
}

/// The bytes of one whole request (request id 1, keep the connection).
fn request(params: &[(&str, String)]) -> Vec<u8> {
    let mut out = Vec::new();
    record(&mut out, BEGIN_REQUEST, &[0, 1, 1, 0, 0, 0, 0, 0]);
    let mut body = Vec::new();
    for (name, value) in params {
        pair_len(&mut body, name.len());
        pair_len(&mut body, value.len());
        body.extend_from_slice(name.as_bytes());
        body.extend_from_slice(value.as_bytes());
    }
    record(&mut out, PARAMS, &body);
    record(&mut out, PARAMS, &[]);
    record(&mut out, STDIN, &[]);
    out
}

/// Send one request and read records up to END_REQUEST; the STDOUT content.
fn exchange(stream: &mut UnixStream, bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    stream.write_all(bytes)?;
    let mut stdout = Vec::new();
    loop {
        let mut header = [0u8; 8];
        stream.read_exact(&mut header)?;
        let len = u16::from_be_bytes([header[4], header[5]]) as usize + header[6] as usize;
        let mut content = vec![0u8; len];
        stream.read_exact(&mut content)?;
        content.truncate(len - header[6] as usize);
        match header[1] {
            STDOUT => stdout.extend_from_slice(&content),
            STDERR => eprintln!("php-fpm stderr: {}", String::from_utf8_lossy(&content)),
            END_REQUEST => return Ok(stdout),
            _ => {}
        }
    }
}

fn main() {
    let socket = env("BENCH_FCGI_SOCKET");
    let script = env("BENCH_FCGI_SCRIPT");
    let contender = env("BENCH_CONTENDER");
    let connections: usize = env("BENCH_CONNECTIONS").parse().unwrap();
    let seconds: f64 = env("BENCH_SECONDS").parse().unwrap();
    let bytes = Arc::new(request(&[
        ("SCRIPT_FILENAME", script.clone()),
        ("SCRIPT_NAME", "/fpm.php".into()),
        ("REQUEST_METHOD", "GET".into()),
        ("SERVER_PROTOCOL", "HTTP/1.1".into()),
        ("GATEWAY_INTERFACE", "CGI/1.1".into()),
        ("BENCH_CONTENDER", contender.clone()),
    ]));
    let barrier = Arc::new(Barrier::new(connections + 1));
    let end = Arc::new(std::sync::OnceLock::<Instant>::new());
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let (bytes, barrier, end, socket) = (bytes.clone(), barrier.clone(), end.clone(), socket.clone());
            std::thread::spawn(move || {
                let mut stream = UnixStream::connect(&socket).expect("connect to php-fpm");
                let one = |stream: &mut UnixStream| {
                    let out = exchange(stream, &bytes).expect("FastCGI exchange");
                    let text = String::from_utf8_lossy(&out);
                    assert!(text.ends_with("\r\n\r\nOK"), "unexpected answer: {text}");
                };
                let warm_up = Instant::now() + Duration::from_secs(1);
                while Instant::now() < warm_up {
                    one(&mut stream);
                }
                // Everyone warm, then the measured window opens for all at once.
                barrier.wait();
                barrier.wait();
                let end = *end.get().expect("set between the two barriers");
                let mut latencies = Vec::new();
                loop {
                    let t = Instant::now();
                    if t >= end {
                        break;
                    }
                    one(&mut stream);
                    latencies.push(t.elapsed().as_micros() as u32);
                }
                latencies
            })
        })
        .collect();
    barrier.wait();
    let started = Instant::now();
    end.set(started + Duration::from_secs_f64(seconds)).unwrap();
    barrier.wait();
    let mut all: Vec<u32> = workers.into_iter().flat_map(|w| w.join().unwrap()).collect();
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_unstable();
    let pct = |p: f64| {
        all.get(((all.len().max(1) - 1) as f64 * p).round() as usize)
            .copied()
            .unwrap_or(0)
    };
    println!(
        "{{\"lang\":\"php\",\"contender\":\"{contender}\",\"scenario\":\"concurrent\",\"threads\":{connections},\"calls\":{},\"seconds\":{elapsed:.6},\"calls_per_s\":{:.3},\"p50_us\":{},\"p99_us\":{},\"peak_rss_kb\":0}}",
        all.len(),
        all.len() as f64 / elapsed,
        pct(0.5),
        pct(0.99)
    );
}
