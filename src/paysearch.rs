//! `POST /api/paysearch` (TOKEN): payments by TID, or by approval date range. The answer is a JSON
//! array of paycert-like rows, or an object with a code — `E008` meaning nothing was found.
//!
//! A range longer than one window is searched window by window and the rows merged. CookiePay's
//! staging docs give a range of at most 6 months (for `/api/paylist`); whether paysearch has the same
//! limit, and whether "6 months" means calendar months or days, is not documented — the sandbox
//! answers E082 past 6 calendar months. Each window is therefore 6 calendar months less a day, which
//! fits any reading of "6 months" by month. The cap on windows is this library's choice.

use serde_json::{json, Map, Value};

use crate::context::{Context, TokenUse};
use crate::error::{Error, FieldError, Result};
use crate::paycert;
use crate::response::{api_error, code_of, normalize, SUCCESS};
use crate::transport::CallKind;

pub const PATH: &str = "/api/paysearch";

/// The vendor's "검색 결과가 없습니다" code: an empty result, not an error.
pub const NOTHING_FOUND: &str = "E008";

/// The body to send: `{"tid"}` → `TID`; `{"from","to"}` (YYYY-MM-DD) → `STD_DT`/`END_DT`.
pub fn prepare(api_id: &str, request: &Value) -> Result<Map<String, Value>> {
    let mut body = Map::new();
    body.insert("API_ID".into(), json!(api_id));
    let has_tid = ["tid", "TID"]
        .iter()
        .any(|k| request.get(*k).is_some_and(|v| !v.is_null()));
    if has_tid {
        body.insert("TID".into(), json!(paycert::tid_of(request)?));
        return Ok(body);
    }
    let mut problems = Vec::new();
    let mut dates = Vec::new();
    for field in ["from", "to"] {
        match request.get(field) {
            Some(Value::String(s)) if is_date(s) => dates.push(s.clone()),
            None | Some(Value::Null) => problems.push(FieldError::new(
                field,
                "required",
                format!("give tid, or from and to (YYYY-MM-DD): {field} is missing"),
            )),
            Some(_) => problems.push(FieldError::new(
                field,
                "date",
                format!("{field} must be a date YYYY-MM-DD"),
            )),
        }
    }
    if let [from, to] = dates.as_slice() {
        if from > to {
            problems.push(FieldError::new("to", "order", "to must not be before from"));
        }
        body.insert("STD_DT".into(), json!(from));
        body.insert("END_DT".into(), json!(to));
    }
    if problems.is_empty() {
        Ok(body)
    } else {
        Err(Error::Validation(problems))
    }
}

/// Calendar months in one window (see the module's comment: the staging docs' limit).
pub const WINDOW_MONTHS: u32 = 6;
/// Windows one call sends at most (this library's cap: 2 years), so that a mistyped year is refused
/// rather than sent as dozens of lookups.
pub const MAX_WINDOWS: usize = 4;

/// The bodies to send: one for a TID or a range within one window, else one per window, in order.
pub fn bodies(api_id: &str, request: &Value) -> Result<Vec<Map<String, Value>>> {
    let body = prepare(api_id, request)?;
    let (Some(Value::String(from)), Some(Value::String(to))) = (body.get("STD_DT"), body.get("END_DT")) else {
        return Ok(vec![body]);
    };
    let ranges = windows(Day::parse(from), Day::parse(to));
    if ranges.len() > MAX_WINDOWS {
        return Err(Error::field(
            "to",
            "range",
            format!(
                "from and to span more than {} months: paysearch searches {WINDOW_MONTHS} months per call \
                 (CookiePay's documented range) and at most {MAX_WINDOWS} calls; search a shorter range",
                WINDOW_MONTHS as usize * MAX_WINDOWS
            ),
        ));
    }
    Ok(ranges
        .into_iter()
        .map(|(start, end)| {
            let mut window = body.clone();
            window.insert("STD_DT".into(), json!(start.to_string()));
            window.insert("END_DT".into(), json!(end.to_string()));
            window
        })
        .collect())
}

/// A calendar day; only what splitting a range needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Day {
    year: u32,
    month: u32,
    day: u32,
}

impl Day {
    /// A `YYYY-MM-DD` that `is_date` accepted.
    fn parse(text: &str) -> Day {
        let number = |r: std::ops::Range<usize>| text[r].parse().unwrap_or(1);
        Day {
            year: number(0..4),
            month: number(5..7),
            day: number(8..10),
        }
    }

    /// `months` later, on the same day or the month's last if it has fewer days.
    fn months_later(self, months: u32) -> Day {
        let index = self.year * 12 + (self.month - 1) + months;
        let (year, month) = (index / 12, index % 12 + 1);
        Day {
            year,
            month,
            day: self.day.min(days_in_month(year, month)),
        }
    }

    fn next(self) -> Day {
        match (self.day < days_in_month(self.year, self.month), self.month) {
            (true, _) => Day {
                day: self.day + 1,
                ..self
            },
            (false, 12) => Day {
                year: self.year + 1,
                month: 1,
                day: 1,
            },
            (false, month) => Day {
                month: month + 1,
                day: 1,
                ..self
            },
        }
    }

    fn previous(self) -> Day {
        match (self.day, self.month) {
            (1, 1) => Day {
                year: self.year - 1,
                month: 12,
                day: 31,
            },
            (1, month) => Day {
                month: month - 1,
                day: days_in_month(self.year, month - 1),
                ..self
            },
            (day, _) => Day { day: day - 1, ..self },
        }
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// `from..=to` cut into consecutive windows of `WINDOW_MONTHS` months less a day; stops counting
/// one past the cap (the caller refuses that many).
fn windows(from: Day, to: Day) -> Vec<(Day, Day)> {
    let mut out = Vec::new();
    let mut start = from;
    while start <= to && out.len() <= MAX_WINDOWS {
        let end = start.months_later(WINDOW_MONTHS).previous().min(to);
        out.push((start, end));
        start = end.next();
    }
    out
}

fn days_in_month(year: u32, month: u32) -> u32 {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    }
}

/// `YYYY-MM-DD` with a real month and a day that month has.
fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits(0..4) || !digits(5..7) || !digits(8..10) {
        return false;
    }
    let year: u32 = text[0..4].parse().unwrap_or(0);
    let month: u32 = text[5..7].parse().unwrap_or(0);
    let day: u32 = text[8..10].parse().unwrap_or(0);
    (1..=days_in_month(year, month)).contains(&day)
}

/// `cookiepay_paysearch` → `{"payments": […]}`: the rows of every window, oldest window first. The
/// windows do not overlap (each day is in one), so no row is merged twice.
pub fn call(ctx: &Context, request: &Value) -> Result<Value> {
    let mut payments = Vec::new();
    for body in bodies(ctx.api_id(), request)? {
        let body = Value::Object(body);
        let mut rows = ctx.with_token(TokenUse::Cached, |token| {
            let answer = ctx
                .channel
                .post_json_answer(PATH, &[("TOKEN", token)], &body, CallKind::Idempotent)?
                .into_json()?;
            payments_of(answer)
        })?;
        if let Value::Array(mut rows) = rows["payments"].take() {
            payments.append(&mut rows);
        }
    }
    Ok(json!({ "payments": payments }))
}

/// The rows of a paysearch answer.
pub fn payments_of(answer: Value) -> Result<Value> {
    let rows = match answer {
        Value::Array(rows) => rows,
        Value::Object(ref fields) if fields.contains_key("RESULTCODE") => match code_of(&answer, "RESULTCODE").as_str()
        {
            NOTHING_FOUND => Vec::new(),
            // Success with one row as an object (not observed, but harmless to accept).
            SUCCESS if fields.contains_key("TID") => vec![answer],
            _ => return Err(api_error(&answer, "RESULTCODE", "RESULTMSG", None)),
        },
        other => {
            return Err(Error::Decode {
                outcome: None,
                message: "the paysearch answer is neither a list nor a result code".into(),
                excerpt: crate::error::excerpt(other.to_string().as_bytes()),
            })
        }
    };
    let payments: Vec<Value> = rows
        .into_iter()
        .map(|row| match row {
            Value::Object(map) => Value::Object(normalize(map)),
            other => other,
        })
        .collect();
    Ok(json!({ "payments": payments }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tid_or_a_date_range() {
        assert_eq!(prepare("a", &json!({"tid": "T1", "from": "x"})).unwrap()["TID"], "T1");
        let body = prepare("a", &json!({"from": "2026-02-01", "to": "2026-02-28"})).unwrap();
        assert_eq!(body["STD_DT"], "2026-02-01");
        assert!(prepare("a", &json!({"from": "2026-02-30", "to": "2026-03-01"})).is_err());
        assert!(prepare("a", &json!({"from": "2026-03-02", "to": "2026-03-01"})).is_err());
        let Err(Error::Validation(p)) = prepare("a", &json!({})) else {
            panic!()
        };
        assert_eq!(p.len(), 2);
        assert!(is_date("2024-02-29") && !is_date("2025-02-29"));
    }

    fn windows_of(from: &str, to: &str) -> Result<Vec<(String, String)>> {
        let bodies = bodies("a", &json!({"from": from, "to": to}))?;
        Ok(bodies
            .iter()
            .map(|b| {
                (
                    b["STD_DT"].as_str().unwrap().into(),
                    b["END_DT"].as_str().unwrap().into(),
                )
            })
            .collect())
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    /// A range longer than 6 months is cut into windows of 6 months less a day (each within the
    /// sandbox's E082 limit), consecutive and without overlap, month ends and Feb 29 included.
    #[test]
    fn a_long_range_is_cut_into_six_month_windows() {
        assert_eq!(
            windows_of("2026-01-01", "2026-06-30").unwrap(),
            pairs(&[("2026-01-01", "2026-06-30")])
        );
        assert_eq!(
            windows_of("2026-01-01", "2026-07-01").unwrap(),
            pairs(&[("2026-01-01", "2026-06-30"), ("2026-07-01", "2026-07-01")])
        );
        assert_eq!(
            windows_of("2025-08-31", "2026-12-31").unwrap(),
            pairs(&[
                ("2025-08-31", "2026-02-27"),
                ("2026-02-28", "2026-08-27"),
                ("2026-08-28", "2026-12-31")
            ])
        );
        assert_eq!(
            windows_of("2027-09-01", "2028-12-31").unwrap(),
            pairs(&[
                ("2027-09-01", "2028-02-29"),
                ("2028-03-01", "2028-08-31"),
                ("2028-09-01", "2028-12-31")
            ])
        );
        let tid = bodies("a", &json!({"tid": "T1", "from": "2020-01-01", "to": "2026-01-01"})).unwrap();
        assert_eq!(tid.len(), 1, "a TID search ignores the dates");
        assert!(!tid[0].contains_key("STD_DT"));
    }

    /// Past the cap nothing is sent: a validation error that names the limit.
    #[test]
    fn more_than_the_cap_is_refused_with_the_limit_named() {
        assert_eq!(windows_of("2024-01-01", "2025-12-31").unwrap().len(), MAX_WINDOWS);
        let Err(Error::Validation(p)) = windows_of("2024-01-01", "2026-01-01") else {
            panic!()
        };
        assert_eq!((p[0].field.as_str(), p[0].rule), ("to", "range"));
        assert!(p[0].message.contains("more than 24 months"), "{}", p[0].message);
        assert!(windows_of("0001-01-01", "9999-12-31").is_err());
    }

    #[test]
    fn e008_is_an_empty_list() {
        let none = payments_of(json!({"RESULTCODE": "E008", "RESULTMSG": "검색 결과가 없습니다."})).unwrap();
        assert_eq!(none["payments"], json!([]));
        let rows = payments_of(json!([{"TID": "T1", "ACCEPT_NO": "1"}])).unwrap();
        assert_eq!(rows["payments"][0]["ACCEPTNO"], "1");
        assert_eq!(payments_of(json!({"RESULTCODE": "E021"})).unwrap_err().kind(), "api");
        assert_eq!(payments_of(json!("x")).unwrap_err().kind(), "decode");
    }
}
