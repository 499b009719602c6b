//! `cookiepay`: the command line for the people who run a shop's CookiePay (쿠키페이) payments —
//! look payments up, verify them, refund them, run a local sandbox. Every exchange with CookiePay
//! goes through the `cookiepay` core library; this crate only parses arguments and prints.

mod config;
mod exit;
mod journal;
mod money;
mod output;
mod progress;
mod render;
#[cfg(feature = "sandbox")]
mod sandbox;
mod unknown;

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand};
use serde_json::{json, Value};

use crate::config::Settings;
use crate::render::Envelope;

const ENV_HELP: &str = "\
Credentials (never on the command line):
  COOKIEPAY_API_ID, COOKIEPAY_API_KEY   one credential pair (인증 and 비인증_정기 are separate pairs)
  COOKIEPAY_ENV=sandbox|live            which CookiePay (default sandbox), or
  COOKIEPAY_BASE_URL=URL                any base URL, e.g. a local `cookiepay sandbox`
  COOKIEPAY_CA_CERT=FILE                an extra CA certificate (PEM) to trust
  COOKIEPAY_TIMEOUT_MS=N                whole-request timeout (default 20000)
or a profile of the config file ($COOKIEPAY_CONFIG, else ~/.config/cookiepay/config.toml, chmod 600),
chosen with --profile NAME or COOKIEPAY_PROFILE. The environment and a profile are never mixed.
A BILLKEY (charge, billkey-delete) is a secret too: COOKIEPAY_BILLKEY, else stdin; shown masked.
Refunds and charges are journaled in $COOKIEPAY_STATE_DIR, else $XDG_STATE_HOME/cookiepay, else
~/.local/state/cookiepay (journal.json, 0600): see `cookiepay unknown --help`.";

const MONEY_HELP: &str = "\
On a terminal this asks first ([y/N]; anything but y sends nothing, exit 1). Without a terminal it
refuses (exit 2) unless --yes is given. If the answer is lost (timeout, broken connection) the
outcome is UNKNOWN (exit 11): the tool says how to find out what happened. A refund or charge is
recorded in the journal first and the same call (same TID and amount; same schedule) is refused
(exit 11) until it is settled: cookiepay unknown list / cookiepay unknown settle ID.
Exit 3, 4, 6, 7, 8 after sending: not applied, safe to retry. Exit codes: cookiepay --help";

const UNKNOWN_HELP: &str = "\
Every refund and charge is written to the journal before it is sent. When its answer is lost the
entry stays UNKNOWN and the same call is refused (exit 11) until a person settles it:
  a full refund:    cookiepay paycert TID - CANCELDATE set: --applied; empty: --not-applied
  a partial refund: no API answer tells (paycert shows cancellations only once the whole payment
                    is refunded): check the payment's cancellations in CookiePay's dashboard
  a charge:         cookiepay search --from DAY --to DAY for the schedule's new payment
Journal: $COOKIEPAY_STATE_DIR, else $XDG_STATE_HOME/cookiepay, else ~/.local/state/cookiepay.";

#[derive(Parser)]
#[command(
    name = "cookiepay",
    version,
    about = "Look up, verify and refund CookiePay (쿠키페이) payments; run a local sandbox",
    after_help = format!("{ENV_HELP}\n\n{}", exit::TABLE),
    max_term_width = 100
)]
struct Cli {
    /// Print the core's JSON envelope {"ok":…} unchanged, for scripts
    #[arg(long, global = true)]
    json: bool,
    /// Show each HTTP exchange (method, path, status, time, masked bodies) on stderr
    #[arg(short, long, global = true)]
    verbose: bool,
    /// Use this profile of the config file (default: $COOKIEPAY_PROFILE, else the environment's
    /// credentials, else the file's default_profile)
    #[arg(long, global = true, value_name = "NAME")]
    profile: Option<String>,
    /// Do not ask before money calls (cancel, charge, schedule-cancel)
    #[arg(short, long, global = true)]
    yes: bool,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Look a payment up by TID (결제정보 조회, paycert)
    Paycert {
        /// The transaction id, e.g. SBX26112602375178897
        tid: String,
    },
    /// Check a payment against the order: exit 0 only when ORDERNO and AMOUNT match and it is not cancelled
    Verify {
        tid: String,
        /// The shop's order number
        #[arg(long)]
        orderno: String,
        /// The amount the shop charged, in won (5000, 5,000 or 5000원)
        #[arg(long, value_parser = parse_amount)]
        amount: u64,
    },
    /// Find payments by TID or by date range (KST)
    Search(SearchArgs),
    /// Decrypt the ENC_DATA of a return post (- reads it from stdin; a whole form body works too)
    Decrypt {
        /// The ENC_DATA value, or - for stdin
        enc_data: String,
    },
    /// Read the urlencoded body CookiePay POSTed to RETURNURL (- reads it from stdin)
    ParseReturn {
        /// The raw body, or - for stdin
        body: String,
        /// Also decrypt ENC_DATA (needs credentials)
        #[arg(long)]
        decrypt: bool,
    },
    /// Check the credentials: fetch a fresh TOKEN (never printed)
    Token {
        /// Fetch a new TOKEN even if one is cached (the default and only mode)
        #[arg(long)]
        check: bool,
    },
    /// Print the URL of a payment's receipt (no network)
    Receipt { tid: String },
    /// Refund a payment, whole or in part (asks first unless --yes)
    #[command(after_help = MONEY_HELP)]
    Cancel {
        tid: String,
        /// Why (shown to the buyer and in CookiePay's records)
        #[arg(long)]
        reason: String,
        /// Refund only this many won (partial cancel); default the whole payment
        #[arg(long, value_parser = parse_amount)]
        amount: Option<u64>,
        /// Refund account bank (virtual-account payments)
        #[arg(long)]
        bank: Option<String>,
        /// Refund account number
        #[arg(long)]
        account_no: Option<String>,
        /// Refund account holder
        #[arg(long)]
        account_name: Option<String>,
    },
    /// Charge a recurring payment now (BILLKEY from COOKIEPAY_BILLKEY or stdin; asks first unless --yes)
    #[command(after_help = MONEY_HELP)]
    Charge {
        /// The schedule's RESERVE_ID
        #[arg(long)]
        reserve_id: String,
    },
    /// Delete a billkey at CookiePay, 빌링키 폐기 (BILLKEY from COOKIEPAY_BILLKEY or stdin; asks first)
    #[command(after_help = MONEY_HELP)]
    BillkeyDelete,
    /// Refunds and charges whose outcome is unknown: list them, settle them
    #[command(subcommand, after_help = UNKNOWN_HELP)]
    Unknown(unknown::UnknownCmd),
    /// Stop a recurring schedule (asks first unless --yes); safe to repeat
    #[command(after_help = MONEY_HELP)]
    ScheduleCancel {
        #[arg(long)]
        reserve_id: String,
    },
    /// Run the bundled local CookiePay in the foreground until Ctrl-C / SIGTERM
    #[cfg(feature = "sandbox")]
    Sandbox(sandbox::SandboxArgs),
    /// Print shell completions: cookiepay completions bash > /etc/bash_completion.d/cookiepay
    Completions {
        #[arg(value_parser = ["bash", "zsh", "fish"])]
        shell: String,
    },
}

#[derive(Args)]
#[command(group = clap::ArgGroup::new("by").required(true).args(["tid", "from"]))]
struct SearchArgs {
    /// One transaction
    #[arg(long, conflicts_with_all = ["from", "to"])]
    tid: Option<String>,
    /// First day, YYYY-MM-DD
    #[arg(long, requires = "to")]
    from: Option<String>,
    /// Last day, YYYY-MM-DD
    #[arg(long, requires = "from")]
    to: Option<String>,
}

/// `5000`, `5,000`, `5000원` → 5000; zero and anything else are refused.
fn parse_amount(s: &str) -> Result<u64, String> {
    let t: String = s
        .trim()
        .trim_end_matches('원')
        .chars()
        .filter(|c| *c != ',' && *c != '_')
        .collect();
    match t.parse::<u64>() {
        Ok(0) => Err("the amount must be more than 0".into()),
        Ok(n) if t.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err(format!("{s:?} is not an amount in won (e.g. 5000 or 5,000)")),
    }
}

/// The global options every command sees.
pub struct Ctx {
    json: bool,
    verbose: bool,
    yes: bool,
    profile: Option<String>,
}

/// A ready client plus where its settings came from, and the secrets no output may show.
struct Session {
    client: cookiepay::Client,
    settings: Settings,
    secrets: Vec<render::Secret>,
}

impl Session {
    /// One call to CookiePay; a slow one shows a progress line on a terminal (progress.rs).
    fn call(&self, op: cookiepay::Operation, request: &Value) -> Envelope {
        let request = request.to_string();
        Envelope::parse(progress::during(op.name(), || self.client.call(op, &request)))
    }
}

impl Ctx {
    fn session(&self) -> Result<Session, u8> {
        self.session_with(Vec::new())
    }

    /// A session that also masks `extra` secrets (a BILLKEY) in every output.
    fn session_with(&self, extra: Vec<render::Secret>) -> Result<Session, u8> {
        let settings = config::resolve(self.profile.as_deref()).map_err(|e| self.config_error(&e.0))?;
        let client = cookiepay::Client::from_json(&settings.client_json()).map_err(|e| {
            let j = e.to_json();
            let detail = match j["fields"].as_array() {
                Some(fs) => fs
                    .iter()
                    .filter_map(|f| f["message"].as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
                None => j["message"].as_str().unwrap_or("").to_string(),
            };
            self.config_error(&format!(
                "the settings ({}) were refused: {detail}",
                settings.describe_source()
            ))
        })?;
        if self.verbose {
            eprintln!(
                "* {} → {} (API_ID {})",
                settings.describe_source(),
                settings.endpoint(),
                settings.api_id
            );
        }
        let mut secrets = vec![(settings.api_key.clone(), "[REDACTED]".to_string())];
        secrets.extend(extra);
        let client = render::observe(client, self.verbose, secrets.clone());
        Ok(Session {
            client,
            settings,
            secrets,
        })
    }

    /// Reports a configuration problem (exit 10): on stderr, and as an envelope with `--json`.
    fn config_error(&self, msg: &str) -> u8 {
        if self.json {
            println!("{}", json!({"ok": false, "error": {"kind": "config", "message": msg}}));
        }
        eprintln!("cookiepay: {msg}");
        exit::CONFIG
    }

    /// Asks on the terminal before money moves. No terminal and no --yes: refuse (exit 2).
    /// `question` is only built (it may look the payment up) when there is someone to ask.
    fn confirm(&self, session: &Session, question: impl FnOnce() -> String) -> Result<(), u8> {
        if self.yes {
            return Ok(());
        }
        let stdin = std::io::stdin();
        if !stdin.is_terminal() {
            let msg =
                "refusing a money call without confirmation: no terminal to ask on. Re-run with --yes to confirm.";
            if self.json {
                println!("{}", json!({"ok": false, "error": {"kind": "usage", "message": msg}}));
            }
            eprintln!("cookiepay: {msg}");
            return Err(exit::USAGE);
        }
        let question = question();
        let question = if session.settings.is_live() {
            format!("[LIVE] {question}")
        } else {
            question
        };
        eprint!("{question} [y/N] ");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        let _ = stdin.read_line(&mut answer);
        if matches!(answer.trim().to_lowercase().as_str(), "y" | "yes") {
            Ok(())
        } else {
            if self.json {
                println!(
                    "{}",
                    json!({"ok": false, "error": {"kind": "aborted", "message": "not confirmed: nothing was sent"}})
                );
            }
            eprintln!("Aborted: nothing was sent.");
            Err(exit::ABORTED)
        }
    }

    /// The exact command that shows whether a money call took effect (same profile).
    fn settle_command(&self, args: &str) -> String {
        match &self.profile {
            Some(p) => format!("cookiepay --profile {} {args}", shell_quote(p)),
            None => format!("cookiepay {args}"),
        }
    }
}

fn shell_quote(s: &str) -> String {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.,:/@".contains(&b)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

fn read_arg_or_stdin(arg: &str) -> Result<String, u8> {
    if arg != "-" {
        return Ok(arg.to_string());
    }
    let mut buf = String::new();
    match std::io::stdin().read_to_string(&mut buf) {
        Ok(_) => Ok(buf.trim().to_string()),
        Err(e) => {
            eprintln!("cookiepay: cannot read stdin: {e}");
            Err(exit::USAGE)
        }
    }
}

/// The core's operation by its contract name (`cookiepay_<name>` in C).
fn op(name: &str) -> cookiepay::Operation {
    cookiepay::Operation::from_name(name).unwrap_or_else(|| panic!("the core has no operation {name}"))
}

fn run(cli: Cli) -> u8 {
    let ctx = Ctx {
        json: cli.json,
        verbose: cli.verbose,
        yes: cli.yes,
        profile: cli.profile.filter(|p| !p.is_empty()),
    };
    match execute(&ctx, cli.cmd) {
        Ok(code) | Err(code) => code,
    }
}

fn execute(ctx: &Ctx, cmd: Cmd) -> Result<u8, u8> {
    match cmd {
        Cmd::Paycert { tid } => {
            let s = ctx.session()?;
            let env = s.call(op("paycert"), &json!({ "tid": tid }));
            Ok(render::finish(ctx, &s, env, render::payment, None))
        }
        Cmd::Verify { tid, orderno, amount } => {
            let s = ctx.session()?;
            let req = json!({"tid": tid, "expected": {"ORDERNO": orderno, "AMOUNT": amount}});
            let env = s.call(op("verify"), &req);
            Ok(render::finish(
                ctx,
                &s,
                env,
                |d| render::verified(d, &orderno, amount),
                None,
            ))
        }
        Cmd::Search(a) => {
            let s = ctx.session()?;
            let req = match (a.tid, a.from, a.to) {
                (Some(tid), _, _) => json!({ "tid": tid }),
                (None, Some(from), Some(to)) => json!({"from": from, "to": to}),
                _ => return Err(exit::USAGE),
            };
            let env = s.call(op("paysearch"), &req);
            Ok(render::finish(ctx, &s, env, render::payments, None))
        }
        Cmd::Decrypt { enc_data } => {
            let input = read_arg_or_stdin(&enc_data)?;
            // A whole return-post body (API_ID=…&ENC_DATA=…) is accepted too: take its ENC_DATA.
            let enc = if input.contains("ENC_DATA=") {
                let parsed: Value =
                    serde_json::from_str(&cookiepay::parse_return_envelope(input.as_bytes())).unwrap_or(Value::Null);
                parsed["data"]["ENC_DATA"].as_str().map(str::to_owned).unwrap_or(input)
            } else {
                input
            };
            let s = ctx.session()?;
            let env = s.call(op("decrypt"), &json!({ "ENC_DATA": enc }));
            Ok(render::finish(ctx, &s, env, render::payment, None))
        }
        Cmd::ParseReturn { body, decrypt } => {
            let body = read_arg_or_stdin(&body)?;
            let env = Envelope::parse(cookiepay::parse_return_envelope(body.as_bytes()));
            let enc = env.value["data"]["ENC_DATA"].as_str().map(str::to_owned);
            match (decrypt, enc, env.ok()) {
                (true, Some(enc), true) => {
                    let s = ctx.session()?;
                    let env = s.call(op("decrypt"), &json!({ "ENC_DATA": enc }));
                    Ok(render::finish(ctx, &s, env, render::payment, None))
                }
                _ => Ok(render::finish_offline(ctx, env, render::payment)),
            }
        }
        Cmd::Token { check: _ } => {
            let s = ctx.session()?;
            let mut env = s.call(op("token"), &json!({"force_refresh": true}));
            env.redact_token();
            let (id, endpoint) = (s.settings.api_id.clone(), s.settings.endpoint());
            Ok(render::finish(ctx, &s, env, |d| render::token(d, &id, &endpoint), None))
        }
        Cmd::Receipt { tid } => {
            let s = ctx.session()?;
            let env = s.call(op("receipt_url"), &json!({ "tid": tid }));
            Ok(render::finish(
                ctx,
                &s,
                env,
                |d| format!("{}\n", output::scalar(&d["url"])),
                None,
            ))
        }
        Cmd::Cancel {
            tid,
            reason,
            amount,
            bank,
            account_no,
            account_name,
        } => money::cancel(
            ctx,
            money::Refund {
                tid,
                reason,
                amount,
                bank,
                account_no,
                account_name,
            },
        ),
        Cmd::Charge { reserve_id } => money::charge(ctx, reserve_id),
        Cmd::ScheduleCancel { reserve_id } => money::schedule_cancel(ctx, reserve_id),
        Cmd::BillkeyDelete => money::billkey_delete(ctx),
        Cmd::Unknown(cmd) => unknown::run(ctx, cmd),
        #[cfg(feature = "sandbox")]
        Cmd::Sandbox(args) => Ok(sandbox::run(ctx.verbose, args)),
        Cmd::Completions { shell } => {
            let shell = match shell.as_str() {
                "bash" => clap_complete::Shell::Bash,
                "zsh" => clap_complete::Shell::Zsh,
                _ => clap_complete::Shell::Fish,
            };
            clap_complete::generate(shell, &mut Cli::command(), "cookiepay", &mut std::io::stdout());
            Ok(exit::OK)
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { exit::USAGE } else { exit::OK });
        }
    };
    ExitCode::from(run(cli))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse() {
        assert_eq!(parse_amount("5000"), Ok(5000));
        assert_eq!(parse_amount("5,000"), Ok(5000));
        assert_eq!(parse_amount("5000원"), Ok(5000));
        assert!(parse_amount("0").is_err());
        assert!(parse_amount("-5").is_err());
        assert!(parse_amount("5e3").is_err());
    }

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_operation_used_exists_in_the_core() {
        for name in [
            "token",
            "decrypt",
            "paycert",
            "verify",
            "paysearch",
            "receipt_url",
            "cancel",
            "recurring_charge",
            "schedule_cancel",
            "billkey_delete",
        ] {
            assert_eq!(op(name).name(), name);
        }
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("SBX123"), "SBX123");
        assert_eq!(shell_quote("a b'c"), r"'a b'\''c'");
    }
}
