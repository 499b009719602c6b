//! Human output: key/value blocks and tables aligned by terminal display width (Hangul and other
//! East Asian wide characters take two columns), amounts as `5,000원`, dates in KST.

use serde_json::Value;
use unicode_width::UnicodeWidthStr;

/// Columns `s` takes in a terminal, as the `unicode-width` crate measures it from the Unicode
/// tables (East Asian Width, emoji presentation, combining marks, Hangul Jamo): a hand-kept list of
/// ranges missed ☕ and 🚀 and left their rows a column off.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Pads `s` on the right to `w` display columns.
pub fn pad(s: &str, w: usize) -> String {
    let mut out = s.to_string();
    out.extend(std::iter::repeat_n(' ', w.saturating_sub(width(s))));
    out
}

/// Pads `s` on the left to `w` display columns.
pub fn pad_left(s: &str, w: usize) -> String {
    let mut out: String = std::iter::repeat_n(' ', w.saturating_sub(width(s))).collect();
    out.push_str(s);
    out
}

/// Text from CookiePay is shown as-is (Korean intact) except control characters, which could move
/// the cursor or recolour the terminal: those become `\u{..}` escapes.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// `5000` → `5,000원`; anything that is not a plain whole number is shown unchanged.
pub fn won(v: &str) -> String {
    let digits = v.trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return v.to_string();
    }
    let digits = digits.trim_start_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out.push('원');
    out
}

/// Keys whose values are amounts in KRW.
pub fn is_amount_key(k: &str) -> bool {
    let k = k.to_ascii_uppercase();
    k == "AMOUNT" || k.ends_with("_AMT") || k.ends_with("_AMOUNT") || k == "CANCELAMT"
}

/// Second spellings the core adds for aliased names: hidden in human output when equal to the first.
const ALIASES: [(&str, &str); 4] = [
    ("ACCEPT_NO", "ACCEPTNO"),
    ("ACCEPT_DATE", "ACCEPTDATE"),
    ("PAY_METHOD", "PAYMETHOD"),
    ("USERID", "BUYERID"),
];

pub fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => clean(s),
        Value::Null => String::new(),
        other => clean(&other.to_string()),
    }
}

/// `20261127221027` → `2026-11-27 22:10:27`, `20261127` → `2026-11-27`; anything else unchanged.
pub fn compact_date(v: &str) -> String {
    if !v.bytes().all(|b| b.is_ascii_digit()) {
        return v.to_string();
    }
    match v.len() {
        14 => format!(
            "{}-{}-{} {}:{}:{}",
            &v[0..4],
            &v[4..6],
            &v[6..8],
            &v[8..10],
            &v[10..12],
            &v[12..14]
        ),
        8 => format!("{}-{}-{}", &v[0..4], &v[4..6], &v[6..8]),
        _ => v.to_string(),
    }
}

/// Value as people read it: amounts as won, compact dates with dashes, the rest cleaned.
pub fn display_value(key: &str, v: &Value) -> String {
    let s = scalar(v);
    if is_amount_key(key) {
        won(&s)
    } else if key.to_ascii_uppercase().contains("DATE") {
        compact_date(&s)
    } else {
        s
    }
}

/// An object as aligned `KEY  value` lines. Empty values and duplicate alias spellings are skipped.
pub fn key_values(obj: &serde_json::Map<String, Value>) -> String {
    let mut rows: Vec<(String, String)> = Vec::new();
    for (k, v) in obj {
        if let Some((_, canon)) = ALIASES.iter().find(|(alias, _)| alias == k) {
            if obj.get(*canon) == Some(v) {
                continue;
            }
        }
        if v.is_object() || v.is_array() {
            rows.push((clean(k), clean(&v.to_string())));
            continue;
        }
        let shown = display_value(k, v);
        if shown.is_empty() {
            continue;
        }
        rows.push((clean(k), shown));
    }
    let w = rows.iter().map(|(k, _)| width(k)).max().unwrap_or(0);
    let mut out = String::new();
    for (k, v) in rows {
        out.push_str(&pad(&k, w));
        out.push_str("  ");
        out.push_str(&v);
        out.push('\n');
    }
    out
}

/// A table: header row, then rows; columns separated by two spaces; amounts right-aligned.
pub fn table(headers: &[&str], rows: &[Vec<String>], right: &[bool]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(width(c));
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| -> String {
        let mut parts = Vec::new();
        for (i, c) in cells.enumerate() {
            let last = i + 1 == widths.len();
            parts.push(if right.get(i) == Some(&true) {
                pad_left(c, widths[i])
            } else if last {
                c.to_string()
            } else {
                pad(c, widths[i])
            });
        }
        parts.join("  ").trim_end().to_string() + "\n"
    };
    let mut out = line(&mut headers.iter().copied());
    for r in rows {
        out.push_str(&line(&mut r.iter().map(String::as_str)));
    }
    out
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

const KST_OFFSET: i64 = 9 * 3600;

/// Unix seconds → `2026-11-27 21:47:40 KST`.
pub fn kst(unix: i64) -> String {
    let t = unix + KST_OFFSET;
    let (y, m, d) = civil(t.div_euclid(86_400));
    let s = t.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} KST",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// Today in Korea, `YYYY-MM-DD` (CookiePay's dates are KST).
pub fn today_kst() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    kst(now as i64)[..10].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths() {
        assert_eq!(width("홍길동"), 6);
        assert_eq!(width("A-1"), 3);
        assert_eq!(width("정기구독 1개월"), 14);
        assert_eq!(pad("홍길동", 8), "홍길동  ");
        assert_eq!(pad_left("5,000원", 9), "  5,000원");
    }

    #[test]
    fn amounts() {
        assert_eq!(won("5000"), "5,000원");
        assert_eq!(won("100"), "100원");
        assert_eq!(won("1234567"), "1,234,567원");
        assert_eq!(won("0"), "0원");
        assert_eq!(won("12a"), "12a");
        assert_eq!(compact_date("20261127221027"), "2026-11-27 22:10:27");
        assert_eq!(compact_date("20261127"), "2026-11-27");
        assert_eq!(compact_date("2026-11-27 22:10:27"), "2026-11-27 22:10:27");
        assert_eq!(
            display_value("cancel_date", &Value::from("20261127221028")),
            "2026-11-27 22:10:28"
        );
        assert!(is_amount_key("AMOUNT") && is_amount_key("cancel_amt") && !is_amount_key("TID"));
    }

    #[test]
    fn dates() {
        assert_eq!(kst(0), "1970-01-01 09:00:00 KST");
        assert_eq!(kst(1_798_000_000), "2026-12-23 13:26:40 KST");
        assert_eq!(kst(951_782_400 - KST_OFFSET), "2000-02-29 00:00:00 KST");
    }

    #[test]
    fn controls_are_escaped() {
        assert_eq!(clean("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(clean("성공"), "성공");
    }

    #[test]
    fn table_aligns_hangul() {
        let t = table(
            &["NAME", "AMOUNT", "X"],
            &[
                vec!["홍길동".into(), "5,000원".into(), "a".into()],
                vec!["Kim".into(), "10,000원".into(), "b".into()],
            ],
            &[false, true, false],
        );
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[1], "홍길동   5,000원  a");
        assert_eq!(lines[2], "Kim     10,000원  b");
        assert_eq!(width(lines[1]), width(lines[2]));
    }

    #[test]
    fn table_aligns_emoji() {
        // ☕ (U+2615) and 🚀 (U+1F680) are wide in a terminal: two columns each, like Hangul.
        assert_eq!(width("☕"), 2);
        assert_eq!(width("🚀"), 2);
        let t = table(
            &["ITEM", "AMOUNT", "NOTE"],
            &[
                vec!["커피 ☕".into(), "4,500원".into(), "a".into()],
                vec!["🚀 배송".into(), "3,000원".into(), "b".into()],
                vec!["Tea".into(), "12,000원".into(), "c".into()],
            ],
            &[false, true, false],
        );
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "ITEM       AMOUNT  NOTE");
        assert_eq!(lines[1], "커피 ☕   4,500원  a");
        assert_eq!(lines[2], "🚀 배송   3,000원  b");
        assert_eq!(lines[3], "Tea      12,000원  c");
    }
}
