//! The manual's 결제정보 검증 in one call: look the payment up with paycert and compare it with what
//! the merchant stored for the order. The browser can tamper with the amount, and a cancelled payment
//! must not be shipped, so both are `verification_failed`.

use serde_json::{json, Map, Value};

use crate::context::Context;
use crate::error::{Error, FieldError, Mismatch, Result};
use crate::paycert;
use crate::response::{as_text, text_of};

/// Validate `expected`: ORDERNO and AMOUNT are required; other keys are compared as text.
fn expected_of(request: &Value) -> Result<Map<String, Value>> {
    let expected = match request.get("expected") {
        Some(Value::Object(map)) => map.clone(),
        None | Some(Value::Null) => Map::new(),
        Some(_) => return Err(Error::invalid("expected must be an object")),
    };
    let mut problems = Vec::new();
    for field in ["ORDERNO", "AMOUNT"] {
        let present = match expected.get(field) {
            Some(Value::String(s)) => !s.is_empty(),
            Some(Value::Number(_)) => true,
            _ => false,
        };
        if !present {
            problems.push(FieldError::new(
                format!("expected.{field}"),
                "required",
                format!("expected.{field} is required: the value stored with the order"),
            ));
        }
    }
    if let Some(amount) = expected.get("AMOUNT") {
        let given = amount.is_number() || amount.as_str().is_some_and(|s| !s.is_empty());
        if amount_of(amount).is_none() && given {
            problems.push(FieldError::new(
                "expected.AMOUNT",
                "digits_only",
                "expected.AMOUNT must be a whole number of won",
            ));
        } else if amount_of(amount) == Some(0) {
            // Nothing is charged for 0 won: an order stored with 0 is a bug, never a match.
            problems.push(FieldError::new(
                "expected.AMOUNT",
                "positive",
                "expected.AMOUNT must be greater than 0",
            ));
        }
    }
    if problems.is_empty() {
        Ok(expected)
    } else {
        Err(Error::Validation(problems))
    }
}

/// An amount as a number of won: "1004", "001004" and 1004 are the same amount.
fn amount_of(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s.parse().ok(),
        _ => None,
    }
}

/// The fields that mark a payment cancelled, in every spelling seen: any of them non-blank is enough.
const CANCELLATION_FIELDS: [&str; 4] = ["CANCELDATE", "CANCEL_DATE", "CANCELMSG", "CANCEL_MSG"];

/// Every difference between the payment and the expectation: the TID must be the one asked for (an
/// answer about another payment proves nothing), then each expected field, then any cancellation.
pub fn compare(payment: &Value, tid: &str, expected: &Map<String, Value>) -> Vec<Mismatch> {
    let mut mismatches = Vec::new();
    if text_of(payment, "TID") != tid {
        mismatches.push(Mismatch {
            field: "TID".into(),
            expected: json!(tid),
            actual: payment.get("TID").cloned().unwrap_or(Value::Null),
        });
    }
    for (field, want) in expected {
        let got = payment.get(field).cloned().unwrap_or(Value::Null);
        let same = if field == "AMOUNT" {
            amount_of(want).is_some() && amount_of(want) == amount_of(&got)
        } else {
            text_of(payment, field) == as_text(want)
        };
        if !same {
            mismatches.push(Mismatch {
                field: field.clone(),
                expected: want.clone(),
                actual: got,
            });
        }
    }
    for field in CANCELLATION_FIELDS {
        let value = text_of(payment, field);
        if !value.trim().is_empty() {
            mismatches.push(Mismatch {
                field: field.into(),
                expected: json!(""),
                actual: json!(value),
            });
            break;
        }
    }
    mismatches
}

/// `cookiepay_verify`: `{"tid", "expected": {"ORDERNO", "AMOUNT", …}}` → the verified payment.
pub fn call(ctx: &Context, request: &Value) -> Result<Value> {
    let tid = paycert::tid_of(request);
    let expected = expected_of(request);
    // Report argument problems of both parts together.
    let (tid, expected) = match (tid, expected) {
        (Ok(t), Ok(e)) => (t, e),
        (Err(Error::Validation(mut a)), Err(Error::Validation(b))) => {
            a.extend(b);
            return Err(Error::Validation(a));
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    let payment = paycert::fetch(ctx, &tid)?;
    let mismatches = compare(&payment, &tid, &expected);
    if mismatches.is_empty() {
        Ok(payment)
    } else {
        Err(Error::VerificationFailed {
            mismatches,
            payment: Box::new(payment),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exp(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn amounts_compare_as_numbers() {
        let p = json!({"TID": "T1", "ORDERNO": "A1", "AMOUNT": "1004", "CANCELDATE": ""});
        assert!(compare(&p, "T1", &exp(json!({"ORDERNO": "A1", "AMOUNT": 1004}))).is_empty());
        assert!(compare(&p, "T1", &exp(json!({"ORDERNO": "A1", "AMOUNT": "01004"}))).is_empty());
        let m = compare(&p, "T1", &exp(json!({"ORDERNO": "A1", "AMOUNT": 100})));
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].field, "AMOUNT");
        assert_eq!(m[0].actual, "1004");
    }

    #[test]
    fn a_cancelled_payment_never_verifies() {
        let p = json!({"TID": "T1", "ORDERNO": "A1", "AMOUNT": "1004", "CANCELDATE": "20260101120000"});
        let m = compare(&p, "T1", &exp(json!({"ORDERNO": "A1", "AMOUNT": "1004"})));
        assert_eq!(m[0].field, "CANCELDATE");
        for field in ["CANCEL_DATE", "CANCELMSG", "CANCEL_MSG"] {
            let mut p = json!({"TID": "T1", "ORDERNO": "A1", "AMOUNT": "1004", "CANCELDATE": " "});
            p[field] = json!("취소");
            let m = compare(&p, "T1", &exp(json!({"ORDERNO": "A1", "AMOUNT": "1004"})));
            assert_eq!(m.len(), 1, "{field}");
            assert_eq!(m[0].field, field);
        }
        let blank = json!({"TID": "T1", "ORDERNO": "A1", "AMOUNT": "1004", "CANCELDATE": " "});
        assert!(compare(&blank, "T1", &exp(json!({"ORDERNO": "A1", "AMOUNT": "1004"}))).is_empty());
    }

    #[test]
    fn an_answer_about_another_payment_never_verifies() {
        let p = json!({"TID": "OTHER", "ORDERNO": "A1", "AMOUNT": "1004"});
        let m = compare(&p, "T1", &exp(json!({"ORDERNO": "A1", "AMOUNT": "1004"})));
        assert_eq!(m[0].field, "TID");
        let missing = json!({"ORDERNO": "A1", "AMOUNT": "1004"});
        assert_eq!(
            compare(&missing, "T1", &exp(json!({"ORDERNO": "A1", "AMOUNT": 1004})))[0].field,
            "TID"
        );
    }

    #[test]
    fn missing_fields_and_bad_amounts_are_validation_errors() {
        assert_eq!(expected_of(&json!({})).unwrap_err().kind(), "validation");
        let e = expected_of(&json!({"expected": {"ORDERNO": "A", "AMOUNT": "1,000"}})).unwrap_err();
        assert!(matches!(e, Error::Validation(ref f) if f[0].rule == "digits_only"));
        for zero in [json!(0), json!("0"), json!("000")] {
            let e = expected_of(&json!({"expected": {"ORDERNO": "A", "AMOUNT": zero}})).unwrap_err();
            assert!(
                matches!(e, Error::Validation(ref f) if f[0].rule == "positive"),
                "{zero}"
            );
        }
    }
}
