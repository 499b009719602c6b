//! One client's line to CookiePay: its credential pair on a (possibly shared) transport, plus the
//! optional exchange observer behind the CLI's `--verbose`. Every HTTP call of every endpoint goes
//! through here, so the observer sees each exchange and secrets are masked in one place.

use std::collections::HashSet;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use memchr::memmem::Finder;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::secrets::{masked_body, scrub};
use crate::transport::{Answer, CallKind, Transport, JSON_CONTENT_TYPE};

/// One HTTP exchange as the observer sees it: bodies with secret fields masked and the client's own
/// secrets scrubbed.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub method: &'static str,
    pub path: String,
    pub request: String,
    pub status: Option<u16>,
    pub response: String,
    pub elapsed: Duration,
    pub error: Option<String>,
}

pub type Observer = Arc<dyn Fn(&Exchange) + Send + Sync>;

/// Headers of one request: name and value (values are marked sensitive by the transport).
pub type Headers<'a> = [(&'static str, &'a str)];

/// How much of an answer the observer gets.
const OBSERVED_CHARS: usize = 2000;

pub struct Channel {
    api_id: String,
    api_key: String,
    transport: Arc<Transport>,
    secrets: Arc<SecretForms>,
    observer: Option<Observer>,
}

/// Every form of one secret that `secrets::scrub` removes (`secrets::encodings`), each compiled into a
/// substring finder once: looking for them in every answer is then one pass per form, instead of
/// building the forms (hundreds of small allocations for a TOKEN) and comparing at every offset.
/// Also every `MIN_PIECE`-byte piece of the long forms, which `scrub` removes too.
struct Forms {
    finders: Vec<Finder<'static>>,
    pieces: HashSet<u128, BuildHasherDefault<Fold>>,
}

const PIECE: usize = crate::secrets::MIN_PIECE;

/// A `MIN_PIECE`-byte window as one number (set keys without an allocation).
fn piece(window: &[u8]) -> u128 {
    let mut bytes = [0u8; 16];
    bytes[..PIECE].copy_from_slice(window);
    u128::from_le_bytes(bytes)
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
        };
        // As `secrets::scrub` and `contains_any`: a secret shorter than 4 bytes is not looked for.
        if secret.len() < 4 {
            return forms;
        }
        for form in crate::secrets::encodings(secret) {
            forms.finders.push(Finder::new(form.as_bytes()).into_owned());
            // As `secrets::scrub`: pieces of the forms of 2 × MIN_PIECE ASCII characters or more.
            if form.len() >= 2 * PIECE && form.is_ascii() {
                forms.pieces.extend(form.as_bytes().windows(PIECE).map(piece));
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
            || (!self.pieces.is_empty() && bytes.windows(PIECE).any(|w| self.pieces.contains(&piece(w))))
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
    fn found_in(&self, bytes: &[u8], tokens: &[&str]) -> bool {
        self.api_key.found_in(bytes) || tokens.iter().any(|t| self.token_forms(t).1.found_in(bytes))
    }

    /// Would `secrets::scrub(text, [API key, tokens…])` change `text`? If not, it returns `text` as
    /// it is, and need not run (it rebuilds every form and hashes every window of the text).
    fn scrub_would_change(&self, bytes: &[u8], tokens: &[&str]) -> bool {
        self.api_key.scrub_would_change(bytes) || tokens.iter().any(|t| self.token_forms(t).1.scrub_would_change(bytes))
    }
}

impl fmt::Debug for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Channel")
            .field("api_id", &self.api_id)
            .field("api_key", &crate::secrets::REDACTED)
            .field("base_url", &self.transport.base_url())
            .finish()
    }
}

impl Channel {
    /// `secrets` must be the forms of this `api_key` (`SecretForms::new`).
    pub fn new(api_id: String, api_key: String, transport: Arc<Transport>, secrets: Arc<SecretForms>) -> Channel {
        Channel {
            api_id,
            api_key,
            transport,
            secrets,
            observer: None,
        }
    }

    pub fn set_observer(&mut self, observer: Observer) {
        self.observer = Some(observer);
    }

    pub fn api_id(&self) -> &str {
        &self.api_id
    }

    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// POST raw bytes; any HTTP status is returned. Retried per `kind`.
    pub fn post(
        &self,
        path: &str,
        headers: &Headers<'_>,
        content_type: &'static str,
        body: Vec<u8>,
        kind: CallKind,
    ) -> Result<Answer> {
        let tokens: Vec<&str> = headers.iter().filter(|(n, _)| *n == "TOKEN").map(|(_, v)| *v).collect();
        let Some(observer) = &self.observer else {
            return self
                .transport
                .post(path, headers, content_type, body, kind)
                .map(|a| self.scrub_answer(a, &tokens));
        };
        let request = self.scrub(masked_body(&body), &[]);
        let started = Instant::now();
        let result = self
            .transport
            .post(path, headers, content_type, body, kind)
            .map(|a| self.scrub_answer(a, &tokens));
        let (status, response, error) = match &result {
            Ok(answer) => {
                let text: String = masked_body(&answer.body).chars().take(OBSERVED_CHARS).collect();
                (Some(answer.status), text, None)
            }
            Err(err) => (None, String::new(), Some(err.to_string())),
        };
        observer(&Exchange {
            method: "POST",
            path: path.to_owned(),
            request,
            status,
            response: self.scrub(response, &tokens),
            elapsed: started.elapsed(),
            error: error.map(|e| self.scrub(e, &tokens)),
        });
        result
    }

    /// POST a JSON object; the JSON object answered with a 2xx status. For a money call an unreadable
    /// answer means the call may have taken effect (`outcome` unknown).
    pub fn post_json(&self, path: &str, headers: &Headers<'_>, body: &Value, kind: CallKind) -> Result<Value> {
        let answer = self.post_json_answer(path, headers, body, kind)?;
        match kind {
            CallKind::Idempotent => answer.into_json_object(),
            CallKind::SendOnce => answer.into_json_object().map_err(Error::after_money_sent),
        }
    }

    /// POST a JSON object; the raw answer.
    pub fn post_json_answer(&self, path: &str, headers: &Headers<'_>, body: &Value, kind: CallKind) -> Result<Answer> {
        let bytes = serde_json::to_vec(body).map_err(|e| Error::Internal(e.to_string()))?;
        self.post(path, headers, JSON_CONTENT_TYPE, bytes, kind)
    }

    /// The answer with this client's secrets removed from its whole body, before anything (an error's
    /// excerpt, a log) can cut or quote it: a WAF page or a gateway error may echo the request.
    fn scrub_answer(&self, mut answer: Answer, tokens: &[&str]) -> Answer {
        if self.secrets.found_in(&answer.body, tokens) {
            let mut secrets = vec![self.api_key.as_str()];
            secrets.extend_from_slice(tokens);
            let text = String::from_utf8_lossy(&answer.body).into_owned();
            answer.body = scrub(text, &secrets).into_bytes();
        }
        answer
    }

    /// `text` without this client's API key, nor any of `more` (e.g. a TOKEN).
    pub fn scrub(&self, text: String, more: &[&str]) -> String {
        if !self.secrets.scrub_would_change(text.as_bytes(), more) {
            return text;
        }
        let mut secrets = vec![self.api_key.as_str()];
        secrets.extend_from_slice(more);
        scrub(text, &secrets)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The compiled forms find exactly what `secrets::contains_any` finds.
    #[test]
    fn compiled_forms_agree_with_contains_any() {
        let key = "sbxkey_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
        let token = r#"eyJhbGciOiJIUzI1NiJ9.e30.a+b/c"d\e f"#;
        let forms = SecretForms::new(key);
        let mut bodies: Vec<String> = vec![String::new(), "{\"RESULTCODE\":\"0000\"}".into(), "abc".into()];
        for secret in [key, token, "abc"] {
            for form in crate::secrets::encodings(secret) {
                bodies.push(format!("x{form}y"));
                bodies.push(form[..form.len() - 1].to_owned());
            }
        }
        for body in &bodies {
            for tokens in [&[][..], &[token][..], &["abc"][..]] {
                let mut all = vec![key];
                all.extend_from_slice(tokens);
                let want = crate::secrets::contains_any(body.as_bytes(), &all);
                assert_eq!(forms.found_in(body.as_bytes(), tokens), want, "{body} {tokens:?}");
                assert_eq!(
                    forms.found_in(body.as_bytes(), tokens),
                    want,
                    "cached: {body} {tokens:?}"
                );
            }
        }
    }

    /// The pre-check never says "unchanged" where `secrets::scrub` changes the text.
    #[test]
    fn scrub_runs_whenever_it_would_change_the_text() {
        let key = "sbxkey_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
        let token = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDB9.c2lnbmF0dXJlLW9mLWEtdG9rZW4";
        let forms = SecretForms::new(key);
        let mut texts = vec![String::new(), "nothing secret here, 한글 too".to_string(), "abc".into()];
        for secret in [key, token] {
            for form in crate::secrets::encodings(secret) {
                texts.push(format!("x{form}y"));
                for len in PIECE - 2..=PIECE + 1 {
                    for start in [0, 3, form.len().saturating_sub(len)] {
                        if let Some(cut) = form.get(start..(start + len).min(form.len())) {
                            texts.push(format!("quoted: {cut} end"));
                        }
                    }
                }
            }
        }
        for text in &texts {
            for tokens in [&[][..], &[token][..]] {
                let mut all = vec![key];
                all.extend_from_slice(tokens);
                let changes = crate::secrets::scrub(text.clone(), &all) != *text;
                let would = forms.scrub_would_change(text.as_bytes(), tokens);
                assert!(would || !changes, "scrub changes {text:?} but the pre-check says no");
                if !changes && text.len() < PIECE {
                    assert!(!would, "{text:?}");
                }
            }
        }
        let channel = Channel::new(
            "id".into(),
            key.into(),
            Arc::new(Transport::new(test_config())),
            Arc::new(forms),
        );
        for text in &texts {
            let want = crate::secrets::scrub(text.clone(), &[key, token]);
            assert_eq!(channel.scrub(text.clone(), &[token]), want);
        }
    }

    fn test_config() -> crate::transport::TransportConfig {
        crate::transport::TransportConfig {
            env_proxy: false,
            base_url: "http://127.0.0.1:9".into(),
            connect_timeout: Duration::from_secs(1),
            timeout: Duration::from_secs(1),
            ca_cert_pem: None,
            user_agent: "test".into(),
            retry: crate::transport::RetryPolicy {
                max_retries: 0,
                base_delay: Duration::from_millis(1),
                max_delay: Duration::from_millis(1),
            },
        }
    }
}
