//! Fault injection: queued per endpoint, consumed one per request, in FIFO order.

use std::collections::VecDeque;
use std::sync::Mutex;

use serde_json::{json, Map, Value};

use crate::choices as c;
use crate::endpoint::Endpoint;
use crate::util::lock;

#[derive(Clone, Copy, Debug)]
pub enum FaultMode {
    Delay(u64),
    Http500,
    Reset,
    Truncate,
    InvalidJson,
    HugeBody(usize),
    WrongContentType,
}

impl FaultMode {
    pub fn name(self) -> &'static str {
        match self {
            FaultMode::Delay(_) => "delay",
            FaultMode::Http500 => "http_500",
            FaultMode::Reset => "reset",
            FaultMode::Truncate => "truncate",
            FaultMode::InvalidJson => "invalid_json",
            FaultMode::HugeBody(_) => "huge_body",
            FaultMode::WrongContentType => "wrong_content_type",
        }
    }
}

struct Fault {
    mode: FaultMode,
    remaining: u64,
}

#[derive(Default)]
pub struct FaultBoard {
    queues: Mutex<[VecDeque<Fault>; Endpoint::COUNT]>,
}

impl FaultBoard {
    /// The fault for this request of `ep`, if one is queued.
    pub fn take(&self, ep: Endpoint) -> Option<FaultMode> {
        let mut queues = lock(&self.queues);
        let q = &mut queues[ep.index()];
        let f = q.front_mut()?;
        let mode = f.mode;
        f.remaining -= 1;
        if f.remaining == 0 {
            q.pop_front();
        }
        Some(mode)
    }

    pub fn clear(&self) {
        *lock(&self.queues) = Default::default();
    }

    pub fn to_json(&self) -> Value {
        let queues = lock(&self.queues);
        let mut list = Vec::new();
        for ep in Endpoint::ALL {
            for f in &queues[ep.index()] {
                let mut v = json!({ "endpoint": ep.name(), "mode": f.mode.name(), "remaining": f.remaining });
                match f.mode {
                    FaultMode::Delay(ms) => v["delay_ms"] = json!(ms),
                    FaultMode::HugeBody(n) => v["size_bytes"] = json!(n),
                    _ => {}
                }
                list.push(v);
            }
        }
        json!({ "faults": list })
    }

    /// Queues a fault from a control-API spec `{endpoint, mode, count, delay_ms?, size_bytes?}`.
    pub fn add(&self, spec: &Map<String, Value>) -> Result<(), String> {
        let Some(ep) = spec
            .get("endpoint")
            .and_then(Value::as_str)
            .and_then(Endpoint::from_name)
        else {
            let names: Vec<&str> = Endpoint::ALL.iter().map(|e| e.name()).collect();
            return Err(format!("endpoint must be one of {}", names.join(", ")));
        };
        let count = match spec.get("count") {
            None | Some(Value::Null) => 1,
            Some(v) => match v.as_u64() {
                Some(n) if (1..=1_000_000).contains(&n) => n,
                _ => return Err("count must be an integer from 1 to 1000000".into()),
            },
        };
        let mode =
            match spec.get("mode").and_then(Value::as_str).unwrap_or("") {
                "delay" => match spec.get("delay_ms").and_then(Value::as_u64) {
                    Some(ms) if ms <= c::DELAY_MAX_MS => FaultMode::Delay(ms),
                    _ => return Err("mode delay needs delay_ms (0 to 600000)".into()),
                },
                "http_500" => FaultMode::Http500,
                "reset" => FaultMode::Reset,
                "truncate" => FaultMode::Truncate,
                "invalid_json" => FaultMode::InvalidJson,
                "huge_body" => match spec.get("size_bytes") {
                    None | Some(Value::Null) => FaultMode::HugeBody(c::HUGE_BODY_DEFAULT),
                    Some(v) => match v.as_u64() {
                        Some(n) if n as usize <= c::HUGE_BODY_MAX && n > 0 => FaultMode::HugeBody(n as usize),
                        _ => return Err("size_bytes must be an integer from 1 to 268435456".into()),
                    },
                },
                "wrong_content_type" => FaultMode::WrongContentType,
                _ => return Err(
                    "mode must be one of delay, http_500, reset, truncate, invalid_json, huge_body, wrong_content_type"
                        .into(),
                ),
            };
        lock(&self.queues)[ep.index()].push_back(Fault { mode, remaining: count });
        Ok(())
    }
}
