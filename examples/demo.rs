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
    println!("\nStore BILLKEY {} for the next 정기결제. Done.", payment["BILLKEY"]);
}
