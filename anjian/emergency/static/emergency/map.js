/* Draws the GeoJSON of <script type="application/json" id="map-data"> into <div id="map"> with Leaflet.
   No base tiles (nothing loads from the internet): vectors on a plain background, fitted to the data.
   Feature properties: name, colour, url, popup ([[label, value], ...]), radius, dash. */
(function () {
  function esc(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function popup(p) {
    var html = "<strong>" + esc(p.name) + "</strong>";
    (p.popup || []).forEach(function (row) { html += "<br>" + esc(row[0]) + "：" + esc(row[1]); });
    if (p.url) html += '<br><a href="' + esc(p.url) + '">详情</a>';
    return html;
  }
  document.querySelectorAll("[data-map]").forEach(function (el) {
    var data = JSON.parse(document.getElementById(el.dataset.map).textContent);
    var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
    var layer = L.geoJSON(data, {
      style: function (f) {
        var p = f.properties || {};
        return { color: p.colour || "#2c6fbb", weight: p.weight || 3, fillOpacity: 0.25, dashArray: p.dash || null };
      },
      pointToLayer: function (f, latlng) {
        var p = f.properties || {};
        return L.circleMarker(latlng, { radius: p.radius || 6, color: p.colour || "#2c6fbb", fillColor: p.colour || "#2c6fbb", fillOpacity: 0.85, weight: 1 });
      },
      onEachFeature: function (f, l) { if (f.properties) l.bindPopup(popup(f.properties)); }
    }).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds.pad(0.1)); } else { map.setView([37.88, 105.02], 13); }
    L.control.scale({ imperial: false }).addTo(map);
  });
})();
