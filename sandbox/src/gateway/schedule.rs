//! Recurring schedules: reading RECURRENCE_TYPE/PAY_DAY/START_PAY_CNT/LAST_PAY_CNT, the calendar
//! (말일, weekdays), charging one cycle with a billing key, and running every charge that falls
//! due when the sandbox clock moves.

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::cards;
use crate::choices::{self as c, ErrorCode};
use crate::clock::{days_in_month, Date};
use crate::crypto;
use crate::gateway::ledger::{recurring_orderno, Cadence, Ledger, Payment};
use crate::gateway::messages::{self, RecurringCharge};
use crate::gateway::shared::Gateway;
use crate::util::{lock, Kst};

/// A valid schedule request.
pub struct ScheduleSpec {
    pub cadence: Cadence,
    pub recurrence_type: String,
    pub pay_day: String,
    pub start_cnt: u32,
    pub last_cnt: u32,
}

fn count_field(v: Option<&String>, default: u32) -> Option<u32> {
    match v.map(String::as_str) {
        None | Some("") => Some(default),
        Some(s) if s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit()) => s.parse().ok(),
        Some(_) => None,
    }
}

/// Reads the schedule fields of a billkeygen body (`RECURRENCE_PAY` = `Y` already checked).
pub fn read_spec(fields: &HashMap<String, String>) -> Result<ScheduleSpec, ErrorCode> {
    let get = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
    let recurrence_type = get("RECURRENCE_TYPE").to_string();
    let pay_day = get("PAY_DAY").to_string();
    let day: Option<u32> = (!pay_day.is_empty() && pay_day.len() <= 2 && pay_day.bytes().all(|b| b.is_ascii_digit()))
        .then(|| pay_day.parse().ok())
        .flatten();
    let cadence = match recurrence_type.as_str() {
        "M" => match day {
            Some(d) if (1..=c::PAY_DAY_LAST).contains(&d) => Cadence::Monthly(d),
            _ => return Err(c::R_PAY_DAY),
        },
        "W" => match day {
            Some(d) if (1..=7).contains(&d) => Cadence::Weekly(d),
            _ => return Err(c::R_PAY_DAY),
        },
        _ => return Err(c::R_TYPE),
    };
    let start_cnt = count_field(fields.get("START_PAY_CNT"), 1)
        .filter(|n| *n >= 1)
        .ok_or(c::R_COUNT)?;
    let last_cnt = count_field(fields.get("LAST_PAY_CNT"), 0).ok_or(c::R_COUNT)?;
    if last_cnt != 0 && last_cnt < start_cnt {
        return Err(c::R_COUNT);
    }
    Ok(ScheduleSpec {
        cadence,
        recurrence_type,
        pay_day,
        start_cnt,
        last_cnt,
    })
}

/// The first charge date strictly after `after`.
pub fn next_date(cadence: Cadence, after: Date) -> Date {
    match cadence {
        Cadence::Monthly(day) => {
            let this_month = Date {
                day: day.min(days_in_month(after.year, after.month)),
                ..after
            };
            if this_month > after {
                return this_month;
            }
            let (year, month) = after.months_later(1);
            Date {
                year,
                month,
                day: day.min(days_in_month(year, month)),
            }
        }
        Cadence::Weekly(weekday) => {
            let ahead = (weekday as i64 - after.weekday() as i64).rem_euclid(7);
            after.add_days(if ahead == 0 { 7 } else { ahead })
        }
    }
}

/// The date after a cycle that ran (or was charged ahead) for `date`, or `None` when `cycle` was
/// the last one.
pub fn following_date(cadence: Cadence, date: Date, cycle: u32, last_cnt: u32) -> Option<Date> {
    if last_cnt != 0 && cycle >= last_cnt {
        None
    } else {
        Some(next_date(cadence, date))
    }
}

/// Unix seconds at which a NEXT_PAY_DATE falls due.
pub fn due_unix(d: Date) -> u64 {
    d.unix_at_hour(c::SCHEDULE_CHARGE_HOUR)
}

/// The result of charging one cycle: the §2.7 decryptData, the noti body and the TID.
pub struct CycleResult {
    pub code: &'static str,
    pub result: Value,
    pub noti: Value,
    pub tid: String,
}

/// Charges cycle `cycle` of schedule `reserve_id` at `at` with its billing key, storing an
/// approved payment. Updates the key's charge count, not the schedule: the caller does.
/// `try_cnt` and `next_pay_date` are what the answer reports.
pub fn charge_cycle(
    ledger: &mut Ledger,
    reserve_id: &str,
    cycle: u32,
    try_cnt: u32,
    next_pay_date: Option<Date>,
    at: Kst,
) -> Option<CycleResult> {
    let s = ledger.schedules.get(reserve_id)?;
    let (order, api_id, billkey, last_cnt) = (s.order.clone(), s.api_id.clone(), s.billkey.clone(), s.last_cnt);
    let key = ledger.billing_keys.get_mut(&billkey)?;
    let verdict = if key.deleted_at.is_some() {
        Err(c::C_KEY_DELETED)
    } else {
        key.charges += 1;
        cards::charge_verdict(&key.card, key.charges, key.expiry, at)
    };
    let (card, card_masked, quota, gendate) = (
        key.card,
        key.card_masked.clone(),
        key.quota.clone(),
        key.gendate.clone(),
    );
    let stamp = at.compact();
    let orderno = recurring_orderno(&stamp);
    let (code, msg) = match verdict {
        Ok(()) => (c::OK_CODE, c::OK_MSG),
        Err(e) => (e.code, e.msg),
    };
    let (mut tid, mut acceptno, mut acceptdate) = (String::new(), String::new(), String::new());
    if verdict.is_ok() {
        tid = ledger.new_tid(&stamp);
        acceptno = crypto::random_digits(c::ACCEPTNO_DIGITS);
        acceptdate = stamp.clone();
        let mut charge_order = order.clone();
        charge_order.orderno = orderno.clone();
        ledger.store_payment(Payment {
            api_id: api_id.clone(),
            amount_won: order.amount.parse().unwrap_or(0),
            order: charge_order,
            paymethod: c::PAYMETHOD_BILLING,
            tid: tid.clone(),
            acceptno: acceptno.clone(),
            acceptdate: acceptdate.clone(),
            quota: quota.clone(),
            card_name: card.card_name.to_string(),
            card_code: card.card_code.to_string(),
            card_masked: card_masked.clone(),
            billkey: billkey.clone(),
            gendate: gendate.clone(),
            reserve_id: reserve_id.to_string(),
            pay_cnt: cycle,
            ..Payment::default()
        });
    }
    let charge = RecurringCharge {
        api_id: &api_id,
        billkey: &billkey,
        gendate: &gendate,
        reserve_id,
        order: &order,
        orderno: &orderno,
        pay_cnt: cycle,
        last_pay_cnt: last_cnt,
        try_cnt,
        next_pay_date: next_pay_date.map(|d| d.dashed()).unwrap_or_default(),
        tid: &tid,
        accept_date: &acceptdate,
        accept_no: &acceptno,
        card_code: card.card_code,
        card_name: card.card_name,
        card_masked: &card_masked,
        quota: &quota,
        code,
        msg,
    };
    Some(CycleResult {
        code,
        result: messages::recurring_result(&charge),
        noti: messages::recurring_noti(&charge),
        tid,
    })
}

/// Most charges one clock move runs; the rest stay due for the next move.
const MAX_CHARGES_PER_MOVE: usize = 100_000;

/// Runs, in time order, every scheduled charge due at or before `until` (unix seconds): each at
/// its own due time, one cycle each; a decline is recorded as unpaid and the schedule moves on.
/// Returns `[{"RESERVE_ID","PAY_CNT","RESULTCODE","TID","ACCEPT_DATE"}]`.
pub fn run_due(gw: &Gateway, until: u64) -> Vec<Value> {
    let mut charged = Vec::new();
    while charged.len() < MAX_CHARGES_PER_MOVE {
        let mut ledger = lock(&gw.ledger);
        let due = ledger
            .schedule_order
            .iter()
            .enumerate()
            .filter_map(|(i, id)| {
                let s = ledger.schedules.get(id)?;
                if s.cancelled_at.is_some() {
                    return None;
                }
                let at = due_unix(s.next_pay_date?);
                (at <= until).then_some((at, i, id.clone()))
            })
            .min();
        let Some((at, _, reserve_id)) = due else { break };
        let Some(s) = ledger.schedules.get_mut(&reserve_id) else {
            break;
        };
        let (Some(date), cycle) = (s.next_pay_date, s.cycle + 1) else {
            break;
        };
        let next = following_date(s.cadence, date, cycle, s.last_cnt);
        s.cycle = cycle;
        s.next_pay_date = next;
        let Some(r) = charge_cycle(&mut ledger, &reserve_id, cycle, 1, next, Kst::from_unix(at)) else {
            break;
        };
        if r.code != c::OK_CODE {
            if let Some(s) = ledger.schedules.get_mut(&reserve_id) {
                s.unpaid.push((cycle, 1));
            }
        }
        drop(ledger);
        gw.notifier.send("recurring", r.noti);
        charged.push(json!({
            "RESERVE_ID": reserve_id,
            "PAY_CNT": cycle.to_string(),
            "RESULTCODE": r.code,
            "TID": r.tid,
            "ACCEPT_DATE": Kst::from_unix(at).compact(),
        }));
    }
    charged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i64, m: u32, day: u32) -> Date {
        Date { year: y, month: m, day }
    }

    #[test]
    fn monthly_dates_fall_on_the_last_day_when_short() {
        let c31 = Cadence::Monthly(31);
        assert_eq!(next_date(c31, d(2026, 1, 15)), d(2026, 1, 31));
        assert_eq!(next_date(c31, d(2026, 1, 31)), d(2026, 2, 28));
        assert_eq!(next_date(c31, d(2028, 1, 31)), d(2028, 2, 29));
        assert_eq!(next_date(c31, d(2026, 2, 28)), d(2026, 3, 31));
        assert_eq!(next_date(Cadence::Monthly(30), d(2026, 2, 28)), d(2026, 3, 30));
        assert_eq!(next_date(Cadence::Monthly(5), d(2026, 12, 5)), d(2027, 1, 5));
        assert_eq!(next_date(Cadence::Monthly(5), d(2026, 12, 4)), d(2026, 12, 5));
    }

    #[test]
    fn weekly_dates() {
        // 2026-11-27 is a Friday (5).
        assert_eq!(next_date(Cadence::Weekly(1), d(2026, 11, 27)), d(2026, 11, 30));
        assert_eq!(next_date(Cadence::Weekly(5), d(2026, 11, 27)), d(2026, 12, 4));
        assert_eq!(next_date(Cadence::Weekly(7), d(2026, 11, 27)), d(2026, 11, 29));
    }

    #[test]
    fn specs() {
        let f = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
        };
        let ok = read_spec(&f(&[
            ("RECURRENCE_TYPE", "M"),
            ("PAY_DAY", "31"),
            ("LAST_PAY_CNT", "12"),
        ]))
        .expect("ok");
        assert_eq!((ok.cadence, ok.start_cnt, ok.last_cnt), (Cadence::Monthly(31), 1, 12));
        assert_eq!(
            read_spec(&f(&[("RECURRENCE_TYPE", "D"), ("PAY_DAY", "1")])).err(),
            Some(c::R_TYPE)
        );
        assert_eq!(
            read_spec(&f(&[("RECURRENCE_TYPE", "M"), ("PAY_DAY", "32")])).err(),
            Some(c::R_PAY_DAY)
        );
        assert_eq!(
            read_spec(&f(&[("RECURRENCE_TYPE", "W"), ("PAY_DAY", "8")])).err(),
            Some(c::R_PAY_DAY)
        );
        assert_eq!(
            read_spec(&f(&[
                ("RECURRENCE_TYPE", "M"),
                ("PAY_DAY", "1"),
                ("START_PAY_CNT", "3"),
                ("LAST_PAY_CNT", "2")
            ]))
            .err(),
            Some(c::R_COUNT)
        );
        assert!(read_spec(&f(&[("RECURRENCE_TYPE", "W"), ("PAY_DAY", "07")])).is_ok());
    }
}
