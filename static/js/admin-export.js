/* The admin export page's "Select all" box (templates/admin/import_export/export.html):
   django-import-export's own handler, attached here instead of by an inline
   onchange attribute, which the Content-Security-Policy refuses. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-select-all]").forEach(function (box) {
      box.addEventListener("change", function (event) {
        if (typeof window.onSelectToggleChange === "function") {
          window.onSelectToggleChange(event);
        }
      });
    });
  });
})();
