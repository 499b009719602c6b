//! `POST /pay/ready`: open the authenticated payment window (billing key + first payment).
//! Every field is checked against the manual's table before anything is sent, because a rejected
//! order number is burnt and a tampered amount must never reach the window. The answer is an HTML
//! page for the buyer's browser, or a JSON error.

use serde_json::{json, Map, Value};

use crate::client::Client;
use crate::error::{Error, FieldError, Result};
use crate::response::{api_error, code_of, SUCCESS};
use crate::transport::{Answer, CallKind, JSON_CONTENT_TYPE};

pub const PATH: &str = "/pay/ready";

/// `(field, max characters, required)` from the manual's request table. Lengths are counted in
/// characters: the API is UTF-8 JSON and the vendor's own plugin truncates with mb_substr.
const FIELDS: [(&str, usize, bool); 17] = [
    ("API_ID", 20, true),
    ("ORDERNO", 50, true),
    ("PRODUCTNAME", 40, true),
    ("AMOUNT", 10, true),
    ("BUYERNAME", 20, true),
    ("TAXYN", 1, false),
    ("RETURNURL", 100, true),
    ("BUYEREMAIL", 50, false),
    ("PRODUCTCODE", 10, false),
    ("BUYERID", 20, false),
    ("BUYERADDRESS", 100, false),
    ("BUYERPHONE", 20, false),
    ("ETC1", 100, false),
    ("ETC2", 100, false),
    ("ETC3", 100, false),
    ("ETC4", 100, false),
    ("ETC5", 100, false),
];

fn problem(field: &str, rule: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        rule,
        message: message.into(),
    }
}

/// Check every rule and build the body to send: all problems are reported at once.
/// Messages name the rule, never the value (values may be personal data).
pub fn prepare(api_id: &str, request: &Value) -> Result<Map<String, Value>> {
    let input = request
        .as_object()
        .ok_or_else(|| Error::invalid("the ready request must be a JSON object"))?;
    let mut body = input.clone();
    let mut problems = Vec::new();

    // AMOUNT may come as a JSON number (the manual's C# and JSP samples) or a string; always sent as a string.
    if let Some(Value::Number(n)) = input.get("AMOUNT") {
        match n.as_u64() {
            Some(v) => {
                body.insert("AMOUNT".into(), Value::String(v.to_string()));
            }
            None => problems.push(problem("AMOUNT", "digits_only", "AMOUNT must be a whole number of won")),
        }
    }
    match input.get("API_ID") {
        None | Some(Value::Null) => {
            body.insert("API_ID".into(), json!(api_id));
        }
        Some(Value::String(s)) if s == api_id => {}
        Some(Value::String(_)) => problems.push(problem(
            "API_ID",
            "mismatch",
            "API_ID differs from the client's api_id (leave it out: the client fills it in)",
        )),
        Some(_) => {}
    }
    if matches!(input.get("TAXYN"), None | Some(Value::Null)) {
        body.insert("TAXYN".into(), json!("Y"));
    }

    for (field, max, required) in FIELDS {
        let value = match body.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.as_str()),
            Some(_) => {
                problems.push(problem(field, "type", format!("{field} must be a string")));
                continue;
            }
        };
        let value = match value {
            Some(v) if !v.is_empty() => v,
            _ => {
                if required {
                    problems.push(problem(field, "required", format!("{field} is required")));
                }
                continue;
            }
        };
        let chars = value.chars().count();
        if chars > max {
            problems.push(problem(
                field,
                "max_length",
                format!("{field} must be at most {max} characters (got {chars})"),
            ));
        }
        if value.chars().any(|c| c.is_control()) {
            problems.push(problem(field, "control_character", format!("{field} must not contain control characters")));
        }
        if let Some(rule_problem) = field_rule(field, value) {
            problems.push(rule_problem);
        }
    }
    // PAYMETHOD has no documented length; it must at least be text.
    if let Some(v) = body.get("PAYMETHOD") {
        if !v.is_string() && !v.is_null() {
            problems.push(problem("PAYMETHOD", "type", "PAYMETHOD must be a string"));
        }
    }

    if problems.is_empty() {
        Ok(body)
    } else {
        Err(Error::Validation(problems))
    }
}

/// The per-field rules beyond length and presence.
fn field_rule(field: &str, value: &str) -> Option<FieldError> {
    match field {
        "PRODUCTNAME" if value.contains('&') => Some(problem(
            field,
            "forbidden_character",
            "PRODUCTNAME must not contain '&' (CookiePay rejects it)",
        )),
        "AMOUNT" if !value.bytes().all(|b| b.is_ascii_digit()) => Some(problem(
            field,
            "digits_only",
            "AMOUNT must contain digits only (no commas, signs or decimals)",
        )),
        "AMOUNT" if value.bytes().all(|b| b == b'0') => {
            Some(problem(field, "positive", "AMOUNT must be greater than 0"))
        }
        "TAXYN" if value != "Y" && value != "N" => {
            Some(problem(field, "one_of", "TAXYN must be Y (과세) or N (비과세)"))
        }
        "RETURNURL" if !is_absolute_http_url(value) => Some(problem(
            field,
            "url",
            "RETURNURL must be an absolute http:// or https:// URL",
        )),
        "BUYEREMAIL" if !is_plausible_email(value) => {
            Some(problem(field, "email", "BUYEREMAIL is not a valid e-mail address"))
        }
        "BUYERPHONE" if !is_plausible_phone(value) => Some(problem(
            field,
            "phone",
            "BUYERPHONE must be a phone number: digits, optionally with '-', ' ' or a leading '+'",
        )),
        _ => None,
    }
}

fn is_absolute_http_url(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let rest = match lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    {
        Some(rest) => rest,
        None => return false,
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or("");
    !host.is_empty() && !host.starts_with(':') && !value.chars().any(char::is_whitespace)
}

fn is_plausible_email(value: &str) -> bool {
    let mut parts = value.split('@');
    let (local, domain) = match (parts.next(), parts.next(), parts.next()) {
        (Some(l), Some(d), None) => (l, d),
        _ => return false,
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn is_plausible_phone(value: &str) -> bool {
    let digits = value.bytes().filter(u8::is_ascii_digit).count();
    let body = value.strip_prefix('+').unwrap_or(value);
    (8..=15).contains(&digits) && body.bytes().all(|b| b.is_ascii_digit() || b == b'-' || b == b' ')
}

/// `cookiepay_ready`: validate, send once, and return `{"html": …}` for the buyer's browser.
pub fn call(client: &Client, request: &Value) -> Result<Value> {
    let body = prepare(client.api_id(), request)?;
    let bytes = serde_json::to_vec(&body).map_err(|e| Error::Internal(e.to_string()))?;
    let answer = client.transport().post(
        PATH,
        &[("ApiKey", client.api_key())],
        JSON_CONTENT_TYPE,
        bytes,
        CallKind::SendOnce,
    )?;
    let html = window_of(answer)?;
    Ok(json!({"html": html, "ORDERNO": body.get("ORDERNO"), "AMOUNT": body.get("AMOUNT")}))
}

/// The window's HTML out of CookiePay's answer: success is HTML, errors are JSON `{RTN_CD, RTN_MSG}`.
pub fn window_of(answer: Answer) -> Result<String> {
    if !(200..300).contains(&answer.status) {
        return Err(answer.unexpected());
    }
    if let Ok(json @ Value::Object(_)) = serde_json::from_slice::<Value>(&answer.body) {
        let (code_field, msg_field) = if json.get("RTN_CD").is_some() {
            ("RTN_CD", "RTN_MSG")
        } else {
            ("RESULTCODE", "RESULTMSG")
        };
        if code_of(&json, code_field) != SUCCESS {
            return Err(api_error(&json, code_field, msg_field, None));
        }
    }
    let html = String::from_utf8(answer.body).map_err(|e| Error::Decode {
        message: "the payment window is not UTF-8 text".into(),
        excerpt: crate::error::excerpt(e.as_bytes()),
    })?;
    if html.trim().is_empty() {
        return Err(Error::Decode {
            message: "CookiePay answered with an empty payment window".into(),
            excerpt: String::new(),
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
        let r = rules(json!({"PRODUCTNAME": "a&b", "AMOUNT": "1,000", "TAXYN": "X", "RETURNURL": "/relative",
                             "BUYEREMAIL": "no-at", "BUYERPHONE": "call me", "API_ID": "other"}));
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
            assert!(r.contains(&(expected.0.to_string(), expected.1)), "{expected:?} missing in {r:?}");
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
        let answer = |status: u16, body: &str| Answer { status, content_type: None, body: body.as_bytes().to_vec() };
        assert!(window_of(answer(200, "<html>window</html>")).is_ok());
        let e = window_of(answer(200, r#"{"RTN_CD":"E102","RTN_MSG":"중복된 주문번호"}"#)).unwrap_err();
        assert!(matches!(e, Error::Api { ref code, .. } if code == "E102"));
        assert_eq!(window_of(answer(200, "  ")).unwrap_err().kind(), "decode");
        assert_eq!(window_of(answer(502, "<html>bad gateway</html>")).unwrap_err().kind(), "http");
    }

    #[test]
    fn url_checks() {
        assert!(is_absolute_http_url("http://127.0.0.1:8080/r?x=1"));
        assert!(!is_absolute_http_url("javascript:alert(1)"));
        assert!(!is_absolute_http_url("https:///nohost"));
        assert!(!is_absolute_http_url("ftp://x.y"));
    }
}
