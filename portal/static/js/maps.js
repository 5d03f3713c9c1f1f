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
  // The pins' endpoint sends compact arrays (portal/routes/coverage/map_render.py, pin_data):
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

  function pinMarker(pin, data) {
    var kinds = kindsOf(pin, data);
    var title = pinTitle(pin, kinds, data.labels);
    var icon = L.divIcon({className: "pin-icon", html: pinHtml(kinds, data.labels), iconSize: null,
                          iconAnchor: [14, 28], popupAnchor: [0, -26]});
    var marker = L.marker([pin[0], pin[1]], {icon: icon, title: title, alt: title, riseOnHover: true});
    marker.bindPopup(function () { return pinPopup(pin, data); }, {maxWidth: 320});
    return marker;
  }

  // The pins are not in the page (its size would grow with the routes): the
  // block names their URL (maps.list_school_pins, same filters as the map),
  // fetched at once; the table under the map lists the same schools.
  function pinCluster(source, options) {
    var cluster = L.markerClusterGroup(options);
    var figure = document.getElementById("kaart");  // this map's figure (htmx may swap in another later)
    fetch(source.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        cluster.addLayers(data.pins.map(function (pin) { return pinMarker(pin, data); }));
        if (figure) { figure.setAttribute("data-pins-loaded", String(data.pins.length)); }
      })
      .catch(function () {
        if (figure) { figure.setAttribute("data-pins-loaded", "error"); }
      });
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

  // --- regions ---------------------------------------------------------------
  // Features from the server (map_render.region_feature): properties.fill (the
  // class's colour), .cls ("c0".."c3", "nodata"), .hatched (class 0 and "no
  // data" are filled with the SVG patterns of maps/_patterns.html, a cue that
  // is not colour), .popup (HTML escaped by the server).
  var CLEARANCE = 8;  // pixels between a popup and a map control

  function regionStyle(feature) {
    var p = feature.properties;
    return {fillColor: p.hatched ? "url(#map-hatch-" + p.cls + ")" : p.fill, fillOpacity: 1,
            color: "#4a4a4a", weight: 1};
  }

  function overlaps(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }

  // The smallest move [dx, dy] of `box` that takes it off `obstacle` while
  // keeping it inside `frame` (or null when there is none).
  function moveOff(box, obstacle, frame) {
    var moves = [
      [0, obstacle.bottom + CLEARANCE - box.top], [0, obstacle.top - CLEARANCE - box.bottom],
      [obstacle.left - CLEARANCE - box.right, 0], [obstacle.right + CLEARANCE - box.left, 0]
    ].filter(function (m) {
      return box.left + m[0] >= frame.left && box.right + m[0] <= frame.right &&
             box.top + m[1] >= frame.top && box.bottom + m[1] <= frame.bottom;
    });
    moves.sort(function (a, b) { return Math.abs(a[0]) + Math.abs(a[1]) - Math.abs(b[0]) - Math.abs(b[1]); });
    return moves[0] || null;
  }

  // Pan the map so that an open popup lies inside the map and off every map
  // control (the layer control sits top right, above the popups).
  function keepPopupInView(map, popup) {
    var element = popup.getElement && popup.getElement();
    if (!element || !map.hasLayer(popup)) { return; }
    if (map._animatingZoom) {  // opened while the map zooms: place it where the zoom ends
      map.once("zoomend", function () { keepPopupInView(map, popup); });
      return;
    }
    var container = map.getContainer();
    var frame = container.getBoundingClientRect();
    var box = element.getBoundingClientRect();
    var dx = 0, dy = 0;
    // inside the map first (what Leaflet's autoPan does), then off the controls
    if (box.top < frame.top + CLEARANCE) { dy = frame.top + CLEARANCE - box.top; }
    if (box.left < frame.left + CLEARANCE) { dx = frame.left + CLEARANCE - box.left; }
    if (box.right + dx > frame.right - CLEARANCE) { dx = frame.right - CLEARANCE - box.right; }
    var moved = {left: box.left + dx, right: box.right + dx, top: box.top + dy, bottom: box.bottom + dy};
    Array.prototype.forEach.call(container.querySelectorAll(".leaflet-control"), function (control) {
      var rect = control.getBoundingClientRect();
      if (!rect.width || !overlaps(moved, rect)) { return; }
      var move = moveOff(moved, rect, frame);
      if (!move) { return; }
      dx += move[0]; dy += move[1];
      moved = {left: moved.left + move[0], right: moved.right + move[0],
               top: moved.top + move[1], bottom: moved.bottom + move[1]};
    });
    if (dx || dy) { map.panBy([-dx, -dy], {animate: false}); }
  }

  function regionLayer(map, data, focus) {
    var layer = L.geoJson(null, {
      style: regionStyle,
      onEachFeature: function (feature, item) {
        item.bindPopup(feature.properties.popup, {maxWidth: 280, autoPan: false});
        // An area's value written in it (the provincies of /dekking).
        if (feature.properties.label) {
          item.bindTooltip(feature.properties.label, {permanent: true, direction: "center",
                                                      className: "area-label", interactive: false});
        }
        item.on({
          mouseover: function (e) { e.target.setStyle({weight: 3, color: "#1a1a1a"}); },
          mouseout: function (e) { layer.resetStyle(e.target); },
          popupopen: function (e) { keepPopupInView(map, e.popup); }
        });
      }
    });
    layer.addData(data);
    // A region filter zooms the map to the chosen regions.
    var chosen = [];
    layer.eachLayer(function (item) {
      if (focus.indexOf(item.feature.properties.code) >= 0) { chosen.push(item); }
    });
    if (chosen.length) {
      map.fitBounds(L.featureGroup(chosen).getBounds(), {padding: [16, 16], animate: false});
    }
    return layer;
  }

  // --- the region page's schools ---------------------------------------------
  // {schools: [[lat, lon, name, city, routes, id], ...], route_list: URL with "{}"}
  function schoolLayer(data) {
    var group = L.featureGroup();
    data.schools.forEach(function (row) {
      var routes = row[4];
      var place = row[3] && row[2].toLowerCase().indexOf(row[3].toLowerCase()) < 0 ? " (" + row[3] + ")" : "";
      var words = routes ? routes + " leerroute" + (routes !== 1 ? "s" : "") : "nog geen leerroute";
      var html = routes ? '<span class="pin-k pin-school-route">R</span>'
                        : '<span class="pin-gap" aria-hidden="true">\u25cb</span>';
      var icon = L.divIcon({className: "pin-icon", html: html, iconSize: null,
                            iconAnchor: routes ? [10, 20] : [8, 8], popupAnchor: [0, -12]});
      var title = row[2] + place + ": " + words;
      var marker = L.marker([row[0], row[1]], {icon: icon, title: title, alt: title, riseOnHover: true});
      var text = "<strong>" + esc(row[2] + place) + "</strong><br>" + esc(words) + " in deze selectie";
      if (routes) {
        text += '<br><a href="' + esc(data.route_list.replace("{}", row[5])) + '">Bekijk de leerroutes</a>';
      }
      marker.bindPopup(text, {maxWidth: 280});
      group.addLayer(marker);
    });
    return group;
  }

  window.portalMaps = {pinCluster: pinCluster, gapCluster: gapCluster, regionLayer: regionLayer,
                       schoolLayer: schoolLayer, keepPopupInView: keepPopupInView, esc: esc};
})();
