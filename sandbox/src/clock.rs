//! The sandbox clock (real time plus an offset: moved forward by `POST /_sandbox/clock`, or set to a
//! date by `--clock-start` / `{"set": …}` so a suite means the same thing on every calendar day) and
//! the calendar arithmetic business dates need: civil dates, month lengths, weekdays.

use std::sync::atomic::{AtomicI64, Ordering};

use crate::util::{unix_now, Kst};

/// Business time: ACCEPTDATE, GENDATE, schedules, cancels, searches and card expiry use it.
/// TOKEN iat/exp and HTTP timeouts use real time.
#[derive(Default)]
pub struct SandboxClock {
    offset_secs: AtomicI64,
    /// Where `reset` puts the clock: `None` = real time.
    start: Option<u64>,
}

impl SandboxClock {
    /// A clock that reads `start` (unix seconds) now and runs on from there; `None` = real time.
    pub fn starting_at(start: Option<u64>) -> SandboxClock {
        let clock = SandboxClock {
            offset_secs: AtomicI64::new(0),
            start,
        };
        clock.reset();
        clock
    }

    pub fn offset_secs(&self) -> i64 {
        self.offset_secs.load(Ordering::SeqCst)
    }

    pub fn now_unix(&self) -> u64 {
        (unix_now() as i64).saturating_add(self.offset_secs()).max(0) as u64
    }

    pub fn now(&self) -> Kst {
        Kst::from_unix(self.now_unix())
    }

    /// Moves the clock forward by `secs` (never back).
    pub fn advance(&self, secs: u64) {
        let secs = i64::try_from(secs).unwrap_or(i64::MAX);
        let _ = self
            .offset_secs
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |o| Some(o.saturating_add(secs)));
    }

    /// The clock reads `unix` now (either direction) and runs on from there.
    pub fn set(&self, unix: u64) {
        let offset = (unix as i64).saturating_sub(unix_now() as i64);
        self.offset_secs.store(offset, Ordering::SeqCst);
    }

    /// Back to the start it was made with (`--clock-start`), else to real time.
    pub fn reset(&self) {
        match self.start {
            Some(start) => self.set(start),
            None => self.offset_secs.store(0, Ordering::SeqCst),
        }
    }
}

/// `YYYY-MM-DD` (midnight) or `YYYY-MM-DD HH:MM:SS` / `YYYY-MM-DDTHH:MM:SS`, Asia/Seoul, as unix
/// seconds; `None` for anything else or a date that does not exist.
pub fn parse_kst(s: &str) -> Option<u64> {
    let (date, time) = match s.len() {
        10 => (s, "00:00:00"),
        19 if matches!(s.as_bytes()[10], b' ' | b'T') => (s.get(..10)?, s.get(11..)?),
        _ => return None,
    };
    let date = Date::parse_dashed(date)?;
    let t = time.as_bytes();
    if t.len() != 8 || t[2] != b':' || t[5] != b':' || !time.bytes().filter(|c| *c != b':').all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let part = |r: std::ops::Range<usize>| time[r].parse::<u32>().ok();
    let (h, m, sec) = (part(0..2)?, part(3..5)?, part(6..8)?);
    if h > 23 || m > 59 || sec > 59 || date.year < 1970 {
        return None;
    }
    Some(date.unix_at_hour(h) + u64::from(m) * 60 + u64::from(sec))
}

/// A civil date (Asia/Seoul).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i64,
    pub month: u32,
    pub day: u32,
}

impl Date {
    pub fn of(k: &Kst) -> Date {
        Date {
            year: k.year,
            month: k.month,
            day: k.day,
        }
    }

    /// `YYYY-MM-DD` with a real calendar date, else `None`.
    pub fn parse_dashed(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = &s[r];
            part.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| part.parse().ok())
                .flatten()
        };
        let (year, month, day) = (digits(0..4)? as i64, digits(5..7)?, digits(8..10)?);
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// `YYYY-MM-DD`.
    pub fn dashed(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// `YYYYMMDD`, comparable with the start of an ACCEPTDATE.
    pub fn compact(&self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }

    /// Days since 1970-01-01 (Howard Hinnant's days-from-civil).
    pub fn days(&self) -> i64 {
        let y = if self.month <= 2 { self.year - 1 } else { self.year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = self.month as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + self.day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    pub fn from_days(days: i64) -> Date {
        Date::of(&Kst::from_unix((days * 86_400 - 9 * 3600).max(0) as u64))
    }

    pub fn add_days(&self, n: i64) -> Date {
        Date::from_days(self.days() + n)
    }

    /// 1 = Monday … 7 = Sunday.
    pub fn weekday(&self) -> u32 {
        // 1970-01-01 was a Thursday (4).
        ((self.days() + 3).rem_euclid(7) + 1) as u32
    }

    /// The same month `n` months later (day kept as is; callers clamp).
    pub fn months_later(&self, n: u32) -> (i64, u32) {
        let total = self.year * 12 + (self.month as i64 - 1) + n as i64;
        (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32)
    }

    /// Unix seconds of this date at `hour`:00:00 KST.
    pub fn unix_at_hour(&self, hour: u32) -> u64 {
        (self.days() * 86_400 + hour as i64 * 3600 - 9 * 3600).max(0) as u64
    }
}

pub fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// `YYYY-MM-DD HH:MM:SS`, the Noti GENDATE and E103 message format.
pub fn dashed_time(k: &Kst) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        k.year, k.month, k.day, k.hour, k.min, k.sec
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        let d = Date {
            year: 2024,
            month: 2,
            day: 29,
        };
        assert_eq!(Date::from_days(d.days()), d);
        assert_eq!(
            Date {
                year: 1970,
                month: 1,
                day: 1
            }
            .days(),
            0
        );
        assert_eq!(
            d.add_days(1),
            Date {
                year: 2024,
                month: 3,
                day: 1
            }
        );
        // 2026-11-27 is a Friday.
        assert_eq!(
            Date {
                year: 2026,
                month: 11,
                day: 27
            }
            .weekday(),
            5
        );
        assert_eq!(
            Date {
                year: 2026,
                month: 11,
                day: 30
            }
            .weekday(),
            1
        );
        assert_eq!(d.months_later(11), (2025, 1));
        assert_eq!(days_in_month(2100, 2), 28);
        assert_eq!(days_in_month(2000, 2), 29);
        assert_eq!(Date::parse_dashed("2026-02-29"), None);
        assert_eq!(
            Date::parse_dashed("2028-02-29").map(|d| d.dashed()).as_deref(),
            Some("2028-02-29")
        );
        assert_eq!(Date::parse_dashed("2026-1-01"), None);
        assert_eq!(Kst::from_unix(d.unix_at_hour(0)).compact(), "20240229000000");
    }

    #[test]
    fn the_clock_only_moves_forward() {
        let c = SandboxClock::default();
        let before = c.now_unix();
        c.advance(86_400);
        assert!(c.now_unix() >= before + 86_400);
        assert_eq!(c.offset_secs(), 86_400);
        c.reset();
        assert_eq!(c.offset_secs(), 0);
    }

    #[test]
    fn a_started_clock_reads_its_start_and_resets_to_it() {
        let start = parse_kst("2028-02-29 23:59:30").unwrap();
        assert_eq!(Kst::from_unix(start).compact(), "20280229235930");
        let c = SandboxClock::starting_at(Some(start));
        let read = c.now_unix();
        assert!((start..start + 5).contains(&read), "{read} for {start}");
        c.advance(86_400);
        assert_eq!(Date::of(&c.now()).dashed(), "2028-03-01");
        c.reset();
        assert!((start..start + 5).contains(&c.now_unix()));
        // Setting may go back: that is what a test's start date needs.
        c.set(parse_kst("2026-01-01").unwrap());
        assert_eq!(Date::of(&c.now()).dashed(), "2026-01-01");
    }

    #[test]
    fn start_dates_are_checked() {
        assert_eq!(
            parse_kst("2026-12-31").map(|u| Kst::from_unix(u).compact()).as_deref(),
            Some("20261231000000")
        );
        assert_eq!(
            parse_kst("2026-12-31T09:05:07")
                .map(|u| Kst::from_unix(u).compact())
                .as_deref(),
            Some("20261231090507")
        );
        for bad in [
            "2026-02-29",
            "2026-12-31 24:00:00",
            "2026-12-31 9:05:07",
            "20261231",
            "2026-12-31x10:00:00",
            "1969-12-31",
            "",
        ] {
            assert_eq!(parse_kst(bad), None, "{bad}");
        }
    }
}
