// The map page. The map and its script are part of the filter results that
// htmx swaps in; htmx re-creates those <script> elements, and they may only
// run with this page's CSP nonce, so hand it to htmx (only on this page).
(function () {
  "use strict";
  var me = document.currentScript;
  if (window.htmx && me && me.nonce) {
    window.htmx.config.inlineScriptNonce = me.nonce;
  }
  // Keep the URL short: leave out filters that are not set ("Alle ...").
  document.addEventListener("htmx:configRequest", function (event) {
    if (!event.detail.elt || !event.detail.elt.closest || !event.detail.elt.closest(".filter-panel")) { return; }
    var params = event.detail.parameters;
    Object.keys(params).forEach(function (key) {
      if (params[key] === "") { delete params[key]; }
    });
  });
})();
