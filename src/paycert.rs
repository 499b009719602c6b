//! `POST /api/paycert`: look a payment up by TID with a TOKEN — the manual's 결제정보 검증, because
//! what the browser brought back can be forged.

use serde_json::Value;

use crate::context::{Context, TokenUse, WithKey};
use crate::error::{Error, Result};
use crate::request;
use crate::response::{api_error, code_of, normalize, SUCCESS};
use crate::transport::CallKind;

pub const PATH: &str = "/api/paycert";
const TID_MAX_CHARS: usize = 50;

/// The TID of a request: `tid` (the manual's name) or `TID`.
pub fn tid_of(request: &Value) -> Result<String> {
    request::identifier(request, &["tid", "TID"], TID_MAX_CHARS)
}

/// The payment with this TID (a read: the TOKEN policy of `Context::with_token` applies).
pub fn fetch(ctx: &Context, tid: &str) -> Result<Value> {
    let body = serde_json::json!({ "tid": tid });
    ctx.post_with_token(
        PATH,
        &body,
        WithKey::No,
        TokenUse::Cached,
        CallKind::Idempotent,
        payment_of,
    )
}

/// The payment in a paycert answer, or the `api` error it reports.
pub fn payment_of(answer: Value) -> Result<Value> {
    if code_of(&answer, "RESULTCODE") != SUCCESS {
        return Err(api_error(&answer, "RESULTCODE", "RESULTMSG", None));
    }
    match answer {
        Value::Object(fields) => Ok(Value::Object(normalize(fields))),
        _ => Err(Error::Decode {
            outcome: None,
            message: "the paycert answer is not an object".into(),
            excerpt: String::new(),
        }),
    }
}

/// `cookiepay_paycert`: `{"tid": …}` → the payment as CookiePay has it.
pub fn call(ctx: &Context, request: &Value) -> Result<Value> {
    let tid = tid_of(request)?;
    fetch(ctx, &tid)
}
