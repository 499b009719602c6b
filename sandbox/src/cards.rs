//! Test cards: what a card number entered in the window or in billkeygen does, and what each later
//! charge of a billing key made from it does.

use crate::choices::{self as c, ErrorCode};
use crate::util::{luhn_ok, mask_card, Kst};

/// Card fields as entered (window form, checkout helper, billkeygen body).
#[derive(Default)]
pub struct CardInput {
    pub cardno: String,
    pub expiredt: String,
    pub cardauth: String,
    pub cardpwd: String,
    pub quota: String,
}

impl CardInput {
    /// The card fields of a window form, checkout helper card or billkeygen body, each read by `get`
    /// (empty when absent).
    pub fn read(get: impl Fn(&str) -> String) -> CardInput {
        CardInput {
            cardno: get("CARDNO"),
            expiredt: get("EXPIREDT"),
            cardauth: get("CARDAUTH"),
            cardpwd: get("CARDPWD"),
            quota: get("QUOTA"),
        }
    }

    /// What the gateway works with and keeps of the entered card.
    pub fn entered(&self) -> EnteredCard {
        let digits = card_digits(&self.cardno);
        let quota = if self.quota.is_empty() {
            "00".to_string()
        } else {
            self.quota.clone()
        };
        let masked = if digits.bytes().all(|b| b.is_ascii_digit()) {
            mask_card(&digits)
        } else {
            String::new()
        };
        EnteredCard { digits, quota, masked }
    }
}

/// An entered card, normalised: the number's digits, QUOTA (empty = `00`, 일시불) and the masked
/// number (empty unless the number is all digits).
pub struct EnteredCard {
    pub digits: String,
    pub quota: String,
    pub masked: String,
}

/// What a charge on a card of the table does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChargeRule {
    Approve,
    Decline(ErrorCode),
    /// Declines only the `n`-th charge made with a billing key of this card.
    DeclineNthCharge(u32, ErrorCode),
}

/// A card of the test table, as a billing key remembers it (never the number itself).
#[derive(Clone, Copy, Debug)]
pub struct CardProfile {
    pub card_name: &'static str,
    pub card_code: &'static str,
    pub rule: ChargeRule,
}

/// Which CARDAUTH lengths are accepted: the window asks for a birth date (6 digits), billkeygen
/// also takes a business registration number (10 digits).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum CardAuthKind {
    BirthDate,
    BirthDateOrBusinessNumber,
}

pub fn lookup(digits: &str) -> Option<CardProfile> {
    if let Some(t) = c::TEST_CARDS.iter().find(|t| t.number == digits) {
        let rule = match t.behaviour {
            c::CardBehaviour::Approve => ChargeRule::Approve,
            c::CardBehaviour::Decline(e) => ChargeRule::Decline(e),
        };
        return Some(CardProfile {
            card_name: t.card_name,
            card_code: t.card_code,
            rule,
        });
    }
    c::DUNNING_CARDS
        .iter()
        .find(|t| t.number == digits)
        .map(|t| CardProfile {
            card_name: t.card_name,
            card_code: t.card_code,
            rule: ChargeRule::DeclineNthCharge(t.declined_charge, t.decline),
        })
}

/// `CARDNO` without the spaces and dashes people type.
pub fn card_digits(cardno: &str) -> String {
    cardno.chars().filter(|&ch| ch != ' ' && ch != '-').collect()
}

/// `YYMM` → (year, month) once validated.
pub fn expiry_of(expiredt: &str) -> (i64, u32) {
    let yy: i64 = expiredt.get(..2).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mm: u32 = expiredt.get(2..4).and_then(|s| s.parse().ok()).unwrap_or(0);
    (2000 + yy, mm)
}

/// The verdict on a newly entered card for its first charge. Checks in order: input shape, Luhn,
/// expiry (by the sandbox clock), then the test card table. A declined verdict still carries the
/// card's profile when the number is in the table.
pub fn first_charge_verdict(
    digits: &str,
    card: &CardInput,
    quota: &str,
    auth: CardAuthKind,
    now: Kst,
) -> Result<CardProfile, (ErrorCode, Option<CardProfile>)> {
    let all_digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let quota_ok = all_digits(quota, 2) && quota.parse::<u32>().is_ok_and(|q| q <= c::QUOTA_MAX);
    let month_ok =
        all_digits(&card.expiredt, 4) && card.expiredt[2..].parse::<u32>().is_ok_and(|m| (1..=12).contains(&m));
    let auth_ok = all_digits(&card.cardauth, 6)
        || (auth == CardAuthKind::BirthDateOrBusinessNumber && all_digits(&card.cardauth, 10));
    if digits.is_empty() || !month_ok || !auth_ok || !all_digits(&card.cardpwd, 2) || !quota_ok {
        return Err((c::C_INPUT, None));
    }
    if !(c::CARDNO_MIN_DIGITS..=c::CARDNO_MAX_DIGITS).contains(&digits.len()) || !luhn_ok(digits) {
        return Err((c::C_INVALID_NUMBER, None));
    }
    let Some(profile) = lookup(digits) else {
        if expired(expiry_of(&card.expiredt), now) {
            return Err((c::C_EXPIRED, None));
        }
        return Err((c::C_UNKNOWN_CARD, None));
    };
    match charge_verdict(&profile, 1, expiry_of(&card.expiredt), now) {
        Ok(()) => Ok(profile),
        Err(e) => Err((e, Some(profile))),
    }
}

fn expired(expiry: (i64, u32), now: Kst) -> bool {
    expiry < (now.year, now.month)
}

/// The verdict on the `charge_no`-th charge (1 = the first) of a card of the table.
pub fn charge_verdict(profile: &CardProfile, charge_no: u32, expiry: (i64, u32), now: Kst) -> Result<(), ErrorCode> {
    if expired(expiry, now) {
        return Err(c::C_EXPIRED);
    }
    match profile.rule {
        ChargeRule::Approve => Ok(()),
        ChargeRule::Decline(e) => Err(e),
        ChargeRule::DeclineNthCharge(n, e) if n == charge_no => Err(e),
        ChargeRule::DeclineNthCharge(..) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(no: &str, exp: &str, auth: &str) -> CardInput {
        CardInput {
            cardno: no.into(),
            expiredt: exp.into(),
            cardauth: auth.into(),
            cardpwd: "12".into(),
            quota: "00".into(),
        }
    }

    #[test]
    fn verdicts() {
        let now = Kst::from_unix(1_764_201_600); // 2025-11-27 09:00 KST
        let ok = input("4111111111111111", "3912", "900101");
        assert!(first_charge_verdict("4111111111111111", &ok, "00", CardAuthKind::BirthDate, now).is_ok());
        let biz = input("4111111111111111", "3912", "1234567890");
        let r = first_charge_verdict("4111111111111111", &biz, "00", CardAuthKind::BirthDate, now);
        assert_eq!(r.err().map(|e| e.0), Some(c::C_INPUT));
        assert!(first_charge_verdict(
            "4111111111111111",
            &biz,
            "00",
            CardAuthKind::BirthDateOrBusinessNumber,
            now
        )
        .is_ok());
        let old = input("4111111111111111", "2510", "900101");
        let r = first_charge_verdict("4111111111111111", &old, "00", CardAuthKind::BirthDate, now);
        assert_eq!(r.err().map(|e| e.0), Some(c::C_EXPIRED));
        let dunning = lookup("4000000000000333").expect("dunning card");
        assert!(charge_verdict(&dunning, 1, (2039, 12), now).is_ok());
        assert!(charge_verdict(&dunning, 2, (2039, 12), now).is_ok());
        assert_eq!(charge_verdict(&dunning, 3, (2039, 12), now), Err(c::C_LIMIT));
        assert!(charge_verdict(&dunning, 4, (2039, 12), now).is_ok());
        assert_eq!(charge_verdict(&dunning, 1, (2025, 10), now), Err(c::C_EXPIRED));
        assert!(
            charge_verdict(&dunning, 1, (2025, 11), now).is_ok(),
            "valid through its expiry month"
        );
    }
}
