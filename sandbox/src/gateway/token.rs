//! `POST /payAuth/token`: pay2_id + pay2_key → an HS256 TOKEN.

use serde_json::{json, Value};

use crate::choices as c;
use crate::gateway::shared::Gateway;
use crate::http::{Request, Response};
use crate::util::{lock, unix_now};
use crate::wire::{error_reply, json_body, same_secret, ErrorFields};

pub fn token(gw: &Gateway, req: &Request) -> Response {
    let fields = ErrorFields::Rtn;
    let obj = match json_body(req, fields) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let mut vals = [String::new(), String::new()];
    for (i, name) in ["pay2_id", "pay2_key"].into_iter().enumerate() {
        match obj.get(name) {
            None | Some(Value::Null) => return error_reply(fields, 200, c::E_REQUIRED, Some(name)),
            Some(Value::String(s)) if s.is_empty() => return error_reply(fields, 200, c::E_REQUIRED, Some(name)),
            Some(Value::String(s)) => vals[i] = s.clone(),
            Some(_) => return error_reply(fields, 200, c::E_FIELD_TYPE, Some(name)),
        }
    }
    let Some(m) = gw.merchants.get(&vals[0]) else {
        return error_reply(fields, c::STATUS_BUSINESS_ERROR, c::E_AUTH, None);
    };
    if !same_secret(m.api_key.as_bytes(), vals[1].as_bytes()) {
        return error_reply(fields, c::STATUS_BUSINESS_ERROR, c::E_AUTH, None);
    }
    // Real time, not the sandbox clock: moving the clock must not expire tokens.
    let iat = unix_now();
    let signer = lock(&gw.signer).clone();
    let token = signer.sign(&m.api_id, iat, iat.saturating_add(gw.token_lifetime_secs));
    Response::json(
        200,
        &json!({ "RTN_CD": c::OK_CODE, "RTN_MSG": c::OK_MSG, "TOKEN": token }),
    )
}
