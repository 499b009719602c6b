// The manual's PHP and cURL samples (samples/, verbatim) run against the sandbox over HTTP and HTTPS,
// with only the manual's blanks filled: the domain, the credentials and the {…} values (see
// samples/README.md for the one typo fixed and the mysql_query stand-in).
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { DEMO, CARDS, startSandbox, request } = require("../lib/harness");

const SAMPLES = path.join(__dirname, "..", "samples");
const HANGUL_PLACEHOLDER = /\{[^{}\n]*[가-힣][^{}\n]*\}/;

let sandbox;
let tableSandbox;
let tmp;
before(async () => {
  sandbox = await startSandbox();
  tableSandbox = await startSandbox(["--spelling", "table"]);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cookiepay-samples-"));
});
after(async () => {
  await sandbox?.stop();
  await tableSandbox?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function sample(name) {
  return fs.readFileSync(path.join(SAMPLES, name), "utf8");
}

/** Fills the manual's blanks; fails if one is left. */
function fill(text, values) {
  let out = text;
  for (const [blank, value] of Object.entries(values)) out = out.replaceAll(blank, value);
  const left = out.match(HANGUL_PLACEHOLDER);
  assert.equal(left, null, `unfilled blank ${left}`);
  return out;
}

function orderValues(orderNo) {
  return {
    "{쿠키페이 결제 연동 id}": DEMO.id,
    "{주문번호}": orderNo,
    "{상품명}": "쿠키 정기배송",
    "{결제 금액}": "9900",
    "{결제금액}": "9900",
    "{고객명}": "홍길동",
    "{고객 e-mail}": "buyer@example.com",
    "{상품 코드}": "SUB1",
    "{결제 수단}": "CARD",
    "{고객 ID}": "guest",
    "{고객 주소}": "서울시 중구",
    "{고객 휴대폰번호}": "01012345678",
    "{결제 완료 후 리다이렉트 url}": "http://127.0.0.1:9/return",
    "{사용자 추가필드 1}": "etc1",
    "{사용자 추가필드 2}": "etc2",
    "{사용자 추가필드 3}": "etc3",
    "{사용자 추가필드 4}": "etc4",
    "{사용자 추가필드 5}": "etc5",
  };
}

function php(code, base, sb) {
  const file = path.join(tmp, `sample-${process.hrtime.bigint()}.php`);
  fs.writeFileSync(file, code);
  const args = base.startsWith("https") ? ["-d", `curl.cainfo=${sb.caPath}`, file] : [file];
  return execFileSync("php", args, { encoding: "utf8", timeout: 30000 });
}

/**
 * The cURL commands of a sample (its prose lines, like `/* 토큰 발급 API *\/`, are not shell): from a
 * line starting `curl ` to the first line that ends outside single quotes without a `\`.
 */
function curlCommands(text) {
  const commands = [];
  let current = null;
  let quotes = 0;
  for (const line of text.split("\n")) {
    if (current === null && line.startsWith("curl ")) current = [];
    if (current !== null) {
      current.push(line);
      quotes += (line.match(/'/g) || []).length;
      if (quotes % 2 === 0 && !line.trimEnd().endsWith("\\")) {
        commands.push(current.join("\n"));
        current = null;
      }
    }
  }
  return commands;
}

function shell(command, base, sb) {
  const env = { ...process.env };
  delete env.BASH_ENV;
  if (base.startsWith("https")) env.CURL_CA_BUNDLE = sb.caPath;
  return execFileSync("bash", ["--norc", "--noprofile", "-c", `${command} --silent --show-error`], {
    encoding: "utf8",
    env,
    timeout: 30000,
  });
}

function unescapeHtml(s) {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** A paid order made the way a browser would: ready, then the window's form submitted with a card. */
async function payment(base, sb, orderNo) {
  const ready = await request(`${base}/pay/ready`, {
    headers: { "Content-Type": "application/json", ApiKey: DEMO.key },
    body: JSON.stringify({ API_ID: DEMO.id, ORDERNO: orderNo, PRODUCTNAME: "쿠키", AMOUNT: "9900", BUYERNAME: "홍길동", RETURNURL: "http://127.0.0.1:9/r" }),
    ca: sb.ca,
  });
  const action = unescapeHtml(ready.text.match(/<form id="cookiepay-window" method="post" action="([^"]+)"/)[1]);
  const card = new URLSearchParams({ CARDNO: CARDS.approve, EXPIREDT: "3012", CARDAUTH: "900101", CARDPWD: "12", QUOTA: "00" });
  const ret = await request(action, { headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: card.toString(), ca: sb.ca });
  const field = (n) => unescapeHtml(ret.text.match(new RegExp(`name="${n}" value="([^"]*)"`))[1]);
  assert.equal(field("RESULTCODE"), "0000");
  return field("ENC_DATA");
}

async function decryptedTid(base, sb, enc) {
  const r = await request(`${base}/EdiAuth/cookiepay_edi_decrypt`, {
    headers: { "Content-Type": "application/json", ApiKey: DEMO.key },
    body: JSON.stringify({ API_ID: DEMO.id, ENC_DATA: enc }),
    ca: sb.ca,
  });
  return JSON.parse(r.text).decryptData.TID;
}

for (const scheme of ["http", "https"]) {
  test(`PHP /pay/ready sample over ${scheme} (no ApiKey, as printed) gets the window`, () => {
    const base = sandbox[scheme];
    const code = fill(sample("manual-ready.php"), {
      "{요청도메인}": base,
      ...orderValues(`PHP-READY-${scheme}-${Date.now()}`),
      // The manual's blank RETURNURL, filled — and the comma the printed sample lacks.
      "'RETURNURL' => '' //": "'RETURNURL' => 'http://127.0.0.1:9/return', //",
    });
    const out = php(`<?php\n${code}`, base, sandbox);
    assert.match(out, /<form id=\\?"cookiepay-window\\?"/, out.slice(0, 400));
    assert.match(out, /9,900원/);
  });

  test(`cURL /pay/ready sample over ${scheme} gets the window`, () => {
    const base = sandbox[scheme];
    const [command] = curlCommands(fill(sample("manual-ready.curl"), { "{요청도메인}": base, ...orderValues(`CURL-READY-${scheme}-${Date.now()}`) }));
    const out = shell(command, base, sandbox);
    assert.match(out, /<form id="cookiepay-window"/, out.slice(0, 400));
  });

  test(`PHP decrypt sample over ${scheme}: its own ACCEPT_NO/TID/ORDERNO branch runs and writes the payment`, async () => {
    const base = sandbox[scheme];
    const enc = await payment(base, sandbox, `PHP-DEC-${scheme}-${Date.now()}`);
    const tid = await decryptedTid(base, sandbox, enc);
    const code = fill(sample("manual-decrypt.php"), {
      "{요청도메인}": base,
      "COOKIEPAY에서 발급받은 연동키": DEMO.key,
      "cookiepayments에서 발급받은 ID": DEMO.id,
      "암호화된 응답값": enc,
    });
    // mysql_query is gone since PHP 7: a stand-in records the SQL the sample builds.
    const stub = 'function mysql_query($sql, $link) { echo "SQL>", $sql, "<SQL\\n"; return true; }\n';
    const out = php(`<?php\n${stub}${code}`, base, sandbox);
    const sql = out.match(/SQL>([\s\S]*)<SQL/);
    assert.ok(sql, `the sample's success branch did not run: ${out}`);
    assert.match(sql[1], new RegExp(`TID\\s+= '${tid}'`));
    assert.match(sql[1], /ACCEPT_NO\s+= '\d{8}'/);
    assert.match(sql[1], /ACCEPT_DATE\s+= '\d{14}'/);
    assert.match(sql[1], /BILLKEY\s+= '[a-z0-9]{20}'/);
    assert.match(sql[1], /AMOUNT\s+= '9900'/);
  });

  test(`PHP token + paycert sample over ${scheme} (domain ending in /, so //api/paycert)`, async () => {
    const base = sandbox[scheme];
    const tid = await decryptedTid(base, sandbox, await payment(base, sandbox, `PHP-CERT-${scheme}-${Date.now()}`));
    const code = fill(sample("manual-paycert.php"), {
      "{요청도메인}": `${base}/`,
      "{쿠키페이 결제 연동 id}": DEMO.id,
      "{쿠키페이 결제 연동 key}": DEMO.key,
      "{결제 후 응답받은 PG사 거래 고유번호}": tid,
    });
    const out = php(`<?php\n${code}`, base, sandbox);
    const json = JSON.parse(out.slice(out.indexOf("{"), out.lastIndexOf("}") + 1));
    assert.equal(json.RESULTCODE, "0000", out);
    assert.equal(json.TID, tid);
    assert.equal(json.AMOUNT, "9900");
    assert.equal(json.PAYMETHOD, "CARD_BATCH");
  });

  test(`cURL token + paycert sample over ${scheme}`, async () => {
    const base = sandbox[scheme];
    const tid = await decryptedTid(base, sandbox, await payment(base, sandbox, `CURL-CERT-${scheme}-${Date.now()}`));
    const text = sample("manual-paycert.curl");
    const [tokenCmd] = curlCommands(text);
    const token = JSON.parse(
      shell(fill(tokenCmd, { "{요청도메인}": base, "{쿠키페이 결제 연동 id}": DEMO.id, "{쿠키페이 결제 연동 key}": DEMO.key }), base, sandbox)
    );
    assert.equal(token.RTN_CD, "0000");
    const [, certCmd] = curlCommands(text);
    const cert = JSON.parse(
      shell(fill(certCmd, { "{요청도메인}": base, "{TOKEN API통해 발행된 TOKEN 값}": token.TOKEN, "{결제 후 응답받은 PG 거래 고유번호}": tid }), base, sandbox)
    );
    assert.equal(cert.RESULTCODE, "0000");
    assert.equal(cert.TID, tid);
  });
}

test("with --spelling table the decrypt sample's ACCEPT_NO branch does not run (why the default is the recorded spelling)", async () => {
  const base = tableSandbox.http;
  const enc = await payment(base, tableSandbox, `PHP-DEC-TABLE-${Date.now()}`);
  const code = fill(sample("manual-decrypt.php"), {
    "{요청도메인}": base,
    "COOKIEPAY에서 발급받은 연동키": DEMO.key,
    "cookiepayments에서 발급받은 ID": DEMO.id,
    "암호화된 응답값": enc,
  });
  const stub = 'function mysql_query($sql, $link) { echo "SQL>", $sql, "<SQL\\n"; return true; }\n';
  const out = php(`<?php\n${stub}${code}`, base, tableSandbox);
  assert.doesNotMatch(out, /SQL>/);
});
