/* Reading aids on Material pages, first-party and small.

   1. Glossary terms on touch screens. A term is a link to its glossary entry whose definition
      Material shows as a tooltip on hover and on focus; a finger has no hover, so a tap used to
      leave the page. Now the first tap on a term shows the definition (by focusing the link,
      which opens Material's tooltip) and a second tap on the same term follows the link. Mouse
      and keyboard are unchanged: hover or Tab shows it, a click or Enter opens the glossary.
   2. A table wider than a phone scrolls sideways inside its frame: the frame takes keyboard
      focus, so it can be scrolled with the arrow keys too (WCAG 2.1.1). */
(function () {
  "use strict";

  var touch = window.matchMedia("(hover: none)");
  var shown = null;

  document.addEventListener("click", function (event) {
    var term = event.target.closest ? event.target.closest("a.approdo-glossary") : null;
    // event.detail is 0 for Enter on a focused link: the keyboard just follows it.
    if (!term || !touch.matches || event.detail === 0) return;
    if (term === shown && document.activeElement === term) return;  // second tap: go
    event.preventDefault();
    shown = term;
    term.focus();
  });

  function focusableTables() {
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (frame) {
      if (frame.scrollWidth > frame.clientWidth) {
        frame.tabIndex = 0;
        frame.setAttribute("role", "group");
        frame.setAttribute("aria-label", "Tabella: scorri di lato per vederla tutta");
      } else {
        frame.removeAttribute("tabindex");
        frame.removeAttribute("role");
        frame.removeAttribute("aria-label");
      }
    });
  }
  // Material wraps tables in their frames once the page is set up: document$ tells when.
  if (window.document$) window.document$.subscribe(focusableTables);
  else focusableTables();
  window.addEventListener("resize", focusableTables);
})();
