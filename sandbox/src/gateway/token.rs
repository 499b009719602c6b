//! `POST /payAuth/token`: pay2_id + pay2_key → an HS256 TOKEN.

use serde_json::json;

use crate::choices as c;
use crate::gateway::shared::Gateway;
use crate::http::{Request, Response};
use crate::util::{lock, unix_now};
use crate::wire::{business_error, either, json_body, same_secret, str_field, ErrorFields, Reply};

pub fn token(gw: &Gateway, req: &Request) -> Response {
    either(answer(gw, req))
}

fn answer(gw: &Gateway, req: &Request) -> Reply {
    let fields = ErrorFields::Rtn;
    let obj = json_body(req, fields)?;
    let id = str_field(&obj, "pay2_id", fields)?;
    let key = str_field(&obj, "pay2_key", fields)?;
    let m = gw
        .merchants
        .get(id)
        .filter(|m| same_secret(m.api_key.as_bytes(), key.as_bytes()))
        .ok_or_else(|| business_error(fields, c::E_AUTH))?;
    // Real time, not the sandbox clock: moving the clock must not expire tokens.
    let iat = unix_now();
    let signer = lock(&gw.signer).clone();
    let token = signer.sign(&m.api_id, iat, iat.saturating_add(gw.token_lifetime_secs));
    Ok(Response::json(
        200,
        &json!({ "RTN_CD": c::OK_CODE, "RTN_MSG": c::OK_MSG, "TOKEN": token }),
    ))
}
