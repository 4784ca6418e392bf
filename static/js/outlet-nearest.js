/* "Sort by nearest": only when the resident presses the button (never on load) the
   browser is asked for their position; each outlet card then shows its distance
   (haversine, as the crow flies) and the cards are put nearest first, outlets
   without coordinates last. The position stays in the browser: nothing is sent. */
(function () {
  "use strict";
  var control = document.getElementById("outlet-nearest");
  if (!control || !("geolocation" in navigator) || window.isSecureContext === false) { return; }
  var list = document.getElementById(control.dataset.list);
  if (!list || !list.querySelector("[data-latitude]")) { return; }
  var button = control.querySelector("button");
  var status = control.querySelector("[role=status]");
  var language = document.documentElement.lang || undefined;
  var busy = false;
  control.hidden = false;

  // The cards' own order, to come back to for ties and outlets without coordinates.
  var items = Array.prototype.slice.call(list.children).map(function (element, index) {
    var card = element.querySelector("[data-latitude]");
    return {
      element: element,
      index: index,
      card: card || element.querySelector(".outlet-card"),
      lat: card ? parseFloat(card.dataset.latitude) : NaN,
      lng: card ? parseFloat(card.dataset.longitude) : NaN
    };
  });

  function metresBetween(lat1, lng1, lat2, lng2) {
    var radians = Math.PI / 180;
    var dLat = (lat2 - lat1) * radians;
    var dLng = (lng2 - lng1) * radians;
    var a = Math.pow(Math.sin(dLat / 2), 2) +
      Math.cos(lat1 * radians) * Math.cos(lat2 * radians) * Math.pow(Math.sin(dLng / 2), 2);
    return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(a)));
  }

  function number(value, unit, digits) {
    try {
      return new Intl.NumberFormat(language, {
        style: "unit", unit: unit, unitDisplay: "short", maximumFractionDigits: digits
      }).format(value);
    } catch (error) {
      return new Intl.NumberFormat(language, { maximumFractionDigits: digits }).format(value) +
        (unit === "meter" ? " m" : " km");
    }
  }

  // "850 m" under a kilometre (to 10 m), "1,2 km" (one decimal) under 10 km, then "12 km".
  function formatDistance(metres) {
    if (metres < 995) { return number(Math.max(10, Math.round(metres / 10) * 10), "meter", 0); }
    var kilometres = metres / 1000;
    return number(kilometres, "kilometer", kilometres < 10 ? 1 : 0);
  }

  function showDistance(item) {
    if (!item.card) { return; }
    var line = item.card.querySelector(".outlet-distance");
    if (isNaN(item.distance)) {
      if (line) { line.remove(); }
      return;
    }
    if (!line) {
      line = document.createElement("p");
      line.className = "card-text small fw-semibold mt-2 mb-0 outlet-distance";
      (item.card.querySelector(".card-body") || item.card).appendChild(line);
    }
    line.textContent = control.dataset.distance.replace("{distance}", formatDistance(item.distance));
  }

  function sort(position) {
    var here = position.coords;
    items.forEach(function (item) {
      item.distance = isNaN(item.lat) || isNaN(item.lng) ? NaN :
        metresBetween(here.latitude, here.longitude, item.lat, item.lng);
      showDistance(item);
    });
    items.slice().sort(function (a, b) {
      var aKnown = !isNaN(a.distance), bKnown = !isNaN(b.distance);
      if (aKnown !== bKnown) { return aKnown ? -1 : 1; }
      return (aKnown && a.distance !== b.distance) ? a.distance - b.distance : a.index - b.index;
    }).forEach(function (item) { list.appendChild(item.element); });
    list.classList.add("is-sorted-by-distance");
    status.textContent = control.dataset.sorted;
  }

  function fail(error) {
    status.textContent = error && error.code === 1 ? control.dataset.denied : control.dataset.unavailable;
  }

  button.addEventListener("click", function () {
    if (busy) { return; }
    busy = true;
    status.textContent = control.dataset.finding;
    navigator.geolocation.getCurrentPosition(
      function (position) { busy = false; sort(position); },
      function (error) { busy = false; fail(error); },
      { enableHighAccuracy: false, timeout: 20000, maximumAge: 300000 }
    );
  });
})();
