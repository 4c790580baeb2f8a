/* Approdo: the colour palette of Material pages (first-party, no dependencies), inlined by
   overrides/partials/javascripts/palette.html right after the palette toggle, so that it runs
   before the page is first painted and costs no request.

   Material's own palette component is not mounted (overrides/partials/palette.html): on every
   page load it re-applied the palette in force to <body>, which restyles the whole page inside
   the task that starts Material, the longest task a post has. Here:
   - the reader's palette is applied before the first paint: the one a toggle saved (Material's
     "__palette" key, which Material's pages keep reading), else the first whose media query
     matches. Material applied a "(prefers-color-scheme)" palette only once its bundle ran, so a
     reader whose phone is dark saw the light page first;
   - a toggle (a click, or Enter on the focused toggle) moves to the next palette and saves it;
   - the "system" palette follows the device's light or dark setting live;
   - the browser's theme-color and color-scheme follow the header, read when the page is idle.
   Nothing is stored until the reader chooses. */
(function () {
  "use strict";

  var form = document.querySelector("[data-approdo-palette]");
  if (!form) return;
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input"));
  var SYSTEM = "(prefers-color-scheme)";
  var light = matchMedia("(prefers-color-scheme: light)");

  function colours(index) {
    var input = inputs[index];
    var media = input.getAttribute("data-md-color-media");
    var source = media !== SYSTEM ? input : form.querySelector(
      "input[data-md-color-media='(prefers-color-scheme: " + (light.matches ? "light" : "dark") + ")']"
    ) || input;
    return {
      media: media,
      scheme: source.getAttribute("data-md-color-scheme"),
      primary: source.getAttribute("data-md-color-primary"),
      accent: source.getAttribute("data-md-color-accent")
    };
  }

  function show(index) {
    var color = colours(index);
    Object.keys(color).forEach(function (key) {
      // Only what differs: an attribute set on <body>, even to its own value, restyles the page.
      if (document.body.getAttribute("data-md-color-" + key) !== color[key]) {
        document.body.setAttribute("data-md-color-" + key, color[key]);
      }
    });
    inputs.forEach(function (input, position) {
      input.checked = position === index;
      var toggle = input.nextElementSibling;
      if (toggle instanceof HTMLLabelElement) toggle.hidden = position !== index;
    });
    return color;
  }

  function meta(name) {
    var tag = document.querySelector('meta[name="' + name + '"]');
    if (!tag) {
      tag = document.createElement("meta");
      tag.name = name;
      document.head.appendChild(tag);
    }
    return tag;
  }

  function followHeader() {
    var header = document.querySelector(".md-header");
    if (!header) return;
    var style = getComputedStyle(header);
    meta("color-scheme").content = style.colorScheme;
    var rgb = (style.backgroundColor.match(/\d+/g) || []).slice(0, 3);
    if (rgb.length === 3) {
      meta("theme-color").content = "#" + rgb.map(function (part) {
        return (+part).toString(16).padStart(2, "0");
      }).join("");
    }
  }

  function current() {
    var checked = inputs.filter(function (input) { return input.checked; })[0];
    return checked ? inputs.indexOf(checked) : 0;
  }

  function change(index, save) {
    // Material's own rule: no colour transitions while the palette changes.
    document.body.setAttribute("data-md-color-switching", "");
    var color = show(index);
    if (save) {
      try { __md_set("__palette", {index: index, color: color}); } catch (error) { /* see below */ }
    }
    followHeader();
    setTimeout(function () { document.body.removeAttribute("data-md-color-switching"); });
  }

  // A browser that refuses this site its storage (cookies blocked) throws on any access:
  // the palette still works, it is just not remembered.
  var saved = null;
  try { saved = __md_get("__palette"); } catch (error) { saved = null; }
  var index = saved && saved.index >= 0 && saved.index < inputs.length ? saved.index : -1;
  if (index < 0) {
    index = Math.max(0, inputs.findIndex(function (input) {
      return matchMedia(input.getAttribute("data-md-color-media")).matches;
    }));
  }
  show(index);

  inputs.forEach(function (input, position) {
    input.addEventListener("change", function () { if (input.checked) change(position, true); });
  });
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    event.preventDefault();
    var next = inputs[(current() + 1) % inputs.length];
    next.click();
    next.focus();
  });
  light.addEventListener("change", function () {
    if (inputs[current()].getAttribute("data-md-color-media") === SYSTEM) change(current(), false);
  });
  if (window.requestIdleCallback) requestIdleCallback(followHeader, {timeout: 2000});
  else setTimeout(followHeader, 200);
})();
