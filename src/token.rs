//! `POST /payAuth/token`: exchange the credential pair for a TOKEN (an HS256 JWT, about one hour); the
//! per-process cache that lets reads reuse it; and the policy for answers that may mean "TOKEN
//! rejected" (kept here, in one place).

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use serde_json::{json, Value};

use crate::channel::Channel;
use crate::error::{Error, Result};
use crate::process::PerProcess;
use crate::response::{api_error, code_of, SUCCESS};
use crate::transport::CallKind;

pub const PATH: &str = "/payAuth/token";

/// Assumed lifetime when the TOKEN's expiry cannot be read (every observed token lived 3600 s).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);
/// Refresh this long before expiry, so a token never expires in flight. Short-lived tokens (tests)
/// use a tenth of their lifetime instead.
const MAX_MARGIN: Duration = Duration::from_secs(60);
/// A TOKEN is never kept longer than this, whatever its `exp` claims.
const MAX_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// Result codes that are known business answers, never a rejected TOKEN: `E008` (nothing found,
/// paysearch), `E103` (schedule already cancelled), `9029` (cancel after settlement). CookiePay's code
/// for a rejected TOKEN is not published, so any other non-success code *may* be one: a read then
/// refreshes its TOKEN and asks once more — unless that TOKEN already learned the code is a business
/// answer (it got it right after it was fetched), and at most once per TOKEN (see `CachedToken`).
const BUSINESS_CODES: [&str; 3] = ["E008", "E103", "9029"];

/// Could an answer with this result code mean that the TOKEN was rejected?
pub fn may_be_rejection(code: &str) -> bool {
    !BUSINESS_CODES.contains(&code)
}

/// A TOKEN and when this process stops using it. Debug never shows the value.
pub struct CachedToken {
    pub value: String,
    refresh_at: Instant,
    /// Unix seconds, as the JWT says (or estimated): reported to callers.
    pub expires_at: u64,
    /// Set once this TOKEN has caused a refresh: it never causes another.
    refreshed: AtomicBool,
    /// Codes this TOKEN got right after it was fetched: business answers, not rejections, so they never
    /// cause a refresh (twenty unknown TIDs cost one TOKEN, not twenty). A different code — a TOKEN
    /// revoked later — still does.
    business_codes: Mutex<Vec<String>>,
}

impl fmt::Debug for CachedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedToken")
            .field("value", &crate::secrets::REDACTED)
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
            _ => (DEFAULT_LIFETIME, now_unix.saturating_add(DEFAULT_LIFETIME.as_secs())),
        };
        let lifetime = lifetime.min(MAX_LIFETIME);
        let margin = (lifetime / 10).min(MAX_MARGIN);
        let now = Instant::now();
        CachedToken {
            value,
            refresh_at: now.checked_add(lifetime - margin).unwrap_or(now),
            expires_at,
            refreshed: AtomicBool::new(false),
            business_codes: Mutex::new(Vec::new()),
        }
    }

    fn is_fresh(&self) -> bool {
        Instant::now() < self.refresh_at
    }

    /// Claim this TOKEN's one refresh; false if it was used already.
    pub fn claim_refresh(&self) -> bool {
        !self.refreshed.swap(true, Ordering::AcqRel)
    }

    /// This TOKEN, just fetched, got `code`: from now on `code` is a business answer for it.
    pub fn learn_business_code(&self, code: &str) {
        let mut codes = self.business_codes.lock().unwrap_or_else(|p| p.into_inner());
        if !codes.iter().any(|c| c == code) && codes.len() < 16 {
            codes.push(code.to_owned());
        }
    }

    pub fn knows_business_code(&self, code: &str) -> bool {
        let codes = self.business_codes.lock().unwrap_or_else(|p| p.into_inner());
        codes.iter().any(|c| c == code)
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
fn fetch(channel: &Channel) -> Result<CachedToken> {
    let body = json!({"pay2_id": channel.api_id(), "pay2_key": channel.api_key()});
    let answer = channel.post_json(PATH, &[], &body, CallKind::Idempotent)?;
    token_of(&answer)
}

/// The TOKEN in a `/payAuth/token` answer (`{RTN_CD, RTN_MSG, TOKEN}`). A TOKEN that cannot be sent
/// back as a header value is an unreadable answer, never cached.
pub fn token_of(answer: &Value) -> Result<CachedToken> {
    if code_of(answer, "RTN_CD") != SUCCESS {
        return Err(api_error(answer, "RTN_CD", "RTN_MSG", None));
    }
    match answer.get("TOKEN").and_then(Value::as_str) {
        Some(token) if !token.is_empty() && token.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(CachedToken::new(token.to_owned()))
        }
        Some(token) if !token.is_empty() => Err(Error::Decode {
            outcome: None,
            message: "CookiePay sent a TOKEN with characters a header cannot carry".into(),
            excerpt: String::new(),
        }),
        _ => Err(Error::Decode {
            outcome: None,
            message: "CookiePay reported success but sent no TOKEN".into(),
            excerpt: String::new(),
        }),
    }
}

type Slot = Mutex<Option<Arc<CachedToken>>>;

/// The TOKEN cache of one credential pair, per process (a fork()ed child starts empty rather than
/// inherit a lock a parent thread may hold). Shared by clients with the same config.
#[derive(Default)]
pub struct TokenCache {
    slot: PerProcess<Slot>,
}

fn lock(slot: &Slot) -> MutexGuard<'_, Option<Arc<CachedToken>>> {
    slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl TokenCache {
    fn slot(&self) -> &Slot {
        match self.slot.get_or_try_init(|| Ok::<_, ()>(Mutex::new(None))) {
            Ok(slot) => slot,
            Err(()) => unreachable!("building an empty slot cannot fail"),
        }
    }

    /// A usable TOKEN: the cached one unless `force` or stale. Returns whether it was fetched just
    /// now. The lock is held during a refresh, so concurrent callers wait for one refresh and share it.
    pub fn get(&self, channel: &Channel, force: bool) -> Result<(Arc<CachedToken>, bool)> {
        let mut cache = lock(self.slot());
        if !force {
            if let Some(token) = cache.as_ref().filter(|t| t.is_fresh()) {
                return Ok((Arc::clone(token), false));
            }
        }
        let token = Arc::new(fetch(channel)?);
        *cache = Some(Arc::clone(&token));
        Ok((token, true))
    }

    /// Forget a TOKEN the server may have rejected, unless another thread already replaced it.
    pub fn discard(&self, rejected: &CachedToken) {
        let mut cache = lock(self.slot());
        if cache.as_ref().is_some_and(|t| t.value == rejected.value) {
            *cache = None;
        }
    }

    /// The cached TOKEN's value, to scrub it from error texts.
    pub fn current_value(&self) -> Option<String> {
        let slot = self.slot.get()?;
        let cache = lock(slot);
        cache.as_ref().map(|t| t.value.clone())
    }
}

/// `cookiepay_token`: `{}` or `{"force_refresh":true}` → `{"TOKEN", "expires_at", "cached"}`.
pub fn call(cache: &TokenCache, channel: &Channel, request: &Value) -> Result<Value> {
    let force = match request.get("force_refresh") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(Error::invalid("force_refresh must be a boolean")),
    };
    let (token, fetched) = cache.get(channel, force)?;
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
    fn absurd_expiry_saturates() {
        let t = CachedToken::new(jwt(&format!(r#"{{"iat":0,"exp":{}}}"#, u64::MAX)));
        assert!(t.is_fresh());
        let t = CachedToken::new(jwt(&format!(r#"{{"exp":{}}}"#, u64::MAX)));
        assert!(t.is_fresh());
    }

    #[test]
    fn a_token_unfit_for_a_header_is_refused() {
        let e = token_of(&json!({"RTN_CD": "0000", "TOKEN": "abc\r\nX-Evil: 1"})).unwrap_err();
        assert_eq!(e.kind(), "decode");
        assert!(token_of(&json!({"RTN_CD": "0000", "TOKEN": "abc.def.ghi"})).is_ok());
    }

    #[test]
    fn one_refresh_per_token_and_learned_codes() {
        let t = CachedToken::new("x.y.z".into());
        assert!(t.claim_refresh());
        assert!(!t.claim_refresh());
        assert!(!t.knows_business_code("E022"));
        t.learn_business_code("E022");
        assert!(t.knows_business_code("E022"));
        assert!(!t.knows_business_code("E021"));
    }

    #[test]
    fn business_codes_never_refresh() {
        for code in ["E008", "E103", "9029"] {
            assert!(!may_be_rejection(code), "{code}");
        }
        assert!(may_be_rejection("E021"));
        assert!(may_be_rejection("9999"));
    }

    #[test]
    fn debug_hides_the_value() {
        let t = CachedToken::new(jwt(r#"{"iat":1,"exp":3601}"#));
        assert!(!format!("{t:?}").contains(&t.value));
    }
}
