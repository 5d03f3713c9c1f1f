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
})();
