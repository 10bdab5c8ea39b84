// While a category model trains, poll its progress instead of reloading the page (the page
// reloads itself without JavaScript through a <noscript> refresh); reload once it is done.
(function () {
  "use strict";
  var rows = document.querySelectorAll("tr[data-progress-url]:not([data-progress-url=''])");
  if (!rows.length) return;
  function poll() {
    var pending = 0;
    var requests = Array.prototype.map.call(rows, function (row) {
      return fetch(row.getAttribute("data-progress-url"), { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          var bar = row.querySelector("progress");
          var label = row.querySelector("label");
          if (bar) { bar.value = data.progress; bar.textContent = data.progress + "%"; }
          if (label) { label.textContent = data.status_display + " " + data.progress + "%"; }
          if (data.running) pending += 1;
        });
    });
    Promise.all(requests).then(function () {
      if (pending) { window.setTimeout(poll, 1500); } else { window.location.reload(); }
    }, function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
