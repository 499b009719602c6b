//! Request counts per endpoint and merchant, as `/_sandbox/stats` reports them.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::{json, Map, Value};

use crate::endpoint::Endpoint;
use crate::util::lock;

#[derive(Default)]
struct Counter {
    total: u64,
    by_merchant: HashMap<String, u64>,
}

#[derive(Default)]
pub struct RequestStats {
    counters: Mutex<[Counter; Endpoint::COUNT]>,
}

impl RequestStats {
    pub fn count(&self, ep: Endpoint, merchant: &str) {
        let mut counters = lock(&self.counters);
        let ctr = &mut counters[ep.index()];
        ctr.total += 1;
        match ctr.by_merchant.get_mut(merchant) {
            Some(n) => *n += 1,
            None => {
                ctr.by_merchant.insert(merchant.to_string(), 1);
            }
        }
    }

    pub fn clear(&self) {
        *lock(&self.counters) = Default::default();
    }

    pub fn to_json(&self) -> Value {
        let counters = lock(&self.counters);
        let mut req = Map::new();
        for ep in Endpoint::ALL {
            let ctr = &counters[ep.index()];
            let by: Map<String, Value> = ctr.by_merchant.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
            req.insert(ep.name().into(), json!({ "total": ctr.total, "by_merchant": by }));
        }
        json!({ "requests": req })
    }
}
