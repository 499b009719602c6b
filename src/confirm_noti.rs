//! `cookiepay_confirm_noti`: a Noti is a hint anyone can post; one call turns it into CookiePay's
//! facts. The body only names the payment (its TID); paycert says what the payment is, and only
//! paycert's answer comes back — with `kind` and `dedup_key` computed from that answer, never from
//! the body. The rule, in order:
//!
//! 1. The body must parse as a Noti (`noti::parse`) and name a TID; without one (a declined
//!    recurring charge has none: there is no payment) nothing can be confirmed: `no_tid`.
//! 2. paycert must know the TID and answer about that TID: else `unknown_tid` (with its code).
//! 3. Every identity field the body and paycert both carry must agree — `ORDERNO`, `AMOUNT` (as
//!    numbers), and for a cancellation its date (`CANCELDATE`/`CANCEL_DATE`): else `mismatch`.
//! 4. A body reporting a cancellation needs paycert to show one: else `not_cancelled` (paycert
//!    shows a cancellation only once nothing is left, so a partial refund cannot be confirmed).
//! 5. `kind` is `cancel` when paycert shows the payment cancelled, else `payment` (paycert does not
//!    say whether a payment belongs to a schedule, so a recurring charge comes back as `payment`);
//!    `dedup_key` is `payment:<TID>` or `cancel:<TID>:<CANCELDATE>` from paycert's fields.
//!
//! Read-only: a lookup, retried like every read.

use serde_json::{json, Map, Value};

use crate::context::Context;
use crate::error::{Error, Mismatch, Result};
use crate::response::{as_text, text_of};
use crate::{noti, paycert};

/// The fields that mark a payment cancelled, in every spelling seen (as `verify` reads them).
const CANCELLATION_FIELDS: [&str; 4] = ["CANCELDATE", "CANCEL_DATE", "CANCELMSG", "CANCEL_MSG"];
const CANCEL_DATE_FIELDS: [&str; 2] = ["CANCELDATE", "CANCEL_DATE"];

fn not_confirmed(reason: &'static str, message: impl Into<String>) -> Error {
    Error::NotiNotConfirmed {
        reason,
        message: message.into(),
        mismatches: Vec::new(),
        code: None,
    }
}

/// The raw Noti body of a `{"body": "<raw>"}` request.
fn body_of(request: &Value) -> Result<&str> {
    match request.get("body") {
        Some(Value::String(body)) => Ok(body),
        None | Some(Value::Null) => Err(Error::field("body", "required", "body is required: the raw Noti body")),
        Some(_) => Err(Error::invalid("body must be a string: the raw Noti body as received")),
    }
}

fn first_set(fields: &Value, names: &[&str]) -> String {
    names
        .iter()
        .map(|n| text_of(fields, n).trim().to_owned())
        .find(|t| !t.is_empty())
        .unwrap_or_default()
}

/// An amount as a number of won: "1004", "001004" and 1004 are the same amount.
fn won(value: &str) -> Option<u64> {
    let value = value.trim();
    (!value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()))
        .then(|| value.parse().ok())
        .flatten()
}

/// Every identity field the Noti carries (non-blank) that paycert contradicts.
pub fn mismatches(noti: &Value, payment: &Value) -> Vec<Mismatch> {
    let mut found = Vec::new();
    let mut differs = |field: &str, claimed: String, actual: String, same: bool| {
        if !same {
            found.push(Mismatch {
                field: field.into(),
                expected: json!(claimed),
                actual: json!(actual),
            });
        }
    };
    for field in ["TID", "ORDERNO"] {
        let claimed = text_of(noti, field).trim().to_owned();
        if !claimed.is_empty() {
            let actual = text_of(payment, field);
            let same = actual.trim() == claimed;
            differs(field, claimed, actual, same);
        }
    }
    let claimed = text_of(noti, "AMOUNT").trim().to_owned();
    if !claimed.is_empty() {
        let actual = text_of(payment, "AMOUNT");
        let same = won(&claimed).is_some() && won(&claimed) == won(&actual);
        differs("AMOUNT", claimed, actual, same);
    }
    let claimed = first_set(noti, &CANCEL_DATE_FIELDS);
    let actual = first_set(payment, &CANCEL_DATE_FIELDS);
    if !claimed.is_empty() && !actual.is_empty() {
        let same = claimed == actual;
        differs("CANCELDATE", claimed, actual, same);
    }
    found
}

/// paycert's payment plus `kind` and `dedup_key` computed from it alone.
pub fn confirmed(payment: Value, claims_cancel: bool) -> Result<Value> {
    let cancelled = CANCELLATION_FIELDS
        .iter()
        .any(|f| !text_of(&payment, f).trim().is_empty());
    if claims_cancel && !cancelled {
        return Err(not_confirmed(
            "not_cancelled",
            "the Noti reports a cancellation that paycert does not show: do not act on it (paycert shows \
             a cancellation only once the whole amount is refunded; record partial refunds from cancel's \
             own answer)",
        ));
    }
    let tid = text_of(&payment, "TID").trim().to_owned();
    let (kind, key) = if cancelled {
        let date = first_set(&payment, &CANCEL_DATE_FIELDS);
        ("cancel", format!("cancel:{tid}:{date}"))
    } else {
        ("payment", format!("payment:{tid}"))
    };
    let Value::Object(mut fields) = payment else {
        return Err(Error::Internal("a parsed answer is not an object".into()));
    };
    fields.insert("kind".into(), json!(kind));
    fields.insert("dedup_key".into(), json!(key));
    Ok(Value::Object(fields))
}

/// The TID a parsed Noti names, checked as paycert's request would check it.
fn tid_of(noti: &Map<String, Value>) -> Result<String> {
    let named = noti.get("TID").map(as_text).unwrap_or_default();
    if named.trim().is_empty() {
        return Err(not_confirmed(
            "no_tid",
            "the Noti names no TID, so paycert cannot confirm it: do not act on it. A declined recurring \
             charge has no TID (there is no payment); to know whether a cycle was paid, look its payment \
             up with paysearch {from,to} around the Noti's time and match your ORDERNO or ETC tag",
        ));
    }
    paycert::tid_of(&json!({ "tid": named })).map_err(|_| {
        not_confirmed(
            "invalid_tid",
            "the Noti's TID is not a TID (too long, or with control characters): do not act on it",
        )
    })
}

/// `cookiepay_confirm_noti`: `{"body": "<raw Noti body>"}` → paycert's payment + `kind`, `dedup_key`.
pub fn call(ctx: &Context, request: &Value) -> Result<Value> {
    let parsed = noti::parse(body_of(request)?.as_bytes())?;
    let Value::Object(fields) = &parsed else {
        return Err(Error::Internal("a parsed answer is not an object".into()));
    };
    let tid = tid_of(fields)?;
    let payment = match paycert::fetch(ctx, &tid) {
        Ok(payment) => payment,
        Err(Error::Api { code, message, .. }) => {
            return Err(Error::NotiNotConfirmed {
                reason: "unknown_tid",
                message: format!(
                    "CookiePay does not confirm the Noti's TID (paycert answered {code}: {message}): do not act on it"
                ),
                mismatches: Vec::new(),
                code: Some(code),
            })
        }
        // Could not ask (network, timeout, an unreadable answer): the Noti is neither confirmed
        // nor refuted — the shop answers so that it is sent again.
        Err(other) => return Err(other),
    };
    // TID first: an answer about another payment proves nothing about this one.
    let found = mismatches(&parsed, &payment);
    if !found.is_empty() {
        let names: Vec<&str> = found.iter().map(|m| m.field.as_str()).collect();
        return Err(Error::NotiNotConfirmed {
            reason: "mismatch",
            message: format!(
                "the Noti contradicts CookiePay's paycert answer ({}): a forged or stale Noti, do not act on it",
                names.join(", ")
            ),
            mismatches: found,
            code: None,
        });
    }
    confirmed(payment, parsed["kind"] == "cancel")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payment() -> Value {
        json!({"RESULTCODE": "0000", "TID": "T1", "ORDERNO": "A1", "AMOUNT": "1004", "CANCELDATE": "", "CANCELMSG": ""})
    }

    #[test]
    fn only_fields_both_carry_are_compared() {
        assert!(mismatches(&json!({"TID": "T1"}), &payment()).is_empty());
        assert!(mismatches(&json!({"TID": "T1", "ORDERNO": "A1", "AMOUNT": "001004"}), &payment()).is_empty());
        let m = mismatches(&json!({"TID": "T1", "ORDERNO": "A2", "AMOUNT": "1"}), &payment());
        let fields: Vec<&str> = m.iter().map(|m| m.field.as_str()).collect();
        assert_eq!(fields, ["ORDERNO", "AMOUNT"]);
        assert_eq!(m[1].expected, "1");
        assert_eq!(m[1].actual, "1004");
        let m = mismatches(&json!({"TID": "T1", "AMOUNT": "1,004"}), &payment());
        assert_eq!(m[0].field, "AMOUNT");
    }

    #[test]
    fn kind_and_key_come_from_paycert() {
        let p = confirmed(payment(), false).unwrap();
        assert_eq!(
            (p["kind"].as_str(), p["dedup_key"].as_str()),
            (Some("payment"), Some("payment:T1"))
        );
        let e = confirmed(payment(), true).unwrap_err();
        assert!(matches!(
            e,
            Error::NotiNotConfirmed {
                reason: "not_cancelled",
                ..
            }
        ));
        let mut cancelled = payment();
        cancelled["CANCELDATE"] = json!("20261127130000");
        let p = confirmed(cancelled.clone(), false).unwrap();
        assert_eq!(p["kind"], "cancel");
        assert_eq!(p["dedup_key"], "cancel:T1:20261127130000");
        let m = mismatches(&json!({"TID": "T1", "CANCELDATE": "20261101000000"}), &cancelled);
        assert_eq!(m[0].field, "CANCELDATE");
    }

    #[test]
    fn a_noti_without_a_usable_tid_is_not_confirmed() {
        let reason = |body: Value| match tid_of(body.as_object().unwrap()) {
            Err(Error::NotiNotConfirmed { reason, .. }) => reason,
            other => panic!("{other:?}"),
        };
        assert_eq!(reason(json!({"RESERVE_ID": "r1", "TID": ""})), "no_tid");
        assert_eq!(reason(json!({"ORDERNO": "A1"})), "no_tid");
        assert_eq!(reason(json!({"TID": "x".repeat(51)})), "invalid_tid");
        assert_eq!(reason(json!({"TID": "T\r\n1"})), "invalid_tid");
        assert_eq!(tid_of(json!({"TID": " T1 "}).as_object().unwrap()).unwrap(), "T1");
    }
}
