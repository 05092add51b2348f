// Appends each alert from the Server-Sent Events stream to the board.
(function () {
  var table = document.getElementById("alert-board");
  if (!table || !window.EventSource) { return; }
  var source = new EventSource(table.dataset.stream);
  source.addEventListener("alert", function (event) {
    var alert = JSON.parse(event.data);
    var row = table.insertRow(1);
    row.className = "alert-row";
    var cells = [new Date(alert.captured_at).toLocaleString(),
                 alert.kind === "possible" ? alert.plate + " (possible: " + alert.differing_characters.join("; ") + ")" : alert.plate,
                 alert.camera.name,
                 alert.listed_because.reason_category.replace(/_/g, " ") + " · " + (alert.listed_because.case_number || ""),
                 alert.status];
    cells.forEach(function (text, i) {
      var cell = row.insertCell(i);
      if (i === 1) {
        var link = document.createElement("a");
        link.href = "/alerts/" + alert.id;
        link.textContent = text;
        cell.appendChild(link);
      } else { cell.textContent = text; }
    });
  });
}());
