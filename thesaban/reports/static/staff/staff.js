// Progressive enhancement only: every staff page works without this file.
(function () {
  "use strict";
  document.querySelectorAll("input.select-all").forEach(function (master) {
    var table = master.closest("table");
    if (!table) return;
    var boxes = table.querySelectorAll("tbody input[type=checkbox][name=reports]");
    master.hidden = false;
    master.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = master.checked; });
    });
  });
})();
