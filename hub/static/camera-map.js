// Draws the cameras on a plain background: the hub works offline, so no
// tiles are fetched from anywhere.
(function () {
  var el = document.getElementById("camera-map");
  if (!el || !window.L) { return; }
  var cameras = JSON.parse(el.dataset.cameras || "[]");
  var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
  var colours = { shared: "#1f5fa8", alerts_only: "#c98a00", private: "#6b7785" };
  var bounds = [];
  cameras.forEach(function (c) {
    var marker = L.circleMarker([c.lat, c.lon], {
      radius: 7, weight: 2, color: "#fff", fillOpacity: 0.95,
      fillColor: c.status === "active" ? colours[c.mode] : "#bbb"
    }).addTo(map);
    var link = document.createElement("a");
    link.href = c.url;
    link.textContent = c.name;
    var popup = document.createElement("div");
    popup.appendChild(link);
    popup.appendChild(document.createElement("br"));
    popup.appendChild(document.createTextNode(c.owner + " · " + c.mode.replace("_", " ")));
    marker.bindPopup(popup);
    bounds.push([c.lat, c.lon]);
  });
  if (bounds.length) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 }); }
  else { map.setView([45.095, -93.547], 12); }
}());
