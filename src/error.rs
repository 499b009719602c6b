//! The one error type of the library. Every failure a caller can see is one of these kinds; the C ABI
//! and every binding map them one to one (see `kind()`), so a PHP exception, a C# exception and a Java
//! exception for the same failure carry the same fields.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
#[cfg(test)]
use serde_json::json;
use serde_json::Value;

/// Which step of an HTTP exchange failed, so a merchant's developer knows where to look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkPhase {
    /// The host name did not resolve.
    Dns,
    /// No TCP connection (refused, unreachable — often a firewall).
    Connect,
    /// The TLS handshake failed (often an inspecting proxy or a missing CA).
    Tls,
    /// The connection broke after the request was sent (reset, closed, truncated answer).
    Read,
}

impl NetworkPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            NetworkPhase::Dns => "dns",
            NetworkPhase::Connect => "connect",
            NetworkPhase::Tls => "tls",
            NetworkPhase::Read => "read",
        }
    }
}

/// Whether a call that failed may still have changed something at CookiePay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing was changed (read-only call, or the request never left).
    NotApplied,
    /// The request may have reached CookiePay: check by order number before trying again.
    Unknown,
}

/// One failed validation rule of one field. Messages name the rule, never the value (values may be
/// personal data or card data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub rule: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, rule: &'static str, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            rule,
            message: message.into(),
        }
    }
}

/// One field of a payment that differs from what the merchant expected.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mismatch {
    pub field: String,
    pub expected: Value,
    pub actual: Value,
}

/// Every failure of the library. Messages never contain secrets (API key, TOKEN, card data): they are
/// built from fixed text and field names only, and `Client` scrubs its own secrets from every error
/// before it leaves the library as a second line of defence.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    InvalidArgument(String),
    #[error("{} field(s) failed validation", .0.len())]
    Validation(Vec<FieldError>),
    #[error("CookiePay answered {code}: {message}{}", hint.map(|h| format!(" ({h})")).unwrap_or_default())]
    Api {
        code: String,
        message: String,
        /// What the code means for the caller, when this library knows (e.g. 9029).
        hint: Option<&'static str>,
        /// The whole answer, for logging and support tickets. Boxed to keep `Result`s small.
        response: Box<Value>,
        /// For two-level answers (decrypt): "outer" = the call itself, "inner" = the payment result.
        layer: Option<&'static str>,
    },
    #[error("payment does not match the order: {}", mismatch_names(.mismatches))]
    VerificationFailed {
        mismatches: Vec<Mismatch>,
        payment: Box<Value>,
    },
    #[error("{message}")]
    Network {
        phase: NetworkPhase,
        message: String,
        outcome: Outcome,
    },
    #[error("{message}")]
    Timeout { message: String, outcome: Outcome },
    #[error("unexpected HTTP answer (status {status}){}", outcome_note(*.outcome))]
    Http {
        /// Set when a money call was sent: `Unknown` = it may have taken effect.
        outcome: Option<Outcome>,
        status: u16,
        content_type: Option<String>,
        excerpt: String,
    },
    #[error("{message}{}", outcome_note(*.outcome))]
    Decode {
        /// Set when a money call was sent: `Unknown` = it may have taken effect.
        outcome: Option<Outcome>,
        message: String,
        excerpt: String,
    },
    #[error("internal error: {0}")]
    Internal(String),
    /// A Noti that CookiePay's own answer does not back (`confirm_noti`): act on nothing in it.
    #[error("{message}")]
    NotiNotConfirmed {
        /// `no_tid`, `invalid_tid`, `unknown_tid`, `mismatch` or `not_cancelled`.
        reason: &'static str,
        message: String,
        /// Fields the Noti and paycert both carry that differ (`expected` = the Noti's).
        mismatches: Vec<Mismatch>,
        /// paycert's result code when it did not confirm the TID.
        code: Option<String>,
    },
}

fn outcome_note(outcome: Option<Outcome>) -> &'static str {
    match outcome {
        Some(Outcome::Unknown) => "; the request was sent and may have taken effect: look it up before trying again",
        _ => "",
    }
}

fn mismatch_names(mismatches: &[Mismatch]) -> String {
    mismatches
        .iter()
        .map(|m| m.field.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// The stable, documented name of the error kind (part of the C ABI contract).
    pub fn kind(&self) -> &'static str {
        match self {
            Error::InvalidArgument(_) => "invalid_argument",
            Error::Validation(_) => "validation",
            Error::Api { .. } => "api",
            Error::VerificationFailed { .. } => "verification_failed",
            Error::Network { .. } => "network",
            Error::Timeout { .. } => "timeout",
            Error::Http { .. } => "http",
            Error::Decode { .. } => "decode",
            Error::Internal(_) => "internal",
            Error::NotiNotConfirmed { .. } => "noti_not_confirmed",
        }
    }

    pub fn invalid(message: impl Into<String>) -> Error {
        Error::InvalidArgument(message.into())
    }

    /// This error happened while reading a money call's accepted answer (decrypting its ENC_DATA):
    /// whatever it says, the call may have taken effect.
    pub fn after_money_sent(self) -> Error {
        match self {
            Error::Network { phase, message, .. } => Error::Network {
                phase,
                message,
                outcome: Outcome::Unknown,
            },
            Error::Api { code, message, .. } => Error::Decode {
                outcome: Some(Outcome::Unknown),
                message: format!(
                    "CookiePay accepted the call but its answer could not be decrypted ({code}: {message})"
                ),
                excerpt: String::new(),
            },
            Error::Timeout { message, .. } => Error::Timeout {
                message,
                outcome: Outcome::Unknown,
            },
            Error::Http {
                status,
                content_type,
                excerpt,
                ..
            } => Error::Http {
                outcome: Some(Outcome::Unknown),
                status,
                content_type,
                excerpt,
            },
            Error::Decode { message, excerpt, .. } => Error::Decode {
                outcome: Some(Outcome::Unknown),
                message,
                excerpt,
            },
            other => other,
        }
    }

    /// A `validation` error about one field.
    pub fn field(field: impl Into<String>, rule: &'static str, message: impl Into<String>) -> Error {
        Error::Validation(vec![FieldError::new(field, rule, message)])
    }

    /// The error object of the JSON envelope (see `Serialize` below) as a value.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or_else(|e| serde_json::json!({"kind": "internal", "message": e.to_string()}))
    }
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::NotApplied => "not_applied",
            Outcome::Unknown => "unknown",
        }
    }
}

/// The error object of the JSON envelope: `{"kind", "message", ...kind-specific fields}`, written
/// straight to the output (a `Value` first cost a map, a hash and an allocation per field).
impl Serialize for Error {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("kind", self.kind())?;
        map.serialize_entry("message", &format_args!("{self}"))?;
        let outcome = |map: &mut S::SerializeMap, outcome: Option<Outcome>| match outcome {
            Some(outcome) => map.serialize_entry("outcome", outcome.as_str()),
            None => Ok(()),
        };
        match self {
            Error::Validation(fields) => map.serialize_entry("fields", fields)?,
            Error::Api {
                code,
                message,
                hint,
                response,
                layer,
            } => {
                map.serialize_entry("code", code)?;
                map.serialize_entry("api_message", message)?;
                map.serialize_entry("response", response)?;
                if let Some(layer) = layer {
                    map.serialize_entry("layer", layer)?;
                }
                if let Some(hint) = hint {
                    map.serialize_entry("hint", hint)?;
                }
            }
            Error::VerificationFailed { mismatches, payment } => {
                map.serialize_entry("mismatches", mismatches)?;
                map.serialize_entry("payment", payment)?;
            }
            Error::Network { phase, outcome: o, .. } => {
                map.serialize_entry("phase", phase.as_str())?;
                outcome(&mut map, Some(*o))?;
            }
            Error::Timeout { outcome: o, .. } => outcome(&mut map, Some(*o))?,
            Error::Http {
                outcome: o,
                status,
                content_type,
                excerpt,
            } => {
                map.serialize_entry("status", status)?;
                map.serialize_entry("content_type", content_type)?;
                map.serialize_entry("excerpt", excerpt)?;
                outcome(&mut map, *o)?;
            }
            Error::Decode {
                outcome: o, excerpt, ..
            } => {
                map.serialize_entry("excerpt", excerpt)?;
                outcome(&mut map, *o)?;
            }
            Error::InvalidArgument(_) | Error::Internal(_) => {}
            Error::NotiNotConfirmed {
                reason,
                mismatches,
                code,
                ..
            } => {
                map.serialize_entry("reason", reason)?;
                map.serialize_entry("mismatches", mismatches)?;
                if let Some(code) = code {
                    map.serialize_entry("code", code)?;
                }
            }
        }
        map.end()
    }
}

/// The JSON envelope every call returns: `{"ok":true,"data":…}` or `{"ok":false,"error":…}`.
#[cfg(test)]
pub fn envelope(result: Result<Value>) -> Value {
    match result {
        Ok(data) => json!({"ok": true, "data": data}),
        Err(err) => json!({"ok": false, "error": err.to_json()}),
    }
}

/// The text of the envelope of `result`, as every export returns it.
pub fn envelope_text(result: &Result<Value>) -> String {
    match result {
        Ok(data) => wrapped(br#"{"ok":true,"data":"#, data),
        Err(err) => wrapped(br#"{"ok":false,"error":"#, err),
    }
}

/// `head`, `value`, `}` written straight into one buffer: `Value`'s Display goes through
/// `fmt::Write` a piece at a time (four times the instructions), and the buffer keeps room for the
/// NUL the C ABI appends.
fn wrapped(head: &[u8], value: &impl Serialize) -> String {
    let mut out = Vec::with_capacity(1024);
    out.extend_from_slice(head);
    // Cannot fail for what is written here (Values and errors: string keys, finite numbers, no I/O).
    let _ = serde_json::to_writer(&mut out, value);
    out.push(b'}');
    // serde_json writes UTF-8 only.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A short, printable start of an unexpected answer, for error reports. Cut on a character boundary.
pub fn excerpt(body: &[u8]) -> String {
    const MAX_CHARS: usize = 200;
    let text = String::from_utf8_lossy(&body[..body.len().min(MAX_CHARS * 4)]);
    text.chars().take(MAX_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_fields() {
        let e = Error::field("AMOUNT", "digits_only", "must contain digits only");
        let j = e.to_json();
        assert_eq!(j["kind"], "validation");
        assert_eq!(j["fields"][0]["field"], "AMOUNT");
        assert_eq!(j["fields"][0]["rule"], "digits_only");

        let t = Error::Timeout {
            message: "timed out".into(),
            outcome: Outcome::Unknown,
        };
        assert_eq!(t.to_json()["outcome"], "unknown");
        let n = Error::Network {
            phase: NetworkPhase::Tls,
            message: "x".into(),
            outcome: Outcome::NotApplied,
        };
        assert_eq!(n.to_json()["phase"], "tls");
    }

    #[test]
    fn excerpt_cuts_on_char_boundary() {
        let s = "한".repeat(500);
        let e = excerpt(s.as_bytes());
        assert_eq!(e.chars().count(), 200);
    }
}
