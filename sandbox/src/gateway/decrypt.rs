//! `POST /EdiAuth/cookiepay_edi_decrypt`: ENC_DATA → `decryptData`.

use serde_json::{json, Value};

use crate::choices as c;
use crate::gateway::shared::Gateway;
use crate::http::{Request, Response};
use crate::wire::{error_reply, json_body, str_field, ErrorFields};

pub fn decrypt(gw: &Gateway, req: &Request) -> Response {
    let fields = ErrorFields::Result;
    let m = match gw.merchant_by_key(req, fields) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let obj = match json_body(req, fields) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let api_id = match str_field(&obj, "API_ID", fields) {
        Ok(s) => s,
        Err(r) => return r,
    };
    if api_id != m.api_id {
        return error_reply(fields, c::STATUS_BUSINESS_ERROR, c::E_API_ID_MISMATCH, None);
    }
    let enc = match str_field(&obj, "ENC_DATA", fields) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(plain) = m.sealer.open(&m.api_id, enc) else {
        return error_reply(fields, c::STATUS_BUSINESS_ERROR, c::E_DECRYPT, None);
    };
    let Ok(data) = serde_json::from_slice::<Value>(&plain) else {
        return error_reply(fields, c::STATUS_BUSINESS_ERROR, c::E_DECRYPT, None);
    };
    Response::json(
        200,
        &json!({ "RESULTCODE": c::OK_CODE, "RESULTMSG": c::OK_MSG, "decryptData": data }),
    )
}
