//! `POST /api/paysearch`: the merchant's payments by TID or by ACCEPTDATE range.

use serde_json::Value;

use crate::choices::{self as c, ErrorCode};
use crate::clock::{days_in_month, Date};
use crate::gateway::messages::search_row;
use crate::gateway::shared::Gateway;
use crate::http::{Request, Response};
use crate::util::lock;
use crate::wire::{error_reply, json_body, result_error, str_field, ErrorFields};

fn optional_text(v: Option<&Value>) -> Option<String> {
    match v {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// STD_DT..=END_DT as YYYYMMDD bounds, at most 6 calendar months apart.
fn date_range(std_dt: &str, end_dt: &str) -> Result<(String, String), ErrorCode> {
    let (Some(from), Some(to)) = (Date::parse_dashed(std_dt), Date::parse_dashed(end_dt)) else {
        return Err(c::E_SEARCH_DATES);
    };
    if from > to {
        return Err(c::E_SEARCH_DATES);
    }
    let (year, month) = from.months_later(c::SEARCH_MAX_MONTHS);
    let limit = Date {
        year,
        month,
        day: from.day.min(days_in_month(year, month)),
    };
    if to > limit {
        return Err(c::E_SEARCH_RANGE);
    }
    Ok((from.compact(), to.compact()))
}

pub fn paysearch(gw: &Gateway, req: &Request) -> Response {
    let fields = ErrorFields::Result;
    let m = match gw.merchant_by_token(req, fields) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let obj = match json_body(req, fields) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let api_id = match str_field(&obj, "API_ID", fields) {
        Ok(s) => s,
        Err(r) => return r,
    };
    if api_id != m.api_id {
        return error_reply(fields, c::STATUS_BUSINESS_ERROR, c::E_API_ID_MISMATCH, None);
    }
    let ledger = lock(&gw.ledger);
    let mine = ledger
        .payment_order
        .iter()
        .filter_map(|t| ledger.payments.get(t))
        .filter(|p| p.api_id == m.api_id);
    let rows: Vec<Value> = if let Some(tid) = optional_text(obj.get("TID")) {
        mine.filter(|p| p.tid == tid).map(search_row).collect()
    } else {
        let std_dt = match str_field(&obj, "STD_DT", fields) {
            Ok(s) => s,
            Err(r) => return r,
        };
        let end_dt = match str_field(&obj, "END_DT", fields) {
            Ok(s) => s,
            Err(r) => return r,
        };
        let (from, to) = match date_range(std_dt, end_dt) {
            Ok(r) => r,
            Err(e) => return result_error(e),
        };
        mine.filter(|p| {
            let day = p.acceptdate.get(..8).unwrap_or("");
            day >= from.as_str() && day <= to.as_str()
        })
        .map(search_row)
        .collect()
    };
    if rows.is_empty() {
        return result_error(c::E_SEARCH_EMPTY);
    }
    Response::json(200, &Value::Array(rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(
            date_range("2026-01-01", "2026-01-31"),
            Ok(("20260101".into(), "20260131".into()))
        );
        assert!(date_range("2026-01-31", "2026-07-31").is_ok());
        assert_eq!(date_range("2026-01-31", "2026-08-01"), Err(c::E_SEARCH_RANGE));
        assert!(
            date_range("2025-08-31", "2026-02-28").is_ok(),
            "clamped to the short month's end"
        );
        assert_eq!(date_range("2026-02-01", "2026-01-01"), Err(c::E_SEARCH_DATES));
        assert_eq!(date_range("2026-02-30", "2026-03-01"), Err(c::E_SEARCH_DATES));
        assert_eq!(date_range("20260101", "2026-03-01"), Err(c::E_SEARCH_DATES));
    }
}
