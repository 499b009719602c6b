//! The gateway the sandbox imitates: its state and one module per endpoint family.
//!
//! `shared` holds the gateway (merchants, TOKEN signer, ledger, clock, notifier); `ledger` the
//! records (orders, window sessions, payments, billing keys, schedules); `messages` the JSON shapes
//! of answers and notifications; `schedule` the recurring calendar and charging. The others are
//! endpoints: `token`, `window` (ready + window + checkout), `decrypt`, `paycert`, `billkey`
//! (billkeygen), `recurring` (immediate charge, schedule cancel, billing-key delete), `cancel`,
//! `paysearch`, `receipt`.

pub mod billkey;
pub mod cancel;
pub mod decrypt;
pub mod ledger;
pub mod messages;
pub mod paycert;
pub mod paysearch;
pub mod receipt;
pub mod recurring;
pub mod schedule;
pub mod shared;
pub mod token;
pub mod window;
