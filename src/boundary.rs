//! Where the library meets a foreign runtime (the C ABI in `ffi`, the JVM in `jni`): a panic there
//! must become an error value, because unwinding into PHP, .NET or the JVM aborts the whole worker.
//! Both use this one guard, so a bug is reported the same way in every runtime.

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

use crate::error::Error;

static QUIET_PANICS: Once = Once::new();

thread_local! {
    static INSIDE: Cell<bool> = const { Cell::new(false) };
}

/// Panic messages could echo data: inside an export, report only where a panic happened, on stderr.
/// Panics elsewhere in the process (the host's own Rust code, test harnesses) keep the previous hook.
fn install_panic_hook() {
    QUIET_PANICS.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !INSIDE.with(Cell::get) {
                return previous(info);
            }
            let place = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
            eprintln!("cookiepay: internal error at {place} (caught; reported to the caller)");
        }));
    });
}

/// A panic was caught (its payload dropped unread).
#[derive(Debug, PartialEq, Eq)]
pub struct Panicked;

/// Run `body` with panics caught and their message kept quiet.
pub fn catch_quietly<T>(body: impl FnOnce() -> T) -> Result<T, Panicked> {
    install_panic_hook();
    let outer = INSIDE.with(|flag| flag.replace(true));
    let result = catch_unwind(AssertUnwindSafe(body)).map_err(|payload| {
        drop_quietly(payload);
        Panicked
    });
    INSIDE.with(|flag| flag.set(outer));
    result
}

/// Drop a panic payload unread; dropping one can itself panic, and that must not escape either.
pub fn drop_quietly(payload: Box<dyn std::any::Any + Send>) {
    if let Err(again) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        std::mem::forget(again);
    }
}

/// What a caller sees when a panic was caught.
pub fn internal_error() -> Error {
    Error::Internal("a bug in cookiepay was caught; please report it with the library version".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_caught_quietly() {
        assert_eq!(catch_quietly(|| 7), Ok(7));
        let caught = catch_quietly(|| -> u8 { panic!("secret 4111111111111111") });
        assert_eq!(caught, Err(Panicked));
        // The flag is restored: panics outside the boundary keep the host's hook.
        assert!(!INSIDE.with(Cell::get));
    }

    #[test]
    fn a_panicking_payload_drop_is_contained() {
        struct Bomb;
        impl Drop for Bomb {
            fn drop(&mut self) {
                panic!("drop bomb");
            }
        }
        let caught = catch_quietly(|| -> u8 { std::panic::panic_any(Bomb) });
        assert_eq!(caught, Err(Panicked));
    }
}
