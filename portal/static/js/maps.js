// The map page. The map and its script are part of the filter results that
// htmx swaps in; htmx re-creates those <script> elements, and they may only
// run with this page's CSP nonce, so hand it to htmx (only on this page).
(function () {
  "use strict";
  var me = document.currentScript;
  if (window.htmx && me && me.nonce) {
    window.htmx.config.inlineScriptNonce = me.nonce;
  }
})();
