//! State that belongs to one process and must be rebuilt in a `fork()`ed child.
//!
//! php-fpm forks its workers after preloading. reqwest's blocking client runs its I/O on a background
//! thread that does not exist in the child, and a lock held by a parent thread at fork time stays
//! locked forever in the child. So such state is built lazily, stamped with the PID that built it, and
//! reached through an `AtomicPtr` (no lock on the fork path): a child sees a foreign PID, leaks the
//! parent's copy (dropping it would join a thread that is gone) and builds its own.

use std::sync::atomic::{AtomicPtr, Ordering};

struct Stamped<T> {
    pid: u32,
    value: T,
}

/// A lazily built `T` per process.
pub struct PerProcess<T> {
    current: AtomicPtr<Stamped<T>>,
}

impl<T> Default for PerProcess<T> {
    fn default() -> Self {
        PerProcess {
            current: AtomicPtr::new(std::ptr::null_mut()),
        }
    }
}

impl<T> PerProcess<T> {
    /// This process's value, built by `build` on first use here.
    pub fn get_or_try_init<E>(&self, build: impl FnOnce() -> Result<T, E>) -> Result<&T, E> {
        let pid = std::process::id();
        let current = self.current.load(Ordering::Acquire);
        // SAFETY: a non-null pointer came from Box::into_raw below and is only freed in Drop, which
        // needs `&mut self`, so it outlives this borrow.
        if let Some(existing) = unsafe { current.as_ref() } {
            if existing.pid == pid {
                return Ok(&existing.value);
            }
        }
        let fresh = Box::into_raw(Box::new(Stamped { pid, value: build()? }));
        match self
            .current
            .compare_exchange(current, fresh, Ordering::AcqRel, Ordering::Acquire)
        {
            // `current` was null or another process's copy: the latter is leaked on purpose (see top).
            // SAFETY: `fresh` is now owned by `self.current` and freed only in Drop.
            Ok(_) => Ok(unsafe { &(*fresh).value }),
            Err(winner) => {
                // Another thread of this process installed its copy first; ours was never shared.
                // SAFETY: `fresh` came from Box::into_raw above and nobody else saw it; `winner` is
                // owned by `self.current` as above.
                drop(unsafe { Box::from_raw(fresh) });
                Ok(unsafe { &(*winner).value })
            }
        }
    }

    /// This process's value if it was built already.
    pub fn get(&self) -> Option<&T> {
        // SAFETY: as in `get_or_try_init`.
        unsafe { self.current.load(Ordering::Acquire).as_ref() }
            .filter(|stamped| stamped.pid == std::process::id())
            .map(|stamped| &stamped.value)
    }
}

impl<T> Drop for PerProcess<T> {
    fn drop(&mut self) {
        let ptr = *self.current.get_mut();
        if ptr.is_null() {
            return;
        }
        // SAFETY: the pointer came from Box::into_raw and nobody else can reach it during drop.
        let stamped = unsafe { Box::from_raw(ptr) };
        if stamped.pid != std::process::id() {
            // Built by the parent before fork: dropping could join a thread that does not exist here.
            std::mem::forget(stamped);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_once_per_process() {
        let cell: PerProcess<u32> = PerProcess::default();
        assert!(cell.get().is_none());
        assert_eq!(*cell.get_or_try_init(|| Ok::<_, ()>(7)).unwrap(), 7);
        assert_eq!(*cell.get_or_try_init(|| Ok::<_, ()>(8)).unwrap(), 7);
        assert_eq!(cell.get(), Some(&7));
        let failing: PerProcess<u32> = PerProcess::default();
        assert_eq!(failing.get_or_try_init(|| Err("no")), Err("no"));
    }
}
