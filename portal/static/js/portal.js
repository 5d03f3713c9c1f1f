// Small progressive enhancements; everything works without JavaScript.
(function () {
  "use strict";
  // Send the CSRF token with every htmx request (POST, PUT, PATCH, DELETE).
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { event.detail.headers["X-CSRFToken"] = meta.getAttribute("content"); }
  });
  // Sortable tables: <table data-sortable> with <button> in each header.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("table[data-sortable] th button[data-sort]");
    if (!button) { return; }
    var th = button.closest("th");
    var table = th.closest("table");
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th[aria-sort]").forEach(function (other) { other.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var numeric = button.getAttribute("data-sort") === "number";
    rows.sort(function (a, b) {
      var x = a.cells[index].getAttribute("data-value") || a.cells[index].textContent.trim();
      var y = b.cells[index].getAttribute("data-value") || b.cells[index].textContent.trim();
      var result = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y, "nl");
      return ascending ? result : -result;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  });
})();
