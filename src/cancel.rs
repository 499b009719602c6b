//! `POST /api/cancel` (TOKEN + ApiKey): refund a payment in full or in part. Moves money: sent once
//! with a TOKEN fetched for it, never retried. Its answer uses its own lower-case fields
//! (`cancel_code`, `cancel_msg`, …).

use serde_json::{json, Map, Value};

use crate::context::{Context, TokenUse, WithKey};
use crate::error::{Error, FieldError, Result, Settle};
use crate::paycert;
use crate::response::{api_error, code_of, text_of, SUCCESS};
use crate::transport::CallKind;

pub const PATH: &str = "/api/cancel";

/// CookiePay's answer when the payment was settled (KiwoomPay): only the after-settlement cancel
/// (입금후 취소, `/api/get_cancel_bank_account`) can refund it.
pub const SETTLED: &str = "9029";
const SETTLED_HINT: &str =
    "입금후 취소: the payment is settled; refund it through CookiePay's after-settlement cancel (/api/get_cancel_bank_account)";

/// Messages that mean the payment was cancelled before (the vendor plugin treats them as done).
const ALREADY_CANCELLED: [&str; 2] = ["이미 취소", "원거래 기취소"];

const REASON_MAX_CHARS: usize = 100;
const REFUND_ACCOUNT_FIELDS: [&str; 3] = ["bank", "account_no", "account_name"];

/// Check the request and build the body to send.
pub fn prepare(request: &Value) -> Result<Map<String, Value>> {
    let mut problems = Vec::new();
    let mut body = Map::new();
    match paycert::tid_of(request) {
        Ok(tid) => {
            body.insert("tid".into(), json!(tid));
        }
        Err(Error::Validation(more)) => problems.extend(more),
        Err(other) => return Err(other),
    }
    match request.get("reason") {
        Some(Value::String(r)) if !r.trim().is_empty() => {
            if r.chars().count() > REASON_MAX_CHARS || r.chars().any(char::is_control) {
                problems.push(FieldError::new(
                    "reason",
                    "max_length",
                    format!("reason must be at most {REASON_MAX_CHARS} printable characters"),
                ));
            }
            body.insert("reason".into(), json!(r.trim()));
        }
        Some(Value::String(_)) | None | Some(Value::Null) => {
            problems.push(FieldError::new("reason", "required", "reason is required (취소사유)"))
        }
        Some(_) => return Err(Error::invalid("reason must be a string")),
    }
    match request.get("amount") {
        None | Some(Value::Null) => {}
        Some(amount) => match amount_of(amount) {
            Some(won) => {
                body.insert("amount".into(), json!(won.to_string()));
            }
            None => problems.push(FieldError::new(
                "amount",
                "positive",
                "amount must be a whole number of won greater than 0 (leave it out to cancel the rest)",
            )),
        },
    }
    for field in REFUND_ACCOUNT_FIELDS {
        match request.get(field) {
            None | Some(Value::Null) => {}
            Some(Value::String(v)) if v.chars().count() <= 50 && !v.chars().any(char::is_control) => {
                body.insert(field.into(), json!(v));
            }
            Some(_) => problems.push(FieldError::new(
                field,
                "format",
                format!("{field} must be text of at most 50 characters"),
            )),
        }
    }
    if problems.is_empty() {
        Ok(body)
    } else {
        Err(Error::Validation(problems))
    }
}

/// At most this many digits, as a number or as a string (a 13-digit number of won is no refund).
const AMOUNT_MAX_DIGITS: usize = 12;
const AMOUNT_MAX: u64 = 999_999_999_999;

fn amount_of(value: &Value) -> Option<u64> {
    let won = match value {
        Value::Number(n) => n.as_u64().filter(|won| *won <= AMOUNT_MAX)?,
        Value::String(s) if !s.is_empty() && s.len() <= AMOUNT_MAX_DIGITS && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok()?
        }
        _ => return None,
    };
    (won > 0).then_some(won)
}

/// `cookiepay_cancel`: `{"tid","reason","amount"?, refund account?}` → the answer plus
/// `already_cancelled`.
pub fn call(ctx: &Context, request: &Value) -> Result<Value> {
    let body = prepare(request)?;
    // What can tell whether a lost refund went through depends on its kind.
    let settle = if body.contains_key("amount") {
        Settle::PartialRefund
    } else {
        Settle::FullRefund
    };
    ctx.post_with_token(
        PATH,
        &Value::Object(body),
        WithKey::Yes,
        TokenUse::Fresh,
        CallKind::SendOnce,
        interpret,
    )
    .map_err(|e| e.settled_by(settle))
}

/// Success, already cancelled (also success, flagged), 9029 (with its meaning), or the `api` error.
pub fn interpret(answer: Value) -> Result<Value> {
    let code = code_of(&answer, "cancel_code");
    let already = ALREADY_CANCELLED
        .iter()
        .any(|m| text_of(&answer, "cancel_msg").contains(m));
    if code != SUCCESS && !already {
        let mut err = api_error(&answer, "cancel_code", "cancel_msg", None);
        if code == SETTLED {
            if let Error::Api { hint, .. } = &mut err {
                *hint = Some(SETTLED_HINT);
            }
        }
        return Err(err);
    }
    let mut fields = match answer {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    fields.insert("already_cancelled".into(), json!(code != SUCCESS));
    Ok(Value::Object(fields))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_checked_at_once() {
        let Err(Error::Validation(p)) = prepare(&json!({"amount": 0, "bank": 5})) else {
            panic!()
        };
        let fields: Vec<_> = p.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["tid", "reason", "amount", "bank"]);
        let body = prepare(&json!({"tid": "T1", "reason": "고객취소", "amount": "5000"})).unwrap();
        assert_eq!(body["amount"], "5000");
    }

    #[test]
    fn a_number_amount_has_the_same_twelve_digit_limit_as_a_string() {
        for amount in [json!(999_999_999_999u64), json!("999999999999")] {
            let body = prepare(&json!({"tid": "T1", "reason": "r", "amount": amount})).unwrap();
            assert_eq!(body["amount"], "999999999999", "{amount}");
        }
        for amount in [
            json!(1_000_000_000_000u64),
            json!("1000000000000"),
            json!(u64::MAX),
            json!(0),
            json!(-1),
            json!(1.5),
        ] {
            let Err(Error::Validation(p)) = prepare(&json!({"tid": "T1", "reason": "r", "amount": amount})) else {
                panic!("{amount} accepted")
            };
            assert_eq!((p[0].field.as_str(), p[0].rule), ("amount", "positive"), "{amount}");
        }
    }

    #[test]
    fn answers() {
        let ok = interpret(json!({"cancel_code": "0000", "cancel_msg": "성공", "cancel_amt": "5000"})).unwrap();
        assert_eq!(ok["already_cancelled"], false);
        let again = interpret(json!({"cancel_code": "E201", "cancel_msg": "이미 취소된 거래입니다."})).unwrap();
        assert_eq!(again["already_cancelled"], true);
        let again = interpret(json!({"cancel_code": "9999", "cancel_msg": "원거래 기취소 건"})).unwrap();
        assert_eq!(again["already_cancelled"], true);
        let settled = interpret(json!({"cancel_code": "9029", "cancel_msg": "입금후 취소 대상"})).unwrap_err();
        let j = settled.to_json();
        assert_eq!(j["code"], "9029");
        assert!(j["message"].as_str().unwrap().contains("입금후 취소"));
        assert_eq!(
            interpret(json!({"cancel_code": "E301", "cancel_msg": "잔액 부족"}))
                .unwrap_err()
                .kind(),
            "api"
        );
    }
}
