/* A page's 打印 button (the CSP forbids inline handlers). */
(function () {
  "use strict";
  document.querySelectorAll("[data-action='print']").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
