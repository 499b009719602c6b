//! The client handle: configuration, credentials and transport for one credential pair, and the
//! string-in/JSON-out dispatch that the C ABI and the JNI glue share.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::error::{envelope, Error, FieldError, Result};
use crate::transport::{RetryPolicy, Transport, TransportConfig};
use crate::{decrypt, paycert, ready, return_post, token, verify};

pub const LIVE_URL: &str = "https://www.cookiepayments.com";
pub const SANDBOX_URL: &str = "https://sandbox.cookiepayments.com";

/// One operation of the contract; the C functions and the bindings' methods map to these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Token,
    Ready,
    Decrypt,
    Paycert,
    Verify,
}

/// A client for one CookiePay credential pair. Send + Sync: share one across threads.
pub struct Client {
    api_id: String,
    api_key: String,
    transport: Arc<Transport>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("api_id", &self.api_id)
            .field("api_key", &"[REDACTED]")
            .field("base_url", &self.transport.base_url())
            .finish()
    }
}

fn field_problem(field: &str, rule: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        rule,
        message: message.into(),
    }
}

/// Reads the config object, collecting every problem instead of stopping at the first.
struct ConfigReader<'a> {
    map: &'a Map<String, Value>,
    problems: Vec<FieldError>,
}

impl<'a> ConfigReader<'a> {
    fn string(&mut self, key: &str) -> Option<&'a str> {
        match self.map.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.as_str()),
            Some(_) => {
                self.problems.push(field_problem(key, "type", format!("{key} must be a string")));
                None
            }
        }
    }

    fn boolean(&mut self, key: &str, default: bool) -> bool {
        match self.map.get(key) {
            None | Some(Value::Null) => default,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                self.problems.push(field_problem(key, "type", format!("{key} must be true or false")));
                default
            }
        }
    }

    fn number(&mut self, key: &str, default: u64, min: u64, max: u64) -> u64 {
        match self.map.get(key) {
            None | Some(Value::Null) => default,
            Some(Value::Number(n)) if n.as_u64().is_some_and(|v| (min..=max).contains(&v)) => {
                n.as_u64().unwrap_or(default)
            }
            Some(_) => {
                self.problems.push(field_problem(
                    key,
                    "range",
                    format!("{key} must be a whole number from {min} to {max}"),
                ));
                default
            }
        }
    }

    fn credential(&mut self, key: &str, max: usize) -> String {
        match self.string(key) {
            Some(s) if !s.is_empty() && s.chars().count() <= max && s.bytes().all(|b| b.is_ascii_graphic()) => {
                s.to_owned()
            }
            Some(s) if !s.is_empty() => {
                self.problems.push(field_problem(
                    key,
                    "format",
                    format!("{key} must be at most {max} printable ASCII characters"),
                ));
                String::new()
            }
            _ => {
                self.problems.push(field_problem(key, "required", format!("{key} is required")));
                String::new()
            }
        }
    }
}

impl Client {
    /// Build a client from the JSON config documented in README.md. Nothing is started here: the HTTP
    /// client is built on first use (so a php-fpm master may create none before forking).
    pub fn from_json(config_json: &str) -> Result<Client> {
        let config: Value = serde_json::from_str(config_json)
            .map_err(|_| Error::invalid("config is not valid JSON"))?;
        let map = config
            .as_object()
            .ok_or_else(|| Error::invalid("config must be a JSON object"))?;
        let mut r = ConfigReader {
            map,
            problems: Vec::new(),
        };

        let env = r.string("env");
        if env.is_some_and(|e| !matches!(e, "live" | "sandbox")) {
            r.problems.push(field_problem("env", "one_of", "env must be \"sandbox\" or \"live\""));
        }
        let base_url = match (env, r.string("base_url")) {
            (_, Some(url)) => url.trim_end_matches('/').to_owned(),
            (Some("live"), None) => LIVE_URL.to_owned(),
            (Some("sandbox"), None) => SANDBOX_URL.to_owned(),
            (Some(_), None) => String::new(),
            (None, None) => {
                r.problems.push(field_problem("env", "required", "give env (\"sandbox\"/\"live\") or base_url"));
                String::new()
            }
        };
        if !base_url.is_empty() {
            let lower = base_url.to_ascii_lowercase();
            let https = lower.starts_with("https://");
            if !https && !lower.starts_with("http://") {
                r.problems.push(field_problem("base_url", "url", "base_url must start with http:// or https://"));
            } else if env == Some("live") && !https {
                r.problems.push(field_problem("base_url", "https", "the live environment requires https"));
            }
        }

        // pay2_id is documented with 30 characters, API_ID with 20: accept the larger.
        let api_id = r.credential("api_id", 30);
        let api_key = r.credential("api_key", 100);
        let connect_timeout = r.number("connect_timeout_ms", 10_000, 1, 600_000);
        let timeout = r.number("timeout_ms", 20_000, 1, 600_000);
        let max_retries = r.number("max_retries", 2, 0, 5);
        let base_delay = r.number("retry_base_delay_ms", 500, 0, 60_000);
        let max_delay = r.number("retry_max_delay_ms", 5_000, 0, 600_000);
        let shared = r.boolean("shared", true);
        let ca_cert_pem = r.string("ca_cert_pem").map(str::to_owned);
        if let Some(pem) = &ca_cert_pem {
            if reqwest::Certificate::from_pem_bundle(pem.as_bytes()).map_or(true, |certs| certs.is_empty()) {
                r.problems.push(field_problem("ca_cert_pem", "pem", "ca_cert_pem holds no PEM certificate"));
            }
        }
        // Only decorates the User-Agent: cleaned here rather than refused, so no binding has to
        // guess what a header accepts (runtime names may hold any text).
        let binding: String = r
            .string("binding")
            .unwrap_or("")
            .chars()
            .map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '_' })
            .take(100)
            .collect();

        if !r.problems.is_empty() {
            return Err(Error::Validation(r.problems));
        }
        let mut user_agent = format!("cookiepay/{}", crate::VERSION);
        if !binding.trim().is_empty() {
            user_agent.push(' ');
            user_agent.push_str(binding.trim());
        }
        let config = TransportConfig {
            base_url,
            connect_timeout: Duration::from_millis(connect_timeout),
            timeout: Duration::from_millis(timeout),
            ca_cert_pem,
            user_agent,
            retry: RetryPolicy {
                max_retries: max_retries as u32,
                base_delay: Duration::from_millis(base_delay),
                max_delay: Duration::from_millis(max_delay),
            },
        };
        let transport = if shared {
            Transport::shared(format!("{api_id}\n{api_key}"), config)
        } else {
            Arc::new(Transport::new(config))
        };
        Ok(Client {
            api_id,
            api_key,
            transport,
        })
    }

    pub fn api_id(&self) -> &str {
        &self.api_id
    }

    pub(crate) fn api_key(&self) -> &str {
        &self.api_key
    }

    pub(crate) fn transport(&self) -> &Transport {
        &self.transport
    }

    pub fn token(&self, request: &Value) -> Result<Value> {
        token::call(self, request)
    }

    pub fn ready(&self, request: &Value) -> Result<Value> {
        ready::call(self, request)
    }

    pub fn decrypt(&self, request: &Value) -> Result<Value> {
        decrypt::call(self, request)
    }

    pub fn paycert(&self, request: &Value) -> Result<Value> {
        paycert::call(self, request)
    }

    pub fn verify(&self, request: &Value) -> Result<Value> {
        verify::call(self, request)
    }

    /// Run one operation on a JSON request string and return the JSON envelope string. Errors are
    /// scrubbed of this client's secrets whatever produced them.
    pub fn call(&self, op: Operation, request_json: &str) -> String {
        let result = parse_request(request_json).and_then(|request| match op {
            Operation::Token => self.token(&request),
            Operation::Ready => self.ready(&request),
            Operation::Decrypt => self.decrypt(&request),
            Operation::Paycert => self.paycert(&request),
            Operation::Verify => self.verify(&request),
        });
        match result {
            Ok(data) => envelope(Ok(data)).to_string(),
            Err(err) => self.scrub(envelope(Err(err)).to_string()),
        }
    }

    /// Remove the API key and any cached TOKEN from an error text.
    pub fn scrub(&self, mut text: String) -> String {
        let mut secrets = vec![self.api_key.clone()];
        if let Ok(local) = self.transport.local() {
            if let Some(token) = local.token.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
                secrets.push(token.value.clone());
            }
        }
        for secret in secrets.iter().filter(|s| s.len() >= 4) {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), "[REDACTED]");
            }
        }
        text
    }
}

fn parse_request(request_json: &str) -> Result<Value> {
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
    envelope(return_post::parse(body)).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(ok.transport().base_url(), SANDBOX_URL);
        assert!(problems(r#"{"env":"live","base_url":"http://x","api_id":"a","api_key":"b"}"#)
            .contains(&("base_url".into(), "https")));
        let p = problems(r#"{"env":"prod","timeout_ms":0,"api_key":"has space"}"#);
        for want in [("env", "one_of"), ("timeout_ms", "range"), ("api_id", "required"), ("api_key", "format")] {
            assert!(p.contains(&(want.0.to_string(), want.1)), "{want:?} not in {p:?}");
        }
        assert!(problems(r#"{"base_url":"http://127.0.0.1:1","api_id":"a","api_key":"b","ca_cert_pem":"nope"}"#)
            .contains(&("ca_cert_pem".into(), "pem")));
        assert_eq!(Client::from_json("[]").unwrap_err().kind(), "invalid_argument");
        assert_eq!(Client::from_json("{").unwrap_err().kind(), "invalid_argument");
    }

    #[test]
    fn binding_is_cleaned_not_refused() {
        let c = Client::from_json(r#"{"base_url":"http://127.0.0.1:9","api_id":"a","api_key":"bbbb","binding":"dotnet/Mono 6.8 (한글)\r\n"}"#)
            .unwrap();
        let version = crate::VERSION;
        assert_eq!(c.transport().user_agent(), format!("cookiepay/{version} dotnet/Mono 6.8 (__)__"));
        let long = format!(r#"{{"base_url":"http://127.0.0.1:9","api_id":"a","api_key":"bbbb","binding":"{}"}}"#, "x".repeat(500));
        assert_eq!(Client::from_json(&long).unwrap().transport().user_agent().len(), "cookiepay/ ".len() + version.len() + 100);
    }

    #[test]
    fn debug_and_errors_hide_the_key() {
        let c = Client::from_json(r#"{"base_url":"http://127.0.0.1:9","api_id":"sandbox_x","api_key":"SECRETKEY123"}"#)
            .unwrap();
        assert!(!format!("{c:?}").contains("SECRETKEY123"));
        assert_eq!(c.scrub("x SECRETKEY123 y".into()), "x [REDACTED] y");
    }
}
