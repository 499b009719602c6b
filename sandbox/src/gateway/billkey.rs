//! `POST /Subscribe/billkeygen`: card → billing key + first charge, optionally registering a
//! recurring schedule in the same call.

use serde_json::{json, Map, Value};

use crate::cards::{self, CardAuthKind, CardInput, EnteredCard};
use crate::choices::{self as c, ErrorCode};
use crate::clock::Date;
use crate::crypto;
use crate::gateway::ledger::{BillingKey, Payment, Schedule};
use crate::gateway::messages::{self, RecurringCharge};
use crate::gateway::schedule::{self, ScheduleSpec};
use crate::gateway::shared::{Auth, Gateway};
use crate::gateway::window::{order_error, read_order, ORDER_FIELDS};
use crate::http::{Request, Response};
use crate::util::lock;
use crate::wire::{either, text_fields, ErrorFields, Reply};

const CARD_FIELDS: &[&str] = &[
    "CARDNO",
    "EXPIREDT",
    "CARDAUTH",
    "CARDPWD",
    "QUOTA",
    "HANACARD_USE",
    "TAXFREECD",
    "RECURRENCE_PAY",
    "RECURRENCE_TYPE",
    "PAY_DAY",
    "START_PAY_CNT",
    "LAST_PAY_CNT",
    "ENC_YN",
    "ORDER_NO_CHECK",
];

/// The RESERVE_* block of the answer.
fn reserve_block(out: &mut Map<String, Value>, e: Option<ErrorCode>, s: Option<&Schedule>) {
    let (code, msg) = match e {
        Some(e) => (e.code, e.msg),
        None => (c::OK_CODE, c::OK_MSG),
    };
    let text = |f: &dyn Fn(&Schedule) -> String| s.map(f).unwrap_or_default();
    let pairs = [
        ("RESERVE_RESULTCODE", code.to_string()),
        ("RESERVE_RESULTMSG", msg.to_string()),
        ("RESERVE_ID", text(&|s| s.reserve_id.clone())),
        ("RESERVE_ORDERNO", text(&|s| s.order.orderno.clone())),
        ("RESERVE_RECURRENCE_TYPE", text(&|s| s.recurrence_type.clone())),
        ("RESERVE_PAY_DAY", text(&|s| s.pay_day.clone())),
        ("RESERVE_NOW_PAY_CNT", text(&|s| s.cycle.to_string())),
        ("RESERVE_START_PAY_CNT", text(&|s| s.start_cnt.to_string())),
        ("RESERVE_LAST_PAY_CNT", text(&|s| s.last_cnt.to_string())),
        (
            "RESERVE_NEXT_PAY_DATE",
            text(&|s| s.next_pay_date.map(|d| d.dashed()).unwrap_or_default()),
        ),
        ("RESERVE_RETURN_URL", String::new()),
    ];
    for (k, v) in pairs {
        out.insert(k.into(), json!(v));
    }
}

pub fn billkeygen(gw: &Gateway, req: &Request) -> Response {
    either(issue(gw, req))
}

fn issue(gw: &Gateway, req: &Request) -> Reply {
    let fields = ErrorFields::Result;
    // API_ID is an order field: read_order checks it, with the others.
    let (m, obj) = gw.authorized(req, Auth::KeyAndToken, fields, None)?;
    let mut checked: Vec<&str> = ORDER_FIELDS.iter().map(|f| f.0).collect();
    checked.extend_from_slice(CARD_FIELDS);
    let body = text_fields(obj, &checked, fields)?;
    let get = |k: &str| body.get(k).cloned().unwrap_or_default();
    let order = read_order(&body, &m, false, gw.over_long).map_err(|e| order_error(fields, e))?;
    let encrypt = get("ENC_YN") != "N";
    let check_orderno = get("ORDER_NO_CHECK") != "N";
    let wants_schedule = get("RECURRENCE_PAY") == "Y";
    let spec: Option<Result<ScheduleSpec, ErrorCode>> = wants_schedule.then(|| schedule::read_spec(&body));
    let card = CardInput::read(get);
    let EnteredCard { digits, quota, masked } = card.entered();
    let now = gw.clock.now();
    let stamp = now.compact();

    let mut ledger = lock(&gw.ledger);
    if check_orderno && ledger.orders.get(&m.api_id).is_some_and(|o| o.contains(&order.orderno)) {
        return Err(order_error(fields, (c::E_DUP_ORDERNO, Some("ORDERNO"))));
    }
    let verdict = cards::first_charge_verdict(&digits, &card, &quota, CardAuthKind::BirthDateOrBusinessNumber, now);
    let mut out = Map::new();
    let (code, msg) = match &verdict {
        Ok(_) => (c::OK_CODE, c::OK_MSG),
        Err((e, _)) => (e.code, e.msg),
    };
    let mut noti = None;
    let (mut billkey, mut gendate, mut tid, mut acceptno, mut acceptdate) = (
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    );
    let mut reserve: Option<(Option<ErrorCode>, Option<String>)> = None;
    if let Ok(profile) = verdict {
        ledger
            .orders
            .entry(m.api_id.clone())
            .or_default()
            .insert(order.orderno.clone());
        billkey = ledger.new_billkey();
        gendate = stamp.clone();
        tid = ledger.new_tid(&stamp);
        acceptno = crypto::random_digits(c::ACCEPTNO_DIGITS);
        acceptdate = stamp.clone();
        let mut payment = Payment {
            api_id: m.api_id.clone(),
            order: order.clone(),
            paymethod: c::PAYMETHOD_BILLING,
            tid: tid.clone(),
            acceptno: acceptno.clone(),
            acceptdate: acceptdate.clone(),
            quota: quota.clone(),
            card_name: profile.card_name.to_string(),
            card_code: profile.card_code.to_string(),
            card_masked: masked.clone(),
            billkey: billkey.clone(),
            gendate: gendate.clone(),
            amount_won: order.amount.parse().unwrap_or(0),
            ..Payment::default()
        };
        ledger.billing_keys.insert(
            billkey.clone(),
            BillingKey::of_first_charge(&payment, profile, cards::expiry_of(&card.expiredt)),
        );
        match spec {
            Some(Ok(spec)) => {
                let reserve_id = ledger.new_reserve_id();
                let today = Date::of(&now);
                // The first charge is cycle START_PAY_CNT; the next falls on the first PAY_DAY after today.
                let next = schedule::following_date(spec.cadence, today, spec.start_cnt, spec.last_cnt);
                let s = Schedule {
                    reserve_id: reserve_id.clone(),
                    api_id: m.api_id.clone(),
                    billkey: billkey.clone(),
                    cadence: spec.cadence,
                    recurrence_type: spec.recurrence_type,
                    pay_day: spec.pay_day,
                    order: order.clone(),
                    start_cnt: spec.start_cnt,
                    last_cnt: spec.last_cnt,
                    cycle: spec.start_cnt,
                    next_pay_date: next,
                    unpaid: Vec::new(),
                    cancelled_at: None,
                };
                payment.reserve_id = reserve_id.clone();
                payment.pay_cnt = spec.start_cnt;
                let charge = RecurringCharge {
                    api_id: &m.api_id,
                    billkey: &billkey,
                    gendate: &gendate,
                    reserve_id: &reserve_id,
                    order: &order,
                    orderno: &order.orderno,
                    pay_cnt: s.cycle,
                    last_pay_cnt: s.last_cnt,
                    try_cnt: 1,
                    next_pay_date: next.map(|d| d.dashed()).unwrap_or_default(),
                    tid: &tid,
                    accept_date: &acceptdate,
                    accept_no: &acceptno,
                    card_code: profile.card_code,
                    card_name: profile.card_name,
                    card_masked: &masked,
                    quota: &quota,
                    code,
                    msg,
                };
                noti = Some(("recurring", messages::recurring_noti(&charge)));
                ledger.schedule_order.push(reserve_id.clone());
                ledger.schedules.insert(reserve_id.clone(), s);
                reserve = Some((None, Some(reserve_id)));
            }
            Some(Err(e)) => reserve = Some((Some(e), None)),
            None => {}
        }
        if noti.is_none() {
            noti = Some(("payment", messages::payment_noti(&payment, code, msg)));
        }
        ledger.store_payment(payment);
    } else if wants_schedule {
        reserve = Some((Some(c::R_NOT_CHARGED), None));
    }
    let pairs = [
        ("RESULTCODE", code.to_string()),
        ("RESULTMSG", msg.to_string()),
        ("BILLKEY", billkey),
        ("GENDATE", gendate),
        ("ORDERNO", order.orderno.clone()),
        ("AMOUNT", order.amount.clone()),
        ("TID", tid),
        ("ACCEPTDATE", acceptdate),
        ("ACCEPTNO", acceptno),
        ("BUYERNAME", order.buyername.clone()),
        ("BUYERID", order.buyerid.clone()),
        ("BUYERADDRESS", order.buyeraddress.clone()),
        ("BUYERPHONE", order.buyerphone.clone()),
        ("BUYEREMAIL", order.buyeremail.clone()),
        // Empty, as recorded: card type is not returned on billing-key issue.
        ("CARDCODE", String::new()),
    ];
    for (k, v) in pairs {
        out.insert(k.into(), json!(v));
    }
    for (i, v) in order.etc.iter().enumerate() {
        out.insert(format!("ETC{}", i + 1), json!(v));
    }
    if let Some((err, id)) = reserve {
        reserve_block(&mut out, err, id.as_ref().and_then(|id| ledger.schedules.get(id)));
    }
    drop(ledger);
    if let Some((kind, body)) = noti {
        gw.notifier.send(kind, body);
    }
    let plain = Value::Object(out);
    if encrypt {
        Ok(Response::json(
            200,
            &json!({ "RESULTCODE": code, "RESULTMSG": msg, "ENC_DATA": m.seal(&plain) }),
        ))
    } else {
        Ok(Response::json(200, &plain))
    }
}
