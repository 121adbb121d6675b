// agentconsole: keyboard navigation on the diff page. n or j moves to the next change,
// p or k to the previous one (each change is an element with data-change and
// tabindex="-1"). The listener sits on the document, so boosted navigation (which
// swaps the body) needs no re-binding; on pages without changes it does nothing.
(function () {
  "use strict";
  function changes() {
    var all = document.querySelectorAll("[data-change]");
    var out = [];
    for (var i = 0; i < all.length; i++) {
      // A change inside a closed fold or a hidden layout is skipped.
      if (all[i].getClientRects().length > 0) out.push(all[i]);
    }
    return out;
  }
  document.addEventListener("keydown", function (evt) {
    if (evt.ctrlKey || evt.metaKey || evt.altKey || evt.defaultPrevented) return;
    var t = evt.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var step = { n: 1, j: 1, p: -1, k: -1 }[evt.key];
    if (!step) return;
    var list = changes();
    if (list.length === 0) return;
    var at = list.indexOf(document.activeElement);
    var next;
    if (at < 0) {
      // From wherever the reader is: the first change below (or above) the viewport's top.
      next = step > 0 ? 0 : list.length - 1;
      for (var i = 0; i < list.length; i++) {
        if (list[i].getBoundingClientRect().top > 1) { next = step > 0 ? i : Math.max(0, i - 1); break; }
      }
    } else {
      next = Math.min(list.length - 1, Math.max(0, at + step));
    }
    evt.preventDefault();
    list[next].focus({ preventScroll: true });
    list[next].scrollIntoView({ block: "center" });
    var status = document.getElementById("change-position");
    if (status) status.textContent = "Change " + (next + 1) + " of " + list.length;
  });
})();
