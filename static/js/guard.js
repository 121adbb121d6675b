// guard.js runs before the page is parsed (no defer). Confirmations are htmx's hx-confirm,
// and htmx starts only once the whole page is parsed and its scripts have run: a person
// who clicks Delete on a page still loading would post without being asked. Until htmx
// has started, a submit that would ask is asked here, with the same question, in the
// browser's own dialog; one whose question scripts fill in ("{n}") waits for them.
(function () {
  "use strict";
  var ready = false;
  // htmx starts in its own DOMContentLoaded listener, in this same dispatch, so no
  // submit can fall between the two.
  document.addEventListener("DOMContentLoaded", function () { ready = !!window.htmx; });
  document.addEventListener("submit", function (evt) {
    if (ready) return;
    var asker = (evt.submitter && evt.submitter.closest("[hx-confirm]")) || evt.target.closest("[hx-confirm]");
    if (!asker) return;
    var question = asker.getAttribute("hx-confirm");
    if (question.indexOf("{n}") >= 0 || !window.confirm(question)) evt.preventDefault();
  }, true);
})();
