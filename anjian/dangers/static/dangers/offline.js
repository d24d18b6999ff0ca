/* Weak-network support for the phone pages of 隐患排查治理 (no network needed to load: served with the app).
 *
 * anjianDraft(form, bound): every change of the report form is kept in localStorage; an unsent draft is
 * restored when the page opens again (the server also re-renders a refused submit with what was typed).
 * The draft is cleared when the danger page that follows a successful report is shown (?sent=1).
 *
 * anjianChecklist(form, doneUrl): the checklist is answered offline-first. Submitting puts the record in
 * a localStorage queue with its client_token and tries to send it as JSON; when the network is down it
 * stays queued and is resent on the "online" event and every 20 s. The server stores one record per
 * client_token, so a record sent twice is stored once.
 *
 * The pages declare them (no inline script, for the Content-Security-Policy): the report form carries
 * data-draft-key and data-bound, the checklist form id="checklist-form" and data-done-url.
 */
(function () {
  "use strict";
  var QUEUE = "anjian-inspection-queue";

  function fields(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.name === "csrfmiddlewaretoken") return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      data[el.name] = el.value;
    });
    return data;
  }

  function restore(form, data) {
    Object.keys(data).forEach(function (name) {
      var els = form.querySelectorAll('[name="' + name + '"]');
      Array.prototype.forEach.call(els, function (el) {
        if (el.type === "radio" || el.type === "checkbox") el.checked = el.value === data[name];
        else if (el.type !== "file" && el.type !== "hidden") el.value = data[name];
      });
    });
  }

  window.anjianDraft = function (form, bound) {
    if (!form || !window.localStorage) return;
    var key = form.getAttribute("data-draft-key");
    var saved = localStorage.getItem(key);
    if (saved && !bound) {
      try { restore(form, JSON.parse(saved)); document.getElementById("draft-note").hidden = false; } catch (e) { /* ignore */ }
    }
    var save = function () { localStorage.setItem(key, JSON.stringify(fields(form))); };
    form.addEventListener("input", save);
    form.addEventListener("change", save);
  };

  window.anjianClearDraft = function (key) { if (window.localStorage) localStorage.removeItem(key); };

  function queue() { try { return JSON.parse(localStorage.getItem(QUEUE) || "[]"); } catch (e) { return []; } }
  function setQueue(q) { localStorage.setItem(QUEUE, JSON.stringify(q)); }

  function send(entry) {
    return fetch(entry.endpoint, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": entry.csrf},
      body: JSON.stringify(entry.body)
    });
  }

  /* Send every queued record; resolves to {sent, failed: [{entry, detail}], offline}. Flushes run one after
   * another, never at once (the "online" event, the timer and a submit can coincide): each call waits for the
   * running one, then sends what is still queued, so a record is never posted twice at the same moment. */
  var last = Promise.resolve();
  window.anjianFlush = function () {
    var next = last.then(flushOnce, flushOnce);
    last = next.catch(function () { /* the next flush runs anyway */ });
    return next;
  };

  function flushOnce() {
    var q = queue();
    var result = {sent: 0, failed: [], offline: false};
    var chain = Promise.resolve();
    q.forEach(function (entry) {
      chain = chain.then(function () {
        if (result.offline) return;
        return send(entry).then(function (resp) {
          if (resp.ok) { result.sent += 1; setQueue(queue().filter(function (e) { return e.body.client_token !== entry.body.client_token; })); return; }
          return resp.json().then(function (body) {
            result.failed.push({entry: entry, detail: body.detail || "提交失败"});
            setQueue(queue().filter(function (e) { return e.body.client_token !== entry.body.client_token; }));
          }, function () { result.offline = true; });
        }, function () { result.offline = true; });
      });
    });
    return chain.then(function () { return result; });
  }

  window.anjianChecklist = function (form, doneUrl) {
    if (!form || !window.fetch || !window.localStorage) return;
    var draftKey = "anjian-checklist:" + form.getAttribute("data-endpoint");
    var saved = localStorage.getItem(draftKey);
    if (saved) { try { restore(form, JSON.parse(saved)); } catch (e) { /* ignore */ } }
    var save = function () { localStorage.setItem(draftKey, JSON.stringify(fields(form))); };
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    var note = document.getElementById("queue-note");
    var retry = function () {
      if (!queue().length) return;
      window.anjianFlush().then(function (r) { note.hidden = !r.offline && !queue().length; });
    };
    window.addEventListener("online", retry);
    setInterval(retry, 20000);
    retry();
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var data = fields(form);
      var items = [];
      Array.prototype.forEach.call(form.querySelectorAll(".check-item"), function (fs, i) {
        items.push({
          measure: fs.getAttribute("data-measure") ? parseInt(fs.getAttribute("data-measure"), 10) : null,
          content: fs.getAttribute("data-content"),
          result: data["result_" + i] || "",
          note: data["note_" + i] || ""
        });
      });
      var entry = {
        endpoint: form.getAttribute("data-endpoint"),
        csrf: form.querySelector("[name=csrfmiddlewaretoken]").value,
        body: {client_token: form.getAttribute("data-token"), items: items, note: data.note || "", checked_at: new Date().toISOString()}
      };
      var q = queue().filter(function (e) { return e.body.client_token !== entry.body.client_token; });
      q.push(entry);
      setQueue(q);
      window.anjianFlush().then(function (r) {
        if (r.failed.length) {
          alert(r.failed.map(function (f) { return f.detail; }).join("\n"));
          return;
        }
        if (r.offline) { note.hidden = false; return; }
        localStorage.removeItem(draftKey);
        window.location.href = doneUrl;
      });
    });
  };
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-clear-draft]"), function (el) {
      window.anjianClearDraft(el.getAttribute("data-clear-draft"));
    });
    var report = document.getElementById("report-form");
    if (report && report.hasAttribute("data-draft-key")) window.anjianDraft(report, report.getAttribute("data-bound") === "true");
    var checklist = document.getElementById("checklist-form");
    if (checklist) window.anjianChecklist(checklist, checklist.getAttribute("data-done-url"));
  });
})();
