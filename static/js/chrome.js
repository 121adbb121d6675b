// chrome.js: the console's shell. The phone-width menu is a <details> disclosure and
// works without this file; here Escape closes it (focus back on its button), and a
// click elsewhere closes it too, as a menu button's menu does.
(function () {
  "use strict";
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var menu = document.querySelector("[data-testid=menu][open]");
    if (!menu) return;
    menu.open = false;
    menu.querySelector("summary").focus();
  });
  document.addEventListener("click", function (e) {
    var menu = document.querySelector("[data-testid=menu][open]");
    if (menu && !menu.contains(e.target)) menu.open = false;
  });
})();
