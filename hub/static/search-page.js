// The search page: focus moves to the problem summary when there is one,
// and the reads of the results page are drawn on a plain map (no tiles are
// fetched from anywhere).
(function () {
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  var el = document.getElementById("search-map");
  if (!el || !window.L) { return; }
  var reads = JSON.parse(el.dataset.reads || "[]");
  var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
  var bounds = [];
  reads.forEach(function (r) {
    var marker = L.circleMarker([r.lat, r.lon], { radius: 7, weight: 2, color: "#fff", fillOpacity: 0.95,
                                                  fillColor: "#1f5fa8" }).addTo(map);
    var popup = document.createElement("div");
    popup.textContent = r.plate + " · " + r.at + " UTC";
    marker.bindPopup(popup);
    bounds.push([r.lat, r.lon]);
  });
  if (bounds.length) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 }); }
  else { map.setView([45.095, -93.547], 12); }
}());
