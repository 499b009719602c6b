//! What must never leave the library in clear: the API key, TOKENs and card data. Two tools, used
//! wherever text leaves (errors, the `--verbose` exchange log): mask the values of secret fields in a
//! JSON body, and scrub known secret strings from any text in every form they could be echoed in.

use serde_json::Value;

pub const REDACTED: &str = "[REDACTED]";

/// Field names whose values are secrets in requests and answers (matched case-insensitively).
const SECRET_FIELDS: [&str; 8] = [
    "pay2_key", "api_key", "apikey", "token", "cardno", "cardpwd", "cardauth", "expiredt",
];

pub fn is_secret_field(name: &str) -> bool {
    SECRET_FIELDS.iter().any(|f| f.eq_ignore_ascii_case(name))
}

/// Replace the value of every secret field, at any depth.
pub fn mask_fields(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if is_secret_field(key) && !v.is_null() {
                    *v = Value::String(REDACTED.into());
                } else {
                    mask_fields(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_fields),
        _ => {}
    }
}

/// Card data in an answer or a Noti as this library hands it on: a card number keeps only its last
/// four digits (CookiePay's own answers are masked already; a forged or misconfigured one may not be),
/// and expiry, birth date and password are never passed on.
pub fn mask_card_data(fields: &mut serde_json::Map<String, Value>) {
    for (key, value) in fields.iter_mut() {
        let Value::String(text) = value else { continue };
        if text.is_empty() {
            continue;
        }
        if key.eq_ignore_ascii_case("cardno") {
            if text.contains('*') {
                continue; // masked by CookiePay already: keep its form
            }
            let digits = text.bytes().filter(u8::is_ascii_digit).count();
            let mut seen = 0;
            let masked: String = text
                .chars()
                .map(|c| {
                    if !c.is_ascii_digit() {
                        return c;
                    }
                    seen += 1;
                    if digits - seen < 4 {
                        c
                    } else {
                        '*'
                    }
                })
                .collect();
            *text = masked;
        } else if ["cardpwd", "cardauth", "expiredt"]
            .iter()
            .any(|k| key.eq_ignore_ascii_case(k))
        {
            *text = REDACTED.into();
        }
    }
}

/// A body for a log: JSON with its secret fields masked, or the text as it is.
pub fn masked_body(body: &[u8]) -> String {
    match serde_json::from_slice::<Value>(body) {
        Ok(mut value) => {
            mask_fields(&mut value);
            value.to_string()
        }
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    }
}

/// Remove each secret from `text`, raw and as a JSON string escape or a URL encoding would echo it
/// (a WAF page or a gateway error may quote the request back) — and any piece of it of
/// `MIN_PIECE` characters or more (a page that quotes only the start of a header).
pub fn scrub(mut text: String, secrets: &[&str]) -> String {
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        for form in encodings(secret) {
            if text.contains(form.as_str()) {
                text = text.replace(form.as_str(), REDACTED);
            }
            if form.len() >= 2 * MIN_PIECE && form.is_ascii() {
                text = scrub_pieces(text, &form);
            }
        }
    }
    text
}

/// Pieces of a long secret at least this long are secrets too.
pub(crate) const MIN_PIECE: usize = 12;

/// Replace every run of `text` made of `MIN_PIECE`-long pieces of `secret` (ASCII) with `REDACTED`.
fn scrub_pieces(text: String, secret: &str) -> String {
    let pieces: std::collections::HashSet<&[u8]> = secret.as_bytes().windows(MIN_PIECE).collect();
    let bytes = text.as_bytes();
    if bytes.len() < MIN_PIECE {
        return text;
    }
    let mut covered = vec![false; bytes.len()];
    let mut any = false;
    for (start, window) in bytes.windows(MIN_PIECE).enumerate() {
        if pieces.contains(window) {
            covered[start..start + MIN_PIECE].iter_mut().for_each(|c| *c = true);
            any = true;
        }
    }
    if !any {
        return text;
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if covered[i] {
            out.extend_from_slice(REDACTED.as_bytes());
            while i < bytes.len() && covered[i] {
                i += 1;
            }
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    // Covered runs are ASCII matches of an ASCII secret, so every cut is on a character boundary.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Does `bytes` hold any of `secrets` in any of the forms `scrub` removes? The reference for
/// `channel::SecretForms`, which answers the same with the forms compiled once.
#[cfg(test)]
pub fn contains_any(bytes: &[u8], secrets: &[&str]) -> bool {
    secrets
        .iter()
        .filter(|s| s.len() >= 4)
        .flat_map(|s| encodings(s))
        .any(|form| bytes.windows(form.len()).any(|w| w == form.as_bytes()))
}

/// Every form of `secret` that `scrub` and `contains_any` look for, longest first.
pub(crate) fn encodings(secret: &str) -> Vec<String> {
    let json = serde_json::to_string(secret).unwrap_or_default();
    let json = json.trim_matches('"').to_owned();
    let url: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let percent_all: String = secret.bytes().map(|b| format!("%{b:02X}")).collect();
    let mut forms = vec![
        secret.to_owned(),
        json,
        url.clone(),
        url.replace('+', "%20"),
        percent_all,
    ];
    forms.sort();
    forms.dedup();
    // Longest first, so a form that contains another is replaced whole.
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms
}

/// Overwrite a string's bytes before it is dropped (card data: best effort, the allocator and
/// copies made by the HTTP stack are out of reach).
pub fn wipe(text: &mut String) {
    // SAFETY: zero bytes are valid UTF-8.
    let bytes = unsafe { text.as_bytes_mut() };
    for b in bytes.iter_mut() {
        // Volatile, so the compiler cannot drop the writes to memory that is freed next.
        unsafe { std::ptr::write_volatile(b, 0) };
    }
    text.clear();
}

/// `wipe` every string in a JSON value.
pub fn wipe_value(value: &mut Value) {
    match value {
        Value::String(s) => wipe(s),
        Value::Array(items) => items.iter_mut().for_each(wipe_value),
        Value::Object(map) => map.values_mut().for_each(wipe_value),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_are_masked_at_any_depth() {
        let mut v = json!({"pay2_key": "k", "CARDNO": "4111", "a": [{"TOKEN": "t"}], "AMOUNT": "1"});
        mask_fields(&mut v);
        assert_eq!(v["pay2_key"], REDACTED);
        assert_eq!(v["CARDNO"], REDACTED);
        assert_eq!(v["a"][0]["TOKEN"], REDACTED);
        assert_eq!(v["AMOUNT"], "1");
    }

    #[test]
    fn every_encoding_is_scrubbed() {
        let key = r#"ab"c\d+e/f g"#;
        let json_echo = serde_json::to_string(key).unwrap();
        let url_echo: String = form_urlencoded::byte_serialize(key.as_bytes()).collect();
        for text in [key.to_string(), json_echo, url_echo] {
            let out = scrub(format!("echo: {text} end"), &[key]);
            assert!(!out.contains("ab"), "{out}");
            assert!(out.contains(REDACTED));
        }
    }

    #[test]
    fn card_data_is_masked_in_answers() {
        let mut m = json!({"CARDNO": "4111-1111-1111-1234", "CARDPWD": "12", "EXPIREDT": "", "X": "4111111111111111"})
            .as_object()
            .unwrap()
            .clone();
        mask_card_data(&mut m);
        assert_eq!(m["CARDNO"], "****-****-****-1234");
        assert_eq!(m["CARDPWD"], REDACTED);
        assert_eq!(m["EXPIREDT"], "");
        let mut already = json!({"CARDNO": "**********002163"}).as_object().unwrap().clone();
        mask_card_data(&mut already);
        assert_eq!(already["CARDNO"], "**********002163");
    }

    #[test]
    fn pieces_of_a_long_secret_are_scrubbed() {
        let key = "sbxkey_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
        let out = scrub(format!("quoted: {} … and {} 한글", &key[..21], &key[30..]), &[key]);
        assert!(!out.contains("sbxkey_0123"), "{out}");
        assert!(!out.contains("uvwxyzABCDEFG"), "{out}");
        assert!(out.ends_with("한글"), "{out}");
        let short = scrub("sbxkey_0123".to_string(), &[key]);
        assert_eq!(short, "sbxkey_0123", "11 characters are not a piece");
    }

    #[test]
    fn wiped_strings_are_empty() {
        let mut v = json!({"CARDNO": "4111111111111111", "n": 1});
        wipe_value(&mut v);
        assert_eq!(v["CARDNO"], "");
    }
}
