// The product page: the photo gallery's counter and buttons, and sharing the page.
// Without JavaScript the photos still scroll sideways and sharing is a WhatsApp link.
(function () {
  "use strict";

  function setUpGallery(gallery) {
    var track = gallery.querySelector("[data-gallery-track]");
    var slides = track.children;
    var total = slides.length;
    if (total < 2) {
      return;
    }
    var count = gallery.querySelector("[data-gallery-count]");
    var label = gallery.querySelector("[data-gallery-label]");
    var previous = gallery.querySelector("[data-gallery-step='-1']");
    var next = gallery.querySelector("[data-gallery-step='1']");
    var shown = 0;
    var pending = false;

    function current() {
      var index = Math.round(track.scrollLeft / Math.max(track.clientWidth, 1));
      return Math.min(Math.max(index, 0), total - 1);
    }

    function show(index) {
      if (index === shown) {
        return;
      }
      shown = index;
      count.textContent = (index + 1) + "/" + total;
      label.textContent = gallery.dataset.label
        .replace("{current}", index + 1)
        .replace("{total}", total);
      previous.disabled = index === 0;
      next.disabled = index === total - 1;
    }

    track.addEventListener("scroll", function () {
      if (pending) {
        return;
      }
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        show(current());
      });
    }, { passive: true });

    [previous, next].forEach(function (button) {
      button.addEventListener("click", function () {
        var target = current() + Number(button.dataset.galleryStep);
        target = Math.min(Math.max(target, 0), total - 1);
        track.scrollTo({ left: target * track.clientWidth });
      });
    });

    gallery.classList.add("is-ready");
  }

  function setUpShare(share) {
    var fallback = share.querySelector("[data-share-fallback]");
    var copy = share.querySelector("[data-share-copy]");
    var native = share.querySelector("[data-share-native]");
    var status = share.querySelector("[data-share-status]");
    var data = { title: share.dataset.title, text: share.dataset.title, url: share.dataset.url };

    if (navigator.share && (!navigator.canShare || navigator.canShare(data))) {
      fallback.hidden = true;
      native.hidden = false;
      native.addEventListener("click", function () {
        // A dismissed share sheet rejects the promise: nothing to tell.
        navigator.share(data).catch(function () {});
      });
      return;
    }
    if (!navigator.clipboard || !navigator.clipboard.writeText) {
      return;  // the WhatsApp link alone (a page served over plain HTTP)
    }
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(data.url).then(function () {
        // Emptied first, so copying twice is announced twice.
        status.textContent = "";
        window.setTimeout(function () {
          status.textContent = status.dataset.copied;
        }, 50);
      }, function () {
        status.textContent = "";
      });
    });
  }

  document.querySelectorAll("[data-gallery]").forEach(setUpGallery);
  document.querySelectorAll("[data-share]").forEach(setUpShare);
})();
