//! What all CookiePay answers share: string result codes, and field names the vendor spells two ways.

use serde_json::{Map, Value};

use crate::error::Error;

/// The success code of every CookiePay endpoint (a string, never a number).
pub const SUCCESS: &str = "0000";

/// The same datum under the names different CookiePay answers use (manual vs. its own samples vs.
/// notifications). Callers find both names, whichever one the server sent.
const ALIASES: [(&str, &str); 4] = [
    ("ACCEPTNO", "ACCEPT_NO"),
    ("ACCEPTDATE", "ACCEPT_DATE"),
    ("PAYMETHOD", "PAY_METHOD"),
    ("BUYERID", "USERID"),
];

/// A result code exactly as sent, as text; "" when absent. Codes are strings at CookiePay: a number
/// (`0`) or a padded string (`" 0000 "`) is shown as it came and is never `SUCCESS`.
pub fn code_of(answer: &Value, field: &str) -> String {
    match answer.get(field) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

pub fn text_of(answer: &Value, field: &str) -> String {
    answer.get(field).map(as_text).unwrap_or_default()
}

/// A value as the text CookiePay would send: strings as they are, null as "", others as JSON.
pub fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The `api` error for a non-success answer, keeping the whole answer for the caller.
pub fn api_error(answer: &Value, code_field: &str, message_field: &str, layer: Option<&'static str>) -> Error {
    let code = code_of(answer, code_field);
    // A refused answer may still carry a TOKEN or card data (a token answer with an odd code).
    let mut response = answer.clone();
    crate::secrets::mask_fields(&mut response);
    Error::Api {
        code: if code.is_empty() { "(none)".into() } else { code },
        message: text_of(answer, message_field),
        hint: None,
        response: Box::new(response),
        layer,
    }
}

/// Add the missing twin of every aliased field, and mask card data (`secrets::mask_card_data`);
/// unknown fields and value types stay as received.
pub fn normalize(mut fields: Map<String, Value>) -> Map<String, Value> {
    crate::secrets::mask_card_data(&mut fields);
    for (a, b) in ALIASES {
        match (fields.contains_key(a), fields.contains_key(b)) {
            (true, false) => {
                let v = fields[a].clone();
                fields.insert(b.into(), v);
            }
            (false, true) => {
                let v = fields[b].clone();
                fields.insert(a.into(), v);
            }
            _ => {}
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_spellings_appear_and_values_stay_as_received() {
        let m =
            json!({"ACCEPT_NO": "123", "ACCEPTDATE": "20240910152739", "USERID": "guest", "AMOUNT": "1004", "NEW": 1});
        let n = normalize(m.as_object().unwrap().clone());
        assert_eq!(n["ACCEPTNO"], "123");
        assert_eq!(n["ACCEPT_DATE"], "20240910152739");
        assert_eq!(n["BUYERID"], "guest");
        assert_eq!(n["AMOUNT"], "1004");
        assert_eq!(n["NEW"], 1);
        assert!(!n.contains_key("PAYMETHOD"));
    }

    #[test]
    fn only_the_string_0000_is_success() {
        assert_eq!(code_of(&json!({"RESULTCODE": 0}), "RESULTCODE"), "0");
        assert_ne!(code_of(&json!({"RESULTCODE": " 0000 "}), "RESULTCODE"), SUCCESS);
        assert_eq!(code_of(&json!({"RESULTCODE": "0000"}), "RESULTCODE"), SUCCESS);
        assert_eq!(code_of(&json!({"RESULTCODE": "E008"}), "RESULTCODE"), "E008");
        assert_eq!(code_of(&json!({}), "RESULTCODE"), "");
    }
}
