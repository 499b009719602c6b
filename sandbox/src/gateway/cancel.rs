//! `POST /api/cancel`: full and partial (cumulative) cancels of a payment by TID.

use serde_json::{json, Value};

use crate::choices::{self as c, ErrorCode};
use crate::gateway::ledger::Payment;
use crate::gateway::messages;
use crate::gateway::shared::{Auth, Gateway};
use crate::http::{Request, Response};
use crate::util::lock;
use crate::wire::{business_error, either, error_reply, str_field, ErrorFields, Reply};

/// Records a cancel of `amount` (`None` = the remainder) on `p` at `stamp` (YYYYMMDDHHMMSS).
/// Returns the amount cancelled. Fully cancelled payments get CANCELDATE/CANCELMSG.
pub fn apply_cancel(p: &mut Payment, amount: Option<u64>, reason: &str, stamp: &str) -> Result<u64, ErrorCode> {
    let remaining = p.remaining_won();
    if remaining == 0 {
        return Err(c::E_CANCEL_DONE);
    }
    let amount = amount.unwrap_or(remaining);
    if amount > remaining {
        return Err(c::E_CANCEL_OVER);
    }
    p.cancelled_won += amount;
    p.cancels.push((stamp.to_string(), amount, reason.to_string()));
    if p.remaining_won() == 0 {
        p.cancel_date = stamp.to_string();
        p.cancel_msg = reason.to_string();
    }
    Ok(amount)
}

/// `amount` as digits (string or JSON number) > 0; absent, null or "" = the remainder.
fn read_amount(v: Option<&Value>) -> Result<Option<u64>, ErrorCode> {
    let text = match v {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) if s.is_empty() => return Ok(None),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => return Err(c::E_CANCEL_AMOUNT),
    };
    match text.parse::<u64>() {
        Ok(n) if n > 0 && text.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(n)),
        _ => Err(c::E_CANCEL_AMOUNT),
    }
}

pub fn cancel(gw: &Gateway, req: &Request) -> Response {
    either(answer(gw, req))
}

fn answer(gw: &Gateway, req: &Request) -> Reply {
    let fields = ErrorFields::Cancel;
    let fail = |e: ErrorCode| business_error(fields, e);
    let (m, obj) = gw.authorized(req, Auth::KeyAndToken, fields, None)?;
    let tid = str_field(&obj, "tid", fields)?.to_string();
    let reason = match obj.get("reason") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        None | Some(Value::Null) | Some(Value::String(_)) => c::DEFAULT_CANCEL_REASON.to_string(),
        Some(_) => {
            return Err(error_reply(
                fields,
                c::STATUS_BAD_INPUT,
                c::E_FIELD_TYPE,
                Some("reason"),
            ))
        }
    };
    let amount =
        read_amount(obj.get("amount")).map_err(|e| error_reply(fields, c::STATUS_BUSINESS_ERROR, e, Some("amount")))?;
    let stamp = gw.clock.now().compact();
    let mut ledger = lock(&gw.ledger);
    let p = match ledger.payments.get_mut(&tid) {
        Some(p) if p.api_id == m.api_id => p,
        _ => return Err(fail(c::E_TID_NOT_FOUND)),
    };
    if p.remaining_won() > 0 && p.settled {
        return Err(fail(c::E_CANCEL_SETTLED));
    }
    let done = apply_cancel(p, amount, &reason, &stamp).map_err(fail)?;
    let noti = messages::cancel_noti(p, &stamp, &reason, done);
    drop(ledger);
    gw.notifier.send("cancel", noti);
    Ok(Response::json(
        200,
        &json!({
            "cancel_tid": tid,
            "cancel_code": c::OK_CODE,
            "cancel_msg": c::OK_MSG,
            "cancel_date": stamp,
            "cancel_amt": done.to_string(),
        }),
    ))
}
