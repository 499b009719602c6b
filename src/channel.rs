//! One client's line to CookiePay: its credential pair on a (possibly shared) transport, plus the
//! optional exchange observer behind the CLI's `--verbose` and the bindings' loggers. Every HTTP call
//! of every endpoint goes through here, so the observer sees each exchange and secrets are masked in
//! one place.

use std::cell::Cell;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::error::{Error, Outcome, Result};
use crate::secrets::{masked_body, scrub, SecretForms};
use crate::transport::{Answer, CallKind, Transport, JSON_CONTENT_TYPE};

/// One HTTP exchange (one attempt of a call) as the observer sees it: bodies with secret fields
/// masked and the client's own secrets scrubbed.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The operation's contract name (`billkeygen`, …), "" outside `Client::run`.
    pub operation: &'static str,
    pub method: &'static str,
    pub path: String,
    /// 1 for the first send; a retried read counts up.
    pub attempt: u32,
    pub request: String,
    pub status: Option<u16>,
    pub response: String,
    pub elapsed: Duration,
    pub error: Option<String>,
    /// "answered" (an HTTP status came back, whatever it is) or the error kind (`network`, `timeout`, …).
    pub outcome: &'static str,
    /// The attempt failed after the request may have reached CookiePay and changed something.
    pub may_have_taken_effect: bool,
}

impl Exchange {
    /// The record the bindings' loggers get: one JSON object of facts, with no body and no error
    /// text at all, so nothing a request carried (key, TOKEN, BILLKEY, card) can reach a log.
    pub fn record_json(&self) -> String {
        serde_json::json!({
            "operation": self.operation,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "duration_ms": u64::try_from(self.elapsed.as_millis()).unwrap_or(u64::MAX),
            "attempt": self.attempt,
            "outcome": self.outcome,
            "may_have_taken_effect": self.may_have_taken_effect,
        })
        .to_string()
    }
}

thread_local! {
    /// The operation running on this thread: every exchange happens on the caller's thread.
    static OPERATION: Cell<&'static str> = const { Cell::new("") };
}

/// Run `f` with `operation` named in the exchanges it makes.
pub fn in_operation<T>(operation: &'static str, f: impl FnOnce() -> T) -> T {
    let outer = OPERATION.with(|o| o.replace(operation));
    // Restored even if `f` panics (the boundary catches it; the thread lives on).
    struct Restore(&'static str);
    impl Drop for Restore {
        fn drop(&mut self) {
            OPERATION.with(|o| o.set(self.0));
        }
    }
    let _restore = Restore(outer);
    f()
}

/// What the observer says about an attempt's result.
fn outcome_of(result: &Result<Answer>) -> (&'static str, bool) {
    let unknown = |o: Option<Outcome>| matches!(o, Some(Outcome::Unknown(_)));
    match result {
        Ok(_) => ("answered", false),
        Err(err) => {
            let may = match err {
                Error::Network { outcome, .. } | Error::Timeout { outcome, .. } => unknown(Some(*outcome)),
                Error::Http { outcome, .. } | Error::Decode { outcome, .. } => unknown(*outcome),
                _ => false,
            };
            (err.kind(), may)
        }
    }
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
        let operation = OPERATION.with(Cell::get);
        let mut each = |attempt: u32, result: &Result<Answer>, elapsed: Duration| {
            let (status, response, error) = match result {
                Ok(answer) => {
                    let text: String = masked_body(&answer.body).chars().take(OBSERVED_CHARS).collect();
                    (Some(answer.status), text, None)
                }
                Err(err) => (None, String::new(), Some(err.to_string())),
            };
            let (outcome, may_have_taken_effect) = outcome_of(result);
            let exchange = Exchange {
                operation,
                method: "POST",
                path: path.to_owned(),
                attempt,
                request: request.clone(),
                status,
                response: self.scrub(response, &tokens),
                elapsed,
                error: error.map(|e| self.scrub(e, &tokens)),
                outcome,
                may_have_taken_effect,
            };
            observer(&exchange);
        };
        self.transport
            .post_each(path, headers, content_type, body, kind, &mut each)
            .map(|a| self.scrub_answer(a, &tokens))
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
    use crate::secrets::MIN_PIECE as PIECE;

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
