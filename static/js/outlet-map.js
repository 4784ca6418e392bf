/* Outlet map: loads Leaflet only when the map scrolls into view, so a phone on slow
   data pays for it only if the resident looks at the map. The page is complete
   without it: addresses and directions links are plain text. */
(function () {
  "use strict";
  var container = document.getElementById("outlet-map");
  var data = document.getElementById("outlet-markers");
  if (!container || !data) { return; }
  var markers = JSON.parse(data.textContent);
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

  function start() {
    load("link", { rel: "stylesheet", href: container.dataset.leafletCss })
      .then(function () { return load("script", { src: container.dataset.leafletJs }); })
      .then(draw)
      .catch(function () { container.hidden = true; });
  }

  if ("IntersectionObserver" in window) {
    var observer = new IntersectionObserver(function (entries) {
      if (entries.some(function (entry) { return entry.isIntersecting; })) {
        observer.disconnect();
        start();
      }
    }, { rootMargin: "200px" });
    observer.observe(container);
  } else {
    start();
  }
})();
