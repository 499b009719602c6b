//! The receipt (전표) page: `GET /api/receipt?tid=<Base64 of the TID>`, opened in the buyer's or an
//! operator's browser. No network here: only the URL is built.

use base64::Engine;
use serde_json::{json, Value};

use crate::context::Context;
use crate::error::Result;
use crate::paycert;

pub const PATH: &str = "/api/receipt";

/// The receipt URL of a TID on this base URL. The Base64 is percent-encoded for the query string
/// (`+`, `/` and `=` would otherwise be read as other characters).
pub fn url(base_url: &str, tid: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(tid.as_bytes());
    let query: String = form_urlencoded::byte_serialize(encoded.as_bytes()).collect();
    format!("{base_url}{PATH}?tid={query}")
}

/// `cookiepay_receipt_url`: `{"tid"}` → `{"url"}`.
pub fn call(ctx: &Context, request: &Value) -> Result<Value> {
    let tid = paycert::tid_of(request)?;
    Ok(json!({ "url": url(ctx.channel.transport().base_url(), &tid) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tid_is_base64_then_percent_encoded() {
        assert_eq!(url("https://x", "SBX1"), "https://x/api/receipt?tid=U0JYMQ%3D%3D");
        assert!(url("https://x", "ÿþ?").contains("%2B") || url("https://x", "ÿþ?").contains("%2F"));
    }
}
