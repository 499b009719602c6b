//! The payment window (결제창) and the browser library that opens it. The window is one HTML page
//! that works three ways: echoed whole by a shop's server (`/pay/ready` from PHP, C#, JSP), written
//! into a popup by the library, or shown as a layer inside the shop's `<div id="cookiepayform">`.
//! So its style is scoped under `.cookiepay-window`, its script finds everything by id, and the
//! form keeps the shape the README documents (`<form id="cookiepay-window" …>`, plain inputs).

use crate::choices as c;
use crate::util::html_escape;

/// `GET /js/cookiepayments-1.1.3.js`: the sandbox's own implementation of the manual's browser API.
pub const LIBRARY_JS: &str = include_str!("assets/cookiepayments.js");
const WINDOW_CSS: &str = include_str!("assets/window.css");
const WINDOW_JS: &str = include_str!("assets/window.js");

/// What the window shows of the order.
pub struct WindowOrder<'a> {
    pub orderno: &'a str,
    pub productname: &'a str,
    pub amount: &'a str,
    pub buyername: &'a str,
}

/// `9900` → `9,900` (AMOUNT is validated digits).
pub fn won(amount: &str) -> String {
    let mut out = String::with_capacity(amount.len() + amount.len() / 3);
    for (i, ch) in amount.chars().enumerate() {
        if i > 0 && (amount.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// One labelled card field with the error line the window's script fills in Korean.
fn field(name: &str, label: &str, attrs: &str, hint: &str) -> String {
    let id = name.to_ascii_lowercase();
    format!(
        "<div class=\"cpw-field\">\n<label for=\"cpw-{id}\">{label}</label>\n\
<input name=\"{name}\" id=\"cpw-{id}\" {attrs} aria-describedby=\"cpw-{id}-hint cpw-{name}-error\" required>\n\
<p class=\"cpw-error\" id=\"cpw-{name}-error\" role=\"alert\"></p>\n<p class=\"cpw-hint\" id=\"cpw-{id}-hint\">{hint}</p>\n</div>\n"
    )
}

pub fn window_page(api_id: &str, o: &WindowOrder, action: &str) -> String {
    let mut quota_opts = String::from("<option value=\"00\" selected>일시불</option>");
    for q in 2..=c::QUOTA_MAX {
        quota_opts.push_str(&format!("<option value=\"{q:02}\">{q}개월</option>"));
    }
    let amount = html_escape(&won(o.amount));
    let card = field(
        "CARDNO",
        "카드번호",
        "type=\"text\" inputmode=\"numeric\" autocomplete=\"cc-number\" maxlength=\"23\" placeholder=\"0000 0000 0000 0000\"",
        "숫자만 입력하세요. 띄어쓰기와 - 는 무시됩니다.",
    );
    let expiry = field(
        "EXPIREDT",
        "유효기간",
        "type=\"text\" inputmode=\"numeric\" autocomplete=\"cc-exp\" maxlength=\"4\" placeholder=\"YYMM\"",
        "예: 2030년 12월 → 3012",
    );
    let birth = field(
        "CARDAUTH",
        "생년월일",
        "type=\"text\" inputmode=\"numeric\" autocomplete=\"off\" maxlength=\"6\" placeholder=\"YYMMDD\"",
        "예: 1990년 1월 1일 → 900101",
    );
    let pin = field(
        "CARDPWD",
        "비밀번호 앞 2자리",
        "type=\"password\" inputmode=\"numeric\" autocomplete=\"off\" maxlength=\"2\" placeholder=\"••\"",
        "카드 비밀번호 4자리 중 앞 2자리",
    );
    format!(
        "<!DOCTYPE html>\n<html lang=\"ko\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>쿠키페이 결제</title>\n<style>{css}</style>\n</head>\n<body class=\"cookiepay-page\">\n\
<div class=\"cookiepay-window\" id=\"cookiepay-window-box\" role=\"dialog\" aria-modal=\"true\" aria-labelledby=\"cpw-title\">\n\
<header class=\"cpw-head\"><h1 class=\"cpw-brand\" id=\"cpw-title\">쿠키페이 카드결제</h1>\
<span class=\"cpw-secure\">SSL 보안결제</span>\
<button type=\"button\" class=\"cpw-close\" data-cookiepay-close aria-label=\"결제창 닫기\">×</button></header>\n\
<p class=\"cpw-sandbox\">테스트(샌드박스) 결제창입니다. 실제로 결제되지 않습니다.</p>\n\
<section class=\"cpw-order\">\n<div class=\"cpw-amount\"><span>결제금액</span><strong id=\"cookiepay-amount\">{amount}원</strong></div>\n\
<dl>\n<dt>상품명</dt><dd id=\"cookiepay-product\">{product}</dd>\n<dt>가맹점</dt><dd id=\"cookiepay-merchant\">{api_id}</dd>\n\
<dt>주문번호</dt><dd>{orderno}</dd>\n<dt>구매자</dt><dd>{buyer}</dd>\n</dl>\n</section>\n\
<form id=\"cookiepay-window\" method=\"post\" action=\"{action}\" novalidate>\n{card}<div class=\"cpw-row\">\n{expiry}{birth}</div>\n\
<div class=\"cpw-row\">\n{pin}<div class=\"cpw-field\">\n<label for=\"cpw-quota\">할부</label>\n\
<select name=\"QUOTA\" id=\"cpw-quota\">{quota_opts}</select>\n</div>\n</div>\n\
<p class=\"cpw-note\">결제하기를 누르면 카드 정보가 카드사 인증에 사용되며, 정기결제용 빌링키가 발급됩니다.</p>\n\
<button type=\"submit\" class=\"cpw-pay\">{amount}원 결제하기</button>\n\
<button type=\"button\" class=\"cpw-cancel\" data-cookiepay-close>결제 취소</button>\n</form>\n\
<p class=\"cpw-foot\">쿠키페이 · cookiepay-sandbox</p>\n</div>\n<script>{js}</script>\n</body>\n</html>\n",
        css = WINDOW_CSS,
        js = WINDOW_JS,
        api_id = html_escape(api_id),
        orderno = html_escape(o.orderno),
        product = html_escape(o.productname),
        buyer = html_escape(o.buyername),
        action = html_escape(action),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_get_thousands_separators() {
        assert_eq!(won("9900"), "9,900");
        assert_eq!(won("100"), "100");
        assert_eq!(won("1234567"), "1,234,567");
        assert_eq!(won("1000"), "1,000");
    }

    #[test]
    fn the_window_keeps_its_documented_form_and_escapes_the_order() {
        let o = WindowOrder {
            orderno: "A<1>",
            productname: "쿠키 \"정기\"",
            amount: "9900",
            buyername: "홍길동",
        };
        let html = window_page("sandbox_demo01", &o, "http://h/pay/window/ab");
        assert_eq!(html.matches("<form id=\"cookiepay-window\"").count(), 1);
        assert!(html.contains("A&lt;1&gt;"));
        assert!(html.contains("9,900원"));
        for name in ["CARDNO", "EXPIREDT", "CARDAUTH", "CARDPWD", "QUOTA"] {
            assert!(html.contains(&format!("name=\"{name}\"")), "{name}");
        }
        assert!(!html.contains("</script>\n<script>"), "one script");
    }
}
