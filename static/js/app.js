// agentconsole: the little glue htmx needs. No inline scripts anywhere (CSP).
//
// Confirmations are htmx's own `hx-confirm` on the form (every form is boosted, so htmx
// submits it and asks first; a dismissed dialog sends nothing). Without JavaScript the
// form posts unconfirmed, which is the accepted fallback.
(function () {
  "use strict";
  function csrfToken() {
    var el = document.getElementById("csrf-token");
    return el ? el.getAttribute("data-token") : "";
  }
  // Every htmx request carries the session's CSRF token. It is read from the page body
  // each time because boosted navigation replaces the body, not its attributes.
  document.addEventListener("htmx:configRequest", function (evt) {
    evt.detail.headers["X-CSRF-Token"] = csrfToken();
  });
  // A refused request (4xx) is swapped (see the htmx-config meta): the answer carries the
  // server's message next to its field. Whatever the page said before is stale then: an
  // earlier success flash or alert must not stay beside the refusal.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var status = evt.detail.xhr.status;
    if (status < 400 || status >= 500) return;
    var flashes = document.querySelector("[data-testid=flashes]");
    if (flashes) flashes.textContent = "";
    hideAlert();
  });
  // What is left as an error: 5xx and unreachable servers. Never a dead button.
  document.addEventListener("htmx:responseError", function (evt) {
    var status = evt.detail.xhr.status;
    var msg = "Something went wrong (" + status + "). Please try again.";
    if (status === 503) msg = "The service is briefly unavailable. Try again in a few seconds.";
    announce(msg);
  });
  document.addEventListener("htmx:sendError", function () {
    announce("The server could not be reached. Check your connection and try again.");
  });
  function announce(msg) {
    var box = document.getElementById("live-errors");
    if (!box) return;
    box.textContent = msg;
    box.hidden = false;
  }
  function hideAlert() {
    var box = document.getElementById("live-errors");
    if (box) { box.hidden = true; box.textContent = ""; }
  }
  // A field is invalid exactly when its message element (aria-describedby, class
  // field-error) says something: inline validation swaps only the message, so the field's
  // aria-invalid and error styling follow it here.
  function syncInvalid(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var errs = scope.querySelectorAll(".field-error[id]");
    if (scope !== document && scope.matches && scope.matches(".field-error[id]")) errs = [scope];
    Array.prototype.forEach.call(errs, function (err) {
      var bad = err.textContent.trim() !== "";
      var controls = document.querySelectorAll('[aria-describedby~="' + err.id + '"]');
      Array.prototype.forEach.call(controls, function (el) {
        el.setAttribute("aria-invalid", bad ? "true" : "false");
        el.classList.toggle("input-error", bad);
      });
    });
  }
  document.addEventListener("htmx:load", function (evt) { syncInvalid(evt.detail.elt); });
  document.addEventListener("htmx:oobAfterSwap", function (evt) { syncInvalid(evt.detail.target); });
  document.addEventListener("DOMContentLoaded", function () { syncInvalid(document); });
  // Small forms that add to the page (data-reset-on-success, e.g. the editor's tag box)
  // are emptied once their request succeeded, ready for the next entry.
  document.addEventListener("htmx:afterRequest", function (evt) {
    var form = evt.detail.elt;
    if (evt.detail.successful && evt.detail.xhr.status < 400 && form.matches && form.matches("form[data-reset-on-success]")) form.reset();
  });
  // Unsaved edits (forms marked data-unsaved-warning, e.g. the agent editor): leaving
  // the page with changes asks first, whether by a full navigation (beforeunload: the
  // browser's own dialog) or by a boosted link or form (htmx). Submitting the form
  // itself never asks. A form's state is what it would post, taken when it appears; a
  // form that comes back refused (data-refused) holds nothing saved, so it is unsaved
  // from the start ("" is no form's state).
  var leaving = false;
  function state(form) { return new URLSearchParams(new FormData(form)).toString(); }
  function remember(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var forms = Array.prototype.slice.call(scope.querySelectorAll("form[data-unsaved-warning]"));
    if (scope.matches && scope.matches("form[data-unsaved-warning]")) forms.push(scope);
    forms.forEach(function (f) { if (f.__saved === undefined) f.__saved = f.hasAttribute("data-refused") ? "" : state(f); });
  }
  function unsaved(except) {
    var forms = document.querySelectorAll("form[data-unsaved-warning]");
    for (var i = 0; i < forms.length; i++) {
      var f = forms[i];
      if (f === except || f.__saved === undefined) continue;
      if (state(f) !== f.__saved) return true;
    }
    return false;
  }
  document.addEventListener("DOMContentLoaded", function () { leaving = false; remember(document); });
  document.addEventListener("htmx:load", function (evt) { remember(evt.detail.elt); });
  document.addEventListener("submit", function (evt) {
    var f = evt.target;
    if (f.matches && f.matches("form[data-unsaved-warning]") && !evt.defaultPrevented) leaving = true;
  });
  window.addEventListener("pageshow", function () { leaving = false; });
  window.addEventListener("beforeunload", function (evt) {
    if (leaving || !unsaved(null)) return;
    evt.preventDefault();
    evt.returnValue = "";
  });
  document.addEventListener("htmx:beforeRequest", function (evt) {
    if (!evt.detail.boosted) return; // inline validation, tag box: the page stays
    var form = evt.detail.elt.closest ? evt.detail.elt.closest("form[data-unsaved-warning]") : null;
    if (!unsaved(form)) return;
    if (!window.confirm("You have unsaved changes on this page. Leave without saving?")) evt.preventDefault();
  });
  // Copy buttons (token shown once).
  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest("[data-copy]");
    if (!btn) return;
    var el = document.getElementById(btn.getAttribute("data-copy"));
    if (el && navigator.clipboard) navigator.clipboard.writeText(el.textContent.trim());
    btn.textContent = "Copied";
  });
})();
