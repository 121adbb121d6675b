// agentconsole: the little glue htmx needs. No inline scripts anywhere (CSP).
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
  // A failed htmx request must never look like a dead button: say what happened.
  document.addEventListener("htmx:responseError", function (evt) {
    var status = evt.detail.xhr.status;
    var msg = "Something went wrong (" + status + "). Please try again.";
    if (status === 403) msg = "Not allowed, or your session changed. Reload the page and try again.";
    if (status === 401) msg = "Your session has ended. Please log in again.";
    if (status === 429) msg = "Too many requests. Wait a moment and try again.";
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
  // Buttons that ask before doing something destructive, without inline handlers.
  document.addEventListener("submit", function (evt) {
    var q = evt.target.getAttribute("data-confirm");
    if (q && !window.confirm(q)) evt.preventDefault();
  }, true);
  // Copy buttons (token shown once).
  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest("[data-copy]");
    if (!btn) return;
    var el = document.getElementById(btn.getAttribute("data-copy"));
    if (el && navigator.clipboard) navigator.clipboard.writeText(el.textContent.trim());
    btn.textContent = "Copied";
  });
})();
