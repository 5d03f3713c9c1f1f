// The small map on an organisation's page: its arbeidsmarktregio and its own
// place, from the JSON block #organisatiekaart-data. No tiles (like the region
// pages' small map), no inline script or style.
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("organisatiekaart");
    var source = document.getElementById("organisatiekaart-data");
    if (!holder || !source || !window.L) { return; }
    var data = JSON.parse(source.textContent);
    var map = window.L.map(holder, { zoomControl: true, attributionControl: false, scrollWheelZoom: false });
    var bounds = null;
    if (data.region) {
      var layer = window.L.geoJSON(data.region, { style: { color: "#1d4f91", weight: 2, fillOpacity: 0.15 } });
      layer.addTo(map);
      bounds = layer.getBounds();
    }
    if (data.point) {
      window.L.circleMarker(data.point, { radius: 7, color: "#a3262a", fillOpacity: 0.9 })
        .bindTooltip(data.name).addTo(map);
      if (!bounds) { map.setView(data.point, 12); }
    }
    if (bounds) { map.fitBounds(bounds, { padding: [8, 8] }); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
}());
