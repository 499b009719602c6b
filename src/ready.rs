//! `POST /pay/ready`: open the authenticated payment window (billing key + first payment).
//! Every field is checked against the manual's table (`order`) before anything is sent. The answer is
//! an HTML page for the buyer's browser, or a JSON error.

use serde_json::{json, Map, Value};

use crate::context::Context;
use crate::error::{Error, FieldError, Result};
use crate::order;
use crate::response::{api_error, code_of, SUCCESS};
use crate::transport::{Answer, CallKind, JSON_CONTENT_TYPE};

pub const PATH: &str = "/pay/ready";

/// Check every rule and build the body to send: all problems are reported at once.
pub fn prepare(api_id: &str, request: &Value) -> Result<Map<String, Value>> {
    let input = request
        .as_object()
        .ok_or_else(|| Error::invalid("the ready request must be a JSON object"))?;
    let mut problems = Vec::new();
    let mut input = input.clone();
    if matches!(input.get("TAXYN"), None | Some(Value::Null)) {
        input.insert("TAXYN".into(), json!("Y"));
    }
    let body = order::check(api_id, &input, &order::READY_FIELDS, &mut problems);
    // PAYMETHOD has no documented length; it must at least be text.
    if let Some(v) = body.get("PAYMETHOD") {
        if !v.is_string() && !v.is_null() {
            problems.push(FieldError::new("PAYMETHOD", "type", "PAYMETHOD must be a string"));
        }
    }
    if problems.is_empty() {
        Ok(body)
    } else {
        Err(Error::Validation(problems))
    }
}

/// `cookiepay_ready`: validate, send once, and return `{"html": …}` for the buyer's browser.
pub fn call(ctx: &Context, request: &Value) -> Result<Value> {
    let body = prepare(ctx.api_id(), request)?;
    let bytes = serde_json::to_vec(&body).map_err(|e| Error::Internal(e.to_string()))?;
    let answer = ctx.channel.post(
        PATH,
        &[("ApiKey", ctx.api_key())],
        JSON_CONTENT_TYPE,
        bytes,
        CallKind::SendOnce,
    )?;
    let html = window_of(answer)?;
    Ok(json!({"html": html, "ORDERNO": body.get("ORDERNO"), "AMOUNT": body.get("AMOUNT")}))
}

/// The window's HTML out of CookiePay's answer: success is HTML, errors are JSON `{RTN_CD, RTN_MSG}`.
///
/// What counts as a window (README): a 2xx answer, typed `text/html` or untyped, whose body is UTF-8
/// and holds a `<form` — the card form the buyer fills in. Anything else (a proxy's maintenance page,
/// broken JSON, JSON without an error code) is an `http` or `decode` error with `outcome` unknown: the
/// ORDERNO may be used up, so look the order up before trying again with a new one.
pub fn window_of(answer: Answer) -> Result<String> {
    interpret_window(answer).map_err(|err| match err {
        refused @ Error::Api { .. } => refused,
        other => other.after_money_sent(),
    })
}

fn interpret_window(answer: Answer) -> Result<String> {
    if !(200..300).contains(&answer.status) {
        return Err(answer.unexpected());
    }
    let trimmed = answer.body.trim_ascii_start();
    if trimmed.starts_with(b"{") || trimmed.starts_with(b"[") {
        let json: Value = serde_json::from_slice(&answer.body).map_err(|_| Error::Decode {
            outcome: None,
            message: "CookiePay's answer to ready looks like JSON but is not valid JSON".into(),
            excerpt: crate::error::excerpt(&answer.body),
        })?;
        let (code_field, msg_field) = if json.get("RTN_CD").is_some() {
            ("RTN_CD", "RTN_MSG")
        } else {
            ("RESULTCODE", "RESULTMSG")
        };
        if code_of(&json, code_field) != SUCCESS {
            return Err(api_error(&json, code_field, msg_field, None));
        }
        return Err(Error::Decode {
            outcome: None,
            message: "CookiePay answered ready with JSON but no payment window".into(),
            excerpt: crate::error::excerpt(&answer.body),
        });
    }
    let typed_html = answer
        .content_type
        .as_deref()
        .is_none_or(|ct| ct.trim().to_ascii_lowercase().starts_with("text/html"));
    let html = match String::from_utf8(answer.body) {
        Ok(html) => html,
        Err(e) => {
            return Err(Error::Decode {
                outcome: None,
                message: "the payment window is not UTF-8 text".into(),
                excerpt: crate::error::excerpt(e.as_bytes()),
            })
        }
    };
    if !typed_html || !html.to_ascii_lowercase().contains("<form") {
        return Err(Error::Http {
            outcome: None,
            status: answer.status,
            content_type: answer.content_type,
            excerpt: crate::error::excerpt(html.as_bytes()),
        });
    }
    Ok(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> Value {
        json!({
            "ORDERNO": "ORD-1", "PRODUCTNAME": "정기구독 🍪", "AMOUNT": 1004, "BUYERNAME": "홍길동",
            "RETURNURL": "https://shop.example/return", "BUYEREMAIL": "a@b.co", "BUYERPHONE": "010-1234-5678",
            "X_UNDOCUMENTED": "kept"
        })
    }

    fn rules(v: Value) -> Vec<(String, &'static str)> {
        match prepare("sandbox_x", &v) {
            Err(Error::Validation(f)) => f.into_iter().map(|f| (f.field, f.rule)).collect(),
            other => panic!("expected validation error, got {:?}", other.map(|_| ())),
        }
    }

    #[test]
    fn a_good_request_is_completed_and_extras_pass_through() {
        let body = prepare("sandbox_x", &good()).unwrap();
        assert_eq!(body["AMOUNT"], "1004");
        assert_eq!(body["API_ID"], "sandbox_x");
        assert_eq!(body["TAXYN"], "Y");
        assert_eq!(body["X_UNDOCUMENTED"], "kept");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let r = rules(
            json!({"PRODUCTNAME": "a&b", "AMOUNT": "1,000", "TAXYN": "X", "RETURNURL": "/relative",
                             "BUYEREMAIL": "no-at", "BUYERPHONE": "call me", "API_ID": "other"}),
        );
        for expected in [
            ("ORDERNO", "required"),
            ("BUYERNAME", "required"),
            ("PRODUCTNAME", "forbidden_character"),
            ("AMOUNT", "digits_only"),
            ("TAXYN", "one_of"),
            ("RETURNURL", "url"),
            ("BUYEREMAIL", "email"),
            ("BUYERPHONE", "phone"),
            ("API_ID", "mismatch"),
        ] {
            assert!(
                r.contains(&(expected.0.to_string(), expected.1)),
                "{expected:?} missing in {r:?}"
            );
        }
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        let mut v = good();
        v["PRODUCTNAME"] = json!("가".repeat(40));
        assert!(prepare("sandbox_x", &v).is_ok());
        v["PRODUCTNAME"] = json!("가".repeat(41));
        assert_eq!(rules(v), vec![("PRODUCTNAME".to_string(), "max_length")]);
    }

    #[test]
    fn amount_must_be_positive_whole_won() {
        for bad in [json!("0"), json!(0), json!(-5), json!(10.5), json!("12345678901")] {
            let mut v = good();
            v["AMOUNT"] = bad.clone();
            assert!(prepare("sandbox_x", &v).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn wrong_types_are_named() {
        let mut v = good();
        v["BUYERNAME"] = json!({"a": 1});
        assert_eq!(rules(v), vec![("BUYERNAME".to_string(), "type")]);
        assert_eq!(prepare("x", &json!([1])).unwrap_err().kind(), "invalid_argument");
    }

    #[test]
    fn window_answers() {
        let answer = |status: u16, body: &str| Answer {
            status,
            content_type: None,
            body: body.as_bytes().to_vec(),
        };
        assert!(window_of(answer(200, "<html><form method=post>window</form></html>")).is_ok());
        for (body, kind) in [
            ("<html>Service temporarily unavailable</html>", "http"),
            ("{\"RESULTCODE\":", "decode"),
            ("{\"RTN_CD\":\"0000\"}", "decode"),
        ] {
            let e = window_of(answer(200, body)).unwrap_err();
            assert_eq!(e.kind(), kind, "{body}");
            assert_eq!(e.to_json()["outcome"], "unknown", "{body}");
        }
        let e = window_of(answer(200, r#"{"RTN_CD":"E102","RTN_MSG":"중복된 주문번호"}"#)).unwrap_err();
        assert!(matches!(e, Error::Api { ref code, .. } if code == "E102"));
        assert_eq!(window_of(answer(200, "  ")).unwrap_err().kind(), "http");
        assert_eq!(
            window_of(answer(502, "<html>bad gateway</html>")).unwrap_err().kind(),
            "http"
        );
    }
}
