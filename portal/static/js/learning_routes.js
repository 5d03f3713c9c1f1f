// Leerroutes: small enhancements of the party picker; the form works without them.
(function () {
  "use strict";
  // Checking a search result moves it to the chosen parties, so a new search
  // does not drop it.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches(".org-results input[type=checkbox]") || !box.checked) { return; }
    var list = box.closest(".org-results");
    var kind = list.getAttribute("data-kind");
    var chosen = document.getElementById("chosen-" + kind);
    if (!chosen) { return; }
    var item = box.closest("li");
    var label = item.querySelector("label");
    var id = "party-" + kind + "-" + box.value;
    box.id = id;
    label.setAttribute("for", id);
    chosen.appendChild(item);
    box.focus();
  });
  // Enter in a party search field searches instead of submitting the form.
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "Enter" || !input.matches || !input.matches(".party-search input[type=search]")) { return; }
    event.preventDefault();
    if (window.htmx) { window.htmx.trigger(input, "search"); }
  });
  // The DUO-registration row editor (route page): after htmx swapped the form
  // or the saved row in (marked data-swap-focus), the focus goes to its error
  // summary, else its first field, else the row itself, so that a keyboard or
  // screen-reader user continues where the change happened.
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
