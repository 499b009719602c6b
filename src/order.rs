//! The order fields that `/pay/ready` and `/Subscribe/billkeygen` share, and their rules from the
//! manual's table. Checked before anything is sent, because a rejected order number is burnt and a
//! tampered amount must never reach CookiePay.

use serde_json::{json, Map, Value};

use crate::error::FieldError;

/// `(field, max characters, required)`.
pub type FieldSpec = (&'static str, usize, bool);

/// The manual's `/pay/ready` request table. Lengths are counted in
/// characters: the API is UTF-8 JSON and the vendor's own plugin truncates with mb_substr.
pub const READY_FIELDS: [FieldSpec; 17] = [
    ("API_ID", 20, true),
    ("ORDERNO", 50, true),
    ("PRODUCTNAME", 40, true),
    ("AMOUNT", 10, true),
    ("BUYERNAME", 20, true),
    ("TAXYN", 1, false),
    ("RETURNURL", 100, true),
    ("BUYEREMAIL", 50, false),
    ("PRODUCTCODE", 10, false),
    ("BUYERID", 20, false),
    ("BUYERADDRESS", 100, false),
    ("BUYERPHONE", 20, false),
    ("ETC1", 100, false),
    ("ETC2", 100, false),
    ("ETC3", 100, false),
    ("ETC4", 100, false),
    ("ETC5", 100, false),
];

/// Check the order fields of `input` against `fields` and complete them into `body`: AMOUNT as a
/// string, API_ID filled in. Every problem is collected; messages name the rule, never the value
/// (values may be personal data).
pub fn check(
    api_id: &str,
    input: &Map<String, Value>,
    fields: &[FieldSpec],
    problems: &mut Vec<FieldError>,
) -> Map<String, Value> {
    let mut body = input.clone();

    // AMOUNT may come as a JSON number (the manual's C# and JSP samples) or a string; always sent as a string.
    if let Some(Value::Number(n)) = input.get("AMOUNT") {
        match n.as_u64() {
            Some(v) => {
                body.insert("AMOUNT".into(), Value::String(v.to_string()));
            }
            None => problems.push(FieldError::new(
                "AMOUNT",
                "digits_only",
                "AMOUNT must be a whole number of won",
            )),
        }
    }
    match input.get("API_ID") {
        None | Some(Value::Null) => {
            body.insert("API_ID".into(), json!(api_id));
        }
        Some(Value::String(s)) if s == api_id => {}
        Some(Value::String(_)) => problems.push(FieldError::new(
            "API_ID",
            "mismatch",
            "API_ID differs from the client's api_id (leave it out: the client fills it in)",
        )),
        Some(_) => {}
    }
    for &(field, max, required) in fields {
        let value = match body.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.as_str()),
            Some(_) => {
                problems.push(FieldError::new(field, "type", format!("{field} must be a string")));
                continue;
            }
        };
        let value = match value {
            Some(v) if !v.is_empty() => v,
            _ => {
                if required {
                    problems.push(FieldError::new(field, "required", format!("{field} is required")));
                }
                continue;
            }
        };
        let chars = value.chars().count();
        if chars > max {
            problems.push(FieldError::new(
                field,
                "max_length",
                format!("{field} must be at most {max} characters (got {chars})"),
            ));
        }
        if value.chars().any(|c| c.is_control()) {
            problems.push(FieldError::new(
                field,
                "control_character",
                format!("{field} must not contain control characters"),
            ));
        }
        if let Some(rule_problem) = field_rule(field, value) {
            problems.push(rule_problem);
        }
    }
    body
}

/// The per-field rules beyond length and presence.
fn field_rule(field: &str, value: &str) -> Option<FieldError> {
    match field {
        "PRODUCTNAME" if value.contains('&') => Some(FieldError::new(
            field,
            "forbidden_character",
            "PRODUCTNAME must not contain '&' (CookiePay rejects it)",
        )),
        "AMOUNT" if !value.bytes().all(|b| b.is_ascii_digit()) => Some(FieldError::new(
            field,
            "digits_only",
            "AMOUNT must contain digits only (no commas, signs or decimals)",
        )),
        "AMOUNT" if value.bytes().all(|b| b == b'0') => {
            Some(FieldError::new(field, "positive", "AMOUNT must be greater than 0"))
        }
        "TAXYN" if value != "Y" && value != "N" => {
            Some(FieldError::new(field, "one_of", "TAXYN must be Y (과세) or N (비과세)"))
        }
        "RETURNURL" if !is_absolute_http_url(value) => Some(FieldError::new(
            field,
            "url",
            "RETURNURL must be an absolute http:// or https:// URL",
        )),
        "BUYEREMAIL" if !is_plausible_email(value) => Some(FieldError::new(
            field,
            "email",
            "BUYEREMAIL is not a valid e-mail address",
        )),
        "BUYERPHONE" if !is_plausible_phone(value) => Some(FieldError::new(
            field,
            "phone",
            "BUYERPHONE must be a phone number: digits, optionally with '-', ' ' or a leading '+'",
        )),
        _ => None,
    }
}

pub fn is_absolute_http_url(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let rest = match lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")) {
        Some(rest) => rest,
        None => return false,
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or("");
    !host.is_empty() && !host.starts_with(':') && !value.chars().any(char::is_whitespace)
}

fn is_plausible_email(value: &str) -> bool {
    let mut parts = value.split('@');
    let (local, domain) = match (parts.next(), parts.next(), parts.next()) {
        (Some(l), Some(d), None) => (l, d),
        _ => return false,
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn is_plausible_phone(value: &str) -> bool {
    let digits = value.bytes().filter(u8::is_ascii_digit).count();
    let body = value.strip_prefix('+').unwrap_or(value);
    (8..=15).contains(&digits) && body.bytes().all(|b| b.is_ascii_digit() || b == b'-' || b == b' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_checks() {
        assert!(is_absolute_http_url("http://127.0.0.1:8080/r?x=1"));
        assert!(!is_absolute_http_url("javascript:alert(1)"));
        assert!(!is_absolute_http_url("https:///nohost"));
        assert!(!is_absolute_http_url("ftp://x.y"));
    }
}
