//! The card fields of a non-authenticated billing-key request (카유생비: number, expiry, birth date or
//! business number, password digits). Checked before anything is sent — not even a TOKEN is fetched
//! for a bad card — and never echoed: messages name the rule, never the value.

use serde_json::{Map, Value};

use crate::error::FieldError;

/// Korea's offset from UTC: card expiry months are Korean months.
const KST_OFFSET_SECS: i64 = 9 * 3600;

/// The card fields. `CARDNO` may carry spaces or dashes (as printed on the card); they are removed
/// in `body` because CookiePay takes digits only.
pub fn check(body: &mut Map<String, Value>, problems: &mut Vec<FieldError>) {
    if let Some(digits) = text(body, "CARDNO", problems).map(|n| n.replace([' ', '-'], "")) {
        if !digits.bytes().all(|b| b.is_ascii_digit()) || !(12..=19).contains(&digits.len()) {
            problems.push(FieldError::new("CARDNO", "format", "CARDNO must be 12 to 19 digits"));
        } else if !luhn_ok(&digits) {
            problems.push(FieldError::new(
                "CARDNO",
                "luhn",
                "CARDNO is not a valid card number (check digit)",
            ));
        }
        body.insert("CARDNO".into(), Value::String(digits));
    }
    if let Some(expiry) = text(body, "EXPIREDT", problems) {
        match yymm(&expiry) {
            None => problems.push(FieldError::new(
                "EXPIREDT",
                "format",
                "EXPIREDT must be YYMM (e.g. 2812)",
            )),
            Some(month) if month < current_month() => problems.push(FieldError::new(
                "EXPIREDT",
                "expired",
                "EXPIREDT is in the past: the card has expired",
            )),
            Some(_) => {}
        }
    }
    if let Some(auth) = text(body, "CARDAUTH", problems) {
        if !all_digits(&auth) || !(auth.len() == 6 || auth.len() == 10) {
            problems.push(FieldError::new(
                "CARDAUTH",
                "format",
                "CARDAUTH must be the 6-digit birth date (YYMMDD) or the 10-digit business number",
            ));
        }
    }
    if let Some(pwd) = text(body, "CARDPWD", problems) {
        if !all_digits(&pwd) || pwd.len() != 2 {
            problems.push(FieldError::new(
                "CARDPWD",
                "format",
                "CARDPWD must be the first 2 digits of the card password",
            ));
        }
    }
    match body.get("QUOTA") {
        None | Some(Value::Null) => {
            body.insert("QUOTA".into(), Value::String("00".into()));
        }
        Some(Value::String(q)) if q.len() == 2 && all_digits(q) => {}
        Some(_) => problems.push(FieldError::new(
            "QUOTA",
            "format",
            "QUOTA must be 2 digits: 00 (일시불) or months",
        )),
    }
}

/// The card values of a request worth scrubbing from any text that leaves the library: the number as
/// given and as digits, the birth date or business number, the expiry. (Two-digit passwords are too
/// short to tell apart from other digits in a text; they are never put into a message.)
pub fn values_of(request: &Value) -> Vec<String> {
    let mut values = Vec::new();
    for field in ["CARDNO", "CARDAUTH", "EXPIREDT"] {
        if let Some(v) = request
            .get(field)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|v| v.len() >= 4)
        {
            values.push(v.to_owned());
            let digits: String = v.chars().filter(char::is_ascii_digit).collect();
            if digits.len() >= 4 && digits != v {
                values.push(digits);
            }
        }
    }
    values
}

/// A required card field as text; a missing or non-string one is a problem.
fn text(body: &Map<String, Value>, field: &'static str, problems: &mut Vec<FieldError>) -> Option<String> {
    match body.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            problems.push(FieldError::new(field, "required", format!("{field} is required")));
            None
        }
        Some(_) => {
            problems.push(FieldError::new(field, "type", format!("{field} must be a string")));
            None
        }
    }
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

pub fn luhn_ok(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                if d * 2 > 9 {
                    d * 2 - 9
                } else {
                    d * 2
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// `YYMM` as months since year 2000, or None.
fn yymm(text: &str) -> Option<u32> {
    if text.len() != 4 || !all_digits(text) {
        return None;
    }
    let year: u32 = text[..2].parse().ok()?;
    let month: u32 = text[2..].parse().ok()?;
    (1..=12).contains(&month).then_some(year * 12 + month - 1)
}

/// The current Korean month, as months since year 2000.
fn current_month() -> u32 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let days = (now + KST_OFFSET_SECS).div_euclid(86_400);
    let (year, month) = civil_from_days(days);
    ((year - 2000).max(0) as u32) * 12 + month - 1
}

/// Year and month of a day count since 1970-01-01 (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems(card: Value) -> Vec<(String, &'static str)> {
        let mut body = card.as_object().unwrap().clone();
        let mut p = Vec::new();
        check(&mut body, &mut p);
        p.into_iter().map(|f| (f.field, f.rule)).collect()
    }

    #[test]
    fn a_good_card_passes_and_is_normalised() {
        let mut body =
            json!({"CARDNO": "4111-1111 1111-1111", "EXPIREDT": "9912", "CARDAUTH": "900101", "CARDPWD": "12"})
                .as_object()
                .unwrap()
                .clone();
        let mut p = Vec::new();
        check(&mut body, &mut p);
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(body["CARDNO"], "4111111111111111");
        assert_eq!(body["QUOTA"], "00");
    }

    #[test]
    fn every_bad_field_is_named_without_its_value() {
        let p = problems(
            json!({"CARDNO": "4111111111111112", "EXPIREDT": "0101", "CARDAUTH": "12345", "CARDPWD": "123", "QUOTA": 3}),
        );
        for want in [
            ("CARDNO", "luhn"),
            ("EXPIREDT", "expired"),
            ("CARDAUTH", "format"),
            ("CARDPWD", "format"),
            ("QUOTA", "format"),
        ] {
            assert!(p.contains(&(want.0.to_string(), want.1)), "{want:?} in {p:?}");
        }
        let p = problems(json!({}));
        assert_eq!(p.len(), 4);
        assert!(problems(
            json!({"CARDNO": "4111111111111111", "EXPIREDT": "9913", "CARDAUTH": "1234567890", "CARDPWD": "00"})
        )
        .contains(&("EXPIREDT".into(), "format")));
    }

    #[test]
    fn the_calendar_is_right() {
        assert_eq!(civil_from_days(0), (1970, 1));
        assert_eq!(civil_from_days(20_513), (2026, 3)); // 2026-03-01
        assert_eq!(civil_from_days(20_512), (2026, 2)); // 2026-02-28
        assert!(current_month() >= 26 * 12 + 10);
    }
}
