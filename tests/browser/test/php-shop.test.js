// The PHP example shop (examples/php) under a real browser: started exactly as its README and
// bindings/php/tests/ExampleTest.php start it (examples/php/serve.sh, the release libcookiepay.so),
// the buyer orders, types the test card into the window the shop echoes, and lands on return.php.
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const { ROOT, CARDS, startSandbox, launch, newContext, shot, typeCard, sleep } = require("../lib/harness");

const LIB = process.env.COOKIEPAY_LIB || path.join(ROOT, "target", "release", "libcookiepay.so");

let sandbox;
let browser;
let server;
let shopUrl;
let dataDir;

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const c = net.connect(port, "127.0.0.1", () => {
      c.destroy();
      resolve(true);
    });
    c.on("error", () => resolve(false));
  });
}

before(async () => {
  assert.ok(fs.existsSync(LIB), `the release library is needed: ${LIB} (make release)`);
  sandbox = await startSandbox();
  browser = await launch(sandbox);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cookiepay-php-shop-"));
  const port = await freePort();
  shopUrl = `http://127.0.0.1:${port}`;
  const log = fs.openSync(path.join(dataDir, "server.log"), "a");
  server = spawn("bash", [path.join(ROOT, "examples", "php", "serve.sh"), `127.0.0.1:${port}`], {
    env: { PATH: process.env.PATH, COOKIEPAY_LIB: LIB, COOKIEPAY_SANDBOX_URL: sandbox.http, COOKIEPAY_EXAMPLE_DATA: dataDir },
    stdio: ["ignore", log, log],
    detached: true,
  });
  const deadline = Date.now() + 20000;
  while (!(await canConnect(port))) {
    if (server.exitCode !== null || Date.now() > deadline) {
      throw new Error(`php -S did not start:\n${fs.readFileSync(path.join(dataDir, "server.log"), "utf8")}`);
    }
    await sleep(50);
  }
});

after(async () => {
  if (server && server.exitCode === null) {
    process.kill(-server.pid, "SIGTERM");
    await new Promise((resolve) => server.on("exit", resolve));
  }
  await browser?.close();
  await sandbox?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

async function checkout(context, buyer) {
  const page = await context.newPage();
  await page.goto(`${shopUrl}/`);
  await page.fill("input[name=buyer]", buyer);
  await shot(page, `php-shop-${buyer === "홍길동" ? "paid" : "declined"}-1-shop`);
  await Promise.all([page.waitForSelector("form#cookiepay-window"), page.click("button:has-text('카드로 결제')")]);
  return page;
}

test("PHP example shop: checkout → the window → return.php shows the order paid", async () => {
  const context = await newContext(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  try {
    const page = await checkout(context, "홍길동");
    assert.equal(await page.textContent("#cookiepay-amount"), "9,900원");
    await typeCard(page, CARDS.approve);
    await shot(page, "php-shop-paid-2-window", { fullPage: true });
    await Promise.all([page.waitForURL(`${shopUrl}/return.php`), page.click(".cpw-pay")]);
    await shot(page, "php-shop-paid-3-return");
    assert.equal(await page.textContent("h1"), "결제 완료", await page.content());
    assert.match(await page.textContent("main"), /9,900원 결제가 완료되었습니다/);
    // The shop's order list shows it paid.
    await page.goto(`${shopUrl}/`);
    assert.match(await page.textContent("table"), /홍길동\s*paid/);
  } finally {
    await context.close();
  }
});

test("PHP example shop: a declined card lands on return.php as 결제 실패", async () => {
  const context = await newContext(browser);
  try {
    const page = await checkout(context, "김철수");
    await typeCard(page, CARDS.declineLimit);
    await Promise.all([page.waitForURL(`${shopUrl}/return.php`), page.click(".cpw-pay")]);
    await shot(page, "php-shop-declined-2-return");
    assert.equal(await page.textContent("h1"), "결제 실패");
    assert.match(await page.textContent("main"), /한도초과 \(C001\)/);
  } finally {
    await context.close();
  }
});
