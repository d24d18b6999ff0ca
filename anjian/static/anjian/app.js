/* Anjian page behaviour that the Content-Security-Policy allows (no inline scripts, no inline handlers).
   Templates declare behaviour with data attributes:
   - data-confirm="…" on a form (asked before it submits) or on a button/link (asked before the click acts);
   - data-autosubmit on a select or input: a change submits its form;
   - data-print on a button: prints the page;
   - data-locate="#lon,#lat" on a button: fills the two inputs with the device position (WGS84, 6 decimals);
     with data-locate-auto the position is asked for when the page opens, and data-locate-status="#id"
     names an element that says what happened.
   Live values poll only while the tab is visible (see the htmx:beforeRequest listener below). */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form && form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  }, true);

  document.addEventListener("click", function (event) {
    var el = event.target && event.target.closest && event.target.closest("button[data-confirm], a[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    var printer = event.target && event.target.closest && event.target.closest("[data-print]");
    if (printer) {
      event.preventDefault();
      window.print();
      return;
    }
    var locator = event.target && event.target.closest && event.target.closest("[data-locate]");
    if (locator) {
      event.preventDefault();
      locate(locator);
    }
  });

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
      el.form.submit();
    }
  });

  function locate(el) {
    var targets = (el.getAttribute("data-locate") || "").split(",");
    var lon = document.querySelector(targets[0]), lat = document.querySelector(targets[1]);
    var statusSel = el.getAttribute("data-locate-status");
    var status = statusSel ? document.querySelector(statusSel) : null;
    function say(text) { if (status) status.textContent = text; }
    if (!lon || !lat) return;
    if (!navigator.geolocation) { say("本设备不提供定位，记录将不含位置。"); return; }
    navigator.geolocation.getCurrentPosition(function (p) {
      lon.value = p.coords.longitude.toFixed(6);
      lat.value = p.coords.latitude.toFixed(6);
      say("已获取位置：" + p.coords.longitude.toFixed(5) + ", " + p.coords.latitude.toFixed(5));
    }, function () { say("未获取位置，记录将不含位置。"); }, {timeout: 8000});
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-locate][data-locate-auto]"), locate);
  });

  /* Live values ({% live %}) poll only while the tab is visible: a hidden tab's poll is cancelled. */
  document.addEventListener("htmx:beforeRequest", function (event) {
    var el = event.target;
    if (document.visibilityState !== "visible" && el && el.hasAttribute && el.hasAttribute("data-live")) {
      event.preventDefault();
    }
  });
})();
