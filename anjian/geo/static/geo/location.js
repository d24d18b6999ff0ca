/* Enterprise location on the map: click or drag the marker; the form's lon/lat follow (WGS 84). */
(function () {
  "use strict";
  var form = document.getElementById("geo-location-form");
  var mapEl = document.getElementById("geo-location-map");
  if (!form || !mapEl) return;
  var lon = form.querySelector("input[name=lon]");
  var lat = form.querySelector("input[name=lat]");
  var crs = form.querySelector("select[name=crs]");

  function start(map) {
    var marker = null;
    function place(ll, fromMap) {
      if (!marker) {
        marker = L.marker(ll, { draggable: true, title: "拖动调整位置" }).addTo(map);
        marker.on("dragend", function () { place(marker.getLatLng(), true); });
      } else marker.setLatLng(ll);
      if (fromMap) {
        lon.value = ll.lng.toFixed(6);
        lat.value = ll.lat.toFixed(6);
        if (crs) crs.value = "wgs84";
      }
    }
    var x = parseFloat(lon.value), y = parseFloat(lat.value);
    if (isFinite(x) && isFinite(y) && (!crs || crs.value === "wgs84")) place(L.latLng(y, x), false);
    map.on("click", function (e) { place(e.latlng, true); });
    mapEl.dataset.editor = "ready";
  }
  if (mapEl._anjianMap) start(mapEl._anjianMap);
  else mapEl.addEventListener("anjian:map-ready", function (e) { start(e.detail.map); });
})();
