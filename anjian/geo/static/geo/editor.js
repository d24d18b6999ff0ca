/* A small vertex editor for one polygon or line on the park map (no plugin): click to add vertices,
 * drag a vertex to move it, drag a midpoint to insert one, double-click a vertex to delete it, drag ✥ to
 * move the whole shape. The geometry is kept in the form's GeoJSON textarea (WGS 84 [lon, lat]). */
(function () {
  "use strict";
  var form = document.getElementById("geo-feature-form");
  var mapEl = document.getElementById("geo-edit-map");
  if (!form || !mapEl) return;
  var kind = form.dataset.geometryKind; // "polygon" | "line"
  var input = form.querySelector("textarea[name=geometry_text]");
  var crs = form.querySelectorAll("input[name=crs], select[name=crs]");
  var history = [];

  // Parts: a list of vertex lists [[lat, lng], ...]; polygons keep open rings here (closed on output).
  function parse() {
    var g;
    try { g = JSON.parse(input.value || "null"); } catch (e) { return null; }
    if (g && g.type === "Feature") g = g.geometry;
    if (!g || !g.coordinates) return { geometry: null, parts: [] };
    var parts = [];
    function ring(coords, closed) {
      var pts = coords.map(function (c) { return [c[1], c[0]]; });
      if (closed && pts.length > 1 && pts[0][0] === pts[pts.length - 1][0] && pts[0][1] === pts[pts.length - 1][1]) pts.pop();
      parts.push(pts);
    }
    if (g.type === "Polygon") g.coordinates.forEach(function (r) { ring(r, true); });
    else if (g.type === "MultiPolygon") g.coordinates.forEach(function (p) { p.forEach(function (r) { ring(r, true); }); });
    else if (g.type === "LineString") ring(g.coordinates, false);
    else if (g.type === "MultiLineString") g.coordinates.forEach(function (l) { ring(l, false); });
    g._parts = parts;
    return { geometry: g, parts: parts };
  }

  var state = parse() || { geometry: null, parts: [] };
  var parts = state.parts.length ? state.parts : [[]];
  var multi = state.geometry && /^Multi/.test(state.geometry.type);

  function r7(v) { return Math.round(v * 1e7) / 1e7; }
  function toGeoJSON() {
    var rings = parts.filter(function (p) { return p.length; }).map(function (p) {
      var c = p.map(function (ll) { return [r7(ll[1]), r7(ll[0])]; });
      if (kind === "polygon" && c.length) c.push(c[0].slice());
      return c;
    });
    if (!rings.length) return "";
    if (kind === "line") return JSON.stringify(rings.length > 1 ? { type: "MultiLineString", coordinates: rings } : { type: "LineString", coordinates: rings[0] });
    if (multi && state.geometry.type === "MultiPolygon") {
      // Keep the original polygon/hole structure: rebuild by counting rings per polygon.
      var out = [], k = 0;
      state.geometry.coordinates.forEach(function (p) { out.push(rings.slice(k, k + p.length)); k += p.length; });
      if (k < rings.length) out.push(rings.slice(k));
      return JSON.stringify({ type: "MultiPolygon", coordinates: out.filter(function (p) { return p.length; }) });
    }
    return JSON.stringify({ type: "Polygon", coordinates: rings });
  }

  function write(fromMap) {
    input.value = toGeoJSON();
    if (fromMap) {
      // Drawn on the map = WGS 84: reset the coordinate system choice so nothing is converted twice.
      crs.forEach(function (el) { if (el.tagName === "SELECT") el.value = "wgs84"; else el.checked = el.value === "wgs84"; });
    }
  }

  function snapshot() { history.push(JSON.stringify(parts)); if (history.length > 50) history.shift(); }

  function start(map) {
    var shapeLayer = null;
    var handles = L.layerGroup().addTo(map);
    var vertexIcon = L.divIcon({ className: "geo-vertex", iconSize: [12, 12] });
    var midIcon = L.divIcon({ className: "geo-vertex geo-vertex-mid", iconSize: [9, 9] });
    var moveIcon = L.divIcon({ className: "geo-move", html: "✥", iconSize: [22, 22] });

    function draw() {
      if (shapeLayer) map.removeLayer(shapeLayer);
      handles.clearLayers();
      var style = { color: "#d81b60", weight: 3, fillOpacity: 0.15, interactive: false };
      var live = parts.filter(function (p) { return p.length; });
      if (live.length) {
        shapeLayer = kind === "polygon" ? L.polygon(live, style) : L.polyline(live, style);
        shapeLayer.addTo(map);
      }
      parts.forEach(function (p, pi) {
        p.forEach(function (ll, vi) {
          var m = L.marker(ll, { icon: vertexIcon, draggable: true, keyboard: false, title: "拖动调整；双击删除" });
          m.on("dragstart", snapshot);
          m.on("drag", function (e) { var q = e.target.getLatLng(); p[vi] = [q.lat, q.lng]; if (shapeLayer) shapeLayer.setLatLngs(parts.filter(function (x) { return x.length; })); });
          m.on("dragend", function () { write(true); draw(); });
          m.on("dblclick", function (e) {
            L.DomEvent.stop(e);
            var min = kind === "polygon" ? 3 : 2;
            if (p.length <= min) return;
            snapshot(); p.splice(vi, 1); write(true); draw();
          });
          handles.addLayer(m);
          var last = vi === p.length - 1;
          if (last && kind === "line") return;
          var nx = p[last ? 0 : vi + 1];
          if (!nx || p.length < 2) return;
          var mid = L.marker([(ll[0] + nx[0]) / 2, (ll[1] + nx[1]) / 2], { icon: midIcon, draggable: true, keyboard: false, title: "拖动以加点" });
          mid.on("dragstart", function () { snapshot(); p.splice(vi + 1, 0, [mid.getLatLng().lat, mid.getLatLng().lng]); });
          mid.on("drag", function (e) { var q = e.target.getLatLng(); p[vi + 1] = [q.lat, q.lng]; if (shapeLayer) shapeLayer.setLatLngs(parts.filter(function (x) { return x.length; })); });
          mid.on("dragend", function () { write(true); draw(); });
          handles.addLayer(mid);
        });
      });
      if (live.length && shapeLayer) {
        var c = shapeLayer.getBounds().getCenter();
        var from = null;
        var mover = L.marker(c, { icon: moveIcon, draggable: true, title: "拖动平移整个图形" });
        mover.on("dragstart", function (e) { snapshot(); from = e.target.getLatLng(); });
        mover.on("dragend", function (e) {
          var to = e.target.getLatLng();
          var dlat = to.lat - from.lat, dlng = to.lng - from.lng;
          parts.forEach(function (p) { p.forEach(function (ll) { ll[0] += dlat; ll[1] += dlng; }); });
          write(true); draw();
        });
        handles.addLayer(mover);
      }
    }

    map.on("click", function (e) {
      snapshot();
      parts[parts.length - 1].push([e.latlng.lat, e.latlng.lng]);
      write(true); draw();
    });
    map.doubleClickZoom.disable();
    var bar = document.querySelector("[data-editor-for=geo-edit-map]");
    if (bar) bar.addEventListener("click", function (e) {
      var action = e.target.dataset.editorAction;
      if (action === "undo" && history.length) { parts = JSON.parse(history.pop()); write(true); draw(); }
      if (action === "clear") { snapshot(); parts = [[]]; multi = false; state.geometry = null; write(true); draw(); }
    });
    input.addEventListener("change", function () {
      var s = parse();
      if (s) { state = s; parts = s.parts.length ? s.parts : [[]]; multi = s.geometry && /^Multi/.test(s.geometry.type); draw(); }
    });
    draw();
    if (shapeLayer) map.fitBounds(shapeLayer.getBounds().pad(0.4));
    mapEl.dataset.editor = "ready";
  }

  if (mapEl._anjianMap) start(mapEl._anjianMap);
  else mapEl.addEventListener("anjian:map-ready", function (e) { start(e.detail.map); });
})();
