//! The gateway endpoints the sandbox counts and injects faults into, by their control-API names.

use crate::wire::ErrorFields;

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Endpoint {
    Token,
    Ready,
    Window,
    Decrypt,
    Paycert,
    BillkeyGen,
    RecurringCharge,
    ScheduleCancel,
    BillkeyDelete,
    Cancel,
    Paysearch,
    Receipt,
}

impl Endpoint {
    pub const COUNT: usize = 12;
    pub const ALL: [Endpoint; Endpoint::COUNT] = [
        Endpoint::Token,
        Endpoint::Ready,
        Endpoint::Window,
        Endpoint::Decrypt,
        Endpoint::Paycert,
        Endpoint::BillkeyGen,
        Endpoint::RecurringCharge,
        Endpoint::ScheduleCancel,
        Endpoint::BillkeyDelete,
        Endpoint::Cancel,
        Endpoint::Paysearch,
        Endpoint::Receipt,
    ];

    /// The name used by `/_sandbox/stats` and `/_sandbox/faults`.
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Token => "token",
            Endpoint::Ready => "ready",
            Endpoint::Window => "window",
            Endpoint::Decrypt => "decrypt",
            Endpoint::Paycert => "paycert",
            Endpoint::BillkeyGen => "billkeygen",
            Endpoint::RecurringCharge => "recurring_charge",
            Endpoint::ScheduleCancel => "schedule_cancel",
            Endpoint::BillkeyDelete => "billkey_delete",
            Endpoint::Cancel => "cancel",
            Endpoint::Paysearch => "paysearch",
            Endpoint::Receipt => "receipt",
        }
    }

    pub fn from_name(s: &str) -> Option<Endpoint> {
        Endpoint::ALL.into_iter().find(|e| e.name() == s)
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// Which field names the endpoint's error answers use.
    pub fn error_fields(self) -> ErrorFields {
        match self {
            Endpoint::Token | Endpoint::Ready => ErrorFields::Rtn,
            Endpoint::Cancel => ErrorFields::Cancel,
            _ => ErrorFields::Result,
        }
    }
}
