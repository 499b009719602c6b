// The window as a Korean buyer sees it: amount, product, merchant, card fields with numeric keypads,
// errors in Korean next to the field, and a layout that fits 375 px (phone) and 1280 px (desktop).
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { DEMO, startSandbox, launch, newContext, shot, request } = require("../lib/harness");

let sandbox;
let browser;
before(async () => {
  sandbox = await startSandbox();
  browser = await launch(sandbox);
});
after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

/** The window a shop's server fetched and shows as the whole page (the PHP/C#/JSP server path). */
async function windowPage(context, orderNo) {
  const ready = await request(`${sandbox.http}/pay/ready`, {
    headers: { "Content-Type": "application/json", ApiKey: DEMO.key },
    body: JSON.stringify({
      API_ID: DEMO.id,
      ORDERNO: orderNo,
      PRODUCTNAME: "쿠키 정기배송 (월간) · 초코칩 12개입",
      AMOUNT: "29900",
      BUYERNAME: "홍길동",
      RETURNURL: "http://127.0.0.1:9/return",
    }),
  });
  assert.equal(ready.status, 200);
  const page = await context.newPage();
  await page.route("http://shop.test/checkout", (route) =>
    route.fulfill({ contentType: "text/html; charset=utf-8", body: ready.text })
  );
  await page.goto("http://shop.test/checkout");
  return page;
}

for (const [name, viewport, isMobile] of [
  ["375", { width: 375, height: 812 }, true],
  ["1280", { width: 1280, height: 900 }, false],
]) {
  test(`the window at ${name} px: everything visible, nothing overflows, numeric keypads`, async () => {
    const context = await newContext(browser, { viewport, isMobile, hasTouch: isMobile, deviceScaleFactor: 1 });
    try {
      const page = await windowPage(context, `UI-${name}-${Date.now()}`);
      await shot(page, `window-${name}`, { fullPage: true });
      const layout = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
      }));
      assert.ok(layout.scrollWidth <= layout.innerWidth, `horizontal overflow: ${JSON.stringify(layout)}`);
      assert.equal(await page.textContent("#cookiepay-amount"), "29,900원");
      assert.equal(await page.textContent("#cookiepay-merchant"), DEMO.id);
      assert.match(await page.textContent("#cookiepay-product"), /쿠키 정기배송/);
      for (const field of ["CARDNO", "EXPIREDT", "CARDAUTH", "CARDPWD"]) {
        const input = page.locator(`input[name=${field}]`);
        assert.equal(await input.getAttribute("inputmode"), "numeric", field);
        const box = await input.boundingBox();
        assert.ok(box && box.x >= 0 && box.x + box.width <= viewport.width, `${field} inside the viewport`);
        assert.ok(box.height >= 40, `${field} is a comfortable touch target`);
      }
      assert.equal(await page.getAttribute("input[name=CARDNO]", "autocomplete"), "cc-number");
      assert.equal(await page.getAttribute("input[name=CARDPWD]", "type"), "password");
      const pay = await page.locator(".cpw-pay").boundingBox();
      assert.ok(pay.width >= Math.min(viewport.width, 440) - 60, "the pay button spans the window");
      assert.equal((await page.textContent(".cpw-pay")).trim(), "29,900원 결제하기");
    } finally {
      await context.close();
    }
  });
}

test("wrong input is explained in Korean right under its field, and nothing is submitted", async () => {
  const context = await newContext(browser, { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
  try {
    const page = await windowPage(context, `UI-ERR-${Date.now()}`);
    await page.locator("input[name=CARDNO]").pressSequentially("4111 1111 1111 1112");
    await page.locator("input[name=EXPIREDT]").pressSequentially("3013");
    await page.locator("input[name=CARDAUTH]").pressSequentially("9001");
    await page.click(".cpw-pay");
    await shot(page, "window-375-errors", { fullPage: true });
    const expected = {
      CARDNO: "카드번호를 다시 확인해 주세요.",
      EXPIREDT: "월(MM)은 01~12 사이여야 합니다.",
      CARDAUTH: "생년월일 6자리(YYMMDD)를 입력해 주세요.",
      CARDPWD: "비밀번호 앞 2자리를 입력해 주세요.",
    };
    for (const [field, message] of Object.entries(expected)) {
      const error = page.locator(`#cpw-${field}-error`);
      assert.equal(await error.textContent(), message);
      assert.ok(await error.isVisible(), `${field} error visible`);
      const inputBox = await page.locator(`input[name=${field}]`).boundingBox();
      const errorBox = await error.boundingBox();
      assert.ok(errorBox.y >= inputBox.y + inputBox.height - 1, `${field}: the error is under its field`);
      assert.ok(errorBox.y - (inputBox.y + inputBox.height) < 40, `${field}: …right under it`);
      assert.equal(await page.getAttribute(`input[name=${field}]`, "aria-invalid"), "true");
    }
    assert.equal(page.url(), "http://shop.test/checkout", "not submitted");
    // Fixing a field clears its message as the buyer types.
    await page.fill("input[name=EXPIREDT]", "");
    await page.locator("input[name=EXPIREDT]").pressSequentially("3012");
    assert.equal(await page.textContent("#cpw-EXPIREDT-error"), "");
  } finally {
    await context.close();
  }
});
