//! The `/_sandbox/` control API for tests: stats, faults, reset, token revocation, payments
//! (list, cancel, settle), the clock (and the scheduled charges it runs), subscriptions and notis.

use std::net::IpAddr;

use serde_json::{json, Value};

use crate::choices as c;
use crate::clock::{self, dashed_time};
use crate::faults::FaultBoard;
use crate::gateway::cancel::apply_cancel;
use crate::gateway::messages::{self, control_row};
use crate::gateway::schedule::run_due;
use crate::gateway::shared::Gateway;
use crate::http::{Request, Response};
use crate::replay::ReplayBoard;
use crate::stats::RequestStats;
use crate::util::lock;
use crate::wire::{control_error, media_type, optional_json};

pub enum ControlCall {
    Stats,
    Reset,
    FaultsList,
    FaultsAdd,
    RevokeTokens,
    Payments,
    CancelPayment(String),
    SettlePayment(String),
    ClockGet,
    ClockAdvance,
    Subscriptions,
    NotisList,
    NotiUrl,
    ReplayArm,
    ReplayRecord,
    ReplayDisarm,
}

/// The control call for `method path`: `Ok(None)` = not a control path, `Err(allow)` = wrong method.
pub fn route(method: &str, path: &str) -> Result<Option<ControlCall>, &'static str> {
    let get = method == "GET";
    let post = method == "POST";
    let only = |ok: bool, call: ControlCall, allow: &'static str| if ok { Ok(Some(call)) } else { Err(allow) };
    match path {
        "/_sandbox/stats" => only(get, ControlCall::Stats, "GET"),
        "/_sandbox/reset" => only(post, ControlCall::Reset, "POST"),
        "/_sandbox/faults" if get => Ok(Some(ControlCall::FaultsList)),
        "/_sandbox/faults" => only(post, ControlCall::FaultsAdd, "GET, POST"),
        "/_sandbox/tokens/revoke" => only(post, ControlCall::RevokeTokens, "POST"),
        "/_sandbox/payments" => only(get, ControlCall::Payments, "GET"),
        "/_sandbox/clock" if get => Ok(Some(ControlCall::ClockGet)),
        "/_sandbox/clock" => only(post, ControlCall::ClockAdvance, "GET, POST"),
        "/_sandbox/subscriptions" => only(get, ControlCall::Subscriptions, "GET"),
        "/_sandbox/notis" => only(get, ControlCall::NotisList, "GET"),
        "/_sandbox/noti" if get => Ok(Some(ControlCall::NotisList)),
        "/_sandbox/noti" => only(post, ControlCall::NotiUrl, "GET, POST"),
        "/_sandbox/replay" if get => Ok(Some(ControlCall::ReplayRecord)),
        "/_sandbox/replay" if post => Ok(Some(ControlCall::ReplayArm)),
        "/_sandbox/replay" => only(method == "DELETE", ControlCall::ReplayDisarm, "GET, POST, DELETE"),
        _ => {
            let Some(rest) = path.strip_prefix("/_sandbox/payments/") else {
                return Ok(None);
            };
            let (tid, action) = rest.split_once('/').unwrap_or((rest, ""));
            if tid.is_empty() {
                return Ok(None);
            }
            match action {
                "cancel" => only(post, ControlCall::CancelPayment(tid.to_string()), "POST"),
                "settle" => only(post, ControlCall::SettlePayment(tid.to_string()), "POST"),
                _ => Ok(None),
            }
        }
    }
}

/// Refuses a control request a web page could have sent: a `Host` other than the address the sandbox
/// listens on (`localhost` or an IP literal; a DNS-rebinding page arrives under its own host name), an
/// `Origin` other than the sandbox's own, and a body that is not declared `application/json` (what an
/// HTML form or a no-preflight `fetch` sends). Without these a page the developer visits could point
/// the Notis elsewhere or script the gateway's answers.
pub fn refuse_foreign(req: &Request, bind: IpAddr) -> Option<Response> {
    let host = req.header("host").map(str::trim);
    if let Some(host) = host {
        if !is_own_host(host, bind) {
            return Some(control_error(
                403,
                "the control API answers only to its own address (Host header)",
            ));
        }
    }
    if let Some(origin) = req.header("origin") {
        let own = host.is_some_and(|h| {
            origin.eq_ignore_ascii_case(&format!("http://{h}")) || origin.eq_ignore_ascii_case(&format!("https://{h}"))
        });
        if !own {
            return Some(control_error(
                403,
                "the control API refuses requests from another origin",
            ));
        }
    }
    if !req.body.is_empty() && media_type(req).as_deref() != Some("application/json") {
        return Some(control_error(
            415,
            "a control request's body must be sent as application/json",
        ));
    }
    None
}

/// `localhost` or an IP literal this sandbox can be reached at, with or without a port.
fn is_own_host(host: &str, bind: IpAddr) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split_once(']').map(|(ip, _)| ip),
        None => Some(host.rsplit_once(':').map_or(host, |(name, _)| name)),
    };
    let Some(name) = name else { return false };
    if name.eq_ignore_ascii_case("localhost") {
        return bind.is_loopback() || bind.is_unspecified();
    }
    match name.parse::<IpAddr>() {
        Ok(ip) => ip == bind || bind.is_unspecified() || (ip.is_loopback() && bind.is_loopback()),
        Err(_) => false,
    }
}

/// The boards a control call may read or change besides the gateway.
pub struct Boards<'a> {
    pub faults: &'a FaultBoard,
    pub stats: &'a RequestStats,
    pub replay: &'a ReplayBoard,
}

pub fn call(c: ControlCall, req: &Request, gw: &Gateway, boards: Boards) -> Response {
    let Boards { faults, stats, replay } = boards;
    let body = match optional_json(&req.body) {
        Ok(v) => v,
        Err(()) if matches!(c, ControlCall::ReplayArm) => {
            return control_error(400, "body must be {\"gateway\": [...]}")
        }
        Err(()) if matches!(c, ControlCall::FaultsAdd) => {
            return control_error(400, "body must be a JSON object {endpoint, mode, count}")
        }
        Err(()) => return control_error(400, "body must be empty or a JSON object"),
    };
    match c {
        ControlCall::Stats => Response::json(200, &stats.to_json()),
        ControlCall::Reset => {
            let state = body.get("state").and_then(Value::as_bool).unwrap_or(false);
            stats.clear();
            faults.clear();
            if state {
                gw.reset_state();
            }
            Response::json(200, &json!({ "ok": true, "state_cleared": state }))
        }
        ControlCall::FaultsList => Response::json(200, &faults.to_json()),
        ControlCall::FaultsAdd => {
            let Value::Object(spec) = &body else {
                return control_error(400, "body must be a JSON object");
            };
            if let Err(e) = faults.add(spec) {
                return control_error(400, &e);
            }
            let mut v = faults.to_json();
            v["ok"] = json!(true);
            Response::json(200, &v)
        }
        ControlCall::RevokeTokens => {
            gw.revoke_tokens();
            Response::json(200, &json!({ "ok": true }))
        }
        ControlCall::Payments => {
            let ledger = lock(&gw.ledger);
            let list: Vec<Value> = ledger
                .payment_order
                .iter()
                .filter_map(|t| ledger.payments.get(t))
                .map(control_row)
                .collect();
            Response::json(200, &json!({ "payments": list }))
        }
        ControlCall::CancelPayment(tid) => cancel_payment(gw, &tid, &body),
        ControlCall::SettlePayment(tid) => {
            let mut ledger = lock(&gw.ledger);
            let Some(p) = ledger.payments.get_mut(&tid) else {
                return control_error(404, "unknown tid");
            };
            p.settled = true;
            Response::json(200, &json!({ "ok": true, "TID": tid, "settled": true }))
        }
        ControlCall::ClockGet => Response::json(200, &clock_json(gw)),
        ControlCall::ClockAdvance => advance_clock(gw, &body),
        ControlCall::Subscriptions => subscriptions(gw),
        ControlCall::NotisList => Response::json(200, &gw.notifier.list_json()),
        ControlCall::NotiUrl => {
            let url = match body.get("url") {
                Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                _ => {
                    return control_error(
                        400,
                        "body must be {\"url\": \"http://host:port/path\"} or {\"url\": null}",
                    )
                }
            };
            if let Err(e) = gw.notifier.set_url(url) {
                return control_error(400, &e);
            }
            Response::json(200, &json!({ "ok": true, "url": gw.notifier.url() }))
        }
        ControlCall::ReplayArm => match replay.arm(&body) {
            Ok(n) => Response::json(200, &json!({ "ok": true, "answers": n })),
            Err(e) => control_error(400, &e),
        },
        ControlCall::ReplayRecord => Response::json(200, &replay.record()),
        ControlCall::ReplayDisarm => {
            replay.disarm();
            Response::json(200, &json!({ "ok": true }))
        }
    }
}

fn cancel_payment(gw: &Gateway, tid: &str, body: &Value) -> Response {
    let msg = match body.get("msg") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        None | Some(Value::Null) | Some(Value::String(_)) => c::DEFAULT_CANCEL_MSG.to_string(),
        Some(_) => return control_error(400, "msg must be a string"),
    };
    let stamp = gw.clock.now().compact();
    let mut ledger = lock(&gw.ledger);
    let Some(p) = ledger.payments.get_mut(tid) else {
        return control_error(404, "unknown tid");
    };
    let amount = match apply_cancel(p, None, &msg, &stamp) {
        Ok(a) => a,
        Err(_) => return control_error(409, "payment already cancelled"),
    };
    let answer = json!({ "ok": true, "TID": p.tid, "CANCELDATE": p.cancel_date, "CANCELMSG": p.cancel_msg });
    let noti = messages::cancel_noti(p, &stamp, &msg, amount);
    drop(ledger);
    gw.notifier.send("cancel", noti);
    Response::json(200, &answer)
}

fn clock_json(gw: &Gateway) -> Value {
    json!({ "now": dashed_time(&gw.clock.now()), "offset_seconds": gw.clock.offset_secs() })
}

/// Moves the clock forward, first running every scheduled charge that falls due on the way; or sets
/// it to a date (`{"set": …}`): forward like an advance, back without running or undoing anything.
fn advance_clock(gw: &Gateway, body: &Value) -> Response {
    const MAX_SECS: u64 = 100 * 366 * 86_400;
    let num = |k: &str| body.get(k).map(|v| v.as_u64().ok_or(()));
    let set = body.get("set").map(|v| v.as_str().and_then(clock::parse_kst).ok_or(()));
    let _gate = lock(&gw.clock_gate);
    let now = gw.clock.now_unix();
    let secs = match (num("advance_seconds"), num("advance_days"), set) {
        (Some(Ok(s)), None, None) => Some(s),
        (None, Some(Ok(d)), None) => d.checked_mul(86_400),
        (None, None, Some(Ok(to))) if to < now => {
            gw.clock.set(to);
            Some(0)
        }
        (None, None, Some(Ok(to))) => Some(to - now),
        _ => None,
    };
    let Some(secs) = secs.filter(|s| *s <= MAX_SECS) else {
        return control_error(
            400,
            "body must be {\"advance_seconds\": N} or {\"advance_days\": N} with N a non-negative integer (at most 100 years), or {\"set\": \"YYYY-MM-DD[ HH:MM:SS]\"} (KST, within 100 years)",
        );
    };
    let until = gw.clock.now_unix().saturating_add(secs);
    let charged = run_due(gw, until);
    gw.clock.advance(secs);
    let mut v = clock_json(gw);
    v["charged"] = json!(charged);
    Response::json(200, &v)
}

fn subscriptions(gw: &Gateway) -> Response {
    let ledger = lock(&gw.ledger);
    let list: Vec<Value> = ledger
        .schedule_order
        .iter()
        .filter_map(|id| ledger.schedules.get(id))
        .map(|s| {
            let key = ledger.billing_keys.get(&s.billkey);
            json!({
                "RESERVE_ID": s.reserve_id,
                "API_ID": s.api_id,
                "BILLKEY": s.billkey,
                "billkey_deleted_at": key.and_then(|k| k.deleted_at.clone()),
                "CARDNO": key.map(|k| k.card_masked.clone()).unwrap_or_default(),
                "RESERVE_ORDERNO": s.order.orderno,
                "AMOUNT": s.order.amount,
                "RECURRENCE_TYPE": s.recurrence_type,
                "PAY_DAY": s.pay_day,
                "status": s.status(),
                "START_PAY_CNT": s.start_cnt.to_string(),
                "PAY_CNT": s.cycle.to_string(),
                "LAST_PAY_CNT": s.last_cnt.to_string(),
                "NEXT_PAY_DATE": s.next_pay_date.map(|d| d.dashed()).unwrap_or_default(),
                "unpaid": s.unpaid.iter().map(|(n, t)| json!({ "PAY_CNT": n.to_string(), "TRY_CNT": t.to_string() })).collect::<Vec<_>>(),
                "cancelled_at": s.cancelled_at,
            })
        })
        .collect();
    Response::json(200, &json!({ "subscriptions": list }))
}
