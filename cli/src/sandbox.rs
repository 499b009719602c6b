//! `cookiepay sandbox`: the bundled `cookiepay-sandbox` in the foreground, same flags as its own binary
//! (bar `--merchant`/`--config`: this tool takes no keys on the command line).

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use cookiepay_sandbox::{Options, Sandbox, DEMO_API_ID, DEMO_API_KEY};

use crate::exit;

#[derive(Args)]
pub struct SandboxArgs {
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// HTTP port (0 = any free port)
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Also serve HTTPS with a certificate signed by a CA made at start
    #[arg(long)]
    tls: bool,
    /// HTTPS port (implies --tls; default any free port)
    #[arg(long, value_name = "PORT")]
    tls_port: Option<u16>,
    /// Write the CA certificate (PEM) clients must trust (needs --tls)
    #[arg(long, value_name = "FILE")]
    ca_out: Option<PathBuf>,
    /// Once listening, write {"http","https","ca_pem_path","pid"} JSON here
    #[arg(long, value_name = "FILE")]
    ready_file: Option<PathBuf>,
    /// No /_sandbox/ control API
    #[arg(long)]
    no_control: bool,
    /// TOKEN lifetime in seconds
    #[arg(long, value_name = "SECS", default_value_t = 3600)]
    token_lifetime: u64,
}

/// Temp file + rename: a watcher never reads half a file.
fn write_atomically(path: &Path, contents: &str) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    std::fs::write(&tmp, contents)?;
    std::fs::rename(&tmp, path)
}

pub fn run(verbose: bool, a: SandboxArgs) -> u8 {
    let tls = a.tls || a.tls_port.is_some();
    if a.ca_out.is_some() && !tls {
        eprintln!("cookiepay sandbox: --ca-out needs --tls");
        return exit::USAGE;
    }
    let opts = Options {
        bind: a.bind,
        port: a.port,
        tls_port: if tls { Some(a.tls_port.unwrap_or(0)) } else { None },
        control: !a.no_control,
        token_lifetime: Duration::from_secs(a.token_lifetime),
        ..Default::default()
    };
    // Signal handlers first: a SIGTERM right after the ready file appears is a clean stop.
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cookiepay sandbox: cannot start: {e}");
            return exit::INTERNAL;
        }
    };
    let stop = match rt.block_on(async { StopSignal::install() }) {
        Ok(stop) => stop,
        Err(e) => {
            eprintln!("cookiepay sandbox: cannot install signal handlers: {e}");
            return exit::INTERNAL;
        }
    };
    let sb = match Sandbox::start_with_logging(opts, verbose) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cookiepay sandbox: cannot start: {e}");
            return exit::NETWORK;
        }
    };
    println!("cookiepay sandbox listening on {}", sb.http_url());
    if let Some(u) = sb.https_url() {
        println!("cookiepay sandbox listening on {u}");
    }
    let mut ca_path = None;
    if let (Some(path), Some(pem)) = (&a.ca_out, sb.ca_pem()) {
        if let Err(e) = write_atomically(path, &pem) {
            eprintln!("cookiepay sandbox: cannot write {}: {e}", path.display());
            return exit::CONFIG;
        }
        ca_path = Some(std::fs::canonicalize(path).unwrap_or_else(|_| path.clone()));
    }
    // The demo merchant's public test credentials (sandbox/README.md): they work only here.
    println!("In another shell:");
    println!("  export COOKIEPAY_BASE_URL={}", sb.http_url());
    println!("  export COOKIEPAY_API_ID={DEMO_API_ID} COOKIEPAY_API_KEY={DEMO_API_KEY}");
    if let Some(p) = &ca_path {
        println!(
            "  (HTTPS: COOKIEPAY_BASE_URL={} COOKIEPAY_CA_CERT={})",
            sb.https_url().unwrap_or_default(),
            p.display()
        );
    }
    println!("Ctrl-C stops it.");
    if let Some(path) = &a.ready_file {
        let info = serde_json::json!({
            "http": sb.http_url(),
            "https": sb.https_url(),
            "ca_pem_path": ca_path.as_ref().map(|p| p.display().to_string()),
            "pid": std::process::id(),
        });
        if let Err(e) = write_atomically(path, &info.to_string()) {
            eprintln!("cookiepay sandbox: cannot write {}: {e}", path.display());
            return exit::CONFIG;
        }
    }
    rt.block_on(stop.wait());
    sb.shutdown();
    eprintln!("cookiepay sandbox stopped");
    exit::OK
}

/// What stops the foreground sandbox: SIGTERM or SIGINT on Unix, Ctrl-C (or Ctrl-Break) on Windows.
#[cfg(unix)]
struct StopSignal(tokio::signal::unix::Signal, tokio::signal::unix::Signal);

#[cfg(unix)]
impl StopSignal {
    fn install() -> std::io::Result<StopSignal> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(StopSignal(
            signal(SignalKind::terminate())?,
            signal(SignalKind::interrupt())?,
        ))
    }

    async fn wait(mut self) {
        tokio::select! {
            _ = self.0.recv() => {},
            _ = self.1.recv() => {},
        }
    }
}

#[cfg(windows)]
struct StopSignal(tokio::signal::windows::CtrlC, tokio::signal::windows::CtrlBreak);

#[cfg(windows)]
impl StopSignal {
    fn install() -> std::io::Result<StopSignal> {
        Ok(StopSignal(
            tokio::signal::windows::ctrl_c()?,
            tokio::signal::windows::ctrl_break()?,
        ))
    }

    async fn wait(mut self) {
        tokio::select! {
            _ = self.0.recv() => {},
            _ = self.1.recv() => {},
        }
    }
}
