// Shows the time left on each grant, updated every second.
(function () {
  var items = document.querySelectorAll(".countdown");
  function tick() {
    var now = Date.now();
    items.forEach(function (el) {
      var left = Math.max(0, Math.floor((Date.parse(el.dataset.until) - now) / 1000));
      var h = Math.floor(left / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
      el.textContent = left ? h + "h " + m + "m " + s + "s left" : "expired";
    });
  }
  if (items.length) { tick(); setInterval(tick, 1000); }
}());
