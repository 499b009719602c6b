// A merchant for the manual's browser samples: serves the HTML sample and the JSP sample (rendered
// the way a JSP engine would), and a RETURNURL that does what the manual says a shop must —
// decrypt ENC_DATA with the key on the server, verify with a TOKEN + paycert, compare the amount
// with the stored order — and shows the buyer the result. Records every post it receives.
"use strict";

const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");
const { DEMO, postJson } = require("./harness");

const SAMPLES = path.join(__dirname, "..", "samples");

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

/** The HTML sample with its blanks filled: the request domain and the 연동 id. Nothing else changes. */
function manualHtml(domain) {
  return fs
    .readFileSync(path.join(SAMPLES, "manual-ready.html"), "utf8")
    .replaceAll("{요청도메인}", domain)
    .replaceAll("abcde12345", DEMO.id);
}

/** The JSP sample as Tomcat would render it: directives and the scriptlet run, `<%=X%>` substituted. */
function manualJsp(domain, values) {
  const src = fs.readFileSync(path.join(SAMPLES, "manual-ready.jsp"), "utf8");
  const declared = {};
  for (const m of src.matchAll(/^(?:String|int)\s+(\w+)\s*=\s*"?([^";]*)"?;/gm)) declared[m[1]] = m[2];
  const vars = { ...declared, ...values };
  return src
    .replace(/<%@[^%]*%>\n?/g, "")
    .replace(/<%\n[\s\S]*?\n%>\n?/, "")
    .replace(/<%=(\w+)%>/g, (_, name) => escapeHtml(vars[name] ?? ""))
    .replaceAll("{요청도메인}", domain)
    .replaceAll("쿠키페이 결제 연동 id", DEMO.id);
}

function page(title, result, body) {
  return `<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:"Noto Sans CJK KR",sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}h1{font-size:1.4rem}dt{color:#555}</style></head>
<body><h1 id="result" data-result="${result}">${escapeHtml(title)}</h1>${body}</body></html>`;
}

/**
 * Starts the shop on 127.0.0.1. `gateway` is the sandbox base URL its server talks to (with `ca`).
 * `orders` maps ORDERNO → the amount the shop stored before opening the window.
 */
async function startShop({ gateway, ca, pageDomain }) {
  const shop = { posts: [], orders: new Map(), url: "" };
  const server = http.createServer(async (req, res) => {
    const u = new URL(req.url, "http://shop");
    const send = (status, html) => {
      res.writeHead(status, { "Content-Type": "text/html; charset=utf-8" });
      res.end(html);
    };
    try {
      if (req.method === "GET" && u.pathname === "/manual.html") return send(200, manualHtml(pageDomain));
      if (req.method === "GET" && u.pathname === "/manual.jsp") {
        const values = { RETURNURL: `${shop.url}/return` };
        for (const [k, v] of u.searchParams) values[k] = v;
        return send(200, manualJsp(pageDomain, values));
      }
      if (req.method === "POST" && u.pathname === "/return") {
        const chunks = [];
        for await (const c of req) chunks.push(c);
        const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
        const post = Object.fromEntries(form);
        shop.posts.push(post);
        if (post.RESULTCODE !== "0000") {
          return send(200, page("결제 실패", "declined", `<p id="reason">${escapeHtml(post.RESULTMSG)} (${escapeHtml(post.RESULTCODE)})</p>`));
        }
        // The browser's word proves nothing: decrypt, then verify with paycert, then compare.
        const dec = await postJson(`${gateway}/EdiAuth/cookiepay_edi_decrypt`, { ApiKey: DEMO.key }, { API_ID: DEMO.id, ENC_DATA: post.ENC_DATA }, ca);
        const d = dec.decryptData || {};
        const token = await postJson(`${gateway}/payAuth/token`, {}, { pay2_id: DEMO.id, pay2_key: DEMO.key }, ca);
        const cert = await postJson(`${gateway}/api/paycert`, { TOKEN: token.TOKEN }, { tid: d.TID }, ca);
        const expected = shop.orders.get(cert.ORDERNO);
        if (cert.RESULTCODE !== "0000" || expected === undefined || String(expected) !== cert.AMOUNT) {
          return send(409, page("결제 확인 실패", "mismatch", `<p>${escapeHtml(JSON.stringify(cert))}</p>`));
        }
        shop.orders.set(cert.ORDERNO, "paid");
        return send(
          200,
          page(
            "결제 완료",
            "paid",
            `<dl><dt>주문번호</dt><dd id="orderno">${escapeHtml(cert.ORDERNO)}</dd><dt>결제금액</dt><dd id="amount">${escapeHtml(Number(cert.AMOUNT).toLocaleString("ko-KR"))}원</dd>` +
              `<dt>승인번호</dt><dd id="acceptno">${escapeHtml(d.ACCEPT_NO || d.ACCEPTNO || "")}</dd><dt>TID</dt><dd id="tid">${escapeHtml(cert.TID)}</dd>` +
              `<dt>결제수단</dt><dd>${escapeHtml(cert.PAYMETHOD)} · ${escapeHtml(cert.CARDNAME)}</dd></dl>`
          )
        );
      }
      send(404, page("없는 페이지", "404", ""));
    } catch (e) {
      send(500, page("오류", "error", `<pre>${escapeHtml(e.stack)}</pre>`));
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  shop.url = `http://127.0.0.1:${server.address().port}`;
  shop.stop = () => new Promise((resolve) => server.close(resolve));
  return shop;
}

module.exports = { startShop, manualHtml, manualJsp };
