//! `cookiepay-sandbox` command: run the sandbox until SIGTERM/SIGINT.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use cookiepay_sandbox::{Merchant, Options, OverLong, Sandbox, Spelling};

const USAGE: &str = "usage: cookiepay-sandbox [--bind IP] [--port N] [--tls] [--tls-port N] [--ca-out PATH]
                         [--ready-file PATH] [--no-control] [--token-lifetime SECS]
                         [--merchant API_ID:API_KEY]... [--config FILE.json] [--noti-url URL]
                         [--spelling recorded|table] [--over-long truncate|refuse]
                         [--window-ttl SECS] [--max-connections N] [--clock-start DATE] [--verbose]

  --bind IP              address to listen on (default 127.0.0.1)
  --port N               HTTP port (default 0 = any free port)
  --tls                  also serve HTTPS with a self-signed certificate made at start
  --tls-port N           HTTPS port (implies --tls; default 0 = any free port)
  --ca-out PATH          write the CA certificate (PEM) that clients must trust (needs --tls)
  --ready-file PATH      once listening, write {\"http\",\"https\",\"ca_pem_path\",\"pid\"} JSON there
  --no-control           disable the /_sandbox/ control API
  --token-lifetime SECS  TOKEN lifetime (default 3600)
  --merchant ID:KEY      add a merchant (repeatable; the demo merchant is always present)
  --config FILE.json     {\"merchants\":[{\"api_id\":..,\"api_key\":..}],\"token_lifetime_secs\":N}
  --noti-url URL         POST notifications (Noti) as JSON to this http:// URL
  --spelling S           decrypted window result keys: recorded (default: ACCEPT_NO, ACCEPT_DATE,
                         USERID, as the manual's recorded answer) or table (ACCEPTNO, ACCEPTDATE)
  --over-long P          order fields over the manual's length: truncate (default) or refuse (E012)
  --window-ttl SECS      an unsubmitted payment window expires after this (sandbox clock; default 1800)
  --max-connections N    open connections at most (default 512, capped by the open-file limit)
  --clock-start DATE     the sandbox clock starts at DATE, YYYY-MM-DD or \"YYYY-MM-DD HH:MM:SS\" (KST),
                         and runs on from there (default: $COOKIEPAY_SANDBOX_CLOCK_START, else real time)
  --verbose              log one line per request to stderr (never keys, tokens or card data)
";

struct Cli {
    opts: Options,
    tls: bool,
    ca_out: Option<PathBuf>,
    ready_file: Option<PathBuf>,
    verbose: bool,
}

fn parse_args(args: Vec<String>) -> Result<Option<Cli>, String> {
    let mut opts = Options {
        clock_start: std::env::var(cookiepay_sandbox::CLOCK_START_ENV)
            .ok()
            .filter(|s| !s.is_empty()),
        ..Options::default()
    };
    let mut tls = false;
    let mut ca_out = None;
    let mut ready_file = None;
    let mut verbose = false;
    let mut extra: Vec<Merchant> = Vec::new();
    let mut lifetime: Option<u64> = None;
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => it.next().ok_or_else(|| format!("{name} needs a value")),
            }
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--bind" => {
                opts.bind = value("--bind")?
                    .parse::<IpAddr>()
                    .map_err(|_| "--bind needs an IP address")?
            }
            "--port" => opts.port = value("--port")?.parse().map_err(|_| "--port needs a port number")?,
            "--tls" => tls = true,
            "--tls-port" => {
                tls = true;
                opts.tls_port = Some(
                    value("--tls-port")?
                        .parse()
                        .map_err(|_| "--tls-port needs a port number")?,
                );
            }
            "--ca-out" => ca_out = Some(PathBuf::from(value("--ca-out")?)),
            "--ready-file" => ready_file = Some(PathBuf::from(value("--ready-file")?)),
            "--no-control" => opts.control = false,
            "--token-lifetime" => {
                lifetime = Some(
                    value("--token-lifetime")?
                        .parse()
                        .map_err(|_| "--token-lifetime needs seconds")?,
                )
            }
            "--merchant" => {
                let v = value("--merchant")?;
                let (id, key) = v.split_once(':').ok_or("--merchant needs API_ID:API_KEY")?;
                extra.push(Merchant {
                    api_id: id.to_string(),
                    api_key: key.to_string(),
                });
            }
            "--config" => {
                let path = value("--config")?;
                let (ms, lt) = read_config(Path::new(&path))?;
                extra.extend(ms);
                if lt.is_some() && lifetime.is_none() {
                    lifetime = lt;
                }
            }
            "--noti-url" => opts.noti_url = Some(value("--noti-url")?),
            "--spelling" => {
                opts.spelling = match value("--spelling")?.as_str() {
                    "recorded" => Spelling::Recorded,
                    "table" => Spelling::Table,
                    _ => return Err("--spelling is recorded or table".into()),
                }
            }
            "--over-long" => {
                opts.over_long = match value("--over-long")?.as_str() {
                    "truncate" => OverLong::Truncate,
                    "refuse" => OverLong::Refuse,
                    _ => return Err("--over-long is truncate or refuse".into()),
                }
            }
            "--window-ttl" => {
                let secs: u64 = value("--window-ttl")?
                    .parse()
                    .map_err(|_| "--window-ttl needs seconds")?;
                opts.window_ttl = Duration::from_secs(secs.max(1));
            }
            "--max-connections" => {
                let n: usize = value("--max-connections")?
                    .parse()
                    .map_err(|_| "--max-connections needs a number")?;
                opts.max_connections = n.max(1);
            }
            "--clock-start" => opts.clock_start = Some(value("--clock-start")?),
            "--verbose" | "-v" => verbose = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if tls && opts.tls_port.is_none() {
        opts.tls_port = Some(0);
    }
    if ca_out.is_some() && !tls {
        return Err("--ca-out needs --tls".into());
    }
    if let Some(secs) = lifetime {
        opts.token_lifetime = Duration::from_secs(secs);
    }
    for m in extra {
        // A merchant given again with the demo's id replaces the demo.
        opts.merchants.retain(|d| d.api_id != m.api_id);
        opts.merchants.push(m);
    }
    Ok(Some(Cli {
        opts,
        tls,
        ca_out,
        ready_file,
        verbose,
    }))
}

fn read_config(path: &Path) -> Result<(Vec<Merchant>, Option<u64>), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{} is not valid JSON: {e}", path.display()))?;
    let mut out = Vec::new();
    if let Some(ms) = v.get("merchants") {
        let arr = ms.as_array().ok_or("config: merchants must be an array")?;
        for m in arr {
            let id = m
                .get("api_id")
                .and_then(|x| x.as_str())
                .ok_or("config: each merchant needs api_id")?;
            let key = m
                .get("api_key")
                .and_then(|x| x.as_str())
                .ok_or("config: each merchant needs api_key")?;
            out.push(Merchant {
                api_id: id.to_string(),
                api_key: key.to_string(),
            });
        }
    }
    let lt = match v.get("token_lifetime_secs") {
        None | Some(serde_json::Value::Null) => None,
        Some(x) => Some(
            x.as_u64()
                .ok_or("config: token_lifetime_secs must be a non-negative integer")?,
        ),
    };
    Ok((out, lt))
}

/// Temp file + rename, so a watcher never reads a half-written file.
fn write_atomically(path: &Path, contents: &str) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, contents)?;
    std::fs::rename(&tmp, path)
}

fn main() -> ExitCode {
    let cli = match parse_args(std::env::args().skip(1).collect()) {
        Ok(Some(c)) => c,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("cookiepay-sandbox: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // Handlers go in before the listener exists, so a SIGTERM sent right after the ready file
    // appears is always a clean stop.
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cookiepay-sandbox: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    let signals = rt.block_on(async {
        use tokio::signal::unix::{signal, SignalKind};
        Ok::<_, std::io::Error>((signal(SignalKind::terminate())?, signal(SignalKind::interrupt())?))
    });
    let (mut term, mut int) = match signals {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cookiepay-sandbox: cannot install signal handlers: {e}");
            return ExitCode::from(1);
        }
    };
    if cli.opts.control && !cli.opts.bind.is_loopback() {
        eprintln!(
            "cookiepay-sandbox: warning: the /_sandbox/ control API (faults, the clock, the Noti URL) is \
             reachable on {} from other machines; bind to 127.0.0.1 or add --no-control",
            cli.opts.bind
        );
    }
    let sandbox = match Sandbox::start_with_logging(cli.opts, cli.verbose) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cookiepay-sandbox: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    println!("cookiepay-sandbox listening on {}", sandbox.http_url());
    if let Some(u) = sandbox.https_url() {
        println!("cookiepay-sandbox listening on {u}");
    }
    let mut ca_path = None;
    if let (Some(path), Some(pem)) = (&cli.ca_out, sandbox.ca_pem()) {
        if let Err(e) = write_atomically(path, &pem) {
            eprintln!("cookiepay-sandbox: cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
        ca_path = Some(std::fs::canonicalize(path).unwrap_or_else(|_| path.clone()));
    }
    if let Some(path) = &cli.ready_file {
        let info = serde_json::json!({
            "http": sandbox.http_url(),
            "https": sandbox.https_url(),
            "ca_pem_path": ca_path.as_ref().map(|p| p.display().to_string()),
            "pid": std::process::id(),
        });
        if let Err(e) = write_atomically(path, &info.to_string()) {
            eprintln!("cookiepay-sandbox: cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
    }
    let _ = cli.tls;
    rt.block_on(async {
        tokio::select! {
            _ = term.recv() => {},
            _ = int.recv() => {},
        }
    });
    sandbox.shutdown();
    ExitCode::SUCCESS
}
