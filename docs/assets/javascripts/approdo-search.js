/* Approdo: Italian stemming for Material's search-as-you-type (first-party, no dependencies).

   Material turns every query word into a prefix search ("aziende" -> "aziende*"), and lunr
   never stems a prefix search: with a stemmed index "aziende" would find nothing, and with a
   plain index (mkdocs.yml: pipeline without "stemmer") it finds only "aziende...". Here each
   word of the query is reduced to its Italian stem before Material sends it to the search
   worker, so "aziende" searches "aziend*" and finds azienda, aziende and aziendale.
   The stemmer is lunr-languages' own Italian Snowball stemmer, the file Material ships for
   `lang: it`, loaded from this site. Queries using lunr syntax (+ - * : ~ ^ ") are left alone.

   Search is also made to wait for the reader: Material fetches the whole search index as soon
   as a page loads, which a reader who never searches pays for on every first visit (and which
   is the last request before the page counts as loaded). The index and the stemmer are fetched
   at the reader's first interaction with the page (a tap, a key, a focus), or at once when the
   address carries a search (?q=). This file must run before Material's bundle (main.html). */
(function () {
  "use strict";

  var SEPARATOR = /[\s\-'’]+/;
  var SYNTAX = /(^|\s)[+\-]|[*:~^"]/;
  // Shorter words are left whole: stems of two or three letters match far too much.
  var MIN_LENGTH = 4;

  var script = document.currentScript;
  var stem = null;
  var isStopWord = function () { return false; };

  function load(src) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement("script");
      element.src = src;
      element.onload = resolve;
      element.onerror = reject;
      document.head.appendChild(element);
    });
  }

  /* lunr-languages' files attach themselves to a global `lunr`: give them the few functions
     they call, take the Italian stemmer and stop-word list, then remove the global. */
  function loadStemmer() {
    if (!script || window.lunr) return Promise.resolve();
    var base = new URL("lunr/min/", script.src);
    window.lunr = {
      Pipeline: { registerFunction: function () {} },
      generateStopWordFilter: function (words) {
        var stopWords = new Set(words);
        return function (token) { return stopWords.has(token) ? undefined : token; };
      }
    };
    return load(new URL("lunr.stemmer.support.min.js", base).href)
      .then(function () { return load(new URL("lunr.it.min.js", base).href); })
      .then(function () {
        var italian = window.lunr.it;
        stem = function (word) { return italian.stemmer(word); };
        isStopWord = function (word) { return italian.stopWordFilter(word) === undefined; };
      })
      .catch(function () { stem = null; })
      .then(function () { delete window.lunr; });
  }

  /* "Le aziende vendono" -> "aziend vend": words stemmed, stop words dropped (unless the query
     is made of nothing else). Material adds the prefix wildcard afterwards. */
  function stemQuery(query) {
    if (!stem || SYNTAX.test(query)) return query;
    var words = query.toLowerCase().split(SEPARATOR).filter(Boolean);
    var kept = words.filter(function (word) { return !isStopWord(word); });
    if (!kept.length) return query;
    return kept.map(function (word) {
      return word.length < MIN_LENGTH ? word : stem(word) || word;
    }).join(" ");
  }

  /* Material's search worker receives {type: 2, data: query} for every keystroke. */
  var QUERY = 2;
  var postMessage = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (message) {
    if (message && message.type === QUERY && typeof message.data === "string") {
      var args = Array.prototype.slice.call(arguments);
      args[0] = { type: QUERY, data: stemQuery(message.data) };
      return postMessage.apply(this, args);
    }
    return postMessage.apply(this, arguments);
  };

  /* Resolved at the reader's first interaction, or at once for an address with ?q=. */
  var searchWanted = new Promise(function (resolve) {
    if (new URLSearchParams(location.search).has("q")) return resolve();
    var events = ["pointerdown", "keydown", "focusin", "touchstart"];
    function wanted() {
      events.forEach(function (name) { window.removeEventListener(name, wanted, true); });
      resolve();
    }
    events.forEach(function (name) {
      window.addEventListener(name, wanted, { capture: true, passive: true });
    });
  });

  /* Material requests the index with XMLHttpRequest: its send waits for the first interaction. */
  var INDEX = /\/search\/search_index\.json$/;
  var open = XMLHttpRequest.prototype.open;
  var send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url) {
    this.approdoSearchIndex = INDEX.test(new URL(String(url), location.href).pathname);
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function () {
    if (!this.approdoSearchIndex) return send.apply(this, arguments);
    var request = this;
    var args = arguments;
    searchWanted.then(function () { send.apply(request, args); });
  };

  searchWanted.then(loadStemmer);
})();
