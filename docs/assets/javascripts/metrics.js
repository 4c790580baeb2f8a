/* Approdo: counts a click on a call to action, without cookies or identifiers. The beacon
   says only which landing page and which campaign values the link carries (the article is its
   utm_content); the receiver adds one to a daily counter (see handbook: metrics). */
(function () {
  "use strict";

  var meta = document.querySelector('meta[name="approdo-metrics"]');
  if (!meta || !meta.content || !navigator.sendBeacon) return;
  var names = ["utm_source", "utm_medium", "utm_campaign", "utm_content"];

  function count(event) {
    if (event.type === "auxclick" && event.button !== 1) return;  // middle click: new tab
    var link = event.target.closest && event.target.closest("[data-approdo-cta] a[href]");
    if (!link) return;
    var query = new URL(link.href, window.location.href).searchParams;
    var body = new URLSearchParams();
    body.set("kind", "cta");
    body.set("page", link.closest("[data-approdo-cta]").getAttribute("data-approdo-cta"));
    names.forEach(function (name) { if (query.get(name)) body.set(name, query.get(name)); });
    navigator.sendBeacon(meta.content, body);
  }

  document.addEventListener("click", count);
  document.addEventListener("auxclick", count);
})();
