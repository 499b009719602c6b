//! `POST /EdiAuth/cookiepay_edi_decrypt`: ENC_DATA → `decryptData`.

use serde_json::{json, Value};

use crate::choices as c;
use crate::gateway::shared::{Auth, Gateway};
use crate::http::{Request, Response};
use crate::wire::{business_error, either, str_field, ErrorFields, Reply};

pub fn decrypt(gw: &Gateway, req: &Request) -> Response {
    either(answer(gw, req))
}

fn answer(gw: &Gateway, req: &Request) -> Reply {
    let fields = ErrorFields::Result;
    let (m, obj) = gw.authorized(req, Auth::Key, fields, Some("API_ID"))?;
    let enc = str_field(&obj, "ENC_DATA", fields)?;
    let data = m
        .sealer
        .open(&m.api_id, enc)
        .and_then(|plain| serde_json::from_slice::<Value>(&plain).ok())
        .ok_or_else(|| business_error(fields, c::E_DECRYPT))?;
    Ok(Response::json(
        200,
        &json!({ "RESULTCODE": c::OK_CODE, "RESULTMSG": c::OK_MSG, "decryptData": data }),
    ))
}
