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
pub struct Err {
    pub code: &'static str,
    pub msg: &'static str,
}

const fn e(code: &'static str, msg: &'static str) -> Err {
    Err { code, msg }
}

// Request-level errors, shared by all endpoints (their field names differ per endpoint).
pub const E_MALFORMED: Err = e("E001", "요청 데이터 형식이 올바르지 않습니다.");
pub const E_CONTENT_TYPE: Err = e("E002", "지원하지 않는 Content-Type 입니다.");
pub const E_HEADER_MISSING: Err = e("E003", "필수 헤더가 누락되었습니다.");
pub const E_AUTH: Err = e("E004", "연동 아이디 또는 연동키가 올바르지 않습니다.");
pub const E_API_ID_MISMATCH: Err = e("E005", "API_ID 가 연동키와 일치하지 않습니다.");
// /pay/ready validation (messages get the field name prepended).
pub const E_REQUIRED: Err = e("E011", "필수 입력값이 누락되었습니다.");
pub const E_TOO_LONG: Err = e("E012", "입력값의 길이가 초과되었습니다.");
pub const E_AMOUNT: Err = e("E013", "결제 금액은 0보다 큰 숫자만 사용 가능합니다.");
pub const E_TAXYN: Err = e("E014", "TAXYN 은 Y 또는 N 이어야 합니다.");
pub const E_AMPERSAND: Err = e("E015", "상품명에 & 문자를 사용할 수 없습니다.");
pub const E_RETURNURL: Err = e("E016", "RETURNURL 이 올바른 http(s) 주소가 아닙니다.");
pub const E_DUP_ORDERNO: Err = e("E017", "중복된 주문번호입니다.");
pub const E_FIELD_TYPE: Err = e("E018", "입력값의 형식이 올바르지 않습니다.");
// Token-protected calls.
pub const E_TOKEN: Err = e("E021", "토큰이 유효하지 않거나 만료되었습니다.");
pub const E_TID_NOT_FOUND: Err = e("E022", "거래 정보가 존재하지 않습니다.");
// Decrypt.
pub const E_DECRYPT: Err = e("E031", "암호화 데이터 복호화에 실패하였습니다.");
// Transport-level, still in CookiePay style.
pub const E_TOO_LARGE: Err = e("E040", "요청 데이터가 너무 큽니다.");
pub const E_NOT_FOUND: Err = e("E041", "존재하지 않는 API 입니다.");
pub const E_METHOD: Err = e("E042", "허용되지 않는 요청 방식입니다.");
pub const E_INTERNAL: Err = e("E050", "일시적인 오류가 발생하였습니다.");

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

/// Card results (inner RESULTCODE of ENC_DATA, also the outer RESULTCODE of the return post).
pub const C_LIMIT: Err = e("C001", "한도초과");
pub const C_INVALID_NUMBER: Err = e("C002", "유효하지 않은 카드번호입니다.");
pub const C_EXPIRED: Err = e("C003", "유효기간이 만료된 카드입니다.");
pub const C_BIRTH: Err = e("C004", "생년월일이 일치하지 않습니다.");
pub const C_PASSWORD: Err = e("C005", "비밀번호가 일치하지 않습니다.");
pub const C_UNKNOWN_CARD: Err = e("C006", "등록되지 않은 카드입니다.");
pub const C_INPUT: Err = e("C007", "카드 정보 입력값이 올바르지 않습니다.");

/// What a test card does once its number passes the Luhn and expiry checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardBehaviour {
    Approve,
    Decline(Err),
}

#[derive(Clone, Copy, Debug)]
pub struct TestCard {
    pub number: &'static str,
    pub card_name: &'static str,
    pub card_code: &'static str,
    pub behaviour: CardBehaviour,
}

const fn card(number: &'static str, name: &'static str, code: &'static str, b: CardBehaviour) -> TestCard {
    TestCard { number, card_name: name, card_code: code, behaviour: b }
}

/// The test card table (README "Test cards"). Any expiry in the future, any 6-digit birth date and
/// any 2-digit password work unless the row says otherwise. A Luhn-invalid number declines with
/// C_INVALID_NUMBER, a past expiry with C_EXPIRED, and a valid number not listed with C_UNKNOWN_CARD.
pub const TEST_CARDS: &[TestCard] = &[
    card("4111111111111111", "신한카드", "CCLG", CardBehaviour::Approve),
    card("5555555555554444", "KB국민카드", "CCKM", CardBehaviour::Approve),
    card("3530111333300000", "삼성카드", "CCSS", CardBehaviour::Approve),
    card("4000000000009995", "현대카드", "CCDI", CardBehaviour::Decline(C_LIMIT)),
    card("4000000000000069", "롯데카드", "CCLO", CardBehaviour::Decline(C_EXPIRED)),
    card("4000000000000127", "BC카드", "CCBC", CardBehaviour::Decline(C_BIRTH)),
    card("4000000000000101", "하나카드", "CCHN", CardBehaviour::Decline(C_PASSWORD)),
];

/// Card numbers outside this many digits decline as invalid numbers.
pub const CARDNO_MIN_DIGITS: usize = 12;
pub const CARDNO_MAX_DIGITS: usize = 19;
/// Merchant credentials accepted at start (pay2_id is documented as 30, pay2_key as 50 long).
pub const MERCHANT_ID_MAX: usize = 30;
pub const MERCHANT_KEY_MAX: usize = 50;
/// Installment months the window accepts ("00" = 일시불).
pub const QUOTA_MAX: u32 = 12;
/// What paycert reports as PAYMETHOD for payments made through the window.
pub const PAYMETHOD: &str = "CARD";
/// Default CANCELMSG for /_sandbox/payments/{tid}/cancel without "msg".
pub const DEFAULT_CANCEL_MSG: &str = "가맹점 요청 취소";

/// Identifier formats: TID = prefix + 12-digit KST timestamp (yyMMddHHmmss) + 5 digits = 20 chars.
pub const TID_PREFIX: &str = "SBX";
pub const ACCEPTNO_DIGITS: usize = 8;
pub const BILLKEY_LEN: usize = 20;
/// Hex characters of the opaque payment-window session id.
pub const SESSION_ID_HEX: usize = 32;

/// Limits of the HTTP server.
pub const MAX_BODY: usize = 64 * 1024;
pub const MAX_HEAD: usize = 16 * 1024;
pub const MAX_HEADERS: usize = 64;
/// Keep-alive connections idle longer than this are closed.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// A request (head or body) that stalls longer than this mid-way is dropped.
pub const READ_TIMEOUT: Duration = Duration::from_secs(15);
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

/// Body of the `http_500` fault: an HTML error page like a failing PHP front end's.
pub const FAULT_500_HTML: &str = "<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>\
<body><h1>Internal Server Error</h1><p>The server encountered an internal error.</p></body></html>\n";
/// Body of the `wrong_content_type` fault: what a captive proxy or maintenance page sends.
pub const FAULT_PROXY_HTML: &str = "<html><head><title>Service Unavailable</title></head>\
<body><h1>점검 중입니다</h1><p>Proxy: upstream is under maintenance.</p></body></html>";
/// Body of the `invalid_json` fault (cut in the middle of a string).
pub const FAULT_INVALID_JSON: &str = "{\"RESULTCODE\":\"0000\",\"RESULTMSG\":\"성";
