// The manual's HTML sample (no <div id="cookiepayform">: the window opens as a new window), changed
// only in its domain and 연동 id, over HTTP and HTTPS: approve, decline, abandon.
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { CARDS, startSandbox, launch, newContext, shot, typeCard, request } = require("../lib/harness");
const { startShop } = require("../lib/shop");

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

/** The shop page: the buyer's order typed into the sample's form, then 결제하기 → the popup window. */
async function openWindow(context, shop, scheme, orderNo, amount) {
  const page = await context.newPage();
  await page.goto(`${shop.url}/manual.html`);
  shop.orders.set(orderNo, amount);
  await page.fill("#ORDERNO", orderNo);
  await page.fill("#PRODUCTNAME", "쿠키 정기배송 (월간)");
  await page.fill("#AMOUNT", String(amount));
  await page.fill("#BUYERNAME", "홍길동");
  await page.fill("#BUYEREMAIL", "buyer@example.com");
  await page.fill("#RETURNURL", `${shop.url}/return`);
  await shot(page, `html-${scheme}-1-shop-page`);
  const [popup] = await Promise.all([page.waitForEvent("popup"), page.click("button:has-text('결제하기')")]);
  await popup.waitForSelector("form#cookiepay-window");
  return { page, popup };
}

for (const scheme of ["http", "https"]) {
  test(`HTML sample over ${scheme}: a buyer pays and the RETURNURL page shows the order paid`, async () => {
    const gateway = sandbox[scheme];
    const shop = await startShop({ gateway, ca: sandbox.ca, pageDomain: gateway });
    const context = await newContext(browser, { viewport: { width: 1280, height: 860 } });
    try {
      const orderNo = `HTML-${scheme}-${Date.now()}`;
      const { popup } = await openWindow(context, shop, scheme, orderNo, 9900);
      assert.equal(await popup.textContent("#cookiepay-amount"), "9,900원");
      assert.equal(await popup.textContent("#cookiepay-product"), "쿠키 정기배송 (월간)");
      await typeCard(popup, CARDS.approve);
      await shot(popup, `html-${scheme}-2-window-filled`);
      await Promise.all([popup.waitForURL(`${shop.url}/return`), popup.click(".cpw-pay")]);
      await popup.waitForSelector("#result");
      await shot(popup, `html-${scheme}-3-returnurl-paid`);
      assert.equal(await popup.getAttribute("#result", "data-result"), "paid", await popup.content());
      assert.equal(await popup.textContent("#orderno"), orderNo);
      assert.equal(await popup.textContent("#amount"), "9,900원");
      assert.equal(shop.orders.get(orderNo), "paid");
      assert.equal(shop.posts.length, 1);
      assert.equal(shop.posts[0].RESULTCODE, "0000");
    } finally {
      await context.close();
      await shop.stop();
    }
  });
}

test("HTML sample: a declined card posts the decline and the order stays unpaid", async () => {
  const shop = await startShop({ gateway: sandbox.http, ca: sandbox.ca, pageDomain: sandbox.http });
  const context = await newContext(browser);
  try {
    const orderNo = `HTML-DECLINE-${Date.now()}`;
    const { popup } = await openWindow(context, shop, "decline", orderNo, 12000);
    await typeCard(popup, CARDS.declineLimit);
    await Promise.all([popup.waitForURL(`${shop.url}/return`), popup.click(".cpw-pay")]);
    await shot(popup, "html-decline-returnurl");
    assert.equal(await popup.getAttribute("#result", "data-result"), "declined");
    assert.match(await popup.textContent("#reason"), /한도초과 \(C001\)/);
    assert.equal(shop.orders.get(orderNo), 12000, "still pending");
  } finally {
    await context.close();
    await shop.stop();
  }
});

test("HTML sample: the buyer closes the window; RETURNURL receives nothing", async () => {
  const shop = await startShop({ gateway: sandbox.http, ca: sandbox.ca, pageDomain: sandbox.http });
  const context = await newContext(browser);
  try {
    const orderNo = `HTML-ABANDON-${Date.now()}`;
    const { page, popup } = await openWindow(context, shop, "abandon", orderNo, 9900);
    await popup.locator("input[name=CARDNO]").pressSequentially("4111", { delay: 5 });
    await shot(popup, "html-abandon-window");
    // The button closes its own window, so the click may lose its page mid-action; the close
    // event (or its timeout) is what this test judges, not the click's return.
    const closed = popup.waitForEvent("close", { timeout: 10000 });
    await popup.click(".cpw-cancel", { noWaitAfter: true }).catch((err) => {
      if (!/closed/.test(String(err))) throw err;
    });
    await closed;
    assert.ok(popup.isClosed(), "결제 취소 closes the popup");
    await page.waitForTimeout(300);
    assert.equal(shop.posts.length, 0, "nothing was posted to RETURNURL");
    assert.equal(shop.orders.get(orderNo), 9900, "the order is still pending");
    const payments = JSON.parse((await request(`${sandbox.http}/_sandbox/payments`, { method: "GET" })).text);
    assert.ok(!payments.payments.some((p) => p.ORDERNO === orderNo), "no payment at the gateway");
  } finally {
    await context.close();
    await shop.stop();
  }
});
