//! `make demo`: the whole authenticated payment flow against the bundled sandbox, printing each step.
//! scripts/with-sandbox.sh starts the sandbox and passes its address and demo merchant in the
//! environment. The buyer's browser is played by a few lines of HTTP (tests/common/mod.rs).

#[path = "../tests/common/mod.rs"]
mod common;

use cookiepay::{Client, Operation};
use serde_json::{json, Value};

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        eprintln!("{name} is not set: run this through `make demo` (scripts/with-sandbox.sh)");
        std::process::exit(2)
    })
}

fn step(n: u32, title: &str, envelope: &str) -> Value {
    let value: Value = serde_json::from_str(envelope).expect("the library always answers JSON");
    println!("\n[{n}] {title}");
    let shown = match value.pointer("/data/html").and_then(Value::as_str) {
        Some(html) => {
            json!({"ok": true, "data": {"html": format!("<{} bytes of HTML for the buyer's browser>", html.len())}})
        }
        None => value.clone(),
    };
    println!("{}", serde_json::to_string_pretty(&shown).unwrap());
    if value["ok"] != true {
        eprintln!("step {n} failed");
        std::process::exit(1);
    }
    value["data"].clone()
}

fn main() {
    let base_url = env("COOKIEPAY_SANDBOX_URL");
    let config = json!({
        "base_url": base_url, "api_id": env("COOKIEPAY_API_ID"), "api_key": env("COOKIEPAY_API_KEY"),
        "binding": "rust-demo"
    });
    println!(
        "cookiepay {} — demo against the sandbox at {base_url}",
        cookiepay::VERSION
    );
    let client = Client::from_json(&config.to_string()).expect("valid config");

    let orderno = format!("DEMO-{}", std::process::id());
    let order = json!({
        "ORDERNO": orderno, "PRODUCTNAME": "쿠키 정기구독 (월간)", "AMOUNT": 9900, "BUYERNAME": "홍길동",
        "BUYEREMAIL": "buyer@example.com", "BUYERPHONE": "010-1234-5678",
        "RETURNURL": "https://shop.example/cookiepay/return"
    });
    println!("\nThe shop stores order {orderno} for 9,900원 as 결제대기, then opens the window.");
    let window = step(
        1,
        "ready: open the payment window",
        &client.call(Operation::Ready, &order.to_string()),
    );

    println!("\n[2] the buyer enters 카유생비 (test card 4111 1111 1111 1111) and submits the window");
    let body = common::pay_in_window(
        &base_url,
        None,
        window["html"].as_str().unwrap(),
        &common::card(common::CARD_OK),
    );
    println!("the browser then POSTs to RETURNURL:\n{}", &body[..body.len().min(160)]);

    let parsed = step(
        3,
        "parse_return: decode the RETURNURL post",
        &cookiepay::parse_return_envelope(body.as_bytes()),
    );
    let payment = step(
        4,
        "decrypt: ENC_DATA → the payment and its BILLKEY",
        &client.call(Operation::Decrypt, &json!({"ENC_DATA": parsed["ENC_DATA"]}).to_string()),
    );
    let verify = json!({"tid": payment["TID"], "expected": {"ORDERNO": orderno, "AMOUNT": 9900}});
    step(
        5,
        "verify: paycert says the amount and order match",
        &client.call(Operation::Verify, &verify.to_string()),
    );

    let tampered = json!({"tid": payment["TID"], "expected": {"ORDERNO": orderno, "AMOUNT": 99000}});
    let e: Value = serde_json::from_str(&client.call(Operation::Verify, &tampered.to_string())).unwrap();
    println!(
        "\n[6] a shop expecting 99,000원 would be told: {} ({})",
        e["error"]["kind"], e["error"]["message"]
    );
    println!("\nStore BILLKEY {} for the next 정기결제.", payment["BILLKEY"]);
    subscription(&client, &base_url);
}

/// POST to the sandbox's control API (the clock): not part of the library, only of the demo.
fn sandbox_control(base_url: &str, path: &str, body: Value) -> Value {
    let answer = reqwest::blocking::Client::new()
        .post(format!("{base_url}/_sandbox/{path}"))
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .and_then(|r| r.text())
        .expect("the sandbox answers");
    serde_json::from_str(&answer).expect("the sandbox answers JSON")
}

/// The non-authenticated subscription: sign-up, two monthly charges, a partial refund, the end.
fn subscription(client: &Client, base_url: &str) {
    println!("\n— A subscription (정기결제 비인증): the server charges the billing key from now on —");
    let signup = json!({
        "ORDERNO": format!("SUB-{}", std::process::id()), "PRODUCTNAME": "쿠키 정기구독 (월간)", "AMOUNT": 9900,
        "BUYERNAME": "홍길동", "CARDNO": "5555-5555-5555-4444", "EXPIREDT": "3012", "CARDAUTH": "900101",
        "CARDPWD": "12", "RECURRENCE_PAY": "Y", "RECURRENCE_TYPE": "M", "PAY_DAY": "31",
        "START_PAY_CNT": "1", "LAST_PAY_CNT": "0"
    });
    let sub = step(
        7,
        "billkeygen: billing key + first charge + a monthly schedule on the last day (말일)",
        &client.call(Operation::Billkeygen, &signup.to_string()),
    );
    for month in 1..=2 {
        let advanced = sandbox_control(base_url, "clock", json!({"advance_days": 31}));
        let charged: Vec<String> = advanced["charged"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["RESERVE_ID"] == sub["RESERVE_ID"])
            .map(|c| format!("cycle {} → {} (TID {})", c["PAY_CNT"], c["RESULTCODE"], c["TID"]))
            .collect();
        println!(
            "\n[8.{month}] a month later (sandbox clock {}): CookiePay charged {charged:?}",
            advanced["now"]
        );
    }
    step(
        9,
        "paysearch: the sign-up charge, looked up by its TID",
        &client.call(Operation::Paysearch, &json!({"tid": sub["TID"]}).to_string()),
    );
    let refund = json!({"tid": sub["TID"], "reason": "부분 환불 (고객 요청)", "amount": 3000});
    step(
        10,
        "cancel: refund 3,000원 of the first charge",
        &client.call(Operation::Cancel, &refund.to_string()),
    );
    step(
        11,
        "schedule_cancel: the subscriber quits",
        &client.call(
            Operation::ScheduleCancel,
            &json!({"RESERVE_ID": sub["RESERVE_ID"]}).to_string(),
        ),
    );
    step(
        12,
        "billkey_delete: the card is forgotten",
        &client.call(
            Operation::BillkeyDelete,
            &json!({"BILLKEY": sub["BILLKEY"]}).to_string(),
        ),
    );
    println!("\nDone.");
}
