/* Outlet map: on a wide screen Leaflet loads only when the map scrolls into view; on
   a phone (narrower than 768 px, as site.css's rule hiding the map) only when the
   resident presses "Show the map", so slow data pays for it only if they want it.
   The page is complete without it: addresses and directions links are plain text. */
(function () {
  "use strict";
  var container = document.getElementById("outlet-map");
  var data = document.getElementById("outlet-markers");
  if (!container || !data) { return; }
  var markers = JSON.parse(data.textContent);
  var button = document.getElementById("outlet-map-show");
  if (!markers.length) { container.hidden = true; return; }

  function load(tag, attributes) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement(tag);
      Object.keys(attributes).forEach(function (key) { element[key] = attributes[key]; });
      element.onload = resolve;
      element.onerror = reject;
      document.head.appendChild(element);
    });
  }

  // Leaflet finds its pin images next to leaflet.css by their plain names, which
  // production's hashed static file names break (a 404, no pin): the page names
  // them through {% static %}. The controls' words come translated from the page.
  function pinIcon() {
    var options = Object.assign({}, L.Icon.Default.prototype.options, {
      iconUrl: container.dataset.iconUrl,
      iconRetinaUrl: container.dataset.iconRetinaUrl,
      shadowUrl: container.dataset.shadowUrl
    });
    delete options.imagePath;
    return L.icon(options);
  }

  function leafletCredit() {
    var link = document.createElement("a");
    link.href = "https://leafletjs.com";
    link.title = container.dataset.leafletTitle;
    link.textContent = "Leaflet";
    return link.outerHTML;
  }

  function draw() {
    var map = L.map(container, { scrollWheelZoom: false, zoomControl: false });
    L.control.zoom({
      zoomInTitle: container.dataset.zoomIn,
      zoomOutTitle: container.dataset.zoomOut
    }).addTo(map);
    map.attributionControl.setPrefix(leafletCredit());
    map.on("popupopen", function (event) {
      var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close) { close.setAttribute("aria-label", container.dataset.closePopup); }
    });
    var icon = pinIcon();
    L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 19,
      attribution: "&copy; <a href=\"https://www.openstreetmap.org/copyright\">OpenStreetMap</a>"
    }).addTo(map);
    var bounds = [];
    markers.forEach(function (marker) {
      var link = document.createElement("a");
      link.href = marker.url;
      link.textContent = marker.name;
      L.marker([marker.lat, marker.lng], { icon: icon, title: marker.name, alt: marker.name })
        .addTo(map).bindPopup(link);
      bounds.push([marker.lat, marker.lng]);
    });
    if (bounds.length === 1) { map.setView(bounds[0], 16); } else { map.fitBounds(bounds, { padding: [30, 30] }); }
    container.classList.add("is-ready");
  }

  var started = false;
  var observer = null;

  function start() {
    if (started) { return; }
    started = true;
    if (observer) { observer.disconnect(); }
    // Shown at every width from now on, the button's work done.
    container.classList.add("is-shown");
    if (button) { button.hidden = true; }
    load("link", { rel: "stylesheet", href: container.dataset.leafletCss })
      .then(function () { return load("script", { src: container.dataset.leafletJs }); })
      .then(draw)
      .catch(function () { container.hidden = true; });
  }

  function whenInView() {
    if (!("IntersectionObserver" in window)) { start(); return; }
    if (observer) { return; }
    observer = new IntersectionObserver(function (entries) {
      if (entries.some(function (entry) { return entry.isIntersecting; })) { start(); }
    }, { rootMargin: "200px" });
    observer.observe(container);
  }

  var narrow = window.matchMedia ? window.matchMedia("(max-width: 767.98px)") : null;

  function arrange() {
    if (started) { return; }
    if (narrow && narrow.matches && button) {
      if (observer) { observer.disconnect(); observer = null; }
      button.hidden = false;
    } else {
      if (button) { button.hidden = true; }
      whenInView();
    }
  }

  if (button) {
    button.addEventListener("click", function () {
      start();
      // The button is gone: focus goes to the map that took its place.
      if (!container.hasAttribute("tabindex")) { container.tabIndex = -1; }
      container.focus();
    });
  }
  if (narrow) {
    if (narrow.addEventListener) { narrow.addEventListener("change", arrange); } else { narrow.addListener(arrange); }
  }
  arrange();
})();
