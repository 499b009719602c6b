//! `POST /Subscribe/billkeygen` (ApiKey + TOKEN): issue a billing key from card data, charge the first
//! payment, and optionally register a recurring schedule — all in one call (the vendor plugin's
//! 비인증 정기). Moves money: validated first (order and card fields, no request at all for a bad
//! card), sent once with a TOKEN fetched for it, never retried.

use serde_json::{json, Map, Value};

use crate::card;
use crate::context::{Context, TokenUse, WithKey};
use crate::decrypt;
use crate::error::{Error, FieldError, Result, Settle};
use crate::order::{self, FieldSpec};
use crate::response::{code_of, SUCCESS};
use crate::transport::CallKind;

pub const PATH: &str = "/Subscribe/billkeygen";

/// The schedule fields, sent as strings (numbers accepted). Their formats beyond digits are not
/// published (e.g. how a weekly PAY_DAY is written), so only the shape is checked.
const SCHEDULE_NUMBERS: [&str; 3] = ["PAY_DAY", "START_PAY_CNT", "LAST_PAY_CNT"];

fn order_fields() -> Vec<FieldSpec> {
    // The plugin sends no RETURNURL (nothing is shown to a browser) and no TAXYN here.
    order::READY_FIELDS
        .iter()
        .filter(|(name, _, _)| !matches!(*name, "RETURNURL" | "TAXYN"))
        .copied()
        .collect()
}

/// Check every rule and build the body to send.
pub fn prepare(api_id: &str, request: &Value) -> Result<Map<String, Value>> {
    let input = request
        .as_object()
        .ok_or_else(|| Error::invalid("the billkeygen request must be a JSON object"))?;
    let mut problems = Vec::new();
    let mut body = order::check(api_id, input, &order_fields(), &mut problems);
    card::check(&mut body, &mut problems);
    check_schedule(&mut body, &mut problems);
    if matches!(body.get("ENC_YN"), None | Some(Value::Null)) {
        // A plaintext answer saves a decrypt round trip; an encrypted one is decrypted anyway.
        body.insert("ENC_YN".into(), json!("N"));
    }
    if problems.is_empty() {
        Ok(body)
    } else {
        Err(Error::Validation(problems))
    }
}

fn check_schedule(body: &mut Map<String, Value>, problems: &mut Vec<FieldError>) {
    match body.get("RECURRENCE_PAY") {
        None | Some(Value::Null) => return,
        Some(Value::String(s)) if s == "Y" || s == "N" => {}
        Some(_) => {
            problems.push(FieldError::new(
                "RECURRENCE_PAY",
                "one_of",
                "RECURRENCE_PAY must be Y or N",
            ));
            return;
        }
    }
    if !asks_for_schedule(body) {
        return;
    }
    match body.get("RECURRENCE_TYPE") {
        Some(Value::String(s)) if !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_uppercase()) => {}
        None | Some(Value::Null) => problems.push(FieldError::new(
            "RECURRENCE_TYPE",
            "required",
            "RECURRENCE_TYPE is required with RECURRENCE_PAY Y (M monthly, W weekly)",
        )),
        Some(_) => problems.push(FieldError::new(
            "RECURRENCE_TYPE",
            "format",
            "RECURRENCE_TYPE must be a letter code such as M or W",
        )),
    }
    for field in SCHEDULE_NUMBERS {
        let text = match body.get(field) {
            Some(Value::Number(n)) => n.as_u64().map(|n| n.to_string()),
            Some(Value::String(s)) => Some(s.clone()),
            None | Some(Value::Null) if field == "PAY_DAY" => {
                problems.push(FieldError::new(
                    field,
                    "required",
                    format!("{field} is required with RECURRENCE_PAY Y"),
                ));
                continue;
            }
            None | Some(Value::Null) => continue,
            Some(_) => None,
        };
        match text {
            Some(t) if !t.is_empty() && t.len() <= 4 && t.bytes().all(|b| b.is_ascii_digit()) => {
                body.insert(field.into(), Value::String(t));
            }
            _ => problems.push(FieldError::new(
                field,
                "digits_only",
                format!("{field} must be a whole number"),
            )),
        }
    }
}

fn asks_for_schedule(body: &Map<String, Value>) -> bool {
    body.get("RECURRENCE_PAY").and_then(Value::as_str) == Some("Y")
}

/// `cookiepay_billkeygen`: the answer's fields plus `charged` and `scheduled`.
pub fn call(ctx: &Context, request: &Value) -> Result<Value> {
    let mut body = prepare(ctx.api_id(), request)?;
    let scheduled_asked = asks_for_schedule(&body);
    let body_value = Value::Object(std::mem::take(&mut body));
    let result = ctx.post_with_token(PATH, &body_value, WithKey::Yes, TokenUse::Fresh, CallKind::SendOnce, Ok);
    let mut body_value = body_value;
    crate::secrets::wipe_value(&mut body_value);
    let settle = |e: Error| e.settled_by(Settle::Charge);
    let payment = decrypt::open(ctx, result.map_err(settle)?, true).map_err(settle)?;
    Ok(describe(payment, scheduled_asked))
}

/// Add `charged` and `scheduled`: a charge whose schedule failed is still a charge (never retry it).
pub fn describe(payment: Value, scheduled_asked: bool) -> Value {
    let scheduled = if scheduled_asked {
        json!(code_of(&payment, "RESERVE_RESULTCODE") == SUCCESS)
    } else {
        Value::Null
    };
    let mut fields = match payment {
        Value::Object(map) => map,
        other => {
            let mut map = Map::new();
            map.insert("answer".into(), other);
            map
        }
    };
    fields.insert("charged".into(), json!(true));
    fields.insert("scheduled".into(), scheduled);
    Value::Object(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> Value {
        json!({"ORDERNO": "SUB-1", "PRODUCTNAME": "월간 구독", "AMOUNT": 9900, "BUYERNAME": "홍길동",
               "CARDNO": "4111111111111111", "EXPIREDT": "9912", "CARDAUTH": "900101", "CARDPWD": "12",
               "RECURRENCE_PAY": "Y", "RECURRENCE_TYPE": "M", "PAY_DAY": 31, "START_PAY_CNT": "1", "LAST_PAY_CNT": 0})
    }

    #[test]
    fn a_good_request_is_completed() {
        let body = prepare("sandbox_x", &good()).unwrap();
        assert_eq!(body["API_ID"], "sandbox_x");
        assert_eq!(body["AMOUNT"], "9900");
        assert_eq!(body["PAY_DAY"], "31");
        assert_eq!(body["LAST_PAY_CNT"], "0");
        assert_eq!(body["ENC_YN"], "N");
        assert_eq!(body["QUOTA"], "00");
        assert!(!body.contains_key("TAXYN"));
    }

    #[test]
    fn schedule_and_card_problems_come_together() {
        let mut v = good();
        v["RECURRENCE_TYPE"] = Value::Null;
        v["PAY_DAY"] = json!("말일");
        v["CARDPWD"] = json!("1");
        let Err(Error::Validation(p)) = prepare("sandbox_x", &v) else {
            panic!("accepted")
        };
        let got: Vec<_> = p.iter().map(|f| (f.field.as_str(), f.rule)).collect();
        for want in [
            ("RECURRENCE_TYPE", "required"),
            ("PAY_DAY", "digits_only"),
            ("CARDPWD", "format"),
        ] {
            assert!(got.contains(&want), "{want:?} in {got:?}");
        }
        assert!(!format!("{p:?}").contains("4111111111111111"));
    }

    #[test]
    fn scheduled_is_three_valued() {
        let ok = describe(json!({"RESULTCODE": "0000", "RESERVE_RESULTCODE": "0000"}), true);
        assert_eq!(ok["scheduled"], true);
        assert_eq!(ok["charged"], true);
        let failed = describe(json!({"RESULTCODE": "0000", "RESERVE_RESULTCODE": "R001"}), true);
        assert_eq!(failed["scheduled"], false);
        assert_eq!(describe(json!({"RESULTCODE": "0000"}), false)["scheduled"], Value::Null);
    }
}
