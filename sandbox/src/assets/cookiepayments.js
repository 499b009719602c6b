/*
 * cookiepayments-1.1.3.js as served by cookiepay-sandbox: the browser API the CookiePay manual
 * documents (정기결제 인증방식 › JAVASCRIPT), written for the sandbox — not the vendor's file.
 *
 *   cookiepayments.init({ api_id: "..." });        // the 연동 id only: never the key
 *   cookiepayments.payrequest({ ORDERNO, PRODUCTNAME, AMOUNT, BUYERNAME, RETURNURL, ... });
 *
 * payrequest POSTs the order (form-urlencoded, API_ID from init, no ApiKey) to {요청도메인}/pay/ready
 * and shows the payment window: as a layer inside <div id="cookiepayform"> when the page has one,
 * else in a new window (opened during the click, so popup blockers allow it; a layer if blocked).
 * The buyer's result is form-posted to RETURNURL by the window; closing the window sends nothing.
 * Errors (JSON RTN_CD/RTN_MSG) are shown with alert() and as a "cookiepay:error" event on document;
 * closing the layer fires "cookiepay:close". jQuery is not needed (the manual's pages load it anyway).
 */
(function (global) {
  "use strict";
  var doc = global.document;
  var script = doc.currentScript;
  if (!script) {
    // Loaded in a way that leaves no currentScript: find ourselves by name.
    var all = doc.getElementsByTagName("script");
    for (var n = all.length - 1; n >= 0 && !script; n--) {
      if (/\/js\/cookiepayments-[0-9.]+\.js/.test(all[n].src)) script = all[n];
    }
  }
  var origin = "";
  if (script && script.src) {
    var a = doc.createElement("a");
    a.href = script.src;
    origin = a.protocol + "//" + a.host;
  }
  var state = { apiId: "", layer: null };
  var SECRET_NAMES = ["api_key", "apikey", "ApiKey", "API_KEY", "pay2_key"];

  function warn(msg) {
    if (global.console && global.console.warn) global.console.warn("[cookiepayments] " + msg);
  }
  function fire(name, detail) {
    var ev;
    try {
      ev = new global.CustomEvent(name, { detail: detail });
    } catch (e) {
      ev = doc.createEvent("CustomEvent");
      ev.initCustomEvent(name, false, false, detail);
    }
    doc.dispatchEvent(ev);
  }
  function encode(k, v) {
    return encodeURIComponent(k) + "=" + encodeURIComponent(v);
  }
  function errorOf(text) {
    var t = (text || "").replace(/^\s+/, "");
    if (t.charAt(0) !== "{") return null;
    try {
      var v = JSON.parse(t);
      return { code: String(v.RTN_CD || v.RESULTCODE || ""), message: String(v.RTN_MSG || v.RESULTMSG || "") };
    } catch (e) {
      return null;
    }
  }
  function fail(popup, detail) {
    if (popup && !popup.closed) popup.close();
    fire("cookiepay:error", detail);
    global.alert(detail.code ? "[" + detail.code + "] " + detail.message : detail.message);
  }

  function showLayer(target, html) {
    var parsed = new global.DOMParser().parseFromString(html, "text/html");
    var box = parsed.querySelector(".cookiepay-window");
    if (!box) return false;
    if (!target) {
      target = doc.createElement("div");
      target.id = "cookiepayform";
      doc.body.appendChild(target);
    }
    api.close();
    var layer = doc.createElement("div");
    layer.className = "cookiepay-layer";
    layer.setAttribute(
      "style",
      "position:fixed;top:0;right:0;bottom:0;left:0;z-index:2147483000;overflow-y:auto;" +
        "-webkit-overflow-scrolling:touch;background:rgba(15,23,42,.55)"
    );
    var styles = parsed.querySelectorAll("style");
    for (var i = 0; i < styles.length; i++) layer.appendChild(doc.importNode(styles[i], true));
    layer.appendChild(doc.importNode(box, true));
    target.appendChild(layer);
    state.layer = layer;
    // Scripts inserted as markup do not run: run the window's own script as a fresh element.
    var scripts = parsed.querySelectorAll("script");
    for (var j = 0; j < scripts.length; j++) {
      var s = doc.createElement("script");
      s.text = scripts[j].text;
      layer.appendChild(s);
    }
    var first = layer.querySelector("input[name=CARDNO]");
    if (first) first.focus();
    return true;
  }

  var api = {
    version: "1.1.3-sandbox",

    init: function (options) {
      options = options || {};
      for (var i = 0; i < SECRET_NAMES.length; i++) {
        if (options[SECRET_NAMES[i]]) {
          warn("init: " + SECRET_NAMES[i] + " is ignored. 연동키(시크릿)는 서버에만 두세요: " +
            "페이지의 스크립트는 누구나 읽을 수 있습니다. api_id 만으로 결제창이 열립니다.");
        }
      }
      state.apiId = String(options.api_id || "");
      if (!state.apiId) warn("init: api_id (쿠키페이 결제 연동 id) is missing");
    },

    payrequest: function (params) {
      params = params || {};
      if (!state.apiId) {
        fail(null, { code: "", message: "쿠키페이: cookiepayments.init({ api_id }) 를 먼저 호출해 주세요." });
        return false;
      }
      var pairs = [encode("API_ID", state.apiId)];
      for (var k in params) {
        if (!Object.prototype.hasOwnProperty.call(params, k) || k === "API_ID") continue;
        if (SECRET_NAMES.indexOf(k) >= 0) {
          warn("payrequest: " + k + " is not sent. Never put the secret key in a page.");
          continue;
        }
        var v = params[k];
        if (v === undefined || v === null) continue;
        pairs.push(encode(k, String(v)));
      }
      var target = doc.getElementById("cookiepayform");
      var popup = null;
      if (!target) {
        popup = global.open("", "cookiepayments", "width=480,height=780,scrollbars=yes,resizable=yes");
        if (popup) {
          popup.document.write("<!DOCTYPE html><meta charset=\"utf-8\"><title>쿠키페이 결제</title>" +
            "<p style=\"font-family:sans-serif;text-align:center;margin-top:40vh\">결제창을 여는 중입니다…</p>");
        }
      }
      var xhr = new global.XMLHttpRequest();
      xhr.open("POST", origin + "/pay/ready", true);
      xhr.setRequestHeader("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8");
      xhr.onload = function () {
        var text = xhr.responseText;
        var err = errorOf(text);
        if (xhr.status !== 200 || err) {
          fail(popup, err || { code: "", message: "결제창을 열 수 없습니다 (HTTP " + xhr.status + ")." });
          return;
        }
        if (popup && !popup.closed) {
          popup.document.open();
          popup.document.write(text);
          popup.document.close();
          popup.focus();
        } else if (!showLayer(target, text)) {
          fail(null, { code: "", message: "결제창을 표시할 수 없습니다." });
        }
      };
      xhr.onerror = function () {
        fail(popup, { code: "", message: "결제창을 열 수 없습니다. 네트워크 연결을 확인해 주세요." });
      };
      xhr.send(pairs.join("&"));
      return true;
    },

    /** Closes the layer window (the buyer abandons): nothing is sent to RETURNURL. */
    close: function () {
      if (!state.layer) return false;
      if (state.layer.parentNode) state.layer.parentNode.removeChild(state.layer);
      state.layer = null;
      fire("cookiepay:close", {});
      return true;
    }
  };

  global.cookiepayments = api;
})(window);
