//! Reading the fields of a caller's request JSON: the shared rules for identifiers (TID, BILLKEY,
//! RESERVE_ID, …) so every endpoint refuses the same things the same way.

use serde_json::Value;

use crate::error::{Error, FieldError, Result};

/// A required identifier: a non-blank string of at most `max` characters, no control characters
/// (they would corrupt a header or a log line). `names` are the accepted spellings, the first one is
/// the one reported. Surrounding spaces are dropped.
pub fn identifier(request: &Value, names: &[&'static str], max: usize) -> Result<String> {
    let field = names[0];
    let value = names
        .iter()
        .find_map(|name| request.get(*name).filter(|v| !v.is_null()));
    match value {
        Some(Value::String(s)) if !s.trim().is_empty() => {
            let s = s.trim();
            if s.chars().count() > max || s.chars().any(char::is_control) {
                return Err(Error::field(
                    field,
                    "max_length",
                    format!("{field} must be at most {max} printable characters"),
                ));
            }
            Ok(s.to_owned())
        }
        Some(Value::String(_)) | None => Err(Error::field(field, "required", format!("{field} is required"))),
        Some(_) => Err(Error::invalid(format!("{field} must be a string"))),
    }
}

/// Several required identifiers, every problem reported at once: `(names, max)` each.
pub fn identifiers<const N: usize>(request: &Value, specs: [(&[&'static str], usize); N]) -> Result<[String; N]> {
    let mut problems: Vec<FieldError> = Vec::new();
    let mut values: [String; N] = std::array::from_fn(|_| String::new());
    for (slot, (names, max)) in values.iter_mut().zip(specs) {
        match identifier(request, names, max) {
            Ok(value) => *slot = value,
            Err(Error::Validation(more)) => problems.extend(more),
            Err(other) => return Err(other),
        }
    }
    if problems.is_empty() {
        Ok(values)
    } else {
        Err(Error::Validation(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn identifier_rules() {
        assert_eq!(identifier(&json!({"TID": " T1 "}), &["tid", "TID"], 50).unwrap(), "T1");
        let e = identifier(&json!({}), &["tid", "TID"], 50).unwrap_err();
        assert!(matches!(e, Error::Validation(ref f) if f[0].field == "tid" && f[0].rule == "required"));
        let e = identifier(&json!({"tid": "a\r\nb"}), &["tid"], 50).unwrap_err();
        assert!(matches!(e, Error::Validation(ref f) if f[0].rule == "max_length"));
        assert_eq!(
            identifier(&json!({"tid": 5}), &["tid"], 50).unwrap_err().kind(),
            "invalid_argument"
        );
    }

    #[test]
    fn problems_are_merged() {
        let r = identifiers(&json!({"B": "x"}), [(&["A"], 5), (&["B"], 5), (&["C"], 5)]);
        assert!(matches!(r, Err(Error::Validation(ref f)) if f.len() == 2));
        let [a, b] = identifiers(&json!({"A": "1", "B": "2"}), [(&["A"], 5), (&["B"], 5)]).unwrap();
        assert_eq!((a.as_str(), b.as_str()), ("1", "2"));
    }
}
