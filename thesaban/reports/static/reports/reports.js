// Report pages: map picker and duplicate check on the form, the clustered public map, the small
// map on a report. Progressive enhancement only: every page works without this file, and the
// maps stay hidden (the latitude/longitude fields and the list remain) when it does not run.
(function () {
  "use strict";

  var STATUS_COLOURS = {
    submitted: "#c2410c", accepted: "#c2410c", in_progress: "#c2410c",
    resolved: "#1e6b34", closed: "#1e6b34", rejected: "#6b7280"
  };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function hasLeaflet() {
    return typeof window.L !== "undefined";
  }

  function baseMap(node, options) {
    node.hidden = false;
    var map = L.map(node, options || {}).setView(
      [parseFloat(node.dataset.lat), parseFloat(node.dataset.lng)], parseInt(node.dataset.zoom, 10) || 14
    );
    L.tileLayer(node.dataset.tiles, {
      maxZoom: 19,
      attribution: node.dataset.attribution,
      // Tile servers see our origin, never a page path (the private follow link has a token in it).
      referrerPolicy: "strict-origin-when-cross-origin"
    }).addTo(map);
    var boundary = document.getElementById("municipality-boundary");
    if (boundary) {
      try {
        var shape = JSON.parse(boundary.textContent);
        if (shape) {
          L.geoJSON(shape, { interactive: false, style: { color: "#0b5394", weight: 2, fill: false, dashArray: "6 4" } })
            .addTo(map);
        }
      } catch (error) { /* a broken boundary only loses the outline */ }
    }
    return map;
  }

  // ---- the report form ---------------------------------------------------------------------

  function initReportForm() {
    var form = document.getElementById("report-form");
    if (!form) { return; }
    var lat = document.getElementById("id_lat");
    var lng = document.getElementById("id_lng");
    var status = document.getElementById("location-status");
    var checkDuplicates = initDuplicateCheck(form, lat, lng);
    initPhotoCheck();
    initCategoryQuestions(form);

    var node = document.getElementById("pick-map");
    if (!node || !hasLeaflet()) { return; }
    var map = baseMap(node);
    var marker = null;
    var help = document.getElementById("location-help");
    if (help && help.dataset.mapHelp) { help.textContent = help.dataset.mapHelp; }

    function announce(point) {
      status.textContent = status.dataset.set + " " + point.lat.toFixed(5) + ", " + point.lng.toFixed(5);
    }
    function place(point, centre) {
      if (!marker) {
        marker = L.marker(point, { draggable: true, title: node.dataset.markerTitle, alt: node.dataset.markerTitle });
        marker.addTo(map);
        marker.on("dragend", function () { write(marker.getLatLng()); });
      } else {
        marker.setLatLng(point);
      }
      if (centre) { map.setView(point, Math.max(map.getZoom(), 17)); }
    }
    function write(point) {
      lat.value = point.lat.toFixed(6);
      lng.value = point.lng.toFixed(6);
      announce(point);
      checkDuplicates();
    }
    function readInputs(centre) {
      var a = parseFloat(lat.value);
      var b = parseFloat(lng.value);
      if (isFinite(a) && isFinite(b) && Math.abs(a) <= 90 && Math.abs(b) <= 180) {
        place(L.latLng(a, b), centre);
        return true;
      }
      return false;
    }
    map.on("click", function (event) {
      place(event.latlng, false);
      write(event.latlng);
    });
    [lat, lng].forEach(function (input) {
      input.addEventListener("change", function () {
        if (readInputs(true)) { checkDuplicates(); }
      });
    });
    readInputs(true);

    var locate = document.getElementById("locate-me");
    if (locate && navigator.geolocation) {
      locate.hidden = false;
      locate.addEventListener("click", function () {
        status.textContent = locate.dataset.working;
        navigator.geolocation.getCurrentPosition(
          function (position) {
            var point = L.latLng(position.coords.latitude, position.coords.longitude);
            place(point, true);
            write(point);
          },
          function () { status.textContent = locate.dataset.denied; },
          { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
        );
      });
    }
  }

  // Only the chosen category's extra questions are shown (without JavaScript all are, each
  // under its category's name, and the server keeps the chosen one's answers).
  function initCategoryQuestions(form) {
    var groups = form.querySelectorAll("fieldset.questions[data-category]");
    if (!groups.length) { return; }
    form.querySelectorAll("[data-js-hide]").forEach(function (node) { node.hidden = true; });
    function show() {
      var checked = form.querySelector('input[name="category"]:checked');
      groups.forEach(function (group) {
        group.hidden = !checked || group.dataset.category !== checked.value;
      });
    }
    form.addEventListener("change", function (event) {
      if (event.target && event.target.name === "category") { show(); }
    });
    show();
  }

  function initDuplicateCheck(form, lat, lng) {
    var box = document.getElementById("duplicates-live");
    var url = form.dataset.duplicatesUrl;
    if (!box || !url || !window.fetch) { return function () {}; }
    var timer = null;
    var controller = null;

    function category() {
      var checked = form.querySelector('input[name="category"]:checked');
      return checked ? checked.value : "";
    }
    function confirmInput(on) {
      var input = form.querySelector('input[type="hidden"][name="confirm_new"]');
      if (on && !input) {
        input = el("input");
        input.type = "hidden";
        input.name = "confirm_new";
        input.value = "1";
        form.appendChild(input);
      } else if (!on && input) {
        input.parentNode.removeChild(input);
      }
    }
    function render(data) {
      // Fresh results replace the list the server showed after a refused submission.
      var served = document.getElementById("duplicates");
      if (served) { served.hidden = true; }
      box.textContent = "";
      var candidates = (data && data.candidates) || [];
      if (!candidates.length) {
        box.hidden = true;
        confirmInput(false);
        return;
      }
      box.appendChild(el("h2", "", box.dataset.title));
      box.appendChild(el("p", "", box.dataset.hint));
      var list = el("ul", "candidate-list");
      candidates.forEach(function (item) {
        var li = el("li");
        var link = el("a", "", item.tracking_code);
        link.href = item.url + "#support";
        li.appendChild(link);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(el("span", "badge status-" + item.status, item.status_label));
        li.appendChild(document.createTextNode(" "));
        li.appendChild(el("span", "muted", item.supports_label + " · " + item.submitted));
        li.appendChild(el("br"));
        // Why it is offered: the score and its parts ("similar description · 20 m away · …").
        var reason = el("span", "candidate-reason small");
        reason.appendChild(el("strong", "", item.score_label));
        reason.appendChild(document.createTextNode(": " + item.reason));
        li.appendChild(reason);
        li.appendChild(el("br"));
        li.appendChild(document.createTextNode(item.description));
        list.appendChild(li);
      });
      box.appendChild(list);
      box.hidden = false;
      // The resident has seen the candidates; submitting now means "this is a different problem".
      confirmInput(true);
    }
    function run() {
      var values = { category: category(), lat: lat.value.trim(), lng: lng.value.trim() };
      if (!values.category || !values.lat || !values.lng) { return; }
      // What was typed so far makes the ranking read the words too (the server cuts it short).
      var description = form.querySelector('[name="description"]');
      var text = description ? description.value.trim().slice(0, 500) : "";
      if (text) { values.text = text; }
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      fetch(url + "?" + new URLSearchParams(values).toString(), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(render)
        .catch(function () { /* the server checks again on submit */ });
    }
    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(run, 350);
    }
    form.addEventListener("change", function (event) {
      if (event.target && (event.target.name === "category" || event.target.name === "description")) {
        schedule();
      }
    });
    if (!document.getElementById("duplicates")) { schedule(); }
    return schedule;
  }

  function initPhotoCheck() {
    var input = document.getElementById("id_photos");
    var message = document.getElementById("photos-client-error");
    if (!input || !message || !input.files) { return; }
    input.addEventListener("change", function () {
      var problems = [];
      if (input.files.length > 3) { problems.push(message.dataset.tooMany); }
      for (var i = 0; i < input.files.length; i += 1) {
        if (input.files[i].size > 10 * 1024 * 1024) { problems.push(message.dataset.tooLarge); break; }
      }
      message.textContent = problems.join(" ");
    });
  }

  // ---- the public map ----------------------------------------------------------------------

  function initReportsMap() {
    var node = document.getElementById("reports-map");
    if (!node || !hasLeaflet() || !window.fetch) { return; }
    var statusLine = document.getElementById("map-status");
    // Canvas draws up to 2,000 points without a DOM node each.
    var map = baseMap(node, { preferCanvas: true });
    var layer = L.layerGroup().addTo(map);
    var controller = null;
    var timer = null;

    function clamp(value, limit) { return Math.max(-limit, Math.min(limit, value)); }

    function popup(item) {
      var box = el("div", "map-popup");
      box.appendChild(el("p", "", (item.icon ? item.icon + " " : "") + item.category));
      box.appendChild(el("p", "", item.code + " · " + item.status_label));
      var link = el("a", "", node.dataset.openLabel);
      link.href = item.url;
      var line = el("p");
      line.appendChild(link);
      box.appendChild(line);
      return box;
    }
    function pointMarker(item) {
      // Leaflet's default 300 px of content plus its margins is wider than the map on a 360 px
      // phone: the popup would be cut off, its close button with it.
      var popupWidth = Math.max(120, Math.min(300, map.getSize().x - 60));
      var marker = L.circleMarker([item.lat, item.lng], {
        radius: 9, weight: 2, color: "#ffffff",
        fillColor: STATUS_COLOURS[item.status] || "#6b7280", fillOpacity: 0.95
      }).bindPopup(popup(item), { maxWidth: popupWidth });
      marker.reportCode = item.code;
      return marker;
    }
    function singleMarker(cluster) {
      var marker = L.circleMarker([cluster.lat, cluster.lng], {
        radius: 9, weight: 2, color: "#ffffff", fillColor: "#0b5394", fillOpacity: 0.95
      });
      marker.on("click", function () { window.location.href = cluster.url; });
      return marker;
    }
    function clusterMarker(cluster) {
      var size = Math.round(Math.min(64, 30 + 8 * Math.log10(cluster.count)));
      var text = cluster.count >= 10000 ? Math.round(cluster.count / 1000) + "k" : String(cluster.count);
      var marker = L.marker([cluster.lat, cluster.lng], {
        icon: L.divIcon({ className: "report-cluster", html: "", iconSize: [size, size] }),
        title: cluster.label,
        keyboard: true
      });
      marker.on("add", function () {
        var icon = marker.getElement();
        if (icon) {
          icon.textContent = text;
          icon.setAttribute("role", "button");
          icon.setAttribute("aria-label", cluster.label);
        }
      });
      function zoomIn() {
        map.setView([cluster.lat, cluster.lng], Math.min(map.getZoom() + 2, 18));
      }
      marker.on("click", zoomIn);
      // Leaflet turns Enter on a focused marker into `keypress` only; a button also answers Space.
      marker.on("keypress", function (event) {
        var key = event.originalEvent.key;
        if (key === "Enter" || key === " ") {
          event.originalEvent.preventDefault();
          zoomIn();
          map.getContainer().focus();
        }
      });
      return marker;
    }
    function draw(data) {
      // An open popup pans the map to fit, and that move reloads the markers: keep the marker
      // whose popup is open (removing it would close the popup before it can be read).
      var open = null;
      layer.eachLayer(function (marker) {
        if (marker.reportCode && marker.isPopupOpen()) { open = marker; }
      });
      var keep = data.kind === "points" && open !== null &&
        data.points.some(function (item) { return item.code === open.reportCode; });
      layer.eachLayer(function (marker) {
        if (!keep || marker !== open) { layer.removeLayer(marker); }
      });
      if (data.kind === "points") {
        data.points.forEach(function (item) {
          if (!keep || item.code !== open.reportCode) { layer.addLayer(pointMarker(item)); }
        });
      } else {
        data.clusters.forEach(function (cluster) {
          layer.addLayer(cluster.count === 1 && cluster.url ? singleMarker(cluster) : clusterMarker(cluster));
        });
      }
      statusLine.textContent = data.summary || "";
    }
    function load() {
      var bounds = map.getBounds();
      var params = new URLSearchParams(node.dataset.filters || "");
      params.set("zoom", String(map.getZoom()));
      params.set("south", clamp(bounds.getSouth(), 90).toFixed(6));
      params.set("north", clamp(bounds.getNorth(), 90).toFixed(6));
      params.set("west", clamp(bounds.getWest(), 180).toFixed(6));
      params.set("east", clamp(bounds.getEast(), 180).toFixed(6));
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      node.setAttribute("aria-busy", "true");
      fetch(node.dataset.url + "?" + params.toString(), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined
      })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(draw)
        .catch(function (error) {
          if (error && error.name === "AbortError") { return; }
          statusLine.textContent = node.dataset.error;
        })
        .then(function () { node.removeAttribute("aria-busy"); });
    }
    map.on("moveend", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(load, 200);
    });
    load();
  }

  // ---- one report --------------------------------------------------------------------------

  function initReportMap() {
    var node = document.getElementById("report-map");
    if (!node || !hasLeaflet()) { return; }
    var map = baseMap(node, { scrollWheelZoom: false });
    L.marker([parseFloat(node.dataset.lat), parseFloat(node.dataset.lng)], { keyboard: false, interactive: false })
      .addTo(map);
  }

  function start() {
    // After a refused submission, bring keyboard and screen-reader users to the list of errors.
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
    initReportForm();
    initReportsMap();
    initReportMap();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
