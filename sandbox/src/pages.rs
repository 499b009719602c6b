//! The HTML the sandbox serves besides the window (`window_page`): the auto-submitting return
//! form, error pages and the receipt (전표).

use crate::util::html_escape;

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
