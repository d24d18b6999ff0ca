/* The park map component (geo/_map.html): vector layers from /api/v1/geo/layers/<key>/?bbox=…,
 * drawn on a clean background (or offline MBTiles), with scale bar, north arrow, one panel that is both
 * the layer switcher and the legend (each switched-on layer shows its legend under its name), and
 * popups (loaded on click for layers with many features). No request leaves the server this page came from.
 *
 * The element gets data-loading (requests in flight), data-drawn (incremented each time the visible layers
 * are loaded and drawn) and data-drawn-at (ms since navigation start, for bench/bench_geo.py), and fires
 * "anjian:map-ready" and "anjian:map-drawn". */
(function () {
  "use strict";

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function popupHtml(p) {
    var html = '<div class="geo-popup"><div class="geo-popup-title">' + esc(p.name || "") + "</div>";
    if (p.popup && p.popup.length) {
      html += "<table>";
      p.popup.forEach(function (row) {
        html += "<tr><th>" + esc(row[0]) + "</th><td>" + esc(row[1]) + "</td></tr>";
      });
      html += "</table>";
    }
    if (p.note) html += '<div class="geo-popup-note">' + esc(p.note) + "</div>";
    if (p.url) html += '<a class="geo-popup-link" href="' + esc(p.url) + '">详情 ›</a>';
    return html + "</div>";
  }

  // Metres per screen pixel at a latitude and zoom (Web Mercator, 256 px tiles).
  function metresPerPixel(map, lat) {
    return (40075016.686 * Math.cos((lat * Math.PI) / 180)) / Math.pow(2, map.getZoom() + 8);
  }

  var NorthArrow = L.Control.extend({
    options: { position: "topleft" },
    onAdd: function () {
      var div = L.DomUtil.create("div", "geo-north");
      div.title = "上方为正北";
      div.innerHTML =
        '<svg viewBox="0 0 24 36" width="20" height="30" aria-hidden="true">' +
        '<polygon points="12,2 20,26 12,21 4,26" fill="#1f2933"/>' +
        '<polygon points="12,2 12,21 4,26" fill="#fff" stroke="#1f2933" stroke-width="1"/></svg>' +
        "<span>北</span>";
      return div;
    },
  });

  // The layer panel: groups of layers with a checkbox each; a switched-on layer shows its legend.
  var Panel = L.Control.extend({
    options: { position: "topright", open: true },
    onAdd: function (map) {
      var box = L.DomUtil.create("div", "geo-panel");
      var toggle = L.DomUtil.create("button", "geo-panel-toggle", box);
      toggle.type = "button";
      toggle.innerHTML = '<span aria-hidden="true">☰</span> 图层与图例';
      var body = L.DomUtil.create("div", "geo-panel-body", box);
      this._box = box;
      this._body = body;
      this._toggle = toggle;
      this.setOpen(this.options.open);
      L.DomEvent.on(toggle, "click", function () { this.setOpen(!this._open); }, this);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    },
    setOpen: function (open) {
      this._open = open;
      this._box.classList.toggle("geo-panel-open", open);
      this._toggle.setAttribute("aria-expanded", open ? "true" : "false");
      this._toggle.title = open ? "收起图层与图例" : "展开图层与图例";
    },
    fit: function (height) {
      this._body.style.maxHeight = Math.max(120, height - 70) + "px";
    },
  });

  function legendHtml(meta) {
    return meta.legend.map(function (item) {
      return '<span class="geo-legend-row"><i class="geo-swatch geo-swatch-' + esc(meta.geometry) + '" style="--c:' + esc(item[0]) + '"></i>' + esc(item[1]) + "</span>";
    }).join("");
  }

  function init(el) {
    if (el._anjianMap) return;
    var cfg = JSON.parse(document.getElementById(el.dataset.config).textContent);
    var narrow = el.clientWidth < 760 || el.clientHeight < 400;
    var map = L.map(el, { preferCanvas: true, zoomSnap: 0.5, attributionControl: false, minZoom: 7, maxZoom: 19 });
    el._anjianMap = map;
    var renderer = L.canvas({ padding: 0.3, tolerance: 6 });
    if (cfg.tiles) {
      L.tileLayer(cfg.tiles, { minZoom: cfg.tiles_min_zoom || 0, maxZoom: 19, maxNativeZoom: cfg.tiles_max_zoom || 18 }).addTo(map);
      el.classList.add("geo-has-tiles");
    }
    var panelOpen = cfg.panel === "open" || (cfg.panel !== "closed" && !narrow);
    var b = cfg.bbox;
    if (cfg.focus) map.setView([cfg.focus.lat, cfg.focus.lon], cfg.focus.zoom);
    // The open panel covers the right-hand side: keep the opening view clear of it.
    else map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { paddingTopLeft: [10, 10], paddingBottomRight: [panelOpen && el.clientWidth > 900 ? 260 : 10, 10] });

    new NorthArrow().addTo(map);
    L.control.scale({ imperial: false, metric: true, maxWidth: 160 }).addTo(map);
    var panel = new Panel({ open: panelOpen }).addTo(map);
    panel.fit(el.clientHeight);

    var state = {}; // key → {meta, group, loaded: LatLngBounds|null, pending}
    var order = cfg.layers.slice().sort(function (a, b) { return a.order - b.order; });
    // Offline imagery replaces the drawn base map: its layers start switched off (they stay in the panel).
    if (cfg.tiles) order.forEach(function (m) { if (m.group === "底图") m.default_visible = false; });
    var hover = L.tooltip({ direction: "top", offset: [0, -4], opacity: 0.95 });

    function styleFor(meta) {
      return function (f) {
        var p = f.properties || {};
        var c = p.colour || "#1d5fbf";
        if (meta.geometry === "polygon") {
          return { color: c, weight: p.weight != null ? p.weight : 1.5, fillColor: c, fillOpacity: p.fill_opacity != null ? p.fill_opacity : 0.18, dashArray: p.dash || null, renderer: renderer };
        }
        if (meta.geometry === "line") {
          var w = 3;
          if (p.width_m) w = Math.max(2, Math.min(40, p.width_m / metresPerPixel(map, map.getCenter().lat)));
          return { color: c, weight: w, opacity: 0.9, dashArray: p.dash || null, lineCap: "butt", renderer: renderer };
        }
        return { color: "#fff", weight: 1.5, fillColor: c, fillOpacity: 0.95, renderer: renderer };
      };
    }

    function openPopup(meta, layer, latlng) {
      var f = layer.feature || {};
      var p = f.properties || {};
      var at = layer.getLatLng ? layer.getLatLng() : latlng;
      var popup = L.popup({ maxWidth: 300, autoPanPaddingTopLeft: [10, 10] }).setLatLng(at);
      if (!meta.lazy_popup || f.id == null || p.popup) {
        popup.setContent(popupHtml(p)).openOn(map);
        return;
      }
      popup.setContent(popupHtml({ name: p.name, note: "正在加载…" })).openOn(map);
      var url = cfg.api + encodeURIComponent(meta.key) + "/features/" + encodeURIComponent(f.id) + "/";
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) {
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.json();
        })
        .then(function (data) { popup.setContent(popupHtml(data)); })
        .catch(function () { popup.setContent(popupHtml({ name: p.name, note: "详情加载失败，请稍后重试" })); });
    }

    order.forEach(function (meta) {
      var g = L.geoJSON(null, {
        style: styleFor(meta),
        pointToLayer: function (f, latlng) {
          var hi = cfg.highlight && String(f.id) === cfg.highlight;
          return L.circleMarker(latlng, { radius: hi ? 10 : 6, renderer: renderer });
        },
      });
      // One tooltip and one popup per map, opened from the group: no per-feature handlers to build.
      g.on("mouseover", function (e) {
        var p = e.layer.feature && e.layer.feature.properties;
        if (!p || !p.name) return;
        hover.setContent(esc(p.name)).setLatLng(e.layer.getLatLng ? e.layer.getLatLng() : e.latlng);
        map.openTooltip(hover);
      });
      g.on("mouseout", function () { map.closeTooltip(hover); });
      g.on("click", function (e) {
        if (el.dataset.editor === "ready") return; // the editor uses clicks to draw
        openPopup(meta, e.layer, e.latlng);
      });
      state[meta.key] = { meta: meta, group: g, loaded: null, pending: null };
      if (meta.default_visible) g.addTo(map);
    });
    el._anjianLayers = state;

    function visibleKeys() {
      return order.filter(function (m) { return map.hasLayer(state[m.key].group); }).map(function (m) { return m.key; });
    }

    function markDrawn() {
      // Leaflet paints the canvas on the next animation frame: count the layers as drawn after it.
      requestAnimationFrame(function () {
        requestAnimationFrame(function () {
          el.dataset.drawn = String(Number(el.dataset.drawn || 0) + 1);
          el.dataset.drawnAt = String(Math.round(performance.now()));
          el.dispatchEvent(new CustomEvent("anjian:map-drawn", { bubbles: true }));
        });
      });
    }

    function load(key) {
      var s = state[key];
      var view = map.getBounds();
      if (s.loaded && s.loaded.contains(view)) return Promise.resolve();
      var want = view.pad(0.5);
      var bbox = [want.getWest(), want.getSouth(), want.getEast(), want.getNorth()].map(function (v) { return v.toFixed(6); }).join(",");
      if (s.pending) s.pending.abort();
      var ctrl = new AbortController();
      s.pending = ctrl;
      el.dataset.loading = String(Number(el.dataset.loading || 0) + 1);
      var extra = s.meta.filterable && cfg.params ? "&" + cfg.params : "";
      return fetch(cfg.api + encodeURIComponent(key) + "/?bbox=" + bbox + extra, { credentials: "same-origin", signal: ctrl.signal, headers: { Accept: "application/json" } })
        .then(function (r) {
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.json();
        })
        .then(function (data) {
          s.group.clearLayers();
          s.group.addData(data);
          s.loaded = want;
          s.count = data.features.length;
        })
        .catch(function (err) {
          if (err.name !== "AbortError") {
            el.dataset.error = key;
            console.warn("map layer " + key + ": " + err.message);
          }
        })
        .finally(function () {
          if (s.pending === ctrl) s.pending = null;
          el.dataset.loading = String(Number(el.dataset.loading) - 1);
        });
    }

    // One canvas draws every layer, in the order features arrive; restack so that areas lie under lines
    // under points whatever answered first (a click then opens the topmost feature's popup).
    function restack() {
      order.forEach(function (m) {
        if (map.hasLayer(state[m.key].group)) state[m.key].group.bringToFront();
      });
    }

    function refresh() {
      return Promise.all(visibleKeys().map(load)).then(function () {
        restack();
        markDrawn();
      });
    }

    function setVisible(key, on) {
      var s = state[key];
      if (!s) return Promise.resolve();
      var row = panel._body.querySelector('[data-layer-row="' + key + '"]');
      if (row) {
        row.classList.toggle("geo-layer-on", on);
        row.querySelector("input").checked = on;
      }
      if (!on) {
        map.removeLayer(s.group);
        return Promise.resolve();
      }
      s.group.addTo(map);
      return load(key).then(function () { restack(); markDrawn(); });
    }
    el._anjianSetVisible = setVisible;

    // The panel: layers by group (in the order their first layer stacks), legend under each layer shown.
    var groups = [];
    var byGroup = {};
    order.slice().reverse().forEach(function (m) {
      if (!byGroup[m.group]) { byGroup[m.group] = []; groups.push(m.group); }
      byGroup[m.group].push(m);
    });
    // Groups with a layer shown at first come first (topmost first), the others after them.
    var shown = groups.filter(function (g) { return byGroup[g].some(function (m) { return m.default_visible; }); });
    groups = shown.concat(groups.filter(function (g) { return shown.indexOf(g) < 0; }));
    var html = "";
    groups.forEach(function (name) {
      var anyOn = byGroup[name].some(function (m) { return m.default_visible; });
      html += '<details class="geo-group"' + (anyOn || groups.length <= 3 ? " open" : "") + "><summary>" + esc(name) + "</summary>";
      byGroup[name].forEach(function (m) {
        html += '<div class="geo-layer' + (m.default_visible ? " geo-layer-on" : "") + '" data-layer-row="' + esc(m.key) + '">' +
          '<label><input type="checkbox" data-layer="' + esc(m.key) + '"' + (m.default_visible ? " checked" : "") + "> " + esc(m.label) + "</label>" +
          (m.legend.length ? '<div class="geo-legend">' + legendHtml(m) + "</div>" : "") + "</div>";
      });
      html += "</details>";
    });
    panel._body.innerHTML = html || '<p class="geo-panel-empty">没有可查看的图层</p>';
    panel._body.addEventListener("change", function (e) {
      var key = e.target && e.target.dataset ? e.target.dataset.layer : null;
      if (key) setVisible(key, e.target.checked);
    });

    var timer = null;
    map.on("moveend", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 120);
    });
    map.on("zoomend", function () {
      order.forEach(function (m) {
        if (m.geometry === "line") state[m.key].group.setStyle(styleFor(m));
      });
    });
    map.on("resize", function () { panel.fit(el.clientHeight); });
    refresh();
    el.dispatchEvent(new CustomEvent("anjian:map-ready", { bubbles: true, detail: { map: map } }));
  }

  function start() {
    document.querySelectorAll(".anjian-map").forEach(init);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  window.AnjianMap = { init: init };
})();
