//! Randomness, the TOKEN (HS256 JWT) and ENC_DATA (AES-256-GCM) of the sandbox.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use ring::rand::{SecureRandom, SystemRandom};
use ring::{aead, hmac};

fn fill(buf: &mut [u8]) {
    // The OS RNG failing is not recoverable in any useful way; a zeroed buffer would silently
    // make secrets predictable, so fall back to a time-seeded mix instead of panicking.
    if SystemRandom::new().fill(buf).is_err() {
        let mut x = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9e37_79b9_7f4a_7c15);
        for b in buf.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x as u8;
        }
    }
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    fill(&mut b);
    b
}

/// `n` characters drawn uniformly from `alphabet` (rejection sampling, no modulo bias).
fn random_from(alphabet: &[u8], n: usize) -> String {
    let limit = 256 - (256 % alphabet.len());
    let mut out = String::with_capacity(n);
    let mut buf = [0u8; 64];
    while out.len() < n {
        fill(&mut buf);
        for &b in buf.iter() {
            if (b as usize) < limit && out.len() < n {
                out.push(alphabet[b as usize % alphabet.len()] as char);
            }
        }
    }
    out
}

pub fn random_digits(n: usize) -> String {
    random_from(b"0123456789", n)
}

pub fn random_lower_alnum(n: usize) -> String {
    random_from(b"abcdefghijklmnopqrstuvwxyz0123456789", n)
}

pub fn random_hex(n: usize) -> String {
    random_from(b"0123456789abcdef", n)
}

/// Signs and checks TOKENs. Replacing the signer (revocation, reset) invalidates every token.
pub struct JwtSigner {
    key: hmac::Key,
}

const JWT_HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

pub struct TokenClaims {
    pub user: String,
    pub exp: u64,
}

impl JwtSigner {
    pub fn new_random() -> Self {
        let secret: [u8; 32] = random_bytes();
        JwtSigner {
            key: hmac::Key::new(hmac::HMAC_SHA256, &secret),
        }
    }

    pub fn sign(&self, user: &str, iat: u64, exp: u64) -> String {
        let payload = serde_json::json!({ "user": user, "iat": iat, "exp": exp }).to_string();
        let mut out = URL_SAFE_NO_PAD.encode(JWT_HEADER);
        out.push('.');
        out.push_str(&URL_SAFE_NO_PAD.encode(payload));
        let sig = hmac::sign(&self.key, out.as_bytes());
        out.push('.');
        out.push_str(&URL_SAFE_NO_PAD.encode(sig.as_ref()));
        out
    }

    /// Checks signature and expiry; `None` for anything forged, malformed, revoked or expired.
    pub fn verify(&self, token: &str, now: u64) -> Option<TokenClaims> {
        let (signed, sig_b64) = token.rsplit_once('.')?;
        let sig = URL_SAFE_NO_PAD.decode(sig_b64).ok()?;
        hmac::verify(&self.key, signed.as_bytes(), &sig).ok()?;
        let (header_b64, payload_b64) = signed.split_once('.')?;
        let header: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header_b64).ok()?).ok()?;
        if header.get("alg")?.as_str()? != "HS256" {
            return None;
        }
        let claims = decode_payload(payload_b64)?;
        if now >= claims.exp {
            return None;
        }
        Some(claims)
    }
}

fn decode_payload(payload_b64: &str) -> Option<TokenClaims> {
    let payload: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload_b64).ok()?).ok()?;
    Some(TokenClaims {
        user: payload.get("user")?.as_str()?.to_string(),
        exp: payload.get("exp")?.as_u64()?,
    })
}

/// The `user` claim without checking anything: only for attributing requests in stats.
pub fn peek_token_user(token: &str) -> Option<String> {
    let mut parts = token.split('.');
    let _header = parts.next()?;
    Some(decode_payload(parts.next()?)?.user)
}

/// Per-merchant ENC_DATA key: Base64(nonce ‖ AES-256-GCM ciphertext ‖ tag), bound to the API_ID.
pub struct Sealer {
    key: aead::LessSafeKey,
}

const NONCE_LEN: usize = 12;

impl Sealer {
    pub fn new_random() -> Self {
        let secret: [u8; 32] = random_bytes();
        // 32 bytes is always a valid AES-256 key, so this cannot fail.
        let unbound = aead::UnboundKey::new(&aead::AES_256_GCM, &secret).unwrap_or_else(|_| unreachable!());
        Sealer {
            key: aead::LessSafeKey::new(unbound),
        }
    }

    pub fn seal(&self, api_id: &str, plaintext: &[u8]) -> String {
        let nonce_bytes: [u8; NONCE_LEN] = random_bytes();
        let mut buf = plaintext.to_vec();
        let nonce = aead::Nonce::assume_unique_for_key(nonce_bytes);
        // Sealing only fails for inputs of ~64 GiB; ours are a few hundred bytes.
        let _ = self
            .key
            .seal_in_place_append_tag(nonce, aead::Aad::from(api_id.as_bytes()), &mut buf);
        let mut all = Vec::with_capacity(NONCE_LEN + buf.len());
        all.extend_from_slice(&nonce_bytes);
        all.extend_from_slice(&buf);
        STANDARD.encode(all)
    }

    /// Strict: only canonical padded standard Base64 (a `+` turned into a space fails).
    pub fn open(&self, api_id: &str, enc: &str) -> Option<Vec<u8>> {
        let raw = STANDARD.decode(enc.as_bytes()).ok()?;
        if raw.len() < NONCE_LEN + aead::AES_256_GCM.tag_len() {
            return None;
        }
        let (nonce_bytes, ct) = raw.split_at(NONCE_LEN);
        let nonce = aead::Nonce::try_assume_unique_for_key(nonce_bytes).ok()?;
        let mut ct = ct.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, aead::Aad::from(api_id.as_bytes()), &mut ct)
            .ok()?;
        Some(plain.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwt_roundtrip_and_tamper() {
        let s = JwtSigner::new_random();
        let t = s.sign("sandbox_demo01", 100, 200);
        let c = s.verify(&t, 150).expect("valid");
        assert_eq!(c.user, "sandbox_demo01");
        assert!(s.verify(&t, 200).is_none(), "expired at exp");
        let mut forged = t.clone();
        forged.pop();
        forged.push(if t.ends_with('A') { 'B' } else { 'A' });
        assert!(s.verify(&forged, 150).is_none());
        assert!(JwtSigner::new_random().verify(&t, 150).is_none());
        assert_eq!(peek_token_user(&t).as_deref(), Some("sandbox_demo01"));
    }

    #[test]
    fn seal_open_and_binding() {
        let s = Sealer::new_random();
        let enc = s.seal("a", b"hello world");
        assert_eq!(s.open("a", &enc).as_deref(), Some(&b"hello world"[..]));
        assert!(s.open("b", &enc).is_none());
        assert!(Sealer::new_random().open("a", &enc).is_none());
        assert!(s.open("a", &enc[..enc.len() - 4]).is_none());
        // 12 + 13 + 16 = 41 bytes → one '=' of padding; without it the text is not accepted.
        let padded = s.seal("a", b"hello world!!");
        assert!(padded.ends_with('=') && !padded.ends_with("=="));
        assert!(s.open("a", &padded).is_some());
        assert!(s.open("a", padded.trim_end_matches('=')).is_none());
        assert!(s.open("a", &format!(" {enc}")).is_none());
    }

    #[test]
    fn random_shapes() {
        let d = random_digits(8);
        assert_eq!(d.len(), 8);
        assert!(d.bytes().all(|b| b.is_ascii_digit()));
        let k = random_lower_alnum(20);
        assert!(k.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
    }
}
