//! Small helpers: locking, Korean time, HTML escaping, card checks.

use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

/// Poisoning only means another request panicked mid-update; the data is still usable and a
/// sandbox must keep answering.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Civil date-time in Asia/Seoul (UTC+9, no DST since 1988).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kst {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub min: u32,
    pub sec: u32,
}

impl Kst {
    pub fn from_unix(secs: u64) -> Kst {
        let t = secs as i64 + 9 * 3600;
        let days = t.div_euclid(86_400);
        let sod = t.rem_euclid(86_400);
        // Howard Hinnant's days-to-civil algorithm.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
        Kst {
            year,
            month,
            day,
            hour: (sod / 3600) as u32,
            min: (sod % 3600 / 60) as u32,
            sec: (sod % 60) as u32,
        }
    }

    /// YYYYMMDDHHMMSS, the vendor's ACCEPTDATE/GENDATE format.
    pub fn compact(&self) -> String {
        format!(
            "{:04}{:02}{:02}{:02}{:02}{:02}",
            self.year, self.month, self.day, self.hour, self.min, self.sec
        )
    }
}

pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

pub fn luhn_ok(digits: &str) -> bool {
    let mut sum = 0u32;
    for (i, b) in digits.bytes().rev().enumerate() {
        if !b.is_ascii_digit() {
            return false;
        }
        let mut d = (b - b'0') as u32;
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    !digits.is_empty() && sum.is_multiple_of(10)
}

/// `************1111`: only the last four digits survive.
pub fn mask_card(digits: &str) -> String {
    let n = digits.chars().count();
    let keep = n.min(4);
    let mut out = "*".repeat(n - keep);
    out.extend(digits.chars().skip(n - keep));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kst_dates() {
        // 2024-09-10 06:27:39 UTC = 15:27:39 KST (the manual's GENDATE example).
        assert_eq!(Kst::from_unix(1_725_949_659).compact(), "20240910152739");
        // UTC 2023-12-31 15:00:00 is already New Year in Seoul.
        assert_eq!(Kst::from_unix(1_704_034_800).compact(), "20240101000000");
        assert_eq!(Kst::from_unix(0).compact(), "19700101090000");
        // Leap day.
        assert_eq!(Kst::from_unix(1_709_164_800).compact(), "20240229090000");
    }

    #[test]
    fn escaping_and_cards() {
        assert_eq!(html_escape("<script>\"a'&"), "&lt;script&gt;&quot;a&#39;&amp;");
        assert!(luhn_ok("4111111111111111"));
        assert!(!luhn_ok("4111111111111112"));
        assert!(!luhn_ok(""));
        assert_eq!(mask_card("4111111111111111"), "************1111");
        assert_eq!(mask_card("12"), "12");
    }
}
