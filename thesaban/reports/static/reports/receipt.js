// Without JavaScript the browser's own Print command works; this only adds a button for it.
(function () {
  var button = document.getElementById("print-receipt");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
})();
