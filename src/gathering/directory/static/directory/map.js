/* Find support: shows the results listed on the page on a map, when scripts run. The list holds everything,
   so the page works the same without this file. The map is a picture of the list: each place is marked with
   its number in the list, and nothing on it needs a click, a tap or a key. Each result carries its place in
   data-lat and data-lon; the map's own element says where the search was made from and how far it reached.
   Without a tile server configured there is no street map: the places are shown on a plain background,
   around the circle of the search. */
(function () {
  "use strict";
  var container = document.getElementById("results-map");
  if (!container || !window.L) {
    return;
  }
  var settings = container.dataset;
  var items = document.querySelectorAll(".results .result[data-lat]");
  var centre = settings.lat ? [parseFloat(settings.lat), parseFloat(settings.lon)] : null;
  if (!items.length && !centre) {
    return;
  }
  var section = container.closest("section");
  if (section) {
    section.hidden = false;
  }
  var map = L.map(container, {
    attributionControl: false,
    zoomControl: false,
    keyboard: false,
    dragging: false,
    touchZoom: false,
    doubleClickZoom: false,
    scrollWheelZoom: false,
    boxZoom: false
  });
  if (settings.tiles) {
    L.tileLayer(settings.tiles, { maxZoom: 18 }).addTo(map);
  }
  var points = [];
  Array.prototype.forEach.call(items, function (item) {
    var point = [parseFloat(item.dataset.lat), parseFloat(item.dataset.lon)];
    var number = document.createElement("span");
    number.textContent = item.dataset.number;
    var icon = L.divIcon({ className: "result-marker", html: number, iconSize: [28, 28], iconAnchor: [14, 14] });
    L.marker(point, { icon: icon, interactive: false, keyboard: false }).addTo(map);
    points.push(point);
  });
  if (centre) {
    var metres = parseFloat(settings.radiusKm) * 1000;
    map.fitBounds(L.latLng(centre).toBounds(metres * 2), { padding: [10, 10] });
    L.circle(centre, { radius: metres, color: "#23465e", weight: 2, fill: false, interactive: false }).addTo(map);
    L.circleMarker(centre, { radius: 5, color: "#23465e", fillColor: "#23465e", fillOpacity: 1, interactive: false })
      .addTo(map);
  } else {
    map.fitBounds(points, { padding: [30, 30], maxZoom: 13 });
  }
})();
