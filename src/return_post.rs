//! The form CookiePay makes the buyer's browser POST to RETURNURL. Parsed from the raw
//! `application/x-www-form-urlencoded` body: `+` is a space and `%2B` a plus, which matters because
//! ENC_DATA is standard Base64. No network: the caller decrypts and verifies next.

use serde_json::{json, Map, Value};

use crate::error::{Error, Result};
use crate::response::{normalize, SUCCESS};

/// Largest return post accepted: a real one is well under 4 KiB.
pub const MAX_RETURN_BYTES: usize = 64 * 1024;

/// Fields this library computes. The post comes from the buyer's browser: if it carries one of these
/// names itself it is refused, so it can never vote on its own success.
const COMPUTED: [&str; 2] = ["encrypted", "success"];

/// `cookiepay_parse_return`: raw body → `{"encrypted", "success", fields…}`.
pub fn parse(body: &[u8]) -> Result<Value> {
    if body.len() > MAX_RETURN_BYTES {
        return Err(Error::invalid(format!(
            "the return body is larger than {MAX_RETURN_BYTES} bytes"
        )));
    }
    if body.contains(&0) {
        return Err(Error::invalid("the return body contains a NUL byte"));
    }
    let body = trim_ascii(body);
    let body = body.strip_prefix(b"?").unwrap_or(body);
    if body.is_empty() {
        return Err(Error::invalid("the return body is empty"));
    }
    let mut fields = Map::new();
    for (key, value) in form_urlencoded::parse(body) {
        // The first occurrence wins: a field appended later cannot override it.
        fields
            .entry(key.into_owned())
            .or_insert(Value::String(value.into_owned()));
    }
    if let Some(Value::String(enc)) = fields.get_mut("ENC_DATA") {
        // Base64 has no spaces: a space here was a '+' that someone forgot to percent-encode.
        if enc.contains(' ') {
            *enc = enc.replace(' ', "+");
        }
    }
    if let Some(name) = COMPUTED.iter().find(|name| fields.contains_key(**name)) {
        return Err(Error::invalid(format!(
            "the return post carries a field named {name}: not a CookiePay return post"
        )));
    }
    if !fields.contains_key("RESULTCODE") {
        return Err(Error::field(
            "RESULTCODE",
            "required",
            "not a CookiePay return post: RESULTCODE is missing",
        ));
    }
    let encrypted = fields.contains_key("ENC_DATA");
    let success = fields.get("RESULTCODE").and_then(Value::as_str) == Some(SUCCESS);
    let mut out = Map::new();
    out.insert("encrypted".into(), json!(encrypted));
    out.insert("success".into(), json!(success));
    out.extend(normalize(fields));
    Ok(Value::Object(out))
}

fn trim_ascii(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if first.is_ascii_whitespace() {
            s = rest
        } else {
            break;
        }
    }
    while let [rest @ .., last] = s {
        if last.is_ascii_whitespace() {
            s = rest
        } else {
            break;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plus_and_percent_2b_are_decoded_right() {
        let v = parse(b"API_ID=sandbox_x&RESULTCODE=0000&RESULTMSG=%EC%84%B1%EA%B3%B5&ENC_DATA=ab%2Bc%2Fd%3D%3D\r\n")
            .unwrap();
        assert_eq!(v["ENC_DATA"], "ab+c/d==");
        assert_eq!(v["RESULTMSG"], "성공");
        assert_eq!(v["encrypted"], true);
        assert_eq!(v["success"], true);
    }

    #[test]
    fn a_raw_plus_in_enc_data_is_restored() {
        let v = parse(b"RESULTCODE=0000&ENC_DATA=ab+cd").unwrap();
        assert_eq!(v["ENC_DATA"], "ab+cd");
    }

    #[test]
    fn plaintext_variant_gets_both_spellings() {
        let v =
            parse(b"RESULTCODE=0000&RESULTMSG=ok&TID=T1&ACCEPT_NO=123&ORDERNO=A&AMOUNT=1004&PRODUCTNAME=a+b").unwrap();
        assert_eq!(v["encrypted"], false);
        assert_eq!(v["ACCEPTNO"], "123");
        assert_eq!(v["PRODUCTNAME"], "a b");
    }

    #[test]
    fn garbage_is_an_error_not_a_crash() {
        assert_eq!(parse(b"").unwrap_err().kind(), "invalid_argument");
        assert_eq!(parse(b"%%%&&&==").unwrap_err().kind(), "validation");
        assert_eq!(parse(&[0xff, 0xfe, b'=', 0x80]).unwrap_err().kind(), "validation");
    }

    #[test]
    fn a_post_cannot_set_the_computed_fields() {
        for body in [
            &b"RESULTCODE=9999&success=false"[..],
            b"RESULTCODE=9999&success=1&encrypted=0",
        ] {
            assert_eq!(parse(body).unwrap_err().kind(), "invalid_argument");
        }
        let v = parse(b"RESULTCODE=9999&RESULTMSG=no").unwrap();
        assert_eq!(v["success"], false);
    }

    #[test]
    fn nul_bytes_and_huge_bodies_are_refused() {
        assert_eq!(parse(b"RESULTCODE=0000\0&x=1").unwrap_err().kind(), "invalid_argument");
        assert_eq!(parse(b"RESULTCODE=0000%00").unwrap()["RESULTCODE"], "0000\u{0}");
        let big = vec![b'a'; MAX_RETURN_BYTES + 1];
        assert_eq!(parse(&big).unwrap_err().kind(), "invalid_argument");
    }

    #[test]
    fn first_occurrence_wins() {
        let v = parse(b"RESULTCODE=9999&RESULTCODE=0000").unwrap();
        assert_eq!(v["RESULTCODE"], "9999");
        assert_eq!(v["success"], false);
    }
}
