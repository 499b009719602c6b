//! What the gateway remembers: order numbers, window sessions, payments (with their cancels),
//! billing keys and recurring schedules. Never full card numbers, birth dates or passwords.

use std::collections::{HashMap, HashSet, VecDeque};

use crate::cards::CardProfile;
use crate::choices as c;
use crate::clock::Date;
use crate::crypto;

/// Order fields as the merchant sent them (`/pay/ready`, billkeygen).
#[derive(Clone, Default, Debug)]
pub struct Order {
    pub orderno: String,
    pub productname: String,
    pub amount: String,
    pub buyername: String,
    pub buyeremail: String,
    pub productcode: String,
    pub buyerid: String,
    pub buyeraddress: String,
    pub buyerphone: String,
    pub returnurl: String,
    pub etc: [String; 5],
}

pub struct Session {
    pub api_id: String,
    pub order: Order,
    pub used: bool,
    /// Sandbox-clock unix time of the ready call: the window expires `WINDOW_TTL` later.
    pub opened_at: u64,
}

/// A payment record. `Default` is the blank a new charge starts from: nothing cancelled, not
/// settled, not part of a schedule.
#[derive(Clone, Debug, Default)]
pub struct Payment {
    pub api_id: String,
    pub order: Order,
    /// `CARD` (window) or `CARD_BATCH` (billing-key charges).
    pub paymethod: &'static str,
    pub tid: String,
    pub acceptno: String,
    pub acceptdate: String,
    pub quota: String,
    pub card_name: String,
    pub card_code: String,
    pub card_masked: String,
    pub billkey: String,
    pub gendate: String,
    /// The approved amount as a number (AMOUNT is validated digits).
    pub amount_won: u64,
    /// Sum of all cancels so far.
    pub cancelled_won: u64,
    /// Every cancel so far: (YYYYMMDDHHMMSS, amount, reason).
    pub cancels: Vec<(String, u64, String)>,
    /// Set once the payment is fully cancelled, as paycert reports them.
    pub cancel_date: String,
    pub cancel_msg: String,
    /// Marked settled (KiwoomPay 입금 완료) by the control API: API cancels answer 9029.
    pub settled: bool,
    /// For recurring charges: the schedule and its cycle number.
    pub reserve_id: String,
    pub pay_cnt: u32,
}

impl Payment {
    pub fn remaining_won(&self) -> u64 {
        self.amount_won.saturating_sub(self.cancelled_won)
    }

    pub fn state(&self) -> &'static str {
        if self.cancelled_won == 0 {
            "approved"
        } else if self.remaining_won() == 0 {
            "cancelled"
        } else {
            "partially_cancelled"
        }
    }
}

pub struct BillingKey {
    pub key: String,
    pub api_id: String,
    /// YYYYMMDDHHMMSS (sandbox clock).
    pub gendate: String,
    pub card: CardProfile,
    pub card_masked: String,
    pub expiry: (i64, u32),
    pub quota: String,
    /// Charge attempts made with this key so far (the billkeygen first charge is 1).
    pub charges: u32,
    /// `YYYY-MM-DD HH:MM:SS` once deleted with billingkeycancel.
    pub deleted_at: Option<String>,
}

impl BillingKey {
    /// The key an approved first charge `p` (window or billkeygen) was made with: its BILLKEY,
    /// GENDATE, merchant, masked number and QUOTA, with that charge counted.
    pub fn of_first_charge(p: &Payment, card: CardProfile, expiry: (i64, u32)) -> BillingKey {
        BillingKey {
            key: p.billkey.clone(),
            api_id: p.api_id.clone(),
            gendate: p.gendate.clone(),
            card,
            card_masked: p.card_masked.clone(),
            expiry,
            quota: p.quota.clone(),
            charges: 1,
            deleted_at: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cadence {
    /// Day of month 1–31; past a month's end (31 = 말일) the charge falls on its last day.
    Monthly(u32),
    /// 1 = Monday … 7 = Sunday.
    Weekly(u32),
}

pub struct Schedule {
    pub reserve_id: String,
    pub api_id: String,
    pub billkey: String,
    pub cadence: Cadence,
    /// RECURRENCE_TYPE and PAY_DAY as the merchant sent them (echoed in answers).
    pub recurrence_type: String,
    pub pay_day: String,
    /// The billkeygen order: each charge reuses its fields (ORDERNO becomes RESERVE_ORDERNO).
    pub order: Order,
    pub start_cnt: u32,
    /// 0 = no end.
    pub last_cnt: u32,
    /// The number of the latest cycle charged or attempted (PAY_CNT).
    pub cycle: u32,
    /// `None` once the last cycle has run.
    pub next_pay_date: Option<Date>,
    /// Cycles whose charge declined and has not been paid since: (cycle, attempts).
    pub unpaid: Vec<(u32, u32)>,
    /// `YYYY-MM-DD HH:MM:SS` once cancelled.
    pub cancelled_at: Option<String>,
}

impl Schedule {
    pub fn status(&self) -> &'static str {
        if self.cancelled_at.is_some() {
            "cancelled"
        } else if self.next_pay_date.is_none() {
            "completed"
        } else {
            "active"
        }
    }
}

#[derive(Default)]
pub struct Ledger {
    /// Order numbers taken, per merchant (ready and billkeygen share them).
    pub orders: HashMap<String, HashSet<String>>,
    pub sessions: HashMap<String, Session>,
    pub session_order: VecDeque<String>,
    pub payments: HashMap<String, Payment>,
    pub payment_order: Vec<String>,
    pub billing_keys: HashMap<String, BillingKey>,
    pub schedules: HashMap<String, Schedule>,
    pub schedule_order: Vec<String>,
}

impl Ledger {
    /// A fresh TID for a payment accepted at `stamp` (YYYYMMDDHHMMSS).
    pub fn new_tid(&self, stamp: &str) -> String {
        loop {
            let tid = format!("{}{}{}", c::TID_PREFIX, &stamp[2..], crypto::random_digits(5));
            if !self.payments.contains_key(&tid) {
                return tid;
            }
        }
    }

    pub fn new_billkey(&self) -> String {
        loop {
            let k = crypto::random_lower_alnum(c::BILLKEY_LEN);
            if !self.billing_keys.contains_key(&k) {
                return k;
            }
        }
    }

    pub fn new_reserve_id(&self) -> String {
        loop {
            let id = crypto::random_lower_alnum(c::RESERVE_ID_LEN);
            if !self.schedules.contains_key(&id) {
                return id;
            }
        }
    }

    pub fn store_payment(&mut self, p: Payment) {
        self.payment_order.push(p.tid.clone());
        self.payments.insert(p.tid.clone(), p);
    }
}

/// `SRS` + KST yyyyMMddHHmmss + 6 random digits: the ORDERNO of a recurring charge.
pub fn recurring_orderno(stamp: &str) -> String {
    format!("{}{}{}", c::RECURRING_ORDERNO_PREFIX, stamp, crypto::random_digits(6))
}
