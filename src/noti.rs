//! The notification (통지, Noti) CookiePay POSTs as JSON to the shop's 통지 URL on approvals, each
//! recurring charge and cancellations. It is unauthenticated — anyone can post one — so it only tells
//! the shop to look: confirm with paycert/verify before marking anything paid. Parsed leniently
//! (strings, nulls, unknown keys kept), classified, and given a key to process it once.

use serde_json::{json, Map, Value};

use crate::error::{Error, Result};
use crate::response::{as_text, normalize};

/// Largest Noti body accepted: real ones are a few KiB.
pub const MAX_NOTI_BYTES: usize = 64 * 1024;

/// Fields this library adds; a Noti that carries them itself is refused rather than let it choose.
const COMPUTED: [&str; 2] = ["kind", "dedup_key"];

/// `cookiepay_parse_noti`: raw body → its fields plus `kind` and `dedup_key`.
pub fn parse(body: &[u8]) -> Result<Value> {
    if body.len() > MAX_NOTI_BYTES {
        return Err(Error::invalid(format!(
            "the Noti body is larger than {MAX_NOTI_BYTES} bytes"
        )));
    }
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let fields = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return Err(Error::invalid("a Noti is a JSON object")),
        Err(_) => return Err(Error::invalid("the Noti body is not valid JSON")),
    };
    if let Some(name) = COMPUTED.iter().find(|name| fields.contains_key(**name)) {
        return Err(Error::invalid(format!(
            "the Noti carries a field named {name}: not a CookiePay Noti"
        )));
    }
    if !["TID", "ORDERNO", "RESERVE_ID"]
        .iter()
        .any(|n| !text(&fields, n).is_empty())
    {
        return Err(Error::invalid(
            "not a CookiePay Noti: it names no TID, ORDERNO or RESERVE_ID",
        ));
    }
    let mut fields = normalize(fields);
    let kind = kind_of(&fields);
    let dedup_key = dedup_key(kind, &fields);
    fields.insert("kind".into(), json!(kind));
    fields.insert("dedup_key".into(), json!(dedup_key));
    Ok(Value::Object(fields))
}

fn text(fields: &Map<String, Value>, name: &str) -> String {
    fields.get(name).map(as_text).unwrap_or_default().trim().to_owned()
}

fn any_set(fields: &Map<String, Value>, names: &[&str]) -> bool {
    names.iter().any(|n| !text(fields, n).is_empty())
}

/// `cancel` when a cancellation date or message is set (the names paycert uses, in both
/// spellings); `recurring` when it belongs to a schedule (the vendor plugin's test); else `payment`.
fn kind_of(fields: &Map<String, Value>) -> &'static str {
    if any_set(fields, &["CANCELDATE", "CANCEL_DATE", "CANCELMSG", "CANCEL_MSG"]) {
        "cancel"
    } else if any_set(fields, &["RESERVE_ID", "RESERVE_ORDERNO"]) {
        "recurring"
    } else {
        "payment"
    }
}

/// One key per event: the same Noti delivered twice gets the same key, different events differ.
fn dedup_key(kind: &str, fields: &Map<String, Value>) -> String {
    let tid = text(fields, "TID");
    let parts: Vec<String> = match kind {
        "cancel" => vec![
            tid,
            first_set(fields, &["CANCELDATE", "CANCEL_DATE"]),
            first_set(fields, &["CANCEL_AMT", "CANCEL_AMOUNT"]),
        ],
        // A declined cycle has no TID: the schedule, the cycle and the attempt tell it apart.
        "recurring" if tid.is_empty() => ["RESERVE_ID", "PAY_CNT", "TRY_CNT", "RESULTCODE"]
            .iter()
            .map(|n| text(fields, n))
            .collect(),
        _ if tid.is_empty() => vec![text(fields, "ORDERNO"), text(fields, "RESULTCODE")],
        _ => vec![tid],
    };
    format!("{kind}:{}", parts.join(":"))
}

fn first_set(fields: &Map<String, Value>, names: &[&str]) -> String {
    names
        .iter()
        .map(|n| text(fields, n))
        .find(|t| !t.is_empty())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_keys() {
        let pay =
            parse(br#"{"PAY_METHOD":"CARD","TID":"T1","ORDERNO":"A1","RESULTCODE":"0000","ACCEPT_NO":"9"}"#).unwrap();
        assert_eq!(pay["kind"], "payment");
        assert_eq!(pay["dedup_key"], "payment:T1");
        assert_eq!(pay["ACCEPTNO"], "9");
        let rec =
            parse(br#"{"TID":"T2","RESERVE_ID":"r1","RESERVE_ORDERNO":"A1","PAY_CNT":"2","VENDOR_ORDER_NO":null}"#)
                .unwrap();
        assert_eq!(rec["kind"], "recurring");
        assert_eq!(rec["dedup_key"], "recurring:T2");
        let declined = parse(br#"{"TID":"","RESERVE_ID":"r1","PAY_CNT":3,"TRY_CNT":"1","RESULTCODE":"C001"}"#).unwrap();
        assert_eq!(declined["dedup_key"], "recurring:r1:3:1:C001");
        let cancel = parse(br#"{"TID":"T1","CANCELDATE":"20261127130000","CANCEL_AMT":"500"}"#).unwrap();
        assert_eq!(cancel["kind"], "cancel");
        assert_eq!(cancel["dedup_key"], "cancel:T1:20261127130000:500");
    }

    #[test]
    fn bad_bodies_are_refused() {
        assert_eq!(parse(b"RESULTCODE=0000").unwrap_err().kind(), "invalid_argument");
        assert_eq!(parse(b"[1]").unwrap_err().kind(), "invalid_argument");
        assert_eq!(
            parse(br#"{"TID":"T","kind":"payment"}"#).unwrap_err().kind(),
            "invalid_argument"
        );
        let big = vec![b' '; MAX_NOTI_BYTES + 1];
        assert_eq!(parse(&big).unwrap_err().kind(), "invalid_argument");
    }
}
