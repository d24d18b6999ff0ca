/* The park map component (geo/_map.html): vector layers from /api/v1/geo/layers/<key>/?bbox=…,
 * drawn on a clean background (or offline MBTiles), with scale bar, north arrow, layer switcher, legend
 * and popups. No request leaves the server this page came from. */
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
    if (p.url) html += '<a class="geo-popup-link" href="' + esc(p.url) + '">详情 ›</a>';
    return html + "</div>";
  }

  // Metres per screen pixel at a latitude and zoom (Web Mercator, 256 px tiles).
  function metresPerPixel(map, lat) {
    return (40075016.686 * Math.cos((lat * Math.PI) / 180)) / Math.pow(2, map.getZoom() + 8);
  }

  var NorthArrow = L.Control.extend({
    options: { position: "topright" },
    onAdd: function () {
      var div = L.DomUtil.create("div", "geo-north");
      div.title = "上方为正北";
      div.innerHTML =
        '<svg viewBox="0 0 24 36" width="22" height="33" aria-hidden="true">' +
        '<polygon points="12,2 20,26 12,21 4,26" fill="#1f2933"/>' +
        '<polygon points="12,2 12,21 4,26" fill="#fff" stroke="#1f2933" stroke-width="1"/></svg>' +
        "<span>北</span>";
      return div;
    },
  });

  var Legend = L.Control.extend({
    options: { position: "bottomright" },
    onAdd: function () {
      this._div = L.DomUtil.create("div", "geo-legend");
      L.DomEvent.disableClickPropagation(this._div);
      return this._div;
    },
    update: function (entries) {
      if (!this._div) return;
      if (!entries.length) {
        this._div.style.display = "none";
        return;
      }
      this._div.style.display = "";
      var html = "";
      entries.forEach(function (e) {
        html += '<div class="geo-legend-layer">' + esc(e.label) + "</div>";
        e.legend.forEach(function (item) {
          var cls = "geo-swatch geo-swatch-" + e.geometry;
          html += '<div class="geo-legend-row"><i class="' + cls + '" style="--c:' + esc(item[0]) + '"></i>' + esc(item[1]) + "</div>";
        });
      });
      this._div.innerHTML = html;
    },
  });

  function init(el) {
    if (el._anjianMap) return;
    var cfg = JSON.parse(document.getElementById(el.dataset.config).textContent);
    var narrow = window.matchMedia("(max-width: 700px)").matches;
    var map = L.map(el, { preferCanvas: true, zoomSnap: 0.5, attributionControl: false, minZoom: 7, maxZoom: 19 });
    el._anjianMap = map;
    var renderer = L.canvas({ padding: 0.3, tolerance: 6 });
    if (cfg.tiles) {
      L.tileLayer(cfg.tiles, { minZoom: 7, maxZoom: 19, maxNativeZoom: 18 }).addTo(map);
      el.classList.add("geo-has-tiles");
    }
    var b = cfg.bbox;
    if (cfg.focus) map.setView([cfg.focus.lat, cfg.focus.lon], cfg.focus.zoom);
    else map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);

    L.control.scale({ imperial: false, metric: true, maxWidth: 160 }).addTo(map);
    new NorthArrow().addTo(map);
    var legend = new Legend().addTo(map);

    var state = {}; // key → {meta, group, loaded: LatLngBounds|null, pending}
    var overlays = {};
    var order = cfg.layers.slice().sort(function (a, b) { return a.order - b.order; });

    function styleFor(meta) {
      return function (f) {
        var p = f.properties || {};
        var c = p.colour || "#1d5fbf";
        if (meta.geometry === "polygon") {
          return { color: c, weight: p.weight || 1.5, fillColor: c, fillOpacity: p.fill_opacity != null ? p.fill_opacity : 0.18, dashArray: p.dash || null, renderer: renderer };
        }
        if (meta.geometry === "line") {
          var w = 3;
          if (p.width_m) w = Math.max(2, Math.min(40, p.width_m / metresPerPixel(map, map.getCenter().lat)));
          return { color: c, weight: w, opacity: 0.9, dashArray: p.dash || null, lineCap: "butt", renderer: renderer };
        }
        return { color: "#fff", weight: 1.5, fillColor: c, fillOpacity: 0.95, renderer: renderer };
      };
    }

    order.forEach(function (meta) {
      var g = L.geoJSON(null, {
        style: styleFor(meta),
        pointToLayer: function (f, latlng) {
          var hi = cfg.highlight && String(f.id) === cfg.highlight;
          return L.circleMarker(latlng, { radius: hi ? 10 : 6, renderer: renderer });
        },
        onEachFeature: function (f, layer) {
          var p = f.properties || {};
          layer.feature = f;
          if (p.name) layer.bindTooltip(esc(p.name), { sticky: meta.geometry !== "point", direction: "top" });
          layer.bindPopup(popupHtml(p), { maxWidth: 300 });
        },
      });
      state[meta.key] = { meta: meta, group: g, loaded: null, pending: null };
      overlays['<span class="geo-switch-label">' + esc(meta.label) + '</span><small class="geo-switch-group">' + esc(meta.group) + "</small>"] = g;
      g._anjianKey = meta.key;
      if (meta.default_visible) g.addTo(map);
    });
    var control = L.control.layers(null, overlays, { collapsed: narrow, position: "topright" }).addTo(map);
    el._anjianLayers = state;
    el._anjianControl = control;

    function visibleKeys() {
      return order.filter(function (m) { return map.hasLayer(state[m.key].group); }).map(function (m) { return m.key; });
    }

    function updateLegend() {
      legend.update(visibleKeys().map(function (k) { return state[k].meta; }).filter(function (m) { return m.legend.length; }));
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
      return fetch(cfg.api + encodeURIComponent(key) + "/?bbox=" + bbox, { credentials: "same-origin", signal: ctrl.signal, headers: { Accept: "application/json" } })
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

    function refresh() {
      return Promise.all(visibleKeys().map(load)).then(function () {
        el.dataset.drawn = String(Number(el.dataset.drawn || 0) + 1);
        el.dispatchEvent(new CustomEvent("anjian:map-drawn", { bubbles: true }));
      });
    }

    map.on("overlayadd", function (e) {
      updateLegend();
      if (e.layer._anjianKey) load(e.layer._anjianKey).then(function () { el.dataset.drawn = String(Number(el.dataset.drawn || 0) + 1); });
    });
    map.on("overlayremove", updateLegend);
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
    updateLegend();
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
