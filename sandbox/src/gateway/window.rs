//! The authenticated payment window: `POST /pay/ready` (order → window HTML), `POST /pay/window/{id}`
//! (what the buyer's browser submits) and the `/_sandbox/checkout` helper that does the same
//! submission from JSON. Also the order-field rules billkeygen shares.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{json, Value};

use crate::cards::{self, CardAuthKind, CardInput, EnteredCard};
use crate::choices::{self as c, ErrorCode, OverLong};
use crate::crypto;
use crate::gateway::ledger::{BillingKey, Order, Payment, Session};
use crate::gateway::messages;
use crate::gateway::shared::{Gateway, MerchantInfo};
use crate::http::{Request, Response, HTML};
use crate::pages::{self, ReturnPost};
use crate::util::lock;
use crate::window_page::{self, WindowOrder};
use crate::wire::{
    business_error, control_error, either, error_reply, is_json_type, json_body, media_type, text_fields, ErrorFields,
    Reply,
};

/// Order fields: (name, maximum length in characters, required).
pub const ORDER_FIELDS: &[(&str, usize, bool)] = &[
    ("API_ID", 20, true),
    ("ORDERNO", 50, true),
    ("PRODUCTNAME", 40, true),
    ("AMOUNT", 10, true),
    ("BUYERNAME", 20, true),
    ("TAXYN", 1, false),
    ("RETURNURL", 100, true),
    ("BUYEREMAIL", 50, false),
    ("PRODUCTCODE", 10, false),
    ("BUYERID", 20, false),
    ("BUYERADDRESS", 100, false),
    ("BUYERPHONE", 20, false),
    ("ETC1", 100, false),
    ("ETC2", 100, false),
    ("ETC3", 100, false),
    ("ETC4", 100, false),
    ("ETC5", 100, false),
];

/// Fields never cut by [`OverLong::Truncate`]: an identity, a number and a flag are checked whole.
const NEVER_CUT: &[&str] = &["API_ID", "AMOUNT", "TAXYN"];

/// Checks the order fields (`RETURNURL` only when `with_return_url`) and builds the order.
/// Over-long fields are cut or refused as `over_long` says. The error names the failing field.
pub fn read_order(
    fields: &HashMap<String, String>,
    m: &MerchantInfo,
    with_return_url: bool,
    over_long: OverLong,
) -> Result<Order, (ErrorCode, Option<&'static str>)> {
    let mut cut: HashMap<&str, String> = HashMap::new();
    for &(name, max, _) in ORDER_FIELDS {
        let v = fields.get(name).map(String::as_str).unwrap_or("");
        let refuse = over_long == OverLong::Refuse || NEVER_CUT.contains(&name);
        if v.chars().count() > max && !refuse {
            cut.insert(name, v.chars().take(max).collect());
        }
    }
    let get = |k: &str| match cut.get(k) {
        Some(v) => v.as_str(),
        None => fields.get(k).map(String::as_str).unwrap_or(""),
    };
    if get("API_ID").is_empty() {
        return Err((c::E_REQUIRED, Some("API_ID")));
    }
    if get("API_ID") != m.api_id {
        return Err((c::E_API_ID_MISMATCH, None));
    }
    let applies = |name: &str| with_return_url || name != "RETURNURL";
    for &(name, _, required) in ORDER_FIELDS {
        if required && applies(name) && get(name).is_empty() {
            return Err((c::E_REQUIRED, Some(name)));
        }
    }
    for &(name, max, _) in ORDER_FIELDS {
        if applies(name) && get(name).chars().count() > max {
            return Err((c::E_TOO_LONG, Some(name)));
        }
    }
    let amount = get("AMOUNT");
    if !amount.bytes().all(|b| b.is_ascii_digit()) || amount.bytes().all(|b| b == b'0') {
        return Err((c::E_AMOUNT, Some("AMOUNT")));
    }
    let taxyn = get("TAXYN");
    if !(taxyn.is_empty() || taxyn == "Y" || taxyn == "N") {
        return Err((c::E_TAXYN, Some("TAXYN")));
    }
    if get("PRODUCTNAME").contains('&') {
        return Err((c::E_AMPERSAND, Some("PRODUCTNAME")));
    }
    if with_return_url && !valid_return_url(get("RETURNURL")) {
        return Err((c::E_RETURNURL, Some("RETURNURL")));
    }
    Ok(Order {
        orderno: get("ORDERNO").to_string(),
        productname: get("PRODUCTNAME").to_string(),
        amount: amount.trim_start_matches('0').to_string(),
        buyername: get("BUYERNAME").to_string(),
        buyeremail: get("BUYEREMAIL").to_string(),
        productcode: get("PRODUCTCODE").to_string(),
        buyerid: get("BUYERID").to_string(),
        buyeraddress: get("BUYERADDRESS").to_string(),
        buyerphone: get("BUYERPHONE").to_string(),
        returnurl: if with_return_url {
            get("RETURNURL").to_string()
        } else {
            String::new()
        },
        etc: ["ETC1", "ETC2", "ETC3", "ETC4", "ETC5"].map(|k| get(k).to_string()),
    })
}

/// The answer to an order fault from [`read_order`] (or a taken ORDERNO): a business error naming
/// the field, in the endpoint's convention.
pub fn order_error(fields: ErrorFields, (e, field): (ErrorCode, Option<&str>)) -> Response {
    error_reply(fields, c::STATUS_BUSINESS_ERROR, e, field)
}

/// /pay/ready fields from a JSON or form body. Numbers become their decimal text (AMOUNT may
/// be a JSON number); unknown extra fields are ignored.
fn ready_fields(req: &Request) -> Result<HashMap<String, String>, Response> {
    let fields = ErrorFields::Rtn;
    let kind = match media_type(req) {
        Some(t) if is_json_type(&t) => "json",
        Some(t) if t == "application/x-www-form-urlencoded" => "form",
        Some(_) => return Err(error_reply(fields, c::STATUS_BAD_INPUT, c::E_CONTENT_TYPE, None)),
        None if req.body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') => "json",
        None => "form",
    };
    if kind == "form" {
        if std::str::from_utf8(&req.body).is_err() {
            return Err(error_reply(fields, c::STATUS_BAD_INPUT, c::E_MALFORMED, None));
        }
        return Ok(form_urlencoded::parse(&req.body).into_owned().collect());
    }
    let obj = json_body(req, fields)?;
    let names: Vec<&str> = ORDER_FIELDS.iter().map(|f| f.0).collect();
    text_fields(obj, &names, fields)
}

/// Absolute http(s) URL with a host and no whitespace or control characters.
pub fn valid_return_url(u: &str) -> bool {
    let lower = u.to_ascii_lowercase();
    let rest = if let Some(r) = lower.strip_prefix("https://") {
        r
    } else if let Some(r) = lower.strip_prefix("http://") {
        r
    } else {
        return false;
    };
    let host_port = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host_port.rsplit('@').next().unwrap_or("");
    !host.is_empty() && !host.starts_with(':') && !u.chars().any(|ch| ch.is_whitespace() || ch.is_control())
}

pub fn ready(gw: &Gateway, req: &Request) -> Response {
    either(open_window(gw, req))
}

/// The merchant of a ready call: the `ApiKey` header's when sent (server calls, P1's XHR), else
/// the body's `API_ID` — how the manual's PHP, cURL and JSP samples and its JavaScript library
/// (`init({api_id})`) identify themselves: none of them sends a key.
fn ready_merchant(gw: &Gateway, req: &Request, body: &HashMap<String, String>) -> Result<Arc<MerchantInfo>, Response> {
    let fields = ErrorFields::Rtn;
    if req.header("apikey").is_some() {
        return gw.merchant_by_key(req, fields);
    }
    match body.get("API_ID").map(String::as_str).unwrap_or("") {
        "" => Err(order_error(fields, (c::E_REQUIRED, Some("API_ID")))),
        id => gw
            .merchants
            .get(id)
            .cloned()
            .ok_or_else(|| business_error(fields, c::E_AUTH)),
    }
}

fn open_window(gw: &Gateway, req: &Request) -> Reply {
    let fields = ErrorFields::Rtn;
    if req.header("apikey").is_some() {
        // Header problems first, as before the body is looked at.
        gw.merchant_by_key(req, fields)?;
    }
    let body = ready_fields(req)?;
    let m = ready_merchant(gw, req, &body)?;
    let order = read_order(&body, &m, true, gw.over_long).map_err(|e| order_error(fields, e))?;
    // P1/P2 send ORDER_NO_CHECK=N: "주문번호 중복체크" off.
    let check_orderno = body.get("ORDER_NO_CHECK").map(String::as_str) != Some("N");
    let sid = crypto::random_hex(c::SESSION_ID_HEX);
    {
        let mut ledger = lock(&gw.ledger);
        let orders = ledger.orders.entry(m.api_id.clone()).or_default();
        if !orders.insert(order.orderno.clone()) && check_orderno {
            return Err(order_error(fields, (c::E_DUP_ORDERNO, Some("ORDERNO"))));
        }
        if ledger.session_order.len() >= c::MAX_SESSIONS {
            if let Some(old) = ledger.session_order.pop_front() {
                ledger.sessions.remove(&old);
            }
        }
        ledger.session_order.push_back(sid.clone());
        ledger.sessions.insert(
            sid.clone(),
            Session {
                api_id: m.api_id.clone(),
                order: order.clone(),
                used: false,
                opened_at: gw.clock.now_unix(),
            },
        );
    }
    // An absolute address, as a PG's window has: the buyer's browser shows this HTML inside the
    // shop's page, and a relative action would post the card form to the shop.
    let origin = match req.header("host") {
        Some(host) if !host.is_empty() && host.bytes().all(|b| b.is_ascii_graphic()) => {
            format!("{}://{host}", req.scheme)
        }
        _ => String::new(),
    };
    let shown = WindowOrder {
        orderno: &order.orderno,
        productname: &order.productname,
        amount: &order.amount,
        buyername: &order.buyername,
    };
    Ok(Response::new(
        200,
        HTML,
        window_page::window_page(&m.api_id, &shown, &format!("{origin}/pay/window/{sid}")),
    ))
}

pub enum WindowError {
    Unknown,
    Used,
    /// Not submitted within the window lifetime (the buyer walked away).
    Expired,
}

pub fn window(gw: &Gateway, req: &Request, sid: &str) -> Response {
    let form: HashMap<String, String> = form_urlencoded::parse(&req.body).into_owned().collect();
    let card = CardInput::read(|k| form.get(k).cloned().unwrap_or_default());
    match submit(gw, sid, &card) {
        Ok(p) => Response::new(200, HTML, pages::return_page(&p)),
        Err(WindowError::Unknown) => Response::new(
            c::STATUS_WINDOW_ERROR,
            HTML,
            pages::error_page(c::WINDOW_SESSION_UNKNOWN),
        ),
        Err(WindowError::Used) => {
            Response::new(c::STATUS_WINDOW_ERROR, HTML, pages::error_page(c::WINDOW_SESSION_USED))
        }
        Err(WindowError::Expired) => Response::new(
            c::STATUS_WINDOW_ERROR,
            HTML,
            pages::error_page(c::WINDOW_SESSION_EXPIRED),
        ),
    }
}

/// Session id from a /_sandbox/checkout body: the window form's action in `window_html`,
/// or `window_path` (a path or URL ending in /pay/window/{id}).
pub fn checkout_session_id(req: &Request) -> Option<String> {
    let v: Value = serde_json::from_slice(&req.body).ok()?;
    let src = if let Some(html) = v.get("window_html").and_then(Value::as_str) {
        let form = &html[html.find("id=\"cookiepay-window\"")?..];
        let action = &form[form.find("action=\"")? + 8..];
        action[..action.find('"')?].to_string()
    } else {
        v.get("window_path")?.as_str()?.to_string()
    };
    let id = &src[src.rfind("/pay/window/")? + "/pay/window/".len()..];
    let id: String = id.chars().take_while(|ch| ch.is_ascii_alphanumeric()).collect();
    (!id.is_empty()).then_some(id)
}

pub fn checkout(gw: &Gateway, req: &Request, sid: &str) -> Response {
    let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(&req.body) else {
        return control_error(
            400,
            "body must be a JSON object with window_html or window_path, and card",
        );
    };
    if sid.is_empty() {
        return control_error(400, "no /pay/window/{id} found in window_html or window_path");
    }
    let card = obj.get("card").and_then(Value::as_object);
    let input = CardInput::read(|k| match card.and_then(|m| m.get(k)) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    });
    match submit(gw, sid, &input) {
        Ok(p) => {
            let form_body = form_urlencoded::Serializer::new(String::new())
                .append_pair("API_ID", &p.api_id)
                .append_pair("RESULTCODE", &p.code)
                .append_pair("RESULTMSG", &p.msg)
                .append_pair("ENC_DATA", &p.enc_data)
                .finish();
            Response::json(
                200,
                &json!({
                    "return_url": p.return_url,
                    "form_body": form_body,
                    "fields": { "API_ID": p.api_id, "RESULTCODE": p.code, "RESULTMSG": p.msg, "ENC_DATA": p.enc_data },
                }),
            )
        }
        Err(WindowError::Unknown) => control_error(404, c::WINDOW_SESSION_UNKNOWN),
        Err(WindowError::Used) => control_error(409, c::WINDOW_SESSION_USED),
        Err(WindowError::Expired) => control_error(410, c::WINDOW_SESSION_EXPIRED),
    }
}

/// What submitting the payment window does: decide by test card, store an approval,
/// and produce the encrypted return post.
fn submit(gw: &Gateway, sid: &str, card: &CardInput) -> Result<ReturnPost, WindowError> {
    let (api_id, order) = {
        let mut ledger = lock(&gw.ledger);
        let s = ledger.sessions.get_mut(sid).ok_or(WindowError::Unknown)?;
        if s.used {
            return Err(WindowError::Used);
        }
        if gw.clock.now_unix() >= s.opened_at.saturating_add(gw.window_ttl_secs) {
            return Err(WindowError::Expired);
        }
        s.used = true;
        (s.api_id.clone(), s.order.clone())
    };
    let Some(m) = gw.merchants.get(&api_id).cloned() else {
        return Err(WindowError::Unknown);
    };
    let now = gw.clock.now();
    let EnteredCard { digits, quota, masked } = card.entered();
    let verdict = cards::first_charge_verdict(&digits, card, &quota, CardAuthKind::BirthDate, now);
    let profile = verdict.as_ref().ok().copied();
    let (code, msg, card_name, card_code) = match verdict {
        Ok(p) => (c::OK_CODE, c::OK_MSG, p.card_name, p.card_code),
        Err((e, p)) => (
            e.code,
            e.msg,
            p.map(|t| t.card_name).unwrap_or(""),
            p.map(|t| t.card_code).unwrap_or(""),
        ),
    };
    let approved = code == c::OK_CODE;
    let mut p = Payment {
        api_id: api_id.clone(),
        amount_won: order.amount.parse().unwrap_or(0),
        order,
        paymethod: c::PAYMETHOD_BILLING,
        quota,
        card_name: card_name.to_string(),
        card_code: card_code.to_string(),
        card_masked: masked,
        ..Payment::default()
    };
    if approved {
        let stamp = now.compact();
        p.acceptno = crypto::random_digits(c::ACCEPTNO_DIGITS);
        p.acceptdate = stamp.clone();
        p.gendate = stamp.clone();
        let mut ledger = lock(&gw.ledger);
        p.billkey = ledger.new_billkey();
        p.tid = ledger.new_tid(&stamp);
        ledger.store_payment(p.clone());
        if let Some(profile) = profile {
            // The window's key is a real key: billingkeycancel can delete it.
            let key = BillingKey::of_first_charge(&p, profile, cards::expiry_of(&card.expiredt));
            ledger.billing_keys.insert(key.key.clone(), key);
        }
    }
    if approved {
        gw.notifier.send("payment", messages::payment_noti(&p, code, msg));
    }
    let enc_data = m.seal(&messages::window_result(&p, code, msg, gw.spelling));
    Ok(ReturnPost {
        return_url: p.order.returnurl,
        api_id,
        code: code.to_string(),
        msg: msg.to_string(),
        enc_data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_urls() {
        assert!(valid_return_url("https://shop.example/return?x=1"));
        assert!(valid_return_url("http://127.0.0.1:8080/r"));
        assert!(!valid_return_url("/relative"));
        assert!(!valid_return_url("ftp://x/y"));
        assert!(!valid_return_url("https:///nohost"));
        assert!(!valid_return_url("https://a b/"));
        assert!(!valid_return_url("javascript:alert(1)"));
    }
}
