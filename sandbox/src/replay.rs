//! Replay mode: the server behind the contract vectors (`tests/vectors/README.md`). A test arms a
//! script of gateway answers; while armed, every request outside `/_sandbox/` is answered by the next
//! scripted answer and recorded, so each implementation can be checked against the same exchanges.

use std::collections::VecDeque;
use std::sync::Mutex;

use serde_json::{json, Map, Value};

use crate::http::{Outcome, Request, Response, JSON};
use crate::util::lock;

/// The status of a request the script did not foresee: outside the range real servers use, so no
/// implementation can mistake it for a gateway answer.
const UNSCRIPTED: u16 = 599;
/// A scripted delay never holds a connection longer than this.
const DELAY_MAX_MS: u64 = 60_000;
const BODY_MAX_BYTES: u64 = 16 << 20;

#[derive(Clone, Copy)]
enum Fault {
    Reset,
    Truncate,
}

struct Answer {
    path: String,
    status: u16,
    headers: Vec<(String, String)>,
    content_type: &'static str,
    body: Vec<u8>,
    delay_ms: u64,
    fault: Option<Fault>,
    remaining: u64,
}

struct Script {
    answers: VecDeque<Answer>,
    requests: Vec<Value>,
}

#[derive(Default)]
pub struct ReplayBoard {
    script: Mutex<Option<Script>>,
}

/// What a request gets while a script is armed: wait `delay_ms`, then do `outcome`.
pub struct Scripted {
    pub delay_ms: u64,
    pub outcome: Outcome,
}

impl ReplayBoard {
    /// Arms `{"gateway": [answer, ...]}`, replacing any earlier script and its record.
    pub fn arm(&self, body: &Value) -> Result<usize, String> {
        let Some(list) = body.get("gateway").and_then(Value::as_array) else {
            return Err("body must be {\"gateway\": [answer, ...]}".into());
        };
        let answers = list
            .iter()
            .enumerate()
            .map(|(i, a)| parse_answer(a).map_err(|e| format!("gateway[{i}]: {e}")))
            .collect::<Result<VecDeque<_>, _>>()?;
        let n = answers.len();
        *lock(&self.script) = Some(Script {
            answers,
            requests: Vec::new(),
        });
        Ok(n)
    }

    pub fn disarm(&self) {
        *lock(&self.script) = None;
    }

    /// `{"armed", "requests": [...], "remaining": N}`.
    pub fn record(&self) -> Value {
        match &*lock(&self.script) {
            Some(s) => json!({
                "armed": true,
                "requests": s.requests,
                "remaining": s.answers.iter().map(|a| a.remaining).sum::<u64>(),
            }),
            None => json!({ "armed": false, "requests": [], "remaining": 0 }),
        }
    }

    /// The scripted answer to `req`, or None when no script is armed (the gateway answers).
    pub fn answer(&self, req: &Request) -> Option<Scripted> {
        let mut guard = lock(&self.script);
        let script = guard.as_mut()?;
        script.requests.push(recorded(req));
        let Some(next) = script.answers.front_mut().filter(|a| a.path == req.path) else {
            let why = format!("replay: no scripted answer for {} {}", req.method, req.path);
            let resp = Response::json(UNSCRIPTED, &json!({ "replay_error": why }));
            return Some(Scripted {
                delay_ms: 0,
                outcome: Outcome::Send(resp),
            });
        };
        next.remaining -= 1;
        let scripted = Scripted {
            delay_ms: next.delay_ms,
            outcome: outcome_of(next),
        };
        if next.remaining == 0 {
            script.answers.pop_front();
        }
        Some(scripted)
    }
}

fn outcome_of(a: &Answer) -> Outcome {
    if let Some(Fault::Reset) = a.fault {
        return Outcome::Reset;
    }
    let mut resp = Response::new(a.status, a.content_type, a.body.clone());
    resp.custom_headers = a.headers.clone();
    match a.fault {
        Some(Fault::Truncate) => Outcome::Truncate(resp),
        _ => Outcome::Send(resp),
    }
}

fn parse_answer(v: &Value) -> Result<Answer, String> {
    let Value::Object(o) = v else {
        return Err("an answer is a JSON object".into());
    };
    const KNOWN: [&str; 9] = [
        "path",
        "status",
        "headers",
        "body",
        "body_text",
        "body_repeat",
        "delay_ms",
        "fault",
        "repeat",
    ];
    if let Some(k) = o.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(format!("unknown key {k:?}"));
    }
    let path = match o.get("path") {
        Some(Value::String(p)) if p.starts_with('/') => p.clone(),
        _ => return Err("path must be a string starting with /".into()),
    };
    let number = |k: &str, default: u64| match o.get(k) {
        None => Ok(default),
        Some(n) => n.as_u64().ok_or(format!("{k} must be a non-negative integer")),
    };
    let status = u16::try_from(number("status", 200)?)
        .ok()
        .filter(|s| (100..=999).contains(s))
        .ok_or("status must be 100..999")?;
    let delay_ms = number("delay_ms", 0)?;
    if delay_ms > DELAY_MAX_MS {
        return Err(format!("delay_ms must be at most {DELAY_MAX_MS}"));
    }
    let remaining = number("repeat", 1)?;
    if remaining == 0 {
        return Err("repeat must be at least 1".into());
    }
    let fault = match o.get("fault").map(|f| f.as_str()) {
        None => None,
        Some(Some("reset")) => Some(Fault::Reset),
        Some(Some("truncate")) => Some(Fault::Truncate),
        Some(_) => return Err("fault must be \"reset\" or \"truncate\"".into()),
    };
    let headers = match o.get("headers") {
        None => Vec::new(),
        Some(Value::Object(h)) => h
            .iter()
            .map(|(n, v)| match v.as_str() {
                Some(s) if header_safe(n) && header_safe(s) => Ok((n.clone(), s.to_string())),
                _ => Err(format!("header {n:?} must be a string without CR/LF")),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("headers must be an object".into()),
    };
    let (content_type, body) = match (o.get("body"), o.get("body_text")) {
        (Some(_), Some(_)) => return Err("give body or body_text, not both".into()),
        (Some(b), None) => (JSON, b.to_string().into_bytes()),
        (None, Some(Value::String(t))) => ("text/plain; charset=utf-8", t.clone().into_bytes()),
        (None, Some(_)) => return Err("body_text must be a string".into()),
        (None, None) => ("text/plain; charset=utf-8", Vec::new()),
    };
    // An oversized answer without an oversized script: the body repeated (capped at 16 MiB).
    let times = number("body_repeat", 1)?;
    if times == 0 || (body.len() as u64).saturating_mul(times) > BODY_MAX_BYTES {
        return Err(format!(
            "body_repeat must be at least 1 and the body at most {BODY_MAX_BYTES} bytes"
        ));
    }
    let body = body.repeat(times as usize);
    Ok(Answer {
        path,
        status,
        headers,
        content_type,
        body,
        delay_ms,
        fault,
        remaining,
    })
}

fn header_safe(s: &str) -> bool {
    !s.contains(['\r', '\n'])
}

fn recorded(req: &Request) -> Value {
    let mut headers = Map::new();
    for (n, v) in &req.headers {
        let joined = match headers.get(n).and_then(Value::as_str) {
            Some(prev) => format!("{prev}, {v}"),
            None => v.clone(),
        };
        headers.insert(n.clone(), Value::String(joined));
    }
    json!({
        "method": req.method,
        "path": req.path,
        "headers": headers,
        "body": String::from_utf8_lossy(&req.body),
    })
}
