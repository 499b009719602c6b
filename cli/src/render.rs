//! Turning the core's envelopes into output: unchanged JSON with `--json`, else readable text on
//! stdout and errors (with what to do next) on stderr. Exit codes follow the error kind.

use serde_json::{Map, Value};

use crate::output::{self, clean, display_value, key_values, scalar, won};
use crate::{exit, Ctx, Session};

/// One envelope from the core: the text as returned, and parsed.
pub struct Envelope {
    pub raw: String,
    pub value: Value,
}

impl Envelope {
    pub fn parse(raw: String) -> Envelope {
        let value = serde_json::from_str(&raw).unwrap_or(Value::Null);
        Envelope { raw, value }
    }

    pub fn ok(&self) -> bool {
        self.value["ok"] == Value::Bool(true)
    }

    /// `token` answers carry the TOKEN itself: this tool never prints it, not even with --json.
    pub fn redact_token(&mut self) {
        if let Some(Value::String(t)) = self.value.pointer_mut("/data/TOKEN") {
            let secret = std::mem::replace(t, "[REDACTED]".into());
            if secret.len() >= 4 {
                self.raw = self.raw.replace(&secret, "[REDACTED]");
            }
        }
    }
}

/// A secret of this run and what is shown in its place.
pub type Secret = (String, String);

/// Second line of defence: the core never puts the key in an answer; should one ever, it is cut
/// here. A BILLKEY the person gave is shown masked wherever it would be echoed.
fn scrub(text: &str, secrets: &[Secret]) -> String {
    let mut out = text.to_string();
    for (secret, shown) in secrets {
        if secret.len() >= 4 && out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), shown);
        }
    }
    out
}

/// Attaches the `--verbose` exchange log: each HTTP exchange on stderr as the core made it (bodies
/// already masked by the core; the key — and a BILLKEY, which the core sends in clear — are
/// scrubbed here).
pub fn observe(client: cookiepay::Client, verbose: bool, secrets: Vec<Secret>) -> cookiepay::Client {
    if !verbose {
        return client;
    }
    client.with_observer(move |x: &cookiepay::Exchange| {
        // During the call: above the progress line, if one is shown.
        crate::progress::eprint_above(&scrub(&exchange_text(x), &secrets));
    })
}

fn exchange_text(x: &cookiepay::Exchange) -> String {
    let ms = x.elapsed.as_millis();
    let mut s = format!("> {} {}", x.method, clean(&x.path));
    if !x.request.is_empty() {
        s.push(' ');
        s.push_str(&clean(&x.request));
    }
    s.push('\n');
    match (x.status, &x.error) {
        (Some(status), None) => s.push_str(&format!("< {status} in {ms} ms")),
        (Some(status), Some(e)) => s.push_str(&format!("< {status} in {ms} ms, then failed: {}", clean(e))),
        (None, Some(e)) => s.push_str(&format!("< no answer after {ms} ms: {}", clean(e))),
        (None, None) => s.push_str(&format!("< no answer after {ms} ms")),
    }
    if !x.response.is_empty() {
        s.push(' ');
        s.push_str(&clean(&x.response));
    }
    s.push('\n');
    s
}

/// Prints `env` and returns the exit code. `settle` says how to find out whether a money call
/// whose outcome is unknown took effect (indented lines).
pub fn finish(
    ctx: &Ctx,
    session: &Session,
    env: Envelope,
    ok: impl FnOnce(&Value) -> String,
    settle: Option<&str>,
) -> u8 {
    emit(ctx, &session.secrets, env, ok, settle)
}

/// Like [`finish`] for calls that need no client (parse-return).
pub fn finish_offline(ctx: &Ctx, env: Envelope, ok: impl FnOnce(&Value) -> String) -> u8 {
    emit(ctx, &[], env, ok, None)
}

/// True when the envelope is a failed call that may still have taken effect.
pub fn outcome_unknown(env: &Envelope) -> bool {
    !env.ok() && env.value["error"]["outcome"] == "unknown"
}

fn emit(ctx: &Ctx, secrets: &[Secret], env: Envelope, ok: impl FnOnce(&Value) -> String, settle: Option<&str>) -> u8 {
    let code = if env.ok() {
        exit::OK
    } else if outcome_unknown(&env) {
        exit::UNKNOWN
    } else {
        exit::for_kind(env.value["error"]["kind"].as_str().unwrap_or(""))
    };
    if ctx.json {
        println!("{}", scrub(&env.raw, secrets));
    } else if env.ok() {
        print!("{}", scrub(&ok(&env.value["data"]), secrets));
    } else {
        eprint!("{}", scrub(&error_text(&env.value["error"]), secrets));
    }
    if outcome_unknown(&env) {
        eprint!("{}", scrub(&unknown_outcome(settle), secrets));
    }
    code
}

fn unknown_outcome(settle: Option<&str>) -> String {
    let mut s = String::from(
        "\nOutcome UNKNOWN: the request may have reached CookiePay and taken effect, or not.\n\
         Do not simply run it again (that could refund or charge twice).\n",
    );
    match settle {
        Some(advice) => s.push_str(advice),
        None => s.push_str("    Look it up first: cookiepay search --tid <TID>\n"),
    }
    s
}

/// An error object as people read it.
pub fn error_text(e: &Value) -> String {
    let kind = e["kind"].as_str().unwrap_or("internal");
    let message = scalar(&e["message"]);
    let mut out = String::new();
    match kind {
        "validation" => {
            out.push_str("error: refused before anything was sent (validation):\n");
            for f in e["fields"].as_array().into_iter().flatten() {
                out.push_str(&format!("  {}: {}\n", scalar(&f["field"]), scalar(&f["message"])));
            }
        }
        "api" => {
            let what = if e["layer"] == "inner" {
                "the payment was declined"
            } else {
                "CookiePay refused the call"
            };
            out.push_str(&format!(
                "error: {what}: {} {}\n",
                scalar(&e["code"]),
                scalar(&e["api_message"])
            ));
        }
        "verification_failed" => {
            let mismatches = e["mismatches"].as_array().cloned().unwrap_or_default();
            let (cancel, other): (Vec<Value>, Vec<Value>) = mismatches
                .into_iter()
                .partition(|m| m["field"] == "CANCELDATE" || m["field"] == "CANCEL_DATE");
            match cancel.first() {
                Some(c) => out.push_str(&format!(
                    "error: the payment was CANCELLED at {} — do not ship\n",
                    display_value("CANCELDATE", &c["actual"])
                )),
                None => out.push_str("error: the payment does NOT match the order — do not ship\n"),
            }
            let rows: Vec<Vec<String>> = other
                .iter()
                .map(|m| {
                    let f = scalar(&m["field"]);
                    vec![
                        f.clone(),
                        display_value(&f, &m["expected"]),
                        display_value(&f, &m["actual"]),
                    ]
                })
                .collect();
            if !rows.is_empty() {
                out.push_str(&indent(&output::table(
                    &["FIELD", "EXPECTED", "ACTUAL"],
                    &rows,
                    &[false, false, false],
                )));
            }
        }
        "network" => {
            let phase = e["phase"].as_str().unwrap_or("");
            let hint = match phase {
                "dns" => "the host name did not resolve: check COOKIEPAY_BASE_URL / DNS",
                "connect" => "no connection: a firewall, or nothing listening there",
                "tls" => "the TLS handshake failed: an inspecting proxy, or a CA to add with COOKIEPAY_CA_CERT",
                "read" => "the connection broke after the request was sent",
                _ => "",
            };
            out.push_str(&format!("error: network ({phase}): {message}\n"));
            if !hint.is_empty() {
                out.push_str(&format!("  {hint}\n"));
            }
        }
        "timeout" => out.push_str(&format!("error: timeout: {message}\n")),
        "http" => {
            out.push_str(&format!(
                "error: unexpected HTTP answer: status {} ({})\n",
                scalar(&e["status"]),
                scalar(&e["content_type"])
            ));
            let ex = scalar(&e["excerpt"]);
            if !ex.is_empty() {
                out.push_str(&format!("  {ex}\n"));
            }
        }
        "decode" => {
            out.push_str(&format!("error: unreadable answer: {message}\n"));
            let ex = scalar(&e["excerpt"]);
            if !ex.is_empty() {
                out.push_str(&format!("  {ex}\n"));
            }
        }
        "internal" => out.push_str(&format!("error: internal: {message} (a bug: please report it)\n")),
        _ => out.push_str(&format!("error ({kind}): {message}\n")),
    }
    // The core's advice for this code (e.g. 9029: 입금후 취소) — what to do next.
    let hint = scalar(&e["hint"]);
    if !hint.is_empty() {
        out.push_str(&format!("  hint: {hint}\n"));
    }
    out
}

fn indent(s: &str) -> String {
    s.lines().map(|l| format!("  {l}\n")).collect()
}

fn obj(d: &Value) -> Map<String, Value> {
    d.as_object().cloned().unwrap_or_default()
}

/// Shows the last 4 characters only.
pub fn mask(s: &str) -> String {
    let n = s.chars().count();
    if n <= 4 {
        return "****".into();
    }
    let tail: String = s.chars().skip(n - 4).collect();
    format!("…{}", clean(&tail))
}

fn field<'a>(d: &'a Value, names: &[&str]) -> Option<&'a Value> {
    names.iter().filter_map(|n| d.get(*n)).find(|v| !scalar(v).is_empty())
}

fn cancelled_at(d: &Value) -> Option<String> {
    field(d, &["CANCELDATE", "CANCEL_DATE"]).map(|v| output::compact_date(&scalar(v)))
}

/// A payment (paycert, decrypt, parse-return).
pub fn payment(d: &Value) -> String {
    let mut out = String::new();
    if let Some(at) = cancelled_at(d) {
        out.push_str(&format!("CANCELLED at {at}\n\n"));
    }
    out.push_str(&key_values(&obj(d)));
    out
}

pub fn verified(d: &Value, orderno: &str, amount: u64) -> String {
    format!(
        "OK: {} matches order {} for {} and is not cancelled\n\n{}",
        scalar(&d["TID"]),
        clean(orderno),
        won(&amount.to_string()),
        key_values(&obj(d))
    )
}

pub fn token(d: &Value, api_id: &str, endpoint: &str) -> String {
    let until = d["expires_at"].as_i64().map(output::kst).unwrap_or_else(|| "?".into());
    format!(
        "OK: credentials of API_ID {} accepted by {}\nTOKEN issued (not shown), valid until {until}\n",
        clean(api_id),
        clean(endpoint)
    )
}

const SEARCH_COLUMNS: [&str; 7] = [
    "TID",
    "ORDERNO",
    "AMOUNT",
    "BUYERNAME",
    "PRODUCTNAME",
    "CARDNAME",
    "ACCEPTDATE",
];

/// A search answer as a table, one payment per line; cancelled ones say so.
pub fn payments(d: &Value) -> String {
    let list = d["payments"].as_array().cloned().unwrap_or_default();
    if list.is_empty() {
        return "no payments found\n".into();
    }
    let cols: Vec<&str> = SEARCH_COLUMNS
        .iter()
        .copied()
        .filter(|c| list.iter().any(|p| field(p, &[c]).is_some()))
        .collect();
    let mut headers = cols.clone();
    headers.push("STATUS");
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|p| {
            let mut r: Vec<String> = cols.iter().map(|c| display_value(c, &p[*c])).collect();
            r.push(match cancelled_at(p) {
                Some(at) => format!("취소 {at}"),
                None => "승인".into(),
            });
            r
        })
        .collect();
    let right: Vec<bool> = headers.iter().map(|h| output::is_amount_key(h)).collect();
    let n = list.len();
    format!(
        "{}{n} payment{}\n",
        output::table(&headers, &rows, &right),
        if n == 1 { "" } else { "s" }
    )
}

/// The payment as paycert shows it, or None when the lookup failed.
pub fn lookup(s: &Session, tid: &str) -> Option<Value> {
    let env = s.call(cookiepay::Operation::Paycert, &serde_json::json!({ "tid": tid }));
    env.ok().then(|| env.value["data"].clone())
}

/// When the payment was cancelled in full (paycert's CANCELDATE), if it was.
pub fn fully_cancelled_at(d: &Value) -> Option<String> {
    cancelled_at(d)
}

/// What is left to refund, as far as anyone can tell from here: paycert shows a cancellation only
/// once the whole payment is refunded, so partial refunds are known only from this machine's
/// journal (`refunded_here`) — CookiePay's dashboard lists them all.
fn left_to_refund(d: &Value, here: RefundedHere) -> String {
    if let Some(at) = cancelled_at(d) {
        return format!("Left to refund: nothing — the whole payment was cancelled at {at}");
    }
    let paid: u64 = scalar(&d["AMOUNT"]).parse().unwrap_or(0);
    let mut notes = String::new();
    if here.applied > 0 {
        notes.push_str(&format!(
            "; {} of it was refunded with this tool on this machine",
            won(&here.applied.to_string())
        ));
    }
    if here.unknown > 0 {
        notes.push_str(&format!(
            "; refunds of {} more have an unknown outcome (cookiepay unknown list)",
            won(&here.unknown.to_string())
        ));
    }
    format!(
        "Left to refund: at most {}{notes} (partial refunds show in CookiePay's dashboard, not in its lookup)",
        won(&paid.saturating_sub(here.applied).to_string())
    )
}

/// Partial refunds of one TID in this machine's journal, in won: taken effect, and unknown.
#[derive(Clone, Copy, Default)]
pub struct RefundedHere {
    pub applied: u64,
    pub unknown: u64,
}

/// The prompt before a refund; looks the payment up so the person sees who paid, how much and
/// what is left to refund.
pub fn cancel_question(s: &Session, tid: &str, amount: Option<u64>, refunded_here: RefundedHere) -> String {
    let found = lookup(s, tid);
    let tid = clean(tid);
    let Some(d) = found else {
        let q = match amount {
            Some(a) => format!("Refund {} of TID {tid}?", won(&a.to_string())),
            None => format!("Refund the whole payment TID {tid}?"),
        };
        return format!("(the payment could not be looked up: check the TID)\n{q}");
    };
    let paid = won(&scalar(&d["AMOUNT"]));
    let about = format!("order {}, {}", scalar(&d["ORDERNO"]), scalar(&d["BUYERNAME"]));
    let question = match amount {
        Some(a) => format!(
            "Refund {} of {paid} paid with TID {tid} ({about})?",
            won(&a.to_string())
        ),
        None => format!("Refund all that is left of {paid} paid with TID {tid} ({about})?"),
    };
    format!("{}\n{question}", left_to_refund(&d, refunded_here))
}

pub fn cancelled(d: &Value, tid: &str) -> String {
    let head = if d["already_cancelled"] == Value::Bool(true) {
        format!("TID {} was already cancelled: nothing was refunded now\n\n", clean(tid))
    } else {
        let amt = field(d, &["cancel_amt", "CANCEL_AMT"])
            .map(|v| won(&scalar(v)))
            .unwrap_or_default();
        format!("Refunded {amt} of TID {}\n\n", clean(tid))
    };
    head + &key_values(&obj(d))
}

pub fn charged(d: &Value) -> String {
    format!(
        "Charged {} (TID {}, ORDERNO {})\n\n{}",
        won(&scalar(&d["AMOUNT"])),
        scalar(&d["TID"]),
        scalar(&d["ORDERNO"]),
        key_values(&obj(d))
    )
}

pub fn schedule_cancelled(d: &Value, reserve_id: &str) -> String {
    let head = if d["already_cancelled"] == Value::Bool(true) {
        let at = scalar(&d["cancelled_at"]);
        let at = if at.is_empty() {
            String::new()
        } else {
            format!(" at {at}")
        };
        format!(
            "Schedule {} was already cancelled{at}: nothing changed\n\n",
            clean(reserve_id)
        )
    } else {
        format!("Schedule {} cancelled: no further charges\n\n", clean(reserve_id))
    };
    head + &key_values(&obj(d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn search_table_aligns_korean_and_marks_cancellations() {
        let d = json!({"payments": [
            {"TID": "T1", "ORDERNO": "A-1", "AMOUNT": "10000", "BUYERNAME": "홍길동", "CANCELDATE": ""},
            {"TID": "T2", "ORDERNO": "A-22", "AMOUNT": "900", "BUYERNAME": "Kim", "CANCELDATE": "2026-11-27 10:00:00"},
        ]});
        let t = payments(&d);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "TID  ORDERNO    AMOUNT  BUYERNAME  STATUS");
        assert_eq!(lines[1], "T1   A-1      10,000원  홍길동     승인");
        assert_eq!(lines[2], "T2   A-22        900원  Kim        취소 2026-11-27 10:00:00");
        assert_eq!(lines[3], "2 payments");
        assert_eq!(payments(&json!({"payments": []})), "no payments found\n");
    }

    #[test]
    fn search_table_aligns_emoji_product_names() {
        let d = json!({"payments": [
            {"TID": "T1", "AMOUNT": "4500", "PRODUCTNAME": "아메리카노 ☕", "CANCELDATE": ""},
            {"TID": "T2", "AMOUNT": "30000", "PRODUCTNAME": "🚀 빠른배송", "CANCELDATE": ""},
            {"TID": "T3", "AMOUNT": "900", "PRODUCTNAME": "Tea", "CANCELDATE": ""},
        ]});
        let t = payments(&d);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "TID    AMOUNT  PRODUCTNAME    STATUS");
        assert_eq!(lines[1], "T1    4,500원  아메리카노 ☕  승인");
        assert_eq!(lines[2], "T2   30,000원  🚀 빠른배송    승인");
        assert_eq!(lines[3], "T3      900원  Tea            승인");
    }

    #[test]
    fn errors_read_well() {
        let v = error_text(&json!({"kind": "validation", "message": "1 field(s)",
            "fields": [{"field": "to", "rule": "date", "message": "to must be a date YYYY-MM-DD"}]}));
        assert!(
            v.contains("refused before anything was sent") && v.contains("to: to must be a date"),
            "{v}"
        );
        let m = error_text(&json!({"kind": "verification_failed", "message": "x",
            "mismatches": [{"field": "AMOUNT", "expected": 50000, "actual": "5000"}]}));
        assert!(
            m.contains("50,000원") && m.contains("5,000원") && m.contains("do not ship"),
            "{m}"
        );
        let n = error_text(&json!({"kind": "network", "phase": "tls", "message": "handshake"}));
        assert!(n.contains("COOKIEPAY_CA_CERT"), "{n}");
        assert!(unknown_outcome(Some("    cookiepay search --tid T1\n")).contains("    cookiepay search --tid T1\n"));
        let h = error_text(&json!({"kind": "api", "code": "9029", "api_message": "x", "hint": "입금후 취소 API"}));
        assert!(h.contains("hint: 입금후 취소 API"), "{h}");
    }

    #[test]
    fn what_is_left_to_refund() {
        let d = json!({"AMOUNT": "10000", "CANCELDATE": ""});
        let none = RefundedHere::default();
        assert!(left_to_refund(&d, none).starts_with("Left to refund: at most 10,000원 (partial"));
        let l = left_to_refund(
            &d,
            RefundedHere {
                applied: 2000,
                unknown: 0,
            },
        );
        assert!(l.contains("at most 8,000원; 2,000원 of it was refunded"), "{l}");
        let l = left_to_refund(
            &d,
            RefundedHere {
                applied: 0,
                unknown: 3000,
            },
        );
        assert!(
            l.contains("at most 10,000원; refunds of 3,000원 more have an unknown outcome"),
            "{l}"
        );
        let d = json!({"AMOUNT": "10000", "CANCELDATE": "20261127221028"});
        assert!(left_to_refund(&d, none).contains("nothing — the whole payment was cancelled at 2026-11-27 22:10:28"));
    }

    #[test]
    fn masks_and_redaction() {
        assert_eq!(mask("BK0123456789"), "…6789");
        assert_eq!(mask("abc"), "****");
        let mut e = Envelope::parse(r#"{"ok":true,"data":{"TOKEN":"eyJsecret.x.y","expires_at":1}}"#.into());
        e.redact_token();
        assert!(!e.raw.contains("eyJsecret") && e.raw.contains("[REDACTED]"));
        let secrets = [
            ("abcdef".to_string(), "[REDACTED]".to_string()),
            ("BK0123456789".to_string(), mask("BK0123456789")),
        ];
        assert_eq!(scrub("key=abcdef", &secrets), "key=[REDACTED]");
        assert_eq!(
            scrub(r#"{"BILLKEY":"BK0123456789"}"#, &secrets),
            r#"{"BILLKEY":"…6789"}"#
        );
    }
}
