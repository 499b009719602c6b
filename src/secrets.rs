//! What must never leave the library in clear: the API key, TOKENs and card data. Two tools, used
//! wherever text leaves (errors, the `--verbose` exchange log): mask the values of secret fields in a
//! JSON body, and scrub known secret strings from any text in every form they could be echoed in
//! (`SecretForms`: those forms compiled once per key and TOKEN, to tell cheaply whether a text needs it).

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex};

use memchr::memmem::Finder;
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
/// `SecretForms`, which answers the same with the forms compiled once.
#[cfg(test)]
pub fn contains_any(bytes: &[u8], secrets: &[&str]) -> bool {
    secrets
        .iter()
        .filter(|s| s.len() >= 4)
        .flat_map(|s| encodings(s))
        .any(|form| bytes.windows(form.len()).any(|w| w == form.as_bytes()))
}

/// Secrets at least this long are also looked for upper- and lower-cased, in Base64 and in hex: a
/// shorter one (a card's expiry) would then match ordinary text by chance.
const DERIVED_MIN_BYTES: usize = MIN_PIECE;

/// Every form of `secret` that `scrub` and `contains_any` look for, longest first: raw, as a JSON
/// string escape, URL-encoded and percent-encoded whole — and, for a long secret, each of those
/// upper- and lower-cased (an error page that shouts the request back), its Base64 at every
/// alignment (a debug dump of a header block) and its hex.
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
    if secret.len() >= DERIVED_MIN_BYTES {
        let cased: Vec<String> = forms
            .iter()
            .flat_map(|f| [f.to_ascii_uppercase(), f.to_ascii_lowercase()])
            .collect();
        forms.extend(cased);
        forms.extend(base64_forms(secret.as_bytes()));
        let hex: String = secret.bytes().map(|b| format!("{b:02x}")).collect();
        forms.push(hex.to_ascii_uppercase());
        forms.push(hex);
    }
    forms.sort();
    forms.dedup();
    // Longest first, so a form that contains another is replaced whole.
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms
}

/// `bytes` in Base64 (standard and URL-safe alphabets) as it appears inside a longer encoded text: at
/// each of the three byte alignments, only the characters made of the secret's bits alone (the ones
/// at the edges mix in its neighbours' bits); and the whole padded encoding, for an echo of it alone.
fn base64_forms(bytes: &[u8]) -> Vec<String> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    use base64::Engine;
    let mut forms = vec![STANDARD.encode(bytes), URL_SAFE.encode(bytes)];
    for shift in 0..3 {
        let mut shifted = vec![0u8; shift];
        shifted.extend_from_slice(bytes);
        // Character i carries bits 6i..6i+6; the secret's bits are 8·shift..8·(shift + len).
        let first = (8 * shift).div_ceil(6);
        let end = 8 * (shift + bytes.len()) / 6;
        for engine in [STANDARD_NO_PAD, URL_SAFE_NO_PAD] {
            let encoded = engine.encode(&shifted);
            forms.push(encoded[first..end].to_owned());
        }
    }
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

/// Every form of one secret that `secrets::scrub` removes (`secrets::encodings`), each compiled into a
/// substring finder once: looking for them in every answer is then one pass per form, instead of
/// building the forms (hundreds of small allocations for a TOKEN) and comparing at every offset.
/// Also every `MIN_PIECE`-byte piece of the long forms, which `scrub` removes too.
struct Forms {
    finders: Vec<Finder<'static>>,
    pieces: HashSet<u128, BuildHasherDefault<Fold>>,
    /// The first two bytes of every piece, as a 65,536-bit set: nearly every window of a text fails
    /// this one-bit test, and only the rest are hashed and looked up.
    piece_starts: Vec<u64>,
}

const PIECE: usize = MIN_PIECE;

/// A `MIN_PIECE`-byte window as one number (set keys without an allocation).
fn piece(window: &[u8]) -> u128 {
    let mut bytes = [0u8; 16];
    bytes[..PIECE].copy_from_slice(window);
    u128::from_le_bytes(bytes)
}

/// A window's first two bytes as a bit number of `Forms::piece_starts`.
fn start_bit(window: &[u8]) -> usize {
    usize::from(window[0]) << 8 | usize::from(window[1])
}

/// A hash for `piece` keys: the set is built from our own secrets, not from what an attacker sends,
/// so a fast non-keyed mix is enough (SipHash over every window of a text cost more than the rest of
/// a failed call).
#[derive(Default)]
struct Fold(u64);

impl Hasher for Fold {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u128(&mut self, n: u128) {
        let mixed = (n as u64) ^ ((n >> 64) as u64).rotate_left(29);
        self.0 = (mixed ^ (mixed >> 31)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

impl Forms {
    fn of(secret: &str) -> Forms {
        let mut forms = Forms {
            finders: Vec::new(),
            pieces: HashSet::default(),
            piece_starts: Vec::new(),
        };
        // As `secrets::scrub` and `contains_any`: a secret shorter than 4 bytes is not looked for.
        if secret.len() < 4 {
            return forms;
        }
        for form in encodings(secret) {
            forms.finders.push(Finder::new(form.as_bytes()).into_owned());
            // As `secrets::scrub`: pieces of the forms of 2 × MIN_PIECE ASCII characters or more.
            if form.len() >= 2 * PIECE && form.is_ascii() {
                forms.pieces.extend(form.as_bytes().windows(PIECE).map(piece));
                forms.piece_starts.resize(1 << 10, 0);
                for window in form.as_bytes().windows(PIECE) {
                    let bit = start_bit(window);
                    forms.piece_starts[bit >> 6] |= 1 << (bit & 63);
                }
            }
        }
        forms
    }

    /// Is a whole form in `bytes`?
    fn found_in(&self, bytes: &[u8]) -> bool {
        self.finders.iter().any(|finder| finder.find(bytes).is_some())
    }

    /// Would `secrets::scrub` change `bytes` for this secret: a whole form, or a piece?
    fn scrub_would_change(&self, bytes: &[u8]) -> bool {
        self.found_in(bytes)
            || (!self.pieces.is_empty()
                && bytes
                    .windows(PIECE)
                    .any(|w| self.may_start_piece(w) && self.pieces.contains(&piece(w))))
    }

    fn may_start_piece(&self, window: &[u8]) -> bool {
        let bit = start_bit(window);
        self.piece_starts[bit >> 6] & (1 << (bit & 63)) != 0
    }
}

/// The compiled forms of one credential pair's API key and of its latest TOKEN; shared, like the
/// transport and the TOKEN cache, by every client of that pair (`client::shared_parts`), so a PHP
/// request that builds its client anew finds them ready.
pub struct SecretForms {
    api_key: Forms,
    token: Mutex<Option<Arc<(String, Forms)>>>,
}

impl SecretForms {
    pub fn new(api_key: &str) -> SecretForms {
        SecretForms {
            api_key: Forms::of(api_key),
            token: Mutex::new(None),
        }
    }

    /// The forms of `token`, compiled once per TOKEN value. Never waits: a lock held elsewhere (or
    /// inherited locked through fork()) only means compiling them for this call.
    fn token_forms(&self, token: &str) -> Arc<(String, Forms)> {
        if let Ok(mut last) = self.token.try_lock() {
            if let Some(found) = last.as_ref().filter(|f| f.0 == token) {
                return Arc::clone(found);
            }
            let fresh = Arc::new((token.to_owned(), Forms::of(token)));
            *last = Some(Arc::clone(&fresh));
            return fresh;
        }
        Arc::new((token.to_owned(), Forms::of(token)))
    }

    /// Does `bytes` hold the API key or any of `tokens`, in any form `secrets::scrub` removes?
    /// (The same answer as `secrets::contains_any` with those secrets.)
    pub fn found_in(&self, bytes: &[u8], tokens: &[&str]) -> bool {
        self.api_key.found_in(bytes) || tokens.iter().any(|t| self.token_forms(t).1.found_in(bytes))
    }

    /// Would `secrets::scrub(text, [API key, tokens…])` change `text`? If not, it returns `text` as
    /// it is, and need not run (it rebuilds every form and hashes every window of the text).
    pub fn scrub_would_change(&self, bytes: &[u8], tokens: &[&str]) -> bool {
        self.api_key.scrub_would_change(bytes) || tokens.iter().any(|t| self.token_forms(t).1.scrub_would_change(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The compiled forms find exactly what `secrets::contains_any` finds.
    #[test]
    fn compiled_forms_agree_with_contains_any() {
        let key = "sbxkey_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
        let token = r#"eyJhbGciOiJIUzI1NiJ9.e30.a+b/c"d\e f"#;
        let forms = SecretForms::new(key);
        let mut bodies: Vec<String> = vec![String::new(), "{\"RESULTCODE\":\"0000\"}".into(), "abc".into()];
        for secret in [key, token, "abc"] {
            for form in encodings(secret) {
                bodies.push(format!("x{form}y"));
                bodies.push(form[..form.len() - 1].to_owned());
            }
        }
        for body in &bodies {
            for tokens in [&[][..], &[token][..], &["abc"][..]] {
                let mut all = vec![key];
                all.extend_from_slice(tokens);
                let want = contains_any(body.as_bytes(), &all);
                assert_eq!(forms.found_in(body.as_bytes(), tokens), want, "{body} {tokens:?}");
                assert_eq!(
                    forms.found_in(body.as_bytes(), tokens),
                    want,
                    "cached: {body} {tokens:?}"
                );
            }
        }
    }

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
    fn case_changed_base64_and_hex_forms_are_scrubbed() {
        use base64::Engine;
        let key = "sbxkey_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
        let hex: String = key.bytes().map(|b| format!("{b:02x}")).collect();
        let echoes = [
            key.to_ascii_uppercase(),
            key.to_ascii_lowercase(),
            b64(key.as_bytes()),
            // Inside a longer encoded text, at every alignment.
            b64(format!("ApiKey: {key}\r\n").as_bytes()),
            b64(format!("ApiKey:{key}\r\n").as_bytes()),
            b64(format!("ApiKey:  {key}\r\n").as_bytes()),
            hex.clone(),
            hex.to_ascii_uppercase(),
        ];
        for echo in echoes {
            let out = scrub(format!("<pre>{echo}</pre>"), &[key]);
            assert!(out.contains(REDACTED), "{out}");
            for piece in [&key[7..19], &key[30..42]] {
                for form in [
                    piece.to_string(),
                    piece.to_ascii_uppercase(),
                    piece.to_ascii_lowercase(),
                ] {
                    assert!(!out.contains(&form), "{form} survived in {out}");
                }
            }
            // What is left is the page and the edges of an encoded neighbour: never most of the key.
            let left = out.replace(REDACTED, "").replace("<pre>", "").replace("</pre>", "");
            assert!(left.len() <= 20, "{left:?} left of {echo}");
            assert!(contains_any(echo.as_bytes(), &[key]), "{echo}");
            assert!(!contains_any(out.as_bytes(), &[key]), "{out}");
        }
        // A short secret (an expiry) is looked for as it is, not in forms that ordinary text matches.
        assert_eq!(scrub("3330313220 MzAxMg".to_string(), &["3012"]), "3330313220 MzAxMg");
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
