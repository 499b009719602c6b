//! Routing, state and every endpoint of the sandbox.

use std::collections::{HashMap, HashSet, VecDeque};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};

use crate::choices::{self as c, Err};
use crate::crypto::{self, JwtSigner, Sealer};
use crate::http::{Outcome, Reject, Request, Response, HTML, JSON};
use crate::util::{html_escape, luhn_ok, mask_card, unix_now, Kst};

/// Poisoning only means another request panicked mid-update; the data is still usable and a
/// sandbox must keep answering.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Endpoint {
    Token,
    Ready,
    Window,
    Decrypt,
    Paycert,
}

impl Endpoint {
    pub const ALL: [Endpoint; 5] = [Endpoint::Token, Endpoint::Ready, Endpoint::Window, Endpoint::Decrypt, Endpoint::Paycert];

    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Token => "token",
            Endpoint::Ready => "ready",
            Endpoint::Window => "window",
            Endpoint::Decrypt => "decrypt",
            Endpoint::Paycert => "paycert",
        }
    }

    fn from_name(s: &str) -> Option<Endpoint> {
        Endpoint::ALL.into_iter().find(|e| e.name() == s)
    }

    fn index(self) -> usize {
        self as usize
    }

    /// Token and ready errors use RTN_CD/RTN_MSG; everything else RESULTCODE/RESULTMSG.
    fn conv(self) -> Conv {
        match self {
            Endpoint::Token | Endpoint::Ready => Conv::Rtn,
            _ => Conv::Result,
        }
    }
}

#[derive(Clone, Copy)]
enum Conv {
    Rtn,
    Result,
}

fn api_err(conv: Conv, status: u16, e: Err, field: Option<&str>) -> Response {
    let msg = match field {
        Some(f) => format!("{f} {}", e.msg),
        None => e.msg.to_string(),
    };
    let v = match conv {
        Conv::Rtn => json!({ "RTN_CD": e.code, "RTN_MSG": msg }),
        Conv::Result => json!({ "RESULTCODE": e.code, "RESULTMSG": msg }),
    };
    Response::json(status, &v)
}

fn ctl_err(status: u16, msg: &str) -> Response {
    Response::json(status, &json!({ "error": msg }))
}

enum Route {
    Api(Endpoint),
    Window(String),
    Checkout,
    WrongMethod(Option<Endpoint>, &'static str),
    Stats,
    Reset,
    FaultsGet,
    FaultsPost,
    Revoke,
    Payments,
    Cancel(String),
    NotFound,
}

// ---------------------------------------------------------------- faults

#[derive(Clone, Copy, Debug)]
enum FaultMode {
    Delay(u64),
    Http500,
    Reset,
    Truncate,
    InvalidJson,
    HugeBody(usize),
    WrongContentType,
}

impl FaultMode {
    fn name(self) -> &'static str {
        match self {
            FaultMode::Delay(_) => "delay",
            FaultMode::Http500 => "http_500",
            FaultMode::Reset => "reset",
            FaultMode::Truncate => "truncate",
            FaultMode::InvalidJson => "invalid_json",
            FaultMode::HugeBody(_) => "huge_body",
            FaultMode::WrongContentType => "wrong_content_type",
        }
    }
}

struct Fault {
    mode: FaultMode,
    remaining: u64,
}

// ---------------------------------------------------------------- state

pub struct MerchantInfo {
    pub api_id: String,
    pub api_key: String,
    sealer: Sealer,
}

#[derive(Clone, Default)]
struct Order {
    orderno: String,
    productname: String,
    amount: String,
    buyername: String,
    buyeremail: String,
    productcode: String,
    buyerid: String,
    returnurl: String,
    etc: [String; 5],
}

struct Session {
    api_id: String,
    order: Order,
    used: bool,
}

struct Payment {
    api_id: String,
    order: Order,
    tid: String,
    acceptno: String,
    acceptdate: String,
    quota: String,
    card_name: String,
    card_code: String,
    card_masked: String,
    billkey: String,
    gendate: String,
    cancel_date: String,
    cancel_msg: String,
}

#[derive(Default)]
struct State {
    orders: HashMap<String, HashSet<String>>,
    sessions: HashMap<String, Session>,
    session_order: VecDeque<String>,
    payments: HashMap<String, Payment>,
    payment_order: Vec<String>,
}

#[derive(Default)]
struct Counter {
    total: u64,
    by_merchant: HashMap<String, u64>,
}

pub struct Config {
    pub control: bool,
    pub verbose: bool,
    pub token_lifetime: Duration,
    pub merchants: Vec<(String, String)>,
}

pub struct App {
    control: bool,
    verbose: bool,
    token_lifetime_secs: u64,
    merchants: HashMap<String, Arc<MerchantInfo>>,
    by_key: HashMap<String, Arc<MerchantInfo>>,
    signer: Mutex<Arc<JwtSigner>>,
    state: Mutex<State>,
    stats: Mutex<[Counter; 5]>,
    faults: Mutex<[VecDeque<Fault>; 5]>,
}

const READY_FIELDS: &[(&str, usize, bool)] = &[
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

struct CardInput {
    cardno: String,
    expiredt: String,
    cardauth: String,
    cardpwd: String,
    quota: String,
}

struct ReturnPost {
    return_url: String,
    api_id: String,
    code: String,
    msg: String,
    enc_data: String,
}

enum WindowError {
    Unknown,
    Used,
}

impl App {
    pub fn new(cfg: Config) -> Result<App, String> {
        let mut merchants = HashMap::new();
        let mut by_key = HashMap::new();
        for (id, key) in cfg.merchants {
            if id.is_empty() || key.is_empty() {
                return Err("merchant api_id and api_key must not be empty".into());
            }
            if id.chars().count() > c::MERCHANT_ID_MAX || key.chars().count() > c::MERCHANT_KEY_MAX {
                return Err(format!(
                    "merchant {id}: api_id is at most {} and api_key at most {} characters",
                    c::MERCHANT_ID_MAX,
                    c::MERCHANT_KEY_MAX
                ));
            }
            let m = Arc::new(MerchantInfo { api_id: id.clone(), api_key: key.clone(), sealer: Sealer::new_random() });
            if merchants.insert(id.clone(), m.clone()).is_some() {
                return Err(format!("merchant {id} listed twice"));
            }
            if by_key.insert(key, m).is_some() {
                return Err(format!("merchant {id}: api_key already used by another merchant"));
            }
        }
        let ms = cfg.token_lifetime.as_millis();
        Ok(App {
            control: cfg.control,
            verbose: cfg.verbose,
            token_lifetime_secs: ms.div_ceil(1000).min(u64::MAX as u128) as u64,
            merchants,
            by_key,
            signer: Mutex::new(Arc::new(JwtSigner::new_random())),
            state: Mutex::new(State::default()),
            stats: Mutex::new(Default::default()),
            faults: Mutex::new(Default::default()),
        })
    }

    fn route(&self, method: &str, path: &str) -> Route {
        let post = method == "POST";
        let get = method == "GET";
        let api = |ep| if post { Route::Api(ep) } else { Route::WrongMethod(Some(ep), "POST") };
        match path {
            "/payAuth/token" => return api(Endpoint::Token),
            "/pay/ready" => return api(Endpoint::Ready),
            "/EdiAuth/cookiepay_edi_decrypt" => return api(Endpoint::Decrypt),
            "/api/paycert" => return api(Endpoint::Paycert),
            _ => {}
        }
        if let Some(id) = path.strip_prefix("/pay/window/") {
            if !id.is_empty() && !id.contains('/') {
                return if post {
                    Route::Window(id.to_string())
                } else {
                    Route::WrongMethod(Some(Endpoint::Window), "POST")
                };
            }
        }
        if !self.control {
            return Route::NotFound;
        }
        let only = |ok: bool, r: Route, allow| if ok { r } else { Route::WrongMethod(None, allow) };
        match path {
            "/_sandbox/stats" => only(get, Route::Stats, "GET"),
            "/_sandbox/reset" => only(post, Route::Reset, "POST"),
            "/_sandbox/faults" if get => Route::FaultsGet,
            "/_sandbox/faults" => only(post, Route::FaultsPost, "GET, POST"),
            "/_sandbox/tokens/revoke" => only(post, Route::Revoke, "POST"),
            "/_sandbox/payments" => only(get, Route::Payments, "GET"),
            "/_sandbox/checkout" => only(post, Route::Checkout, "POST"),
            _ => match path.strip_prefix("/_sandbox/payments/").and_then(|r| r.strip_suffix("/cancel")) {
                Some(tid) if !tid.is_empty() && !tid.contains('/') => only(post, Route::Cancel(tid.to_string()), "POST"),
                _ => Route::NotFound,
            },
        }
    }

    pub async fn handle(&self, req: Request) -> Outcome {
        let started = Instant::now();
        let route = self.route(&req.method, &req.path);
        let mut ep_name = "-";
        let mut merchant = String::from(c::UNKNOWN_MERCHANT);
        let mut fault_name = "-";
        let outcome = match route {
            Route::Api(ep) => {
                ep_name = ep.name();
                self.api(ep, &req, None, &mut merchant, &mut fault_name).await
            }
            Route::Window(id) => {
                ep_name = "window";
                self.api(Endpoint::Window, &req, Some(&id), &mut merchant, &mut fault_name).await
            }
            Route::Checkout => {
                ep_name = "window";
                let id = checkout_session_id(&req);
                let id = id.as_deref().unwrap_or("");
                self.api(Endpoint::Window, &req, Some(id), &mut merchant, &mut fault_name).await
            }
            Route::WrongMethod(ep, allow) => {
                let mut r = match ep {
                    Some(ep) => api_err(ep.conv(), c::STATUS_METHOD, c::E_METHOD, None),
                    None => ctl_err(c::STATUS_METHOD, "method not allowed"),
                };
                r.extra_headers.push(("Allow", allow.to_string()));
                Outcome::Send(r)
            }
            Route::NotFound => Outcome::Send(api_err(Conv::Result, c::STATUS_NOT_FOUND, c::E_NOT_FOUND, None)),
            other => {
                ep_name = "control";
                Outcome::Send(self.guarded(Conv::Result, || self.control_call(other, &req)))
            }
        };
        if self.verbose {
            let status = match &outcome {
                Outcome::Send(r) => r.status.to_string(),
                Outcome::Truncate(r) => format!("{} (truncated)", r.status),
                Outcome::Reset => "RST".to_string(),
            };
            // Never headers or bodies: they carry keys, tokens and card data.
            let path: String = req.path.chars().take(120).flat_map(char::escape_debug).collect();
            eprintln!(
                "cookiepay-sandbox: {} {} -> {} endpoint={} merchant={} fault={} {:.2}ms",
                req.method.escape_debug(),
                path,
                status,
                ep_name,
                merchant.escape_debug(),
                fault_name,
                started.elapsed().as_secs_f64() * 1000.0
            );
        }
        outcome
    }

    async fn api(
        &self,
        ep: Endpoint,
        req: &Request,
        window_id: Option<&str>,
        merchant: &mut String,
        fault_name: &mut &'static str,
    ) -> Outcome {
        *merchant = self.attribute(ep, req, window_id);
        self.count(ep, merchant);
        let fault = self.take_fault(ep);
        if let Some(f) = fault {
            *fault_name = f.name();
        }
        match fault {
            Some(FaultMode::Delay(ms)) => tokio::time::sleep(Duration::from_millis(ms)).await,
            Some(FaultMode::Http500) => {
                return Outcome::Send(Response::new(500, HTML, c::FAULT_500_HTML));
            }
            Some(FaultMode::Reset) => return Outcome::Reset,
            _ => {}
        }
        let resp = self.guarded(ep.conv(), || match (ep, req.path.starts_with("/_sandbox/")) {
            (Endpoint::Token, _) => self.token(req),
            (Endpoint::Ready, _) => self.ready(req),
            (Endpoint::Window, false) => self.window(req, window_id.unwrap_or("")),
            (Endpoint::Window, true) => self.checkout(req, window_id.unwrap_or("")),
            (Endpoint::Decrypt, _) => self.decrypt(req),
            (Endpoint::Paycert, _) => self.paycert(req),
        });
        match fault {
            Some(FaultMode::Truncate) => Outcome::Truncate(resp),
            Some(FaultMode::InvalidJson) => Outcome::Send(Response::new(200, JSON, c::FAULT_INVALID_JSON)),
            Some(FaultMode::HugeBody(n)) => Outcome::Send(Response::new(200, JSON, pad_json(&resp, n))),
            Some(FaultMode::WrongContentType) => {
                Outcome::Send(Response::new(200, "text/html", c::FAULT_PROXY_HTML))
            }
            _ => Outcome::Send(resp),
        }
    }

    /// A panic inside one handler becomes a 500 answer; the server keeps running.
    fn guarded(&self, conv: Conv, f: impl FnOnce() -> Response) -> Response {
        match std::panic::catch_unwind(AssertUnwindSafe(f)) {
            Ok(r) => r,
            Err(_) => api_err(conv, c::STATUS_INTERNAL, c::E_INTERNAL, None),
        }
    }

    /// Body over the cap: answered in the endpoint's convention, then the connection closes.
    pub fn too_large(&self, req: &Request) -> Response {
        let conv = match self.route(&req.method, &req.path) {
            Route::Api(ep) => {
                let m = self.attribute(ep, req, None);
                self.count(ep, &m);
                ep.conv()
            }
            Route::Window(id) => {
                let m = self.attribute(Endpoint::Window, req, Some(&id));
                self.count(Endpoint::Window, &m);
                Conv::Result
            }
            _ => Conv::Result,
        };
        let mut r = api_err(conv, c::STATUS_TOO_LARGE, c::E_TOO_LARGE, None);
        r.close = true;
        r
    }

    pub fn reject(&self, why: Reject) -> Response {
        let mut r = match why {
            Reject::Malformed => api_err(Conv::Result, 400, c::E_MALFORMED, None),
            Reject::HeadersTooLarge => api_err(Conv::Result, c::STATUS_HEADERS_TOO_LARGE, c::E_TOO_LARGE, None),
        };
        r.close = true;
        r
    }

    // ------------------------------------------------------------ stats & faults

    fn known(&self, id: &str) -> Option<String> {
        self.merchants.get(id).map(|m| m.api_id.clone())
    }

    fn attribute(&self, ep: Endpoint, req: &Request, window_id: Option<&str>) -> String {
        let found = match ep {
            Endpoint::Token => body_field(req, "pay2_id").and_then(|id| self.known(&id)),
            Endpoint::Ready | Endpoint::Decrypt => match req.header("apikey") {
                Some(k) => self.by_key.get(k).map(|m| m.api_id.clone()),
                None => body_field(req, "API_ID").and_then(|id| self.known(&id)),
            },
            Endpoint::Paycert => req.header("token").and_then(crypto::peek_token_user).and_then(|u| self.known(&u)),
            Endpoint::Window => {
                window_id.and_then(|id| lock(&self.state).sessions.get(id).map(|s| s.api_id.clone()))
            }
        };
        found.unwrap_or_else(|| c::UNKNOWN_MERCHANT.to_string())
    }

    fn count(&self, ep: Endpoint, merchant: &str) {
        let mut stats = lock(&self.stats);
        let ctr = &mut stats[ep.index()];
        ctr.total += 1;
        match ctr.by_merchant.get_mut(merchant) {
            Some(n) => *n += 1,
            None => {
                ctr.by_merchant.insert(merchant.to_string(), 1);
            }
        }
    }

    fn take_fault(&self, ep: Endpoint) -> Option<FaultMode> {
        let mut faults = lock(&self.faults);
        let q = &mut faults[ep.index()];
        let f = q.front_mut()?;
        let mode = f.mode;
        f.remaining -= 1;
        if f.remaining == 0 {
            q.pop_front();
        }
        Some(mode)
    }

    // ------------------------------------------------------------ endpoints

    fn token(&self, req: &Request) -> Response {
        let conv = Conv::Rtn;
        let obj = match json_body(req, conv) {
            Ok(o) => o,
            Err(r) => return r,
        };
        let mut vals = [String::new(), String::new()];
        for (i, name) in ["pay2_id", "pay2_key"].into_iter().enumerate() {
            match obj.get(name) {
                None | Some(Value::Null) => return api_err(conv, 200, c::E_REQUIRED, Some(name)),
                Some(Value::String(s)) if s.is_empty() => return api_err(conv, 200, c::E_REQUIRED, Some(name)),
                Some(Value::String(s)) => vals[i] = s.clone(),
                Some(_) => return api_err(conv, 200, c::E_FIELD_TYPE, Some(name)),
            }
        }
        let Some(m) = self.merchants.get(&vals[0]) else {
            return api_err(conv, c::STATUS_BUSINESS_ERROR, c::E_AUTH, None);
        };
        if !ct_eq(m.api_key.as_bytes(), vals[1].as_bytes()) {
            return api_err(conv, c::STATUS_BUSINESS_ERROR, c::E_AUTH, None);
        }
        let iat = unix_now();
        let signer = lock(&self.signer).clone();
        let token = signer.sign(&m.api_id, iat, iat.saturating_add(self.token_lifetime_secs));
        Response::json(200, &json!({ "RTN_CD": c::OK_CODE, "RTN_MSG": c::OK_MSG, "TOKEN": token }))
    }

    fn merchant_by_key(&self, req: &Request, conv: Conv) -> Result<Arc<MerchantInfo>, Response> {
        let Some(key) = req.header("apikey") else {
            return Err(api_err(conv, c::STATUS_BAD_INPUT, c::E_HEADER_MISSING, Some("ApiKey")));
        };
        self.by_key
            .get(key)
            .cloned()
            .ok_or_else(|| api_err(conv, c::STATUS_BUSINESS_ERROR, c::E_AUTH, None))
    }

    fn ready(&self, req: &Request) -> Response {
        let conv = Conv::Rtn;
        let m = match self.merchant_by_key(req, conv) {
            Ok(m) => m,
            Err(r) => return r,
        };
        let fields = match ready_fields(req) {
            Ok(f) => f,
            Err(r) => return r,
        };
        let get = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
        let bad = |e, f| api_err(conv, c::STATUS_BUSINESS_ERROR, e, Some(f));
        if get("API_ID").is_empty() {
            return bad(c::E_REQUIRED, "API_ID");
        }
        if get("API_ID") != m.api_id {
            return api_err(conv, c::STATUS_BUSINESS_ERROR, c::E_API_ID_MISMATCH, None);
        }
        for &(name, _, required) in READY_FIELDS {
            if required && get(name).is_empty() {
                return bad(c::E_REQUIRED, name);
            }
        }
        for &(name, max, _) in READY_FIELDS {
            if get(name).chars().count() > max {
                return bad(c::E_TOO_LONG, name);
            }
        }
        let amount = get("AMOUNT");
        if !amount.bytes().all(|b| b.is_ascii_digit()) || amount.bytes().all(|b| b == b'0') {
            return bad(c::E_AMOUNT, "AMOUNT");
        }
        let amount = amount.trim_start_matches('0').to_string();
        let taxyn = get("TAXYN");
        if !(taxyn.is_empty() || taxyn == "Y" || taxyn == "N") {
            return bad(c::E_TAXYN, "TAXYN");
        }
        if get("PRODUCTNAME").contains('&') {
            return bad(c::E_AMPERSAND, "PRODUCTNAME");
        }
        if !valid_return_url(get("RETURNURL")) {
            return bad(c::E_RETURNURL, "RETURNURL");
        }
        let order = Order {
            orderno: get("ORDERNO").to_string(),
            productname: get("PRODUCTNAME").to_string(),
            amount,
            buyername: get("BUYERNAME").to_string(),
            buyeremail: get("BUYEREMAIL").to_string(),
            productcode: get("PRODUCTCODE").to_string(),
            buyerid: get("BUYERID").to_string(),
            returnurl: get("RETURNURL").to_string(),
            etc: ["ETC1", "ETC2", "ETC3", "ETC4", "ETC5"].map(|k| get(k).to_string()),
        };
        let sid = crypto::random_hex(c::SESSION_ID_HEX);
        {
            let mut st = lock(&self.state);
            let orders = st.orders.entry(m.api_id.clone()).or_default();
            if !orders.insert(order.orderno.clone()) {
                return bad(c::E_DUP_ORDERNO, "ORDERNO");
            }
            if st.session_order.len() >= c::MAX_SESSIONS {
                if let Some(old) = st.session_order.pop_front() {
                    st.sessions.remove(&old);
                }
            }
            st.session_order.push_back(sid.clone());
            st.sessions.insert(sid.clone(), Session { api_id: m.api_id.clone(), order: order.clone(), used: false });
        }
        // An absolute address, as a PG's window has: the buyer's browser shows this HTML inside the
        // shop's page, and a relative action would post the card form to the shop.
        let origin = match req.header("host") {
            Some(host) if !host.is_empty() && host.bytes().all(|b| b.is_ascii_graphic()) => format!("{}://{host}", req.scheme),
            _ => String::new(),
        };
        Response::new(200, HTML, window_page(&m.api_id, &order, &format!("{origin}/pay/window/{sid}")))
    }

    fn window(&self, req: &Request, sid: &str) -> Response {
        let form: HashMap<String, String> = form_urlencoded::parse(&req.body).into_owned().collect();
        let get = |k: &str| form.get(k).cloned().unwrap_or_default();
        let card = CardInput {
            cardno: get("CARDNO"),
            expiredt: get("EXPIREDT"),
            cardauth: get("CARDAUTH"),
            cardpwd: get("CARDPWD"),
            quota: get("QUOTA"),
        };
        match self.submit(sid, &card) {
            Ok(p) => Response::new(200, HTML, return_page(&p)),
            Err(WindowError::Unknown) => Response::new(c::STATUS_WINDOW_ERROR, HTML, error_page(c::WINDOW_SESSION_UNKNOWN)),
            Err(WindowError::Used) => Response::new(c::STATUS_WINDOW_ERROR, HTML, error_page(c::WINDOW_SESSION_USED)),
        }
    }

    fn checkout(&self, req: &Request, sid: &str) -> Response {
        let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(&req.body) else {
            return ctl_err(400, "body must be a JSON object with window_html or window_path, and card");
        };
        if sid.is_empty() {
            return ctl_err(400, "no /pay/window/{id} found in window_html or window_path");
        }
        let card = obj.get("card").and_then(Value::as_object);
        let get = |k: &str| match card.and_then(|m| m.get(k)) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        let input = CardInput {
            cardno: get("CARDNO"),
            expiredt: get("EXPIREDT"),
            cardauth: get("CARDAUTH"),
            cardpwd: get("CARDPWD"),
            quota: get("QUOTA"),
        };
        match self.submit(sid, &input) {
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
            Err(WindowError::Unknown) => ctl_err(404, c::WINDOW_SESSION_UNKNOWN),
            Err(WindowError::Used) => ctl_err(409, c::WINDOW_SESSION_USED),
        }
    }

    /// What submitting the payment window does: decide by test card, store an approval,
    /// and produce the encrypted return post.
    fn submit(&self, sid: &str, card: &CardInput) -> Result<ReturnPost, WindowError> {
        let (api_id, order) = {
            let mut st = lock(&self.state);
            let s = st.sessions.get_mut(sid).ok_or(WindowError::Unknown)?;
            if s.used {
                return Err(WindowError::Used);
            }
            s.used = true;
            (s.api_id.clone(), s.order.clone())
        };
        let Some(m) = self.merchants.get(&api_id).cloned() else {
            return Err(WindowError::Unknown);
        };
        let now = Kst::now();
        let digits: String = card.cardno.chars().filter(|&ch| ch != ' ' && ch != '-').collect();
        let quota = if card.quota.is_empty() { "00".to_string() } else { card.quota.clone() };
        let decision = decide(&digits, card, &quota, now);
        let masked = if digits.bytes().all(|b| b.is_ascii_digit()) { mask_card(&digits) } else { String::new() };
        let (code, msg, card_name, card_code) = match decision {
            Ok(tc) => (c::OK_CODE, c::OK_MSG, tc.card_name, tc.card_code),
            Err((e, tc)) => (e.code, e.msg, tc.map(|t| t.card_name).unwrap_or(""), tc.map(|t| t.card_code).unwrap_or("")),
        };
        let approved = code == c::OK_CODE;
        let mut p = Payment {
            api_id: api_id.clone(),
            order,
            tid: String::new(),
            acceptno: String::new(),
            acceptdate: String::new(),
            quota,
            card_name: card_name.to_string(),
            card_code: card_code.to_string(),
            card_masked: masked,
            billkey: String::new(),
            gendate: String::new(),
            cancel_date: String::new(),
            cancel_msg: String::new(),
        };
        if approved {
            let stamp = now.compact();
            p.acceptno = crypto::random_digits(c::ACCEPTNO_DIGITS);
            p.acceptdate = stamp.clone();
            p.gendate = stamp.clone();
            p.billkey = crypto::random_lower_alnum(c::BILLKEY_LEN);
            let mut st = lock(&self.state);
            loop {
                let tid = format!("{}{}{}", c::TID_PREFIX, &stamp[2..], crypto::random_digits(5));
                if !st.payments.contains_key(&tid) {
                    p.tid = tid;
                    break;
                }
            }
            st.payment_order.push(p.tid.clone());
            st.payments.insert(p.tid.clone(), clone_payment(&p));
        }
        let result = return_result(&p, code, msg);
        let enc_data = m.sealer.seal(&m.api_id, result.to_string().as_bytes());
        Ok(ReturnPost {
            return_url: p.order.returnurl,
            api_id,
            code: code.to_string(),
            msg: msg.to_string(),
            enc_data,
        })
    }

    fn decrypt(&self, req: &Request) -> Response {
        let conv = Conv::Result;
        let m = match self.merchant_by_key(req, conv) {
            Ok(m) => m,
            Err(r) => return r,
        };
        let obj = match json_body(req, conv) {
            Ok(o) => o,
            Err(r) => return r,
        };
        let api_id = match str_field(&obj, "API_ID", conv) {
            Ok(s) => s,
            Err(r) => return r,
        };
        if api_id != m.api_id {
            return api_err(conv, c::STATUS_BUSINESS_ERROR, c::E_API_ID_MISMATCH, None);
        }
        let enc = match str_field(&obj, "ENC_DATA", conv) {
            Ok(s) => s,
            Err(r) => return r,
        };
        let Some(plain) = m.sealer.open(&m.api_id, enc) else {
            return api_err(conv, c::STATUS_BUSINESS_ERROR, c::E_DECRYPT, None);
        };
        let Ok(data) = serde_json::from_slice::<Value>(&plain) else {
            return api_err(conv, c::STATUS_BUSINESS_ERROR, c::E_DECRYPT, None);
        };
        Response::json(200, &json!({ "RESULTCODE": c::OK_CODE, "RESULTMSG": c::OK_MSG, "decryptData": data }))
    }

    fn paycert(&self, req: &Request) -> Response {
        let conv = Conv::Result;
        let Some(token) = req.header("token") else {
            return api_err(conv, c::STATUS_BAD_INPUT, c::E_HEADER_MISSING, Some("TOKEN"));
        };
        let signer = lock(&self.signer).clone();
        let claims = match signer.verify(token, unix_now()) {
            Some(cl) if self.merchants.contains_key(&cl.user) => cl,
            _ => return api_err(conv, c::STATUS_BUSINESS_ERROR, c::E_TOKEN, None),
        };
        let obj = match json_body(req, conv) {
            Ok(o) => o,
            Err(r) => return r,
        };
        let tid = match str_field(&obj, "tid", conv) {
            Ok(s) => s,
            Err(r) => return r,
        };
        let st = lock(&self.state);
        match st.payments.get(tid) {
            // Another merchant's TID is answered exactly like an unknown one.
            Some(p) if p.api_id == claims.user => Response::json(200, &paycert_json(p)),
            _ => api_err(conv, c::STATUS_BUSINESS_ERROR, c::E_TID_NOT_FOUND, None),
        }
    }

    // ------------------------------------------------------------ control API

    fn control_call(&self, route: Route, req: &Request) -> Response {
        match route {
            Route::Stats => self.stats_json(),
            Route::Reset => {
                let state = match optional_json(&req.body) {
                    Ok(v) => v.get("state").and_then(Value::as_bool).unwrap_or(false),
                    Err(()) => return ctl_err(400, "body must be empty or a JSON object"),
                };
                *lock(&self.stats) = Default::default();
                *lock(&self.faults) = Default::default();
                if state {
                    *lock(&self.state) = State::default();
                    *lock(&self.signer) = Arc::new(JwtSigner::new_random());
                }
                Response::json(200, &json!({ "ok": true, "state_cleared": state }))
            }
            Route::FaultsGet => Response::json(200, &self.faults_json()),
            Route::FaultsPost => self.add_fault(req),
            Route::Revoke => {
                // A new signing key makes every token issued so far fail verification.
                *lock(&self.signer) = Arc::new(JwtSigner::new_random());
                Response::json(200, &json!({ "ok": true }))
            }
            Route::Payments => {
                let st = lock(&self.state);
                let list: Vec<Value> = st
                    .payment_order
                    .iter()
                    .filter_map(|t| st.payments.get(t))
                    .map(|p| {
                        let mut v = paycert_json(p);
                        if let Value::Object(o) = &mut v {
                            o.remove("RESULTCODE");
                            o.remove("RESULTMSG");
                            o.insert("API_ID".into(), p.api_id.clone().into());
                            o.insert("CARDNO".into(), p.card_masked.clone().into());
                            o.insert("BILLKEY".into(), p.billkey.clone().into());
                            o.insert("GENDATE".into(), p.gendate.clone().into());
                        }
                        v
                    })
                    .collect();
                Response::json(200, &json!({ "payments": list }))
            }
            Route::Cancel(tid) => {
                let msg = match optional_json(&req.body) {
                    Ok(v) => match v.get("msg") {
                        Some(Value::String(s)) if !s.is_empty() => s.clone(),
                        None | Some(Value::Null) => c::DEFAULT_CANCEL_MSG.to_string(),
                        Some(Value::String(_)) => c::DEFAULT_CANCEL_MSG.to_string(),
                        Some(_) => return ctl_err(400, "msg must be a string"),
                    },
                    Err(()) => return ctl_err(400, "body must be empty or a JSON object"),
                };
                let mut st = lock(&self.state);
                let Some(p) = st.payments.get_mut(&tid) else {
                    return ctl_err(404, "unknown tid");
                };
                if !p.cancel_date.is_empty() {
                    return ctl_err(409, "payment already cancelled");
                }
                p.cancel_date = Kst::now().compact();
                p.cancel_msg = msg;
                Response::json(200, &json!({ "ok": true, "TID": p.tid, "CANCELDATE": p.cancel_date, "CANCELMSG": p.cancel_msg }))
            }
            _ => ctl_err(404, "not found"),
        }
    }

    fn stats_json(&self) -> Response {
        let stats = lock(&self.stats);
        let mut req = Map::new();
        for ep in Endpoint::ALL {
            let ctr = &stats[ep.index()];
            let by: Map<String, Value> = ctr.by_merchant.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
            req.insert(ep.name().into(), json!({ "total": ctr.total, "by_merchant": by }));
        }
        Response::json(200, &json!({ "requests": req }))
    }

    fn faults_json(&self) -> Value {
        let faults = lock(&self.faults);
        let mut list = Vec::new();
        for ep in Endpoint::ALL {
            for f in &faults[ep.index()] {
                let mut v = json!({ "endpoint": ep.name(), "mode": f.mode.name(), "remaining": f.remaining });
                match f.mode {
                    FaultMode::Delay(ms) => v["delay_ms"] = json!(ms),
                    FaultMode::HugeBody(n) => v["size_bytes"] = json!(n),
                    _ => {}
                }
                list.push(v);
            }
        }
        json!({ "faults": list })
    }

    fn add_fault(&self, req: &Request) -> Response {
        let Ok(Value::Object(o)) = serde_json::from_slice::<Value>(&req.body) else {
            return ctl_err(400, "body must be a JSON object {endpoint, mode, count}");
        };
        let Some(ep) = o.get("endpoint").and_then(Value::as_str).and_then(Endpoint::from_name) else {
            return ctl_err(400, "endpoint must be one of token, ready, window, decrypt, paycert");
        };
        let count = match o.get("count") {
            None | Some(Value::Null) => 1,
            Some(v) => match v.as_u64() {
                Some(n) if (1..=1_000_000).contains(&n) => n,
                _ => return ctl_err(400, "count must be an integer from 1 to 1000000"),
            },
        };
        let mode = match o.get("mode").and_then(Value::as_str).unwrap_or("") {
            "delay" => match o.get("delay_ms").and_then(Value::as_u64) {
                Some(ms) if ms <= c::DELAY_MAX_MS => FaultMode::Delay(ms),
                _ => return ctl_err(400, "mode delay needs delay_ms (0 to 600000)"),
            },
            "http_500" => FaultMode::Http500,
            "reset" => FaultMode::Reset,
            "truncate" => FaultMode::Truncate,
            "invalid_json" => FaultMode::InvalidJson,
            "huge_body" => match o.get("size_bytes") {
                None | Some(Value::Null) => FaultMode::HugeBody(c::HUGE_BODY_DEFAULT),
                Some(v) => match v.as_u64() {
                    Some(n) if n as usize <= c::HUGE_BODY_MAX && n > 0 => FaultMode::HugeBody(n as usize),
                    _ => return ctl_err(400, "size_bytes must be an integer from 1 to 268435456"),
                },
            },
            "wrong_content_type" => FaultMode::WrongContentType,
            _ => {
                return ctl_err(
                    400,
                    "mode must be one of delay, http_500, reset, truncate, invalid_json, huge_body, wrong_content_type",
                )
            }
        };
        lock(&self.faults)[ep.index()].push_back(Fault { mode, remaining: count });
        let mut v = self.faults_json();
        v["ok"] = json!(true);
        Response::json(200, &v)
    }
}

// ---------------------------------------------------------------- helpers

fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn clone_payment(p: &Payment) -> Payment {
    Payment {
        api_id: p.api_id.clone(),
        order: p.order.clone(),
        tid: p.tid.clone(),
        acceptno: p.acceptno.clone(),
        acceptdate: p.acceptdate.clone(),
        quota: p.quota.clone(),
        card_name: p.card_name.clone(),
        card_code: p.card_code.clone(),
        card_masked: p.card_masked.clone(),
        billkey: p.billkey.clone(),
        gendate: p.gendate.clone(),
        cancel_date: p.cancel_date.clone(),
        cancel_msg: p.cancel_msg.clone(),
    }
}

/// Card checks in order: input shape, Luhn, expiry, then the test card table.
fn decide(
    digits: &str,
    card: &CardInput,
    quota: &str,
    now: Kst,
) -> Result<&'static c::TestCard, (Err, Option<&'static c::TestCard>)> {
    let all_digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let quota_ok = all_digits(quota, 2) && quota.parse::<u32>().is_ok_and(|q| q <= c::QUOTA_MAX);
    let month_ok = all_digits(&card.expiredt, 4) && card.expiredt[2..].parse::<u32>().is_ok_and(|m| (1..=12).contains(&m));
    if digits.is_empty() || !month_ok || !all_digits(&card.cardauth, 6) || !all_digits(&card.cardpwd, 2) || !quota_ok {
        return Err((c::C_INPUT, None));
    }
    if !(c::CARDNO_MIN_DIGITS..=c::CARDNO_MAX_DIGITS).contains(&digits.len()) || !luhn_ok(digits) {
        return Err((c::C_INVALID_NUMBER, None));
    }
    let tc = c::TEST_CARDS.iter().find(|t| t.number == digits);
    let yy: i64 = card.expiredt[..2].parse().unwrap_or(0);
    let mm: u32 = card.expiredt[2..].parse().unwrap_or(0);
    if (2000 + yy, mm) < (now.year, now.month) {
        return Err((c::C_EXPIRED, tc));
    }
    match tc {
        None => Err((c::C_UNKNOWN_CARD, None)),
        Some(t) => match t.behaviour {
            c::CardBehaviour::Approve => Ok(t),
            c::CardBehaviour::Decline(e) => Err((e, Some(t))),
        },
    }
}

/// The JSON sealed into ENC_DATA: the manual's decrypt table plus the PHP sample's aliases.
fn return_result(p: &Payment, code: &str, msg: &str) -> Value {
    let o = &p.order;
    json!({
        "RESULTCODE": code,
        "RESULTMSG": msg,
        "API_ID": p.api_id,
        "ORDERNO": o.orderno,
        "AMOUNT": o.amount,
        "TID": p.tid,
        "ACCEPTDATE": p.acceptdate,
        "ACCEPTNO": p.acceptno,
        "ACCEPT_DATE": p.acceptdate,
        "ACCEPT_NO": p.acceptno,
        "CARDNAME": p.card_name,
        "CARDCODE": p.card_code,
        "CARDNO": p.card_masked,
        "QUOTA": p.quota,
        "ETC1": o.etc[0], "ETC2": o.etc[1], "ETC3": o.etc[2], "ETC4": o.etc[3], "ETC5": o.etc[4],
        "BILLKEY": p.billkey,
        "GENDATE": p.gendate,
        "USERID": o.buyerid,
        "BUYERID": o.buyerid,
        "BUYERNAME": o.buyername,
        "BUYEREMAIL": o.buyeremail,
        "PRODUCTNAME": o.productname,
        "PRODUCTCODE": o.productcode,
    })
}

fn paycert_json(p: &Payment) -> Value {
    let o = &p.order;
    json!({
        "RESULTCODE": c::OK_CODE,
        "RESULTMSG": c::OK_MSG,
        "ORDERNO": o.orderno,
        "AMOUNT": o.amount,
        "BUYERNAME": o.buyername,
        "BUYEREMAIL": o.buyeremail,
        "PRODUCTNAME": o.productname,
        "PRODUCTCODE": o.productcode,
        "PAYMETHOD": c::PAYMETHOD,
        "BUYERID": o.buyerid,
        "TID": p.tid,
        "ACCEPTNO": p.acceptno,
        "ACCEPTDATE": p.acceptdate,
        "CANCELDATE": p.cancel_date,
        "CANCELMSG": p.cancel_msg,
        "CARDNAME": p.card_name,
        "CARDCODE": p.card_code,
        "QUOTA": p.quota,
        "ETC1": o.etc[0], "ETC2": o.etc[1], "ETC3": o.etc[2], "ETC4": o.etc[3], "ETC5": o.etc[4],
    })
}

fn media_type(req: &Request) -> Option<String> {
    req.header("content-type")
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
}

fn is_json_type(t: &str) -> bool {
    t == "application/json" || (t.starts_with("application/") && t.ends_with("+json"))
}

/// A JSON object body; a missing Content-Type is tolerated, another type is not.
fn json_body(req: &Request, conv: Conv) -> Result<Map<String, Value>, Response> {
    if let Some(t) = media_type(req) {
        if !is_json_type(&t) {
            return Err(api_err(conv, c::STATUS_BAD_INPUT, c::E_CONTENT_TYPE, None));
        }
    }
    match serde_json::from_slice::<Value>(&req.body) {
        Ok(Value::Object(o)) => Ok(o),
        _ => Err(api_err(conv, c::STATUS_BAD_INPUT, c::E_MALFORMED, None)),
    }
}

fn str_field<'a>(obj: &'a Map<String, Value>, name: &str, conv: Conv) -> Result<&'a str, Response> {
    match obj.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        None | Some(Value::Null) | Some(Value::String(_)) => Err(api_err(conv, 200, c::E_REQUIRED, Some(name))),
        Some(_) => Err(api_err(conv, 200, c::E_FIELD_TYPE, Some(name))),
    }
}

/// /pay/ready fields from a JSON or form body. Numbers become their decimal text (AMOUNT may
/// be a JSON number); unknown extra fields are ignored.
fn ready_fields(req: &Request) -> Result<HashMap<String, String>, Response> {
    let conv = Conv::Rtn;
    let kind = match media_type(req) {
        Some(t) if is_json_type(&t) => "json",
        Some(t) if t == "application/x-www-form-urlencoded" => "form",
        Some(_) => return Err(api_err(conv, c::STATUS_BAD_INPUT, c::E_CONTENT_TYPE, None)),
        None if req.body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') => "json",
        None => "form",
    };
    if kind == "form" {
        if std::str::from_utf8(&req.body).is_err() {
            return Err(api_err(conv, c::STATUS_BAD_INPUT, c::E_MALFORMED, None));
        }
        return Ok(form_urlencoded::parse(&req.body).into_owned().collect());
    }
    let obj = json_body(req, conv)?;
    let mut out = HashMap::new();
    for (k, v) in obj {
        let known = READY_FIELDS.iter().any(|(n, _, _)| *n == k);
        match v {
            Value::String(s) => {
                out.insert(k, s);
            }
            Value::Number(n) => {
                out.insert(k, n.to_string());
            }
            Value::Null => {}
            _ if known => return Err(api_err(conv, 200, c::E_FIELD_TYPE, Some(&k))),
            _ => {}
        }
    }
    Ok(out)
}

/// Absolute http(s) URL with a host and no whitespace or control characters.
fn valid_return_url(u: &str) -> bool {
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

/// The request's field (JSON or form) for stats attribution only; never fails.
fn body_field(req: &Request, name: &str) -> Option<String> {
    if req.body.is_empty() {
        return None;
    }
    if req.body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        let v: Value = serde_json::from_slice(&req.body).ok()?;
        return v.get(name)?.as_str().map(str::to_string);
    }
    form_urlencoded::parse(&req.body).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

fn optional_json(body: &[u8]) -> Result<Value, ()> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(json!({}));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        _ => Err(()),
    }
}

/// Session id from a /_sandbox/checkout body: the window form's action in `window_html`,
/// or `window_path` (a path or URL ending in /pay/window/{id}).
fn checkout_session_id(req: &Request) -> Option<String> {
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

/// Valid JSON of about `n` bytes: the real answer (when it is a JSON object) padded by one field.
fn pad_json(resp: &Response, n: usize) -> Vec<u8> {
    let is_obj = resp.content_type == JSON && resp.body.last() == Some(&b'}');
    let base: &[u8] = if is_obj { &resp.body } else { b"{}" };
    let mut out = Vec::with_capacity(n.max(base.len()) + 32);
    out.extend_from_slice(&base[..base.len() - 1]);
    if base.len() > 2 {
        out.push(b',');
    }
    out.extend_from_slice(b"\"_sandbox_padding\":\"");
    let pad = n.saturating_sub(out.len() + 2);
    out.resize(out.len() + pad, b'x');
    out.extend_from_slice(b"\"}");
    out
}

const PAGE_STYLE: &str = "body{font-family:sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}\
table{border-collapse:collapse;width:100%;margin-bottom:1rem}th,td{text-align:left;padding:.25rem;border-bottom:1px solid #ddd}\
label{display:block;margin:.5rem 0}input,select{display:block;width:100%;padding:.4rem;box-sizing:border-box}\
button{margin-top:1rem;padding:.6rem 1.2rem}.notice{color:#a00}";

fn window_page(api_id: &str, o: &Order, action: &str) -> String {
    let mut quota_opts = String::from("<option value=\"00\" selected>일시불</option>");
    for q in 2..=c::QUOTA_MAX {
        quota_opts.push_str(&format!("<option value=\"{q:02}\">{q}개월</option>"));
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"ko\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>쿠키페이 결제 (sandbox)</title>\n<style>{style}</style>\n</head>\n<body>\n\
<h1>쿠키페이 결제</h1>\n<p class=\"notice\">샌드박스 결제창입니다. 실제 결제는 이루어지지 않습니다.</p>\n\
<table class=\"order\">\n<tr><th>가맹점</th><td>{api_id}</td></tr>\n<tr><th>주문번호</th><td>{orderno}</td></tr>\n\
<tr><th>상품명</th><td>{product}</td></tr>\n<tr><th>결제금액</th><td>{amount}원</td></tr>\n\
<tr><th>구매자</th><td>{buyer}</td></tr>\n</table>\n\
<form id=\"cookiepay-window\" method=\"post\" action=\"{action}\">\n\
<label>카드번호 <input type=\"text\" name=\"CARDNO\" inputmode=\"numeric\" autocomplete=\"cc-number\" maxlength=\"23\" required></label>\n\
<label>유효기간 (YYMM) <input type=\"text\" name=\"EXPIREDT\" inputmode=\"numeric\" maxlength=\"4\" pattern=\"[0-9]{{4}}\" placeholder=\"YYMM\" required></label>\n\
<label>생년월일 (YYMMDD) <input type=\"text\" name=\"CARDAUTH\" inputmode=\"numeric\" maxlength=\"6\" pattern=\"[0-9]{{6}}\" placeholder=\"YYMMDD\" required></label>\n\
<label>비밀번호 앞 2자리 <input type=\"password\" name=\"CARDPWD\" inputmode=\"numeric\" maxlength=\"2\" pattern=\"[0-9]{{2}}\" required></label>\n\
<label>할부 <select name=\"QUOTA\">{quota_opts}</select></label>\n\
<button type=\"submit\">결제하기</button>\n</form>\n</body>\n</html>\n",
        style = PAGE_STYLE,
        api_id = html_escape(api_id),
        orderno = html_escape(&o.orderno),
        product = html_escape(&o.productname),
        amount = html_escape(&o.amount),
        buyer = html_escape(&o.buyername),
        action = html_escape(action),
    )
}

fn return_page(p: &ReturnPost) -> String {
    let hidden = |name: &str, value: &str| {
        format!("<input type=\"hidden\" name=\"{name}\" value=\"{}\">\n", html_escape(value))
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"ko\">\n<head>\n<meta charset=\"utf-8\">\n<title>결제 결과 전송</title>\n</head>\n<body>\n\
<form id=\"cookiepay-return\" method=\"post\" action=\"{action}\">\n{a}{b}{c}{d}\
<noscript><button type=\"submit\">가맹점으로 돌아가기</button></noscript>\n</form>\n\
<script>document.getElementById(\"cookiepay-return\").submit();</script>\n</body>\n</html>\n",
        action = html_escape(&p.return_url),
        a = hidden("API_ID", &p.api_id),
        b = hidden("RESULTCODE", &p.code),
        c = hidden("RESULTMSG", &p.msg),
        d = hidden("ENC_DATA", &p.enc_data),
    )
}

fn error_page(msg: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"ko\">\n<head>\n<meta charset=\"utf-8\">\n<title>결제 오류</title>\n</head>\n<body>\n\
<h1>결제 오류</h1>\n<p id=\"cookiepay-error\">{}</p>\n</body>\n</html>\n",
        html_escape(msg)
    )
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

    #[test]
    fn a_panicking_handler_becomes_a_500() {
        let app = App::new(Config {
            control: true,
            verbose: false,
            token_lifetime: Duration::from_secs(1),
            merchants: vec![("a".into(), "k".into())],
        })
        .expect("app");
        let r = app.guarded(Conv::Result, || panic!("boom"));
        assert_eq!(r.status, 500);
        let v: Value = serde_json::from_slice(&r.body).expect("json");
        assert_eq!(v["RESULTCODE"], c::E_INTERNAL.code);
        // The app still works afterwards.
        assert_eq!(app.guarded(Conv::Result, || Response::new(200, JSON, "{}")).status, 200);
    }

    #[test]
    fn padding_is_exact_and_valid() {
        let r = Response::new(200, JSON, r#"{"RESULTCODE":"0000"}"#);
        let b = pad_json(&r, 1000);
        assert_eq!(b.len(), 1000);
        let v: Value = serde_json::from_slice(&b).expect("valid json");
        assert_eq!(v["RESULTCODE"], "0000");
        let h = Response::new(200, HTML, "<html></html>");
        let b = pad_json(&h, 100);
        assert_eq!(b.len(), 100);
        assert!(serde_json::from_slice::<Value>(&b).is_ok());
    }
}
