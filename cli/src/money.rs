//! The calls that move money or change state at CookiePay: refund, charge, stop a schedule, delete
//! a billkey. Refunds and charges go through the journal: recorded before they are sent, and
//! refused while the same call's outcome is unknown (exit 11) — a lost answer is never "retried".

use std::io::{IsTerminal, Read};

use serde_json::{json, Value};

use crate::journal::{self, Entry, Journal, State};
use crate::output::{self, clean, won};
use crate::render::{self, Envelope, Secret};
use crate::{exit, op, shell_quote, Ctx, Session};

pub const ENV_BILLKEY: &str = "COOKIEPAY_BILLKEY";

pub struct Refund {
    pub tid: String,
    pub reason: String,
    pub amount: Option<u64>,
    pub bank: Option<String>,
    pub account_no: Option<String>,
    pub account_name: Option<String>,
}

impl Ctx {
    fn journal(&self) -> Result<Journal, u8> {
        Journal::open().map_err(|e| self.journal_error(&e))
    }

    fn journal_error(&self, e: &journal::JournalError) -> u8 {
        self.config_error(&format!(
            "{} — nothing was sent (money calls are recorded before they are sent)",
            e.0
        ))
    }

    /// Refuses a call whose twin is unsettled: says what is known and how to settle it. Exit 11.
    fn refuse_unsettled(&self, blocking: &Entry, known: &str) -> u8 {
        let what = describe(blocking);
        let when = output::kst(blocking.created);
        let why = if blocking.state == State::Sending {
            "was being sent and its outcome was never recorded (the tool was stopped mid-call, or another \
             run is sending it now)"
        } else {
            "has an UNKNOWN outcome (its answer was lost)"
        };
        let msg = format!(
            "refusing to send this again: the same call — {what}, journal entry {id}, {when} — {why}. \
             It may already have taken effect; sending it again could refund or charge twice.",
            id = blocking.id
        );
        if self.json {
            println!(
                "{}",
                json!({"ok": false, "error": {"kind": "unsettled", "message": msg, "entry": blocking}})
            );
        }
        eprint!("cookiepay: {msg}\n{known}");
        exit::UNKNOWN
    }
}

/// An entry for people: `refund of 2,000원 of TID T`, `charge of schedule R (billkey …6789)`.
pub fn describe(e: &Entry) -> String {
    match e.call.as_str() {
        "refund" => match e.amount {
            Some(a) => format!(
                "refund of {} of TID {}",
                won(&a.to_string()),
                clean(e.tid.as_deref().unwrap_or(""))
            ),
            None => format!("full refund of TID {}", clean(e.tid.as_deref().unwrap_or(""))),
        },
        _ => format!(
            "charge of schedule {} (billkey {})",
            clean(e.reserve_id.as_deref().unwrap_or("")),
            e.billkey.as_deref().unwrap_or("?")
        ),
    }
}

/// How a person finds out whether the entry's call took effect, and records it.
pub fn settle_advice(ctx: &Ctx, e: &Entry, paycert: Option<&Value>) -> String {
    let id = e.id;
    let settle = format!(
        "        cookiepay unknown settle {id} --applied       (it took effect)\n        \
         cookiepay unknown settle {id} --not-applied   (it did not: the call may then be sent again)\n"
    );
    let tid = e.tid.as_deref().unwrap_or("");
    match (e.call.as_str(), e.amount) {
        ("refund", Some(a)) => {
            let shown = match paycert.map(render::fully_cancelled_at) {
                Some(Some(at)) => format!("    paycert now shows the whole payment cancelled at {at}.\n"),
                Some(None) => "    paycert now shows the payment as not fully cancelled — that cannot tell about a \
                               partial refund.\n"
                    .to_string(),
                None => String::new(),
            };
            format!(
                "{shown}    No CookiePay API answer can tell whether a partial refund went through: paycert and search \
                 show a\n    payment as cancelled only once the whole amount is refunded. Check this payment's \
                 cancellations\n    in CookiePay's merchant dashboard: is a refund of {} listed? Then record \
                 it (entry {id}):\n{settle}",
                won(&a.to_string())
            )
        }
        ("refund", None) => {
            let look = ctx.settle_command(&format!("paycert {}", shell_quote(tid)));
            let shown = match paycert.map(render::fully_cancelled_at) {
                Some(Some(at)) => {
                    format!("    paycert shows CANCELDATE {at}: the payment is fully cancelled (by this refund or an earlier one).\n")
                }
                Some(None) => "    paycert shows no CANCELDATE yet.\n".to_string(),
                None => String::new(),
            };
            format!(
                "{shown}    A full refund is settled by paycert: CANCELDATE set means it took effect; still empty a \
                 while later,\n    it did not (should a late one land after all, a second full refund only \
                 answers \"already cancelled\").\n        {look}\n    Then record it (entry {id}):\n{settle}"
            )
        }
        _ => {
            let today = output::today_kst();
            let look = ctx.settle_command(&format!("search --from {today} --to {today}"));
            format!(
                "    Look for a new payment of this schedule (its buyer and amount) made just now:\n        {look}\n    \
                 (CookiePay's merchant dashboard lists the schedule's charges too.) Then record it (entry {id}):\n\
                 {settle}"
            )
        }
    }
}

/// The journal's state for a finished call.
fn outcome_of(env: &Envelope, refund: bool) -> State {
    if env.ok() {
        if refund && env.value["data"]["already_cancelled"] == Value::Bool(true) {
            State::NotApplied
        } else {
            State::Applied
        }
    } else if render::outcome_unknown(env) {
        State::Unknown
    } else {
        State::NotApplied
    }
}

/// Sends a journaled call: records it, sends it once, records the outcome, prints. `blocked` is
/// what is known when the same call turns out to be unsettled after all (another run won the race).
fn send_journaled(
    ctx: &Ctx,
    s: &Session,
    journal: &Journal,
    entry: Entry,
    refund: bool,
    send: impl FnOnce() -> Envelope,
    print: impl FnOnce(&Ctx, &Session, Envelope, Option<&str>) -> u8,
) -> u8 {
    let id = match journal.begin(entry.clone()) {
        Ok(Ok(id)) => id,
        Ok(Err(blocking)) => return ctx.refuse_unsettled(&blocking, &settle_advice(ctx, &blocking, None)),
        Err(e) => return ctx.journal_error(&e),
    };
    let env = send();
    let state = outcome_of(&env, refund);
    let kind = env.value["error"]["kind"].as_str().map(str::to_owned);
    if let Err(e) = journal.finish(id, state, kind.as_deref().filter(|_| state == State::Unknown)) {
        eprintln!(
            "cookiepay: WARNING: could not record the outcome in the journal ({}): entry {id} stays unsettled",
            e.0
        );
    }
    let advice = (state == State::Unknown).then(|| {
        let mut e = entry;
        e.id = id;
        let paycert = match (refund, e.tid.as_deref()) {
            (true, Some(tid)) => render::lookup(s, tid),
            _ => None,
        };
        settle_advice(ctx, &e, paycert.as_ref())
    });
    print(ctx, s, env, advice.as_deref())
}

pub fn cancel(ctx: &Ctx, r: Refund) -> Result<u8, u8> {
    let s = ctx.session()?;
    let journal = ctx.journal()?;
    let identity = journal::refund_identity(&r.tid, r.amount);
    if let Some(blocking) = journal.unsettled(&identity).map_err(|e| ctx.journal_error(&e))? {
        let paycert = render::lookup(&s, &r.tid);
        return Err(ctx.refuse_unsettled(&blocking, &settle_advice(ctx, &blocking, paycert.as_ref())));
    }
    let refunds: Vec<Entry> = journal
        .entries()
        .map_err(|e| ctx.journal_error(&e))?
        .into_iter()
        .filter(|e| e.call == "refund" && e.tid.as_deref() == Some(&r.tid))
        .collect();
    let sum =
        |pick: fn(State) -> bool| -> u64 { refunds.iter().filter(|e| pick(e.state)).filter_map(|e| e.amount).sum() };
    let known = render::RefundedHere {
        applied: sum(|s| s == State::Applied),
        unknown: sum(State::unsettled),
    };
    ctx.confirm(&s, || render::cancel_question(&s, &r.tid, r.amount, known))?;
    let mut req = json!({"tid": r.tid, "reason": r.reason});
    if let Some(a) = r.amount {
        req["amount"] = json!(a);
    }
    for (k, v) in [
        ("bank", r.bank),
        ("account_no", r.account_no),
        ("account_name", r.account_name),
    ] {
        if let Some(v) = v {
            req[k] = json!(v);
        }
    }
    let mut entry = Entry::new("refund", identity, &s.settings.api_id, &s.settings.endpoint());
    entry.tid = Some(r.tid.clone());
    entry.amount = r.amount;
    let tid = r.tid;
    Ok(send_journaled(
        ctx,
        &s,
        &journal,
        entry,
        true,
        || s.call(op("cancel"), &req),
        |ctx, s, env, advice| render::finish(ctx, s, env, |d| render::cancelled(d, &tid), advice),
    ))
}

/// The BILLKEY: from `COOKIEPAY_BILLKEY`, else stdin (typed without echo on a terminal). Never argv.
fn read_billkey(ctx: &Ctx) -> Result<String, u8> {
    if let Some(k) = std::env::var(ENV_BILLKEY).ok().filter(|k| !k.trim().is_empty()) {
        return Ok(k.trim().to_string());
    }
    let stdin = std::io::stdin();
    let key = if stdin.is_terminal() {
        let k = read_hidden_line("BILLKEY (not shown): ");
        eprintln!();
        k
    } else {
        let mut line = String::new();
        let _ = stdin.lock().take(4096).read_to_string(&mut line);
        Some(line.lines().next().unwrap_or("").to_string())
    };
    match key.map(|k| k.trim().to_string()).filter(|k| !k.is_empty()) {
        Some(k) => Ok(k),
        None => {
            let msg = format!("no BILLKEY: set {ENV_BILLKEY} or give it on stdin (never on the command line)");
            if ctx.json {
                println!("{}", json!({"ok": false, "error": {"kind": "usage", "message": msg}}));
            }
            eprintln!("cookiepay: {msg}");
            Err(exit::USAGE)
        }
    }
}

/// One line from the terminal with echo off (restored afterwards). The prompt is shown only once
/// echo is off, so nothing typed after it can be echoed.
#[cfg(unix)]
fn read_hidden_line(prompt: &str) -> Option<String> {
    use std::io::Write;
    // SAFETY: termios calls on fd 0 with a zeroed struct that tcgetattr fills; results are checked.
    let saved = unsafe {
        let mut t: libc::termios = std::mem::zeroed();
        (libc::tcgetattr(0, &mut t) == 0).then_some(t)
    };
    if let Some(mut t) = saved {
        t.c_lflag &= !libc::ECHO;
        // SAFETY: as above.
        unsafe { libc::tcsetattr(0, libc::TCSANOW, &t) };
    }
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    let read = std::io::stdin().read_line(&mut line);
    if let Some(t) = saved {
        // SAFETY: restores the settings read above.
        unsafe { libc::tcsetattr(0, libc::TCSANOW, &t) };
    }
    read.ok().map(|_| line)
}

#[cfg(not(unix))]
fn read_hidden_line(prompt: &str) -> Option<String> {
    eprint!("{prompt}");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).ok().map(|_| line)
}

fn billkey_secret(billkey: &str) -> Vec<Secret> {
    vec![(billkey.to_string(), render::mask(billkey))]
}

pub fn charge(ctx: &Ctx, reserve_id: String) -> Result<u8, u8> {
    let billkey = read_billkey(ctx)?;
    let s = ctx.session_with(billkey_secret(&billkey))?;
    let journal = ctx.journal()?;
    let identity = journal::charge_identity(&reserve_id);
    if let Some(blocking) = journal.unsettled(&identity).map_err(|e| ctx.journal_error(&e))? {
        return Err(ctx.refuse_unsettled(&blocking, &settle_advice(ctx, &blocking, None)));
    }
    ctx.confirm(&s, || {
        format!(
            "Charge schedule {} now with billkey {}? (the amount and buyer are the schedule's: CookiePay \
             publishes no lookup of a schedule)",
            clean(&reserve_id),
            render::mask(&billkey)
        )
    })?;
    let mut entry = Entry::new("charge", identity, &s.settings.api_id, &s.settings.endpoint());
    entry.reserve_id = Some(reserve_id.clone());
    entry.billkey = Some(render::mask(&billkey));
    let req = json!({"RESERVE_ID": reserve_id, "BILLKEY": billkey});
    Ok(send_journaled(
        ctx,
        &s,
        &journal,
        entry,
        false,
        || s.call(op("recurring_charge"), &req),
        |ctx, s, env, advice| render::finish(ctx, s, env, render::charged, advice),
    ))
}

pub fn schedule_cancel(ctx: &Ctx, reserve_id: String) -> Result<u8, u8> {
    let s = ctx.session()?;
    ctx.confirm(&s, || {
        format!(
            "Stop the recurring schedule {} (no further charges)?",
            clean(&reserve_id)
        )
    })?;
    let env = s.call(op("schedule_cancel"), &json!({ "RESERVE_ID": reserve_id }));
    let again = ctx.settle_command(&format!("schedule-cancel --reserve-id {}", shell_quote(&reserve_id)));
    let advice = format!(
        "    Stopping a schedule is safe to repeat (a stopped one answers \"already cancelled\"):\n        {again}\n"
    );
    Ok(render::finish(
        ctx,
        &s,
        env,
        |d| render::schedule_cancelled(d, &reserve_id),
        Some(&advice),
    ))
}

pub fn billkey_delete(ctx: &Ctx) -> Result<u8, u8> {
    let billkey = read_billkey(ctx)?;
    let s = ctx.session_with(billkey_secret(&billkey))?;
    let masked = render::mask(&billkey);
    ctx.confirm(&s, || {
        format!("Delete billkey {masked} at CookiePay (빌링키 폐기)? No charge can be made with it afterwards.")
    })?;
    let env = s.call(op("billkey_delete"), &json!({ "BILLKEY": billkey }));
    let again = ctx.settle_command("billkey-delete");
    let advice = format!(
        "    Deleting a billkey moves no money, so sending it again is harmless (with {ENV_BILLKEY} set, or the\n    \
         key on stdin); if the first one took effect CookiePay may answer with an error code:\n        {again}\n"
    );
    Ok(render::finish(
        ctx,
        &s,
        env,
        |d| {
            format!(
                "Billkey {masked} deleted\n\n{}",
                output::key_values(&d.as_object().cloned().unwrap_or_default())
            )
        },
        Some(&advice),
    ))
}
