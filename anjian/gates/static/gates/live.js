/* Live pages of the second gate over server-sent events: the headcount page updates its numbers in place;
   an open roll call reloads when its state changes. The stream URL comes from the page's data-stream-url. */
(function () {
  var src = document.querySelector("[data-headcount-stream]");
  if (!src) return;
  var levels = {over: ["danger", "超员"], full: ["danger", "满员"], warn: ["warning", "即将满员"], ok: ["success", "正常"]};
  function set(sel, v) { var el = document.querySelector(sel); if (el) el.textContent = v; }
  function apply(d) {
    set("[data-total]", d.total);
    Object.keys(d.by_category).forEach(function (k) { set('[data-cat="' + k + '"]', d.by_category[k]); });
    d.enterprises.forEach(function (e) {
      set('[data-ent="' + e.enterprise_id + '"]', e.headcount);
      e.zones.forEach(function (z) {
        set('[data-zone="' + z.zone_id + '"]', z.headcount);
        Object.keys(z.by_category).forEach(function (k) { set('[data-zcat="' + z.zone_id + "-" + k + '"]', z.by_category[k]); });
        var b = document.querySelector('[data-level="' + z.zone_id + '"]');
        if (b) { b.className = "badge badge-" + levels[z.level][0]; b.textContent = levels[z.level][1]; }
      });
    });
    var ul = document.querySelector("[data-alarms]");
    if (ul) {
      ul.innerHTML = "";
      if (!d.alarms.length) { var li = document.createElement("li"); li.className = "muted"; li.textContent = "暂无告警"; ul.appendChild(li); }
      d.alarms.forEach(function (a) {
        var li = document.createElement("li"), s = document.createElement("span");
        s.className = "badge badge-" + a.level; s.textContent = a.title; li.appendChild(s);
        li.appendChild(document.createTextNode(" " + a.detail)); ul.appendChild(li);
      });
    }
  }
  if (window.EventSource) {
    var es = new EventSource(src.getAttribute("data-stream-url"));
    es.onmessage = function (m) { apply(JSON.parse(m.data)); };
  } else { setTimeout(function () { location.reload(); }, 10000); }
})();

(function () {
  var src = document.querySelector("[data-rollcall-stream]");
  if (!src) return;
  if (!window.EventSource) { setTimeout(function () { location.reload(); }, 5000); return; }
  // The state the page was rendered with (what the stream sends): a change between the page and the stream's
  // first message reloads too. Without it, the first message is the starting state.
  var first = src.getAttribute("data-state"), es = new EventSource(src.getAttribute("data-stream-url"));
  es.onmessage = function (m) {
    var d = JSON.parse(m.data);
    if (first === null) { first = m.data; }
    else if (m.data !== first) { es.close(); location.reload(); }
  };
})();
