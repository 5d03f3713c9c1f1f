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
    var layers = [];
    var bounds = null;
    if (data.region) {
      var shape = window.L.geoJSON(data.region, { style: { color: "#1d4f91", weight: 2, fillOpacity: 0.15 } });
      layers.push(shape);
      bounds = shape.getBounds();
    }
    if (data.point) {
      layers.push(window.L.circleMarker(data.point, { radius: 7, color: "#a3262a", fillOpacity: 0.9 })
        .bindTooltip(data.name));
    }
    // The view first: vector layers on a map without one fail to draw.
    if (bounds) {
      map.fitBounds(bounds, { padding: [8, 8] });
    } else {
      map.setView(data.point, 12);
    }
    layers.forEach(function (layer) { layer.addTo(map); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
}());
