//! Routing: which path is which endpoint, who the request is attributed to, the faults and stats
//! every endpoint shares, and the one-line request log. Implements [`Handler`] for the server.

use std::net::IpAddr;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::choices as c;
use crate::control::{self, ControlCall};
use crate::endpoint::Endpoint;
use crate::faults::{FaultBoard, FaultMode};
use crate::gateway::shared::{Gateway, GatewayConfig};
use crate::gateway::{billkey, cancel, decrypt, paycert, paysearch, receipt, recurring, token, window};
use crate::http::{Handler, Outcome, Reject, Request, Response, HTML, JS, JSON};
use crate::noti::Notifier;
use crate::replay::ReplayBoard;
use crate::stats::RequestStats;
use crate::util::lock;
use crate::window_page;
use crate::wire::{body_field, control_error, error_reply, pad_json, ErrorFields};

pub struct AppConfig {
    pub control: bool,
    pub verbose: bool,
    pub token_lifetime: Duration,
    pub merchants: Vec<(String, String)>,
    pub notifier: Arc<Notifier>,
    pub window_ttl: Duration,
    pub spelling: c::Spelling,
    pub over_long: c::OverLong,
    pub clock_start: Option<u64>,
    /// The address the listeners are bound to: the control API answers only to it.
    pub bind: IpAddr,
}

enum Route {
    Api(Endpoint),
    /// The browser library the manual's HTML/JSP samples load (`GET /js/cookiepayments-1.1.3.js`).
    Script,
    /// The CORS preflight of a browser's `/pay/ready`.
    Preflight,
    Window(String),
    Checkout,
    WrongMethod(Option<Endpoint>, &'static str),
    Control(ControlCall),
    NotFound,
}

pub struct App {
    control: bool,
    verbose: bool,
    gateway: Gateway,
    faults: FaultBoard,
    stats: RequestStats,
    replay: ReplayBoard,
    bind: IpAddr,
}

impl App {
    pub fn new(cfg: AppConfig) -> Result<App, String> {
        let gateway = Gateway::new(GatewayConfig {
            token_lifetime: cfg.token_lifetime,
            merchants: cfg.merchants,
            notifier: cfg.notifier,
            window_ttl: cfg.window_ttl,
            spelling: cfg.spelling,
            over_long: cfg.over_long,
            clock_start: cfg.clock_start,
        })?;
        Ok(App {
            control: cfg.control,
            verbose: cfg.verbose,
            gateway,
            faults: FaultBoard::default(),
            stats: RequestStats::default(),
            replay: ReplayBoard::default(),
            bind: cfg.bind,
        })
    }

    fn route(&self, method: &str, path: &str) -> Route {
        let normalized = normalize_path(path);
        let path = normalized.as_str();
        if c::JS_PATHS.contains(&path) {
            return if method == "GET" || method == "HEAD" {
                Route::Script
            } else {
                Route::WrongMethod(None, "GET")
            };
        }
        if path == "/pay/ready" && method == "OPTIONS" {
            return Route::Preflight;
        }
        let api = |ep: Endpoint| {
            let want = if ep == Endpoint::Receipt { "GET" } else { "POST" };
            if method == want {
                Route::Api(ep)
            } else {
                Route::WrongMethod(Some(ep), want)
            }
        };
        match path {
            "/payAuth/token" => return api(Endpoint::Token),
            "/pay/ready" => return api(Endpoint::Ready),
            "/EdiAuth/cookiepay_edi_decrypt" => return api(Endpoint::Decrypt),
            "/api/paycert" => return api(Endpoint::Paycert),
            "/Subscribe/billkeygen" => return api(Endpoint::BillkeyGen),
            "/Subscribe/recurrence_request_payment" => return api(Endpoint::RecurringCharge),
            "/Subscribe/recurrence_schedule_cancel" => return api(Endpoint::ScheduleCancel),
            "/Subscribe/billingkeycancel" => return api(Endpoint::BillkeyDelete),
            "/api/cancel" => return api(Endpoint::Cancel),
            "/api/paysearch" => return api(Endpoint::Paysearch),
            "/api/receipt" => return api(Endpoint::Receipt),
            _ => {}
        }
        if let Some(id) = path.strip_prefix("/pay/window/") {
            if !id.is_empty() && !id.contains('/') {
                return if method == "POST" {
                    Route::Window(id.to_string())
                } else {
                    Route::WrongMethod(Some(Endpoint::Window), "POST")
                };
            }
        }
        if !self.control {
            return Route::NotFound;
        }
        if path == "/_sandbox/checkout" {
            return if method == "POST" {
                Route::Checkout
            } else {
                Route::WrongMethod(None, "POST")
            };
        }
        match control::route(method, path) {
            Ok(Some(call)) => Route::Control(call),
            Ok(None) => Route::NotFound,
            Err(allow) => Route::WrongMethod(None, allow),
        }
    }

    /// The merchant a request is counted under in the stats ("-" when unknown).
    fn merchant_of_request(&self, ep: Endpoint, req: &Request, window_id: Option<&str>) -> String {
        let gw = &self.gateway;
        let by_key_or_body = || match req.header("apikey") {
            Some(k) => gw.by_key.get(k).map(|m| m.api_id.clone()),
            None => body_field(req, "API_ID").and_then(|id| gw.merchant_id(&id)),
        };
        let found = match ep {
            Endpoint::Token => body_field(req, "pay2_id").and_then(|id| gw.merchant_id(&id)),
            Endpoint::Ready | Endpoint::Decrypt => by_key_or_body(),
            Endpoint::Paycert | Endpoint::Paysearch => gw.token_user(req),
            Endpoint::BillkeyGen
            | Endpoint::RecurringCharge
            | Endpoint::ScheduleCancel
            | Endpoint::BillkeyDelete
            | Endpoint::Cancel => by_key_or_body().or_else(|| gw.token_user(req)),
            Endpoint::Window => window_id.and_then(|id| lock(&gw.ledger).sessions.get(id).map(|s| s.api_id.clone())),
            Endpoint::Receipt => receipt::receipt_merchant(gw, req),
        };
        found.unwrap_or_else(|| c::UNKNOWN_MERCHANT.to_string())
    }

    async fn api(
        &self,
        ep: Endpoint,
        req: &Request,
        window_id: Option<&str>,
        merchant: &mut String,
        fault_name: &mut &'static str,
    ) -> Outcome {
        *merchant = self.merchant_of_request(ep, req, window_id);
        self.stats.count(ep, merchant);
        let fault = self.faults.take(ep);
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
        let gw = &self.gateway;
        let resp = guarded(ep.error_fields(), || match (ep, req.path.starts_with("/_sandbox/")) {
            (Endpoint::Token, _) => token::token(gw, req),
            (Endpoint::Ready, _) => window::ready(gw, req),
            (Endpoint::Window, false) => window::window(gw, req, window_id.unwrap_or("")),
            (Endpoint::Window, true) => window::checkout(gw, req, window_id.unwrap_or("")),
            (Endpoint::Decrypt, _) => decrypt::decrypt(gw, req),
            (Endpoint::Paycert, _) => paycert::paycert(gw, req),
            (Endpoint::BillkeyGen, _) => billkey::billkeygen(gw, req),
            (Endpoint::RecurringCharge, _) => recurring::request_payment(gw, req),
            (Endpoint::ScheduleCancel, _) => recurring::schedule_cancel(gw, req),
            (Endpoint::BillkeyDelete, _) => recurring::billkey_delete(gw, req),
            (Endpoint::Cancel, _) => cancel::cancel(gw, req),
            (Endpoint::Paysearch, _) => paysearch::paysearch(gw, req),
            (Endpoint::Receipt, _) => receipt::receipt(gw, req),
        });
        match fault {
            Some(FaultMode::Truncate) => Outcome::Truncate(resp),
            Some(FaultMode::InvalidJson) => Outcome::Send(Response::new(200, JSON, c::FAULT_INVALID_JSON)),
            Some(FaultMode::HugeBody(n)) => Outcome::Send(Response::new(200, JSON, pad_json(&resp, n))),
            Some(FaultMode::WrongContentType) => Outcome::Send(Response::new(200, "text/html", c::FAULT_PROXY_HTML)),
            _ => Outcome::Send(resp),
        }
    }

    async fn dispatch(&self, req: Request) -> Outcome {
        if !req.path.starts_with("/_sandbox/") {
            if let Some(scripted) = self.replay.answer(&req) {
                tokio::time::sleep(Duration::from_millis(scripted.delay_ms)).await;
                return scripted.outcome;
            }
        }
        let started = Instant::now();
        let route = self.route(&req.method, &req.path);
        let mut ep_name = "-";
        let mut merchant = String::from(c::UNKNOWN_MERCHANT);
        let mut fault_name = "-";
        let outcome = match route {
            Route::Api(ep) => {
                ep_name = ep.name();
                let out = self.api(ep, &req, None, &mut merchant, &mut fault_name).await;
                if ep == Endpoint::Ready {
                    with_cors(out)
                } else {
                    out
                }
            }
            Route::Script => Outcome::Send(script_response()),
            Route::Preflight => {
                let mut r = Response::new(204, JSON, Vec::new());
                r.extra_headers.extend(cors_headers());
                r.extra_headers.push(("Access-Control-Allow-Methods", "POST".into()));
                r.extra_headers
                    .push(("Access-Control-Allow-Headers", c::CORS_ALLOW_HEADERS.into()));
                r.extra_headers.push(("Access-Control-Max-Age", c::CORS_MAX_AGE.into()));
                Outcome::Send(r)
            }
            Route::Window(id) => {
                ep_name = "window";
                self.api(Endpoint::Window, &req, Some(&id), &mut merchant, &mut fault_name)
                    .await
            }
            Route::Checkout => {
                ep_name = "window";
                let id = window::checkout_session_id(&req);
                let id = id.as_deref().unwrap_or("");
                self.api(Endpoint::Window, &req, Some(id), &mut merchant, &mut fault_name)
                    .await
            }
            Route::WrongMethod(ep, allow) => {
                let mut r = match ep {
                    Some(ep) => error_reply(ep.error_fields(), c::STATUS_METHOD, c::E_METHOD, None),
                    None => control_error(c::STATUS_METHOD, "method not allowed"),
                };
                r.extra_headers.push(("Allow", allow.to_string()));
                Outcome::Send(r)
            }
            Route::NotFound => Outcome::Send(error_reply(
                ErrorFields::Result,
                c::STATUS_NOT_FOUND,
                c::E_NOT_FOUND,
                None,
            )),
            Route::Control(call) => {
                ep_name = "control";
                Outcome::Send(guarded(ErrorFields::Result, || {
                    let boards = control::Boards {
                        faults: &self.faults,
                        stats: &self.stats,
                        replay: &self.replay,
                    };
                    if let Some(refused) = control::refuse_foreign(&req, self.bind) {
                        return refused;
                    }
                    control::call(call, &req, &self.gateway, boards)
                }))
            }
        };
        if self.verbose {
            let status = match &outcome {
                Outcome::Send(r) => r.status.to_string(),
                Outcome::Truncate(r) => format!("{} (truncated)", r.status),
                Outcome::Reset => "RST".to_string(),
            };
            // Never headers, bodies or queries: they carry keys, tokens and card data.
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
}

/// `//api/paycert` → `/api/paycert`, `/api/paycert/` → `/api/paycert`: what the manual's PHP sample
/// builds from a domain ending in `/`, and what PHP/Apache-style front ends route the same.
fn normalize_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for ch in path.chars() {
        if !(ch == '/' && out.ends_with('/')) {
            out.push(ch);
        }
    }
    if out.len() > 1 && out.ends_with('/') {
        out.pop();
    }
    out
}

fn cors_headers() -> [(&'static str, String); 1] {
    [("Access-Control-Allow-Origin", "*".into())]
}

/// Lets the shop page's script read the answer (window HTML or error JSON) of a browser ready.
fn with_cors(out: Outcome) -> Outcome {
    match out {
        Outcome::Send(mut r) => {
            r.extra_headers.extend(cors_headers());
            Outcome::Send(r)
        }
        Outcome::Truncate(mut r) => {
            r.extra_headers.extend(cors_headers());
            Outcome::Truncate(r)
        }
        Outcome::Reset => Outcome::Reset,
    }
}

fn script_response() -> Response {
    let mut r = Response::new(200, JS, window_page::LIBRARY_JS);
    r.extra_headers.push(("Cache-Control", "no-cache".into()));
    r.extra_headers.extend(cors_headers());
    r
}

/// A panic inside one handler becomes a 500 answer; the server keeps running.
fn guarded(fields: ErrorFields, f: impl FnOnce() -> Response) -> Response {
    match std::panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(_) => error_reply(fields, c::STATUS_INTERNAL, c::E_INTERNAL, None),
    }
}

impl Handler for App {
    fn handle(&self, req: Request) -> impl std::future::Future<Output = Outcome> + Send {
        self.dispatch(req)
    }

    /// Body over the cap: answered in the endpoint's convention, then the connection closes.
    fn too_large(&self, req: &Request) -> Response {
        let fields = match self.route(&req.method, &req.path) {
            Route::Api(ep) => {
                let m = self.merchant_of_request(ep, req, None);
                self.stats.count(ep, &m);
                ep.error_fields()
            }
            Route::Window(id) => {
                let m = self.merchant_of_request(Endpoint::Window, req, Some(&id));
                self.stats.count(Endpoint::Window, &m);
                ErrorFields::Result
            }
            _ => ErrorFields::Result,
        };
        let mut r = error_reply(fields, c::STATUS_TOO_LARGE, c::E_TOO_LARGE, None);
        r.close = true;
        r
    }

    fn reject(&self, why: Reject) -> Response {
        let mut r = match why {
            Reject::Malformed => error_reply(ErrorFields::Result, 400, c::E_MALFORMED, None),
            Reject::HeadersTooLarge => {
                error_reply(ErrorFields::Result, c::STATUS_HEADERS_TOO_LARGE, c::E_TOO_LARGE, None)
            }
        };
        r.close = true;
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalized_like_a_web_server_does() {
        assert_eq!(normalize_path("//api/paycert"), "/api/paycert");
        assert_eq!(normalize_path("/api/paycert/"), "/api/paycert");
        assert_eq!(normalize_path("/pay//window///ab/"), "/pay/window/ab");
        assert_eq!(normalize_path("/"), "/");
        assert_eq!(normalize_path("//"), "/");
    }

    #[test]
    fn a_panicking_handler_becomes_a_500() {
        let r = guarded(ErrorFields::Result, || panic!("boom"));
        assert_eq!(r.status, 500);
        let v: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
        assert_eq!(v["RESULTCODE"], c::E_INTERNAL.code);
        // Later calls still work.
        assert_eq!(
            guarded(ErrorFields::Result, || Response::new(200, JSON, "{}")).status,
            200
        );
    }
}
