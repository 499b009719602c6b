//! `POST /api/paycert`: one payment by TID, for the merchant the TOKEN was issued to.

use crate::choices as c;
use crate::gateway::messages::paycert_json;
use crate::gateway::shared::Gateway;
use crate::http::{Request, Response};
use crate::util::lock;
use crate::wire::{error_reply, json_body, str_field, ErrorFields};

pub fn paycert(gw: &Gateway, req: &Request) -> Response {
    let fields = ErrorFields::Result;
    let m = match gw.merchant_by_token(req, fields) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let obj = match json_body(req, fields) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let tid = match str_field(&obj, "tid", fields) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let ledger = lock(&gw.ledger);
    match ledger.payments.get(tid) {
        // Another merchant's TID is answered exactly like an unknown one.
        Some(p) if p.api_id == m.api_id => Response::json(200, &paycert_json(p)),
        _ => error_reply(fields, c::STATUS_BUSINESS_ERROR, c::E_TID_NOT_FOUND, None),
    }
}
