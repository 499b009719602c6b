//! `GET /api/receipt?tid=<base64 of the TID>`: the receipt (전표) page a browser popup opens.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;

use crate::choices as c;
use crate::gateway::shared::Gateway;
use crate::http::{Request, Response, HTML};
use crate::pages::{self, ReceiptLine};
use crate::util::lock;

/// The TID in the query: `tid` is Base64 of its UTF-8 bytes. A `+` that form decoding turned into a
/// space is put back; URL-safe and unpadded Base64 are accepted too.
pub fn receipt_tid(query: &str) -> Option<String> {
    let raw = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "tid")
        .map(|(_, v)| v.into_owned())?;
    let text = raw.trim().replace(' ', "+");
    let bytes = [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD]
        .iter()
        .find_map(|e| e.decode(&text).ok())?;
    String::from_utf8(bytes).ok().filter(|t| !t.is_empty())
}

/// The merchant a receipt request is about, for stats.
pub fn receipt_merchant(gw: &Gateway, req: &Request) -> Option<String> {
    let tid = receipt_tid(&req.query)?;
    lock(&gw.ledger).payments.get(&tid).map(|p| p.api_id.clone())
}

pub fn receipt(gw: &Gateway, req: &Request) -> Response {
    let ledger = lock(&gw.ledger);
    let Some(p) = receipt_tid(&req.query).and_then(|t| ledger.payments.get(&t)) else {
        return Response::new(c::STATUS_NOT_FOUND, HTML, pages::error_page(c::E_TID_NOT_FOUND.msg));
    };
    let o = &p.order;
    let line = |label: &'static str, value: String| ReceiptLine { label, value };
    let quota = if p.quota == "00" {
        "일시불".to_string()
    } else {
        format!("{}개월", p.quota.trim_start_matches('0'))
    };
    let state = match p.state() {
        "approved" => "승인",
        "cancelled" => "취소",
        _ => "부분취소",
    };
    let lines = [
        line("가맹점", p.api_id.clone()),
        line("거래번호", p.tid.clone()),
        line("주문번호", o.orderno.clone()),
        line("상품명", o.productname.clone()),
        line("구매자", o.buyername.clone()),
        line("결제수단", p.paymethod.to_string()),
        line("카드사", p.card_name.clone()),
        line("카드번호", p.card_masked.clone()),
        line("할부", quota),
        line("승인번호", p.acceptno.clone()),
        line("승인일시", p.acceptdate.clone()),
        line("결제금액", format!("{}원", o.amount)),
        line("취소금액", format!("{}원", p.cancelled_won)),
        line("상태", state.to_string()),
    ];
    Response::new(200, HTML, pages::receipt_page("카드 매출전표", &lines))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tids_from_queries() {
        let enc = STANDARD.encode("SBX26112702335456916");
        assert_eq!(
            receipt_tid(&format!("tid={enc}")).as_deref(),
            Some("SBX26112702335456916")
        );
        let plus = STANDARD.encode([0xfbu8, 0xef, 0xbe]);
        assert!(plus.contains('+') || plus.contains('/'));
        assert_eq!(receipt_tid("tid="), None);
        assert_eq!(receipt_tid("x=1"), None);
        assert_eq!(receipt_tid("tid=%%%"), None);
    }
}
