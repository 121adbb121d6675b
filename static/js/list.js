// agentconsole: the agents list's selection. The bulk bar (form#bulk-form) is shown
// only while some row is selected, with an "N selected" count and a select-all box that
// is ticked, empty or mixed; each bulk button with hx-confirm asks before it posts.
// Without JavaScript the bar stays visible and posts unconfirmed (progressive
// enhancement). No inline scripts anywhere (CSP).
(function () {
  "use strict";
  function items() { return document.querySelectorAll("[data-select-item]"); }
  function sync() {
    var bar = document.querySelector("[data-bulk-bar]");
    if (!bar) return;
    var all = items(), n = 0;
    Array.prototype.forEach.call(all, function (x) { if (x.checked) n++; });
    var head = document.querySelector("[data-select-all]");
    if (head) {
      head.checked = n > 0 && n === all.length;
      head.indeterminate = n > 0 && n < all.length;
    }
    var count = bar.querySelector("[data-bulk-count]");
    if (count) count.textContent = n + " selected:";
    bar.hidden = n === 0;
    bar.classList.toggle("hidden", n === 0); // .flex would outrank the attribute alone
  }
  document.addEventListener("change", function (evt) {
    var t = evt.target;
    if (!t.matches) return;
    if (t.matches("[data-select-all]")) {
      Array.prototype.forEach.call(items(), function (x) { x.checked = t.checked; });
    }
    if (t.matches("[data-select-all], [data-select-item]")) sync();
  });
  // Boosted navigation and the live filters bring new rows (nothing selected).
  document.addEventListener("htmx:load", sync);
  document.addEventListener("DOMContentLoaded", sync);
  window.addEventListener("pageshow", sync); // back/forward cache keeps ticked boxes
  // A choice's "Choose … first" (below) holds for the press that needed it only: left
  // on, the form's own validation would stop every other button of the bar too. Each
  // press of a bar button starts from a valid form (capture: before the browser checks).
  document.addEventListener("click", function (evt) {
    var bar = evt.target.closest && evt.target.closest("[data-bulk-bar]");
    if (!bar || !evt.target.closest("button")) return;
    bar.querySelectorAll("[data-needs-message]").forEach(function (x) { x.setCustomValidity(""); });
  }, true);
  // htmx asks the form's hx-confirm only; the bulk bar's buttons each carry their own
  // question (the submit event names the button that was pressed). With nothing
  // selected there is nothing to confirm: the server answers "Select agents first".
  document.addEventListener("htmx:confirm", function (evt) {
    var e = evt.detail.triggeringEvent, button = e && e.submitter, form = evt.detail.elt;
    if (!button || !form.matches("[data-bulk-bar]")) return;
    var n = Array.prototype.filter.call(form.elements, function (x) { return x.matches("[data-select-item]") && x.checked; }).length;
    // A button that needs a choice (Change model needs the model) says so beside the
    // choice and keeps the selection, instead of posting for a refusal that reloads.
    var needed = button.getAttribute("data-needs") && document.getElementById(button.getAttribute("data-needs"));
    if (n && needed && !needed.value) {
      evt.preventDefault();
      needed.setCustomValidity(needed.getAttribute("data-needs-message") || "Choose one first.");
      needed.reportValidity();
      return;
    }
    if (!n || !button.getAttribute("hx-confirm")) return;
    evt.preventDefault();
    // data-confirm-count says how many ("Delete 25 agents?"): {n} is the count with its
    // noun, {choice} the chosen option of the select data-choice names (the tag).
    var question = button.getAttribute("data-confirm-count");
    question = question ? question.replace("{n}", n === 1 ? "1 agent" : n + " agents") : button.getAttribute("hx-confirm");
    var choice = button.getAttribute("data-choice") && document.getElementById(button.getAttribute("data-choice"));
    if (choice && choice.selectedIndex >= 0) question = question.replace("{choice}", choice.options[choice.selectedIndex].text);
    if (window.confirm(question)) evt.detail.issueRequest(true);
  });
})();
