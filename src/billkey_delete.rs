//! `POST /Subscribe/billingkeycancel` (ApiKey + TOKEN): dispose of a billing key (빌링키 폐기). The
//! answer's shape is not published: a `RESULTCODE` other than `0000` is an `api` error, an ENC_DATA is
//! decrypted, and every field is returned as received.
//!
//! Changes state at CookiePay, so it is sent once, like a money call, with a TOKEN fetched for it: a
//! repeat after a lost answer would be told "already disposed" (the sandbox's E064) for the very key
//! the first attempt disposed of, and the caller would read a success as a failure. A lost answer is
//! `outcome: unknown`. Because nothing is repeated, an "already disposed" answer never follows an
//! attempt of the same call: it means the key was disposed of before this call — by an earlier call
//! whose answer was lost, or by someone else — so it stays an `api` error (with a hint), never this
//! call's success.

use serde_json::{json, Value};

use crate::context::{Context, TokenUse, WithKey};
use crate::decrypt;
use crate::error::{Error, Result, Settle};
use crate::recurring_charge::BILLKEY_MAX_CHARS;
use crate::request::identifier;
use crate::response::{api_error, code_of, SUCCESS};
use crate::transport::CallKind;

pub const PATH: &str = "/Subscribe/billingkeycancel";

/// CookiePay's answer for a key disposed of before is not published; its message is expected to say
/// so in Korean ("이미 폐기", as the sandbox's E064 does), as the refund's "이미 취소" does.
const ALREADY_DISPOSED: &str = "이미 폐기";
const ALREADY_DISPOSED_HINT: &str =
    "the billing key was already disposed of before this call (by an earlier call whose \
     answer was lost, or by someone else): it can no longer charge, but this call did not dispose of it";

/// `cookiepay_billkey_delete`: `{"BILLKEY"}` → the answer's fields.
pub fn call(ctx: &Context, request: &Value) -> Result<Value> {
    let billkey = identifier(request, &["BILLKEY"], BILLKEY_MAX_CHARS)?;
    let body = json!({"API_ID": ctx.api_id(), "BILLKEY": billkey});
    dispose(ctx, &body).map_err(|e| e.settled_by(Settle::BillkeyDelete))
}

fn dispose(ctx: &Context, body: &Value) -> Result<Value> {
    let answer = ctx.post_with_token(
        PATH,
        body,
        WithKey::Yes,
        TokenUse::Fresh,
        CallKind::SendOnce,
        |answer| {
            match answer.get("RESULTCODE") {
                // Nothing says what success looks like here: an answer without a code is handed over.
                None => Ok(answer),
                Some(_) if code_of(&answer, "RESULTCODE") == SUCCESS => Ok(answer),
                Some(_) => Err(refusal(&answer)),
            }
        },
    )?;
    if answer.get("RESULTCODE").is_none() {
        return Ok(answer);
    }
    decrypt::open(ctx, answer, true)
}

fn refusal(answer: &Value) -> Error {
    let mut err = api_error(answer, "RESULTCODE", "RESULTMSG", None);
    if let Error::Api { message, hint, .. } = &mut err {
        if message.contains(ALREADY_DISPOSED) {
            *hint = Some(ALREADY_DISPOSED_HINT);
        }
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn already_disposed_stays_an_error_with_a_hint() {
        let e = refusal(&json!({"RESULTCODE": "E064", "RESULTMSG": "이미 폐기된 빌링키입니다."})).to_json();
        assert_eq!(e["kind"], "api");
        assert_eq!(e["code"], "E064");
        assert_eq!(e["hint"], ALREADY_DISPOSED_HINT);
        let other = refusal(&json!({"RESULTCODE": "E063", "RESULTMSG": "존재하지 않는 빌링키입니다."})).to_json();
        assert_eq!(other.get("hint"), None);
    }
}
