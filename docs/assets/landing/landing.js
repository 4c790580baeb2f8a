/* Approdo landing pages: attribution fields and a fetch submission on top of a form that
   already works as a plain POST. No framework, no cookies, no localStorage: UTM values are read
   from this page's own URL and only sent with the form. Every text shown comes from the
   template's data attributes. */
(function () {
  "use strict";

  var form = document.querySelector("[data-landing-form]");
  if (!form) return;
  var data = form.dataset;

  /* Keep only the characters the contract allows (lead_form.UTM_PATTERN, a character class
     followed by "*") and at most `max` of them. */
  function cleaner(pattern, max) {
    var match = /^\[(.*)\]\*$/.exec(pattern || "");
    var disallowed = match ? new RegExp("[^" + match[1] + "]", "g") : /[^A-Za-z0-9]/g;
    return function (value) {
      return String(value || "").replace(disallowed, "").slice(0, max);
    };
  }

  function field(name) {
    var found = form.elements.namedItem(name);
    return found && found.nodeType === 1 ? found : null;
  }

  function setValue(name, value) {
    var input = field(name);
    if (input) input.value = value;
  }

  function fillAttribution() {
    var params = new URLSearchParams(window.location.search);
    var clean = cleaner(data.utmPattern, parseInt(data.utmMax, 10) || 100);
    (data.utmFields || "").split(" ").forEach(function (name) {
      if (name && params.has(name)) setValue(name, clean(params.get(name)));
    });
    var page = window.location.href.split("#")[0];
    setValue(data.pageUrlField, page.slice(0, parseInt(data.pageUrlMax, 10) || 500));
    setValue(data.referrerField, (document.referrer || "").slice(0, parseInt(data.referrerMax, 10) || 500));
    // The thank-you page on the origin actually serving this page (a preview, a mirror...).
    if (data.thanks) setValue(data.nextField, new URL(data.thanks, window.location.href).href);
  }

  /* A page built before its closing date keeps working after it: close it in the browser. */
  function isPast() {
    // An event without a closing day stops taking sign-ups when it starts (an exact instant).
    if (data.closesAt) return Date.now() >= Date.parse(data.closesAt);
    if (!data.closes) return false;
    var now = new Date();
    var today = now.getFullYear() + "-" + String(now.getMonth() + 1).padStart(2, "0") + "-" +
      String(now.getDate()).padStart(2, "0");
    return today > data.closes;
  }

  function closeIfPast() {
    if (!isPast()) return false;
    form.hidden = true;
    document.querySelectorAll("[data-landing-open]").forEach(function (el) { el.hidden = true; });
    var closed = document.querySelector("[data-landing-closed]");
    if (closed) closed.hidden = false;
    return true;
  }

  var errorBox = form.querySelector("[data-landing-error]");
  var button = form.querySelector("button[type=submit]");
  var buttonText = button ? button.textContent : "";

  function clearErrors() {
    errorBox.hidden = true;
    errorBox.textContent = "";
    form.querySelectorAll("[data-field-error]").forEach(function (el) {
      el.hidden = true;
      el.textContent = "";
      var input = field(el.getAttribute("data-field-error"));
      if (input) input.removeAttribute("aria-invalid");
    });
  }

  function showError(message, fieldErrors) {
    var first = null;
    Object.keys(fieldErrors || {}).forEach(function (name) {
      var slot = form.querySelector('[data-field-error="' + CSS.escape(name) + '"]');
      var input = field(name);
      if (!slot || !input) return;
      slot.textContent = String(fieldErrors[name]);
      slot.hidden = false;
      input.setAttribute("aria-invalid", "true");
      first = first || input;
    });
    errorBox.textContent = message;
    errorBox.hidden = false;
    (first || errorBox).focus();
  }

  /* The browser's own validation speaks the browser's language, in its own bubble. The page
     checks the same constraints (required, type=email, maxlength) through the constraint API
     and shows its Italian messages in each field's slot; nothing typed is ever cleared. */
  function problemOf(input) {
    var validity = input.validity;
    if (validity.valueMissing) return data.msgRequired;
    if (validity.typeMismatch || validity.patternMismatch) return data.msgEmail;
    if (validity.tooLong) return data.msgTooLong;
    return "";
  }

  function checkField(input) {
    input.setCustomValidity("");
    var message = problemOf(input);
    input.setCustomValidity(message);
    var slot = form.querySelector('[data-field-error="' + CSS.escape(input.name) + '"]');
    if (slot) {
      slot.textContent = message;
      slot.hidden = !message;
    }
    if (message) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
    return message;
  }

  function invalidFields() {
    var errors = null;
    form.querySelectorAll("[data-field-error]").forEach(function (slot) {
      var input = field(slot.getAttribute("data-field-error"));
      var message = input && input.willValidate ? checkField(input) : "";
      if (message) (errors = errors || {})[input.name] = message;
    });
    return errors;
  }

  // With JavaScript the page validates; without it, the browser still does.
  form.noValidate = true;
  // A field marked wrong is checked again as it is corrected.
  form.addEventListener("input", function (event) {
    if (event.target.getAttribute("aria-invalid") === "true") checkField(event.target);
  });

  function busy(on) {
    if (on) form.setAttribute("aria-busy", "true"); else form.removeAttribute("aria-busy");
    if (!button) return;
    button.disabled = on;
    button.textContent = on ? data.msgSending : buttonText;
  }

  /* Spam signals for the bundled receiver (leads/spam.py): how long the page was open, and the
     answer to its proof-of-work challenge (ALTCHA's protocol: the number whose SHA-256, after
     the salt, is the challenge), worked out while the visitor fills in the form. A post never waits for
     them more than a few seconds, and goes without them if they fail. */
  var openedAt = Date.now();
  var proof = null;

  function hexOf(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return b.toString(16).padStart(2, "0");
    }).join("");
  }

  function solve(c) {
    var encoder = new TextEncoder();
    function batch(start) {
      if (start > c.maxNumber) return null;
      var tries = [];
      for (var n = start; n < start + 500 && n <= c.maxNumber; n++) {
        tries.push(crypto.subtle.digest("SHA-256", encoder.encode(c.salt + n)).then(hexOf));
      }
      return Promise.all(tries).then(function (hashes) {
        var found = hashes.indexOf(c.challenge);
        return found >= 0 ? start + found : batch(start + 500);
      });
    }
    return Promise.resolve(batch(0)).then(function (number) {
      if (number === null) return "";
      return btoa(JSON.stringify({ algorithm: c.algorithm, challenge: c.challenge, number: number,
                                   salt: c.salt, signature: c.signature }));
    });
  }

  function startProof() {
    if (!data.challenge || !window.crypto || !crypto.subtle) return;
    proof = { at: Date.now(), answer: fetch(new URL(data.challenge, window.location.href).href,
                                            { credentials: "omit", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(solve)
      .catch(function () { return ""; }) };
  }

  function signals() {
    var extra = {};
    extra[data.elapsedField] = String(Date.now() - openedAt);
    // Challenges last an hour on the receiver: ask for a new one well before that.
    if (!proof || Date.now() - proof.at > 20 * 60 * 1000) startProof();
    if (!proof) return Promise.resolve(extra);
    var late = new Promise(function (resolve) { setTimeout(function () { resolve(""); }, 5000); });
    return Promise.race([proof.answer, late]).then(function (answer) {
      if (answer) extra[data.proofField] = answer;
      return extra;
    });
  }

  function body(extra) {
    var values = new FormData(form);
    Object.keys(extra).forEach(function (name) { values.set(name, extra[name]); });
    if (data.encoding === "json") {
      var object = {};
      values.forEach(function (value, name) { object[name] = String(value); });
      return { body: JSON.stringify(object), type: "application/json" };
    }
    return { body: new URLSearchParams(values), type: null };
  }

  /* Show the thank-you page's own section in place of the page, so the download link is never
     part of the landing page; relative links are rebased on the thank-you page's URL. */
  function showThanks() {
    var url = new URL(data.thanks, window.location.href);
    return fetch(url.href, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("thanks " + response.status);
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var section = doc.querySelector("[data-landing-thanks]");
        if (!section) throw new Error("no thanks section");
        section.querySelectorAll("[href], [src]").forEach(function (el) {
          ["href", "src"].forEach(function (attr) {
            var value = el.getAttribute(attr);
            if (value && value.charAt(0) !== "#") el.setAttribute(attr, new URL(value, url).href);
          });
        });
        var main = document.querySelector("main") || document.body;
        main.replaceChildren(document.importNode(section, true));
        document.title = doc.title || document.title;
        window.scrollTo(0, 0);
        var heading = main.querySelector("h1");
        if (heading) heading.focus();
      })
      .catch(function () { window.location.assign(url.href); });
  }

  function reply(response) {
    return response.text().then(function (text) {
      try { return JSON.parse(text); } catch (e) { return null; }
    });
  }

  form.addEventListener("submit", function (event) {
    if (form.hasAttribute("aria-busy")) { event.preventDefault(); return; }
    if (closeIfPast()) { event.preventDefault(); return; }
    event.preventDefault();
    clearErrors();
    var invalid = invalidFields();
    if (invalid) { showError(data.msgInvalid, invalid); return; }
    busy(true);
    signals().then(function (extra) {
      var payload = body(extra);
      var headers = { Accept: "application/json" };
      if (payload.type) headers["Content-Type"] = payload.type;
      return fetch(form.action, {
        method: "POST", body: payload.body, headers: headers,
        // A receiver that answers with a redirect has accepted the lead: don't follow it.
        redirect: "manual", credentials: "omit", referrerPolicy: "strict-origin-when-cross-origin"
      });
    })
      .then(function (response) {
        if (response.type === "opaqueredirect") return showThanks();
        return reply(response).then(function (json) {
          if (response.ok && !(json && json.ok === false)) return showThanks();
          busy(false);
          var invalid = json && json.errors && Object.keys(json.errors).length;
          showError((json && json.message) || (invalid ? data.msgInvalid : data.msgFailed),
                    json && json.errors);
        });
      })
      .catch(function () {
        busy(false);
        showError(navigator.onLine === false ? data.msgOffline : data.msgFailed, null);
      });
  });

  /* One cookie-free view count: the landing page and the campaign values of this page's URL,
     cleaned as the form's own attribution fields are, so views and leads line up. A page that
     is only prerendered is counted when (and if) the visitor actually sees it. */
  function countView() {
    var meta = document.querySelector('meta[name="approdo-metrics"]');
    if (!meta || !meta.content || !meta.dataset.page || !navigator.sendBeacon) return;
    if (document.prerendering) {
      document.addEventListener("prerenderingchange", countView, { once: true });
      return;
    }
    var params = new URLSearchParams(window.location.search);
    var clean = cleaner(data.utmPattern, parseInt(data.utmMax, 10) || 100);
    var body = new URLSearchParams();
    body.set("kind", "view");
    body.set("page", meta.dataset.page);
    ["utm_source", "utm_medium", "utm_campaign", "utm_content"].forEach(function (name) {
      var value = clean(params.get(name));
      if (value) body.set(name, value);
    });
    navigator.sendBeacon(meta.content, body);
  }

  if (!closeIfPast()) {
    fillAttribution();
    // The proof of work starts when the visitor first reaches the form, not while the page
    // loads: on a slow phone the hashing would compete with the first paint.
    ["focusin", "pointerdown"].forEach(function (type) {
      form.addEventListener(type, function () { if (!proof) startProof(); }, { once: true });
    });
    countView();
  }
})();
