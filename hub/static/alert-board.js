// Appends each alert from the Server-Sent Events stream to the board, tells
// screen readers about it in a polite live region, and holds new rows back
// while the person has paused the updates.
(function () {
  var table = document.getElementById("alert-board");
  if (!table || !window.EventSource) { return; }
  var news = document.getElementById("alert-board-news");
  var pause = document.getElementById("alert-board-pause");
  var held = [];
  var paused = false;

  function show(alert) {
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
    if (news) { news.textContent = "New alert: " + alert.plate + " at " + alert.camera.name + "."; }
  }

  if (pause) {
    pause.addEventListener("click", function () {
      paused = !paused;
      pause.setAttribute("aria-pressed", paused ? "true" : "false");
      pause.textContent = paused ? "Resume live updates" + (held.length ? " (" + held.length + " waiting)" : "")
                                 : "Pause live updates";
      if (!paused) { held.splice(0).forEach(show); }
    });
  }

  var source = new EventSource(table.dataset.stream);
  source.addEventListener("alert", function (event) {
    var alert = JSON.parse(event.data);
    if (paused) {
      held.push(alert);
      pause.textContent = "Resume live updates (" + held.length + " waiting)";
    } else { show(alert); }
  });
}());
