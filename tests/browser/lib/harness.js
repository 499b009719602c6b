// What every browser test needs: a cookiepay-sandbox (HTTP + HTTPS) from the release build, small
// HTTP(S) helpers that trust only the sandbox's CA, headless Chromium (Debian's, via playwright-core)
// and screenshots under target/browser/.
"use strict";

const { spawn } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const http = require("node:http");
const https = require("node:https");
const os = require("node:os");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "../../..");
const OUT = path.join(ROOT, "target", "browser");
const SANDBOX_BIN = process.env.COOKIEPAY_SANDBOX_BIN || path.join(ROOT, "target", "release", "cookiepay-sandbox");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const DEMO = { id: "sandbox_demo01", key: "sbxkey_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG" };
const CARDS = { approve: "4111111111111111", declineLimit: "4000000000009995" };
const JQUERY = path.join(__dirname, "..", "node_modules", "jquery", "dist", "jquery.min.js");

fs.mkdirSync(OUT, { recursive: true });

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Starts the sandbox binary with HTTP and HTTPS on free ports; resolves once its ready file exists. */
async function startSandbox(extraArgs = []) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cookiepay-browser-"));
  const ready = path.join(dir, "ready.json");
  const caPath = path.join(dir, "ca.pem");
  const args = ["--port", "0", "--tls", "--ca-out", caPath, "--ready-file", ready, ...extraArgs];
  const child = spawn(SANDBOX_BIN, args, { stdio: ["ignore", "ignore", "inherit"] });
  let exited = null;
  child.on("exit", (code) => (exited = code));
  const deadline = Date.now() + 20000;
  while (!fs.existsSync(ready)) {
    if (exited !== null) throw new Error(`cookiepay-sandbox exited (${exited}) before listening: ${SANDBOX_BIN}`);
    if (Date.now() > deadline) throw new Error("cookiepay-sandbox did not start within 20 s");
    await sleep(20);
  }
  const info = JSON.parse(fs.readFileSync(ready, "utf8"));
  const ca = fs.readFileSync(caPath, "utf8");
  return {
    http: info.http,
    https: info.https,
    caPath,
    ca,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((resolve) => (exited !== null ? resolve() : child.on("exit", resolve)));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One HTTP(S) request; `ca` (PEM) is the only trust anchor for https. */
function request(url, { method = "POST", headers = {}, body = "", ca } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const lib = u.protocol === "https:" ? https : http;
    const data = Buffer.from(body);
    const req = lib.request(
      u,
      { method, headers: { ...headers, "Content-Length": data.length }, ca, timeout: 20000 },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") })
        );
      }
    );
    req.on("timeout", () => req.destroy(new Error(`timeout: ${method} ${url}`)));
    req.on("error", reject);
    req.end(data);
  });
}

async function postJson(url, headers, value, ca) {
  const r = await request(url, {
    headers: { "Content-Type": "application/json; charset=utf-8", ...headers },
    body: JSON.stringify(value),
    ca,
  });
  return JSON.parse(r.text);
}

/** base64(sha256(SubjectPublicKeyInfo)) of a PEM certificate: Chromium's certificate pin format. */
function spkiHash(pem) {
  const der = new crypto.X509Certificate(pem).publicKey.export({ type: "spki", format: "der" });
  return crypto.createHash("sha256").update(der).digest("base64");
}

/** Headless Chromium trusting, beyond the system roots, only the sandbox CA's key. */
async function launch(sandbox) {
  const { chromium } = require("playwright-core");
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", `--ignore-certificate-errors-spki-list=${spkiHash(sandbox.ca)}`],
  });
}

/** A browser context whose pages get jQuery 1.12.4 (what the manual's pages load from code.jquery.com) locally. */
async function newContext(browser, options = {}) {
  const context = await browser.newContext({ locale: "ko-KR", ...options });
  await context.route("https://code.jquery.com/**", (route) =>
    route.fulfill({ path: JQUERY, contentType: "application/javascript" })
  );
  return context;
}

/** Saves a screenshot as target/browser/NAME.png. */
async function shot(page, name, options = {}) {
  await page.screenshot({ path: path.join(OUT, `${name}.png`), ...options });
}

/** Types like a buyer (key by key) into the window's card fields and picks the installment. */
async function typeCard(page, cardNo, { expiry = "3012", birth = "900101", pin = "12" } = {}) {
  await page.locator("input[name=CARDNO]").pressSequentially(cardNo, { delay: 5 });
  await page.locator("input[name=EXPIREDT]").pressSequentially(expiry, { delay: 5 });
  await page.locator("input[name=CARDAUTH]").pressSequentially(birth, { delay: 5 });
  await page.locator("input[name=CARDPWD]").pressSequentially(pin, { delay: 5 });
}

async function advanceClock(sandbox, seconds) {
  const r = await request(`${sandbox.http}/_sandbox/clock`, {
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ advance_seconds: seconds }),
  });
  if (r.status !== 200) throw new Error(`clock: ${r.status} ${r.text}`);
}

module.exports = {
  ROOT,
  OUT,
  DEMO,
  CARDS,
  sleep,
  startSandbox,
  request,
  postJson,
  launch,
  newContext,
  shot,
  typeCard,
  advanceClock,
};
