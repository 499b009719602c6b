//! Request bodies in and JSON answers out, shared by every endpoint: the three error conventions,
//! body parsing, field access.

use serde_json::{json, Map, Value};

use crate::choices::{self as c, ErrorCode};
use crate::http::{Request, Response, JSON};

/// The three result-field conventions of CookiePay answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorFields {
    /// `RTN_CD`/`RTN_MSG` (token, ready).
    Rtn,
    /// `RESULTCODE`/`RESULTMSG` (most endpoints).
    Result,
    /// `cancel_code`/`cancel_msg` plus the other cancel fields empty (`/api/cancel`).
    Cancel,
}

/// An error answer in the given convention; `field` is prefixed to the message.
pub fn error_reply(fields: ErrorFields, status: u16, e: ErrorCode, field: Option<&str>) -> Response {
    // Messages that already name their field (E014 TAXYN, E016 RETURNURL) are not prefixed again.
    let msg = match field {
        Some(f) if !e.msg.starts_with(f) => format!("{f} {}", e.msg),
        _ => e.msg.to_string(),
    };
    let v = match fields {
        ErrorFields::Rtn => json!({ "RTN_CD": e.code, "RTN_MSG": msg }),
        ErrorFields::Result => json!({ "RESULTCODE": e.code, "RESULTMSG": msg }),
        ErrorFields::Cancel => json!({
            "cancel_tid": "", "cancel_code": e.code, "cancel_msg": msg, "cancel_date": "", "cancel_amt": ""
        }),
    };
    Response::json(status, &v)
}

/// A business error (HTTP 200) in the given convention.
pub fn business_error(fields: ErrorFields, e: ErrorCode) -> Response {
    error_reply(fields, c::STATUS_BUSINESS_ERROR, e, None)
}

/// A business error (HTTP 200) in `RESULTCODE`/`RESULTMSG`.
pub fn result_error(e: ErrorCode) -> Response {
    business_error(ErrorFields::Result, e)
}

/// What a handler answers. `Err` is an early answer (an error reply), so `?` can give it back from
/// any check; [`either`] turns both into the response sent.
pub type Reply = Result<Response, Response>;

/// The response of a [`Reply`], early or not.
pub fn either(r: Reply) -> Response {
    r.unwrap_or_else(|early| early)
}

/// A control-API error: `{"error": "..."}`.
pub fn control_error(status: u16, msg: &str) -> Response {
    Response::json(status, &json!({ "error": msg }))
}

pub fn media_type(req: &Request) -> Option<String> {
    req.header("content-type")
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
}

pub fn is_json_type(t: &str) -> bool {
    t == "application/json" || (t.starts_with("application/") && t.ends_with("+json"))
}

/// A JSON object body; a missing Content-Type is tolerated, another type is not.
pub fn json_body(req: &Request, fields: ErrorFields) -> Result<Map<String, Value>, Response> {
    if let Some(t) = media_type(req) {
        if !is_json_type(&t) {
            return Err(error_reply(fields, c::STATUS_BAD_INPUT, c::E_CONTENT_TYPE, None));
        }
    }
    match serde_json::from_slice::<Value>(&req.body) {
        Ok(Value::Object(o)) => Ok(o),
        _ => Err(error_reply(fields, c::STATUS_BAD_INPUT, c::E_MALFORMED, None)),
    }
}

/// A required, non-empty string field.
pub fn str_field<'a>(obj: &'a Map<String, Value>, name: &str, fields: ErrorFields) -> Result<&'a str, Response> {
    match obj.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        None | Some(Value::Null) | Some(Value::String(_)) => {
            Err(error_reply(fields, c::STATUS_BAD_INPUT, c::E_REQUIRED, Some(name)))
        }
        Some(_) => Err(error_reply(fields, c::STATUS_BAD_INPUT, c::E_FIELD_TYPE, Some(name))),
    }
}

/// Every field of a JSON object as text: strings as they are, numbers as their decimal text,
/// nulls dropped. Arrays, objects and booleans among `checked` names are `E018`; others ignored.
pub fn text_fields(
    obj: Map<String, Value>,
    checked: &[&str],
    fields: ErrorFields,
) -> Result<std::collections::HashMap<String, String>, Response> {
    let mut out = std::collections::HashMap::new();
    for (k, v) in obj {
        match v {
            Value::String(s) => {
                out.insert(k, s);
            }
            Value::Number(n) => {
                out.insert(k, n.to_string());
            }
            Value::Null => {}
            _ if checked.contains(&k.as_str()) => {
                return Err(error_reply(fields, c::STATUS_BAD_INPUT, c::E_FIELD_TYPE, Some(&k)))
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The request's field (JSON or form) for stats attribution only; never fails.
pub fn body_field(req: &Request, name: &str) -> Option<String> {
    if req.body.is_empty() {
        return None;
    }
    if req.body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        let v: Value = serde_json::from_slice(&req.body).ok()?;
        return v.get(name)?.as_str().map(str::to_string);
    }
    form_urlencoded::parse(&req.body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// An empty body or a JSON object (control API).
pub fn optional_json(body: &[u8]) -> Result<Value, ()> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(json!({}));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        _ => Err(()),
    }
}

/// Constant-time comparison of secrets.
pub fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Valid JSON of about `n` bytes: the real answer (when it is a JSON object) padded by one field.
pub fn pad_json(resp: &Response, n: usize) -> Vec<u8> {
    let is_obj = resp.content_type == JSON && resp.body.last() == Some(&b'}');
    let base: &[u8] = if is_obj { &resp.body } else { b"{}" };
    let mut out = Vec::with_capacity(n.max(base.len()) + 32);
    out.extend_from_slice(&base[..base.len() - 1]);
    if base.len() > 2 {
        out.push(b',');
    }
    out.extend_from_slice(b"\"_sandbox_padding\":\"");
    let pad = n.saturating_sub(out.len() + 2);
    out.resize(out.len() + pad, b'x');
    out.extend_from_slice(b"\"}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::HTML;

    #[test]
    fn padding_is_exact_and_valid() {
        let r = Response::new(200, JSON, r#"{"RESULTCODE":"0000"}"#);
        let b = pad_json(&r, 1000);
        assert_eq!(b.len(), 1000);
        let v: Value = serde_json::from_slice(&b).expect("valid json");
        assert_eq!(v["RESULTCODE"], "0000");
        let h = Response::new(200, HTML, "<html></html>");
        let b = pad_json(&h, 100);
        assert_eq!(b.len(), 100);
        assert!(serde_json::from_slice::<Value>(&b).is_ok());
    }

    #[test]
    fn cancel_errors_have_every_cancel_field() {
        let r = error_reply(ErrorFields::Cancel, 200, c::E_CANCEL_DONE, None);
        let v: Value = serde_json::from_slice(&r.body).expect("json");
        assert_eq!(v["cancel_code"], c::E_CANCEL_DONE.code);
        assert!(v["cancel_msg"].as_str().expect("msg").contains("이미 취소"));
        assert_eq!(v["cancel_amt"], "");
    }
}
