//! `POST /Subscribe/recurrence_request_payment` (ApiKey + TOKEN): charge a registered schedule now
//! with its billing key — the vendor plugin uses it to retry a failed cycle. The answer wraps the
//! payment in ENC_DATA. Moves money: sent once with a TOKEN fetched for it, never retried.

use serde_json::{json, Value};

use crate::context::{Context, TokenUse, WithKey};
use crate::decrypt;
use crate::error::{Result, Settle};
use crate::request::identifiers;
use crate::transport::CallKind;

pub const PATH: &str = "/Subscribe/recurrence_request_payment";

/// Observed RESERVE_IDs are 27–28 characters and BILLKEYs 20; the limits leave room.
pub const RESERVE_ID_MAX_CHARS: usize = 64;
pub const BILLKEY_MAX_CHARS: usize = 64;

/// `cookiepay_recurring_charge`: `{"RESERVE_ID","BILLKEY"}` → the decrypted payment. A declined
/// charge is an `api` error with its code (`layer` inner); a cancelled schedule answers `E103`.
pub fn call(ctx: &Context, request: &Value) -> Result<Value> {
    let [reserve_id, billkey] = identifiers(
        request,
        [
            (&["RESERVE_ID"], RESERVE_ID_MAX_CHARS),
            (&["BILLKEY"], BILLKEY_MAX_CHARS),
        ],
    )?;
    let body = json!({"API_ID": ctx.api_id(), "RESERVE_ID": reserve_id, "BILLKEY": billkey});
    ctx.post_with_token(PATH, &body, WithKey::Yes, TokenUse::Fresh, CallKind::SendOnce, Ok)
        .and_then(|answer| decrypt::open(ctx, answer, true))
        .map_err(|e| e.settled_by(Settle::RecurringCharge))
}
