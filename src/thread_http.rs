//! The HTTP machinery of the calling thread: a current-thread Tokio runtime, driven by the caller
//! itself inside each call, and per transport a reqwest client (its connection pool).
//!
//! Why not reqwest's blocking client: it hands every request to a background I/O thread and back (two
//! context switches per call, the most expensive part of a call on a loaded 2-core box), its timeout
//! restarts on every read (a dripping answer held a worker for minutes), and its thread does not
//! survive fork(). Here nothing runs between calls, the whole exchange runs under one deadline, and a
//! fork()ed child (php-fpm) builds its own state: the parent's copy is leaked, never dropped, because
//! dropping it would deregister sockets from an epoll instance the parent still shares.

use std::cell::RefCell;
use std::collections::HashMap;
use std::net::ToSocketAddrs;
use std::rc::Rc;
use std::sync::{Arc, Weak};

use crate::error::{Error, Result};

/// Identifies a transport to the threads that hold a client for it; dropped with the transport, so
/// the threads' clients for it are pruned.
pub type Owner = Arc<()>;

struct ThreadState {
    pid: u32,
    /// Always Some until dropped.
    runtime: Option<Rc<tokio::runtime::Runtime>>,
    clients: HashMap<usize, (Weak<()>, reqwest::Client)>,
}

/// At thread exit: close this thread's connections, and shut the runtime down without waiting for
/// anything. At process exit on Windows the other threads are already gone when this runs, so
/// nothing here may wait for a thread (a blocking-pool join hung a test program under wine).
impl Drop for ThreadState {
    fn drop(&mut self) {
        self.clients.clear();
        if let Some(runtime) = self.runtime.take().and_then(|rc| Rc::try_unwrap(rc).ok()) {
            runtime.shutdown_background();
        }
    }
}

/// Name resolution on a short-lived thread of its own, awaited under the exchange's deadline.
/// reqwest's default resolver uses Tokio's blocking pool, whose threads a runtime waits for when it
/// is dropped; this thread belongs to nobody, so a hanging lookup costs a thread, never a deadline,
/// and no runtime ever waits for it.
struct ThreadResolver;

impl reqwest::dns::Resolve for ThreadResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let spawned = std::thread::Builder::new().name("cookiepay-dns".into()).spawn(move || {
            let found = (host.as_str(), 0).to_socket_addrs().map(Iterator::collect::<Vec<_>>);
            let _ = sender.send(found);
        });
        Box::pin(async move {
            spawned?;
            let addrs = receiver
                .await
                .map_err(|_| std::io::Error::other("the name lookup stopped"))??;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The resolver every client of this library uses.
pub fn resolver() -> Arc<impl reqwest::dns::Resolve> {
    Arc::new(ThreadResolver)
}

thread_local! {
    static STATE: RefCell<Option<ThreadState>> = const { RefCell::new(None) };
}

/// This thread's runtime and its client for `owner` (built by `build` on first use on this thread).
pub fn client_for(
    owner: &Owner,
    build: impl FnOnce() -> Result<reqwest::Client>,
) -> Result<(Rc<tokio::runtime::Runtime>, reqwest::Client)> {
    STATE.with(|cell| {
        let mut slot = cell.borrow_mut();
        let pid = std::process::id();
        if slot.as_ref().is_some_and(|state| state.pid != pid) {
            // Inherited through fork(): see the module comment (and never run its Drop).
            std::mem::forget(slot.take());
        }
        if slot.is_none() {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .enable_time()
                .build()
                .map_err(|e| Error::Internal(format!("cannot start the HTTP runtime: {e}")))?;
            *slot = Some(ThreadState {
                pid,
                runtime: Some(Rc::new(runtime)),
                clients: HashMap::new(),
            });
        }
        let state = slot.as_mut().expect("just filled");
        let key = Arc::as_ptr(owner) as usize;
        let client = match state.clients.get(&key) {
            Some((alive, client)) if alive.strong_count() > 0 => client.clone(),
            _ => {
                // A dead transport's address may be reused by a new one: its entry is replaced here.
                state.clients.retain(|_, (alive, _)| alive.strong_count() > 0);
                let client = build()?;
                state.clients.insert(key, (Arc::downgrade(owner), client.clone()));
                client
            }
        };
        let runtime = state.runtime.as_ref().expect("present until dropped");
        Ok((Rc::clone(runtime), client))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// A client builder that counts how often it is asked.
    fn counting(built: &Cell<u32>) -> impl Fn() -> Result<reqwest::Client> + '_ {
        move || {
            built.set(built.get() + 1);
            reqwest::Client::builder()
                .build()
                .map_err(|e| Error::Internal(e.to_string()))
        }
    }

    #[test]
    fn one_client_per_owner_and_thread_and_dead_owners_are_pruned() {
        let owner: Owner = Arc::new(());
        let built = Cell::new(0);
        client_for(&owner, counting(&built)).unwrap();
        client_for(&owner, counting(&built)).unwrap();
        assert_eq!(built.get(), 1);
        let other: Owner = Arc::new(());
        client_for(&other, counting(&built)).unwrap();
        assert_eq!(built.get(), 2);
        drop(other);
        let third: Owner = Arc::new(());
        client_for(&third, counting(&built)).unwrap();
        STATE.with(|cell| assert_eq!(cell.borrow().as_ref().unwrap().clients.len(), 2));
        std::thread::spawn(move || {
            let built = Cell::new(0);
            client_for(&owner, counting(&built)).unwrap();
            assert_eq!(built.get(), 1, "each thread builds its own");
        })
        .join()
        .unwrap();
    }

    #[test]
    fn a_thread_that_used_the_library_exits_promptly() {
        let owner: Owner = Arc::new(());
        let started = std::time::Instant::now();
        std::thread::spawn(move || {
            let built = Cell::new(0);
            let (runtime, _client) = client_for(&owner, counting(&built)).unwrap();
            // A lookup leaves nothing a runtime would wait for at thread exit.
            let addrs = runtime.block_on(async {
                let resolving = reqwest::dns::Resolve::resolve(&ThreadResolver, "localhost".parse().unwrap());
                resolving.await.map(|a| a.count())
            });
            assert!(addrs.unwrap() > 0);
        })
        .join()
        .unwrap();
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}
