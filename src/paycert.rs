//! `POST /api/paycert`: look a payment up by TID with a TOKEN — the manual's 결제정보 검증, because
//! what the browser brought back can be forged.

use serde_json::Value;

use crate::client::Client;
use crate::error::{Error, FieldError, Result};
use crate::response::{api_error, code_of, normalize, SUCCESS};
use crate::token;
use crate::transport::CallKind;

pub const PATH: &str = "/api/paycert";
const TID_MAX_CHARS: usize = 50;

/// The TID of a request: `tid` (the manual's name) or `TID`.
pub fn tid_of(request: &Value) -> Result<String> {
    let value = request.get("tid").or_else(|| request.get("TID"));
    match value {
        Some(Value::String(s)) if !s.trim().is_empty() => {
            let s = s.trim();
            if s.chars().count() > TID_MAX_CHARS || s.chars().any(char::is_control) {
                return Err(Error::Validation(vec![FieldError {
                    field: "tid".into(),
                    rule: "max_length",
                    message: format!("tid must be at most {TID_MAX_CHARS} printable characters"),
                }]));
            }
            Ok(s.to_owned())
        }
        Some(Value::String(_)) | None | Some(Value::Null) => Err(Error::Validation(vec![FieldError {
            field: "tid".into(),
            rule: "required",
            message: "tid is required".into(),
        }])),
        Some(_) => Err(Error::invalid("tid must be a string")),
    }
}

/// The payment with this TID. A failure with a cached TOKEN is retried once with a fresh one: the
/// server's code for "token rejected" is not published, and this call is read-only.
pub fn fetch(client: &Client, tid: &str) -> Result<Value> {
    let (mut token, mut fresh) = token::get(client, false)?;
    let body = serde_json::json!({ "tid": tid });
    loop {
        let answer = client.transport().post_json(
            PATH,
            &[("TOKEN", token.value.as_str())],
            &body,
            CallKind::ReadOnly,
        )?;
        match payment_of(answer) {
            Err(Error::Api { .. }) if !fresh => {
                token::discard(client, &token)?;
                (token, fresh) = token::get(client, true)?;
            }
            result => return result,
        }
    }
}

/// The payment in a paycert answer, or the `api` error it reports.
pub fn payment_of(answer: Value) -> Result<Value> {
    if code_of(&answer, "RESULTCODE") != SUCCESS {
        return Err(api_error(&answer, "RESULTCODE", "RESULTMSG", None));
    }
    match answer {
        Value::Object(fields) => Ok(Value::Object(normalize(fields))),
        _ => Err(Error::Decode {
            message: "the paycert answer is not an object".into(),
            excerpt: String::new(),
        }),
    }
}

/// `cookiepay_paycert`: `{"tid": …}` → the payment as CookiePay has it.
pub fn call(client: &Client, request: &Value) -> Result<Value> {
    let tid = tid_of(request)?;
    fetch(client, &tid)
}
