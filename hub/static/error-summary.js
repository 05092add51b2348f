// Move focus to a page's error summary, so a screen reader announces the
// problems and the keyboard starts from them.
(function () {
  var summary = document.getElementById('error-summary');
  if (summary) { summary.focus(); }
}());
