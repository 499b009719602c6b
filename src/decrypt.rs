//! `POST /EdiAuth/cookiepay_edi_decrypt`: CookiePay decrypts the ENC_DATA posted to RETURNURL (the
//! algorithm is not published, so it is always a round trip). Two result codes: the outer one says
//! whether decryption worked, the inner `decryptData.RESULTCODE` whether the payment was approved.

use serde_json::{json, Value};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::response::{api_error, code_of, normalize, SUCCESS};
use crate::transport::CallKind;

pub const PATH: &str = "/EdiAuth/cookiepay_edi_decrypt";

/// `cookiepay_decrypt`: `{"ENC_DATA": …}` → the approved payment (`decryptData`, both spellings).
pub fn call(client: &Client, request: &Value) -> Result<Value> {
    let enc_data = match request.get("ENC_DATA") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim(),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            return Err(Error::Validation(vec![crate::error::FieldError {
                field: "ENC_DATA".into(),
                rule: "required",
                message: "ENC_DATA is required".into(),
            }]))
        }
        Some(_) => return Err(Error::invalid("ENC_DATA must be a string")),
    };
    let body = json!({"API_ID": client.api_id(), "ENC_DATA": enc_data});
    let answer = client.transport().post_json(
        PATH,
        &[("ApiKey", client.api_key())],
        &body,
        CallKind::ReadOnly,
    )?;
    interpret(answer)
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
        let inner = interpret(json!({"RESULTCODE": "0000", "decryptData": {"RESULTCODE": "8003", "RESULTMSG": "한도초과"}}))
            .unwrap_err();
        assert!(matches!(inner, Error::Api { ref code, layer: Some("inner"), .. } if code == "8003"));
        let ok = interpret(json!({"RESULTCODE": "0000", "decryptData": {"RESULTCODE": "0000", "ACCEPT_NO": "1"}})).unwrap();
        assert_eq!(ok["ACCEPTNO"], "1");
        let missing = interpret(json!({"RESULTCODE": "0000"})).unwrap_err();
        assert_eq!(missing.kind(), "decode");
    }
}
