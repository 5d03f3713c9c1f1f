// Small progressive enhancements; everything works without JavaScript.
(function () {
  "use strict";
  // Send the CSRF token with every htmx request (POST, PUT, PATCH, DELETE).
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { event.detail.headers["X-CSRFToken"] = meta.getAttribute("content"); }
  });
  // After a failed submit the error summary takes the focus, so that a screen
  // reader reads it and a keyboard user starts there (its links lead to the
  // fields). A page with a summary is always the answer to a failed submit; an
  // htmx swap moves the focus only for a summary marked data-focus (a failed
  // save), never for the live checks while someone types.
  function focusSummary(summary) {
    if (!summary) { return; }
    if (!summary.hasAttribute("tabindex")) { summary.setAttribute("tabindex", "-1"); }
    summary.setAttribute("data-focused", "");
    summary.focus();
    summary.scrollIntoView({block: "start"});
  }
  // A wide table scrolls inside its .table-scroll box (phones). A box that
  // scrolls must be reachable by keyboard and named (a focusable region,
  // named after the table's caption); one that fits is left alone.
  function markScrollRegions() {
    document.querySelectorAll(".table-scroll:not([role]), .table-scroll[data-auto-region]").forEach(function (box) {
      box.setAttribute("data-auto-region", "");
      if (box.scrollWidth > box.clientWidth + 1) {
        var caption = box.querySelector("caption");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", (caption ? caption.textContent.trim() : "Tabel") + " (scrollbaar)");
      } else {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }
  var resizing = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(markScrollRegions, 150);
  });
  document.addEventListener("DOMContentLoaded", function () {
    markScrollRegions();
    focusSummary(document.querySelector("main .error-summary"));
  });
  document.addEventListener("htmx:afterSettle", function () {
    markScrollRegions();
    focusSummary(document.querySelector(".error-summary[data-focus]:not([data-focused])"));
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
