//! `POST /api/paycert`: one payment by TID, for the merchant the TOKEN was issued to.

use crate::choices as c;
use crate::gateway::messages::paycert_json;
use crate::gateway::shared::{Auth, Gateway};
use crate::http::{Request, Response};
use crate::util::lock;
use crate::wire::{business_error, either, str_field, ErrorFields, Reply};

pub fn paycert(gw: &Gateway, req: &Request) -> Response {
    either(answer(gw, req))
}

fn answer(gw: &Gateway, req: &Request) -> Reply {
    let fields = ErrorFields::Result;
    let (m, obj) = gw.authorized(req, Auth::Token, fields, None)?;
    let tid = str_field(&obj, "tid", fields)?;
    let ledger = lock(&gw.ledger);
    match ledger.payments.get(tid) {
        // Another merchant's TID is answered exactly like an unknown one.
        Some(p) if p.api_id == m.api_id => Ok(Response::json(200, &paycert_json(p))),
        _ => Err(business_error(fields, c::E_TID_NOT_FOUND)),
    }
}
