// Leerroutes: the DUO-registration row editor (route page). After htmx swapped
// the form or the saved row in (marked data-swap-focus), the focus goes to its
// error summary, else its first field, else the row itself, so that a keyboard
// or screen-reader user continues where the change happened. (The party
// pickers are static/js/combobox.js.)
(function () {
  "use strict";
  document.addEventListener("htmx:afterSettle", function () {
    var row = document.querySelector(".rio-row[data-swap-focus]");
    if (!row) { return; }
    row.removeAttribute("data-swap-focus");
    var target = row.querySelector(".error-summary") ||
      row.querySelector("select, input:not([type=hidden]), textarea") || row;
    if (!target.matches("input, select, textarea, button, a[href]")) { target.setAttribute("tabindex", "-1"); }
    target.focus();
  });
})();
