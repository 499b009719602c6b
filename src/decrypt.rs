//! `POST /EdiAuth/cookiepay_edi_decrypt`: CookiePay decrypts the ENC_DATA posted to RETURNURL (the
//! algorithm is not published, so it is always a round trip). Two result codes: the outer one says
//! whether decryption worked, the inner `decryptData.RESULTCODE` whether the payment was approved.

use serde_json::{json, Value};

use crate::context::Context;
use crate::error::{Error, Result};
use crate::response::{api_error, code_of, normalize, SUCCESS};
use crate::transport::CallKind;

pub const PATH: &str = "/EdiAuth/cookiepay_edi_decrypt";

/// Largest ENC_DATA accepted: a real one is a few KiB of Base64.
pub const MAX_ENC_DATA_BYTES: usize = 64 * 1024;

/// `cookiepay_decrypt`: `{"ENC_DATA": …}` → the approved payment (`decryptData`, both spellings).
pub fn call(ctx: &Context, request: &Value) -> Result<Value> {
    let enc_data = match request.get("ENC_DATA") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim(),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            return Err(Error::field("ENC_DATA", "required", "ENC_DATA is required"))
        }
        Some(_) => return Err(Error::invalid("ENC_DATA must be a string")),
    };
    if enc_data.len() > MAX_ENC_DATA_BYTES {
        return Err(Error::field(
            "ENC_DATA",
            "max_length",
            format!("ENC_DATA must be at most {MAX_ENC_DATA_BYTES} bytes"),
        ));
    }
    decrypt(ctx, enc_data)
}

/// Decrypt an ENC_DATA (the return post's, or the one a /Subscribe answer wraps its payload in).
pub fn decrypt(ctx: &Context, enc_data: &str) -> Result<Value> {
    let body = json!({"API_ID": ctx.api_id(), "ENC_DATA": enc_data});
    let answer = ctx
        .channel
        .post_json(PATH, &[("ApiKey", ctx.api_key())], &body, CallKind::Idempotent)?;
    interpret(answer)
}

/// The payload of a `/Subscribe/*` answer: the outer `RESULTCODE` checked, then its `ENC_DATA`
/// decrypted (inner code checked) when there is one, else the answer itself. `after_money` marks an
/// answer to a money call: if decrypting fails, the call may still have taken effect (`outcome`
/// unknown); a declined payment inside stays an `api` error.
pub fn open(ctx: &Context, answer: Value, after_money: bool) -> Result<Value> {
    let enc_data = answer
        .get("ENC_DATA")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty());
    if code_of(&answer, "RESULTCODE") != SUCCESS {
        let layer = enc_data.map(|_| "outer");
        return Err(api_error(&answer, "RESULTCODE", "RESULTMSG", layer));
    }
    let Some(enc_data) = enc_data else {
        return match answer {
            Value::Object(fields) => Ok(Value::Object(normalize(fields))),
            other => Ok(other),
        };
    };
    decrypt(ctx, enc_data.trim()).map_err(|err| match err {
        declined @ Error::Api {
            layer: Some("inner"), ..
        } => declined,
        other if after_money => other.after_money_sent(),
        other => other,
    })
}

/// Check the outer code, then the payment's own code.
pub fn interpret(answer: Value) -> Result<Value> {
    if code_of(&answer, "RESULTCODE") != SUCCESS {
        return Err(api_error(&answer, "RESULTCODE", "RESULTMSG", Some("outer")));
    }
    let inner = match answer.get("decryptData") {
        Some(Value::Object(map)) => map.clone(),
        // Some PHP backends send nested JSON as a string.
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(map)) => map,
            _ => return Err(missing_payment(&answer)),
        },
        _ => return Err(missing_payment(&answer)),
    };
    let inner = Value::Object(normalize(inner));
    if code_of(&inner, "RESULTCODE") != SUCCESS {
        return Err(api_error(&inner, "RESULTCODE", "RESULTMSG", Some("inner")));
    }
    Ok(inner)
}

fn missing_payment(answer: &Value) -> Error {
    Error::Decode {
        outcome: None,
        message: "the decrypt answer reported success but has no decryptData object".into(),
        excerpt: crate::error::excerpt(answer.to_string().as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outer_and_inner_codes_are_separate() {
        let outer = interpret(json!({"RESULTCODE": "E001", "RESULTMSG": "복호화 실패"})).unwrap_err();
        assert!(matches!(outer, Error::Api { ref code, layer: Some("outer"), .. } if code == "E001"));
        let inner =
            interpret(json!({"RESULTCODE": "0000", "decryptData": {"RESULTCODE": "8003", "RESULTMSG": "한도초과"}}))
                .unwrap_err();
        assert!(matches!(inner, Error::Api { ref code, layer: Some("inner"), .. } if code == "8003"));
        let ok =
            interpret(json!({"RESULTCODE": "0000", "decryptData": {"RESULTCODE": "0000", "ACCEPT_NO": "1"}})).unwrap();
        assert_eq!(ok["ACCEPTNO"], "1");
        let missing = interpret(json!({"RESULTCODE": "0000"})).unwrap_err();
        assert_eq!(missing.kind(), "decode");
    }
}
