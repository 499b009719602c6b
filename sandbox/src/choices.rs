//! Every behaviour the public CookiePay material leaves open and this sandbox had to choose:
//! result codes, messages, HTTP statuses, test cards, identifier formats, limits.
//! Keep them here (and in the README's "Sandbox choices") so they change in one place.

use std::time::Duration;

/// Demo merchant: public test credentials, printed in the README.
pub const DEMO_API_ID: &str = "sandbox_demo01";
/// Exactly 50 characters, like real CookiePay keys.
pub const DEMO_API_KEY: &str = "sbxkey_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";

/// Documented by the vendor: success code and message.
pub const OK_CODE: &str = "0000";
pub const OK_MSG: &str = "성공";

/// One error answer: code plus Korean message, in the endpoint's own field names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorCode {
    pub code: &'static str,
    pub msg: &'static str,
}

const fn e(code: &'static str, msg: &'static str) -> ErrorCode {
    ErrorCode { code, msg }
}

// Request-level errors, shared by all endpoints (their field names differ per endpoint).
pub const E_MALFORMED: ErrorCode = e("E001", "요청 데이터 형식이 올바르지 않습니다.");
pub const E_CONTENT_TYPE: ErrorCode = e("E002", "지원하지 않는 Content-Type 입니다.");
pub const E_HEADER_MISSING: ErrorCode = e("E003", "필수 헤더가 누락되었습니다.");
pub const E_AUTH: ErrorCode = e("E004", "연동 아이디 또는 연동키가 올바르지 않습니다.");
pub const E_API_ID_MISMATCH: ErrorCode = e("E005", "API_ID 가 연동키와 일치하지 않습니다.");
// /pay/ready validation (messages get the field name prepended).
pub const E_REQUIRED: ErrorCode = e("E011", "필수 입력값이 누락되었습니다.");
pub const E_TOO_LONG: ErrorCode = e("E012", "입력값의 길이가 초과되었습니다.");
pub const E_AMOUNT: ErrorCode = e("E013", "결제 금액은 0보다 큰 숫자만 사용 가능합니다.");
pub const E_TAXYN: ErrorCode = e("E014", "TAXYN 은 Y 또는 N 이어야 합니다.");
pub const E_AMPERSAND: ErrorCode = e("E015", "상품명에 & 문자를 사용할 수 없습니다.");
pub const E_RETURNURL: ErrorCode = e("E016", "RETURNURL 이 올바른 http(s) 주소가 아닙니다.");
pub const E_DUP_ORDERNO: ErrorCode = e("E017", "중복된 주문번호입니다.");
pub const E_FIELD_TYPE: ErrorCode = e("E018", "입력값의 형식이 올바르지 않습니다.");
// Token-protected calls.
pub const E_TOKEN: ErrorCode = e("E021", "토큰이 유효하지 않거나 만료되었습니다.");
pub const E_TID_NOT_FOUND: ErrorCode = e("E022", "거래 정보가 존재하지 않습니다.");
// Decrypt.
pub const E_DECRYPT: ErrorCode = e("E031", "암호화 데이터 복호화에 실패하였습니다.");
// Transport-level, still in CookiePay style.
pub const E_TOO_LARGE: ErrorCode = e("E040", "요청 데이터가 너무 큽니다.");
pub const E_NOT_FOUND: ErrorCode = e("E041", "존재하지 않는 API 입니다.");
pub const E_METHOD: ErrorCode = e("E042", "허용되지 않는 요청 방식입니다.");
pub const E_INTERNAL: ErrorCode = e("E050", "일시적인 오류가 발생하였습니다.");

/// HTTP statuses. The vendor signals business errors in the body only, so those are 200.
pub const STATUS_BUSINESS_ERROR: u16 = 200;
pub const STATUS_BAD_INPUT: u16 = 200;
pub const STATUS_TOO_LARGE: u16 = 413;
pub const STATUS_HEADERS_TOO_LARGE: u16 = 431;
pub const STATUS_NOT_FOUND: u16 = 404;
pub const STATUS_METHOD: u16 = 405;
pub const STATUS_INTERNAL: u16 = 500;
/// Payment-window problems (unknown or already submitted session) are shown as an HTML page.
pub const STATUS_WINDOW_ERROR: u16 = 400;
pub const WINDOW_SESSION_UNKNOWN: &str = "결제 세션이 존재하지 않거나 만료되었습니다.";
pub const WINDOW_SESSION_USED: &str = "이미 처리된 결제 요청입니다.";
pub const WINDOW_SESSION_EXPIRED: &str = "결제 가능 시간이 지났습니다. 가맹점에서 다시 결제를 시작해 주세요.";

/// Card results (inner RESULTCODE of ENC_DATA, also the outer RESULTCODE of the return post).
pub const C_LIMIT: ErrorCode = e("C001", "한도초과");
pub const C_INVALID_NUMBER: ErrorCode = e("C002", "유효하지 않은 카드번호입니다.");
pub const C_EXPIRED: ErrorCode = e("C003", "유효기간이 만료된 카드입니다.");
pub const C_BIRTH: ErrorCode = e("C004", "생년월일이 일치하지 않습니다.");
pub const C_PASSWORD: ErrorCode = e("C005", "비밀번호가 일치하지 않습니다.");
pub const C_UNKNOWN_CARD: ErrorCode = e("C006", "등록되지 않은 카드입니다.");
pub const C_INPUT: ErrorCode = e("C007", "카드 정보 입력값이 올바르지 않습니다.");
/// A charge with a billing key that was deleted (`/Subscribe/billingkeycancel`).
pub const C_KEY_DELETED: ErrorCode = e("C008", "폐기된 빌링키입니다.");

/// What a test card does once its number passes the Luhn and expiry checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardBehaviour {
    Approve,
    Decline(ErrorCode),
}

#[derive(Clone, Copy, Debug)]
pub struct TestCard {
    pub number: &'static str,
    pub card_name: &'static str,
    pub card_code: &'static str,
    pub behaviour: CardBehaviour,
}

const fn card(number: &'static str, name: &'static str, code: &'static str, b: CardBehaviour) -> TestCard {
    TestCard {
        number,
        card_name: name,
        card_code: code,
        behaviour: b,
    }
}

/// The test card table (README "Test cards"). Any expiry in the future, any 6-digit birth date and
/// any 2-digit password work unless the row says otherwise. A Luhn-invalid number declines with
/// C_INVALID_NUMBER, a past expiry with C_EXPIRED, and a valid number not listed with C_UNKNOWN_CARD.
pub const TEST_CARDS: &[TestCard] = &[
    card("4111111111111111", "신한카드", "CCLG", CardBehaviour::Approve),
    card("5555555555554444", "KB국민카드", "CCKM", CardBehaviour::Approve),
    card("3530111333300000", "삼성카드", "CCSS", CardBehaviour::Approve),
    card("4000000000009995", "현대카드", "CCDI", CardBehaviour::Decline(C_LIMIT)),
    card(
        "4000000000000069",
        "롯데카드",
        "CCLO",
        CardBehaviour::Decline(C_EXPIRED),
    ),
    card("4000000000000127", "BC카드", "CCBC", CardBehaviour::Decline(C_BIRTH)),
    card(
        "4000000000000101",
        "하나카드",
        "CCHN",
        CardBehaviour::Decline(C_PASSWORD),
    ),
];

/// Test cards for dunning: they approve every charge made with a billing key except the
/// `declined_charge`-th one (counting every charge attempt on the key, the billkeygen first
/// charge being 1), which declines with `decline`. In the payment window they simply approve.
#[derive(Clone, Copy, Debug)]
pub struct DunningCard {
    pub number: &'static str,
    pub card_name: &'static str,
    pub card_code: &'static str,
    pub declined_charge: u32,
    pub decline: ErrorCode,
}

pub const DUNNING_CARDS: &[DunningCard] = &[DunningCard {
    number: "4000000000000333",
    card_name: "NH농협카드",
    card_code: "CCNH",
    declined_charge: 3,
    decline: C_LIMIT,
}];

/// Card numbers outside this many digits decline as invalid numbers.
pub const CARDNO_MIN_DIGITS: usize = 12;
pub const CARDNO_MAX_DIGITS: usize = 19;
/// Merchant credentials accepted at start (pay2_id is documented as 30, pay2_key as 50 long).
pub const MERCHANT_ID_MAX: usize = 30;
pub const MERCHANT_KEY_MAX: usize = 50;
/// Installment months the window accepts ("00" = 일시불).
pub const QUOTA_MAX: u32 = 12;
/// PAYMETHOD of the recurring noti (P1's recorded sample says `CARD`).
pub const PAYMETHOD: &str = "CARD";
/// PAYMETHOD of billing-key payments — the window's (정기결제-인증 issues a BILLKEY with its first
/// charge), billkeygen, scheduled and immediate recurring charges — as P1 (`cookiepay.cancel.php`)
/// shows it: it picks the 정기 credential pair for `CARD_BATCH`.
pub const PAYMETHOD_BILLING: &str = "CARD_BATCH";
/// Default CANCELMSG for /_sandbox/payments/{tid}/cancel without "msg".
pub const DEFAULT_CANCEL_MSG: &str = "가맹점 요청 취소";

/// Identifier formats: TID = prefix + 12-digit KST timestamp (yyMMddHHmmss) + 5 digits = 20 chars.
pub const TID_PREFIX: &str = "SBX";
pub const ACCEPTNO_DIGITS: usize = 8;
pub const BILLKEY_LEN: usize = 20;
/// RESERVE_ID: lowercase alphanumerics (observed 27–28; the sandbox always uses 28).
pub const RESERVE_ID_LEN: usize = 28;
/// Server-generated ORDERNO of recurring charges: `SRS` + 20 digits (KST yyyyMMddHHmmss + 6 random).
pub const RECURRING_ORDERNO_PREFIX: &str = "SRS";
/// Hex characters of the opaque payment-window session id.
pub const SESSION_ID_HEX: usize = 32;

/// Limits of the HTTP server.
pub const MAX_BODY: usize = 64 * 1024;
pub const MAX_HEAD: usize = 16 * 1024;
pub const MAX_HEADERS: usize = 64;
/// Keep-alive connections idle longer than this are closed.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// A request's head must be complete this long after its first byte (an absolute deadline: a
/// slowloris client dripping a byte at a time gets no extension).
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// A whole request (head and body) must be complete this long after its first byte, and an answer
/// must be written within it too (a client that never reads is dropped).
pub const READ_TIMEOUT: Duration = Duration::from_secs(15);
/// Open connections (both listeners together, TLS handshakes included) at most. At the cap a new
/// connection evicts the longest-idle one (a keep-alive connection between requests, or one that
/// has sent nothing yet); with none idle it is closed at once. Lowered at start to the process's
/// open-file limit minus [`FD_RESERVE`], so the listeners never run out of descriptors.
pub const MAX_CONNECTIONS: usize = 512;
pub const FD_RESERVE: usize = 64;
pub const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
/// Unattributed requests count under this merchant in /_sandbox/stats.
pub const UNKNOWN_MERCHANT: &str = "-";
/// Fault "huge_body" default size.
pub const HUGE_BODY_DEFAULT: usize = 4 * 1024 * 1024;
pub const HUGE_BODY_MAX: usize = 256 * 1024 * 1024;
pub const DELAY_MAX_MS: u64 = 600_000;
/// Payment-window sessions still unsubmitted are kept at most this many (oldest dropped).
pub const MAX_SESSIONS: usize = 100_000;
/// A payment window not submitted within this long (sandbox clock) has expired: submitting it
/// shows [`WINDOW_SESSION_UNKNOWN`] in the window and RETURNURL receives nothing. The vendor's
/// lifetime is unknown; PG windows commonly expire after 10–30 minutes.
pub const WINDOW_TTL: Duration = Duration::from_secs(30 * 60);

/// Where test suites start the sandbox clock unless `COOKIEPAY_SANDBOX_CLOCK_START` says otherwise:
/// an ordinary Wednesday mid-month, mid-morning in Seoul (no month end within the 40 days some tests
/// advance is needed: the date sweep in `make test` covers those).
pub const TEST_CLOCK_START: &str = "2026-12-09 10:00:00";

// ---------------------------------------------------------------- browser path (manual S1 "JAVASCRIPT")
//
// Choices and their evidence (README "Sandbox choices" says the same):
// - /pay/ready without ApiKey is accepted, the merchant named by API_ID: the manual's PHP, cURL and
//   JSP samples send no key and its JS library is initialised with `api_id` only (S1); a browser
//   cannot hold the secret. With ApiKey (S1's C# sample, P1–P3) the key is checked as before.
// - CORS on /pay/ready only: P1 cookiepay.pgwin.php calls it by XHR from the shop's page. Everything
//   else needs the secret key and is for the shop's server.
// - ORDER_NO_CHECK=N turns the duplicate-ORDERNO check off (P1/P2 send it; P1: "주문번호 중복체크").
// - Paths: repeated slashes collapse, one trailing slash is dropped. S1's PHP paycert sample builds
//   `{요청도메인}payAuth/token`, so its domain ends in `/` and its paycert URL reads `//api/paycert`;
//   the gateway is a CodeIgniter app (the TOKEN's `__ci_last_regenerate` claim), which routes both.
// - A closed (abandoned) window sends nothing anywhere (§4.13: the browser post "can be lost (closed
//   window)"); an expired one says so in the window ([`WINDOW_SESSION_EXPIRED`]), RETURNURL gets nothing.
// - Error messages that already start with the field name (E014, E016) are not prefixed again.

/// The script the manual's HTML/JSP samples load from `{요청도메인}`. 1.1.4 is what C2 loads.
pub const JS_PATHS: &[&str] = &["/js/cookiepayments-1.1.3.js", "/js/cookiepayments-1.1.4.js"];
/// CORS of `/pay/ready` (the only endpoint a browser calls): any origin, no credentials, the
/// manual's Content-Types and P1's `ApiKey` request header (P1 cookiepay.pgwin.php sends it; our
/// script never does). Every other endpoint needs the secret key and answers no CORS at all.
pub const CORS_ALLOW_HEADERS: &str = "Content-Type, ApiKey";
pub const CORS_MAX_AGE: &str = "600";

/// Which spelling of the decrypted window result the sandbox answers (README "Sandbox choices").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Spelling {
    /// The keys of the manual's own recorded answer (S1 PHP sample comment): `ACCEPT_NO`,
    /// `ACCEPT_DATE`, `USERID`, `CARDNO`, `API_ID`, `BUYERNAME`…
    #[default]
    Recorded,
    /// The manual's decrypt table: `ACCEPTNO`, `ACCEPTDATE`, no `USERID`/`CARDNO`/`API_ID`.
    Table,
}

/// What an order field longer than the manual's length does (README "Sandbox choices").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OverLong {
    /// Cut to the length, in characters (P1: a 16-character PRODUCTCODE was stored as its first 10
    /// and the charge still went through — §4.7). API_ID, AMOUNT and TAXYN are never cut.
    #[default]
    Truncate,
    /// Refuse with `E012` naming the field.
    Refuse,
}

/// Body of the `http_500` fault: an HTML error page like a failing PHP front end's.
pub const FAULT_500_HTML: &str = "<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>\
<body><h1>Internal Server Error</h1><p>The server encountered an internal error.</p></body></html>\n";
/// Body of the `wrong_content_type` fault: what a captive proxy or maintenance page sends.
pub const FAULT_PROXY_HTML: &str = "<html><head><title>Service Unavailable</title></head>\
<body><h1>점검 중입니다</h1><p>Proxy: upstream is under maintenance.</p></body></html>";
/// Body of the `invalid_json` fault (cut in the middle of a string).
pub const FAULT_INVALID_JSON: &str = "{\"RESULTCODE\":\"0000\",\"RESULTMSG\":\"성";

// ---------------------------------------------------------------- 정기결제 (billing keys, schedules)
//
// Behaviour chosen where the material is silent (README "Sandbox choices" has the evidence):
// - billkeygen: ENC_YN absent = encrypted; the envelope's outer RESULTCODE is the payment's and
//   decryptData is the plaintext reply; START_PAY_CNT default 1, LAST_PAY_CNT default 0 (no end);
//   the first charge is cycle START_PAY_CNT, the next falls on the first PAY_DAY after today; a
//   declined billkeygen stores nothing and leaves the ORDERNO free.
// - Scheduled charges fall due at SCHEDULE_CHARGE_HOUR KST on NEXT_PAY_DATE and run only when the
//   clock is moved; a declined cycle is not retried automatically, stays unpaid and the next cycle
//   still runs.
// - recurrence_request_payment charges the oldest unpaid cycle (schedule not moved), else the next
//   cycle ahead of time (schedule moved one period); outer 0000, the decline inside ENC_DATA.
// - billingkeycancel answers plaintext {RESULTCODE, RESULTMSG, BILLKEY} and leaves schedules
//   registered; their charges decline C_KEY_DELETED.
// - Business dates use the sandbox clock; TOKEN iat/exp and HTTP timeouts use real time.

/// Schedule problems in billkeygen: the charge and the key still happen (RESULTCODE 0000), only
/// `RESERVE_RESULTCODE`/`RESERVE_RESULTMSG` carry the error and no schedule is registered.
pub const R_TYPE: ErrorCode = e("R001", "RECURRENCE_TYPE 은 M 또는 W 이어야 합니다.");
pub const R_PAY_DAY: ErrorCode = e("R002", "PAY_DAY 가 올바르지 않습니다.");
pub const R_COUNT: ErrorCode = e("R003", "START_PAY_CNT 또는 LAST_PAY_CNT 가 올바르지 않습니다.");
/// The first charge was declined, so no schedule was registered.
pub const R_NOT_CHARGED: ErrorCode = e("R004", "첫 결제가 실패하여 반복결제가 등록되지 않았습니다.");

/// `recurrence_request_payment` / `recurrence_schedule_cancel` / `billingkeycancel` errors.
pub const E_RESERVE_UNKNOWN: ErrorCode = e("E061", "존재하지 않는 반복결제 정보입니다.");
pub const E_BILLKEY_MISMATCH: ErrorCode = e("E062", "빌링키가 반복결제 정보와 일치하지 않습니다.");
pub const E_BILLKEY_UNKNOWN: ErrorCode = e("E063", "존재하지 않는 빌링키입니다.");
pub const E_BILLKEY_DELETED: ErrorCode = e("E064", "이미 폐기된 빌링키입니다.");
pub const E_NOTHING_TO_CHARGE: ErrorCode = e("E065", "결제할 회차가 남아 있지 않습니다.");
/// Vendor code (P1): an already cancelled schedule. The message is prefixed with the
/// cancellation time `YYYY-MM-DD HH:MM:SS` and a space.
pub const E_SCHEDULE_CANCELLED: ErrorCode = e("E103", "이미 해지된 정기결제입니다.");

/// Weekly PAY_DAY values: `1` (Monday) … `7` (Sunday); `01`–`07` are accepted too.
pub const WEEKDAY_NAMES: [&str; 7] = ["월", "화", "수", "목", "금", "토", "일"];
/// Monthly PAY_DAY `31` (and any day past a month's end) falls on the month's last day (말일).
pub const PAY_DAY_LAST: u32 = 31;
/// Scheduled charges fall due at this KST time of day on NEXT_PAY_DATE.
pub const SCHEDULE_CHARGE_HOUR: u32 = 0;

// ---------------------------------------------------------------- /api/cancel
//
// cancel_tid = the original TID; paycert keeps AMOUNT and leaves CANCELDATE/CANCELMSG empty until
// the payment is fully cancelled (no partial-cancel field is invented).

pub const E_CANCEL_AMOUNT: ErrorCode = e("E071", "취소 금액은 0보다 큰 숫자만 사용 가능합니다.");
pub const E_CANCEL_OVER: ErrorCode = e("E072", "취소 금액이 취소 가능 금액을 초과합니다.");
/// Contains `이미 취소` on purpose: clients (and the vendor plugin P2) look for it.
pub const E_CANCEL_DONE: ErrorCode = e("E073", "이미 취소된 거래입니다.");
/// Vendor code (S5): the payment was settled (KiwoomPay 입금 완료); use 입금후 취소.
pub const E_CANCEL_SETTLED: ErrorCode = e(
    "9029",
    "입금후 취소 대상 거래입니다. 입금후 취소(/api/get_cancel_bank_account)를 이용해 주세요.",
);
/// `reason` is optional; without it the cancel is recorded with this message.
pub const DEFAULT_CANCEL_REASON: &str = "가맹점 요청 취소";

// ---------------------------------------------------------------- /api/paysearch

/// Vendor code (P2): no rows.
pub const E_SEARCH_EMPTY: ErrorCode = e("E008", "검색 결과가 없습니다.");
pub const E_SEARCH_DATES: ErrorCode = e("E081", "조회 기간(STD_DT, END_DT)이 올바르지 않습니다.");
pub const E_SEARCH_RANGE: ErrorCode = e("E082", "조회 기간은 최대 6개월입니다.");
/// Staging docs: a search covers at most 6 months (END_DT ≤ STD_DT + 6 calendar months).
pub const SEARCH_MAX_MONTHS: u32 = 6;

// ---------------------------------------------------------------- Noti (통지)
//
// Any 2xx answer counts as received. Kinds: payment (window approval, billkeygen without schedule),
// recurring (P1's field set; billkeygen's first charge with a schedule, every scheduled charge incl.
// declines, every immediate charge), cancel (payment fields + CANCELDATE, CANCELMSG, CANCEL_AMT).

/// Delivery attempts per notification, and the wait before the 2nd, 3rd, … attempt
/// (doubling from 0.2 s, capped): 0.2, 0.4, 0.8, 1.6, 3.2, 5, 5 s.
pub const NOTI_ATTEMPTS: u32 = 8;
pub const NOTI_FIRST_BACKOFF: Duration = Duration::from_millis(200);
pub const NOTI_MAX_BACKOFF: Duration = Duration::from_secs(5);
/// One attempt (connect + send + read the status line) gives up after this long.
pub const NOTI_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(3);
/// Pending deliveries beyond this are dropped (recorded as not delivered); the log keeps this many.
pub const NOTI_QUEUE: usize = 1024;
pub const NOTI_LOG_MAX: usize = 10_000;
