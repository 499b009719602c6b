//! `POST /api/paysearch` (TOKEN): payments by TID, or by approval date range. The answer is a JSON
//! array of paycert-like rows, or an object with a code — `E008` meaning nothing was found.

use serde_json::{json, Map, Value};

use crate::context::{Context, TokenUse};
use crate::error::{Error, FieldError, Result};
use crate::paycert;
use crate::response::{api_error, code_of, normalize, SUCCESS};
use crate::transport::CallKind;

pub const PATH: &str = "/api/paysearch";

/// The vendor's "검색 결과가 없습니다" code: an empty result, not an error.
pub const NOTHING_FOUND: &str = "E008";

/// The body to send: `{"tid"}` → `TID`; `{"from","to"}` (YYYY-MM-DD) → `STD_DT`/`END_DT`.
pub fn prepare(api_id: &str, request: &Value) -> Result<Map<String, Value>> {
    let mut body = Map::new();
    body.insert("API_ID".into(), json!(api_id));
    let has_tid = ["tid", "TID"]
        .iter()
        .any(|k| request.get(*k).is_some_and(|v| !v.is_null()));
    if has_tid {
        body.insert("TID".into(), json!(paycert::tid_of(request)?));
        return Ok(body);
    }
    let mut problems = Vec::new();
    let mut dates = Vec::new();
    for field in ["from", "to"] {
        match request.get(field) {
            Some(Value::String(s)) if is_date(s) => dates.push(s.clone()),
            None | Some(Value::Null) => problems.push(FieldError::new(
                field,
                "required",
                format!("give tid, or from and to (YYYY-MM-DD): {field} is missing"),
            )),
            Some(_) => problems.push(FieldError::new(
                field,
                "date",
                format!("{field} must be a date YYYY-MM-DD"),
            )),
        }
    }
    if let [from, to] = dates.as_slice() {
        if from > to {
            problems.push(FieldError::new("to", "order", "to must not be before from"));
        }
        body.insert("STD_DT".into(), json!(from));
        body.insert("END_DT".into(), json!(to));
    }
    if problems.is_empty() {
        Ok(body)
    } else {
        Err(Error::Validation(problems))
    }
}

/// `YYYY-MM-DD` with a real month and a day that month has.
fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits(0..4) || !digits(5..7) || !digits(8..10) {
        return false;
    }
    let year: u32 = text[0..4].parse().unwrap_or(0);
    let month: u32 = text[5..7].parse().unwrap_or(0);
    let day: u32 = text[8..10].parse().unwrap_or(0);
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days_in_month).contains(&day)
}

/// `cookiepay_paysearch` → `{"payments": […]}`.
pub fn call(ctx: &Context, request: &Value) -> Result<Value> {
    let body = Value::Object(prepare(ctx.api_id(), request)?);
    ctx.with_token(TokenUse::Cached, |token| {
        let answer = ctx
            .channel
            .post_json_answer(PATH, &[("TOKEN", token)], &body, CallKind::Idempotent)?
            .into_json()?;
        payments_of(answer)
    })
}

/// The rows of a paysearch answer.
pub fn payments_of(answer: Value) -> Result<Value> {
    let rows = match answer {
        Value::Array(rows) => rows,
        Value::Object(ref fields) if fields.contains_key("RESULTCODE") => match code_of(&answer, "RESULTCODE").as_str()
        {
            NOTHING_FOUND => Vec::new(),
            // Success with one row as an object (not observed, but harmless to accept).
            SUCCESS if fields.contains_key("TID") => vec![answer],
            _ => return Err(api_error(&answer, "RESULTCODE", "RESULTMSG", None)),
        },
        other => {
            return Err(Error::Decode {
                outcome: None,
                message: "the paysearch answer is neither a list nor a result code".into(),
                excerpt: crate::error::excerpt(other.to_string().as_bytes()),
            })
        }
    };
    let payments: Vec<Value> = rows
        .into_iter()
        .map(|row| match row {
            Value::Object(map) => Value::Object(normalize(map)),
            other => other,
        })
        .collect();
    Ok(json!({ "payments": payments }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tid_or_a_date_range() {
        assert_eq!(prepare("a", &json!({"tid": "T1", "from": "x"})).unwrap()["TID"], "T1");
        let body = prepare("a", &json!({"from": "2026-02-01", "to": "2026-02-28"})).unwrap();
        assert_eq!(body["STD_DT"], "2026-02-01");
        assert!(prepare("a", &json!({"from": "2026-02-30", "to": "2026-03-01"})).is_err());
        assert!(prepare("a", &json!({"from": "2026-03-02", "to": "2026-03-01"})).is_err());
        let Err(Error::Validation(p)) = prepare("a", &json!({})) else {
            panic!()
        };
        assert_eq!(p.len(), 2);
        assert!(is_date("2024-02-29") && !is_date("2025-02-29"));
    }

    #[test]
    fn e008_is_an_empty_list() {
        let none = payments_of(json!({"RESULTCODE": "E008", "RESULTMSG": "검색 결과가 없습니다."})).unwrap();
        assert_eq!(none["payments"], json!([]));
        let rows = payments_of(json!([{"TID": "T1", "ACCEPT_NO": "1"}])).unwrap();
        assert_eq!(rows["payments"][0]["ACCEPTNO"], "1");
        assert_eq!(payments_of(json!({"RESULTCODE": "E021"})).unwrap_err().kind(), "api");
        assert_eq!(payments_of(json!("x")).unwrap_err().kind(), "decode");
    }
}
