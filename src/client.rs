//! The client handle: composes one credential pair's `Context` (channel + TOKEN cache) from a config,
//! and runs operations on JSON text for the C ABI, the JNI glue and the CLI.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, TryLockError};
use std::time::Duration;

use serde_json::Value;

use crate::channel::{Channel, Exchange};
use crate::config::Config;
use crate::context::Context;
use crate::error::{envelope_text, Error, Result};
use crate::operation::Operation;
use crate::secrets::SecretForms;
use crate::token::TokenCache;
use crate::transport::{Transport, TransportConfig};
use crate::{noti, return_post};

/// Largest request JSON accepted: no request of the contract is near it.
pub const MAX_REQUEST_BYTES: usize = 1024 * 1024;

/// A client for one CookiePay credential pair. Send + Sync: share one across threads.
pub struct Client {
    ctx: Context,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("channel", &self.ctx.channel).finish()
    }
}

/// How many distinct configurations keep a shared transport; more are rare (one per merchant and
/// payment type) and simply get their own.
const MAX_SHARED: usize = 64;

type Shared = (Arc<Transport>, Arc<TokenCache>, Arc<SecretForms>);

fn private_parts(api_key: &str, config: TransportConfig) -> Shared {
    (
        Arc::new(Transport::new(config)),
        Arc::new(TokenCache::default()),
        Arc::new(SecretForms::new(api_key)),
    )
}

/// A shared config's exact text, and what it made: a client built again from the same text (what
/// every PHP request does) skips the parse, the PEM check and the registry's hashing.
struct Known {
    text: String,
    api_id: String,
    api_key: String,
    parts: Shared,
}

#[derive(Default)]
struct Registry {
    parts: HashMap<(String, TransportConfig), Shared>,
    texts: Vec<Known>,
}

fn clone_parts(parts: &Shared) -> Shared {
    (Arc::clone(&parts.0), Arc::clone(&parts.1), Arc::clone(&parts.2))
}

fn registry() -> &'static Mutex<Registry> {
    static REGISTRY: OnceLock<Mutex<Registry>> = OnceLock::new();
    REGISTRY.get_or_init(Default::default)
}

/// The registry, waiting at most `tries` × 0.5 ms. Bounded, never a deadlock: if another thread held
/// the lock when this process was forked, it will never be released here, and private parts (or the
/// slow path) are just as correct.
fn lock_registry(tries: u32) -> Option<std::sync::MutexGuard<'static, Registry>> {
    for attempt in 0..tries {
        match registry().try_lock() {
            Ok(map) => return Some(map),
            Err(TryLockError::Poisoned(p)) => return Some(p.into_inner()),
            Err(TryLockError::WouldBlock) if attempt + 1 < tries => std::thread::sleep(Duration::from_micros(500)),
            Err(TryLockError::WouldBlock) => {}
        }
    }
    None
}

/// What a shared config of exactly this text made before: credentials and parts.
fn known(config_json: &str) -> Option<(String, String, Shared)> {
    let registry = lock_registry(20)?;
    let known = registry.texts.iter().find(|k| k.text == config_json)?;
    Some((known.api_id.clone(), known.api_key.clone(), clone_parts(&known.parts)))
}

/// The process's connection pool and TOKEN cache for this credential pair and config: clients created
/// with the same settings share them. A PHP request cannot keep an object for the next request, so
/// without this every request would pay a new TOKEN, a new TLS handshake and a new I/O thread.
fn shared_parts(config_json: &str, api_id: &str, api_key: &str, config: TransportConfig) -> Shared {
    let Some(mut registry) = lock_registry(200) else {
        return private_parts(api_key, config);
    };
    let key = (format!("{api_id}\n{api_key}"), config);
    let parts = match registry.parts.get(&key) {
        Some(parts) => clone_parts(parts),
        None if registry.parts.len() < MAX_SHARED => {
            let parts = private_parts(api_key, key.1.clone());
            registry.parts.insert(key, clone_parts(&parts));
            parts
        }
        None => return private_parts(api_key, key.1),
    };
    if registry.texts.len() < MAX_SHARED {
        registry.texts.push(Known {
            text: config_json.to_owned(),
            api_id: api_id.to_owned(),
            api_key: api_key.to_owned(),
            parts: clone_parts(&parts),
        });
    }
    parts
}

impl Client {
    /// Build a client from the JSON config documented in README.md. Nothing is started here: the HTTP
    /// client is built on first use (so a php-fpm master may create none before forking).
    pub fn from_json(config_json: &str) -> Result<Client> {
        // Config::from_json is a function of the text alone: the same text gives the same config.
        if let Some((api_id, api_key, (transport, tokens, secrets))) = known(config_json) {
            return Ok(Client::compose(api_id, api_key, transport, tokens, secrets));
        }
        let Config {
            api_id,
            api_key,
            transport,
            shared,
        } = Config::from_json(config_json)?;
        let (transport, tokens, secrets) = if shared {
            shared_parts(config_json, &api_id, &api_key, transport)
        } else {
            private_parts(&api_key, transport)
        };
        Ok(Client::compose(api_id, api_key, transport, tokens, secrets))
    }

    fn compose(
        api_id: String,
        api_key: String,
        transport: Arc<Transport>,
        tokens: Arc<TokenCache>,
        secrets: Arc<SecretForms>,
    ) -> Client {
        Client {
            ctx: Context {
                channel: Channel::new(api_id, api_key, transport, secrets),
                tokens,
            },
        }
    }

    /// Report every HTTP exchange of this client to `observer` (bodies masked, secrets scrubbed):
    /// what the CLI's `--verbose` prints.
    pub fn with_observer(mut self, observer: impl Fn(&Exchange) + Send + Sync + 'static) -> Client {
        self.set_observer(observer);
        self
    }

    /// `with_observer` in place (the C ABI and JNI register it on a client they already hold).
    pub fn set_observer(&mut self, observer: impl Fn(&Exchange) + Send + Sync + 'static) {
        self.ctx.channel.set_observer(Arc::new(observer));
    }

    pub fn api_id(&self) -> &str {
        self.ctx.api_id()
    }

    pub fn base_url(&self) -> &str {
        self.ctx.channel.transport().base_url()
    }

    /// Run one operation on a parsed request.
    pub fn run(&self, op: Operation, request: &Value) -> Result<Value> {
        crate::channel::in_operation(op.name(), || op.run(&self.ctx, request))
    }

    /// Run one operation on a JSON request string and return the JSON envelope string. Errors are
    /// scrubbed of this client's secrets whatever produced them.
    pub fn call(&self, op: Operation, request_json: &str) -> String {
        let mut request = parse_request(request_json);
        let result = request.as_ref().map_err(Clone::clone).and_then(|r| self.run(op, r));
        let mut text = envelope_text(&result);
        if result.is_err() {
            text = self.scrub(text);
            if let Ok(request) = &request {
                // An error may quote what was sent (a gateway echoing the request): never the card.
                let card = crate::card::values_of(request);
                let card: Vec<&str> = card.iter().map(String::as_str).collect();
                text = crate::secrets::scrub(text, &card);
            }
        }
        if op == Operation::Billkeygen {
            // Card data: do not leave our copy of it in freed memory.
            if let Ok(r) = request.as_mut() {
                crate::secrets::wipe_value(r);
            }
        }
        text
    }

    /// Remove the API key and any cached TOKEN from an error text.
    pub fn scrub(&self, text: String) -> String {
        self.ctx.scrub(text)
    }

    #[cfg(test)]
    fn user_agent(&self) -> &str {
        self.ctx.channel.transport().user_agent()
    }
}

fn parse_request(request_json: &str) -> Result<Value> {
    if request_json.len() > MAX_REQUEST_BYTES {
        return Err(Error::invalid(format!(
            "the request is larger than {MAX_REQUEST_BYTES} bytes"
        )));
    }
    match serde_json::from_str::<Value>(request_json) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(Error::invalid("the request must be a JSON object")),
        Err(e) => Err(Error::invalid(format!(
            "the request is not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        ))),
    }
}

/// `cookiepay_parse_return` without the C types: raw body → envelope string.
pub fn parse_return_envelope(body: &[u8]) -> String {
    envelope_text(&return_post::parse(body))
}

/// `cookiepay_parse_noti` without the C types: raw body → envelope string.
pub fn parse_noti_envelope(body: &[u8]) -> String {
    envelope_text(&noti::parse(body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SANDBOX_URL;

    fn problems(json: &str) -> Vec<(String, &'static str)> {
        match Client::from_json(json) {
            Err(Error::Validation(f)) => f.into_iter().map(|f| (f.field, f.rule)).collect(),
            Err(e) => panic!("unexpected {e:?}"),
            Ok(_) => panic!("accepted {json}"),
        }
    }

    #[test]
    fn config_rules() {
        let ok = Client::from_json(r#"{"env":"sandbox","api_id":"sandbox_x","api_key":"k1234"}"#).unwrap();
        assert_eq!(ok.base_url(), SANDBOX_URL);
        assert!(
            problems(r#"{"env":"live","base_url":"http://x","api_id":"a","api_key":"b"}"#)
                .contains(&("base_url".into(), "https"))
        );
        let p = problems(r#"{"env":"prod","timeout_ms":0,"api_key":"has space"}"#);
        for want in [
            ("env", "one_of"),
            ("timeout_ms", "range"),
            ("api_id", "required"),
            ("api_key", "format"),
        ] {
            assert!(p.contains(&(want.0.to_string(), want.1)), "{want:?} not in {p:?}");
        }
        assert!(
            problems(r#"{"base_url":"http://127.0.0.1:1","api_id":"a","api_key":"b","ca_cert_pem":"nope"}"#)
                .contains(&("ca_cert_pem".into(), "pem"))
        );
        assert!(
            problems(r#"{"base_url":"http://127.0.0.1:1","api_id":"a","api_key":"b","timout_ms":5}"#)
                .contains(&("timout_ms".into(), "unknown"))
        );
        for url in [
            "http://x\r\nHost: evil",
            "ftp://x",
            "https://u:p@x",
            "http://www.cookiepayments.com",
            "not a url",
        ] {
            let json = format!(
                r#"{{"base_url":{},"api_id":"a","api_key":"b"}}"#,
                serde_json::json!(url)
            );
            assert!(problems(&json).iter().any(|(f, _)| f == "base_url"), "{url} accepted");
        }
        assert_eq!(Client::from_json("[]").unwrap_err().kind(), "invalid_argument");
        assert_eq!(Client::from_json("{").unwrap_err().kind(), "invalid_argument");
    }

    #[test]
    fn a_misspelt_key_gets_the_nearest_name() {
        let Err(Error::Validation(p)) =
            Client::from_json(r#"{"env":"sandbox","api_id":"a","api_key":"bbbb","ca_cert":"x","timout_ms":1}"#)
        else {
            panic!("accepted")
        };
        let messages: Vec<&str> = p.iter().map(|f| f.message.as_str()).collect();
        assert!(messages.iter().any(|m| m.contains("\"ca_cert_pem\"")), "{messages:?}");
        assert!(messages.iter().any(|m| m.contains("\"timeout_ms\"")), "{messages:?}");
    }

    #[test]
    fn binding_is_cleaned_not_refused() {
        let c = Client::from_json(
            r#"{"base_url":"http://127.0.0.1:9","api_id":"a","api_key":"bbbb","binding":"dotnet/Mono 6.8 (한글)\r\n"}"#,
        )
        .unwrap();
        let version = crate::VERSION;
        assert_eq!(c.user_agent(), format!("cookiepay/{version} dotnet/Mono 6.8 (__)__"));
        let long = format!(
            r#"{{"base_url":"http://127.0.0.1:9","api_id":"a","api_key":"bbbb","binding":"{}"}}"#,
            "x".repeat(500)
        );
        assert_eq!(
            Client::from_json(&long).unwrap().user_agent().len(),
            "cookiepay/ ".len() + version.len() + 100
        );
    }

    #[test]
    fn debug_and_errors_hide_the_key() {
        let c = Client::from_json(r#"{"base_url":"http://127.0.0.1:9","api_id":"sandbox_x","api_key":"SECRETKEY123"}"#)
            .unwrap();
        assert!(!format!("{c:?}").contains("SECRETKEY123"));
        assert_eq!(c.scrub("x SECRETKEY123 y".into()), "x [REDACTED] y");
    }

    #[test]
    fn an_error_never_quotes_the_card() {
        let c = Client::from_json(r#"{"base_url":"http://127.0.0.1:1","api_id":"a","api_key":"bbbb","max_retries":0}"#)
            .unwrap();
        let request = r#"{"ORDERNO":"A","PRODUCTNAME":"p","AMOUNT":1,"BUYERNAME":"b","CARDNO":"4111 1111 1111 1111",
                          "EXPIREDT":"3012","CARDAUTH":"900101","CARDPWD":"12"}"#;
        let out = c.call(Operation::Billkeygen, request);
        assert!(out.contains("\"network\"") && !out.contains("900101"), "{out}");
        let card = crate::card::values_of(&serde_json::from_str(request).unwrap());
        assert_eq!(card, ["4111 1111 1111 1111", "4111111111111111", "900101", "3012"]);
    }

    #[test]
    fn the_envelope_text_is_the_envelope_s_text() {
        let data = serde_json::json!({"Z": "한글 \"q\" \\ \u{1}", "A": [1, 2.5, null, true], "m": {"x": {}}, "n": -3});
        let errors = [
            Error::field("AMOUNT", "digits_only", "must contain digits only"),
            Error::invalid("the request must be a JSON object"),
        ];
        for result in [Ok(data), Ok(Value::Null)].into_iter().chain(errors.map(Err)) {
            assert_eq!(
                envelope_text(&result),
                crate::error::envelope(result.clone()).to_string()
            );
        }
    }

    #[test]
    fn the_same_config_text_gives_the_same_parts_without_a_parse() {
        let text = r#"{"base_url":"http://127.0.0.1:9","api_id":"known_a","api_key":"kkkk1"}"#;
        let (a, b) = (Client::from_json(text).unwrap(), Client::from_json(text).unwrap());
        assert!(Arc::ptr_eq(&a.ctx.tokens, &b.ctx.tokens));
        assert!(known(text).is_some(), "a shared config's text is remembered");
        assert_eq!((b.api_id(), b.ctx.api_key()), ("known_a", "kkkk1"));
        // Another text of the same settings shares the same parts; a private config is never remembered.
        let spaced = r#"{"base_url": "http://127.0.0.1:9", "api_id": "known_a", "api_key": "kkkk1"}"#;
        assert!(Arc::ptr_eq(
            &Client::from_json(spaced).unwrap().ctx.tokens,
            &a.ctx.tokens
        ));
        let private = r#"{"base_url":"http://127.0.0.1:9","api_id":"known_a","api_key":"kkkk1","shared":false}"#;
        assert!(!Arc::ptr_eq(
            &Client::from_json(private).unwrap().ctx.tokens,
            &a.ctx.tokens
        ));
        assert!(known(private).is_none());
        // A refused config is never remembered either.
        let bad = r#"{"base_url":"http://127.0.0.1:9","api_id":"known_a","api_key":"has space"}"#;
        assert!(Client::from_json(bad).is_err() && Client::from_json(bad).is_err());
    }

    #[test]
    fn oversized_requests_are_refused_before_parsing() {
        let c = Client::from_json(r#"{"base_url":"http://127.0.0.1:9","api_id":"a","api_key":"bbbb"}"#).unwrap();
        let big = format!(r#"{{"tid":"{}"}}"#, "x".repeat(MAX_REQUEST_BYTES));
        assert!(c.call(Operation::Paycert, &big).contains("invalid_argument"));
    }
}
