//! `POST /Subscribe/billingkeycancel` (ApiKey + TOKEN): dispose of a billing key (빌링키 폐기). The
//! answer's shape is not published: a `RESULTCODE` other than `0000` is an `api` error, an ENC_DATA is
//! decrypted, and every field is returned as received. Repeatable, so retried like a read.

use serde_json::{json, Value};

use crate::context::{Context, TokenUse, WithKey};
use crate::decrypt;
use crate::error::Result;
use crate::recurring_charge::BILLKEY_MAX_CHARS;
use crate::request::identifier;
use crate::response::{api_error, code_of, SUCCESS};
use crate::transport::CallKind;

pub const PATH: &str = "/Subscribe/billingkeycancel";

/// `cookiepay_billkey_delete`: `{"BILLKEY"}` → the answer's fields.
pub fn call(ctx: &Context, request: &Value) -> Result<Value> {
    let billkey = identifier(request, &["BILLKEY"], BILLKEY_MAX_CHARS)?;
    let body = json!({"API_ID": ctx.api_id(), "BILLKEY": billkey});
    let answer = ctx.post_with_token(
        PATH,
        &body,
        WithKey::Yes,
        TokenUse::Cached,
        CallKind::Idempotent,
        |answer| {
            match answer.get("RESULTCODE") {
                // Nothing says what success looks like here: an answer without a code is handed over.
                None => Ok(answer),
                Some(_) if code_of(&answer, "RESULTCODE") == SUCCESS => Ok(answer),
                Some(_) => Err(api_error(&answer, "RESULTCODE", "RESULTMSG", None)),
            }
        },
    )?;
    if answer.get("RESULTCODE").is_none() {
        return Ok(answer);
    }
    decrypt::open(ctx, answer, false)
}
