//! `POST /api/paysearch`: the merchant's payments by TID or by ACCEPTDATE range.

use serde_json::Value;

use crate::choices::{self as c, ErrorCode};
use crate::clock::{days_in_month, Date};
use crate::gateway::messages::search_row;
use crate::gateway::shared::{Auth, Gateway};
use crate::http::{Request, Response};
use crate::util::lock;
use crate::wire::{either, result_error, str_field, ErrorFields, Reply};

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
    either(answer(gw, req))
}

fn answer(gw: &Gateway, req: &Request) -> Reply {
    let fields = ErrorFields::Result;
    let (m, obj) = gw.authorized(req, Auth::Token, fields, Some("API_ID"))?;
    let ledger = lock(&gw.ledger);
    let mine = ledger
        .payment_order
        .iter()
        .filter_map(|t| ledger.payments.get(t))
        .filter(|p| p.api_id == m.api_id);
    let rows: Vec<Value> = if let Some(tid) = optional_text(obj.get("TID")) {
        mine.filter(|p| p.tid == tid).map(search_row).collect()
    } else {
        let std_dt = str_field(&obj, "STD_DT", fields)?;
        let end_dt = str_field(&obj, "END_DT", fields)?;
        let (from, to) = date_range(std_dt, end_dt).map_err(result_error)?;
        mine.filter(|p| {
            let day = p.acceptdate.get(..8).unwrap_or("");
            day >= from.as_str() && day <= to.as_str()
        })
        .map(search_row)
        .collect()
    };
    if rows.is_empty() {
        return Err(result_error(c::E_SEARCH_EMPTY));
    }
    Ok(Response::json(200, &Value::Array(rows)))
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
