//! CookiePay (쿠키페이) recurring-billing client core.
//!
//! Layers, each using only those above it (a test checks there is no import cycle):
//! - `error`, `response`, `secrets`, `process`: the error type, answer conventions, secret hygiene,
//!   per-process state;
//! - `thread_http` (the calling thread's runtime and connection pools), `transport` (HTTP), `channel` (one credential pair on a transport), `token` (TOKEN endpoint,
//!   cache and policy), `context` (what every endpoint gets);
//! - one module per endpoint: request, rules, response (`ready`, `decrypt`, `paycert`, `verify`,
//!   `billkeygen`, `recurring_charge`, `schedule_cancel`, `billkey_delete`, `cancel`, `paysearch`,
//!   `receipt`, `raw_request`; the inbound `return_post` and `noti`, and `confirm_noti`, which
//!   turns a Noti into paycert's facts), with the shared field rules in
//!   `order`, `card` and `request`;
//! - `operation` (the table of operations), `config` and `client` (composition);
//! - `ffi`, the only module that knows about C, and `jni`, the only one that knows about the JVM,
//!   both behind `boundary` (the panic guard).
//!
//! Everything speaks JSON values so that the C ABI, PHP, C# and Java see exactly the same requests,
//! answers and errors.

mod billkey_delete;
mod billkeygen;
mod boundary;
mod cancel;
mod card;
mod channel;
mod client;
mod config;
mod confirm_noti;
mod context;
mod decrypt;
mod error;
pub mod ffi;
mod jni;
mod noti;
mod operation;
mod order;
mod paycert;
mod paysearch;
mod process;
mod raw_request;
mod ready;
mod receipt;
mod recurring_charge;
mod request;
mod response;
mod return_post;
mod schedule_cancel;
mod secrets;
mod thread_http;
mod token;
mod transport;
mod verify;

pub use channel::Exchange;
pub use client::{parse_noti_envelope, parse_return_envelope, Client};
pub use config::{LIVE_URL, SANDBOX_URL};
pub use error::{Error, FieldError, Mismatch, NetworkPhase, Outcome, Result};
pub use operation::Operation;

/// The library version, as in Cargo.toml (also sent in the User-Agent).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The answer interpreters, for the fuzz targets and their regression test: not part of the API.
#[doc(hidden)]
pub mod testing {
    pub use crate::cancel::interpret as cancel_answer;
    pub use crate::decrypt::interpret as decrypt_answer;
    pub use crate::noti::parse as parse_noti;
    pub use crate::paycert::payment_of as paycert_answer;
    pub use crate::paysearch::payments_of as paysearch_answer;
    pub use crate::ready::window_of as ready_answer;
    pub use crate::token::token_of as token_answer;
    pub use crate::transport::Answer;
}

/// A client is shared by any number of threads of a web server at once.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Client>();
};
