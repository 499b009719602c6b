//! The client's JSON config (README "Config"): every key read and checked here, every problem
//! reported at once.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::error::{Error, FieldError, Result};
use crate::transport::{RetryPolicy, TransportConfig};

pub const LIVE_URL: &str = "https://www.cookiepayments.com";
pub const SANDBOX_URL: &str = "https://sandbox.cookiepayments.com";

/// Every config key (README "Config").
pub const KEYS: [&str; 13] = [
    "env",
    "base_url",
    "api_id",
    "api_key",
    "connect_timeout_ms",
    "timeout_ms",
    "ca_cert_pem",
    "max_retries",
    "retry_base_delay_ms",
    "retry_max_delay_ms",
    "binding",
    "shared",
    "env_proxy",
];

/// The known key closest to a misspelt one (at most a third of its letters off), if any.
fn nearest_key(key: &str) -> Option<&'static str> {
    KEYS.iter()
        .map(|k| (edit_distance(&key.to_ascii_lowercase(), k), *k))
        .filter(|(d, k)| *d <= k.len().div_ceil(3))
        .min()
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1).min(row[j] + 1).min(diagonal + usize::from(ca != *cb));
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// What is wrong with a base URL, if anything: it must parse as an http(s) URL with a host and no
/// user, query or fragment, and CookiePay's own hosts (and the live environment) only over https.
fn base_url_problem(base_url: &str, live: bool) -> Option<FieldError> {
    let problem = |rule, message: &str| Some(FieldError::new("base_url", rule, message));
    let Ok(url) = reqwest::Url::parse(base_url) else {
        return problem("url", "base_url is not a URL (e.g. https://sandbox.cookiepayments.com)");
    };
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return problem("url", "base_url must be an http:// or https:// URL with a host");
    }
    if !url.username().is_empty() || url.password().is_some() || url.query().is_some() || url.fragment().is_some() {
        return problem("url", "base_url must not hold a user, a query or a fragment");
    }
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    let cookiepay_host = host == "cookiepayments.com" || host.ends_with(".cookiepayments.com");
    if url.scheme() == "http" && (live || cookiepay_host) {
        return problem("https", "CookiePay's hosts and the live environment require https");
    }
    None
}

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
        // A misspelt key would otherwise be ignored silently (a `timout_ms` leaves the default).
        for key in map.keys().filter(|k| !KEYS.contains(&k.as_str())) {
            let message = match nearest_key(key) {
                Some(near) => format!("unknown config key {key:?}: did you mean {near:?}?"),
                None => format!("unknown config key {key:?}"),
            };
            r.problems.push(FieldError::new(key.clone(), "unknown", message));
        }

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
            if let Some(problem) = base_url_problem(&base_url, env == Some("live")) {
                r.problems.push(problem);
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
        let env_proxy = r.boolean("env_proxy", true);
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
            env_proxy,
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
