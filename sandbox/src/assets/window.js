(function () {
  "use strict";
  var form = document.getElementById("cookiepay-window");
  if (!form || form.getAttribute("data-armed")) return;
  form.setAttribute("data-armed", "1");
  var box = document.getElementById("cookiepay-window-box");
  function digits(v) { return v.replace(/[\s-]/g, ""); }
  function luhn(d) {
    var sum = 0;
    for (var i = 0; i < d.length; i++) {
      var n = d.charCodeAt(d.length - 1 - i) - 48;
      if (i % 2 === 1) { n *= 2; if (n > 9) n -= 9; }
      sum += n;
    }
    return sum % 10 === 0;
  }
  var rules = {
    CARDNO: function (v) {
      var d = digits(v);
      if (!d) return "카드번호를 입력해 주세요.";
      if (!/^[0-9]{12,19}$/.test(d) || !luhn(d)) return "카드번호를 다시 확인해 주세요.";
      return "";
    },
    EXPIREDT: function (v) {
      if (!/^[0-9]{4}$/.test(v)) return "유효기간을 YYMM 4자리로 입력해 주세요.";
      var m = parseInt(v.slice(2), 10);
      if (m < 1 || m > 12) return "월(MM)은 01~12 사이여야 합니다.";
      return "";
    },
    CARDAUTH: function (v) {
      return /^[0-9]{6}$/.test(v) ? "" : "생년월일 6자리(YYMMDD)를 입력해 주세요.";
    },
    CARDPWD: function (v) {
      return /^[0-9]{2}$/.test(v) ? "" : "비밀번호 앞 2자리를 입력해 주세요.";
    }
  };
  function check(name) {
    var input = form.elements[name];
    var msg = rules[name](input.value.trim());
    document.getElementById("cpw-" + name + "-error").textContent = msg;
    input.setAttribute("aria-invalid", msg ? "true" : "false");
    return !msg;
  }
  Object.keys(rules).forEach(function (name) {
    form.elements[name].addEventListener("blur", function () { if (this.value) check(name); });
    form.elements[name].addEventListener("input", function () {
      if (this.getAttribute("aria-invalid") === "true") check(name);
    });
  });
  form.addEventListener("submit", function (e) {
    var first = null;
    Object.keys(rules).forEach(function (name) {
      if (!check(name) && !first) first = form.elements[name];
    });
    if (first) { e.preventDefault(); first.focus(); return; }
    var pay = form.querySelector(".cpw-pay");
    pay.disabled = true;
    pay.textContent = "결제 요청 중…";
  });
  // Abandon: nothing is sent anywhere (RETURNURL receives nothing; the window later expires).
  function close() {
    var lib = window.cookiepayments;
    if (lib && typeof lib.close === "function" && lib.close()) return;
    if (window.opener) { window.close(); return; }
    if (history.length > 1) history.back();
    else if (box) box.innerHTML = "<p class=\"cpw-sandbox\">결제를 취소했습니다. 이 창을 닫아 주세요.</p>";
  }
  var closers = box ? box.querySelectorAll("[data-cookiepay-close]") : [];
  for (var i = 0; i < closers.length; i++) closers[i].addEventListener("click", close);
})();
