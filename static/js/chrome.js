// chrome.js: the console's shell. The phone-width menu and pop-overs such as Clone are
// <details> disclosures and work without this file; here Escape closes the open one
// (focus back on its button), a pop-over's Cancel (data-close-details) closes its own,
// and a click elsewhere closes the menu, as a menu button's menu does.
(function () {
  "use strict";
  function close(d) {
    d.open = false;
    d.querySelector("summary").focus();
  }
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var open = document.querySelector("[data-testid=menu][open]") || document.querySelector("details[open] [data-close-details]");
    if (open) close(open.closest("details"));
  });
  document.addEventListener("click", function (e) {
    var cancel = e.target.closest && e.target.closest("[data-close-details]");
    if (cancel) close(cancel.closest("details"));
  });
  document.addEventListener("click", function (e) {
    var menu = document.querySelector("[data-testid=menu][open]");
    if (menu && !menu.contains(e.target)) menu.open = false;
  });
})();

// Tag chips in a custom colour (#rrggbb) carry it in data-chip-color: the CSP allows
// no style attributes, so the colour is set here, with black or white text, whichever
// contrasts more (at least 4.58:1 for any background). Choosing a colour in the tags
// page's custom picker selects its "custom" radio.
(function () {
  "use strict";
  function lum(hex) {
    var v = [1, 3, 5].map(function (i) {
      var c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  }
  function paint(root) {
    var chips = (root || document).querySelectorAll("[data-chip-color]");
    for (var i = 0; i < chips.length; i++) {
      var hex = chips[i].getAttribute("data-chip-color");
      if (!/^#[0-9a-f]{6}$/.test(hex)) continue;
      var l = lum(hex);
      chips[i].style.backgroundColor = hex;
      chips[i].style.color = (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? "#000" : "#fff";
    }
  }
  document.addEventListener("DOMContentLoaded", function () { paint(document); });
  document.addEventListener("htmx:load", function (e) { paint(e.target); });
  document.addEventListener("input", function (e) {
    if (!e.target.hasAttribute || !e.target.hasAttribute("data-custom-color")) return;
    var radio = e.target.closest("fieldset").querySelector("input[type=radio][value=custom]");
    if (radio) radio.checked = true;
  });
})();

// A tag the editor's "add tag" creates arrives at the end of the options (htmx appends
// it); data-place-before names, nearest first, the options that follow it in the tag
// order, so it moves before the first of them on the page: where a reload lists it.
(function () {
  "use strict";
  document.addEventListener("htmx:load", function (e) {
    var el = e.target;
    if (!el.getAttribute || !el.getAttribute("data-place-before")) return;
    var ids = el.getAttribute("data-place-before").split(" ");
    for (var i = 0; i < ids.length; i++) {
      var next = document.getElementById(ids[i]);
      if (next && next !== el && next.parentNode === el.parentNode) {
        el.parentNode.insertBefore(el, next);
        return;
      }
    }
  });
})();
