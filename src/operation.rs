//! The operations of the contract and the one table that maps each to its endpoint module. Adding an
//! operation: a new module, one variant and one line in each `match` here, the C export in `ffi`, and
//! the bindings (Java reaches it by `code()`).

use serde_json::Value;

use crate::context::Context;
use crate::error::Result;
use crate::{
    billkey_delete, billkeygen, cancel, confirm_noti, decrypt, paycert, paysearch, raw_request, ready, receipt,
    recurring_charge, schedule_cancel, token, verify,
};

/// One client operation. The declaration order is the JNI operation code (`Native.OP_*`): append only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    Token,
    Ready,
    Decrypt,
    Paycert,
    Verify,
    Billkeygen,
    RecurringCharge,
    ScheduleCancel,
    BillkeyDelete,
    Cancel,
    Paysearch,
    ReceiptUrl,
    Request,
    ConfirmNoti,
}

impl Operation {
    pub const ALL: [Operation; 14] = [
        Operation::Token,
        Operation::Ready,
        Operation::Decrypt,
        Operation::Paycert,
        Operation::Verify,
        Operation::Billkeygen,
        Operation::RecurringCharge,
        Operation::ScheduleCancel,
        Operation::BillkeyDelete,
        Operation::Cancel,
        Operation::Paysearch,
        Operation::ReceiptUrl,
        Operation::Request,
        Operation::ConfirmNoti,
    ];

    /// The contract's name: the C function is `cookiepay_<name>`.
    pub fn name(self) -> &'static str {
        match self {
            Operation::Token => "token",
            Operation::Ready => "ready",
            Operation::Decrypt => "decrypt",
            Operation::Paycert => "paycert",
            Operation::Verify => "verify",
            Operation::Billkeygen => "billkeygen",
            Operation::RecurringCharge => "recurring_charge",
            Operation::ScheduleCancel => "schedule_cancel",
            Operation::BillkeyDelete => "billkey_delete",
            Operation::Cancel => "cancel",
            Operation::Paysearch => "paysearch",
            Operation::ReceiptUrl => "receipt_url",
            Operation::Request => "request",
            Operation::ConfirmNoti => "confirm_noti",
        }
    }

    pub fn from_name(name: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|op| op.name() == name)
    }

    /// The JNI operation code (`Native.OP_<NAME>`).
    pub fn code(self) -> i32 {
        self as i32
    }

    pub fn from_code(code: i32) -> Option<Operation> {
        usize::try_from(code).ok().and_then(|i| Operation::ALL.get(i).copied())
    }

    /// Run the operation on a parsed request.
    pub fn run(self, ctx: &Context, request: &Value) -> Result<Value> {
        match self {
            Operation::Token => token::call(&ctx.tokens, &ctx.channel, request),
            Operation::Ready => ready::call(ctx, request),
            Operation::Decrypt => decrypt::call(ctx, request),
            Operation::Paycert => paycert::call(ctx, request),
            Operation::Verify => verify::call(ctx, request),
            Operation::Billkeygen => billkeygen::call(ctx, request),
            Operation::RecurringCharge => recurring_charge::call(ctx, request),
            Operation::ScheduleCancel => schedule_cancel::call(ctx, request),
            Operation::BillkeyDelete => billkey_delete::call(ctx, request),
            Operation::Cancel => cancel::call(ctx, request),
            Operation::Paysearch => paysearch::call(ctx, request),
            Operation::ReceiptUrl => receipt::call(ctx, request),
            Operation::Request => raw_request::call(ctx, request),
            Operation::ConfirmNoti => confirm_noti::call(ctx, request),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codes_round_trip() {
        for (i, op) in Operation::ALL.into_iter().enumerate() {
            assert_eq!(op.code(), i as i32);
            assert_eq!(Operation::from_code(op.code()), Some(op));
            assert_eq!(Operation::from_name(op.name()), Some(op));
        }
        assert_eq!(Operation::from_code(14), None);
        assert_eq!(Operation::from_code(-1), None);
        assert_eq!(Operation::from_name("nope"), None);
    }
}
