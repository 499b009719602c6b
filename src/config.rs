//! The client's JSON config (README "Config"): every key read and checked here, every problem
//! reported at once.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::error::{Error, FieldError, Result};
use crate::transport::{RetryPolicy, TransportConfig};

pub const LIVE_URL: &str = "https://www.cookiepayments.com";
pub const SANDBOX_URL: &str = "https://sandbox.cookiepayments.com";

/// A checked config: one credential pair and how to reach CookiePay.
pub struct Config {
    pub api_id: String,
    pub api_key: String,
    pub transport: TransportConfig,
    /// Share the connection pool and TOKEN cache with same-config clients of this process.
    pub shared: bool,
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
                self.problems
                    .push(FieldError::new(key, "type", format!("{key} must be a string")));
                None
            }
        }
    }

    fn boolean(&mut self, key: &str, default: bool) -> bool {
        match self.map.get(key) {
            None | Some(Value::Null) => default,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                self.problems
                    .push(FieldError::new(key, "type", format!("{key} must be true or false")));
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
                self.problems.push(FieldError::new(
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
                self.problems.push(FieldError::new(
                    key,
                    "format",
                    format!("{key} must be at most {max} printable ASCII characters"),
                ));
                String::new()
            }
            _ => {
                self.problems
                    .push(FieldError::new(key, "required", format!("{key} is required")));
                String::new()
            }
        }
    }
}

impl Config {
    /// Read the JSON config documented in README.md.
    pub fn from_json(config_json: &str) -> Result<Config> {
        let config: Value =
            serde_json::from_str(config_json).map_err(|_| Error::invalid("config is not valid JSON"))?;
        let map = config
            .as_object()
            .ok_or_else(|| Error::invalid("config must be a JSON object"))?;
        let mut r = ConfigReader {
            map,
            problems: Vec::new(),
        };

        let env = r.string("env");
        if env.is_some_and(|e| !matches!(e, "live" | "sandbox")) {
            r.problems
                .push(FieldError::new("env", "one_of", "env must be \"sandbox\" or \"live\""));
        }
        let base_url = match (env, r.string("base_url")) {
            (_, Some(url)) => url.trim_end_matches('/').to_owned(),
            (Some("live"), None) => LIVE_URL.to_owned(),
            (Some("sandbox"), None) => SANDBOX_URL.to_owned(),
            (Some(_), None) => String::new(),
            (None, None) => {
                r.problems.push(FieldError::new(
                    "env",
                    "required",
                    "give env (\"sandbox\"/\"live\") or base_url",
                ));
                String::new()
            }
        };
        if !base_url.is_empty() {
            let lower = base_url.to_ascii_lowercase();
            let https = lower.starts_with("https://");
            if !https && !lower.starts_with("http://") {
                r.problems.push(FieldError::new(
                    "base_url",
                    "url",
                    "base_url must start with http:// or https://",
                ));
            } else if env == Some("live") && !https {
                r.problems.push(FieldError::new(
                    "base_url",
                    "https",
                    "the live environment requires https",
                ));
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
                r.problems.push(FieldError::new(
                    "ca_cert_pem",
                    "pem",
                    "ca_cert_pem holds no PEM certificate",
                ));
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
        let transport = TransportConfig {
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
        Ok(Config {
            api_id,
            api_key,
            transport,
            shared,
        })
    }
}
