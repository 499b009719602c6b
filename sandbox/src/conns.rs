//! The connection cap: every accepted connection (both listeners, TLS handshakes included) holds a
//! [`Slot`]. At the cap a new connection evicts the oldest idle one — a keep-alive connection
//! between requests, or one that has sent nothing yet — and with none idle it is refused, so a
//! flood of idle connections can neither exhaust descriptors nor lock real clients out.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use crate::choices as c;
use crate::util::lock;

pub struct Conns {
    max: usize,
    open: Mutex<(u64, BTreeMap<u64, Arc<SlotState>>)>,
}

struct SlotState {
    idle: AtomicBool,
    evict: Notify,
}

/// One admitted connection; dropping it frees its place.
pub struct Slot {
    id: u64,
    state: Arc<SlotState>,
    conns: Arc<Conns>,
}

impl Conns {
    /// A cap of `wanted` connections, lowered to what the process's open-file limit allows.
    pub fn new(wanted: usize) -> Arc<Conns> {
        let max = match open_file_limit() {
            Some(n) => wanted.min(n.saturating_sub(c::FD_RESERVE)),
            None => wanted,
        };
        Arc::new(Conns {
            max: max.max(1),
            open: Mutex::new((0, BTreeMap::new())),
        })
    }

    /// A place for a new connection, evicting the oldest idle one at the cap; `None` = refuse it.
    pub fn admit(self: &Arc<Self>) -> Option<Slot> {
        let mut g = lock(&self.open);
        let (next, open) = &mut *g;
        if open.len() >= self.max {
            let victim = open
                .iter()
                .find(|(_, s)| s.idle.load(Ordering::SeqCst))
                .map(|(id, _)| *id)?;
            if let Some(s) = open.remove(&victim) {
                s.evict.notify_one();
            }
        }
        let id = *next;
        *next += 1;
        let state = Arc::new(SlotState {
            idle: AtomicBool::new(true),
            evict: Notify::new(),
        });
        open.insert(id, state.clone());
        Some(Slot {
            id,
            state,
            conns: self.clone(),
        })
    }
}

impl Slot {
    /// Idle = waiting for the first byte of a request (or a TLS handshake): may be evicted.
    pub fn set_idle(&self, idle: bool) {
        self.state.idle.store(idle, Ordering::SeqCst);
    }

    /// Completes when a newer connection took this one's place.
    pub async fn evicted(&self) {
        self.state.evict.notified().await
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        lock(&self.conns.open).1.remove(&self.id);
    }
}

/// The soft `RLIMIT_NOFILE` (Linux `/proc/self/limits`); `None` when unknown or unlimited.
fn open_file_limit() -> Option<usize> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max open files"))?;
    line["Max open files".len()..].split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_the_cap_the_oldest_idle_connection_makes_room() {
        let conns = Arc::new(Conns {
            max: 2,
            open: Mutex::new((0, BTreeMap::new())),
        });
        let a = conns.admit().expect("first");
        let b = conns.admit().expect("second");
        a.set_idle(false);
        b.set_idle(false);
        assert!(conns.admit().is_none(), "nobody idle: refused");
        b.set_idle(true);
        let _c = conns.admit().expect("b evicted");
        assert_eq!(lock(&conns.open).1.len(), 2);
        drop(a);
        assert_eq!(lock(&conns.open).1.len(), 1);
        assert!(open_file_limit().is_some_and(|n| n > 0));
    }
}
