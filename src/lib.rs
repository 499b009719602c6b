//! CookiePay (쿠키페이) recurring-billing client core.
//!
//! One module per endpoint (`token`, `ready`, `decrypt`, `paycert`, `verify`, `return_post`), one
//! transport, one error type, and `ffi`, the only module that knows about C. Everything speaks JSON
//! values so that the C ABI, PHP, C# and Java see exactly the same requests, answers and errors.

pub mod boundary;
pub mod client;
pub mod decrypt;
pub mod error;
pub mod ffi;
pub mod jni;
pub mod paycert;
pub mod ready;
pub mod response;
pub mod return_post;
pub mod token;
pub mod transport;
pub mod verify;

pub use client::{Client, Operation};
pub use error::{Error, Result};

/// The library version, as in Cargo.toml (also sent in the User-Agent).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A client is shared by any number of threads of a web server at once.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Client>();
};
