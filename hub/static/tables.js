// A table wider than the screen scrolls inside its own box (hub.css); that
// box then takes the keyboard's focus, so it can be scrolled without a
// mouse, and is announced by its caption.
(function () {
  function mark() {
    document.querySelectorAll("main table, main .table-wrap").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        var caption = box.querySelector("caption");
        box.setAttribute("aria-label", caption ? caption.textContent : "Table");
      }
    });
  }
  mark();
  window.addEventListener("resize", mark);
}());
