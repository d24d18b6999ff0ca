/* 报警台: polls the alarm feed every second, redraws the rows when they change, beeps (mutable) on a new
   unacknowledged alarm. The feed URL comes from the rows' data-feed-url. */
(function () {
  var rows = document.getElementById("alarm-rows"), btn = document.getElementById("mute"), status = document.getElementById("live-status");
  var version = rows.dataset.version, muted = localStorage.getItem("anjian.alarm.muted") === "1", ctx = null;
  var seen = {}; rows.querySelectorAll("tr.unacked").forEach(function (tr) { seen[tr.dataset.id] = true; });
  function label() { btn.textContent = muted ? "声音：关" : "声音：开"; }
  label();
  btn.addEventListener("click", function () { muted = !muted; localStorage.setItem("anjian.alarm.muted", muted ? "1" : "0"); label(); });
  function beep() {
    if (muted) return;
    try {
      ctx = ctx || new (window.AudioContext || window.webkitAudioContext)();
      [0, 0.35].forEach(function (t) {
        var o = ctx.createOscillator(), g = ctx.createGain();
        o.frequency.value = 880; g.gain.value = 0.15; o.connect(g); g.connect(ctx.destination);
        o.start(ctx.currentTime + t); o.stop(ctx.currentTime + t + 0.2);
      });
    } catch (e) {}
  }
  function poll() {
    fetch(rows.dataset.feedUrl + "?v=" + encodeURIComponent(version), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (d) {
        status.textContent = "实时";
        version = d.version;
        if (!d.changed) return;
        rows.innerHTML = d.html;
        var fresh = d.unacked.filter(function (id) { return !seen[id]; });
        d.unacked.forEach(function (id) { seen[id] = true; });
        if (fresh.length) beep();
      })
      .catch(function () { status.textContent = "连接中断，重试中…"; })
      .finally(function () { setTimeout(poll, 1000); });
  }
  setTimeout(poll, 1000);
})();
