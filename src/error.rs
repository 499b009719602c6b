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
    /// The request may have reached CookiePay and taken effect; `Settle` says what can tell.
    Unknown(Settle),
}

/// What settles an unknown outcome. It differs per operation because the lookups that can tell
/// differ — and for some nothing public can: advice that cannot settle it (e.g. "look it up" after a
/// partial refund, which no lookup shows) leads a shop to send it twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settle {
    /// Any other call sent once (`ready`, `request`): nothing more specific is known.
    LookUp,
    /// `billkeygen`: the shop knows its ORDERNO.
    Charge,
    /// `recurring_charge`: CookiePay gives each charge its own ORDERNO, so the shop cannot search by one.
    RecurringCharge,
    /// `cancel` without `amount`: paycert's CANCELDATE is set once a payment is cancelled.
    FullRefund,
    /// `cancel` with `amount`: no public answer shows a partial refund.
    PartialRefund,
    /// `billkey_delete`: no public lookup of a billing key exists.
    BillkeyDelete,
    /// `schedule_cancel`: cancelling again is harmless, and E103 says when it was cancelled.
    ScheduleCancel,
}

impl Settle {
    /// The advice, at the end of the error's message. (In the message rather than a field of its
    /// own, so that every binding's exception carries it without a new property.)
    pub fn advice(self) -> &'static str {
        match self {
            Settle::LookUp => "look it up at CookiePay before trying again",
            Settle::Charge => {
                "before charging again, look the payment up by your ORDERNO: paysearch with from/to around the time \
                 of the call, then paycert with the TID found"
            }
            Settle::RecurringCharge => {
                "before charging again, find the charge: its Noti (통지) names the RESERVE_ID and the TID, or paysearch \
                 with from/to around the time of the call lists it (CookiePay gives each recurring charge its own \
                 ORDERNO: match AMOUNT and BUYERID), then paycert with the TID"
            }
            Settle::FullRefund => {
                "before refunding again, look the payment up with paycert by its TID: CANCELDATE is set when the \
                 refund went through"
            }
            Settle::PartialRefund => {
                "no public CookiePay answer shows a partial refund (paycert and paysearch still show the payment \
                 approved): check the payment in CookiePay's dashboard, and never send the refund again blindly"
            }
            Settle::BillkeyDelete => {
                "no public CookiePay answer tells whether a billing key was disposed of: check it in CookiePay's \
                 dashboard"
            }
            Settle::ScheduleCancel => {
                "send schedule_cancel again: already_cancelled true (CookiePay's E103) says it is cancelled, and \
                 cancelled_at since when; cancelling twice changes nothing else"
            }
        }
    }
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

    /// For an unknown option, the known name its message suggests (config.rs: `… did you mean "x"?`).
    fn nearest_name(&self) -> Option<&str> {
        if self.rule != "unknown" {
            return None;
        }
        let (_, rest) = self.message.rsplit_once("did you mean ")?;
        let near = rest.strip_suffix('?')?;
        Some(near.trim_matches('"'))
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
    #[error("{}", FieldSummary(.0))]
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
    #[error("{message}{}", outcome_note(Some(*.outcome)))]
    Network {
        phase: NetworkPhase,
        message: String,
        outcome: Outcome,
    },
    #[error("{message}{}", outcome_note(Some(*.outcome)))]
    Timeout { message: String, outcome: Outcome },
    #[error("unexpected HTTP answer (status {status}){}", outcome_note(*.outcome))]
    Http {
        /// Set when a call that changes state was sent: `Unknown` = it may have taken effect.
        outcome: Option<Outcome>,
        status: u16,
        content_type: Option<String>,
        excerpt: String,
    },
    #[error("{message}{}", outcome_note(*.outcome))]
    Decode {
        /// Set when a call that changes state was sent: `Unknown` = it may have taken effect.
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

/// The end of the message of an error whose outcome is unknown: what settles it.
fn outcome_note(outcome: Option<Outcome>) -> String {
    match outcome {
        Some(Outcome::Unknown(settle)) => format!("; the request may have taken effect: {}", settle.advice()),
        _ => String::new(),
    }
}

/// A validation error's message: how many fields failed, then the first few as `FIELD (rule)` —
/// an unknown option with the known name it is nearest — so that a binding's message alone says
/// what to fix. Never a value. Written straight to the formatter (no allocation on the error path).
struct FieldSummary<'a>(&'a [FieldError]);

/// Fields named in the message; the rest are counted ("and 3 more"): all are in `fields`.
const NAMED_FIELDS: usize = 5;
/// Characters of one field name in the message (an unknown key is the caller's text).
const FIELD_NAME_CHARS: usize = 40;

impl std::fmt::Display for FieldSummary<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = self.0.len();
        write!(
            f,
            "{count} field{} failed validation",
            if count == 1 { "" } else { "s" }
        )?;
        for (i, problem) in self.0.iter().take(NAMED_FIELDS).enumerate() {
            f.write_str(if i == 0 { ": " } else { ", " })?;
            let name = &problem.field;
            match name.char_indices().nth(FIELD_NAME_CHARS) {
                Some((cut, _)) => write!(f, "{}…", &name[..cut])?,
                None => f.write_str(name)?,
            }
            write!(f, " ({}", problem.rule)?;
            if let Some(near) = problem.nearest_name() {
                write!(f, "; did you mean {near}?")?;
            }
            f.write_str(")")?;
        }
        if count > NAMED_FIELDS {
            write!(f, ", and {} more", count - NAMED_FIELDS)?;
        }
        Ok(())
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
        const UNKNOWN: Outcome = Outcome::Unknown(Settle::LookUp);
        match self {
            Error::Network { phase, message, .. } => Error::Network {
                phase,
                message,
                outcome: UNKNOWN,
            },
            Error::Api { code, message, .. } => Error::Decode {
                outcome: Some(UNKNOWN),
                message: format!(
                    "CookiePay accepted the call but its answer could not be decrypted ({code}: {message})"
                ),
                excerpt: String::new(),
            },
            Error::Timeout { message, .. } => Error::Timeout {
                message,
                outcome: UNKNOWN,
            },
            Error::Http {
                status,
                content_type,
                excerpt,
                ..
            } => Error::Http {
                outcome: Some(UNKNOWN),
                status,
                content_type,
                excerpt,
            },
            Error::Decode { message, excerpt, .. } => Error::Decode {
                outcome: Some(UNKNOWN),
                message,
                excerpt,
            },
            other => other,
        }
    }

    /// The advice of an unknown outcome for the operation that failed (`Settle`); any other error
    /// is returned as it is.
    pub fn settled_by(mut self, settle: Settle) -> Error {
        match &mut self {
            Error::Network { outcome, .. } | Error::Timeout { outcome, .. } => outcome.settle(settle),
            Error::Http {
                outcome: Some(outcome), ..
            }
            | Error::Decode {
                outcome: Some(outcome), ..
            } => outcome.settle(settle),
            _ => {}
        }
        self
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
            Outcome::Unknown(_) => "unknown",
        }
    }

    /// An unknown outcome takes `settle`'s advice; "not applied" stays.
    fn settle(&mut self, settle: Settle) {
        if let Outcome::Unknown(advice) = self {
            *advice = settle;
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
            outcome: Outcome::Unknown(Settle::LookUp),
        };
        assert_eq!(t.to_json()["outcome"], "unknown");
        let n = Error::Network {
            phase: NetworkPhase::Tls,
            message: "x".into(),
            outcome: Outcome::NotApplied,
        };
        assert_eq!(n.to_json()["phase"], "tls");
    }

    /// The advice after an unknown outcome is the one that settles that operation, at the end of
    /// `message`; a "not applied" error carries none.
    #[test]
    fn an_unknown_outcome_says_what_settles_it_per_operation() {
        let lost = || Error::Timeout {
            message: "CookiePay did not answer within 500 ms".into(),
            outcome: Outcome::Unknown(Settle::LookUp),
        };
        let cases = [
            (Settle::Charge, ["ORDERNO", "paysearch", "paycert"].as_slice()),
            (Settle::RecurringCharge, &["Noti", "RESERVE_ID", "paysearch"]),
            (Settle::FullRefund, &["paycert", "CANCELDATE"]),
            (
                Settle::PartialRefund,
                &["no public CookiePay answer", "dashboard", "never send"],
            ),
            (Settle::BillkeyDelete, &["no public CookiePay answer", "dashboard"]),
            (
                Settle::ScheduleCancel,
                &["send schedule_cancel again", "E103", "cancelled_at"],
            ),
        ];
        for (settle, words) in cases {
            let j = lost().settled_by(settle).to_json();
            assert_eq!(j["outcome"], "unknown");
            let message = j["message"].as_str().unwrap();
            assert!(message.ends_with(settle.advice()), "{message}");
            for word in words {
                assert!(settle.advice().contains(word), "{settle:?}: {word}");
            }
        }
        // A partial refund is never told to look it up: no lookup shows it.
        assert!(!Settle::PartialRefund.advice().contains("look"));
        let http = Error::Http {
            outcome: None,
            status: 500,
            content_type: None,
            excerpt: String::new(),
        };
        let j = http.after_money_sent().settled_by(Settle::FullRefund).to_json();
        assert!(
            j["message"].as_str().unwrap().ends_with(Settle::FullRefund.advice()),
            "{j}"
        );
        let read = Error::Network {
            phase: NetworkPhase::Connect,
            message: "refused".into(),
            outcome: Outcome::NotApplied,
        }
        .settled_by(Settle::PartialRefund)
        .to_json();
        assert_eq!(read["outcome"], "not_applied");
        assert_eq!(read["message"], "refused");
    }

    /// The message names the failed fields and rules (what `fields` says), the nearest known name
    /// of an unknown option, at most five fields, and never a value.
    #[test]
    fn a_validation_message_names_the_fields_and_rules() {
        let one = Error::field("AMOUNT", "positive", "AMOUNT must be more than 0").to_string();
        assert_eq!(one, "1 field failed validation: AMOUNT (positive)");
        let typo = FieldError::new(
            "timout_ms",
            "unknown",
            "unknown config key \"timout_ms\": did you mean \"timeout_ms\"?",
        );
        let no_near = FieldError::new("colour", "unknown", "unknown config key \"colour\"");
        let two = Error::Validation(vec![typo, no_near]).to_string();
        assert_eq!(
            two,
            "2 fields failed validation: timout_ms (unknown; did you mean timeout_ms?), colour (unknown)"
        );
        let many: Vec<FieldError> = (0..8)
            .map(|i| FieldError::new(format!("F{i}"), "required", "4111111111111111 is no value of ours"))
            .collect();
        let text = Error::Validation(many).to_string();
        assert!(
            text.starts_with("8 fields failed validation: F0 (required), F1"),
            "{text}"
        );
        assert!(text.ends_with("F4 (required), and 3 more"), "{text}");
        assert!(!text.contains("F5") && !text.contains("4111"), "{text}");
        let long = Error::field("k".repeat(500), "unknown", "x").to_string();
        assert!(long.len() < 100, "{long}");
    }

    #[test]
    fn excerpt_cuts_on_char_boundary() {
        let s = "한".repeat(500);
        let e = excerpt(s.as_bytes());
        assert_eq!(e.chars().count(), 200);
    }
}
