//! `cookiepay unknown list|settle`: the journal's refunds and charges whose outcome is unknown, and
//! a person's verdict on one after checking (paycert for a full refund, CookiePay's dashboard for a
//! partial one). Offline: no credentials needed.

use clap::Subcommand;
use serde_json::json;

use crate::journal::{Journal, State};
use crate::money::describe;
use crate::output::{self, clean};
use crate::{exit, Ctx};

#[derive(Subcommand)]
pub enum UnknownCmd {
    /// Refunds and charges whose outcome is unknown (with --all: the settled ones too)
    List {
        #[arg(long)]
        all: bool,
    },
    /// Record whether an unknown call took effect; the same call can then be sent again
    #[command(group = clap::ArgGroup::new("verdict").required(true).args(["applied", "not_applied"]))]
    Settle {
        /// The entry's number (cookiepay unknown list)
        id: u64,
        /// It took effect (the refund is listed in CookiePay's dashboard / paycert shows CANCELDATE /
        /// the charge is in search)
        #[arg(long)]
        applied: bool,
        /// It did not take effect
        #[arg(long)]
        not_applied: bool,
    },
}

fn open(ctx: &Ctx) -> Result<Journal, u8> {
    Journal::open().map_err(|e| ctx.config_error(&e.0))
}

pub fn run(ctx: &Ctx, cmd: UnknownCmd) -> Result<u8, u8> {
    let journal = open(ctx)?;
    match cmd {
        UnknownCmd::List { all } => {
            let entries: Vec<_> = journal
                .entries()
                .map_err(|e| ctx.config_error(&e.0))?
                .into_iter()
                .filter(|e| all || e.state.unsettled())
                .collect();
            if ctx.json {
                println!("{}", json!({"ok": true, "data": {"entries": entries}}));
                return Ok(exit::OK);
            }
            if entries.is_empty() {
                println!(
                    "{}",
                    if all {
                        "the journal is empty"
                    } else {
                        "no refund or charge with an unknown outcome"
                    }
                );
                return Ok(exit::OK);
            }
            let rows: Vec<Vec<String>> = entries
                .iter()
                .map(|e| {
                    vec![
                        e.id.to_string(),
                        output::kst(e.created),
                        describe(e),
                        e.state.as_str().to_string(),
                        clean(&e.endpoint),
                    ]
                })
                .collect();
            print!(
                "{}",
                output::table(&["ID", "SENT", "CALL", "STATE", "ENDPOINT"], &rows, &[false; 5])
            );
            if entries.iter().any(|e| e.state.unsettled()) {
                println!(
                    "Settle each after checking: cookiepay unknown settle ID --applied | --not-applied \
                     (a full refund: paycert's CANCELDATE; a partial refund: CookiePay's dashboard)"
                );
            }
            Ok(exit::OK)
        }
        UnknownCmd::Settle { id, applied, .. } => {
            match journal.settle(id, applied).map_err(|e| ctx.config_error(&e.0))? {
                Ok(e) => {
                    if ctx.json {
                        println!("{}", json!({"ok": true, "data": {"entry": e}}));
                    } else {
                        let verdict = if e.state == State::Applied {
                            "took effect"
                        } else {
                            "did not take effect: it may be sent again"
                        };
                        println!("Entry {id} settled: the {} {verdict}", describe(&e));
                    }
                    Ok(exit::OK)
                }
                Err(msg) => {
                    if ctx.json {
                        println!("{}", json!({"ok": false, "error": {"kind": "usage", "message": msg}}));
                    }
                    eprintln!("cookiepay: {msg}");
                    Err(exit::USAGE)
                }
            }
        }
    }
}
