//! The escape hatch: POST any JSON body to any path with the client's credentials, for endpoints
//! CookiePay adds or this library does not wrap — with the same transport, TOKEN cache, timeouts,
//! secret scrubbing and error kinds. What the call does is unknown here, so it is never retried (and
//! never refreshes its TOKEN to ask again).

use serde_json::{json, Map, Value};

use crate::context::Context;
use crate::error::{Error, Result};
use crate::transport::{CallKind, JSON_CONTENT_TYPE};

const PATH_MAX_CHARS: usize = 200;

/// `cookiepay_request`: `{"path","auth":["api_key"?,"token"?],"body":{…}}` → `{"status","body"}`
/// (the body parsed when it is JSON, else as text).
pub fn call(ctx: &Context, request: &Value) -> Result<Value> {
    let path = match request.get("path") {
        Some(Value::String(p)) if is_path(p) => p.clone(),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            return Err(Error::field(
                "path",
                "path",
                "path must start with / and hold no spaces, control characters or host (e.g. /api/paylist)",
            ))
        }
        Some(_) => return Err(Error::invalid("path must be a string")),
    };
    let (api_key, token) = auth_of(request.get("auth"))?;
    let body = match request.get("body") {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(body @ Value::Object(_)) => body.clone(),
        Some(_) => return Err(Error::invalid("body must be a JSON object")),
    };
    let bytes = serde_json::to_vec(&body).map_err(|e| Error::Internal(e.to_string()))?;
    let token_value = if token {
        Some(ctx.tokens.get(&ctx.channel, false)?.0)
    } else {
        None
    };
    let mut headers: Vec<(&'static str, &str)> = Vec::new();
    if api_key {
        headers.push(("ApiKey", ctx.api_key()));
    }
    if let Some(t) = &token_value {
        headers.push(("TOKEN", t.value.as_str()));
    }
    let answer = ctx
        .channel
        .post(&path, &headers, JSON_CONTENT_TYPE, bytes, CallKind::SendOnce)?;
    let body = match serde_json::from_slice::<Value>(&answer.body) {
        Ok(json) => json,
        Err(_) => Value::String(String::from_utf8_lossy(&answer.body).into_owned()),
    };
    Ok(json!({"status": answer.status, "body": body}))
}

fn is_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && path.chars().count() <= PATH_MAX_CHARS
        && !path
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '#' || c == '\\')
}

/// Which credentials to send: `["api_key", "token"]`, any subset; none by default.
fn auth_of(auth: Option<&Value>) -> Result<(bool, bool)> {
    let items = match auth {
        None | Some(Value::Null) => return Ok((false, false)),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(Error::invalid("auth must be a list such as [\"api_key\", \"token\"]")),
    };
    let (mut api_key, mut token) = (false, false);
    for item in items {
        match item.as_str() {
            Some("api_key") => api_key = true,
            Some("token") => token = true,
            _ => {
                return Err(Error::field(
                    "auth",
                    "one_of",
                    "auth may name only \"api_key\" and \"token\"",
                ))
            }
        }
    }
    Ok((api_key, token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_auth() {
        assert!(is_path("/api/paylist"));
        for bad in ["api", "//evil.example/x", "/a b", "/a\r\nb", "/x#y", "http://x/y"] {
            assert!(!is_path(bad), "{bad}");
        }
        assert_eq!(auth_of(Some(&json!(["token"]))).unwrap(), (false, true));
        assert_eq!(auth_of(None).unwrap(), (false, false));
        assert!(auth_of(Some(&json!(["password"]))).is_err());
    }
}
