//! Schedules and keys after billkeygen: `recurrence_request_payment` (charge now),
//! `recurrence_schedule_cancel` (해지) and `billingkeycancel` (빌링키 폐기).

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{json, Value};

use crate::choices::{self as c, ErrorCode};
use crate::clock::dashed_time;
use crate::gateway::ledger::Schedule;
use crate::gateway::schedule::{charge_cycle, following_date};
use crate::gateway::shared::{Auth, Gateway, MerchantInfo};
use crate::http::{Request, Response};
use crate::util::lock;
use crate::wire::{either, result_error, str_field, ErrorFields, Reply};

/// ApiKey + TOKEN of one merchant, a JSON body whose API_ID is that merchant's, and the named
/// required string fields.
fn read_call(
    gw: &Gateway,
    req: &Request,
    names: &[&str],
) -> Result<(Arc<MerchantInfo>, HashMap<String, String>), Response> {
    let fields = ErrorFields::Result;
    let (m, obj) = gw.authorized(req, Auth::KeyAndToken, fields, Some("API_ID"))?;
    let mut out = HashMap::new();
    for &n in names {
        out.insert(n.to_string(), str_field(&obj, n, fields)?.to_string());
    }
    Ok((m, out))
}

/// `E103` with the cancellation time in front of the message.
fn already_cancelled(at: &str) -> Response {
    let e = c::E_SCHEDULE_CANCELLED;
    Response::json(
        200,
        &json!({ "RESULTCODE": e.code, "RESULTMSG": format!("{at} {}", e.msg) }),
    )
}

/// `{"RESULTCODE":"0000","RESULTMSG":"성공","ENC_DATA":…}`.
fn sealed(m: &MerchantInfo, inner: &Value) -> Response {
    Response::json(
        200,
        &json!({ "RESULTCODE": c::OK_CODE, "RESULTMSG": c::OK_MSG, "ENC_DATA": m.seal(inner) }),
    )
}

fn own_schedule<'a>(
    schedules: &'a mut HashMap<String, Schedule>,
    id: &str,
    api_id: &str,
) -> Result<&'a mut Schedule, ErrorCode> {
    match schedules.get_mut(id) {
        Some(s) if s.api_id == api_id => Ok(s),
        _ => Err(c::E_RESERVE_UNKNOWN),
    }
}

/// Charges the oldest unpaid (declined) cycle again; with none, charges the next cycle ahead of
/// its date and moves NEXT_PAY_DATE one period on.
pub fn request_payment(gw: &Gateway, req: &Request) -> Response {
    either(charge_now(gw, req))
}

fn charge_now(gw: &Gateway, req: &Request) -> Reply {
    let (m, body) = read_call(gw, req, &["RESERVE_ID", "BILLKEY"])?;
    let now = gw.clock.now();
    let mut ledger = lock(&gw.ledger);
    let s = own_schedule(&mut ledger.schedules, &body["RESERVE_ID"], &m.api_id).map_err(result_error)?;
    if s.billkey != body["BILLKEY"] {
        return Err(result_error(c::E_BILLKEY_MISMATCH));
    }
    if let Some(at) = &s.cancelled_at {
        return Err(already_cancelled(at));
    }
    let (cycle, tries, retry) = if let Some(&(cycle, tries)) = s.unpaid.first() {
        (cycle, tries + 1, true)
    } else if let Some(date) = s.next_pay_date {
        let cycle = s.cycle + 1;
        s.cycle = cycle;
        s.next_pay_date = following_date(s.cadence, date, cycle, s.last_cnt);
        (cycle, 1, false)
    } else {
        return Err(result_error(c::E_NOTHING_TO_CHARGE));
    };
    let next = s.next_pay_date;
    let reserve_id = s.reserve_id.clone();
    let Some(r) = charge_cycle(&mut ledger, &reserve_id, cycle, tries, next, now) else {
        return Err(result_error(c::E_RESERVE_UNKNOWN));
    };
    if let Some(s) = ledger.schedules.get_mut(&reserve_id) {
        let approved = r.code == c::OK_CODE;
        match (retry, approved) {
            (true, true) => s.unpaid.retain(|(n, _)| *n != cycle),
            (true, false) => {
                if let Some(entry) = s.unpaid.iter_mut().find(|(n, _)| *n == cycle) {
                    entry.1 = tries;
                }
            }
            (false, false) => s.unpaid.push((cycle, 1)),
            (false, true) => {}
        }
    }
    drop(ledger);
    gw.notifier.send("recurring", r.noti);
    Ok(sealed(&m, &r.result))
}

pub fn schedule_cancel(gw: &Gateway, req: &Request) -> Response {
    either(cancel_schedule(gw, req))
}

fn cancel_schedule(gw: &Gateway, req: &Request) -> Reply {
    let (m, body) = read_call(gw, req, &["RESERVE_ID"])?;
    let now = dashed_time(&gw.clock.now());
    let mut ledger = lock(&gw.ledger);
    let s = own_schedule(&mut ledger.schedules, &body["RESERVE_ID"], &m.api_id).map_err(result_error)?;
    if let Some(at) = &s.cancelled_at {
        return Err(already_cancelled(at));
    }
    s.cancelled_at = Some(now.clone());
    let inner = json!({
        "RESULTCODE": c::OK_CODE,
        "RESULTMSG": c::OK_MSG,
        "API_ID": m.api_id,
        "RESERVE_ID": s.reserve_id,
        "RESERVE_ORDERNO": s.order.orderno,
        "BILLKEY": s.billkey,
        "PAY_CNT": s.cycle.to_string(),
        "LAST_PAY_CNT": s.last_cnt.to_string(),
        "CANCEL_DATE": now,
    });
    drop(ledger);
    Ok(sealed(&m, &inner))
}

pub fn billkey_delete(gw: &Gateway, req: &Request) -> Response {
    either(delete_billkey(gw, req))
}

fn delete_billkey(gw: &Gateway, req: &Request) -> Reply {
    let (m, body) = read_call(gw, req, &["BILLKEY"])?;
    let now = dashed_time(&gw.clock.now());
    let mut ledger = lock(&gw.ledger);
    let key = match ledger.billing_keys.get_mut(&body["BILLKEY"]) {
        Some(k) if k.api_id == m.api_id => k,
        _ => return Err(result_error(c::E_BILLKEY_UNKNOWN)),
    };
    if key.deleted_at.is_some() {
        return Err(result_error(c::E_BILLKEY_DELETED));
    }
    key.deleted_at = Some(now);
    Ok(Response::json(
        200,
        &json!({ "RESULTCODE": c::OK_CODE, "RESULTMSG": c::OK_MSG, "BILLKEY": key.key }),
    ))
}
