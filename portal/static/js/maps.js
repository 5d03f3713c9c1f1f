// The map page. Loaded in the page head, before the map's own script, which
// calls window.portalMaps to build its pin layers.
//
// The map and its script are part of the filter results that htmx swaps in;
// htmx re-creates those <script> elements, and they may only run with this
// page's CSP nonce, so hand it to htmx (only on this page) once htmx has loaded.
(function () {
  "use strict";
  var me = document.currentScript;
  var nonce = me && me.nonce;
  function configureHtmx() {
    if (window.htmx && nonce) {
      window.htmx.config.inlineScriptNonce = nonce;
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", configureHtmx);
  } else {
    configureHtmx();
  }
  // Keep the URL short: leave out filters that are not set ("Alle ...").
  document.addEventListener("htmx:configRequest", function (event) {
    if (!event.detail.elt || !event.detail.elt.closest || !event.detail.elt.closest(".filter-panel")) { return; }
    var params = event.detail.parameters;
    Object.keys(params).forEach(function (key) {
      if (params[key] === "") { delete params[key]; }
    });
  });

  // --- pins ------------------------------------------------------------------
  // The server sends compact arrays (portal/services/map_render.py, pin_data):
  //   routes: [id, title, kind, level, [profile codes], [region codes]]
  //   pins:   [lat, lon, school name, city, [index into routes, ...]]
  //   labels: the names of kinds, levels, profielen and regions, the route URL.
  // Popups are built here, when a pin is opened; every text is escaped.

  var ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#x27;"};
  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) { return ESCAPES[c]; });
  }

  function kindsOf(pin, data) {
    var seen = {};
    pin[4].forEach(function (i) { seen[data.routes[i][2]] = true; });
    return data.labels.kind_order.filter(function (kind) { return seen[kind]; });
  }

  function pinHtml(kinds, labels) {
    return kinds.map(function (kind) {
      var css = labels.main_kinds.indexOf(kind) >= 0 ? kind : "overig";
      return '<span class="pin-k pin-' + css + '">' + (labels.kind_letters[kind] || "") + "</span>";
    }).join("");
  }

  function pinTitle(pin, kinds, labels) {
    var count = pin[4].length;
    var names = kinds.map(function (kind) { return labels.kinds[kind] || kind; }).join(", ");
    return pin[2] + ": " + count + " leerroute" + (count !== 1 ? "s" : "") + " (" + names + ")";
  }

  function pinPopup(pin, data) {
    var labels = data.labels;
    var items = pin[4].map(function (i) {
      var route = data.routes[i];
      var profiles = route[4].map(function (p) { return labels.profiles[p] || p; }).join(", ") || "\u2013";
      var regions = route[5].map(function (code) {
        return (labels.regions[code] || code) + " (" + code + ")";
      }).join(", ") || "\u2013";
      var level = labels.levels[route[3]] || "\u2013";
      return '<li><a href="' + esc(labels.route_url.replace("{}", route[0])) + '">' + esc(route[1]) + "</a><br>" +
        esc(labels.kinds[route[2]] || route[2]) + "; niveau: " + esc(level) +
        "<br>Profiel: " + esc(profiles) + "<br>Regio: " + esc(regions) + "</li>";
    }).join("");
    var name = pin[2], city = pin[3];
    var place = city && name.toLowerCase().indexOf(city.toLowerCase()) < 0 ? " (" + city + ")" : "";
    return "<strong>" + esc(name + place) + '</strong><ul class="popup-routes">' + items + "</ul>";
  }

  function pinCluster(data, options) {
    var cluster = L.markerClusterGroup(options);
    var markers = data.pins.map(function (pin) {
      var kinds = kindsOf(pin, data);
      var title = pinTitle(pin, kinds, data.labels);
      var icon = L.divIcon({className: "pin-icon", html: pinHtml(kinds, data.labels), iconSize: null,
                            iconAnchor: [14, 28], popupAnchor: [0, -26]});
      var marker = L.marker([pin[0], pin[1]], {icon: icon, title: title, alt: title, riseOnHover: true});
      marker.bindPopup(function () { return pinPopup(pin, data); }, {maxWidth: 320});
      return marker;
    });
    cluster.addLayers(markers);
    return cluster;
  }

  // --- vmbo schools without a route: loaded when the layer is switched on ----
  // Rows from the JSON endpoint: [lat, lon, label].
  function gapMarker(row) {
    var icon = L.divIcon({className: "pin-icon", html: '<span class="pin-gap" aria-hidden="true">\u25cb</span>',
                          iconSize: null, iconAnchor: [8, 8], popupAnchor: [0, -8]});
    var title = row[2] + ": nog geen leerroute";
    var marker = L.marker([row[0], row[1]], {icon: icon, title: title, alt: title});
    marker.bindPopup("<strong>" + esc(row[2]) + "</strong><br>Nog geen leerroute in deze selectie.", {maxWidth: 280});
    return marker;
  }

  function gapCluster(source, options) {
    var cluster = L.markerClusterGroup(options);
    var requested = false;
    cluster.on("add", function () {
      if (requested) { return; }
      requested = true;
      fetch(source.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (rows) { cluster.addLayers(rows.map(gapMarker)); })
        .catch(function () { requested = false; });  // switching the layer on again retries
    });
    return cluster;
  }

  window.portalMaps = {pinCluster: pinCluster, gapCluster: gapCluster, esc: esc};
})();
