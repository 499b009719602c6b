//! `POST /Subscribe/recurrence_schedule_cancel` (ApiKey + TOKEN): end a recurring schedule.
//!
//! Changes state at CookiePay, so it is sent once with a TOKEN fetched for it, and a lost answer is
//! `outcome: unknown` (it may well have cancelled the schedule). Cancelling twice is harmless —
//! CookiePay answers `E103` with the original cancellation time — which is why the advice for an
//! unknown outcome is to send it again; but the library never does so itself. An `E103` answer is the
//! flagged result `already_cancelled: true` with `cancelled_at`: it never follows an attempt of the
//! same call (nothing is repeated), so it says the schedule ended before this call, and when.

use serde_json::{json, Map, Value};

use crate::context::{Context, TokenUse, WithKey};
use crate::decrypt;
use crate::error::{Result, Settle};
use crate::recurring_charge::RESERVE_ID_MAX_CHARS;
use crate::request::identifier;
use crate::response::{api_error, code_of, normalize, text_of, SUCCESS};
use crate::transport::CallKind;

pub const PATH: &str = "/Subscribe/recurrence_schedule_cancel";

/// The vendor's "already cancelled" code; its message starts with the cancellation time.
pub const ALREADY_CANCELLED: &str = "E103";

/// `cookiepay_schedule_cancel`: `{"RESERVE_ID"}` → the answer plus `already_cancelled` and
/// `cancelled_at` (from an E103 message, else null).
pub fn call(ctx: &Context, request: &Value) -> Result<Value> {
    let reserve_id = identifier(request, &["RESERVE_ID"], RESERVE_ID_MAX_CHARS)?;
    let body = json!({"API_ID": ctx.api_id(), "RESERVE_ID": reserve_id});
    cancel(ctx, &body).map_err(|e| e.settled_by(Settle::ScheduleCancel))
}

fn cancel(ctx: &Context, body: &Value) -> Result<Value> {
    let answer = ctx.post_with_token(
        PATH,
        body,
        WithKey::Yes,
        TokenUse::Fresh,
        CallKind::SendOnce,
        |answer| match code_of(&answer, "RESULTCODE").as_str() {
            SUCCESS | ALREADY_CANCELLED => Ok(answer),
            _ => Err(api_error(&answer, "RESULTCODE", "RESULTMSG", None)),
        },
    )?;
    if code_of(&answer, "RESULTCODE") == ALREADY_CANCELLED {
        return Ok(already_cancelled(answer));
    }
    // The schedule was cancelled (the outer code says so): an unreadable payload leaves it unknown.
    let fields = decrypt::open(ctx, answer, true)?;
    let mut fields = into_map(fields);
    fields.insert("already_cancelled".into(), json!(false));
    fields.insert("cancelled_at".into(), Value::Null);
    Ok(Value::Object(fields))
}

fn already_cancelled(answer: Value) -> Value {
    let cancelled_at = leading_timestamp(&text_of(&answer, "RESULTMSG"));
    let mut fields = into_map(answer);
    fields.insert("already_cancelled".into(), json!(true));
    fields.insert("cancelled_at".into(), json!(cancelled_at));
    Value::Object(fields)
}

fn into_map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => normalize(map),
        other => Map::from_iter([("answer".to_string(), other)]),
    }
}

/// `YYYY-MM-DD HH:MM:SS` at the start of `message` (the vendor plugin stores its first 19
/// characters as the cancellation time), if it is one.
fn leading_timestamp(message: &str) -> Option<String> {
    let head: String = message.trim_start().chars().take(19).collect();
    let shape = head.len() == 19
        && head.char_indices().all(|(i, c)| match i {
            4 | 7 => c == '-',
            10 => c == ' ',
            13 | 16 => c == ':',
            _ => c.is_ascii_digit(),
        });
    shape.then_some(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e103_gives_the_time_it_was_cancelled() {
        let v = already_cancelled(
            json!({"RESULTCODE": "E103", "RESULTMSG": "2026-11-27 13:00:00 이미 해지된 정기결제입니다."}),
        );
        assert_eq!(v["already_cancelled"], true);
        assert_eq!(v["cancelled_at"], "2026-11-27 13:00:00");
        let v = already_cancelled(json!({"RESULTCODE": "E103", "RESULTMSG": "이미 해지"}));
        assert_eq!(v["cancelled_at"], Value::Null);
        assert_eq!(leading_timestamp("2026-1-27 13:00:00 x"), None);
    }
}
