// The manual's JSP sample (it has <div id="cookiepayform">: the window opens as a layer in the shop's
// page), rendered with its own values except the domain, 연동 id, ORDERNO and RETURNURL: approve,
// abandon (the layer's 결제 취소), and a window left open past its lifetime.
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { CARDS, startSandbox, launch, newContext, shot, typeCard, advanceClock } = require("../lib/harness");
const { startShop } = require("../lib/shop");

let sandbox;
let browser;
let shop;
before(async () => {
  sandbox = await startSandbox();
  browser = await launch(sandbox);
  shop = await startShop({ gateway: sandbox.https, ca: sandbox.ca, pageDomain: sandbox.https });
});
after(async () => {
  await browser?.close();
  await shop?.stop();
  await sandbox?.stop();
});

async function openLayer(context, orderNo) {
  const page = await context.newPage();
  // The JSP's own AMOUNT (1004) is what the shop stored.
  shop.orders.set(orderNo, 1004);
  await page.goto(`${shop.url}/manual.jsp?ORDERNO=${encodeURIComponent(orderNo)}`);
  assert.equal(await page.inputValue("#AMOUNT"), "1004");
  await page.click("a:has-text('결제하기')");
  await page.waitForSelector("#cookiepayform .cookiepay-layer form#cookiepay-window");
  return page;
}

test("JSP sample over https: the window is a layer in #cookiepayform; paying lands on RETURNURL paid", async () => {
  const context = await newContext(browser, { viewport: { width: 1280, height: 900 } });
  try {
    const orderNo = `JSP-${Date.now()}`;
    const page = await openLayer(context, orderNo);
    assert.equal(await page.textContent("#cookiepay-amount"), "1,004원");
    assert.equal(await page.textContent("#cookiepay-product"), "상품명");
    await typeCard(page, CARDS.approve);
    await shot(page, "jsp-1-layer-filled");
    await Promise.all([page.waitForURL(`${shop.url}/return`), page.click(".cpw-pay")]);
    await shot(page, "jsp-2-returnurl-paid");
    assert.equal(await page.getAttribute("#result", "data-result"), "paid", await page.content());
    assert.equal(await page.textContent("#orderno"), orderNo);
    assert.equal(await page.textContent("#amount"), "1,004원");
  } finally {
    await context.close();
  }
});

test("JSP sample: 결제 취소 removes the layer, fires cookiepay:close, and RETURNURL receives nothing", async () => {
  const context = await newContext(browser);
  try {
    const before = shop.posts.length;
    const page = await openLayer(context, `JSP-ABANDON-${Date.now()}`);
    await page.evaluate(() => {
      window.__closed = 0;
      document.addEventListener("cookiepay:close", () => window.__closed++);
    });
    await page.click(".cookiepay-window .cpw-close");
    await page.waitForSelector(".cookiepay-layer", { state: "detached" });
    await shot(page, "jsp-abandon-layer-closed");
    assert.equal(await page.evaluate(() => window.__closed), 1);
    assert.ok(page.url().startsWith(`${shop.url}/manual.jsp`), "the buyer is still on the shop's page");
    await page.waitForTimeout(300);
    assert.equal(shop.posts.length, before, "nothing was posted");
  } finally {
    await context.close();
  }
});

test("JSP sample: a window submitted after its lifetime shows the expiry in the window, not at RETURNURL", async () => {
  const context = await newContext(browser);
  try {
    const before = shop.posts.length;
    const page = await openLayer(context, `JSP-EXPIRED-${Date.now()}`);
    await typeCard(page, CARDS.approve);
    await advanceClock(sandbox, 30 * 60); // the default window lifetime
    await Promise.all([page.waitForNavigation(), page.click(".cpw-pay")]);
    await shot(page, "jsp-expired-window");
    assert.match(await page.textContent("#cookiepay-error"), /결제 가능 시간이 지났습니다/);
    assert.equal(shop.posts.length, before);
  } finally {
    await context.close();
  }
});
