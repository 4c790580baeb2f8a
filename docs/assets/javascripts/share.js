/* Approdo: the copy-link button of the share buttons (first-party, no dependencies).
   The button is hidden in the HTML and revealed here, so without JavaScript it never shows. */
(function () {
  "use strict";

  function fallbackCopy(text) {
    // Older browsers and non-secure origins have no async clipboard.
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
    document.body.removeChild(area);
    return copied ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }

  function setup(root) {
    root.querySelectorAll("[data-approdo-copy]").forEach(function (button) {
      if (button.dataset.approdoReady) return;
      button.dataset.approdoReady = "1";
      button.hidden = false;
      var status = button.parentNode.querySelector(".approdo-share__status");
      button.addEventListener("click", function () {
        copy(button.dataset.approdoCopy).then(function () {
          if (status) status.textContent = "Link copiato negli appunti.";
        }, function () {
          if (status) status.textContent = "Copia non riuscita: copia l'indirizzo dalla barra del browser.";
        });
      });
    });
  }

  // Material's instant navigation (if enabled) swaps pages without reloading scripts.
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(function () { setup(document); });
  } else {
    setup(document);
  }
})();
