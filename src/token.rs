//! `POST /payAuth/token`: exchange the credential pair for a TOKEN (an HS256 JWT, about one hour), and
//! the per-process cache that lets paycert reuse it instead of paying a round trip every call.

use std::fmt;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use serde_json::{json, Value};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::response::{api_error, code_of, SUCCESS};
use crate::transport::CallKind;

pub const PATH: &str = "/payAuth/token";

/// Assumed lifetime when the TOKEN's expiry cannot be read (every observed token lived 3600 s).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);
/// Refresh this long before expiry, so a token never expires in flight. Short-lived tokens (tests)
/// use a tenth of their lifetime instead.
const MAX_MARGIN: Duration = Duration::from_secs(60);

/// A TOKEN and when this process stops using it. Debug never shows the value.
#[derive(Clone)]
pub struct CachedToken {
    pub value: String,
    refresh_at: Instant,
    /// Unix seconds, as the JWT says (or estimated): reported to callers.
    pub expires_at: u64,
}

impl fmt::Debug for CachedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedToken")
            .field("value", &"[REDACTED]")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl CachedToken {
    fn new(value: String) -> CachedToken {
        let now_unix = unix_now();
        let (lifetime, expires_at) = match jwt_times(&value) {
            // Lifetime from the token's own iat/exp, counted on our clock: immune to clock skew.
            Some((Some(iat), exp)) if exp > iat => (Duration::from_secs(exp - iat), exp),
            Some((None, exp)) if exp > now_unix => (Duration::from_secs(exp - now_unix), exp),
            _ => (DEFAULT_LIFETIME, now_unix + DEFAULT_LIFETIME.as_secs()),
        };
        let margin = (lifetime / 10).min(MAX_MARGIN);
        CachedToken {
            value,
            refresh_at: Instant::now() + lifetime - margin,
            expires_at,
        }
    }

    fn is_fresh(&self) -> bool {
        Instant::now() < self.refresh_at
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `(iat, exp)` from a JWT's payload, without verifying it (only the server can).
fn jwt_times(token: &str) -> Option<(Option<u64>, u64)> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    let exp = claims.get("exp")?.as_u64()?;
    Some((claims.get("iat").and_then(Value::as_u64), exp))
}

/// Ask CookiePay for a new TOKEN.
fn fetch(client: &Client) -> Result<CachedToken> {
    let body = json!({"pay2_id": client.api_id(), "pay2_key": client.api_key()});
    let answer = client
        .transport()
        .post_json(PATH, &[], &body, CallKind::ReadOnly)?;
    token_of(&answer)
}

/// The TOKEN in a `/payAuth/token` answer (`{RTN_CD, RTN_MSG, TOKEN}`).
pub fn token_of(answer: &Value) -> Result<CachedToken> {
    if code_of(answer, "RTN_CD") != SUCCESS {
        return Err(api_error(answer, "RTN_CD", "RTN_MSG", None));
    }
    match answer.get("TOKEN").and_then(Value::as_str) {
        Some(token) if !token.is_empty() => Ok(CachedToken::new(token.to_owned())),
        _ => Err(Error::Decode {
            message: "CookiePay reported success but sent no TOKEN".into(),
            excerpt: String::new(),
        }),
    }
}

/// A usable TOKEN: the cached one unless `force` or stale. Returns whether it was fetched just now.
/// The cache lock is held during a refresh, so concurrent callers wait for one refresh and share it.
pub fn get(client: &Client, force: bool) -> Result<(CachedToken, bool)> {
    let local = client.transport().local()?;
    let mut cache = local.token.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if !force {
        if let Some(token) = cache.as_ref().filter(|t| t.is_fresh()) {
            return Ok((token.clone(), false));
        }
    }
    let token = fetch(client)?;
    *cache = Some(token.clone());
    Ok((token, true))
}

/// Forget a TOKEN the server rejected, unless another thread already replaced it.
pub fn discard(client: &Client, rejected: &CachedToken) -> Result<()> {
    let local = client.transport().local()?;
    let mut cache = local.token.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if cache.as_ref().is_some_and(|t| t.value == rejected.value) {
        *cache = None;
    }
    Ok(())
}

/// `cookiepay_token`: `{}` or `{"force_refresh":true}` → `{"TOKEN", "expires_at", "cached"}`.
pub fn call(client: &Client, request: &Value) -> Result<Value> {
    let force = match request.get("force_refresh") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(Error::invalid("force_refresh must be a boolean")),
    };
    let (token, fetched) = get(client, force)?;
    Ok(json!({"TOKEN": token.value, "expires_at": token.expires_at, "cached": !fetched}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!("{}.{}.sig", b64.encode(r#"{"alg":"HS256"}"#), b64.encode(payload))
    }

    #[test]
    fn lifetime_comes_from_iat_and_exp() {
        let t = CachedToken::new(jwt(r#"{"user":"x","iat":1000,"exp":4600}"#));
        assert_eq!(t.expires_at, 4600);
        let left = t.refresh_at - Instant::now();
        assert!(left > Duration::from_secs(3500) && left <= Duration::from_secs(3540));
    }

    #[test]
    fn unreadable_token_is_assumed_to_last_an_hour() {
        let t = CachedToken::new("not-a-jwt".into());
        assert!(t.is_fresh());
        assert!(t.expires_at >= unix_now() + 3599);
    }

    #[test]
    fn debug_hides_the_value() {
        let t = CachedToken::new(jwt(r#"{"iat":1,"exp":3601}"#));
        assert!(!format!("{t:?}").contains(&t.value));
    }
}
