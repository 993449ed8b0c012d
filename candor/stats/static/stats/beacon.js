/* Page-view beacon (R1.5): one POST per page, no cookie, nothing stored in the browser.
   It sends the path (no query string), the referrer (the server keeps only its domain) and a
   screen-width class; it sends nothing when the visitor asks not to be tracked. */
(function () {
  "use strict";
  var script = document.currentScript;
  var endpoint = script && script.getAttribute("data-endpoint");
  if (!endpoint) return;
  if (navigator.doNotTrack === "1" || window.doNotTrack === "1" || navigator.globalPrivacyControl === true) return;
  var width = window.screen ? window.screen.width : 0;
  var screen = !width ? "unknown" : width < 600 ? "small" : width < 1024 ? "medium" : width < 1440 ? "large" : "wide";
  var body = JSON.stringify({ page: location.pathname, referrer: document.referrer, screen: screen });
  if (navigator.sendBeacon && navigator.sendBeacon(endpoint, body)) return;
  if (window.fetch) {
    fetch(endpoint, { method: "POST", body: body, credentials: "omit", keepalive: true,
                      headers: { "Content-Type": "text/plain" } }).catch(function () {});
  }
})();
