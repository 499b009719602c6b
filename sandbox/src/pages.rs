//! The HTML the sandbox serves: the payment window, the auto-submitting return form, error pages
//! and the receipt (전표).

use crate::choices as c;
use crate::util::html_escape;

/// What the window shows of the order.
pub struct WindowOrder<'a> {
    pub orderno: &'a str,
    pub productname: &'a str,
    pub amount: &'a str,
    pub buyername: &'a str,
}

/// The form the buyer's browser posts to the merchant's RETURNURL.
pub struct ReturnPost {
    pub return_url: String,
    pub api_id: String,
    pub code: String,
    pub msg: String,
    pub enc_data: String,
}

/// One line of a receipt.
pub struct ReceiptLine {
    pub label: &'static str,
    pub value: String,
}

const PAGE_STYLE: &str = "body{font-family:sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}\
table{border-collapse:collapse;width:100%;margin-bottom:1rem}th,td{text-align:left;padding:.25rem;border-bottom:1px solid #ddd}\
label{display:block;margin:.5rem 0}input,select{display:block;width:100%;padding:.4rem;box-sizing:border-box}\
button{margin-top:1rem;padding:.6rem 1.2rem}.notice{color:#a00}";

pub fn window_page(api_id: &str, o: &WindowOrder, action: &str) -> String {
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
        orderno = html_escape(o.orderno),
        product = html_escape(o.productname),
        amount = html_escape(o.amount),
        buyer = html_escape(o.buyername),
        action = html_escape(action),
    )
}

pub fn return_page(p: &ReturnPost) -> String {
    let hidden = |name: &str, value: &str| {
        format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">\n",
            html_escape(value)
        )
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

pub fn error_page(msg: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"ko\">\n<head>\n<meta charset=\"utf-8\">\n<title>결제 오류</title>\n</head>\n<body>\n\
<h1>결제 오류</h1>\n<p id=\"cookiepay-error\">{}</p>\n</body>\n</html>\n",
        html_escape(msg)
    )
}

pub fn receipt_page(title: &str, lines: &[ReceiptLine]) -> String {
    let mut rows = String::new();
    for l in lines {
        rows.push_str(&format!(
            "<tr><th>{}</th><td>{}</td></tr>\n",
            html_escape(l.label),
            html_escape(&l.value)
        ));
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"ko\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
<style>{style}</style>\n</head>\n<body>\n<h1>{title}</h1>\n\
<p class=\"notice\">샌드박스 전표입니다. 실제 거래가 아닙니다.</p>\n\
<table id=\"cookiepay-receipt\">\n{rows}</table>\n</body>\n</html>\n",
        title = html_escape(title),
        style = PAGE_STYLE,
    )
}
